//! Light scanning of SQL text: the leading keyword and transaction-control statements.

/// A transaction-control statement, recognised so BEGIN can be deferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxControl {
    /// `BEGIN`, `BEGIN TRANSACTION`, `BEGIN DEFERRED [TRANSACTION]`.
    DeferredBegin,
    /// `COMMIT`, `END` (optionally followed by `TRANSACTION`).
    Commit,
    /// A whole-transaction `ROLLBACK [TRANSACTION]` (not `ROLLBACK TO ..`).
    Rollback,
    /// `SAVEPOINT name`.
    Savepoint,
}

/// Skip leading whitespace and comments.
fn skip_trivia(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = t.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return t;
        }
    }
}

/// The first keyword of a statement, upper-cased (`"INSERT"`, `"WITH"`, ...).
pub(crate) fn first_keyword(sql: &str) -> String {
    skip_trivia(sql)
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// True for statements that must not run inside a transaction, whose effect
/// is lost there (`PRAGMA foreign_keys` is a no-op inside one), or that open
/// one themselves (`BEGIN IMMEDIATE`): these never start the deferred transaction.
pub(crate) fn runs_outside_transaction(sql: &str) -> bool {
    matches!(
        first_keyword(sql).as_str(),
        "PRAGMA" | "VACUUM" | "ATTACH" | "DETACH" | "BEGIN"
    )
}

/// True when the statement inserts rows (so `last_insert_rowid` is its key).
pub(crate) fn is_insert(sql: &str) -> bool {
    matches!(first_keyword(sql).as_str(), "INSERT" | "REPLACE")
}

/// Recognise a single transaction-control statement.
pub(crate) fn tx_control(sql: &str) -> Option<TxControl> {
    let body = skip_trivia(sql).trim_end();
    let body = body.strip_suffix(';').unwrap_or(body);
    let words: Vec<String> = body
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["BEGIN"]
        | ["BEGIN", "TRANSACTION"]
        | ["BEGIN", "DEFERRED"]
        | ["BEGIN", "DEFERRED", "TRANSACTION"] => Some(TxControl::DeferredBegin),
        ["COMMIT"] | ["COMMIT", "TRANSACTION"] | ["END"] | ["END", "TRANSACTION"] => {
            Some(TxControl::Commit)
        }
        ["ROLLBACK"] | ["ROLLBACK", "TRANSACTION"] => Some(TxControl::Rollback),
        ["SAVEPOINT", _] => Some(TxControl::Savepoint),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords() {
        assert_eq!(first_keyword("  -- hi\n /* x */ insert into t"), "INSERT");
        assert!(is_insert("REPLACE INTO t VALUES (1)"));
        assert!(!is_insert("UPDATE t SET x = 1"));
        assert!(runs_outside_transaction("pragma foreign_keys = off"));
    }

    #[test]
    fn transaction_control() {
        assert_eq!(tx_control("BEGIN"), Some(TxControl::DeferredBegin));
        assert_eq!(
            tx_control("begin deferred transaction;"),
            Some(TxControl::DeferredBegin)
        );
        assert_eq!(tx_control("BEGIN IMMEDIATE"), None);
        assert_eq!(tx_control("COMMIT"), Some(TxControl::Commit));
        assert_eq!(tx_control("ROLLBACK"), Some(TxControl::Rollback));
        assert_eq!(tx_control("ROLLBACK TO SAVEPOINT sp1"), None);
        assert_eq!(tx_control("SAVEPOINT sp_1"), Some(TxControl::Savepoint));
        assert_eq!(tx_control("RELEASE SAVEPOINT sp_1"), None);
        assert_eq!(tx_control("SELECT 1"), None);
    }
}
