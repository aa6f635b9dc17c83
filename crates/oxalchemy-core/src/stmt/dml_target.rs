//! `DmlTarget`: what `insert(..)`, `update(..)` and `delete(..)` write to.

use crate::schema::Table;

/// The table an INSERT, UPDATE or DELETE writes to: a `&Table`, or (with the
/// ORM) a model's entity, so `update(User)` is `update(User::table())`.
///
/// ```
/// use oxalchemy_core::{MetaData, update};
/// let md = MetaData::new();
/// let users = md.table("users", |t| { t.column("id", oxalchemy_core::sql_type::Integer).primary_key(); });
/// assert_eq!(update(&users).set("id", 2).compile(&oxalchemy_core::dialect::GenericDialect).sql(),
///            "UPDATE users SET id = ?");
/// ```
pub trait DmlTarget {
    /// The target table.
    fn target_table(&self) -> Table;
}

impl DmlTarget for &Table {
    fn target_table(&self) -> Table {
        (*self).clone()
    }
}
