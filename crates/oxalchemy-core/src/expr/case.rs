//! `case([(cond, value), ..]).else_(v)`: SQL CASE expressions.

use super::column::AnyType;
use super::node::Node;
use super::operand::Operand;
use super::operators::ExprLike;
use super::typed::Expr;

/// A CASE expression under construction; usable as an expression as is (no ELSE = NULL).
#[derive(Debug, Clone)]
pub struct Case {
    whens: Vec<(Node, Node)>,
}

/// `CASE WHEN cond THEN value .. END`.
///
/// ```
/// use oxalchemy_core::{MetaData, case, ExprLike, sql_type::Integer};
/// let md = MetaData::new();
/// let t = md.table("t", |t| { t.column("x", Integer); });
/// let size = case([(t.c("x").lt(10), "small"), (t.c("x").lt(100), "medium")]).else_("large");
/// # let _ = size;
/// ```
pub fn case<I, C, V>(whens: I) -> Case
where
    I: IntoIterator<Item = (C, V)>,
    C: ExprLike,
    V: Operand<AnyType>,
{
    Case {
        whens: whens
            .into_iter()
            .map(|(c, v)| (c.into_node(), v.into_operand()))
            .collect(),
    }
}

impl Case {
    /// Add one more WHEN branch.
    pub fn when(mut self, cond: impl ExprLike, value: impl Operand<AnyType>) -> Self {
        self.whens.push((cond.into_node(), value.into_operand()));
        self
    }

    /// The ELSE branch; finishes the expression.
    pub fn else_(self, value: impl Operand<AnyType>) -> Expr<AnyType> {
        Expr::new(Node::Case {
            whens: self.whens,
            else_: Some(Box::new(value.into_operand())),
        })
    }
}

impl ExprLike for Case {
    type Type = AnyType;
    fn into_node(self) -> Node {
        Node::Case {
            whens: self.whens,
            else_: None,
        }
    }
}
