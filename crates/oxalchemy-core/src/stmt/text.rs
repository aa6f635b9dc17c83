//! `text(..)`: trusted SQL text with named binds (`:name`).

use crate::compiled::{Compiled, Executable};
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::expr::{AnyType, ExprLike, Node};
use crate::value::Value;
use std::sync::Arc;

/// Textual SQL with named bind parameters: `text("SELECT * FROM t WHERE y > :y").bind("y", 2)`.
///
/// Values are always bound, never interpolated. `:name` inside quotes or a
/// comment (`-- ..`, `/* .. */`) is left alone, `::` (a PostgreSQL cast) is not
/// a bind, and `\:` writes a literal colon.
///
/// ```
/// use oxalchemy_core::{text, Dialect};
/// let t = text("SELECT x FROM t WHERE y > :y AND z = :z").bind("y", 2).bind("z", "a");
/// assert_eq!(t.bind_names(), ["y", "z"]);
/// ```
#[derive(Debug, Clone)]
pub struct TextClause {
    sql: Arc<str>,
    binds: Vec<(String, Value)>,
}

/// Textual SQL (trusted text written by the programmer; bind user values with `.bind`).
pub fn text(sql: impl Into<Arc<str>>) -> TextClause {
    TextClause {
        sql: sql.into(),
        binds: Vec::new(),
    }
}

enum Piece<'a> {
    Sql(&'a str),
    Bind(&'a str),
}

/// Split SQL text into literal pieces and `:name` binds.
fn scan(sql: &str) -> Vec<Piece<'_>> {
    let bytes = sql.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'\'' | b'"' | b'`' => {
                quote = Some(b);
                i += 1;
            }
            // Comments are copied as they are: a quote or `:name` inside one is not SQL.
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            b'\\' if bytes.get(i + 1) == Some(&b':') => {
                pieces.push(Piece::Sql(&sql[start..i]));
                start = i + 1; // keep the colon, drop the backslash
                i += 2;
            }
            b':' if bytes.get(i + 1) == Some(&b':') => i += 2,
            b':' if bytes
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                && (i == 0 || bytes[i - 1] != b':') =>
            {
                let name_start = i + 1;
                let mut end = name_start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                pieces.push(Piece::Sql(&sql[start..i]));
                pieces.push(Piece::Bind(&sql[name_start..end]));
                start = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    pieces.push(Piece::Sql(&sql[start..]));
    pieces
}

impl TextClause {
    /// Bind a value to `:name` (replacing an earlier value for the same name).
    pub fn bind(mut self, name: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        match self.binds.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.binds.push((name.to_owned(), value)),
        }
        self
    }

    /// The SQL text as written.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The names of the binds the text uses, in order of first use.
    pub fn bind_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in scan(&self.sql) {
            if let Piece::Bind(n) = p
                && !names.contains(&n)
            {
                names.push(n);
            }
        }
        names
    }

    /// Write the text with dialect placeholders, pushing bound values in order.
    pub(crate) fn render(
        &self,
        dialect: &dyn Dialect,
        out: &mut String,
        params: &mut Vec<Value>,
    ) -> Result<()> {
        let pieces = scan(&self.sql);
        for piece in &pieces {
            match piece {
                Piece::Sql(s) => out.push_str(s),
                Piece::Bind(name) => {
                    let value = self
                        .binds
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| {
                            let supplied: Vec<&str> = self.binds.iter().map(|(n, _)| n.as_str()).collect();
                            Error::argument(format!(
                                "text() bind :{name} has no value; supply it with .bind({name:?}, value) (supplied: {})",
                                if supplied.is_empty() { "none".to_owned() } else { supplied.join(", ") }
                            ))
                        })?;
                    params.push(value);
                    dialect.write_placeholder(params.len(), out);
                }
            }
        }
        let used: Vec<&str> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Bind(n) => Some(*n),
                Piece::Sql(_) => None,
            })
            .collect();
        if let Some((unused, _)) = self.binds.iter().find(|(n, _)| !used.contains(&n.as_str())) {
            return Err(Error::argument(format!(
                "text() was given a value for :{unused}, but the SQL has no such bind (binds in the SQL: {})",
                if used.is_empty() {
                    "none".to_owned()
                } else {
                    used.join(", ")
                }
            )));
        }
        Ok(())
    }

    /// Compile for a dialect.
    pub fn try_compile(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        let mut out = String::with_capacity(self.sql.len() + 8);
        let mut params = Vec::with_capacity(self.binds.len());
        self.render(dialect, &mut out, &mut params)?;
        Ok(Compiled::new(out, params))
    }

    /// Compile; panics on a missing bind (see `try_compile`).
    pub fn compile(&self, dialect: &dyn Dialect) -> Compiled {
        self.try_compile(dialect).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Executable for TextClause {
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        self.try_compile(dialect)
    }
}

impl ExprLike for TextClause {
    type Type = AnyType;
    fn into_node(self) -> Node {
        Node::Text(self)
    }
}
