//! `#[derive(Model)]` end to end: the contract's declarative models (section 3)
//! compile as written, their typed constants and entity constants build
//! statements, `Base::metadata()` holds their tables as declared, the tables
//! are created on SQLite, and rows convert to values and back.

#![cfg(all(feature = "macros", feature = "sqlite"))]
#![allow(missing_docs)] // the contract's models are public, as written there

use oxalchemy::orm::{Mapper, ResultShape};
use oxalchemy::prelude::*;
use oxalchemy::sqlite::SqliteDialect;
use oxalchemy::{Select, SqlType};

// A private base: the public models below must not leak it into a public signature.
oxalchemy::declarative_base!(Base);

// --- The contract's models, exactly as written in section 3. ---

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "user_account")]
pub struct User {
    #[mapped_column(primary_key)]
    pub id: i64, // integer primary key: autoincrement; 0 on a new object = "let the database assign it"
    #[mapped_column(length = 30)]
    pub name: String, // NOT NULL because the type is not Option
    pub fullname: Option<String>, // NULL allowed
    #[relationship(back_populates = "user", cascade = "all, delete-orphan")]
    pub addresses: Related<Vec<Address>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "address")]
pub struct Address {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub email_address: String,
    #[mapped_column(foreign_key = "user_account.id")]
    pub user_id: i64,
    #[relationship(back_populates = "addresses")]
    pub user: Related<User>,
}

// --- Further models: a composite key, and the other column options. ---

/// A composite primary key (a tuple, in field order).
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "membership")]
pub struct Membership {
    #[mapped_column(primary_key, foreign_key = "user_account.id", ondelete = "CASCADE")]
    pub user_id: i64,
    #[mapped_column(primary_key, length = 40)]
    pub group_name: String,
    pub role: Option<String>,
}

fn default_label() -> String {
    "unlabelled".to_owned()
}

/// Every `mapped_column` option, and every supported field type.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, version_id = "version")]
pub struct InventoryItem {
    #[mapped_column(primary_key, autoincrement = false)]
    pub id: i32,
    #[mapped_column(name = "item_code", length = 12, unique)]
    pub code: String,
    #[mapped_column(default = default_label(), server_default = "none", index)]
    pub label: String,
    #[mapped_column(sql_type = Numeric(10, 2))]
    pub price: rust_decimal::Decimal,
    #[mapped_column(
        foreign_key = "user_account.id",
        ondelete = "set null",
        onupdate = "CASCADE"
    )]
    pub owner_id: Option<i64>,
    #[mapped_column(nullable = true)]
    pub note: String,
    #[mapped_column(sql_type = Text)]
    pub summary: Option<String>,
    pub version: i32,
    pub small: i16,
    pub active: bool,
    pub ratio: f32,
    pub score: f64,
    pub data: Vec<u8>,
    pub day: chrono::NaiveDate,
    pub at: Option<chrono::NaiveTime>,
    pub stamp: Option<chrono::NaiveDateTime>,
    pub utc: Option<chrono::DateTime<chrono::Utc>>,
    pub uid: Option<uuid::Uuid>,
    pub doc: Option<serde_json::Value>,
}

/// A model of another base, with a schema-less default table name and a
/// relationship field without `#[relationship]`.
mod other {
    use oxalchemy::prelude::*;

    oxalchemy::declarative_base!(pub OtherBase);

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = OtherBase)]
    pub struct TreeNode {
        #[mapped_column(primary_key)]
        pub id: i64,
        #[mapped_column(foreign_key = "tree_node.id")]
        pub parent_id: Option<i64>,
        pub parent: Related<TreeNode>,
        #[relationship(uselist = false, lazy = "raise", passive_deletes)]
        pub first_child: Related<Vec<TreeNode>>,
    }
}

fn column<'a>(table: &'a Table, name: &str) -> &'a oxalchemy::ColumnDef {
    table
        .column_def(name)
        .unwrap_or_else(|| panic!("{} has no column {name}", table.name()))
}

fn sqlite_sql(stmt: &Select<impl Sized>) -> String {
    stmt.compile(&SqliteDialect).sql().to_owned()
}

#[test]
fn typed_columns_and_entities_build_statements() {
    let _: oxalchemy::Column<User, String> = User::NAME;
    let _: oxalchemy::Column<User, Option<String>> = User::FULLNAME;
    let _: oxalchemy::Column<Address, i64> = Address::USER_ID;
    let _ = User::NAME.eq("sandy");

    let users: Select<User> = select(User)
        .filter(User::NAME.eq("sandy"))
        .order_by(User::ID);
    assert_eq!(
        sqlite_sql(&users),
        "SELECT user_account.id, user_account.name, user_account.fullname \
         FROM user_account WHERE user_account.name = ? ORDER BY user_account.id"
    );
    let pairs: Select<(i64, String)> = select((User::ID, User::NAME));
    assert_eq!(
        sqlite_sql(&pairs),
        "SELECT user_account.id, user_account.name FROM user_account"
    );
    let both: Select<(User, Address)> = select((User, Address));
    assert!(sqlite_sql(&both).contains("address.email_address"));
    let generic: Select<Membership> = select(oxalchemy::entity::<Membership>());
    assert!(sqlite_sql(&generic).contains("membership.group_name"));
    // `name = ".."` renames the column; the constant keeps the field's name.
    assert!(sqlite_sql(&select(InventoryItem::CODE)).contains("inventory_item.item_code"));
    assert_eq!(format!("{User:?}"), "Entity(User)");
}

#[test]
fn relationship_constants_name_their_mapping() {
    let addresses: oxalchemy::orm::Rel<User, Vec<Address>> = User::ADDRESSES;
    assert_eq!(addresses.field(), "addresses");
    let m = addresses.mapping();
    assert!(m.uselist);
    assert_eq!((m.target)().model, "Address");
    assert_eq!(m.back_populates, Some("user"));
    assert_eq!(m.cascade.to_string(), "all, delete-orphan");
    assert!(m.cascade.delete && m.cascade.delete_orphan && m.cascade.save_update);
    assert_eq!(m.lazy, oxalchemy::orm::Lazy::Select);
    assert!(!m.passive_deletes);

    let user: oxalchemy::orm::Rel<Address, User> = Address::USER;
    let m = user.mapping();
    assert!(!m.uselist);
    assert_eq!((m.target)().model, "User");
    assert_eq!(m.cascade, oxalchemy::orm::Cascade::DEFAULT);
    assert_eq!(format!("{user:?}"), "Address.user");

    let parent = other::TreeNode::PARENT.mapping();
    assert!(!parent.uselist);
    assert_eq!(parent.back_populates, None);
    let child = other::TreeNode::FIRST_CHILD.mapping();
    assert!(!child.uselist, "uselist = false wins over Vec");
    assert_eq!(child.lazy, oxalchemy::orm::Lazy::Raise);
    assert!(child.passive_deletes);
}

#[test]
fn mappers_describe_the_models() {
    let m: &Mapper = <User as oxalchemy::Model>::mapper();
    assert_eq!((m.model, m.table, m.schema), ("User", "user_account", None));
    let fields: Vec<&str> = m.columns.iter().map(|c| c.field).collect();
    assert_eq!(fields, ["id", "name", "fullname"]);
    assert_eq!(m.primary_key_positions(), [0]);
    assert_eq!(m.version_id, None);
    assert_eq!(<User as ResultShape>::width(), 3);

    let m = <InventoryItem as oxalchemy::Model>::mapper();
    assert_eq!(m.table, "inventory_item");
    assert_eq!(m.version_id, Some("version"));
    let code = &m.columns[m.field_position("code").unwrap()];
    assert_eq!(code.name, "item_code");
    let label = &m.columns[m.field_position("label").unwrap()];
    assert_eq!(label.default.map(|f| f()), Some(Value::from("unlabelled")));

    let m = <Membership as oxalchemy::Model>::mapper();
    assert_eq!(m.primary_key_positions(), [0, 1]);
    let key: <Membership as oxalchemy::Model>::PrimaryKey = (7_i64, "admins".to_owned());
    let _ = key;
}

#[test]
fn metadata_holds_the_tables_as_declared() {
    let md = Base::metadata();
    let mut names: Vec<String> = md.tables().iter().map(|t| t.name().to_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        ["address", "inventory_item", "membership", "user_account"]
    );

    let users = md.get_table("user_account").unwrap();
    assert_eq!(users.column_names(), ["id", "name", "fullname"]);
    assert_eq!(users.primary_key(), ["id"]);
    let id = column(&users, "id");
    assert_eq!(id.sql_type(), &SqlType::BigInteger);
    assert!(!id.is_nullable() && id.is_primary_key());
    assert_eq!(users.autoincrement_column().map(|c| c.name()), Some("id"));
    let name = column(&users, "name");
    assert_eq!(name.sql_type(), &SqlType::Varchar(Some(30)));
    assert!(!name.is_nullable());
    let fullname = column(&users, "fullname");
    assert_eq!(fullname.sql_type(), &SqlType::Text);
    assert!(fullname.is_nullable());

    let addresses = md.get_table("address").unwrap();
    assert_eq!(addresses.column_names(), ["id", "email_address", "user_id"]);
    assert!(!column(&addresses, "email_address").is_nullable());
    assert_eq!(
        column(&addresses, "user_id").sql_type(),
        &SqlType::BigInteger
    );
    let [fk] = addresses.foreign_keys() else {
        panic!("one foreign key expected: {:?}", addresses.foreign_keys())
    };
    assert_eq!(fk.columns(), ["user_id"]);
    assert_eq!(fk.target_table(), "user_account");
    assert_eq!(fk.target_columns(), ["id"]);
    assert_eq!(fk.ondelete(), None);

    let membership = md.get_table("membership").unwrap();
    assert_eq!(membership.primary_key(), ["user_id", "group_name"]);
    assert_eq!(membership.foreign_keys()[0].ondelete(), Some("CASCADE"));
    assert_eq!(
        column(&membership, "group_name").sql_type(),
        &SqlType::Varchar(Some(40))
    );

    let items = md.get_table("inventory_item").unwrap();
    assert_eq!(items.column_names()[..3], ["id", "item_code", "label"]);
    assert_eq!(column(&items, "id").autoincrement_setting(), Some(false));
    assert_eq!(items.autoincrement_column().map(|c| c.name()), None);
    let code = column(&items, "item_code");
    assert_eq!(code.sql_type(), &SqlType::Varchar(Some(12)));
    assert!(code.is_unique());
    let label = column(&items, "label");
    assert!(label.is_indexed());
    assert!(label.default().is_some());
    assert_eq!(
        label.server_default(),
        Some(&oxalchemy::ServerDefault::Literal("none".to_owned()))
    );
    assert_eq!(column(&items, "price").sql_type(), &SqlType::Numeric(10, 2));
    assert!(
        column(&items, "note").is_nullable(),
        "nullable = true wins over String"
    );
    assert_eq!(column(&items, "summary").sql_type(), &SqlType::Text);
    let fk = &items.foreign_keys()[0];
    assert_eq!(fk.columns(), ["owner_id"]);
    assert_eq!(
        (fk.ondelete(), fk.onupdate()),
        (Some("set null"), Some("CASCADE"))
    );
    for (col, ty) in [
        ("version", SqlType::Integer),
        ("small", SqlType::SmallInteger),
        ("active", SqlType::Boolean),
        ("ratio", SqlType::Float),
        ("score", SqlType::Double),
        ("data", SqlType::LargeBinary),
        ("day", SqlType::Date),
        ("at", SqlType::Time),
        ("stamp", SqlType::DateTime),
        ("utc", SqlType::Timestamp),
        ("uid", SqlType::Uuid),
        ("doc", SqlType::Json),
    ] {
        assert_eq!(column(&items, col).sql_type(), &ty, "{col}");
    }

    // The other base holds only its own model.
    let other = other::OtherBase::metadata();
    let names: Vec<String> = other.tables().iter().map(|t| t.name().to_owned()).collect();
    assert_eq!(names, ["tree_node"]);
    assert_eq!(
        other.get_table("tree_node").unwrap().column_names(),
        ["id", "parent_id"]
    );
}

fn item() -> InventoryItem {
    InventoryItem {
        id: 1,
        code: "X-1".into(),
        label: "boxed".into(),
        price: "12.50".parse().unwrap(),
        owner_id: Some(1),
        note: "fragile".into(),
        summary: None,
        version: 1,
        small: -3,
        active: true,
        ratio: 0.5,
        score: 2.25,
        data: vec![0, 159, 255],
        day: chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        at: chrono::NaiveTime::from_hms_opt(13, 14, 15),
        stamp: chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(1, 2, 3),
        utc: Some(chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap()),
        uid: Some(uuid::Uuid::from_u128(
            0x1234_5678_9abc_def0_1234_5678_9abc_def0,
        )),
        doc: Some(serde_json::json!({"a": [1, 2]})),
    }
}

#[test]
fn values_round_trip() {
    let user = User {
        id: 5,
        name: "sandy".into(),
        fullname: None,
        addresses: Related::from(vec![Address::default()]),
    };
    let values = user.to_values();
    assert_eq!(
        values,
        [Value::from(5_i64), Value::from("sandy"), Value::Null]
    );
    let back = User::from_values(values).unwrap();
    assert_eq!(
        (back.id, back.name.as_str(), back.fullname.as_deref()),
        (5, "sandy", None)
    );
    assert!(!back.addresses.is_loaded());
    match back.addresses.get() {
        Err(Error::NotLoaded { relationship }) => assert_eq!(relationship, "User.addresses"),
        other => panic!("expected NotLoaded, got {other:?}"),
    }
    assert_eq!(user.primary_key_values(), [Value::from(5_i64)]);

    let item = item();
    assert_eq!(InventoryItem::from_values(item.to_values()).unwrap(), item);

    let tree = other::TreeNode {
        id: 3,
        parent_id: None,
        ..Default::default()
    };
    let back = other::TreeNode::from_values(tree.to_values()).unwrap();
    assert_eq!((back.id, back.parent_id), (3, None));

    let m = Membership {
        user_id: 1,
        group_name: "admins".into(),
        role: None,
    };
    assert_eq!(
        m.primary_key_values(),
        [Value::from(1_i64), Value::from("admins")]
    );
}

#[test]
fn decoding_errors_name_the_column() {
    let err = User::from_values(vec![Value::from(1_i64), Value::Null, Value::Null]).unwrap_err();
    match &err {
        Error::DecodeError { column, .. } => assert_eq!(column, "user_account.name"),
        other => panic!("expected DecodeError, got {other:?}"),
    }
    assert!(err.to_string().contains("user_account.name"), "{err}");
    let err = User::from_values(vec![Value::from(1_i64)]).unwrap_err();
    assert!(
        err.to_string()
            .contains("User has 3 columns but 1 values were given"),
        "{err}"
    );
}

#[tokio::test]
async fn create_all_and_read_rows_back_on_sqlite() -> oxalchemy::Result<()> {
    let engine = create_engine("sqlite://")?;
    Base::metadata().create_all(&engine).await?;
    other::OtherBase::metadata().create_all(&engine).await?;

    let mut conn = engine.connect().await?;
    conn.execute(insert(User::table()).values([("name", "spongebob")]))
        .await?;
    conn.execute(insert(User::table()).values((("name", "sandy"), ("fullname", "Sandy Cheeks"))))
        .await?;
    conn.execute(
        insert(Address::table()).values((("email_address", "sandy@sea.org"), ("user_id", 2))),
    )
    .await?;
    let item = item();
    let row: Vec<(&str, Value)> = <InventoryItem as oxalchemy::Model>::mapper()
        .columns
        .iter()
        .map(|c| c.name)
        .zip(item.to_values())
        .collect();
    conn.execute(insert(InventoryItem::table()).values(row))
        .await?;

    let rows = conn.execute(select(User).order_by(User::ID)).await?;
    let users: Vec<User> = rows
        .into_rows()
        .into_iter()
        .map(|r| User::from_values(r.into_values()))
        .collect::<oxalchemy::Result<_>>()?;
    assert_eq!(
        users,
        [
            User {
                id: 1,
                name: "spongebob".into(),
                ..Default::default()
            },
            User {
                id: 2,
                name: "sandy".into(),
                fullname: Some("Sandy Cheeks".into()),
                ..Default::default()
            },
        ]
    );

    let rows = conn
        .execute(
            select((User::NAME, Address::EMAIL_ADDRESS))
                .join_on(Address::table(), Address::USER_ID.eq(User::ID)),
        )
        .await?;
    let pairs: Vec<(String, String)> = rows.all()?;
    assert_eq!(pairs, [("sandy".to_owned(), "sandy@sea.org".to_owned())]);

    let rows = conn.execute(select(InventoryItem)).await?.into_rows();
    let back = InventoryItem::from_values(rows.into_iter().next().unwrap().into_values())?;
    assert_eq!(back, item);
    conn.commit().await?;
    Ok(())
}
