//! Statements: SELECT (and set operations, subqueries, CTEs), INSERT, UPDATE,
//! DELETE, textual SQL and DDL.

mod compound;
mod ddl;
mod delete;
mod dml_target;
mod insert;
mod lists;
mod select;
mod subquery;
mod text;
mod update;
mod values;

pub use compound::{
    CompoundSelect, SetOp, except, except_all, intersect, intersect_all, union, union_all,
};
pub use ddl::{CreateIndex, CreateTable, DropIndex, DropTable};
pub use delete::{Delete, delete};
pub use dml_target::DmlTarget;
pub use insert::{Insert, OnConflict, OnConflictAction, excluded, insert};
pub use lists::{ExprList, SelectItem, SelectList};
pub use select::{
    Correlation, FromList, IntoSelectStmt, JoinClause, JoinKind, JoinTarget, Select, SelectCore,
    SelectStmt, select,
};
pub use subquery::{Cte, Subquery};
pub use text::{TextClause, text};
pub use update::{Update, update};
pub use values::{IntoValues, ValueList};

/// AND `cond` into a WHERE/HAVING slot (`filter` called several times).
pub(crate) fn and_into(slot: &mut Option<crate::expr::Node>, cond: crate::expr::Node) {
    *slot = Some(match slot.take() {
        Some(existing) => existing.and(cond),
        None => cond,
    });
}
