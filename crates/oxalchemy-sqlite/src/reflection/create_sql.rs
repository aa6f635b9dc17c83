//! Reading constraint names and CHECK conditions from a table's CREATE TABLE
//! text: SQLite's catalog pragmas do not report them (SQLAlchemy's SQLite
//! dialect reads the same text).

/// One lexical token of SQLite's CREATE text.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A bare word (keyword, identifier or number).
    Word(String),
    /// A quoted identifier, unquoted.
    Quoted(String),
    /// A string literal.
    Str,
    Open,
    Close,
    Comma,
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

impl Token {
    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
    fn ident(&self) -> Option<String> {
        match &self.tok {
            Tok::Word(w) | Tok::Quoted(w) => Some(w.clone()),
            _ => None,
        }
    }
}

fn tokenize(sql: &str) -> Vec<Token> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'(' => {
                i += 1;
                Tok::Open
            }
            b')' => {
                i += 1;
                Tok::Close
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b'\'' => {
                i = end_of_quoted(b, i, b'\'');
                Tok::Str
            }
            b'"' | b'`' => {
                i = end_of_quoted(b, i, c);
                let inner = &sql[start + 1..i.saturating_sub(1).max(start + 1)];
                let q = c as char;
                Tok::Quoted(inner.replace(&format!("{q}{q}"), &q.to_string()))
            }
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
                i += 1;
                Tok::Quoted(sql[start + 1..(i - 1).max(start + 1)].to_owned())
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'$'
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
                Tok::Word(sql[start..i].to_owned())
            }
            _ => {
                i += 1;
                Tok::Other
            }
        };
        out.push(Token {
            tok,
            start,
            end: i.min(b.len()),
        });
    }
    out
}

/// The index just past the closing quote of the quoted text starting at `i`.
fn end_of_quoted(b: &[u8], mut i: usize, q: u8) -> usize {
    i += 1;
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// The index of the token closing the parenthesis at `open`.
fn matching_close(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// The top-level comma-separated items inside the parentheses at `open`, as token ranges.
fn split_group(toks: &[Token], open: usize, close: usize) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = open + 1;
    for (j, t) in toks.iter().enumerate().take(close).skip(open + 1) {
        match t.tok {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            Tok::Comma if depth == 0 => {
                items.push((start, j));
                start = j + 1;
            }
            _ => {}
        }
    }
    if start < close {
        items.push((start, close));
    }
    items
}

/// Constraint names and CHECK conditions found in a CREATE TABLE statement.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct TableSql {
    /// The primary key constraint's name.
    pub pk_name: Option<String>,
    /// `(name, condition text)` of each CHECK, in order.
    pub checks: Vec<(Option<String>, String)>,
    /// `(name, columns)` of each UNIQUE constraint.
    pub uniques: Vec<(Option<String>, Vec<String>)>,
    /// `(name, columns)` of each foreign key.
    pub fks: Vec<(Option<String>, Vec<String>)>,
    /// True for a `WITHOUT ROWID` table (its INTEGER PRIMARY KEY is no rowid alias).
    pub without_rowid: bool,
}

fn idents_in(toks: &[Token], open: usize, close: usize) -> Vec<String> {
    split_group(toks, open, close)
        .into_iter()
        .filter_map(|(a, _)| toks[a].ident())
        .collect()
}

/// Read `sql` (a CREATE TABLE statement).
pub(crate) fn parse_create_table(sql: &str) -> TableSql {
    let toks = tokenize(sql);
    let mut out = TableSql::default();
    let Some(open) = toks.iter().position(|t| t.tok == Tok::Open) else {
        return out;
    };
    let Some(close) = matching_close(&toks, open) else {
        return out;
    };
    out.without_rowid = toks[close + 1..]
        .windows(2)
        .any(|w| w[0].is_kw("WITHOUT") && w[1].is_kw("ROWID"));
    for (a, b) in split_group(&toks, open, close) {
        let def = &toks[a..b];
        if def.is_empty() {
            continue;
        }
        let table_level = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|k| def[0].is_kw(k));
        let column = if table_level { None } else { def[0].ident() };
        let mut pending: Option<String> = None;
        let mut j = usize::from(!table_level);
        while j < def.len() {
            let t = &def[j];
            if t.is_kw("CONSTRAINT") {
                pending = def.get(j + 1).and_then(Token::ident);
                j += 2;
                continue;
            }
            let next_group = def[j + 1..]
                .iter()
                .position(|t| t.tok == Tok::Open)
                .map(|p| a + j + 1 + p);
            if t.is_kw("PRIMARY") {
                out.pk_name = pending.take().or(out.pk_name.take());
                if column.is_none()
                    && let Some(o) = next_group
                    && let Some(c) = matching_close(&toks, o)
                {
                    j = c - a + 1;
                    continue;
                }
            } else if t.is_kw("CHECK") {
                if let Some(o) = next_group
                    && let Some(c) = matching_close(&toks, o)
                {
                    let text = sql[toks[o].end..toks[c].start].trim().to_owned();
                    out.checks.push((pending.take(), text));
                    j = c - a + 1;
                    continue;
                }
            } else if t.is_kw("UNIQUE") {
                match &column {
                    Some(col) => out.uniques.push((pending.take(), vec![col.clone()])),
                    None => {
                        if let Some(o) = next_group
                            && let Some(c) = matching_close(&toks, o)
                        {
                            out.uniques.push((pending.take(), idents_in(&toks, o, c)));
                            j = c - a + 1;
                            continue;
                        }
                    }
                }
            } else if t.is_kw("FOREIGN") {
                if let Some(o) = next_group
                    && let Some(c) = matching_close(&toks, o)
                {
                    out.fks.push((pending.take(), idents_in(&toks, o, c)));
                    j = c - a + 1;
                    continue;
                }
            } else if t.is_kw("REFERENCES") {
                if let Some(col) = &column {
                    out.fks.push((pending.take(), vec![col.clone()]));
                }
            } else if t.tok == Tok::Open {
                // A type's arguments or a DEFAULT expression: nothing to read inside.
                if let Some(c) = matching_close(&toks, a + j) {
                    j = c - a + 1;
                    continue;
                }
            }
            j += 1;
        }
    }
    out
}

/// The elements of `CREATE INDEX .. ON t (e1, e2)` as SQL text.
pub(crate) fn index_elements(sql: &str) -> Vec<String> {
    let toks = tokenize(sql);
    let Some(on) = toks.iter().position(|t| t.is_kw("ON")) else {
        return Vec::new();
    };
    let Some(open) = toks[on..]
        .iter()
        .position(|t| t.tok == Tok::Open)
        .map(|p| on + p)
    else {
        return Vec::new();
    };
    let Some(close) = matching_close(&toks, open) else {
        return Vec::new();
    };
    split_group(&toks, open, close)
        .into_iter()
        .map(|(a, b)| sql[toks[a].start..toks[b - 1].end].to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_checks() {
        let t = parse_create_table(
            r#"CREATE TABLE "order" (
                id INTEGER NOT NULL CONSTRAINT pk_o PRIMARY KEY,
                qty INTEGER CHECK (qty > 0) DEFAULT (1),
                code VARCHAR(10) CONSTRAINT uq_code UNIQUE,
                user_id INTEGER REFERENCES users (id),
                a INT, b INT,
                CONSTRAINT ck_ab CHECK (a < b AND b IN (1, 2)),
                CONSTRAINT uq_ab UNIQUE (a, "b"),
                CONSTRAINT fk_ab FOREIGN KEY (a, b) REFERENCES other (x, y) ON DELETE CASCADE
            )"#,
        );
        assert_eq!(t.pk_name.as_deref(), Some("pk_o"));
        assert_eq!(
            t.checks,
            [
                (None, "qty > 0".to_owned()),
                (Some("ck_ab".to_owned()), "a < b AND b IN (1, 2)".to_owned())
            ]
        );
        assert_eq!(
            t.uniques,
            [
                (Some("uq_code".to_owned()), vec!["code".to_owned()]),
                (
                    Some("uq_ab".to_owned()),
                    vec!["a".to_owned(), "b".to_owned()]
                )
            ]
        );
        assert_eq!(
            t.fks,
            [
                (None, vec!["user_id".to_owned()]),
                (
                    Some("fk_ab".to_owned()),
                    vec!["a".to_owned(), "b".to_owned()]
                )
            ]
        );
    }

    #[test]
    fn sees_without_rowid() {
        assert!(
            parse_create_table("CREATE TABLE t (id INTEGER PRIMARY KEY) WITHOUT ROWID")
                .without_rowid
        );
        assert!(
            !parse_create_table("CREATE TABLE t (id INTEGER PRIMARY KEY, \"without rowid\" INT)")
                .without_rowid
        );
    }

    #[test]
    fn reads_index_elements() {
        assert_eq!(
            index_elements("CREATE INDEX ix ON t (lower(name), \"age\" DESC) WHERE x > 0"),
            ["lower(name)", "\"age\" DESC"]
        );
    }
}
