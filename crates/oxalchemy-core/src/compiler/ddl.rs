//! Writing CREATE TABLE.

use super::Compiler;
use crate::compiled::Compiled;
use crate::dialect::{CommentStyle, Dialect};
use crate::error::Result;
use crate::schema::{ColumnDef, ServerDefault, Table};
use crate::sql_type::SqlType;
use crate::stmt::CreateTable;

/// True when the column takes part in a key or index (MySQL needs a bounded type there).
fn is_keyed(table: &Table, col: &ColumnDef) -> bool {
    let name = col.name();
    col.is_primary_key()
        || col.is_unique()
        || col.is_indexed()
        || table
            .unique_constraints()
            .iter()
            .any(|u| u.columns().iter().any(|c| c == name))
        || table
            .indexes()
            .iter()
            .any(|i| i.columns().iter().any(|c| c == name))
        || table
            .foreign_keys()
            .iter()
            .any(|f| f.columns().iter().any(|c| c == name))
}

/// The named enum type a native `Enum` column is created with (PostgreSQL's
/// `CREATE TYPE .. AS ENUM`), or `None` where it is written as a type name
/// (MySQL's ENUM) or VARCHAR + CHECK.
pub(crate) fn named_enum_type<'t>(col: &'t ColumnDef, d: &dyn Dialect) -> Option<&'t str> {
    match col.sql_type() {
        SqlType::Enum {
            name, native: true, ..
        } if !name.is_empty() && d.has_enum_type_query(None, name).is_some() => Some(name),
        _ => None,
    }
}

/// `[schema.]name` of the named enum type `col` is created with (see
/// [`named_enum_type`]), quoted as needed: the column's type in DDL and
/// what its parameters are cast to where a statement types them.
pub(crate) fn named_enum_type_sql(
    table: &Table,
    col: &ColumnDef,
    d: &dyn Dialect,
) -> Option<String> {
    let name = named_enum_type(col, d)?;
    let mut ty = String::new();
    if let Some(s) = table.schema() {
        d.write_identifier(s, &mut ty);
        ty.push('.');
    }
    d.write_identifier(name, &mut ty);
    Some(ty)
}

/// `CREATE TYPE [schema.]name AS ENUM ('a', 'b')`.
pub(crate) fn create_enum_type(
    d: &dyn Dialect,
    schema: Option<&str>,
    name: &str,
    variants: &[String],
) -> Compiled {
    let mut sql = String::from("CREATE TYPE ");
    if let Some(s) = schema {
        d.write_identifier(s, &mut sql);
        sql.push('.');
    }
    d.write_identifier(name, &mut sql);
    sql.push_str(" AS ENUM (");
    for (i, v) in variants.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        d.write_string_literal(v, &mut sql);
    }
    sql.push(')');
    Compiled::with_kind(sql, Vec::new(), crate::statement::StatementKind::Ddl)
}

/// `DROP TYPE IF EXISTS [schema.]name`.
pub(crate) fn drop_enum_type(d: &dyn Dialect, schema: Option<&str>, name: &str) -> Compiled {
    let mut sql = String::from("DROP TYPE IF EXISTS ");
    if let Some(s) = schema {
        d.write_identifier(s, &mut sql);
        sql.push('.');
    }
    d.write_identifier(name, &mut sql);
    Compiled::with_kind(sql, Vec::new(), crate::statement::StatementKind::Ddl)
}

/// Compile CREATE TABLE with its column and table constraints.
pub(crate) fn compile_create_table(ct: &CreateTable, d: &dyn Dialect) -> Result<Compiled> {
    let table = &ct.table;
    let mut c = Compiler::new(d);
    c.push("CREATE TABLE ");
    if ct.if_not_exists {
        c.push("IF NOT EXISTS ");
    }
    c.table_name(table);
    c.push(" (\n");
    let autoinc = table
        .autoincrement_column()
        .map(|col| col.name().to_owned());
    let inline_pk = autoinc.is_some() && d.inline_autoincrement_primary_key();
    let mut first = true;
    let mut sep = |c: &mut Compiler<'_>| {
        if !first {
            c.push(",\n");
        }
        first = false;
        c.push("\t");
    };
    for col in table.columns() {
        sep(&mut c);
        c.ident(col.name());
        c.push(" ");
        let is_autoinc = autoinc.as_deref() == Some(col.name());
        let ty = if is_autoinc {
            d.autoincrement_column(col.sql_type())
        } else if d.inline_autoincrement_primary_key()
            && table.is_reflected()
            && col.autoincrement_setting() == Some(false)
            && *col.sql_type() == SqlType::Integer
            && table.primary_key() == [col.name()]
        {
            // SQLite: `INTEGER` + PRIMARY KEY would make the column the rowid
            // alias, which autoincrements; `INT` keeps a reflected ordinary key
            // ordinary. (A declared `autoincrement(false)` key stays INTEGER, as
            // SQLAlchemy writes it.)
            "INT".to_owned()
        } else if let Some(ty) = named_enum_type_sql(table, col, d) {
            ty
        } else {
            d.type_name(col.sql_type(), is_keyed(table, col))
        };
        c.push(&ty);
        if !col.is_nullable() {
            c.push(" NOT NULL");
        }
        if is_autoinc && inline_pk {
            c.push(" PRIMARY KEY");
        }
        if let Some(def) = col.server_default() {
            c.push(" DEFAULT ");
            match def {
                ServerDefault::Literal(s) => d.write_string_literal(s, &mut c.sql),
                ServerDefault::Sql(s) => {
                    c.push("(");
                    c.push(s);
                    c.push(")");
                }
            }
        }
        if let Some(text) = col.comment()
            && d.comment_style() == CommentStyle::Inline
        {
            c.push(" COMMENT ");
            d.write_string_literal(text, &mut c.sql);
        }
    }
    let pk = table.primary_key();
    if !pk.is_empty() && !inline_pk {
        sep(&mut c);
        if let Some(n) = table.primary_key_name() {
            c.push("CONSTRAINT ");
            c.ident(n);
            c.push(" ");
        }
        c.push("PRIMARY KEY (");
        for (i, k) in pk.iter().enumerate() {
            if i > 0 {
                c.push(", ");
            }
            c.ident(k);
        }
        c.push(")");
    }
    for u in table.unique_constraints() {
        sep(&mut c);
        if let Some(n) = u.name() {
            c.push("CONSTRAINT ");
            c.ident(n);
            c.push(" ");
        }
        c.push("UNIQUE (");
        for (i, k) in u.columns().iter().enumerate() {
            if i > 0 {
                c.push(", ");
            }
            c.ident(k);
        }
        c.push(")");
    }
    for fk in table.foreign_keys() {
        sep(&mut c);
        if let Some(n) = fk.name() {
            c.push("CONSTRAINT ");
            c.ident(n);
            c.push(" ");
        }
        c.push("FOREIGN KEY(");
        for (i, k) in fk.columns().iter().enumerate() {
            if i > 0 {
                c.push(", ");
            }
            c.ident(k);
        }
        c.push(") REFERENCES ");
        if let Some(s) = fk.target_schema().or(table.schema()) {
            c.ident(s);
            c.push(".");
        }
        c.ident(fk.target_table());
        c.push(" (");
        for (i, k) in fk.target_columns().iter().enumerate() {
            if i > 0 {
                c.push(", ");
            }
            c.ident(k);
        }
        c.push(")");
        if let Some(a) = fk.ondelete() {
            c.push(" ON DELETE ");
            c.push(&referential_action(a)?);
        }
        if let Some(a) = fk.onupdate() {
            c.push(" ON UPDATE ");
            c.push(&referential_action(a)?);
        }
    }
    let mut enum_checks: Vec<String> = Vec::new();
    for col in table.columns() {
        if let SqlType::Enum { name, variants, .. } = col.sql_type()
            && !d.native_enum()
            && named_enum_type(col, d).is_none()
        {
            sep(&mut c);
            c.push("CONSTRAINT ");
            let mut ck = format!(
                "ck_{}_{}",
                table.name(),
                if name.is_empty() { col.name() } else { name }
            );
            // One enum type on several columns: constraint names must differ.
            if enum_checks.contains(&ck) {
                ck = format!("ck_{}_{}", table.name(), col.name());
            }
            c.ident(&ck);
            enum_checks.push(ck);
            c.push(" CHECK (");
            c.ident(col.name());
            c.push(" IN (");
            for (i, v) in variants.iter().enumerate() {
                if i > 0 {
                    c.push(", ");
                }
                d.write_string_literal(v, &mut c.sql);
            }
            c.push("))");
        }
    }
    for ck in table.check_constraints() {
        sep(&mut c);
        if let Some(n) = ck.name() {
            c.push("CONSTRAINT ");
            c.ident(n);
            c.push(" ");
        }
        c.push("CHECK (");
        c.push(ck.sql());
        c.push(")");
    }
    c.push("\n)");
    if let Some(text) = table.comment()
        && d.comment_style() == CommentStyle::Inline
    {
        c.push(" COMMENT ");
        d.write_string_literal(text, &mut c.sql);
    }
    Ok(c.finish(crate::statement::StatementKind::Ddl))
}

/// The `COMMENT ON ..` statements that follow CREATE TABLE where comments
/// are separate statements (PostgreSQL); none elsewhere.
pub(crate) fn comment_statements(table: &Table, d: &dyn Dialect) -> Vec<Compiled> {
    if d.comment_style() != CommentStyle::Statements {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut name = String::new();
    super::write_table_name(d, table, &mut name);
    let mut push = |target: String, text: &str| {
        let mut sql = format!("COMMENT ON {target} IS ");
        d.write_string_literal(text, &mut sql);
        out.push(Compiled::with_kind(
            sql,
            Vec::new(),
            crate::statement::StatementKind::Ddl,
        ));
    };
    if let Some(text) = table.comment() {
        push(format!("TABLE {name}"), text);
    }
    for col in table.columns() {
        if let Some(text) = col.comment() {
            let mut target = format!("COLUMN {name}.");
            d.write_identifier(col.name(), &mut target);
            push(target, text);
        }
    }
    out
}

/// Validate a referential action: only the SQL keywords are accepted, never free text.
fn referential_action(a: &str) -> Result<String> {
    let up = a.trim().to_ascii_uppercase();
    match up.as_str() {
        "CASCADE" | "SET NULL" | "SET DEFAULT" | "RESTRICT" | "NO ACTION" => Ok(up),
        _ => Err(crate::Error::argument(format!(
            "{a:?} is not a referential action; use CASCADE, SET NULL, SET DEFAULT, RESTRICT or NO ACTION"
        ))),
    }
}
