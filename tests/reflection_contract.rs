//! Contract section 8 ("Reflection"), compiled as written through the prelude
//! and run on every backend.

use oxalchemy::prelude::*;

mod common;

/// Section 8 verbatim (the `for` loop's reads bound to `_` so they are used).
async fn contract_section_8(engine: &Engine) -> oxalchemy::Result<()> {
    let metadata = MetaData::new();
    metadata.reflect(engine).await?; // every table: columns, types, nullability, defaults,
    let t = metadata.get_table("users").unwrap(); // primary keys, foreign keys, indexes, unique constraints
    let users = Table::autoload("users", &metadata, engine).await?;
    assert!(t.is(&users));

    // Reading any Table, built or reflected:
    for col in users.columns() {
        let _ = (
            col.name(),
            col.sql_type(),
            col.is_nullable(),
            col.is_primary_key(),
            col.server_default(),
        );
    }
    let _ = users.primary_key(); // column names, in key order
    for fk in users.foreign_keys() {
        let _ = (
            fk.columns(),
            fk.target_table(),
            fk.target_columns(),
            fk.ondelete(),
        );
    }
    let _ = (users.indexes(), users.unique_constraints());

    // SQLAlchemy's inspect(): answers straight from the database, without building a MetaData.
    let insp = inspect(engine).await?;
    insp.table_names().await?;
    insp.columns("users").await?;
    insp.pk_constraint("users").await?;
    insp.foreign_keys("users").await?;
    insp.indexes("users").await?;
    Ok(())
}

backend_tests! {
    async fn section_8_runs_as_written(db) {
        let metadata = MetaData::new();
        metadata.table("users", |t| {
            t.column("id", Integer).primary_key();
            t.column("name", Varchar(50)).not_null();
        });
        metadata.table("addresses", |t| {
            t.column("id", Integer).primary_key();
            t.column("user_id", Integer).not_null().foreign_key("users.id").ondelete("CASCADE");
        });
        metadata.create_all(&db.engine).await?;
        contract_section_8(&db.engine).await
    }
}
