//! The DDL a reflected table compiles to, per dialect: the types reflection
//! adds (unsigned integers, TINYINT, CHAR, SET, JSONB, arrays, `Other`), a
//! named primary key, comments, reflected server defaults, expression indexes.

use oxalchemy::mysql::MysqlDialect;
use oxalchemy::postgres::PostgresDialect;
use oxalchemy::reflection::{PrimaryKeyConstraint, ReflectedColumn, ReflectedTable};
use oxalchemy::sqlite::SqliteDialect;
use oxalchemy::{CreateIndex, CreateTable, Dialect, Executable, Index, SqlType, Table};

fn column(name: &str, sql_type: SqlType, default: Option<&str>) -> ReflectedColumn {
    ReflectedColumn {
        name: name.into(),
        sql_type,
        nullable: true,
        default: default.map(str::to_owned),
        autoincrement: false,
        comment: None,
    }
}

fn table() -> Table {
    let mut key = column("k", SqlType::Integer, None);
    key.nullable = false;
    let mut note = column("note", SqlType::Char(Some(3)), Some("'abc'"));
    note.comment = Some("it's a note".into());
    Table::from_reflected(ReflectedTable {
        schema: None,
        name: "r".into(),
        columns: vec![
            key,
            column("u", SqlType::UnsignedInteger, Some("0")),
            column("b", SqlType::UnsignedBigInteger, None),
            column("t", SqlType::TinyInteger, None),
            column("s", SqlType::Set(vec!["x".into(), "yz".into()]), None),
            column("j", SqlType::Jsonb, None),
            column("a", SqlType::Array(Box::new(SqlType::Integer)), None),
            column("o", SqlType::Other("INTERVAL".into()), None),
            note,
        ],
        primary_key: PrimaryKeyConstraint {
            name: Some("pk_r".into()),
            columns: vec!["k".into()],
        },
        foreign_keys: vec![],
        indexes: vec![],
        unique_constraints: vec![],
        check_constraints: vec![],
        comment: Some("reflected".into()),
    })
    .unwrap()
}

fn sql(stmt: &dyn Executable, d: &dyn Dialect) -> String {
    stmt.compile_for(d).unwrap().sql().to_owned()
}

#[test]
fn create_table_of_reflected_types() {
    let t = table();
    assert_eq!(
        sql(&CreateTable::new(&t), &PostgresDialect::new()),
        "CREATE TABLE r (\n\tk INTEGER NOT NULL,\n\tu BIGINT DEFAULT (0),\n\tb NUMERIC(20, 0),\n\
         \tt SMALLINT,\n\ts VARCHAR(5),\n\tj JSONB,\n\ta INTEGER[],\n\to INTERVAL,\n\
         \tnote CHAR(3) DEFAULT ('abc'),\n\tCONSTRAINT pk_r PRIMARY KEY (k)\n)"
    );
    assert_eq!(
        sql(&CreateTable::new(&t), &MysqlDialect::mariadb((10, 11, 6))),
        "CREATE TABLE r (\n\tk INTEGER NOT NULL,\n\tu INTEGER UNSIGNED DEFAULT (0),\n\
         \tb BIGINT UNSIGNED,\n\tt TINYINT,\n\ts SET('x', 'yz'),\n\tj JSON,\n\ta JSON,\n\
         \to INTERVAL,\n\tnote CHAR(3) DEFAULT ('abc') COMMENT 'it''s a note',\n\
         \tCONSTRAINT pk_r PRIMARY KEY (k)\n) COMMENT 'reflected'"
    );
    // SQLite: a non-autoincrement INTEGER key is written INT, so it is not the rowid alias.
    assert_eq!(
        sql(&CreateTable::new(&t), &SqliteDialect),
        "CREATE TABLE r (\n\tk INT NOT NULL,\n\tu INTEGER UNSIGNED DEFAULT (0),\n\
         \tb BIGINT UNSIGNED,\n\tt TINYINT,\n\ts VARCHAR(5),\n\tj JSON,\n\ta JSON,\n\
         \to INTERVAL,\n\tnote CHAR(3) DEFAULT ('abc'),\n\tCONSTRAINT pk_r PRIMARY KEY (k)\n)"
    );
}

/// A reflected PostgreSQL enum is created with its named type (no CHECK);
/// elsewhere it is written as a declared Enum is.
#[test]
fn reflected_enum_uses_its_named_type_on_postgres() {
    let t = Table::from_reflected(ReflectedTable {
        schema: None,
        name: "e".into(),
        columns: vec![column(
            "m",
            SqlType::Enum {
                name: "mood".into(),
                variants: vec!["happy".into(), "sad".into()],
                native: true,
            },
            None,
        )],
        primary_key: PrimaryKeyConstraint::default(),
        foreign_keys: vec![],
        indexes: vec![],
        unique_constraints: vec![],
        check_constraints: vec![],
        comment: None,
    })
    .unwrap();
    assert_eq!(
        sql(&CreateTable::new(&t), &PostgresDialect::new()),
        "CREATE TABLE e (\n\tm mood\n)"
    );
    assert_eq!(
        sql(&CreateTable::new(&t), &MysqlDialect::mariadb((10, 11, 6))),
        "CREATE TABLE e (\n\tm ENUM('happy', 'sad')\n)"
    );
    assert_eq!(
        sql(&CreateTable::new(&t), &SqliteDialect),
        "CREATE TABLE e (\n\tm VARCHAR(5),\n\tCONSTRAINT ck_e_mood CHECK (m IN ('happy', 'sad'))\n)"
    );
}

#[test]
fn expression_index_is_written_as_reflected() {
    let t = table();
    let ix = Index::new("ix_r_lower", ["k"], true).with_expressions(["lower(note)", "k"]);
    for (d, expected) in [
        (
            &PostgresDialect::new() as &dyn Dialect,
            "CREATE UNIQUE INDEX ix_r_lower ON r (lower(note), k)",
        ),
        (
            &SqliteDialect,
            "CREATE UNIQUE INDEX ix_r_lower ON r (lower(note), k)",
        ),
    ] {
        assert_eq!(sql(&CreateIndex::new(&t, ix.clone()), d), expected);
    }
}
