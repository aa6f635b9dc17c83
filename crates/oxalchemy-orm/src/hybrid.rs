//! `Hybrid<M, T>`: the SQL side of a hybrid attribute (`#[hybrid]` in a
//! `#[hybrids] impl`), usable wherever a typed column of `M` is, but never
//! assignable.

use oxalchemy_core::expr::{Node, Operand};
use oxalchemy_core::stmt::SelectItem;
use oxalchemy_core::{Expr, ExprLike};
use std::fmt;
use std::marker::PhantomData;

/// The SQL side of a hybrid attribute of model `M` whose Rust side returns `T`.
///
/// `#[hybrids] impl Employee { #[hybrid] pub fn full_name(&self) -> String { .. } }`
/// generates `Employee::FULL_NAME: Hybrid<Employee, String>`, built from the
/// same body (or from the `fn() -> Expr<T>` given with `#[hybrid(expr = ..)]`).
/// It has the operators of a typed column ([`ExprLike`] with `Type = T`), goes
/// in select lists (decoding into `T`), ORDER BY, GROUP BY and subqueries; a
/// `bool` hybrid is a condition by itself. It is not a column: no statement
/// accepts it as the target of an assignment.
pub struct Hybrid<M, T> {
    name: &'static str,
    build: fn() -> Expr<T>,
    _model: PhantomData<fn() -> M>,
}

impl<M, T> Hybrid<M, T> {
    /// A hybrid named `name` whose SQL expression `build` returns.
    pub const fn new(name: &'static str, build: fn() -> Expr<T>) -> Self {
        Hybrid {
            name,
            build,
            _model: PhantomData,
        }
    }

    /// The name of the Rust method.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The SQL expression (a fresh copy each time).
    pub fn sql(&self) -> Expr<T> {
        (self.build)()
    }
}

impl<M, T> Clone for Hybrid<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Hybrid<M, T> {}

impl<M, T> fmt::Debug for Hybrid<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hybrid({})", self.name)
    }
}

impl<M, T> ExprLike for Hybrid<M, T> {
    type Type = T;
    fn into_node(self) -> Node {
        self.sql().into_node()
    }
}

impl<M, T> ExprLike for &Hybrid<M, T> {
    type Type = T;
    fn into_node(self) -> Node {
        self.sql().into_node()
    }
}

/// A hybrid stands where its expression would: on the right of an operator
/// of a column or expression that accepts an `Expr<T>`.
impl<M, T, U> Operand<U> for Hybrid<M, T>
where
    Expr<T>: Operand<U>,
{
    fn into_operand(self) -> Node {
        self.sql().into_operand()
    }
}

impl<M, T> SelectItem for Hybrid<M, T> {
    type Type = T;
    fn push_nodes(self, out: &mut Vec<Node>) {
        out.push(self.sql().into_node());
    }
}

impl<M, T> SelectItem for &Hybrid<M, T> {
    type Type = T;
    fn push_nodes(self, out: &mut Vec<Node>) {
        out.push(self.sql().into_node());
    }
}

impl<M, T, R: ExprLike> std::ops::BitAnd<R> for Hybrid<M, T> {
    type Output = Expr<bool>;
    fn bitand(self, rhs: R) -> Expr<bool> {
        ExprLike::and(self, rhs)
    }
}

impl<M, T, R: ExprLike> std::ops::BitOr<R> for Hybrid<M, T> {
    type Output = Expr<bool>;
    fn bitor(self, rhs: R) -> Expr<bool> {
        ExprLike::or(self, rhs)
    }
}

impl<M, T> std::ops::Not for Hybrid<M, T> {
    type Output = Expr<bool>;
    fn not(self) -> Expr<bool> {
        ExprLike::not(self)
    }
}

impl<M, T> std::ops::Neg for Hybrid<M, T> {
    type Output = Expr<T>;
    fn neg(self) -> Expr<T> {
        ExprLike::neg(self)
    }
}

macro_rules! arithmetic {
    ($($trait:ident $method:ident),*) => {$(
        impl<M, T, R: Operand<T>> std::ops::$trait<R> for Hybrid<M, T> {
            type Output = Expr<T>;
            fn $method(self, rhs: R) -> Expr<T> {
                ExprLike::$method(self, rhs)
            }
        }
    )*};
}

arithmetic!(Add add, Sub sub, Mul mul, Div div);
