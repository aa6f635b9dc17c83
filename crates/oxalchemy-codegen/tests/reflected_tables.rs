//! The generator on tables shaped as reflection gives them (`Table::from_reflected`):
//! explicit autoincrement, server defaults as SQL text, types with no field type,
//! schemas, comments, keyless tables.

#![allow(missing_docs)]

use oxalchemy::reflection::{PrimaryKeyConstraint, ReflectedColumn, ReflectedTable};
use oxalchemy::{ForeignKey, SqlType, Table};

fn column(name: &str, sql_type: SqlType, nullable: bool) -> ReflectedColumn {
    ReflectedColumn {
        name: name.into(),
        sql_type,
        nullable,
        default: None,
        autoincrement: false,
        comment: None,
    }
}

fn table(
    schema: Option<&str>,
    name: &str,
    columns: Vec<ReflectedColumn>,
    pk: &[&str],
    foreign_keys: Vec<ForeignKey>,
) -> Table {
    Table::from_reflected(ReflectedTable {
        schema: schema.map(str::to_owned),
        name: name.into(),
        columns,
        primary_key: PrimaryKeyConstraint {
            name: None,
            columns: pk.iter().map(|s| (*s).to_owned()).collect(),
        },
        foreign_keys,
        indexes: vec![],
        unique_constraints: vec![],
        check_constraints: vec![],
        comment: None,
    })
    .expect("valid reflected table")
}

/// The four tables of `pgbench -i --foreign-keys`, as PostgreSQL reflection reads them.
fn pgbench() -> Vec<Table> {
    use SqlType::*;
    vec![
        table(
            None,
            "pgbench_accounts",
            vec![
                column("aid", Integer, false),
                column("bid", Integer, true),
                column("abalance", Integer, true),
                column("filler", Char(Some(84)), true),
            ],
            &["aid"],
            vec![ForeignKey::new(["bid"], None, "pgbench_branches", ["bid"])],
        ),
        table(
            None,
            "pgbench_branches",
            vec![
                column("bid", Integer, false),
                column("bbalance", Integer, true),
                column("filler", Char(Some(88)), true),
            ],
            &["bid"],
            vec![],
        ),
        table(
            None,
            "pgbench_history",
            vec![
                column("tid", Integer, true),
                column("bid", Integer, true),
                column("aid", Integer, true),
                column("delta", Integer, true),
                column("mtime", DateTime, true),
                column("filler", Char(Some(22)), true),
            ],
            &[],
            vec![
                ForeignKey::new(["aid"], None, "pgbench_accounts", ["aid"]),
                ForeignKey::new(["bid"], None, "pgbench_branches", ["bid"]),
                ForeignKey::new(["tid"], None, "pgbench_tellers", ["tid"]),
            ],
        ),
        table(
            None,
            "pgbench_tellers",
            vec![
                column("tid", Integer, false),
                column("bid", Integer, true),
                column("tbalance", Integer, true),
                column("filler", Char(Some(84)), true),
            ],
            &["tid"],
            vec![ForeignKey::new(["bid"], None, "pgbench_branches", ["bid"])],
        ),
    ]
}

#[test]
fn pgbench_keys_do_not_autoincrement_and_history_is_a_core_table() {
    let code = oxalchemy_codegen::generate(&pgbench(), "");
    assert!(
        code.contains(
            "    #[mapped_column(primary_key, autoincrement = false)]\n    pub aid: i32,\n"
        )
    );
    assert!(code.contains(
        "    #[mapped_column(foreign_key = \"pgbench_branches.bid\")]\n    pub bid: Option<i32>,\n"
    ));
    assert!(code.contains(
        "    #[mapped_column(sql_type = oxalchemy::SqlType::Char(Some(84)))]\n    pub filler: Option<String>,\n"
    ));
    // `bid` does not end in `_id`: the relationship is named after the target table.
    assert!(code.contains(
        "    #[relationship(back_populates = \"pgbench_accounts_collection\")]\n    pub pgbench_branches: Related<Option<PgbenchBranches>>,\n"
    ));
    assert!(code.contains("    pub pgbench_tellers_collection: Related<Vec<PgbenchTellers>>,\n"));
    assert!(code.contains("pub fn pgbench_history_table() -> oxalchemy::Table {\n"));
    assert!(code.contains("        t.column(\"mtime\", oxalchemy::SqlType::DateTime);\n"));
    assert!(!code.contains("pub struct PgbenchHistory"));
}

#[test]
fn sql_defaults_literals_and_sequences() {
    let mut id = column("id", SqlType::Integer, false);
    id.autoincrement = true;
    let mut status = column("status", SqlType::Varchar(Some(10)), false);
    status.default = Some("'draft'::character varying".into());
    let mut created = column("created", SqlType::DateTime, true);
    created.default = Some("now()".into());
    let mut n = column("n", SqlType::Integer, false);
    n.default = Some("0".into());
    let code = oxalchemy_codegen::generate(
        &[table(
            None,
            "doc",
            vec![id, status, created, n],
            &["id"],
            vec![],
        )],
        "",
    );
    assert!(
        code.contains("    #[mapped_column(primary_key)]\n    pub id: i32,\n"),
        "{code}"
    );
    assert!(code.contains(
        "    #[mapped_column(length = 10, server_default = \"draft\")]\n    pub status: String,\n"
    ));
    assert!(code.contains("    #[mapped_column(server_default = \"0\")]\n    pub n: i32,\n"));
    assert!(
        code.contains("server_default_sql = \"now()\""),
        "a SQL default is written as SQL: {code}"
    );
}

#[test]
fn types_without_a_field_type_compile_with_a_note() {
    let code = oxalchemy_codegen::generate(
        &[table(
            None,
            "odd",
            vec![
                column("id", SqlType::BigInteger, false),
                column("span", SqlType::Other("INTERVAL".into()), true),
                column("tags", SqlType::Array(Box::new(SqlType::Text)), true),
                column("big", SqlType::UnsignedBigInteger, false),
                column("flags", SqlType::Set(vec!["a".into(), "b".into()]), true),
                column("doc", SqlType::Jsonb, true),
                column("plain_json", SqlType::Other("json".into()), true),
            ],
            &["id"],
            vec![],
        )],
        "",
    );
    assert!(code.contains("// oxalchemy-codegen: column span has type INTERVAL, which no Rust"));
    assert!(code.contains(
        "#[mapped_column(sql_type = oxalchemy::SqlType::Other(String::from(\"INTERVAL\")))]\n    pub span: Option<String>,"
    ));
    assert!(code.contains("column tags is an array (Text[]), mapped as"));
    assert!(code.contains("    pub tags: Option<serde_json::Value>,\n"));
    assert!(
        code.contains("sql_type = oxalchemy::SqlType::Array(Box::new(oxalchemy::SqlType::Text))")
    );
    assert!(code.contains("column big is BIGINT UNSIGNED, mapped as i64"));
    assert!(code.contains("    pub big: i64,\n"));
    assert!(code.contains(
        "sql_type = oxalchemy::SqlType::Set(vec![String::from(\"a\"), String::from(\"b\")])"
    ));
    assert!(code.contains(
        "    #[mapped_column(sql_type = oxalchemy::SqlType::Other(String::from(\"json\")))]\n    pub plain_json: Option<serde_json::Value>,\n"
    ));
    assert!(!code.contains("column plain_json has"));
    assert!(code.contains(
        "    #[mapped_column(sql_type = oxalchemy::SqlType::Jsonb)]\n    pub doc: Option<serde_json::Value>,\n"
    ));
}

#[test]
fn schemas_reach_models_foreign_keys_and_secondaries() {
    use SqlType::Integer;
    let s = Some("shop");
    let tables = [
        table(
            s,
            "item",
            vec![column("id", Integer, false)],
            &["id"],
            vec![],
        ),
        table(
            s,
            "tag",
            vec![column("id", Integer, false)],
            &["id"],
            vec![],
        ),
        table(
            s,
            "item_tag",
            vec![
                column("item_id", Integer, false),
                column("tag_id", Integer, false),
            ],
            &[],
            vec![
                ForeignKey::new(["item_id"], None, "item", ["id"]),
                ForeignKey::new(["tag_id"], None, "tag", ["id"]),
            ],
        ),
    ];
    let code = oxalchemy_codegen::generate(&tables, "");
    assert!(code.contains("#[model(base = Base, table = \"item\", schema = \"shop\")]"));
    // A keyless association table is keyed by its two columns.
    assert!(code.contains(
        "    #[mapped_column(primary_key, foreign_key = \"shop.item.id\")]\n    pub item_id: i32,\n"
    ));
    assert!(code.contains("item_tag has no primary key; as an association table"));
    assert!(code.contains(
        "    #[relationship(back_populates = \"item_collection\", secondary = \"shop.item_tag\")]\n    pub tag_collection: Related<Vec<Tag>>,\n"
    ), "{code}");
}

#[test]
fn comments_become_doc_comments() {
    let mut name = column("name", SqlType::Text, false);
    name.comment = Some("Shown to users.\nKeep it short.".into());
    let mut t = ReflectedTable {
        schema: None,
        name: "thing".into(),
        columns: vec![column("id", SqlType::Integer, false), name],
        primary_key: PrimaryKeyConstraint {
            name: None,
            columns: vec!["id".into()],
        },
        foreign_keys: vec![],
        indexes: vec![],
        unique_constraints: vec![],
        check_constraints: vec![],
        comment: Some("Things we sell.".into()),
    };
    t.columns[0].autoincrement = true;
    let code = oxalchemy_codegen::generate(&[Table::from_reflected(t).unwrap()], "");
    assert!(code.contains("/// The `thing` table.\n///\n/// Things we sell.\n#[derive("));
    assert!(
        code.contains("    /// Shown to users.\n    /// Keep it short.\n    pub name: String,\n")
    );
}

#[test]
fn composite_foreign_keys_are_noted_not_generated() {
    use SqlType::Integer;
    let tables = [
        table(
            None,
            "parent",
            vec![column("a", Integer, false), column("b", Integer, false)],
            &["a", "b"],
            vec![],
        ),
        table(
            None,
            "child",
            vec![
                column("id", Integer, false),
                column("pa", Integer, false),
                column("pb", Integer, false),
            ],
            &["id"],
            vec![ForeignKey::new(["pa", "pb"], None, "parent", ["a", "b"])],
        ),
    ];
    let code = oxalchemy_codegen::generate(&tables, "");
    assert!(code.contains(
        "// oxalchemy-codegen: the composite foreign key (pa, pb) -> parent(a, b) is not generated"
    ));
    assert!(!code.contains("Related<"), "{code}");
    assert!(!code.contains("foreign_key ="), "{code}");
}
