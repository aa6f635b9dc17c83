//! MySQL / MariaDB catalog queries for reflection (`information_schema`),
//! behind core's [`Reflector`].
//!
//! Quirks handled here: `TINYINT(1)` is a boolean; MariaDB's JSON is
//! LONGTEXT with a `json_valid` CHECK, read back as `Json` without that
//! check; a UNIQUE KEY is a unique constraint, not an index; the index MySQL
//! adds by itself for a foreign key (over its columns, named after the
//! constraint, or after its first column when the constraint has no name
//! of its own in the DDL) is not listed; `DEFAULT NULL` is no default; RESTRICT (the
//! default referential action) is no action given, as NO ACTION elsewhere.

mod types;

use oxalchemy_core::reflection::catalog_row::{int, opt_text, text};
use oxalchemy_core::reflection::{
    PrimaryKeyConstraint, ReflectedColumn, ReflectedTable, Reflector, TableRef, strip_outer_parens,
};
use oxalchemy_core::{
    BoxFuture, CheckConstraint, Compiled, Error, ForeignKey, Index, Result, Row, SchemaConnection,
    SqlType, UniqueConstraint, Value,
};

/// The MySQL reflector (stateless).
#[derive(Debug)]
pub(crate) struct MysqlReflector;

/// The one instance `MysqlDialect::reflector` hands out.
pub(crate) static REFLECTOR: MysqlReflector = MysqlReflector;

async fn query(conn: &mut dyn SchemaConnection, sql: &str, params: Vec<Value>) -> Result<Vec<Row>> {
    Ok(conn.run(Compiled::new(sql, params)).await?.into_rows())
}

async fn names(
    conn: &mut dyn SchemaConnection,
    schema: Option<&str>,
    table_type: &str,
) -> Result<Vec<String>> {
    query(
        conn,
        "SELECT TABLE_NAME FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_TYPE = ? ORDER BY 1",
        vec![schema.map_or(Value::Null, Value::from), table_type.into()],
    )
    .await?
    .iter()
    .map(|r| text(r, 0))
    .collect()
}

/// RESTRICT and NO ACTION are MySQL's default: reported as no action given.
fn action(rule: String) -> Option<String> {
    (!matches!(rule.as_str(), "RESTRICT" | "NO ACTION")).then_some(rule)
}

impl Reflector for MysqlReflector {
    fn default_schema_name<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let rows = query(conn, "SELECT DATABASE()", vec![]).await?;
            rows.first().map(|r| text(r, 0)).unwrap_or_else(|| {
                Err(Error::invalid_request(
                    "the MySQL connection has no current database; put one in the URL",
                ))
            })
        })
    }

    fn schema_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(async move {
            let rows = query(
                conn,
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1",
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
        Box::pin(names(conn, schema, "BASE TABLE"))
    }

    fn view_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(names(conn, schema, "VIEW"))
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
        "SELECT TABLE_SCHEMA, TABLE_COMMENT, TABLE_TYPE FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?",
        vec![table.schema.map_or(Value::Null, Value::from), name.into()],
    )
    .await?;
    let Some(row) = rows.first() else {
        let tables = names(conn, table.schema, "BASE TABLE").await?;
        return Err(Error::argument(format!(
            "no such table {:?} in MySQL database {} (NoSuchTable); its tables are: {}",
            table.display(),
            table
                .schema
                .map_or("DATABASE()".to_owned(), |s| format!("{s:?}")),
            tables.join(", ")
        )));
    };
    let schema = text(row, 0)?;
    // A view's comment is the word VIEW: not a comment.
    let comment = opt_text(row, 1)?
        .filter(|c| !c.is_empty() && text(row, 2).map(|t| t != "VIEW").unwrap_or(true));
    let key = || vec![Value::from(schema.as_str()), Value::from(name)];

    // CHECK constraints first: MariaDB's JSON columns are known by theirs.
    let rows = query(
        conn,
        "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
         WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME",
        key(),
    )
    .await?;
    let mut checks: Vec<(String, String)> = Vec::with_capacity(rows.len());
    for r in &rows {
        checks.push((text(r, 0)?, text(r, 1)?));
    }

    let rows = query(
        conn,
        "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? \
         ORDER BY ORDINAL_POSITION",
        key(),
    )
    .await?;
    let mut columns = Vec::with_capacity(rows.len());
    for r in &rows {
        let col = text(r, 0)?;
        let column_type = text(r, 1)?;
        let extra = opt_text(r, 4)?.unwrap_or_default().to_ascii_lowercase();
        let json_check = format!("json_valid(`{col}`)");
        let mut sql_type = types::sql_type(&column_type, name, &col);
        if column_type.eq_ignore_ascii_case("longtext")
            && let Some(i) = checks.iter().position(|(_, c)| *c == json_check)
        {
            checks.remove(i);
            sql_type = SqlType::Json;
        }
        let default = opt_text(r, 3)?
            .filter(|d| d != "NULL" && !extra.contains("generated"))
            .map(|d| strip_outer_parens(&d).to_owned());
        columns.push(ReflectedColumn {
            name: col,
            sql_type,
            nullable: text(r, 2)? == "YES",
            default,
            autoincrement: extra.contains("auto_increment"),
            comment: opt_text(r, 5)?.filter(|c| !c.is_empty()),
        });
    }

    // Foreign keys.
    let rows = query(
        conn,
        "SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, \
                k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
          AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
        key(),
    )
    .await?;
    let mut foreign_keys: Vec<ForeignKey> = Vec::new();
    for r in &rows {
        let cname = text(r, 0)?;
        let (col, tcol) = (text(r, 1)?, text(r, 4)?);
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
        let tschema = text(r, 2)?;
        let target_schema = (tschema != schema).then_some(tschema.as_str());
        let mut fk = ForeignKey::new([col], target_schema, &text(r, 3)?, [tcol]).with_name(cname);
        if let Some(a) = action(text(r, 5)?) {
            fk = fk.with_ondelete(a);
        }
        if let Some(a) = action(text(r, 6)?) {
            fk = fk.with_onupdate(a);
        }
        foreign_keys.push(fk);
    }

    // Primary key, unique keys and indexes.
    let rows = query(
        conn,
        "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX",
        key(),
    )
    .await?;
    let mut keys: Vec<(String, bool, Vec<String>, bool)> = Vec::new();
    for r in &rows {
        let ix = text(r, 0)?;
        if keys.last().map(|k| &k.0) != Some(&ix) {
            keys.push((ix, int(r, 1)? == 0, Vec::new(), false));
        }
        let k = keys.last_mut().expect("pushed above");
        match opt_text(r, 2)? {
            Some(c) => k.2.push(c),
            None => k.3 = true,
        }
    }
    let mut primary_key = PrimaryKeyConstraint::default();
    let mut unique_constraints = Vec::new();
    let mut indexes = Vec::new();
    for (ix, unique, cols, functional) in keys {
        if functional {
            // MySQL 8's functional key parts: their text is not in STATISTICS here.
            tracing::warn!(
                table = name,
                index = ix.as_str(),
                "reflection: skipped functional index {ix} of {name}: its expression is not reflected on MySQL"
            );
            continue;
        }
        if ix == "PRIMARY" {
            primary_key.columns = cols;
        } else if unique {
            unique_constraints.push(UniqueConstraint::new(Some(&ix), cols));
        } else if foreign_keys
            .iter()
            .any(|fk| fk.columns() == cols.as_slice() && implicit_fk_index_name(fk, &ix))
        {
            // The index MySQL made for a foreign key: part of the constraint.
        } else {
            indexes.push(Index::new(&ix, cols, false));
        }
    }

    Ok(ReflectedTable {
        schema: table.schema.map(str::to_owned),
        name: name.to_owned(),
        columns,
        primary_key,
        foreign_keys,
        indexes,
        unique_constraints,
        check_constraints: checks
            .into_iter()
            .map(|(n, sql)| CheckConstraint::new(Some(&n), strip_outer_parens(&sql)))
            .collect(),
        comment,
    })
}

/// True when `index` is the name InnoDB gives the index it creates for
/// `fk`: the constraint's name, or (for `FOREIGN KEY (col) ..` without
/// `CONSTRAINT name`, as `create_all` writes them) the first column's name,
/// with `_2`, `_3`.. when that name was taken.
fn implicit_fk_index_name(fk: &ForeignKey, index: &str) -> bool {
    if fk.name() == Some(index) {
        return true;
    }
    let Some(first) = fk.columns().first() else {
        return false;
    };
    match index.strip_prefix(first.as_str()) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('_')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::implicit_fk_index_name;
    use oxalchemy_core::ForeignKey;

    #[test]
    fn the_names_innodb_gives_foreign_key_indexes() {
        let fk = ForeignKey::new(["user_id"], None, "users", ["id"]).with_name("payments_ibfk_1");
        assert!(implicit_fk_index_name(&fk, "payments_ibfk_1"));
        assert!(implicit_fk_index_name(&fk, "user_id"));
        assert!(implicit_fk_index_name(&fk, "user_id_2"));
        assert!(!implicit_fk_index_name(&fk, "user_id_x"));
        assert!(!implicit_fk_index_name(&fk, "ix_user"));
    }
}
