//! `Expr<T>`: an expression with a static Rust type (or `AnyType` for Core).

use super::column::AnyType;
use super::node::{Node, NullsOrder};
use super::operators::{LIKE_ESCAPE, escape_like, unescape_like};
use crate::value::Value;
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

impl Expr<bool> {
    /// Give a LIKE the escape character its pattern uses (SQLAlchemy's
    /// `like(p, escape='!')`): `name.like("50!%").escape('!')` matches "50%"
    /// only. On `contains` / `startswith` / `endswith` (and their `i` forms) it
    /// replaces the automatic escaping: the literal is taken as written, with
    /// its own escapes.
    ///
    /// Panics when the expression is not a LIKE (built by `like`, `ilike`,
    /// `not_like`, `not_ilike`, `contains` ..).
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, select, ExprLike, dialect::GenericDialect, sql_type::Text};
    /// let md = MetaData::new();
    /// let t = md.table("t", |t| { t.column("name", Text); });
    /// let c = select(t.c("name")).filter(t.c("name").like("50!%").escape('!')).compile(&GenericDialect);
    /// assert_eq!(c.sql(), "SELECT t.name FROM t WHERE t.name LIKE ? ESCAPE '!'");
    /// ```
    pub fn escape(self, escape: char) -> Self {
        self.map_like("escape", |pattern, current| {
            (unescape_auto(pattern, current), Some(escape))
        })
    }

    /// Turn the automatic escaping of `contains` / `startswith` / `endswith`
    /// (and their `i` forms) off or on (SQLAlchemy's `autoescape=`): with
    /// `false`, `%` and `_` in the literal are wildcards. `autoescape(true)` on
    /// a `like(..)` escapes its literal pattern. An expression pattern is never
    /// escaped. Panics when the expression is not a LIKE.
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, select, ExprLike, Value, dialect::GenericDialect, sql_type::Text};
    /// let md = MetaData::new();
    /// let t = md.table("t", |t| { t.column("name", Text); });
    /// let c = select(t.c("name")).filter(t.c("name").contains("a_c").autoescape(false)).compile(&GenericDialect);
    /// assert_eq!(c.sql(), "SELECT t.name FROM t WHERE t.name LIKE ?");
    /// assert_eq!(c.params(), [Value::from("%a_c%")]);
    /// ```
    pub fn autoescape(self, on: bool) -> Self {
        self.map_like("autoescape", |pattern, current| match pattern {
            Node::Param(Value::Text(s)) if on && current.is_none() => {
                (Node::Param(Value::Text(escape_like(&s))), Some(LIKE_ESCAPE))
            }
            pattern if !on && current == Some(LIKE_ESCAPE) => {
                (unescape_auto(pattern, current), None)
            }
            pattern => (pattern, current),
        })
    }

    fn map_like(
        self,
        what: &str,
        f: impl FnOnce(Node, Option<char>) -> (Node, Option<char>),
    ) -> Self {
        match self.node {
            Node::Like {
                operand,
                pattern,
                negated,
                case_insensitive,
                escape,
            } => {
                let (pattern, escape) = f(*pattern, escape);
                Expr::new(Node::Like {
                    operand,
                    pattern: Box::new(pattern),
                    negated,
                    case_insensitive,
                    escape,
                })
            }
            other => Expr::new(Node::Invalid(
                format!(
                    "{what}(..) applies to a LIKE (like, ilike, not_like, not_ilike, contains, \
                     startswith, endswith); it was called on {other:?}"
                )
                .into(),
            )),
        }
    }
}

/// The pattern without the automatic escaping of `contains` and friends.
fn unescape_auto(pattern: Node, escape: Option<char>) -> Node {
    match pattern {
        Node::Param(Value::Text(s)) if escape == Some(LIKE_ESCAPE) => {
            Node::Param(Value::Text(unescape_like(&s)))
        }
        other => other,
    }
}
