//! ORM events and global criteria: audit columns set by `BeforeInsert` /
//! `BeforeUpdate`, an audit row written by `AfterInsert` in the flush's
//! transaction, soft delete through `DoOrmExecute`, and a tenant filter per
//! session that also restricts bulk UPDATEs. Runs on in-memory SQLite by
//! default; pass a URL to run it elsewhere:
//! `cargo run --features postgres --example events -- postgresql://postgres@127.0.0.1:5432/test`.

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "ev_document")]
struct Document {
    #[mapped_column(primary_key)]
    id: i64,
    tenant_id: i64,
    #[mapped_column(length = 50)]
    title: String,
    /// Set by the listeners, never by the caller.
    created_at: Option<i64>,
    updated_at: Option<i64>,
    /// Soft delete: rows with a value are hidden from every ORM query.
    deleted_at: Option<i64>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "ev_audit_log")]
struct AuditLog {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 20)]
    action: String,
    document_id: i64,
}

/// A clock the example controls, so its output is the same on every run.
fn now() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static CLOCK: AtomicI64 = AtomicI64::new(1_000);
    CLOCK.fetch_add(1, Ordering::Relaxed)
}

#[tokio::main]
async fn main() -> oxalchemy::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://".to_owned());
    let engine = create_engine(&url)?;
    Base::metadata().drop_all(&engine).await?;
    Base::metadata().create_all(&engine).await?;

    // Audit columns: written by the INSERT or UPDATE itself.
    event::listens_for::<Document>(MapperEvent::BeforeInsert, |_ctx, doc: &mut Document| {
        let t = now();
        doc.created_at = Some(t);
        doc.updated_at = Some(t);
        Ok(())
    });
    event::listens_for::<Document>(MapperEvent::BeforeUpdate, |_ctx, doc: &mut Document| {
        doc.updated_at = Some(now());
        Ok(())
    });
    // An audit row, in the same transaction as the INSERT it records.
    event::listens_for::<Document>(MapperEvent::AfterInsert, |ctx, doc: &mut Document| {
        ctx.execute(insert(AuditLog::table()).values([
            ("action", Value::from("insert")),
            ("document_id", Value::from(doc.id)),
        ]))
    });
    // Soft delete for every session of this engine.
    event::listen_session(
        &engine,
        SessionEvent::DoOrmExecute,
        |ctx: &SessionContext| ctx.add_criteria::<Document>(Document::DELETED_AT.is_null()),
    );

    let mut session = Session::new(&engine);
    session.add_all([
        Document {
            id: 1,
            tenant_id: 1,
            title: "plan".into(),
            ..Default::default()
        },
        Document {
            id: 2,
            tenant_id: 1,
            title: "draft".into(),
            ..Default::default()
        },
        Document {
            id: 3,
            tenant_id: 2,
            title: "other tenant".into(),
            ..Default::default()
        },
    ]);
    session.commit().await?;
    let logs = session.scalars(select(AuditLog)).all().await?;
    println!("audit rows after the first commit: {}", logs.len());
    assert_eq!(logs.len(), 3);

    // An update: BeforeUpdate moves updated_at, created_at stays.
    let mut plan = session.get::<Document>(1).await?.expect("document 1");
    plan.title = "plan v2".into();
    session.add(plan);
    session.commit().await?;
    let plan = session.get::<Document>(1).await?.expect("document 1");
    println!(
        "{:?}: created {:?}, updated {:?}",
        plan.title, plan.created_at, plan.updated_at
    );
    assert!(plan.updated_at > plan.created_at);

    // Soft delete: the row stays, every ORM query stops seeing it.
    let mut draft = session.get::<Document>(2).await?.expect("document 2");
    draft.deleted_at = Some(now());
    session.add(draft);
    session.commit().await?;
    let visible = session
        .scalars(select(Document).order_by(Document::ID))
        .all()
        .await?;
    println!(
        "visible: {:?}",
        visible.iter().map(|d| d.id).collect::<Vec<_>>()
    );
    assert_eq!(visible.len(), 2);

    // A tenant filter for one session: queries and bulk UPDATEs see tenant 1 only.
    let mut tenant_one = Session::new(&engine);
    tenant_one.add_loader_criteria(with_loader_criteria::<Document>(Document::TENANT_ID.eq(1)));
    tenant_one
        .execute(update(Document::table()).set("title", "archived"))
        .await?;
    tenant_one.commit().await?;
    let mut admin = Session::new(&engine);
    let titles: Vec<String> = admin
        .scalars(select(Document).order_by(Document::ID))
        .all()
        .await?
        .into_iter()
        .map(|d| d.title)
        .collect();
    println!("titles after tenant 1's bulk update: {titles:?}");
    assert_eq!(titles, ["archived", "other tenant"]);
    Ok(())
}
