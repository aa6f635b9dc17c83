//! SQL functions: `func::count(x)`, `func::lower(x)`, `func::call("any", args)`.
//!
//! ```
//! use oxalchemy_core::{MetaData, func, ExprLike, sql_type::{Integer, Text}};
//! let md = MetaData::new();
//! let users = md.table("users", |t| { t.column("id", Integer).primary_key(); t.column("name", Text); });
//! let n = func::count(users.c("id")).label("n");
//! let lower = func::lower(users.c("name"));
//! let custom = func::call("substr", (users.c("name"), 1, 3));
//! # let _ = (n, lower, custom);
//! ```

use super::column::AnyType;
use super::node::Node;
use super::operand::Operand;
use super::operators::ExprLike;
use super::typed::Expr;
use std::borrow::Cow;

fn call1<T>(name: &'static str, arg: Node) -> Expr<T> {
    Expr::new(Node::Func {
        name: Cow::Borrowed(name),
        args: vec![arg],
        distinct: false,
    })
}

/// `COUNT(expr)`: non-NULL values of `expr`.
pub fn count(expr: impl ExprLike) -> Expr<i64> {
    call1("count", expr.into_node())
}

/// `COUNT(DISTINCT expr)`.
pub fn count_distinct(expr: impl ExprLike) -> Expr<i64> {
    Expr::new(Node::Func {
        name: Cow::Borrowed("count"),
        args: vec![expr.into_node()],
        distinct: true,
    })
}

/// `COUNT(*)`.
pub fn count_star() -> Expr<i64> {
    call1("count", Node::Star)
}

/// `SUM(expr)` (NULL over no rows).
pub fn sum<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("sum", expr.into_node())
}

/// `AVG(expr)`.
pub fn avg(expr: impl ExprLike) -> Expr<AnyType> {
    call1("avg", expr.into_node())
}

/// `MIN(expr)`.
pub fn min<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("min", expr.into_node())
}

/// `MAX(expr)`.
pub fn max<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("max", expr.into_node())
}

/// `LOWER(expr)`.
pub fn lower<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("lower", expr.into_node())
}

/// `UPPER(expr)`.
pub fn upper<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("upper", expr.into_node())
}

/// The length of a string in characters (`length`, `CHAR_LENGTH` on MySQL).
pub fn length(expr: impl ExprLike) -> Expr<i64> {
    call1("length", expr.into_node())
}

/// `ABS(expr)`.
pub fn abs<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("abs", expr.into_node())
}

/// `ROUND(expr, digits)`.
pub fn round<E: ExprLike>(expr: E, digits: i32) -> Expr<E::Type> {
    Expr::new(Node::Func {
        name: Cow::Borrowed("round"),
        args: vec![expr.into_node(), Node::Param(digits.into())],
        distinct: false,
    })
}

/// The current date and time (`CURRENT_TIMESTAMP`).
pub fn now() -> Expr<AnyType> {
    Expr::new(Node::Func {
        name: Cow::Borrowed("now"),
        args: vec![],
        distinct: false,
    })
}

/// `COALESCE(a, b, ..)`: the first non-NULL argument.
pub fn coalesce(args: impl FuncArgs) -> Expr<AnyType> {
    Expr::new(Node::Func {
        name: Cow::Borrowed("coalesce"),
        args: args.into_args(),
        distinct: false,
    })
}

/// `ROW_NUMBER()` (use with `.over(..)`).
pub fn row_number() -> Expr<i64> {
    Expr::new(Node::Func {
        name: Cow::Borrowed("row_number"),
        args: vec![],
        distinct: false,
    })
}

/// `RANK()` (use with `.over(..)`).
pub fn rank() -> Expr<i64> {
    Expr::new(Node::Func {
        name: Cow::Borrowed("rank"),
        args: vec![],
        distinct: false,
    })
}

/// `DENSE_RANK()` (use with `.over(..)`).
pub fn dense_rank() -> Expr<i64> {
    Expr::new(Node::Func {
        name: Cow::Borrowed("dense_rank"),
        args: vec![],
        distinct: false,
    })
}

/// `LAG(expr)` (use with `.over(..)`).
pub fn lag<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("lag", expr.into_node())
}

/// `LEAD(expr)` (use with `.over(..)`).
pub fn lead<E: ExprLike>(expr: E) -> Expr<E::Type> {
    call1("lead", expr.into_node())
}

/// Window functions with an offset and a default, written with the offset
/// inline (MySQL and MariaDB take no placeholder there).
fn offset_call<T>(name: &'static str, expr: Node, offset: u64, default: Node) -> Expr<T> {
    Expr::new(Node::Func {
        name: Cow::Borrowed(name),
        args: vec![expr, Node::Literal(Cow::Owned(offset.to_string())), default],
        distinct: false,
    })
}

/// `LAG(expr, offset, default)`: the value `offset` rows back, or `default`
/// where there is none (SQLAlchemy's `func.lag(x, 1, 0)`; use with `.over(..)`).
///
/// ```
/// use oxalchemy_core::{MetaData, select, func, Window, ExprLike, dialect::GenericDialect, sql_type::Integer};
/// let md = MetaData::new();
/// let t = md.table("t", |t| { t.column("id", Integer).primary_key(); t.column("x", Integer); });
/// let prev = func::lag_with(t.c("x"), 1, 0).over(Window::new().order_by(t.c("id")));
/// let c = select(prev.label("prev")).compile(&GenericDialect);
/// assert_eq!(c.sql(), "SELECT lag(t.x, 1, ?) OVER (ORDER BY t.id) AS prev FROM t");
/// ```
pub fn lag_with<E: ExprLike>(
    expr: E,
    offset: u64,
    default: impl Operand<E::Type>,
) -> Expr<E::Type> {
    offset_call("lag", expr.into_node(), offset, default.into_operand())
}

/// `LEAD(expr, offset, default)`: the value `offset` rows ahead, or `default`.
pub fn lead_with<E: ExprLike>(
    expr: E,
    offset: u64,
    default: impl Operand<E::Type>,
) -> Expr<E::Type> {
    offset_call("lead", expr.into_node(), offset, default.into_operand())
}

/// Any function by name: `func::call("substr", (col, 1, 3))`. The name is
/// written as given (it must be a plain identifier); arguments are bound.
/// Arguments: `()`, one operand, a tuple of up to 16, or a `Vec` / array of
/// any length (`func::call("greatest", vec![1, 5, 3])`).
pub fn call(name: impl Into<Cow<'static, str>>, args: impl FuncArgs) -> Expr<AnyType> {
    Expr::new(Node::Func {
        name: name.into(),
        args: args.into_args(),
        distinct: false,
    })
}

/// Function arguments: one operand, a tuple of operands, or a `Vec` or array
/// of operands of one type (any number).
pub trait FuncArgs {
    /// The argument nodes.
    fn into_args(self) -> Vec<Node>;
}

impl FuncArgs for () {
    fn into_args(self) -> Vec<Node> {
        Vec::new()
    }
}

impl FuncArgs for Vec<Node> {
    fn into_args(self) -> Vec<Node> {
        self
    }
}

impl<O: Operand<AnyType>> FuncArgs for Vec<O> {
    fn into_args(self) -> Vec<Node> {
        self.into_iter().map(Operand::into_operand).collect()
    }
}

impl<O: Operand<AnyType>, const N: usize> FuncArgs for [O; N] {
    fn into_args(self) -> Vec<Node> {
        self.into_iter().map(Operand::into_operand).collect()
    }
}

macro_rules! tuple_args {
    ($($name:ident),+) => {
        impl<$($name: Operand<AnyType>),+> FuncArgs for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_args(self) -> Vec<Node> {
                let ($($name,)+) = self;
                vec![$($name.into_operand()),+]
            }
        }
    };
}

tuple_args!(A);
tuple_args!(A, B);
tuple_args!(A, B, C);
tuple_args!(A, B, C, D);
tuple_args!(A, B, C, D, E);
tuple_args!(A, B, C, D, E, F);
tuple_args!(A, B, C, D, E, F, G);
tuple_args!(A, B, C, D, E, F, G, H);
tuple_args!(A, B, C, D, E, F, G, H, I);
tuple_args!(A, B, C, D, E, F, G, H, I, J);
tuple_args!(A, B, C, D, E, F, G, H, I, J, K);
tuple_args!(A, B, C, D, E, F, G, H, I, J, K, L);
tuple_args!(A, B, C, D, E, F, G, H, I, J, K, L, M);
tuple_args!(A, B, C, D, E, F, G, H, I, J, K, L, M, N);
tuple_args!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O);
tuple_args!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P);
