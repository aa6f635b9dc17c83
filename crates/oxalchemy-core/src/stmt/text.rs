//! `text(..)`: trusted SQL text with named binds (`:name`).

use crate::compiled::{Compiled, Executable};
use crate::dialect::{AsDialect, Dialect};
use crate::error::{Error, Result};
use crate::expr::{AnyType, ExprLike, Node};
use crate::statement::StatementKind;
use crate::value::Value;
use std::sync::Arc;

/// Textual SQL with named bind parameters: `text("SELECT * FROM t WHERE y > :y").bind("y", 2)`.
///
/// Values are always bound, never interpolated. `:name` inside quotes or a
/// comment (`-- ..`, `/* .. */`) is left alone, `::` (a PostgreSQL cast) is not
/// a bind, and `\:` writes a literal colon. Names may use any letters
/// (`:größe`), digits and `_`. When compiled for a dialect, the scanner also
/// knows that dialect's quoting: PostgreSQL's dollar quotes (`$$ .. $$`,
/// `$tag$ .. $tag$`) and `E'..'` strings with backslash escapes, MySQL's
/// backslash escapes inside quotes and `#` comments.
///
/// ```
/// use oxalchemy_core::{text, Dialect};
/// let t = text("SELECT x FROM t WHERE y > :y AND z = :z").bind("y", 2).bind("z", "a");
/// assert_eq!(t.bind_names(), ["y", "z"]);
/// ```
#[derive(Debug, Clone)]
pub struct TextClause {
    sql: Arc<str>,
    /// Read once from the leading keyword, here where the text is built.
    kind: StatementKind,
    binds: Vec<(String, Value)>,
}

/// Textual SQL (trusted text written by the programmer; bind user values with `.bind`).
///
/// Takes any string form: `&str`, `String`, `&String`, `Arc<str>`, `Box<str>`, ...
///
/// The statement's [`StatementKind`] is read from its leading keyword once,
/// here (`text("PRAGMA ..")` is a [`StatementKind::Session`] statement,
/// `text("COMMIT")` transaction control that the driver runs as written).
pub fn text(sql: impl AsRef<str>) -> TextClause {
    let sql = sql.as_ref();
    TextClause {
        kind: StatementKind::of_sql(sql),
        sql: Arc::from(sql),
        binds: Vec::new(),
    }
}

enum Piece<'a> {
    Sql(&'a str),
    Bind(&'a str),
}

/// The quoting rules the bind scanner follows.
#[derive(Debug, Clone, Copy)]
struct Flavor {
    /// PostgreSQL: `$tag$ .. $tag$` and `E'..'` (backslash escapes inside).
    postgres: bool,
    /// MySQL: a backslash escapes the next character inside quotes; `#` starts a comment.
    mysql: bool,
}

impl Flavor {
    /// Without a dialect: PostgreSQL's dollar quotes and `E'..'` strings are
    /// recognised (they are not valid elsewhere), MySQL's rules are not.
    const GENERIC: Flavor = Flavor {
        postgres: true,
        mysql: false,
    };

    fn of(dialect: &dyn Dialect) -> Flavor {
        match dialect.name() {
            "postgresql" => Flavor {
                postgres: true,
                mysql: false,
            },
            "mysql" => Flavor {
                postgres: false,
                mysql: true,
            },
            _ => Flavor {
                postgres: false,
                mysql: false,
            },
        }
    }
}

/// A character of an identifier (or of a bind name / dollar-quote tag).
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The character ending just before byte `i`, if any.
fn char_before(sql: &str, i: usize) -> Option<char> {
    sql[..i].chars().next_back()
}

/// The end (exclusive) of a quoted string starting at `open` (the quote),
/// with `backslash` escapes or not; the text's end when it is not closed.
fn quoted_end(sql: &str, open: usize, backslash: bool) -> usize {
    let bytes = sql.as_bytes();
    let q = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if backslash => i += 2,
            b if b == q => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A PostgreSQL dollar-quote opening tag (`$$`, `$tag$`) at byte `i`: its length.
fn dollar_tag(sql: &str, i: usize) -> Option<usize> {
    if char_before(sql, i).is_some_and(|c| is_ident_char(c) || c == '$') {
        return None; // `a$b$` is an identifier
    }
    let rest = &sql[i + 1..];
    let close = rest.find('$')?;
    let tag = &rest[..close];
    let valid =
        tag.chars().all(is_ident_char) && !tag.chars().next().is_some_and(|c| c.is_ascii_digit());
    valid.then_some(close + 2)
}

/// Split SQL text into literal pieces and `:name` binds.
fn scan(sql: &str, flavor: Flavor) -> Vec<Piece<'_>> {
    let bytes = sql.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => i = quoted_end(sql, i, flavor.mysql),
            b'`' => i = quoted_end(sql, i, false),
            b'e' | b'E'
                if flavor.postgres
                    && bytes.get(i + 1) == Some(&b'\'')
                    && !char_before(sql, i).is_some_and(is_ident_char) =>
            {
                i = quoted_end(sql, i + 1, true);
            }
            b'$' if flavor.postgres && dollar_tag(sql, i).is_some() => {
                let tag_len = dollar_tag(sql, i).unwrap_or(1);
                let tag = &sql[i..i + tag_len];
                i = sql[i + tag_len..]
                    .find(tag)
                    .map_or(bytes.len(), |n| i + tag_len + n + tag_len);
            }
            // Comments are copied as they are: a quote or `:name` inside one is not SQL.
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'#' if flavor.mysql => {
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
            b':' if sql[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && (i == 0 || bytes[i - 1] != b':') =>
            {
                let name_start = i + 1;
                let end = sql[name_start..]
                    .char_indices()
                    .find(|(_, c)| !is_ident_char(*c))
                    .map_or(bytes.len(), |(n, _)| name_start + n);
                pieces.push(Piece::Sql(&sql[start..i]));
                pieces.push(Piece::Bind(&sql[name_start..end]));
                start = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    pieces.push(Piece::Sql(&sql[start.min(bytes.len())..]));
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

    /// What sort of statement the text is (from its leading keyword).
    pub fn kind(&self) -> StatementKind {
        self.kind
    }

    /// The names of the binds the text uses, in order of first use.
    pub fn bind_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in scan(&self.sql, Flavor::GENERIC) {
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
        let pieces = scan(&self.sql, Flavor::of(dialect));
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
    pub fn try_compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Result<Compiled> {
        let dialect = dialect.as_dialect();
        let mut out = String::with_capacity(self.sql.len() + 8);
        let mut params = Vec::with_capacity(self.binds.len());
        self.render(dialect, &mut out, &mut params)?;
        Ok(Compiled::with_kind(out, params, self.kind))
    }

    /// Compile; panics on a missing bind (see `try_compile`).
    pub fn compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Compiled {
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

#[cfg(test)]
mod tests {
    use super::{Flavor, Piece, scan};

    const PG: Flavor = Flavor {
        postgres: true,
        mysql: false,
    };
    const MYSQL: Flavor = Flavor {
        postgres: false,
        mysql: true,
    };
    const SQLITE: Flavor = Flavor {
        postgres: false,
        mysql: false,
    };

    fn binds(sql: &str, flavor: Flavor) -> Vec<&str> {
        scan(sql, flavor)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Bind(n) => Some(n),
                Piece::Sql(_) => None,
            })
            .collect()
    }

    /// The text put back together: nothing is lost or duplicated.
    fn rejoined(sql: &str, flavor: Flavor) -> String {
        scan(sql, flavor)
            .into_iter()
            .map(|p| match p {
                Piece::Sql(s) => s.to_owned(),
                Piece::Bind(n) => format!(":{n}"),
            })
            .collect()
    }

    #[test]
    fn dollar_quotes_hide_binds_on_postgres() {
        let sql = "SELECT $$ it's :x $$, $fn$ a $$ :y $fn$, :z";
        assert_eq!(binds(sql, PG), ["z"]);
        assert_eq!(rejoined(sql, PG), sql);
        // `$1` is a placeholder, not a tag; `a$b$` is an identifier.
        assert_eq!(binds("SELECT $1, :a", PG), ["a"]);
        assert_eq!(
            binds("SELECT a$b$ FROM t WHERE x = :x AND y = $b$", PG),
            ["x"]
        );
        // An unclosed dollar quote runs to the end.
        assert!(binds("SELECT $q$ :x", PG).is_empty());
    }

    #[test]
    fn e_strings_have_backslash_escapes_on_postgres() {
        assert_eq!(binds(r"SELECT E'it\'s :x', :y", PG), ["y"]);
        assert_eq!(binds(r"SELECT e'\\', :y", PG), ["y"]);
        // A standard string: the backslash is a character, the quote ends it.
        assert_eq!(binds(r"SELECT 'C:\', :y", PG), ["y"]);
        // `name'..'` is not an E string.
        assert_eq!(binds(r"SELECT type'x', :y", PG), ["y"]);
    }

    #[test]
    fn mysql_backslash_escapes_and_hash_comments() {
        assert_eq!(binds(r"SELECT 'it\'s :x', :y", MYSQL), ["y"]);
        assert_eq!(binds(r#"SELECT "a\" :x", :y"#, MYSQL), ["y"]);
        assert_eq!(binds("SELECT 1 # a comment's :x\n, :y", MYSQL), ["y"]);
        // `#` is an operator on PostgreSQL, not a comment.
        assert_eq!(binds("SELECT 1 # :x", PG), ["x"]);
        assert_eq!(binds("SELECT 1 # :x", SQLITE), ["x"]);
    }

    #[test]
    fn non_ascii_bind_names() {
        assert_eq!(
            binds("SELECT :größe, :名前, :_x1", SQLITE),
            ["größe", "名前", "_x1"]
        );
        let sql = "SELECT :größe+1, 'ö:ü'";
        assert_eq!(rejoined(sql, SQLITE), sql);
        assert_eq!(binds(sql, SQLITE), ["größe"]);
    }

    #[test]
    fn casts_comments_and_escaped_colons_still_work() {
        assert_eq!(binds("SELECT :a::int, x::text, '\\:q'", PG), ["a"]);
        assert_eq!(binds("SELECT \\:a -- :b\n/* :c */ :d", SQLITE), ["d"]);
    }
}
