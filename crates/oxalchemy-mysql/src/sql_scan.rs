//! A small MySQL lexer: the tokens of a statement outside string literals and
//! comments, enough to find the `?` placeholders and to read the shape of an
//! `INSERT .. ON DUPLICATE KEY UPDATE` (see `decimal_params` and `affected_rows`).
//!
//! String literals take backslash escapes (the session's default `sql_mode`;
//! oxalchemy binds values, so literals only come from DDL and `text()`).

/// One token and where it starts in the SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// An unquoted word: keyword, identifier or number.
    Word(&'a str),
    /// A `` `quoted` `` identifier, unescaped.
    Quoted(String),
    /// A `?` placeholder.
    Placeholder,
    /// A string literal (its text is not needed).
    Str,
    /// Any other character (`=`, `,`, `.`, `(`, ..).
    Punct(char),
}

impl Token<'_> {
    /// The identifier this token names, if it is one (quoted or not).
    pub(crate) fn ident(&self) -> Option<&str> {
        match self {
            Token::Word(w) => Some(w),
            Token::Quoted(q) => Some(q),
            _ => None,
        }
    }

    /// True for the unquoted keyword `kw` (any case).
    pub(crate) fn is_keyword(&self, kw: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// The tokens of `sql` with their byte offsets.
pub(crate) fn tokens(sql: &str) -> Vec<(usize, Token<'_>)> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b'\'' | b'"' => {
                i = skip_string(b, i);
                out.push((start, Token::Str));
            }
            b'`' => {
                let mut name = Vec::new();
                i += 1;
                while i < b.len() {
                    if b[i] == b'`' {
                        if b.get(i + 1) == Some(&b'`') {
                            name.push(b'`');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    name.push(b[i]);
                    i += 1;
                }
                out.push((
                    start,
                    Token::Quoted(String::from_utf8_lossy(&name).into_owned()),
                ));
            }
            b'#' => i = line_end(b, i),
            b'-' if b.get(i + 1) == Some(&b'-')
                && b.get(i + 2).is_none_or(|c| c.is_ascii_whitespace()) =>
            {
                i = line_end(b, i);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = b[i + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(b.len(), |p| i + 2 + p + 2);
            }
            b'?' => {
                i += 1;
                out.push((start, Token::Placeholder));
            }
            c if c.is_ascii_whitespace() => i += 1,
            c if is_word_byte(c) => {
                while i < b.len() && is_word_byte(b[i]) {
                    i += 1;
                }
                out.push((start, Token::Word(&sql[start..i])));
            }
            _ => {
                let ch = sql[i..].chars().next().unwrap_or('\u{0}');
                i += ch.len_utf8();
                out.push((start, Token::Punct(ch)));
            }
        }
    }
    out
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p + 1)
}

/// The index after the string literal opened at `start`.
fn skip_string(b: &[u8], start: usize) -> usize {
    let quote = b[start];
    let mut i = start + 1;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
        } else if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_literals_and_comments() {
        let sql = "SELECT '?', \"a\\\"?\", `?x`, ? -- ?\n, ? # ?\n /* ? */ + ?";
        let at: Vec<usize> = tokens(sql)
            .into_iter()
            .filter(|(_, t)| *t == Token::Placeholder)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(at.len(), 3, "{at:?}");
        assert!(at.iter().all(|&i| &sql[i..=i] == "?"));
    }

    #[test]
    fn words_quoted_identifiers_and_punctuation() {
        let toks: Vec<Token<'_>> = tokens("UPDATE `a``b` = t.x, 5")
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            toks,
            [
                Token::Word("UPDATE"),
                Token::Quoted("a`b".into()),
                Token::Punct('='),
                Token::Word("t"),
                Token::Punct('.'),
                Token::Word("x"),
                Token::Punct(','),
                Token::Word("5"),
            ]
        );
        assert!(toks[0].is_keyword("update"));
        assert_eq!(toks[1].ident(), Some("a`b"));
    }
}
