//! Stand-alone expressions: `literal`, `null`, `true_` / `false_`,
//! `literal_column`, `tuple_` and `label_ref`.

use super::column::AnyType;
use super::node::Node;
use super::operand::Operand;
use super::typed::Expr;
use crate::value::Value;
use std::borrow::Cow;

/// A bound value as an expression (SQLAlchemy's `literal`): `SELECT ? AS anon_1`.
///
/// ```
/// use oxalchemy_core::{select, expr::literal, ExprLike, dialect::GenericDialect};
/// let c = select(literal(5).label("five")).compile(&GenericDialect);
/// assert_eq!(c.sql(), "SELECT ? AS five");
/// ```
pub fn literal(value: impl Into<Value>) -> Expr<AnyType> {
    Expr::new(Node::Param(value.into()))
}

/// The NULL keyword (SQLAlchemy's `null()`); `x.eq(null())` is `x IS NULL`.
///
/// ```
/// use oxalchemy_core::{select, expr::null, dialect::GenericDialect};
/// assert_eq!(select(null()).compile(&GenericDialect).sql(), "SELECT NULL AS anon_1");
/// ```
pub fn null() -> Expr<AnyType> {
    Expr::new(Node::Null)
}

/// The boolean `true` (SQLAlchemy's `true()`): `TRUE`, or `1` where the
/// backend has no boolean literal.
///
/// ```
/// use oxalchemy_core::{select, expr::true_, ExprLike, dialect::GenericDialect};
/// assert_eq!(select(true_().label("t")).compile(&GenericDialect).sql(), "SELECT TRUE AS t");
/// ```
pub fn true_() -> Expr<bool> {
    Expr::new(Node::Bool(true))
}

/// The boolean `false` (SQLAlchemy's `false()`).
pub fn false_() -> Expr<bool> {
    Expr::new(Node::Bool(false))
}

/// Trusted SQL text used as a column (SQLAlchemy's `literal_column`): written
/// as is, never quoted nor bound, and it names its result column. Never build
/// it from user input.
///
/// ```
/// use oxalchemy_core::{select, expr::literal_column, ExprLike, dialect::GenericDialect};
/// let c = select(literal_column("1").add(2).label("three")).compile(&GenericDialect);
/// assert_eq!(c.sql(), "SELECT 1 + ? AS three");
/// ```
pub fn literal_column(sql: impl Into<Cow<'static, str>>) -> Expr<AnyType> {
    Expr::new(Node::Literal(sql.into()))
}

/// A row value `(a, b, ..)` (SQLAlchemy's `tuple_`), for composite comparisons:
/// `tuple_((a, b)).in_([(1, 2), (3, 4)])`.
///
/// ```
/// use oxalchemy_core::{MetaData, select, expr::tuple_, ExprLike, dialect::GenericDialect, sql_type::Integer};
/// let md = MetaData::new();
/// let t = md.table("t", |t| { t.column("a", Integer); t.column("b", Integer); });
/// let c = select(t.c("a")).filter(tuple_((t.c("a"), t.c("b"))).in_([(1, 2), (3, 4)])).compile(&GenericDialect);
/// assert_eq!(c.sql(), "SELECT t.a FROM t WHERE (t.a, t.b) IN ((?, ?), (?, ?))");
/// ```
pub fn tuple_(items: impl super::func::FuncArgs) -> Expr<AnyType> {
    Expr::new(Node::Tuple(items.into_args()))
}

/// A reference by name to a label (or column) of the select list, for ORDER BY
/// and GROUP BY (SQLAlchemy's `order_by("name")`); a plain `&str` works there
/// too, `label_ref` is for `.desc()` and friends. A name the select list does
/// not have is an `ArgumentError` when the statement is compiled.
///
/// ```
/// use oxalchemy_core::{MetaData, select, func, expr::label_ref, ExprLike, dialect::GenericDialect, sql_type::Integer};
/// let md = MetaData::new();
/// let t = md.table("t", |t| { t.column("a", Integer); });
/// let c = select((t.c("a"), func::count_star().label("n")))
///     .group_by("a")
///     .order_by(label_ref("n").desc())
///     .compile(&GenericDialect);
/// assert_eq!(c.sql(), "SELECT t.a, count(*) AS n FROM t GROUP BY t.a ORDER BY n DESC");
/// ```
pub fn label_ref(name: impl Into<Cow<'static, str>>) -> Expr<AnyType> {
    Expr::new(Node::LabelRef(name.into()))
}

macro_rules! tuple_operands {
    ($($name:ident),+) => {
        /// A Rust tuple is a row value: the right side of `tuple_((a, b)).in_([(1, 2)])`.
        impl<$($name: Operand<AnyType>),+> Operand<AnyType> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_operand(self) -> Node {
                let ($($name,)+) = self;
                Node::Tuple(vec![$($name.into_operand()),+])
            }
        }
    };
}

tuple_operands!(A, B);
tuple_operands!(A, B, C);
tuple_operands!(A, B, C, D);
tuple_operands!(A, B, C, D, E);
tuple_operands!(A, B, C, D, E, F);
