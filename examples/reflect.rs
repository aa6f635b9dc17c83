//! Reflection: read a schema that plain SQL created, then use the reflected
//! tables like any other (SQLite in memory, no server needed).
//!
//! Run it with `cargo run --example reflect`. The DDL is SQLite's
//! (`INTEGER PRIMARY KEY` autoincrements there); the reflection calls are the
//! same on every backend.

use oxalchemy::prelude::*;

#[tokio::main]
async fn main() -> oxalchemy::Result<()> {
    let engine = create_engine("sqlite://")?;

    // A schema written by hand, as another tool or a migration would leave it.
    let mut conn = engine.connect().await?;
    for ddl in [
        "CREATE TABLE rf_authors (
            id INTEGER PRIMARY KEY,
            name VARCHAR(60) NOT NULL,
            born DATE,
            CONSTRAINT uq_rf_authors_name UNIQUE (name)
        )",
        "CREATE TABLE rf_books (
            id INTEGER PRIMARY KEY,
            author_id INTEGER NOT NULL,
            title VARCHAR(200) NOT NULL,
            pages INTEGER DEFAULT 0 CHECK (pages >= 0),
            CONSTRAINT fk_rf_books_author FOREIGN KEY (author_id)
                REFERENCES rf_authors (id) ON DELETE CASCADE
        )",
        "CREATE INDEX ix_rf_books_title ON rf_books (title)",
    ] {
        conn.execute(text(ddl)).await?;
    }
    conn.commit().await?;
    drop(conn);

    // inspect(): straight from the database's catalog.
    let insp = inspect(&engine).await?;
    println!("tables: {:?}", insp.table_names().await?);
    for col in insp.columns("rf_books").await? {
        println!(
            "  rf_books.{:<10} {:?} nullable={} default={:?}",
            col.name, col.sql_type, col.nullable, col.default
        );
    }

    // Table::autoload: an ordinary Table, with the tables its foreign keys reach.
    let metadata = MetaData::new();
    let books = Table::autoload("rf_books", &metadata, &engine).await?;
    let authors = metadata
        .get_table("rf_authors")
        .expect("pulled in by the foreign key");
    for fk in books.foreign_keys() {
        println!(
            "foreign key {:?} -> {}{:?} ON DELETE {:?}",
            fk.columns(),
            fk.target_table(),
            fk.target_columns(),
            fk.ondelete()
        );
    }
    println!(
        "indexes: {:?}",
        books.indexes().iter().map(|i| i.name()).collect::<Vec<_>>()
    );

    // Core statements on reflected tables; the join's ON clause comes from the reflected key.
    let mut conn = engine.connect().await?;
    conn.execute(insert(&authors).values([("name", "Ursula K. Le Guin")]))
        .await?;
    let author_id: i64 = conn
        .execute(select(authors.c("id")))
        .await?
        .one::<(i64,)>()?
        .0;
    conn.execute(insert(&books).values((("author_id", author_id), ("title", "The Dispossessed"))))
        .await?;
    let rows: Vec<(String, String, Option<i64>)> = conn
        .execute(
            select((authors.c("name"), books.c("title"), books.c("pages")))
                .join(&books)
                .order_by(books.c("title")),
        )
        .await?
        .all()?;
    for (name, title, pages) in rows {
        println!("{name}: {title} ({pages:?} pages, the reflected server default)");
    }
    conn.commit().await?;
    drop(conn);

    // The reflected MetaData can drop and recreate the same structure.
    metadata.drop_all(&engine).await?;
    metadata.create_all(&engine).await?;
    println!(
        "recreated: {:?}",
        inspect(&engine).await?.table_names().await?
    );
    metadata.drop_all(&engine).await?;
    Ok(())
}
