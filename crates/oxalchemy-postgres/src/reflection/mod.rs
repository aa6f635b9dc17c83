//! PostgreSQL's catalog queries for reflection (`pg_catalog`), behind core's
//! [`Reflector`].
//!
//! PostgreSQL quirks handled here: a serial column's `nextval(..)` default
//! is reported as autoincrement, not as a server default; identity columns
//! are autoincrement; the indexes behind PRIMARY KEY / UNIQUE / EXCLUDE
//! constraints are not listed as indexes; native enums keep their type name
//! and labels.

mod types;

use oxalchemy_core::reflection::catalog_row::{int, opt_text, text};
use oxalchemy_core::reflection::{
    PrimaryKeyConstraint, ReflectedColumn, ReflectedTable, Reflector, TableRef, strip_outer_parens,
};
use oxalchemy_core::{
    BoxFuture, CheckConstraint, Compiled, Error, ForeignKey, Index, Result, Row, SchemaConnection,
    SqlType, UniqueConstraint, Value,
};

/// The PostgreSQL reflector (stateless).
#[derive(Debug)]
pub(crate) struct PostgresReflector;

/// The one instance `PostgresDialect::reflector` hands out.
pub(crate) static REFLECTOR: PostgresReflector = PostgresReflector;

/// The schema parameter: the given one, or `current_schema()` when `None`.
const SCHEMA: &str = "COALESCE($1::text, current_schema()::text)";

async fn query(
    conn: &mut dyn SchemaConnection,
    sql: String,
    params: Vec<Value>,
) -> Result<Vec<Row>> {
    Ok(conn.run(Compiled::new(sql, params)).await?.into_rows())
}

fn schema_param(schema: Option<&str>) -> Value {
    schema.map_or(Value::Null, Value::from)
}

async fn relation_names(
    conn: &mut dyn SchemaConnection,
    schema: Option<&str>,
    kinds: &str,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT c.relname::text FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = {SCHEMA} AND c.relkind IN ({kinds}) ORDER BY 1"
    );
    query(conn, sql, vec![schema_param(schema)])
        .await?
        .iter()
        .map(|r| text(r, 0))
        .collect()
}

/// A referential action code of `pg_constraint` (`a` = NO ACTION, the default: `None`).
fn action(code: &str) -> Option<String> {
    match code {
        "r" => Some("RESTRICT".into()),
        "c" => Some("CASCADE".into()),
        "n" => Some("SET NULL".into()),
        "d" => Some("SET DEFAULT".into()),
        _ => None,
    }
}

impl Reflector for PostgresReflector {
    fn default_schema_name<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let rows = query(conn, "SELECT current_schema()::text".into(), vec![]).await?;
            rows.first()
                .map(|r| text(r, 0))
                .unwrap_or_else(|| Ok("public".into()))
        })
    }

    fn schema_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(async move {
            let rows = query(
                conn,
                "SELECT nspname::text FROM pg_catalog.pg_namespace \
                 WHERE nspname NOT LIKE 'pg~_%' ESCAPE '~' AND nspname <> 'information_schema' ORDER BY 1"
                    .into(),
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
        Box::pin(relation_names(conn, schema, "'r', 'p'"))
    }

    fn view_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(relation_names(conn, schema, "'v', 'm'"))
    }

    fn reflect_table<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        table: TableRef<'a>,
    ) -> BoxFuture<'a, Result<ReflectedTable>> {
        Box::pin(reflect_table(conn, table))
    }
}

async fn reflect_table(
    conn: &mut dyn SchemaConnection,
    table: TableRef<'_>,
) -> Result<ReflectedTable> {
    let name = table.name;
    let rows = query(
        conn,
        format!(
            "SELECT c.oid::int8, n.nspname::text, obj_description(c.oid, 'pg_class') \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname::text = {SCHEMA} AND c.relname::text = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        ),
        vec![schema_param(table.schema), name.into()],
    )
    .await?;
    let Some(row) = rows.first() else {
        let tables = relation_names(conn, table.schema, "'r', 'p'").await?;
        return Err(Error::argument(format!(
            "no such table {:?} in PostgreSQL schema {} (NoSuchTable); its tables are: {}",
            table.display(),
            table
                .schema
                .map_or("current_schema()".to_owned(), |s| format!("{s:?}")),
            tables.join(", ")
        )));
    };
    let oid = Value::Int(int(row, 0)?);
    let own_schema = text(row, 1)?;
    let comment = opt_text(row, 2)?;

    // Columns.
    let rows = query(
        conn,
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, \
                col_description(a.attrelid, a.attnum), t.typtype::text, t.typname::text, \
                a.atttypid::int8, a.attgenerated::text \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY a.attnum"
            .into(),
        vec![oid.clone()],
    )
    .await?;
    let mut columns = Vec::with_capacity(rows.len());
    for r in &rows {
        let col = text(r, 0)?;
        let formatted = text(r, 1)?;
        let sql_type = if text(r, 6)? == "e" {
            let labels = query(
                conn,
                "SELECT enumlabel::text FROM pg_catalog.pg_enum WHERE enumtypid = $1::int8::oid ORDER BY enumsortorder"
                    .into(),
                vec![Value::Int(int(r, 8)?)],
            )
            .await?;
            SqlType::Enum {
                name: text(r, 7)?,
                variants: labels.iter().map(|l| text(l, 0)).collect::<Result<_>>()?,
                native: true,
            }
        } else {
            types::sql_type(&formatted, name, &col)
        };
        let mut default = opt_text(r, 3)?;
        let identity = !opt_text(r, 4)?.unwrap_or_default().is_empty();
        // A serial column: its default draws from its own sequence.
        let serial = default
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval(") && d.ends_with("::regclass)"));
        if serial || !opt_text(r, 9)?.unwrap_or_default().is_empty() {
            // Serial sequences and generated-column expressions are not server defaults.
            default = None;
        }
        columns.push(ReflectedColumn {
            name: col,
            sql_type,
            nullable: !matches!(r.get_value(2)?, Value::Bool(true)),
            default,
            autoincrement: identity || serial,
            comment: opt_text(r, 5)?,
        });
    }

    // Primary key and unique constraints, columns in key order.
    let rows = query(
        conn,
        "SELECT con.contype::text, con.conname::text, a.attname::text \
         FROM pg_catalog.pg_constraint con \
         CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum \
         WHERE con.conrelid = $1::int8::oid AND con.contype IN ('p', 'u') \
         ORDER BY con.conname, k.ord"
            .into(),
        vec![oid.clone()],
    )
    .await?;
    let mut primary_key = PrimaryKeyConstraint::default();
    let mut uniques: Vec<(String, Vec<String>)> = Vec::new();
    for r in &rows {
        let (kind, cname, col) = (text(r, 0)?, text(r, 1)?, text(r, 2)?);
        if kind == "p" {
            primary_key.name = Some(cname);
            primary_key.columns.push(col);
        } else {
            match uniques.last_mut() {
                Some((n, cols)) if *n == cname => cols.push(col),
                _ => uniques.push((cname, vec![col])),
            }
        }
    }

    // Foreign keys.
    let rows = query(
        conn,
        "SELECT con.conname::text, a.attname::text, fa.attname::text, fn.nspname::text, \
                fc.relname::text, con.confdeltype::text, con.confupdtype::text \
         FROM pg_catalog.pg_constraint con \
         CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord) \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum \
         JOIN pg_catalog.pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum \
         JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid \
         JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace \
         WHERE con.conrelid = $1::int8::oid AND con.contype = 'f' \
         ORDER BY con.conname, k.ord"
            .into(),
        vec![oid.clone()],
    )
    .await?;
    let mut foreign_keys: Vec<ForeignKey> = Vec::new();
    for r in &rows {
        let cname = text(r, 0)?;
        let (col, tcol) = (text(r, 1)?, text(r, 2)?);
        // Rows come grouped by constraint, columns in key order.
        if let Some(fk) = foreign_keys.last_mut()
            && fk.name() == Some(cname.as_str())
        {
            let (mut cols, mut tcols) = (fk.columns().to_vec(), fk.target_columns().to_vec());
            cols.push(col);
            tcols.push(tcol);
            let mut next = ForeignKey::new(cols, fk.target_schema(), fk.target_table(), tcols)
                .with_name(cname);
            if let Some(a) = fk.ondelete() {
                next = next.with_ondelete(a);
            }
            if let Some(a) = fk.onupdate() {
                next = next.with_onupdate(a);
            }
            *fk = next;
            continue;
        }
        let tschema = text(r, 3)?;
        let target_schema = (tschema != own_schema).then_some(tschema.as_str());
        let mut fk = ForeignKey::new([col], target_schema, &text(r, 4)?, [tcol]).with_name(cname);
        if let Some(a) = action(&text(r, 5)?) {
            fk = fk.with_ondelete(a);
        }
        if let Some(a) = action(&text(r, 6)?) {
            fk = fk.with_onupdate(a);
        }
        foreign_keys.push(fk);
    }

    // CHECK constraints.
    let rows = query(
        conn,
        "SELECT conname::text, pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint \
         WHERE conrelid = $1::int8::oid AND contype = 'c' ORDER BY conname"
            .into(),
        vec![oid.clone()],
    )
    .await?;
    let mut check_constraints = Vec::with_capacity(rows.len());
    for r in &rows {
        let def = text(r, 1)?;
        let def = def.strip_prefix("CHECK ").unwrap_or(&def);
        let def = def.strip_suffix(" NOT VALID").unwrap_or(def);
        check_constraints.push(CheckConstraint::new(
            Some(&text(r, 0)?),
            strip_outer_parens(def),
        ));
    }

    // Indexes not backing a constraint, elements in order (attnum 0 = an expression).
    let rows = query(
        conn,
        "SELECT ic.relname::text, ix.indisunique, k.attnum::int8, \
                pg_get_indexdef(ix.indexrelid, k.ord::int, true), a.attname::text \
         FROM pg_catalog.pg_index ix \
         JOIN pg_catalog.pg_class ic ON ic.oid = ix.indexrelid \
         CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum \
         WHERE ix.indrelid = $1::int8::oid AND k.ord <= ix.indnkeyatts \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
                           WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x')) \
         ORDER BY 1, k.ord"
            .into(),
        vec![oid],
    )
    .await?;
    let mut indexes: Vec<Index> = Vec::new();
    let mut elements: Vec<Vec<String>> = Vec::new();
    let mut has_expression: Vec<bool> = Vec::new();
    for r in &rows {
        let ix_name = text(r, 0)?;
        if indexes.last().map(Index::name) != Some(ix_name.as_str()) {
            let unique = matches!(r.get_value(1)?, Value::Bool(true));
            indexes.push(Index::new(&ix_name, Vec::<String>::new(), unique));
            elements.push(Vec::new());
            has_expression.push(false);
        }
        let i = indexes.len() - 1;
        elements[i].push(text(r, 3)?);
        match (int(r, 2)?, opt_text(r, 4)?) {
            (n, Some(col)) if n > 0 => {
                let mut cols = indexes[i].columns().to_vec();
                cols.push(col);
                indexes[i] = Index::new(&ix_name, cols, indexes[i].is_unique());
            }
            _ => has_expression[i] = true,
        }
    }
    let indexes = indexes
        .into_iter()
        .zip(elements)
        .zip(has_expression)
        .map(|((ix, els), expr)| if expr { ix.with_expressions(els) } else { ix })
        .collect();

    Ok(ReflectedTable {
        schema: table.schema.map(str::to_owned),
        name: name.to_owned(),
        columns,
        primary_key,
        foreign_keys,
        indexes,
        unique_constraints: uniques
            .into_iter()
            .map(|(n, cols)| UniqueConstraint::new(Some(&n), cols))
            .collect(),
        check_constraints,
        comment,
    })
}
