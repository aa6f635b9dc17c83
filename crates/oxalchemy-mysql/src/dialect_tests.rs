//! Dialect output: plain strings, no database.

use super::*;
use std::sync::Arc;

fn ident(d: &MysqlDialect, s: &str) -> String {
    let mut out = String::new();
    d.write_identifier(s, &mut out);
    out
}

fn literal(d: &MysqlDialect, s: &str) -> String {
    let mut out = String::new();
    d.write_string_literal(s, &mut out);
    out
}

#[test]
fn identifiers_use_backticks() {
    let d = MysqlDialect::default();
    assert_eq!(d.quote_char(), '`');
    assert_eq!(ident(&d, "users"), "users");
    assert_eq!(ident(&d, "order"), "`order`");
    assert_eq!(ident(&d, "key"), "`key`");
    assert_eq!(ident(&d, "rank"), "`rank`");
    assert_eq!(ident(&d, "Users"), "`Users`");
    assert_eq!(ident(&d, "odd`name"), "`odd``name`");
    assert_eq!(ident(&d, "with space"), "`with space`");
    assert_eq!(ident(&d, "1st"), "`1st`");
    // MySQL-only reserved words.
    assert_eq!(ident(&d, "div"), "`div`");
    assert_eq!(ident(&d, "mediumint"), "`mediumint`");
    assert_eq!(ident(&d, "name"), "name");
    // MySQL 8.0.17+ / 8.4 and MariaDB 10.3+ / 10.11 reserved words; `value` as a table name.
    for w in [
        "array",
        "member",
        "qualify",
        "tablesample",
        "portion",
        "master_demote_to_replica",
        "value",
    ] {
        assert_eq!(ident(&d, w), format!("`{w}`"));
    }
}

#[test]
fn placeholders_are_question_marks() {
    let d = MysqlDialect::default();
    let mut out = String::new();
    d.write_placeholder(1, &mut out);
    d.write_placeholder(2, &mut out);
    assert_eq!(out, "??");
}

#[test]
fn string_literals_escape_quotes_and_backslashes() {
    let d = MysqlDialect::default();
    assert_eq!(literal(&d, "it's"), "'it''s'");
    assert_eq!(literal(&d, r"a\b"), r"'a\\b'");
    assert_eq!(literal(&d, r"\'"), r"'\\'''");
    assert_eq!(literal(&d, "nul\0"), r"'nul\0'");
    let plain = MysqlDialect::default().with_backslash_escapes(false);
    assert_eq!(literal(&plain, r"a\b"), r"'a\b'");
}

#[test]
fn type_names() {
    let d = MysqlDialect::default();
    let t = |ty: SqlType| d.type_name(&ty, false);
    assert_eq!(t(SqlType::Integer), "INTEGER");
    assert_eq!(t(SqlType::BigInteger), "BIGINT");
    assert_eq!(t(SqlType::SmallInteger), "SMALLINT");
    assert_eq!(t(SqlType::Varchar(Some(50))), "VARCHAR(50)");
    assert_eq!(t(SqlType::Varchar(None)), "TEXT");
    assert_eq!(t(SqlType::Text), "TEXT");
    assert_eq!(t(SqlType::Boolean), "BOOL");
    assert_eq!(t(SqlType::Float), "FLOAT");
    assert_eq!(t(SqlType::Double), "DOUBLE");
    assert_eq!(t(SqlType::Numeric(10, 2)), "DECIMAL(10, 2)");
    assert_eq!(t(SqlType::Date), "DATE");
    assert_eq!(t(SqlType::Time), "TIME(6)");
    assert_eq!(t(SqlType::DateTime), "DATETIME(6)");
    assert_eq!(t(SqlType::Timestamp), "DATETIME(6)");
    assert_eq!(t(SqlType::Uuid), "CHAR(36)");
    assert_eq!(t(SqlType::Json), "JSON");
    assert_eq!(t(SqlType::LargeBinary), "LONGBLOB");
    let mood: SqlType = oxalchemy_core::sql_type::Enum::new("mood", ["happy", "it's"]).into();
    assert_eq!(t(mood), "ENUM('happy', 'it''s')");
}

#[test]
fn keyed_text_gets_a_length() {
    let d = MysqlDialect::default();
    assert_eq!(d.type_name(&SqlType::Text, true), "VARCHAR(255)");
    assert_eq!(d.type_name(&SqlType::Varchar(None), true), "VARCHAR(255)");
    assert_eq!(
        d.type_name(&SqlType::Varchar(Some(20)), true),
        "VARCHAR(20)"
    );
    assert_eq!(d.type_name(&SqlType::Integer, true), "INTEGER");
}

#[test]
fn autoincrement_and_casts() {
    let d = MysqlDialect::default();
    assert_eq!(
        d.autoincrement_column(&SqlType::Integer),
        "INTEGER AUTO_INCREMENT"
    );
    assert_eq!(
        d.autoincrement_column(&SqlType::BigInteger),
        "BIGINT AUTO_INCREMENT"
    );
    assert_eq!(d.cast_type_name(&SqlType::Integer), "SIGNED");
    assert_eq!(d.cast_type_name(&SqlType::Text), "CHAR");
    assert_eq!(d.cast_type_name(&SqlType::Numeric(8, 3)), "DECIMAL(8, 3)");
    assert_eq!(d.cast_type_name(&SqlType::Json), "JSON");
    assert_eq!(
        MysqlDialect::mariadb((10, 11, 0)).cast_type_name(&SqlType::Json),
        "CHAR"
    );
}

#[test]
fn feature_flags() {
    let d = MysqlDialect::default();
    assert_eq!(d.name(), "mysql");
    assert_eq!(d.upsert_style(), UpsertStyle::OnDuplicateKey);
    assert!(!d.concat_is_operator());
    assert!(!d.supports_full_outer_join());
    assert!(!d.supports_nulls_ordering());
    assert!(!d.supports_ilike());
    assert!(!d.supports_returning());
    assert!(d.supports_intersect_except());
    assert_eq!(d.limit_for_offset_only(), Some("18446744073709551615"));
    assert_eq!(d.default_values_insert(), "() VALUES ()");
    assert!(!MysqlDialect::mysql((8, 0, 30)).supports_intersect_except());
    let maria = MysqlDialect::mariadb((10, 11, 6));
    assert!(maria.supports_returning());
    assert!(maria.supports_intersect_except());
    assert!(!MysqlDialect::mariadb((10, 4, 0)).supports_returning());
}

#[test]
fn server_info_updates_are_shared() {
    let d = Arc::new(MysqlDialect::default());
    let seen: Arc<dyn Dialect> = d.clone();
    assert!(!seen.supports_returning());
    d.mark_detected(ServerInfo::mariadb((10, 11, 19)));
    assert!(seen.supports_returning());
    assert!(d.is_server_detected());
    // A clone is a snapshot.
    let snapshot = (*d).clone();
    d.set_server_info(ServerInfo::mysql((8, 0, 36)));
    assert!(snapshot.supports_returning());
    assert!(!seen.supports_returning());
}

#[test]
fn has_table_queries() {
    let d = MysqlDialect::default();
    let (sql, params) = d.has_table_query(None, "users");
    assert!(sql.contains("table_schema = DATABASE()"), "{sql}");
    assert_eq!(params, vec![Value::from("users")]);
    let (sql, params) = d.has_table_query(Some("shop"), "users");
    assert!(sql.contains("table_schema = ?"), "{sql}");
    assert_eq!(params, vec![Value::from("shop"), Value::from("users")]);
}

#[test]
fn returning_order_by_server() {
    use oxalchemy_core::sql_type::{Integer, Varchar};
    use oxalchemy_core::{MetaData, ReturningOrder, insert};
    let maria = MysqlDialect::mariadb((10, 11, 6));
    let mysql = MysqlDialect::mysql8();
    assert_eq!(maria.returning_order(), ReturningOrder::InsertionOrder);
    assert_eq!(mysql.returning_order(), ReturningOrder::Unordered);
    let md = MetaData::new();
    let users = md.table("users", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(30));
    });
    let stmt = insert(&users)
        .values_many([[("name", "a")], [("name", "b")]])
        .returning(users.c("id"))
        .sort_by_parameter_order();
    // MariaDB returns rows in insertion order: the plain multi-row form.
    assert_eq!(
        stmt.compile(&maria).sql(),
        "INSERT INTO users (name) VALUES (?), (?) RETURNING id"
    );
    // MySQL cannot match several LAST_INSERT_ID rows to objects safely.
    assert!(matches!(
        stmt.try_compile(&mysql),
        Err(oxalchemy_core::Error::Unsupported { .. })
    ));
}

#[test]
fn issue_11_rules_by_server() {
    let maria = MysqlDialect::mariadb((10, 11, 6));
    let mysql = MysqlDialect::mysql8();
    // MariaDB's LAG / LEAD take no default; MySQL 8's do.
    assert!(!maria.supports_lag_lead_default());
    assert!(mysql.supports_lag_lead_default());
    // The detected server changes it in place, for every holder of the dialect.
    let shared = Arc::new(MysqlDialect::mysql8());
    shared.set_server_info(maria.server_info());
    assert!(!shared.supports_lag_lead_default());
    for d in [&maria, &mysql] {
        assert_eq!(d.true_division(), TrueDivision::Native);
        assert_eq!(d.distinct_from(), DistinctFrom::NullSafeEqual);
        assert_eq!(d.update_from(), UpdateFrom::TableList);
        assert_eq!(d.delete_using(), DeleteUsing::UsingTarget);
        assert_eq!(d.extract(DatePart::DayOfWeek), ("(DAYOFWEEK(", ") - 1)"));
        assert_eq!(d.extract(DatePart::Year), ("EXTRACT(year FROM ", ")"));
        assert!(!d.supports_distinct_on());
    }
}
