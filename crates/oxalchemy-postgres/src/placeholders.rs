//! Counting the `$n` placeholders of a statement.
//!
//! Parameters are declared when a statement is prepared (see `param_types`),
//! and PostgreSQL keeps every declared parameter, used or not: declaring one
//! type per value would let a surplus value through unnoticed. So no more
//! types are declared than the statement has placeholders, and the count check
//! against the server's parameter list still catches a wrong number of values.

/// The highest `$n` in `sql`, outside string literals, quoted identifiers,
/// dollar-quoted strings and comments (0 when there is none).
pub(crate) fn highest_placeholder(sql: &str) -> usize {
    let b = sql.as_bytes();
    let mut i = 0;
    let mut highest = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => i = skip_quoted(b, i, b'\'', escapes_backslash(b, i)),
            b'"' => i = skip_quoted(b, i, b'"', false),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p + 1);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => i = skip_block_comment(b, i),
            b'$' => {
                let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits > 0 && !continues_identifier(b, i) {
                    let n = sql[i + 1..i + 1 + digits].parse().unwrap_or(usize::MAX);
                    highest = highest.max(n);
                    i += 1 + digits;
                } else if let Some(end) = dollar_quote_end(b, i) {
                    i = end;
                } else {
                    i += 1;
                }
            }
            c if is_ident_char(c) => {
                // A whole word: a `$` inside it (`a$1`) is part of the name.
                i += 1;
                while i < b.len() && (is_ident_char(b[i]) || b[i] == b'$') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    highest
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// True when the `$` at `i` follows an identifier character (`a$1` is a name).
fn continues_identifier(b: &[u8], i: usize) -> bool {
    i > 0 && is_ident_char(b[i - 1])
}

/// `E'..'` strings take backslash escapes.
fn escapes_backslash(b: &[u8], quote: usize) -> bool {
    quote > 0 && matches!(b[quote - 1], b'E' | b'e') && (quote < 2 || !is_ident_char(b[quote - 2]))
}

/// The index after the literal opened at `start` (a doubled quote is part of it).
fn skip_quoted(b: &[u8], start: usize, quote: u8, backslash: bool) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        if backslash && b[i] == b'\\' {
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

/// The index after a `/* .. */` comment (they nest in PostgreSQL).
fn skip_block_comment(b: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// The index after a `$tag$ .. $tag$` string starting at `start`, if one starts there.
fn dollar_quote_end(b: &[u8], start: usize) -> Option<usize> {
    let tag_len = b[start + 1..]
        .iter()
        .position(|&c| c == b'$')
        .filter(|&n| {
            b[start + 1..start + 1 + n]
                .iter()
                .all(|&c| is_ident_char(c))
        })?;
    let tag = &b[start..start + tag_len + 2];
    let body = start + tag.len();
    let close = b[body..].windows(tag.len()).position(|w| w == tag)?;
    Some(body + close + tag.len())
}

#[cfg(test)]
mod tests {
    use super::highest_placeholder;

    #[test]
    fn counts_placeholders_in_code_only() {
        assert_eq!(highest_placeholder("SELECT 1"), 0);
        assert_eq!(highest_placeholder("SELECT $1 + $2"), 2);
        assert_eq!(highest_placeholder("SELECT $2, $1, $10"), 10);
        assert_eq!(highest_placeholder("SELECT '$3', \"$4\", $1"), 1);
        assert_eq!(highest_placeholder("SELECT 'it''s $5', $1"), 1);
        assert_eq!(highest_placeholder("SELECT E'\\' $5', $2"), 2);
        assert_eq!(highest_placeholder("SELECT $1 -- $7\n, $2"), 2);
        assert_eq!(highest_placeholder("SELECT /* $7 /* $8 */ */ $1"), 1);
        assert_eq!(
            highest_placeholder("SELECT $$ $9 $$, $tag$ $8 $tag$, $1"),
            1
        );
        assert_eq!(highest_placeholder("SELECT a$1 FROM t WHERE x = $1"), 1);
        assert_eq!(highest_placeholder("SELECT $1::int4"), 1);
    }
}
