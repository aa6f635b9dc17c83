//! `rows_affected` as SQLAlchemy reports it, from what the server said.
//!
//! Connections do not set `CLIENT_FOUND_ROWS`, so the server's affected-rows
//! count is what changed; SQLAlchemy's counts (pymysql with
//! `CLIENT_FOUND_ROWS`) are rebuilt from it and from the OK packet's info text:
//!
//! - `UPDATE`: the rows matched, the first number of the info text
//!   (`Rows matched: 2  Changed: 0  Warnings: 0`), so optimistic-concurrency
//!   checks see a row set to the values it had.
//! - `INSERT .. ON DUPLICATE KEY UPDATE` that only sets columns to themselves
//!   (oxalchemy's `on_conflict_do_nothing`): the rows inserted, which is what
//!   the server counts without the flag (a skipped row counts 0), as
//!   PostgreSQL's and SQLite's `ON CONFLICT DO NOTHING` do. With the flag a
//!   skipped row would count 1, so 1 insert and 1 skip reported 2.
//! - any other `ON DUPLICATE KEY UPDATE`: 1 per inserted row, 2 per changed
//!   row, 1 per row left as it was (the flag's count): records + duplicates
//!   of the info text (`Records: 3  Duplicates: 1  Warnings: 0`), or, for one
//!   row (no info text), at least 1.
//!
//! The info text is localized (`lc_messages`); only its numbers are read, in order.

use crate::sql_scan::{Token, tokens};

/// What the statement reports, given the server's affected rows and info text.
pub(crate) fn rows_affected(sql: &str, affected: u64, info: &str) -> u64 {
    // Most statements are told apart by their first word, without lexing.
    let first = first_word(sql);
    let statement = if first.eq_ignore_ascii_case("with") {
        let toks = tokens(sql);
        main_keyword(&toks).unwrap_or_default()
    } else {
        first.to_ascii_lowercase()
    };
    match statement.as_str() {
        "update" => numbers(info).next().unwrap_or(affected),
        "insert" if contains_ignore_case(sql, "duplicate") => upsert(sql, affected, info),
        _ => affected,
    }
}

/// An INSERT with (maybe) `ON DUPLICATE KEY UPDATE`.
fn upsert(sql: &str, affected: u64, info: &str) -> u64 {
    let toks = tokens(sql);
    let Some(tail) = on_duplicate_key_update(&toks) else {
        return affected;
    };
    if only_self_assignments(tail, &insert_target(&toks)) {
        return affected;
    }
    let mut n = numbers(info);
    match (n.next(), n.next()) {
        (Some(records), Some(duplicates)) => records + duplicates,
        _ => affected.max(1),
    }
}

/// The first word of `sql` (after blanks and opening parentheses).
fn first_word(sql: &str) -> &str {
    let rest = sql.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    &rest[..end]
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The statement after a `WITH` clause: its first keyword outside parentheses.
fn main_keyword(toks: &[(usize, Token<'_>)]) -> Option<String> {
    let mut depth = 0usize;
    for (_, t) in toks.iter().skip(1) {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth = depth.saturating_sub(1),
            Token::Word(w) if depth == 0 => {
                let w = w.to_ascii_lowercase();
                if matches!(
                    w.as_str(),
                    "select" | "insert" | "update" | "delete" | "replace"
                ) {
                    return Some(w);
                }
            }
            _ => {}
        }
    }
    None
}

/// The numbers of the info text, in order.
fn numbers(info: &str) -> impl Iterator<Item = u64> + '_ {
    info.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
}

/// The tokens after a top-level `ON DUPLICATE KEY UPDATE`.
fn on_duplicate_key_update<'t, 'a>(
    toks: &'t [(usize, Token<'a>)],
) -> Option<&'t [(usize, Token<'a>)]> {
    let mut depth = 0usize;
    for (i, (_, t)) in toks.iter().enumerate() {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth = depth.saturating_sub(1),
            _ if depth == 0 && t.is_keyword("on") => {
                let words = ["duplicate", "key", "update"];
                let follows = words
                    .iter()
                    .enumerate()
                    .all(|(k, w)| toks.get(i + 1 + k).is_some_and(|(_, t)| t.is_keyword(w)));
                if follows {
                    return Some(&toks[i + 4..]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The name of the table after `INSERT [IGNORE] INTO` (its last part).
fn insert_target(toks: &[(usize, Token<'_>)]) -> String {
    let Some(into) = toks.iter().position(|(_, t)| t.is_keyword("into")) else {
        return String::new();
    };
    let mut name = String::new();
    let mut i = into + 1;
    while let Some(id) = toks.get(i).and_then(|(_, t)| t.ident()) {
        name = id.to_owned();
        if !matches!(toks.get(i + 1), Some((_, Token::Punct('.')))) {
            break;
        }
        i += 2;
    }
    name
}

/// True when the assignments are all `col = col` or `col = <target>.col`
/// (nothing changes: oxalchemy's spelling of "do nothing"), up to an
/// optional `RETURNING`.
fn only_self_assignments(tail: &[(usize, Token<'_>)], target: &str) -> bool {
    let end = tail
        .iter()
        .position(|(_, t)| t.is_keyword("returning"))
        .unwrap_or(tail.len());
    let tail = &tail[..end];
    !tail.is_empty()
        && tail
            .split(|(_, t)| *t == Token::Punct(','))
            .all(|assignment| {
                let t: Vec<&Token<'_>> = assignment.iter().map(|(_, t)| t).collect();
                let (lhs, rhs) = match t.as_slice() {
                    [lhs, Token::Punct('='), rhs] => (lhs.ident(), rhs.ident()),
                    [lhs, Token::Punct('='), table, Token::Punct('.'), rhs] => {
                        let same_table = table
                            .ident()
                            .is_some_and(|n| n.eq_ignore_ascii_case(target));
                        (lhs.ident(), rhs.ident().filter(|_| same_table))
                    }
                    _ => return false,
                };
                matches!((lhs, rhs), (Some(l), Some(r)) if l.eq_ignore_ascii_case(r))
            })
}

#[cfg(test)]
mod tests {
    use super::rows_affected;

    const DO_NOTHING: &str = "INSERT INTO `t` (`id`, `n`) VALUES (?, ?), (?, ?) \
                              ON DUPLICATE KEY UPDATE `id` = `t`.`id`";

    #[test]
    fn update_reports_matched_rows() {
        let info = "Rows matched: 2  Changed: 0  Warnings: 0";
        assert_eq!(rows_affected("UPDATE t SET n = n", 0, info), 2);
        assert_eq!(rows_affected("update t set n = 1", 1, ""), 1);
        let with = "WITH x AS (SELECT 1 AS n) UPDATE t JOIN x SET t.n = x.n";
        assert_eq!(rows_affected(with, 0, info), 2);
        let select = "WITH x AS (SELECT 1) SELECT * FROM x";
        assert_eq!(rows_affected(select, 1, "Rows matched: 5"), 1);
    }

    #[test]
    fn do_nothing_reports_inserted_rows() {
        let info = "Records: 2  Duplicates: 0  Warnings: 0";
        assert_eq!(rows_affected(DO_NOTHING, 1, info), 1);
        assert_eq!(rows_affected(DO_NOTHING, 0, ""), 0);
        let qualified = "INSERT INTO s.t (id) VALUES (?) ON DUPLICATE KEY UPDATE id = t.id";
        assert_eq!(rows_affected(qualified, 0, ""), 0);
        let returning =
            "INSERT INTO t (id) VALUES (?) ON DUPLICATE KEY UPDATE id = id RETURNING id";
        assert_eq!(rows_affected(returning, 0, ""), 0);
    }

    #[test]
    fn other_upserts_count_found_rows() {
        // 1 inserted, 1 changed (2), 1 unchanged: 4, as with CLIENT_FOUND_ROWS.
        let update = "INSERT INTO t (id, n) VALUES (?, ?), (?, ?), (?, ?) \
                      ON DUPLICATE KEY UPDATE n = VALUES(n)";
        assert_eq!(
            rows_affected(update, 3, "Records: 3  Duplicates: 1  Warnings: 0"),
            4
        );
        let one = "INSERT INTO t (id, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = ?";
        assert_eq!(rows_affected(one, 0, ""), 1);
        assert_eq!(rows_affected(one, 2, ""), 2);
        // Not the target's column: a change.
        let select = "INSERT INTO t (id) SELECT id FROM x ON DUPLICATE KEY UPDATE id = x.id";
        assert_eq!(
            rows_affected(select, 0, "Records: 1  Duplicates: 0  Warnings: 0"),
            1
        );
    }

    #[test]
    fn other_statements_keep_the_count() {
        assert_eq!(rows_affected("DELETE FROM t", 3, ""), 3);
        assert_eq!(
            rows_affected(
                "INSERT INTO t (id) VALUES (?), (?)",
                2,
                "Records: 2  Duplicates: 0  Warnings: 0"
            ),
            2
        );
        let quoted = "INSERT INTO t (s) VALUES ('ON DUPLICATE KEY UPDATE id = id')";
        assert_eq!(rows_affected(quoted, 1, ""), 1);
    }
}
