//! `Statement`: one statement as it reaches a driver (SQL, parameters, kind),
//! and `StatementKind`, what sort of statement it is.
//!
//! The kind is decided once, where the statement is built: the compiler
//! knows it from the statement it compiles (a `select()` is a query, an
//! `insert()` an insert, ..), `text()` and `exec_driver_sql` read it from the
//! leading keyword of the text ([`StatementKind::of_sql`]). Drivers act on the
//! kind instead of scanning the SQL again.

use crate::value::Value;
use std::sync::Arc;

/// What sort of statement a SQL text is, as far as a driver cares.
///
/// ```
/// use oxalchemy_core::StatementKind;
/// assert_eq!(StatementKind::of_sql("  -- hi\n (select 1) union (select 2)"), StatementKind::Query);
/// assert_eq!(StatementKind::of_sql("REPLACE INTO t VALUES (1)"), StatementKind::Insert);
/// assert_eq!(StatementKind::of_sql("pragma foreign_keys = off"), StatementKind::Session);
/// assert_eq!(StatementKind::of_sql("BEGIN IMMEDIATE"), StatementKind::Begin);
/// assert_eq!(StatementKind::of_sql("BEGIN NOT ATOMIC SELECT 1; END"), StatementKind::Other);
/// assert_eq!(StatementKind::of_sql("rollback"), StatementKind::EndTransaction { commit: false });
/// assert_eq!(StatementKind::of_sql("ROLLBACK TO SAVEPOINT sp1"), StatementKind::TransactionControl);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum StatementKind {
    /// Returns rows and writes nothing by itself: `SELECT`, `WITH ..`,
    /// `VALUES`, `TABLE`, a compound SELECT.
    Query,
    /// `INSERT` / `REPLACE`: the statement's generated key is its
    /// `last_insert_id`.
    Insert,
    /// `UPDATE`, `DELETE`, `MERGE`.
    Dml,
    /// May change the schema: `CREATE`, `DROP`, `ALTER`, PostgreSQL's `DO`.
    /// Drivers that cache prepared statements drop them after it.
    Ddl,
    /// Connection or database-file settings and maintenance that SQLite
    /// must run outside a transaction: `PRAGMA`, `VACUUM`, `ATTACH`, `DETACH`.
    Session,
    /// Transaction control written as text that opens a transaction by
    /// itself: `BEGIN ..`, `START TRANSACTION ..` (not MariaDB's
    /// `BEGIN NOT ATOMIC`), `COMMIT AND CHAIN`. The engine's own
    /// transactions never travel as statements (see
    /// [`DriverConnection::begin`](crate::DriverConnection::begin)).
    Begin,
    /// Transaction control written as text that ends the transaction:
    /// `COMMIT` / `END` (`commit`), `ROLLBACK` / `ABORT` (not `ROLLBACK TO ..`).
    EndTransaction {
        /// True for `COMMIT` / `END`, false for `ROLLBACK` / `ABORT`.
        commit: bool,
    },
    /// Other transaction control written as text: `SAVEPOINT`, `RELEASE`,
    /// `ROLLBACK TO`, `SET TRANSACTION`.
    TransactionControl,
    /// Anything else (`SET`, `SHOW`, `EXPLAIN`, `CALL`, an empty text, ..).
    #[default]
    Other,
}

impl StatementKind {
    /// Classify SQL text by its leading keyword (after blanks, comments and
    /// opening parentheses), without allocating. Used where a statement is
    /// built from text; compiled statements get their kind from the compiler.
    pub fn of_sql(sql: &str) -> StatementKind {
        let mut words = Words(sql);
        let Some(first) = words.next() else {
            return StatementKind::Other;
        };
        let is = |kw: &str| first.eq_ignore_ascii_case(kw);
        if is("SELECT") || is("WITH") || is("VALUES") || is("TABLE") {
            StatementKind::Query
        } else if is("INSERT") || is("REPLACE") {
            StatementKind::Insert
        } else if is("UPDATE") || is("DELETE") || is("MERGE") {
            StatementKind::Dml
        } else if is("CREATE") || is("DROP") || is("ALTER") || is("DO") {
            StatementKind::Ddl
        } else if is("PRAGMA") || is("VACUUM") || is("ATTACH") || is("DETACH") {
            StatementKind::Session
        } else if is("BEGIN") {
            match words.next() {
                Some(w) if w.eq_ignore_ascii_case("NOT") => StatementKind::Other,
                _ => StatementKind::Begin,
            }
        } else if is("START") {
            match words.next() {
                Some(w) if w.eq_ignore_ascii_case("TRANSACTION") => StatementKind::Begin,
                _ => StatementKind::Other,
            }
        } else if is("COMMIT") || is("END") || is("ROLLBACK") || is("ABORT") {
            // `ROLLBACK [WORK] TO ..` keeps the transaction; `.. AND CHAIN`
            // starts the next one at once (`AND NO CHAIN` does not).
            let mut previous = "";
            for word in words.take(4) {
                if word.eq_ignore_ascii_case("TO") {
                    return StatementKind::TransactionControl;
                }
                if word.eq_ignore_ascii_case("CHAIN") && previous.eq_ignore_ascii_case("AND") {
                    return StatementKind::Begin;
                }
                previous = word;
            }
            StatementKind::EndTransaction {
                commit: is("COMMIT") || is("END"),
            }
        } else if is("SAVEPOINT") || is("RELEASE") {
            StatementKind::TransactionControl
        } else if is("SET") {
            match words.next() {
                Some(w) if w.eq_ignore_ascii_case("TRANSACTION") => {
                    StatementKind::TransactionControl
                }
                _ => StatementKind::Other,
            }
        } else {
            StatementKind::Other
        }
    }

    /// True for [`Begin`](Self::Begin), [`EndTransaction`](Self::EndTransaction)
    /// and [`TransactionControl`](Self::TransactionControl).
    pub fn is_transaction_control(self) -> bool {
        matches!(
            self,
            StatementKind::Begin
                | StatementKind::EndTransaction { .. }
                | StatementKind::TransactionControl
        )
    }
}

/// The words of a statement's start: runs of ASCII letters, skipping blanks,
/// `--` and `/* */` comments, parentheses and anything else between them.
struct Words<'a>(&'a str);

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let mut s = self.0;
        loop {
            s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '(' || c == ';');
            if let Some(rest) = s.strip_prefix("--") {
                s = rest.split_once('\n').map_or("", |(_, r)| r);
            } else if let Some(rest) = s.strip_prefix("/*") {
                s = rest.split_once("*/").map_or("", |(_, r)| r);
            } else {
                break;
            }
        }
        let end = s
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(s.len());
        let (word, rest) = s.split_at(end);
        self.0 = rest;
        (!word.is_empty()).then_some(word)
    }
}

/// One statement for a driver: SQL text in the dialect's placeholder style,
/// its parameters, and its [`StatementKind`]. Owned, and moved into the
/// driver (`DriverConnection::execute`): the parameters are never copied on
/// the way, and the SQL is shared (`Arc<str>`) with the compile cache and the
/// driver's prepared-statement cache.
///
/// ```
/// use oxalchemy_core::{Statement, StatementKind, Value};
/// let s = Statement::new("INSERT INTO t VALUES (?)", vec![Value::Int(1)]);
/// assert_eq!(s.kind(), StatementKind::Insert);
/// let (sql, params, kind) = s.into_parts();
/// assert_eq!((&*sql, params.len(), kind), ("INSERT INTO t VALUES (?)", 1, StatementKind::Insert));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    sql: Arc<str>,
    params: Vec<Value>,
    kind: StatementKind,
}

impl Statement {
    /// A statement from text: its kind is read from the leading keyword.
    pub fn new(sql: impl Into<Arc<str>>, params: Vec<Value>) -> Statement {
        let sql = sql.into();
        let kind = StatementKind::of_sql(&sql);
        Statement { sql, params, kind }
    }

    /// A statement whose kind is already known (the compiler's).
    pub fn with_kind(
        sql: impl Into<Arc<str>>,
        params: Vec<Value>,
        kind: StatementKind,
    ) -> Statement {
        Statement {
            sql: sql.into(),
            params,
            kind,
        }
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The SQL text as a shared string.
    pub fn sql_arc(&self) -> &Arc<str> {
        &self.sql
    }

    /// The parameters, in placeholder order.
    pub fn params(&self) -> &[Value] {
        &self.params
    }

    /// What sort of statement this is.
    pub fn kind(&self) -> StatementKind {
        self.kind
    }

    /// The SQL, the parameters and the kind, moved out.
    pub fn into_parts(self) -> (Arc<str>, Vec<Value>, StatementKind) {
        (self.sql, self.params, self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::StatementKind::{self, *};

    #[test]
    fn leading_keywords_decide_the_kind() {
        let cases: &[(&str, StatementKind)] = &[
            ("SELECT 1", Query),
            ("/* c */ with x as (select 1) select * from x", Query),
            ("VALUES (1)", Query),
            ("insert into t values (1)", Insert),
            ("Update t set x = 1", Dml),
            ("DELETE FROM t", Dml),
            ("CREATE TABLE t (x INT)", Ddl),
            ("drop index i", Ddl),
            ("ALTER TABLE t ADD y INT", Ddl),
            ("DO $$ BEGIN END $$", Ddl),
            ("VACUUM", Session),
            ("ATTACH DATABASE ':memory:' AS aux", Session),
            ("begin", Begin),
            ("BEGIN DEFERRED TRANSACTION", Begin),
            ("start transaction read only", Begin),
            ("START SLAVE", Other),
            ("COMMIT", EndTransaction { commit: true }),
            ("end transaction", EndTransaction { commit: true }),
            ("rollback work", EndTransaction { commit: false }),
            ("abort", EndTransaction { commit: false }),
            (
                "ROLLBACK AND NO CHAIN RELEASE",
                EndTransaction { commit: false },
            ),
            ("COMMIT AND CHAIN", Begin),
            ("ROLLBACK TO SAVEPOINT sp1", TransactionControl),
            ("rollback work to sa_1", TransactionControl),
            ("SAVEPOINT sp_1", TransactionControl),
            ("RELEASE SAVEPOINT sp_1", TransactionControl),
            (
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
                TransactionControl,
            ),
            ("SET SESSION sql_mode = ''", Other),
            ("SHOW TABLES", Other),
            ("", Other),
            ("   -- only a comment", Other),
            ("selectx", Other),
        ];
        for (sql, kind) in cases {
            assert_eq!(StatementKind::of_sql(sql), *kind, "{sql:?}");
        }
    }
}
