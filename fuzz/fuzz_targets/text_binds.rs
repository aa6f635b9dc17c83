//! `text()`'s bind scanner: any SQL text, bound or not, compiles for every
//! dialect or is refused with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxalchemy_core::{Dialect, Value, text};

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let dialects: [Box<dyn Dialect>; 4] = [
        Box::new(oxalchemy_sqlite::SqliteDialect::new()),
        Box::new(oxalchemy_postgres::PostgresDialect::new()),
        Box::new(oxalchemy_mysql::MysqlDialect::mysql8()),
        Box::new(oxalchemy_mysql::MysqlDialect::mariadb((10, 11, 0)).with_backslash_escapes(false)),
    ];
    let clause = text(sql);
    let names: Vec<String> = clause.bind_names().into_iter().map(str::to_owned).collect();
    let mut bound = clause.clone();
    for (i, name) in names.iter().enumerate() {
        bound = bound.bind(name, Value::from(i as i64));
    }
    for dialect in &dialects {
        let _ = clause.try_compile(dialect.as_ref());
        let _ = bound.try_compile(dialect.as_ref());
    }
});
