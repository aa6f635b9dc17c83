//! SQLite's catalog queries for reflection (`PRAGMA` table functions and
//! `sqlite_master`), behind core's [`Reflector`].
//!
//! SQLite quirks handled here: `INTEGER PRIMARY KEY` is the rowid alias
//! (autoincrement, NOT NULL); the `sqlite_autoindex_*` indexes behind
//! PRIMARY KEY and UNIQUE are constraints, not indexes; constraint names and
//! CHECK conditions are read from the CREATE TABLE text, which the pragmas
//! do not report; expression index elements from the CREATE INDEX text.

mod create_sql;
mod types;

use oxalchemy_core::reflection::catalog_row::{int, opt_text, text};
use oxalchemy_core::reflection::{
    PrimaryKeyConstraint, ReflectedColumn, ReflectedTable, Reflector, TableRef, strip_outer_parens,
};
use oxalchemy_core::{
    BoxFuture, CheckConstraint, Compiled, Error, ForeignKey, Index, Result, Row, SchemaConnection,
    UniqueConstraint, Value,
};

/// The SQLite reflector (stateless).
#[derive(Debug)]
pub(crate) struct SqliteReflector;

/// The one instance `SqliteDialect::reflector` hands out.
pub(crate) static REFLECTOR: SqliteReflector = SqliteReflector;

/// `"schema"`, quoted for `"schema".sqlite_master`.
fn quoted(schema: &str) -> String {
    format!("\"{}\"", schema.replace('"', "\"\""))
}

async fn query(
    conn: &mut dyn SchemaConnection,
    sql: String,
    params: Vec<Value>,
) -> Result<Vec<Row>> {
    Ok(conn.run(Compiled::new(sql, params)).await?.into_rows())
}

async fn names_of_type(
    conn: &mut dyn SchemaConnection,
    schema: Option<&str>,
    kind: &str,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT name FROM {}.sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite~_%' ESCAPE '~' ORDER BY name",
        quoted(schema.unwrap_or("main"))
    );
    query(conn, sql, vec![kind.into()])
        .await?
        .iter()
        .map(|r| text(r, 0))
        .collect()
}

/// "NO ACTION" is the default: reported as no action given, as on the other backends.
fn action(a: Option<String>) -> Option<String> {
    a.filter(|a| !a.eq_ignore_ascii_case("NO ACTION"))
}

impl Reflector for SqliteReflector {
    fn default_schema_name<'a>(
        &'a self,
        _conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async { Ok("main".to_owned()) })
    }

    fn schema_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(async move {
            let rows = query(
                conn,
                "SELECT name FROM pragma_database_list WHERE name <> 'temp' ORDER BY seq".into(),
                vec![],
            )
            .await?;
            rows.iter().map(|r| text(r, 0)).collect()
        })
    }

    fn table_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(names_of_type(conn, schema, "table"))
    }

    fn view_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(names_of_type(conn, schema, "view"))
    }

    fn reflect_table<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        table: TableRef<'a>,
    ) -> BoxFuture<'a, Result<ReflectedTable>> {
        Box::pin(reflect_table(conn, table))
    }
}

/// The rows of one foreign key of `pragma_foreign_key_list`.
struct FkRows {
    id: i64,
    target: String,
    cols: Vec<String>,
    to: Vec<Option<String>>,
    onupdate: Option<String>,
    ondelete: Option<String>,
}

async fn reflect_table(
    conn: &mut dyn SchemaConnection,
    table: TableRef<'_>,
) -> Result<ReflectedTable> {
    let schema = table.schema.unwrap_or("main");
    let name = table.name;
    let master = quoted(schema);
    let rows = query(
        conn,
        format!(
            "SELECT sql FROM {master}.sqlite_master WHERE type IN ('table', 'view') AND name = ?"
        ),
        vec![name.into()],
    )
    .await?;
    let Some(row) = rows.first() else {
        let tables = names_of_type(conn, table.schema, "table").await?;
        return Err(Error::argument(format!(
            "no such table {:?} in the SQLite database {schema:?} (NoSuchTable); its tables are: {}",
            table.display(),
            tables.join(", ")
        )));
    };
    let create_sql = opt_text(row, 0)?.unwrap_or_default();
    let parsed = create_sql::parse_create_table(&create_sql);

    // Columns.
    let rows = query(
        conn,
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?) ORDER BY cid".into(),
        vec![name.into(), schema.into()],
    )
    .await?;
    let mut columns = Vec::with_capacity(rows.len());
    let mut pk: Vec<(i64, String)> = Vec::new();
    let mut decl_types = Vec::new();
    for r in &rows {
        if int(r, 5)? == 1 {
            continue; // a virtual table's hidden column
        }
        let col = text(r, 0)?;
        let decl = opt_text(r, 1)?.unwrap_or_default();
        let pk_pos = int(r, 4)?;
        if pk_pos > 0 {
            pk.push((pk_pos, col.clone()));
        }
        columns.push(ReflectedColumn {
            sql_type: types::sql_type(&decl, name, &col),
            // A primary-key column is NOT NULL on the other backends; SQLite
            // reports it nullable unless declared otherwise.
            nullable: int(r, 2)? == 0 && pk_pos == 0,
            default: opt_text(r, 3)?.map(|d| strip_outer_parens(&d).to_owned()),
            autoincrement: false,
            comment: None,
            name: col,
        });
        decl_types.push(decl);
    }
    pk.sort();
    let pk_columns: Vec<String> = pk.into_iter().map(|(_, c)| c).collect();
    // `INTEGER PRIMARY KEY` (exactly that type name) is the rowid alias,
    // unless the table has no rowid.
    if let [only] = pk_columns.as_slice()
        && !parsed.without_rowid
        && let Some(i) = columns.iter().position(|c| &c.name == only)
        && decl_types[i].trim().eq_ignore_ascii_case("INTEGER")
    {
        columns[i].autoincrement = true;
    }

    // Foreign keys, named from the CREATE text by their columns.
    let rows = query(
        conn,
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq".into(),
        vec![name.into(), schema.into()],
    )
    .await?;
    let mut groups: Vec<FkRows> = Vec::new();
    for r in &rows {
        let id = int(r, 0)?;
        if groups.last().map(|g| g.id) != Some(id) {
            groups.push(FkRows {
                id,
                target: text(r, 1)?,
                cols: vec![],
                to: vec![],
                onupdate: opt_text(r, 4)?,
                ondelete: opt_text(r, 5)?,
            });
        }
        let g = groups.last_mut().expect("pushed above");
        g.cols.push(text(r, 2)?);
        g.to.push(opt_text(r, 3)?);
    }
    let mut fk_names = parsed.fks.clone();
    let mut foreign_keys = Vec::with_capacity(groups.len());
    // The pragma lists foreign keys last-declared first.
    for FkRows {
        target,
        cols,
        to,
        onupdate,
        ondelete,
        ..
    } in groups.into_iter().rev()
    {
        let target_cols: Vec<String> = if to.iter().all(Option::is_some) {
            to.into_iter().flatten().collect()
        } else {
            // `REFERENCES t` without columns: the target's primary key.
            let rows = query(
                conn,
                "SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 ORDER BY pk".into(),
                vec![target.clone().into(), schema.into()],
            )
            .await?;
            rows.iter().map(|r| text(r, 0)).collect::<Result<_>>()?
        };
        let mut fk = ForeignKey::new(cols.clone(), None, &target, target_cols);
        if let Some(i) = fk_names.iter().position(|(_, c)| *c == cols)
            && let (Some(n), _) = fk_names.remove(i)
        {
            fk = fk.with_name(n);
        }
        if let Some(a) = action(ondelete) {
            fk = fk.with_ondelete(a);
        }
        if let Some(a) = action(onupdate) {
            fk = fk.with_onupdate(a);
        }
        foreign_keys.push(fk);
    }

    // Indexes and unique constraints.
    let rows = query(
        conn,
        "SELECT name, \"unique\", origin FROM pragma_index_list(?, ?) ORDER BY seq".into(),
        vec![name.into(), schema.into()],
    )
    .await?;
    let mut unique_names = parsed.uniques.clone();
    let mut indexes = Vec::new();
    let mut unique_constraints = Vec::new();
    for r in &rows {
        let ix_name = text(r, 0)?;
        let unique = int(r, 1)? != 0;
        let origin = text(r, 2)?;
        if origin == "pk" {
            continue;
        }
        let cols = query(
            conn,
            "SELECT cid, name FROM pragma_index_xinfo(?, ?) WHERE key = 1 ORDER BY seqno".into(),
            vec![ix_name.clone().into(), schema.into()],
        )
        .await?;
        let mut names = Vec::new();
        let mut has_expression = false;
        for c in &cols {
            match opt_text(c, 1)? {
                Some(n) if int(c, 0)? >= 0 => names.push(n),
                _ => has_expression = true,
            }
        }
        if origin == "u" {
            let cname = unique_names
                .iter()
                .position(|(_, c)| *c == names)
                .and_then(|i| unique_names.remove(i).0);
            unique_constraints.push(UniqueConstraint::new(cname.as_deref(), names));
            continue;
        }
        let mut index = Index::new(&ix_name, names, unique);
        if has_expression {
            let sql = query(
                conn,
                format!("SELECT sql FROM {master}.sqlite_master WHERE type = 'index' AND name = ?"),
                vec![ix_name.clone().into()],
            )
            .await?;
            let sql = sql.first().map(|r| opt_text(r, 0)).transpose()?.flatten();
            index = index.with_expressions(create_sql::index_elements(&sql.unwrap_or_default()));
        }
        indexes.push(index);
    }

    let check_constraints = parsed
        .checks
        .iter()
        .map(|(n, sql)| CheckConstraint::new(n.as_deref(), sql.clone()))
        .collect();
    Ok(ReflectedTable {
        schema: table.schema.map(str::to_owned),
        name: name.to_owned(),
        columns,
        primary_key: PrimaryKeyConstraint {
            name: parsed.pk_name,
            columns: pk_columns,
        },
        foreign_keys,
        indexes,
        unique_constraints,
        check_constraints,
        comment: None,
    })
}
