//! `Operand<T>`: what may stand on the right of an operator for a `T` expression.

use super::column::{AnyType, Column};
use super::node::Node;
use super::typed::Expr;
use crate::stmt::{CompoundSelect, Select, SelectStmt};
use crate::value::Value;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

/// A value or expression usable as an operand of a `T` expression.
///
/// Untyped Core expressions (`T = AnyType`) accept any value convertible into
/// [`Value`] and any expression. Typed model columns accept their own type,
/// its `Option`, matching columns and expressions, and a few lossless literal
/// conveniences (`&str` for `String`, `i32` for `i64`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared with or combined into a `{T}` column or expression",
    label = "expected a `{T}` value, column or expression here",
    note = "typed model columns only accept operands of their own Rust type; use `.untyped()` on the column for an unchecked comparison"
)]
pub trait Operand<T> {
    /// The operand's AST node.
    fn into_operand(self) -> Node;
}

impl<V: Into<Value>> Operand<AnyType> for V {
    fn into_operand(self) -> Node {
        Node::Param(self.into())
    }
}

impl<M, U> Operand<AnyType> for Column<M, U> {
    fn into_operand(self) -> Node {
        self.node()
    }
}

impl<M, U> Operand<AnyType> for &Column<M, U> {
    fn into_operand(self) -> Node {
        self.node()
    }
}

impl<U> Operand<AnyType> for Expr<U> {
    fn into_operand(self) -> Node {
        self.into_node()
    }
}

impl<U> Operand<AnyType> for &Expr<U> {
    fn into_operand(self) -> Node {
        self.node().clone()
    }
}

macro_rules! typed_operands {
    ($t:ty $(, $extra:ty)*) => {
        impl Operand<$t> for $t {
            fn into_operand(self) -> Node { Node::Param(Value::from(self)) }
        }
        impl Operand<Option<$t>> for $t {
            fn into_operand(self) -> Node { Node::Param(Value::from(self)) }
        }
        impl Operand<Option<$t>> for Option<$t> {
            fn into_operand(self) -> Node { Node::Param(Value::from(self)) }
        }
        $(
        impl Operand<$t> for $extra {
            fn into_operand(self) -> Node { Node::Param(Value::from(self)) }
        }
        impl Operand<Option<$t>> for $extra {
            fn into_operand(self) -> Node { Node::Param(Value::from(self)) }
        }
        )*
        impl<M> Operand<$t> for Column<M, $t> {
            fn into_operand(self) -> Node { self.node() }
        }
        impl<M> Operand<$t> for Column<M, Option<$t>> {
            fn into_operand(self) -> Node { self.node() }
        }
        impl<M> Operand<Option<$t>> for Column<M, $t> {
            fn into_operand(self) -> Node { self.node() }
        }
        impl<M> Operand<Option<$t>> for Column<M, Option<$t>> {
            fn into_operand(self) -> Node { self.node() }
        }
        impl<M> Operand<$t> for &Column<M, $t> {
            fn into_operand(self) -> Node { self.node() }
        }
        impl<M> Operand<Option<$t>> for &Column<M, Option<$t>> {
            fn into_operand(self) -> Node { self.node() }
        }
        impl Operand<$t> for Expr<$t> {
            fn into_operand(self) -> Node { self.into_node() }
        }
        impl Operand<$t> for Expr<Option<$t>> {
            fn into_operand(self) -> Node { self.into_node() }
        }
        impl Operand<$t> for Expr<AnyType> {
            fn into_operand(self) -> Node { self.into_node() }
        }
        impl Operand<Option<$t>> for Expr<$t> {
            fn into_operand(self) -> Node { self.into_node() }
        }
        impl Operand<Option<$t>> for Expr<Option<$t>> {
            fn into_operand(self) -> Node { self.into_node() }
        }
        impl Operand<Option<$t>> for Expr<AnyType> {
            fn into_operand(self) -> Node { self.into_node() }
        }
    };
}

typed_operands!(String, &str, &String);
typed_operands!(i64, i32, i16, u8, u16, u32);
typed_operands!(i32, i16, u8, u16);
typed_operands!(i16, u8);
typed_operands!(f64, f32, i32);
typed_operands!(f32);
typed_operands!(bool);
typed_operands!(Vec<u8>, &[u8]);
typed_operands!(Decimal);
typed_operands!(NaiveDate);
typed_operands!(NaiveTime);
typed_operands!(NaiveDateTime);
typed_operands!(DateTime<Utc>);
typed_operands!(Uuid);
typed_operands!(serde_json::Value);

/// The right side of `IN`: a list of operands or a subquery.
pub enum InTarget {
    /// `IN (a, b, c)`.
    List(Vec<Node>),
    /// `IN (SELECT ..)`.
    Select(SelectStmt),
}

/// What `in_(..)` accepts for a `T` expression: any iterable of operands, or a SELECT.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the right side of IN for a `{T}` expression",
    label = "expected a list of `{T}` values or a SELECT"
)]
pub trait InOperand<T> {
    /// Convert into the IN target.
    fn into_in_target(self) -> InTarget;
}

impl<T, I, R> InOperand<T> for I
where
    I: IntoIterator<Item = R>,
    R: Operand<T>,
{
    fn into_in_target(self) -> InTarget {
        InTarget::List(self.into_iter().map(Operand::into_operand).collect())
    }
}

impl<T, R> InOperand<T> for Select<R> {
    fn into_in_target(self) -> InTarget {
        InTarget::Select(self.into_stmt())
    }
}

impl<T> InOperand<T> for CompoundSelect {
    fn into_in_target(self) -> InTarget {
        InTarget::Select(self.into_stmt())
    }
}
