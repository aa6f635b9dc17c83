//! The contract's section 3 models, exactly as written there, created by
//! `Base::metadata().create_all` on every backend and used through a Session.

#![cfg(feature = "macros")]
#![allow(missing_docs)]

mod common;

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

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

backend_tests! {
    async fn create_all_makes_the_contract_models(db) {
        Base::configure()?;
        Base::metadata().create_all(&db.engine).await?;
        Base::metadata().create_all(&db.engine).await?; // existing tables are skipped
        let mut session = Session::new(&db.engine);
        let sandy = session
            .save(User { name: "sandy".into(), fullname: Some("Sandy Cheeks".into()), ..Default::default() })
            .await?;
        assert!(sandy.id > 0);
        let addr = session
            .save(Address { email_address: "sandy@sqlalchemy.org".into(), user_id: sandy.id, ..Default::default() })
            .await?;
        session.commit().await?;
        let found: User = session.scalars(select(User).filter(User::NAME.eq("sandy"))).one().await?;
        assert_eq!(found.fullname.as_deref(), Some("Sandy Cheeks"));
        let pairs: Vec<(i64, String)> = session
            .scalars(select((User::ID, User::NAME)).order_by(User::ID))
            .all()
            .await?;
        assert_eq!(pairs, vec![(sandy.id, "sandy".to_owned())]);
        // The foreign key is enforced on every backend.
        session.add(Address { email_address: "nobody@x".into(), user_id: addr.user_id + 1000, ..Default::default() });
        let err = session.flush().await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::ForeignKey), "{err}");
        session.rollback().await?;
        // NOT NULL from the non-Option type, NULL allowed from Option.
        let table = User::table();
        assert!(!table.column_def("name").unwrap().is_nullable());
        assert!(table.column_def("fullname").unwrap().is_nullable());
        session.close().await?;
        Base::metadata().drop_all(&db.engine).await?;
        Ok(())
    }
}
