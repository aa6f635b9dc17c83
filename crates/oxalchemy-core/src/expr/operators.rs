//! `ExprLike`: the operators every column and expression has.

use super::column::{AnyType, Column};
use super::node::{BinOp, Node, UnaryOp};
use super::operand::{InOperand, InTarget, Operand};
use super::typed::Expr;
use super::window::Window;
use crate::sql_type::SqlType;
use crate::stmt::IntoSelectStmt;
use crate::value::Value;
use std::borrow::Cow;

/// The escape character used when `contains` / `startswith` / `endswith` get a literal.
pub(crate) const LIKE_ESCAPE: char = '/';

fn binary(op: BinOp, left: Node, right: Node) -> Node {
    Node::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
    }
}

pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        if ch == '%' || ch == '_' || ch == LIKE_ESCAPE {
            out.push(LIKE_ESCAPE);
        }
        out.push(ch);
    }
    out
}

/// Undo [`escape_like`]: the literal as it was given.
pub(crate) fn unescape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        if ch == LIKE_ESCAPE {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// A NULL value as the NULL keyword (`IS DISTINCT FROM NULL`).
fn null_keyword(node: Node) -> Node {
    match node {
        Node::Param(Value::Null) => Node::Null,
        other => other,
    }
}

/// Build `x LIKE <prefix><operand><suffix>`: a literal is escaped so `%` and
/// `_` in it match themselves; an expression is concatenated.
fn like_affix(
    operand: Node,
    pattern: Node,
    prefix: bool,
    suffix: bool,
    case_insensitive: bool,
) -> Node {
    let (pattern, escape) = match pattern {
        Node::Param(Value::Text(s)) => {
            let mut p = String::new();
            if prefix {
                p.push('%');
            }
            p.push_str(&escape_like(&s));
            if suffix {
                p.push('%');
            }
            (Node::Param(Value::Text(p)), Some(LIKE_ESCAPE))
        }
        expr => {
            let mut p = expr;
            if prefix {
                p = binary(BinOp::Concat, Node::Param(Value::Text("%".into())), p);
            }
            if suffix {
                p = binary(BinOp::Concat, p, Node::Param(Value::Text("%".into())));
            }
            (p, None)
        }
    };
    Node::Like {
        operand: Box::new(operand),
        pattern: Box::new(pattern),
        negated: false,
        case_insensitive,
        escape,
    }
}

/// Operators shared by columns and expressions: comparisons, boolean logic,
/// arithmetic, LIKE, IN, BETWEEN, labels, ordering, CAST and windows.
///
/// Bring it into scope with `use oxalchemy::prelude::*`.
///
/// ```
/// use oxalchemy_core::{MetaData, ExprLike, sql_type::{Integer, Text}};
/// let md = MetaData::new();
/// let users = md.table("users", |t| {
///     t.column("id", Integer).primary_key();
///     t.column("name", Text);
/// });
/// let cond = users.c("name").like("s%").and(users.c("id").gt(3));
/// let _ = cond;
/// ```
#[allow(clippy::wrong_self_convention)] // `is_null` builds `x IS NULL`, as SQLAlchemy's does
pub trait ExprLike: Sized {
    /// The Rust type of the expression's value (`AnyType` for Core).
    type Type;

    /// The AST node.
    fn into_node(self) -> Node;

    /// As an `Expr`.
    fn expr(self) -> Expr<Self::Type> {
        Expr::new(self.into_node())
    }

    /// `self = rhs` (`IS NULL` when `rhs` is a NULL value).
    fn eq<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        match rhs.into_operand() {
            Node::Param(Value::Null) | Node::Null => self.is_null(),
            r => Expr::new(binary(BinOp::Eq, self.into_node(), r)),
        }
    }
    /// `self <> rhs` (`IS NOT NULL` when `rhs` is a NULL value).
    fn ne<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        match rhs.into_operand() {
            Node::Param(Value::Null) | Node::Null => self.is_not_null(),
            r => Expr::new(binary(BinOp::Ne, self.into_node(), r)),
        }
    }
    /// `self < rhs`.
    fn lt<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        Expr::new(binary(BinOp::Lt, self.into_node(), rhs.into_operand()))
    }
    /// `self <= rhs`.
    fn le<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        Expr::new(binary(BinOp::Le, self.into_node(), rhs.into_operand()))
    }
    /// `self > rhs`.
    fn gt<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        Expr::new(binary(BinOp::Gt, self.into_node(), rhs.into_operand()))
    }
    /// `self >= rhs`.
    fn ge<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        Expr::new(binary(BinOp::Ge, self.into_node(), rhs.into_operand()))
    }

    /// `self IS NULL`.
    fn is_null(self) -> Expr<bool> {
        Expr::new(Node::IsNull {
            operand: Box::new(self.into_node()),
            negated: false,
        })
    }
    /// `self IS NOT NULL`.
    fn is_not_null(self) -> Expr<bool> {
        Expr::new(Node::IsNull {
            operand: Box::new(self.into_node()),
            negated: true,
        })
    }

    /// `self IN (..)`: a list of values/expressions or a SELECT. An empty list is false.
    fn in_<I: InOperand<Self::Type>>(self, items: I) -> Expr<bool> {
        in_node(self.into_node(), items.into_in_target(), false)
    }
    /// `self NOT IN (..)`. An empty list is true.
    fn not_in<I: InOperand<Self::Type>>(self, items: I) -> Expr<bool> {
        in_node(self.into_node(), items.into_in_target(), true)
    }

    /// `self BETWEEN low AND high`.
    fn between<A: Operand<Self::Type>, B: Operand<Self::Type>>(
        self,
        low: A,
        high: B,
    ) -> Expr<bool> {
        Expr::new(Node::Between {
            operand: Box::new(self.into_node()),
            low: Box::new(low.into_operand()),
            high: Box::new(high.into_operand()),
            negated: false,
        })
    }

    /// `self LIKE pattern` (the pattern's `%` and `_` are wildcards).
    fn like<R: Operand<Self::Type>>(self, pattern: R) -> Expr<bool> {
        like_node(self.into_node(), pattern.into_operand(), false, false)
    }
    /// `self NOT LIKE pattern`.
    fn not_like<R: Operand<Self::Type>>(self, pattern: R) -> Expr<bool> {
        like_node(self.into_node(), pattern.into_operand(), true, false)
    }
    /// Case-insensitive LIKE (`ILIKE` on PostgreSQL, `lower(x) LIKE lower(p)` elsewhere).
    fn ilike<R: Operand<Self::Type>>(self, pattern: R) -> Expr<bool> {
        like_node(self.into_node(), pattern.into_operand(), false, true)
    }
    /// Case-insensitive NOT LIKE.
    fn not_ilike<R: Operand<Self::Type>>(self, pattern: R) -> Expr<bool> {
        like_node(self.into_node(), pattern.into_operand(), true, true)
    }
    /// `self LIKE '%' || other || '%'`; a literal's `%` and `_` match themselves
    /// (SQLAlchemy's `autoescape=True`, the default here). `.autoescape(false)`
    /// on the result makes them wildcards again, `.escape('^')` says the
    /// literal carries its own escapes (see [`Expr::escape`]).
    fn contains<R: Operand<Self::Type>>(self, other: R) -> Expr<bool> {
        Expr::new(like_affix(
            self.into_node(),
            other.into_operand(),
            true,
            true,
            false,
        ))
    }
    /// `self LIKE other || '%'`; a literal's `%` and `_` match themselves.
    fn startswith<R: Operand<Self::Type>>(self, other: R) -> Expr<bool> {
        Expr::new(like_affix(
            self.into_node(),
            other.into_operand(),
            false,
            true,
            false,
        ))
    }
    /// `self LIKE '%' || other`; a literal's `%` and `_` match themselves.
    fn endswith<R: Operand<Self::Type>>(self, other: R) -> Expr<bool> {
        Expr::new(like_affix(
            self.into_node(),
            other.into_operand(),
            true,
            false,
            false,
        ))
    }

    /// Case-insensitive [`contains`](Self::contains) (SQLAlchemy's `icontains`):
    /// `ILIKE` on PostgreSQL, `lower(x) LIKE lower(pattern)` elsewhere.
    fn icontains<R: Operand<Self::Type>>(self, other: R) -> Expr<bool> {
        Expr::new(like_affix(
            self.into_node(),
            other.into_operand(),
            true,
            true,
            true,
        ))
    }
    /// Case-insensitive [`startswith`](Self::startswith).
    fn istartswith<R: Operand<Self::Type>>(self, other: R) -> Expr<bool> {
        Expr::new(like_affix(
            self.into_node(),
            other.into_operand(),
            false,
            true,
            true,
        ))
    }
    /// Case-insensitive [`endswith`](Self::endswith).
    fn iendswith<R: Operand<Self::Type>>(self, other: R) -> Expr<bool> {
        Expr::new(like_affix(
            self.into_node(),
            other.into_operand(),
            true,
            false,
            true,
        ))
    }

    /// `self IS DISTINCT FROM rhs`: `<>` where NULL equals NULL (`IS NOT` on
    /// SQLite, `NOT (a <=> b)` on MySQL).
    fn is_distinct_from<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        Expr::new(binary(
            BinOp::IsDistinctFrom,
            self.into_node(),
            null_keyword(rhs.into_operand()),
        ))
    }
    /// `self IS NOT DISTINCT FROM rhs`: `=` where NULL equals NULL (`IS` on
    /// SQLite, `a <=> b` on MySQL).
    fn is_not_distinct_from<R: Operand<Self::Type>>(self, rhs: R) -> Expr<bool> {
        Expr::new(binary(
            BinOp::IsNotDistinctFrom,
            self.into_node(),
            null_keyword(rhs.into_operand()),
        ))
    }

    /// `self AND other`.
    fn and<R: ExprLike>(self, other: R) -> Expr<bool> {
        Expr::new(binary(BinOp::And, self.into_node(), other.into_node()))
    }
    /// `self OR other`.
    fn or<R: ExprLike>(self, other: R) -> Expr<bool> {
        Expr::new(binary(BinOp::Or, self.into_node(), other.into_node()))
    }
    /// `NOT self`.
    fn not(self) -> Expr<bool> {
        Expr::new(negate(self.into_node()))
    }

    /// `self + rhs`.
    fn add<R: Operand<Self::Type>>(self, rhs: R) -> Expr<Self::Type> {
        Expr::new(binary(BinOp::Add, self.into_node(), rhs.into_operand()))
    }
    /// `self - rhs`.
    fn sub<R: Operand<Self::Type>>(self, rhs: R) -> Expr<Self::Type> {
        Expr::new(binary(BinOp::Sub, self.into_node(), rhs.into_operand()))
    }
    /// `self * rhs`.
    fn mul<R: Operand<Self::Type>>(self, rhs: R) -> Expr<Self::Type> {
        Expr::new(binary(BinOp::Mul, self.into_node(), rhs.into_operand()))
    }
    /// `self / rhs`, true division as in SQLAlchemy 2 (Python's `/`): `7 / 2`
    /// is 3.5 on every backend. Where integer division truncates (PostgreSQL,
    /// SQLite) the divisor is cast (`CAST(x AS NUMERIC)`, `(x + 0.0)` on SQLite).
    fn div<R: Operand<Self::Type>>(self, rhs: R) -> Expr<Self::Type> {
        Expr::new(binary(BinOp::Div, self.into_node(), rhs.into_operand()))
    }
    /// Floor division (SQLAlchemy's `//`): the quotient rounded down, so
    /// `-7 // 2` is -4 on every backend (`FLOOR(a / b)`; emulated on SQLite,
    /// which has no FLOOR).
    fn floor_div<R: Operand<Self::Type>>(self, rhs: R) -> Expr<Self::Type> {
        Expr::new(binary(
            BinOp::FloorDiv,
            self.into_node(),
            rhs.into_operand(),
        ))
    }
    /// `self % rhs`.
    fn modulo<R: Operand<Self::Type>>(self, rhs: R) -> Expr<Self::Type> {
        Expr::new(binary(BinOp::Mod, self.into_node(), rhs.into_operand()))
    }
    /// `-self`.
    fn neg(self) -> Expr<Self::Type> {
        Expr::new(Node::Unary {
            op: UnaryOp::Neg,
            operand: Box::new(self.into_node()),
        })
    }
    /// String concatenation (`||`, or `CONCAT()` on MySQL).
    fn concat<R: Operand<Self::Type>>(self, rhs: R) -> Expr<Self::Type> {
        Expr::new(binary(BinOp::Concat, self.into_node(), rhs.into_operand()))
    }

    /// `self AS name`: names the result column.
    fn label(self, name: impl Into<Cow<'static, str>>) -> Expr<Self::Type> {
        Expr::new(Node::Label {
            operand: Box::new(self.into_node()),
            name: name.into(),
        })
    }

    /// ORDER BY ascending.
    fn asc(self) -> Expr<Self::Type> {
        Expr::new(Node::Order {
            operand: Box::new(self.into_node()),
            desc: false,
            nulls: None,
        })
    }
    /// ORDER BY descending.
    fn desc(self) -> Expr<Self::Type> {
        Expr::new(Node::Order {
            operand: Box::new(self.into_node()),
            desc: true,
            nulls: None,
        })
    }

    /// `CAST(self AS type)`.
    fn cast(self, sql_type: impl Into<SqlType>) -> Expr<AnyType> {
        Expr::new(Node::Cast {
            operand: Box::new(self.into_node()),
            sql_type: sql_type.into(),
        })
    }

    /// A window function call: `self OVER (PARTITION BY .. ORDER BY ..)`.
    fn over(self, window: Window) -> Expr<Self::Type> {
        Expr::new(Node::Over {
            func: Box::new(self.into_node()),
            window: Box::new(window),
        })
    }
}

fn negate(node: Node) -> Node {
    match node {
        Node::Exists { select, negated } => Node::Exists {
            select,
            negated: !negated,
        },
        Node::IsNull { operand, negated } => Node::IsNull {
            operand,
            negated: !negated,
        },
        Node::Unary {
            op: UnaryOp::Not,
            operand,
        } => *operand,
        other => Node::Unary {
            op: UnaryOp::Not,
            operand: Box::new(other),
        },
    }
}

fn in_node(operand: Node, target: InTarget, negated: bool) -> Expr<bool> {
    Expr::new(match target {
        InTarget::List(items) => Node::InList {
            operand: Box::new(operand),
            items,
            negated,
        },
        InTarget::Select(select) => Node::InSelect {
            operand: Box::new(operand),
            select: Box::new(select),
            negated,
        },
    })
}

fn like_node(operand: Node, pattern: Node, negated: bool, case_insensitive: bool) -> Expr<bool> {
    Expr::new(Node::Like {
        operand: Box::new(operand),
        pattern: Box::new(pattern),
        negated,
        case_insensitive,
        escape: None,
    })
}

impl<M, T> ExprLike for Column<M, T> {
    type Type = T;
    fn into_node(self) -> Node {
        self.node()
    }
}

impl<M, T> ExprLike for &Column<M, T> {
    type Type = T;
    fn into_node(self) -> Node {
        self.node()
    }
}

impl<T> ExprLike for Expr<T> {
    type Type = T;
    fn into_node(self) -> Node {
        Expr::into_node(self)
    }
}

impl<T> ExprLike for &Expr<T> {
    type Type = T;
    fn into_node(self) -> Node {
        self.node().clone()
    }
}

/// `EXISTS (SELECT ..)`; the subquery correlates to the enclosing query automatically.
pub fn exists(select: impl IntoSelectStmt) -> Expr<bool> {
    Expr::new(Node::Exists {
        select: Box::new(select.into_select_stmt()),
        negated: false,
    })
}

/// `NOT expr`.
pub fn not_(expr: impl ExprLike) -> Expr<bool> {
    expr.not()
}

macro_rules! std_ops {
    ($($ty:ident [$($gen:ident),*]),*) => {$(
        impl<$($gen,)* R> std::ops::BitAnd<R> for $ty<$($gen),*> where R: ExprLike {
            type Output = Expr<bool>;
            fn bitand(self, rhs: R) -> Expr<bool> { ExprLike::and(self, rhs) }
        }
        impl<$($gen,)* R> std::ops::BitOr<R> for $ty<$($gen),*> where R: ExprLike {
            type Output = Expr<bool>;
            fn bitor(self, rhs: R) -> Expr<bool> { ExprLike::or(self, rhs) }
        }
        impl<$($gen),*> std::ops::Not for $ty<$($gen),*> {
            type Output = Expr<bool>;
            fn not(self) -> Expr<bool> { ExprLike::not(self) }
        }
        impl<$($gen),*> std::ops::Neg for $ty<$($gen),*> {
            type Output = Expr<T>;
            fn neg(self) -> Expr<T> { ExprLike::neg(self) }
        }
        impl<$($gen,)* R> std::ops::Add<R> for $ty<$($gen),*> where R: Operand<T> {
            type Output = Expr<T>;
            fn add(self, rhs: R) -> Expr<T> { ExprLike::add(self, rhs) }
        }
        impl<$($gen,)* R> std::ops::Sub<R> for $ty<$($gen),*> where R: Operand<T> {
            type Output = Expr<T>;
            fn sub(self, rhs: R) -> Expr<T> { ExprLike::sub(self, rhs) }
        }
        impl<$($gen,)* R> std::ops::Mul<R> for $ty<$($gen),*> where R: Operand<T> {
            type Output = Expr<T>;
            fn mul(self, rhs: R) -> Expr<T> { ExprLike::mul(self, rhs) }
        }
        impl<$($gen,)* R> std::ops::Div<R> for $ty<$($gen),*> where R: Operand<T> {
            type Output = Expr<T>;
            fn div(self, rhs: R) -> Expr<T> { ExprLike::div(self, rhs) }
        }
    )*};
}

std_ops!(Column[M, T], Expr[T]);
