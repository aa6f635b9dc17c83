//! Structural identity of expressions: two nodes that would compile to the
//! same SQL with the same parameter values.
//!
//! Used where SQL must repeat an expression exactly: an ORDER BY label names
//! the select list's label only when it labels the same expression, and on
//! PostgreSQL a GROUP BY / HAVING / ORDER BY expression identical to one of
//! the select list reuses its placeholders. Nodes holding a nested SELECT or
//! textual SQL are never identical (conservative: they are written again).

use crate::expr::{Node, Window};

/// True when `a` and `b` are the same expression with the same values.
pub(crate) fn identical(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (
            Node::Column { source, name },
            Node::Column {
                source: s2,
                name: n2,
            },
        ) => name == n2 && source.key() == s2.key(),
        (Node::Param(x), Node::Param(y)) => x == y,
        (Node::Null, Node::Null) | (Node::Star, Node::Star) => true,
        (Node::Bool(x), Node::Bool(y)) => x == y,
        (Node::Literal(x), Node::Literal(y)) | (Node::LabelRef(x), Node::LabelRef(y)) => x == y,
        (Node::Excluded(x), Node::Excluded(y)) => x == y,
        (
            Node::Unary { op, operand },
            Node::Unary {
                op: o2,
                operand: p2,
            },
        ) => op == o2 && identical(operand, p2),
        (
            Node::Binary { op, left, right },
            Node::Binary {
                op: o2,
                left: l2,
                right: r2,
            },
        ) => op == o2 && identical(left, l2) && identical(right, r2),
        (
            Node::IsNull { operand, negated },
            Node::IsNull {
                operand: p2,
                negated: n2,
            },
        ) => negated == n2 && identical(operand, p2),
        (
            Node::InList {
                operand,
                items,
                negated,
            },
            Node::InList {
                operand: p2,
                items: i2,
                negated: n2,
            },
        ) => negated == n2 && identical(operand, p2) && all_identical(items, i2),
        (
            Node::Between {
                operand,
                low,
                high,
                negated,
            },
            Node::Between {
                operand: p2,
                low: l2,
                high: h2,
                negated: n2,
            },
        ) => negated == n2 && identical(operand, p2) && identical(low, l2) && identical(high, h2),
        (
            Node::Like {
                operand,
                pattern,
                negated,
                case_insensitive,
                escape,
            },
            Node::Like {
                operand: p2,
                pattern: pat2,
                negated: n2,
                case_insensitive: c2,
                escape: e2,
            },
        ) => {
            negated == n2
                && case_insensitive == c2
                && escape == e2
                && identical(operand, p2)
                && identical(pattern, pat2)
        }
        (
            Node::Func {
                name,
                args,
                distinct,
            },
            Node::Func {
                name: n2,
                args: a2,
                distinct: d2,
            },
        ) => name == n2 && distinct == d2 && all_identical(args, a2),
        (
            Node::Case { whens, else_ },
            Node::Case {
                whens: w2,
                else_: e2,
            },
        ) => {
            whens.len() == w2.len()
                && whens
                    .iter()
                    .zip(w2)
                    .all(|((c, v), (c2, v2))| identical(c, c2) && identical(v, v2))
                && match (else_, e2) {
                    (Some(x), Some(y)) => identical(x, y),
                    (None, None) => true,
                    _ => false,
                }
        }
        (
            Node::Cast { operand, sql_type },
            Node::Cast {
                operand: p2,
                sql_type: t2,
            },
        ) => sql_type == t2 && identical(operand, p2),
        (
            Node::Label { operand, name },
            Node::Label {
                operand: p2,
                name: n2,
            },
        ) => name == n2 && identical(operand, p2),
        (
            Node::Extract { field, operand },
            Node::Extract {
                field: f2,
                operand: p2,
            },
        ) => field == f2 && identical(operand, p2),
        (
            Node::StringOp { op, operand },
            Node::StringOp {
                op: o2,
                operand: p2,
            },
        ) => op == o2 && identical(operand, p2),
        (
            Node::Over { func, window },
            Node::Over {
                func: f2,
                window: w2,
            },
        ) => identical(func, f2) && same_window(window, w2),
        (
            Node::Order {
                operand,
                desc,
                nulls,
            },
            Node::Order {
                operand: p2,
                desc: d2,
                nulls: n2,
            },
        ) => desc == d2 && nulls == n2 && identical(operand, p2),
        (Node::Tuple(items), Node::Tuple(i2)) => all_identical(items, i2),
        _ => false,
    }
}

fn all_identical(a: &[Node], b: &[Node]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| identical(x, y))
}

fn same_window(a: &Window, b: &Window) -> bool {
    a.frame == b.frame
        && all_identical(&a.partition_by, &b.partition_by)
        && all_identical(&a.order_by, &b.order_by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::ExprLike;
    use crate::schema::MetaData;
    use crate::sql_type::Integer;

    #[test]
    fn same_structure_and_values_only() {
        let md = MetaData::new();
        let t = md.table("t", |t| {
            t.column("a", Integer);
            t.column("b", Integer);
        });
        let a1 = (t.c("a") + 1).into_node();
        assert!(identical(&a1, &(t.c("a") + 1).into_node()));
        assert!(!identical(&a1, &(t.c("a") + 2).into_node()));
        assert!(!identical(&a1, &(t.c("b") + 1).into_node()));
        assert!(!identical(&a1, &(t.c("a") - 1).into_node()));
        let alias = t.alias("x");
        assert!(!identical(&t.c("a").into_node(), &alias.c("a").into_node()));
        // A nested SELECT is never identical, even to itself.
        let sub = crate::stmt::select(t.c("a")).scalar_subquery().into_node();
        assert!(!identical(&sub, &sub.clone()));
    }
}
