//! `Expr<T>`: an expression with a static Rust type (or `AnyType` for Core).

use super::column::AnyType;
use super::node::{Node, NullsOrder};
use std::fmt;
use std::marker::PhantomData;

/// An SQL expression whose value has Rust type `T` (`AnyType` when unknown).
///
/// Built by the operators of [`ExprLike`](super::ExprLike):
/// `users.c("id").eq(5)` is an `Expr<bool>`, `func::count(..)` an `Expr<i64>`.
pub struct Expr<T = AnyType> {
    node: Node,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Expr::new(self.node.clone())
    }
}

impl<T> fmt::Debug for Expr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.node, f)
    }
}

impl<T> Expr<T> {
    /// Wrap an AST node.
    pub fn new(node: Node) -> Self {
        Expr {
            node,
            _marker: PhantomData,
        }
    }

    /// The AST node.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Take the AST node out.
    pub fn into_node(self) -> Node {
        self.node
    }

    /// Forget the static type.
    pub fn untyped(self) -> Expr {
        Expr::new(self.node)
    }

    /// Re-type the expression (for hand-written SQL whose type the caller knows).
    pub fn retype<U>(self) -> Expr<U> {
        Expr::new(self.node)
    }

    /// Sort NULLs first in ORDER BY (`x NULLS FIRST`; emulated where the backend lacks it).
    pub fn nulls_first(self) -> Self {
        self.with_nulls(NullsOrder::First)
    }

    /// Sort NULLs last in ORDER BY.
    pub fn nulls_last(self) -> Self {
        self.with_nulls(NullsOrder::Last)
    }

    fn with_nulls(self, order: NullsOrder) -> Self {
        let node = match self.node {
            Node::Order { operand, desc, .. } => Node::Order {
                operand,
                desc,
                nulls: Some(order),
            },
            other => Node::Order {
                operand: Box::new(other),
                desc: false,
                nulls: Some(order),
            },
        };
        Expr::new(node)
    }
}
