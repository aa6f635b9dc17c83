//! URL parsing (no server needed).

use oxalchemy_core::{Driver, Error};
use oxalchemy_mysql::{
    DEFAULT_SQL_MODE, DEFAULT_STMT_CACHE_SIZE, MysqlConnectOptions, MysqlDriver,
};
use std::time::Duration;

fn argument_error(url: &str) -> String {
    match MysqlDriver::from_url(url) {
        Err(Error::ArgumentError(msg)) => msg,
        Err(other) => panic!("{url}: expected ArgumentError, got {other}"),
        Ok(d) => panic!("{url}: expected an error, got {d:?}"),
    }
}

#[test]
fn good_urls() {
    let o = MysqlConnectOptions::parse("mysql://root@127.0.0.1:3306/test").unwrap();
    assert_eq!(
        (o.host(), o.port(), o.user(), o.password(), o.database()),
        ("127.0.0.1", 3306, Some("root"), None, Some("test"))
    );
    assert_eq!(o.sql_mode(), DEFAULT_SQL_MODE);
    assert_eq!(o.time_zone(), "+00:00");
    assert_eq!(o.stmt_cache_size(), DEFAULT_STMT_CACHE_SIZE);
    assert!(o.backslash_escapes());

    let o = MysqlConnectOptions::parse("mariadb://u:p%3Aw%40rd@db.example.com/shop%20db").unwrap();
    assert_eq!(o.scheme(), "mariadb");
    assert_eq!(o.port(), 3306);
    assert_eq!(o.password(), Some("p:w@rd"));
    assert_eq!(o.database(), Some("shop db"));

    let o = MysqlConnectOptions::parse("mysql+pymysql://scott:tiger@localhost:3307/").unwrap();
    assert_eq!(o.scheme(), "mysql+pymysql");
    assert_eq!(o.port(), 3307);
    assert_eq!(o.database(), None);

    let o = MysqlConnectOptions::parse("mysql://[::1]:3306/x").unwrap();
    assert_eq!(o.host(), "::1");
    assert_eq!(o.display_url(), "mysql://[::1]:3306/x");

    let o = MysqlConnectOptions::parse(
        "mysql://h/db?charset=utf8mb4&stmt_cache_size=10&connect_timeout=2.5&unix_socket=/tmp/m.sock\
         &prefer_socket=false&init_command=SET%20@a%3D1&sql_mode=ANSI,NO_BACKSLASH_ESCAPES&ssl_mode=DISABLED",
    )
    .unwrap();
    assert_eq!(o.stmt_cache_size(), 10);
    assert_eq!(o.connect_timeout(), Some(Duration::from_millis(2500)));
    assert_eq!(o.socket(), Some("/tmp/m.sock"));
    assert_eq!(o.init_command(), Some("SET @a=1"));
    assert!(!o.backslash_escapes());
    // The dialect follows the session's sql_mode.
    let d = MysqlDriver::from_options(o);
    assert!(!d.mysql_dialect().backslash_escapes());

    let o = MysqlConnectOptions::parse("mysql:///local").unwrap();
    assert_eq!(o.host(), "localhost");
}

#[test]
fn display_url_masks_the_password() {
    let d = MysqlDriver::from_url("mysql://root:hunter2@127.0.0.1:3306/test?stmt_cache_size=3")
        .unwrap();
    assert_eq!(d.display_url(), "mysql://root:***@127.0.0.1:3306/test");
    assert!(!format!("{d:?}").contains("hunter2"));
}

#[test]
fn bad_urls() {
    let msg = argument_error("postgresql://u@h/db");
    assert!(msg.contains("scheme"), "{msg}");
    let msg = argument_error("not a url");
    assert!(msg.contains("invalid MySQL URL"), "{msg}");
    let msg = argument_error("mysql://h:notaport/db");
    assert!(msg.contains("port"), "{msg}");
    let msg = argument_error("mysql://h/db?colour=blue");
    assert!(
        msg.contains("unknown option \"colour\"") && msg.contains("sql_mode"),
        "{msg}"
    );
    let msg = argument_error("mysql://h/db?stmt_cache_size=lots");
    assert!(msg.contains("stmt_cache_size"), "{msg}");
    let msg = argument_error("mysql://h/db?charset=latin1");
    assert!(msg.contains("utf8mb4"), "{msg}");
    let msg = argument_error("mysql://h/db?ssl_mode=SOMETIMES");
    assert!(msg.contains("VERIFY_IDENTITY"), "{msg}");
    let msg = argument_error("mysql://h/a/b");
    assert!(msg.contains("'/'"), "{msg}");
    let msg = argument_error("mysql://h/db?connect_timeout=-1");
    assert!(msg.contains("connect_timeout"), "{msg}");
    let msg = argument_error("mysql://u:secret@h/db?prefer_socket=maybe");
    assert!(msg.contains("boolean") && !msg.contains("secret"), "{msg}");
    let msg = argument_error("mysql:foo");
    assert!(msg.contains("//"), "{msg}");
}
