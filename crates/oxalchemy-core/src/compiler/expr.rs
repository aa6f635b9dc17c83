//! Writing expressions.

use super::Compiler;
use crate::dialect::UpsertStyle;
use crate::error::{Error, Result};
use crate::expr::{BinOp, Node, NullsOrder, UnaryOp, Window};
use crate::value::Value;

impl<'a> Compiler<'a> {
    /// Write `node`, parenthesized when it binds looser than `min_prec`.
    pub(crate) fn node_prec(&mut self, node: &'a Node, min_prec: u8) -> Result<()> {
        if node.precedence() < min_prec {
            self.push("(");
            self.node(node)?;
            self.push(")");
            Ok(())
        } else {
            self.node(node)
        }
    }

    /// Write one expression.
    pub(crate) fn node(&mut self, node: &'a Node) -> Result<()> {
        match node {
            Node::Column { source, name } => {
                if !self.unqualified {
                    match source {
                        crate::expr::Source::Table(t) => self.table_name(t),
                        crate::expr::Source::Static(f) => {
                            let t = f();
                            self.table_name(t);
                        }
                        other => {
                            let q = other.qualifier();
                            self.ident(q);
                        }
                    }
                    self.push(".");
                }
                self.ident(name);
            }
            Node::Param(v) => self.bind(v.clone()),
            Node::Null => self.push("NULL"),
            Node::Star => self.push("*"),
            Node::Unary { op, operand } => match op {
                UnaryOp::Not => {
                    self.push("NOT (");
                    self.node(operand)?;
                    self.push(")");
                }
                UnaryOp::Neg => {
                    self.push("-");
                    self.node_prec(operand, 9)?;
                }
            },
            Node::Binary { op, left, right } => self.binary(*op, left, right)?,
            Node::IsNull { operand, negated } => {
                self.node_prec(operand, 5)?;
                self.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Node::InList {
                operand,
                items,
                negated,
            } => {
                if items.is_empty() {
                    // SQLAlchemy's "empty IN": always false (true for NOT IN).
                    self.push(if *negated { "(1 = 1)" } else { "(1 != 1)" });
                } else {
                    self.node_prec(operand, 5)?;
                    self.push(if *negated { " NOT IN (" } else { " IN (" });
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.push(", ");
                        }
                        self.node(item)?;
                    }
                    self.push(")");
                }
            }
            Node::InSelect {
                operand,
                select,
                negated,
            } => {
                self.node_prec(operand, 5)?;
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                self.nested_select(select)?;
                self.push(")");
            }
            Node::Between {
                operand,
                low,
                high,
                negated,
            } => {
                self.node_prec(operand, 5)?;
                self.push(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                });
                self.node_prec(low, 5)?;
                self.push(" AND ");
                self.node_prec(high, 5)?;
            }
            Node::Like {
                operand,
                pattern,
                negated,
                case_insensitive,
                escape,
            } => self.like(operand, pattern, *negated, *case_insensitive, *escape)?,
            Node::Func {
                name,
                args,
                distinct,
            } => self.func(name, args, *distinct)?,
            Node::Case { whens, else_ } => {
                self.push("CASE");
                for (cond, value) in whens {
                    self.push(" WHEN ");
                    self.node(cond)?;
                    self.push(" THEN ");
                    self.node(value)?;
                }
                if let Some(e) = else_ {
                    self.push(" ELSE ");
                    self.node(e)?;
                }
                self.push(" END");
            }
            Node::Cast { operand, sql_type } => {
                self.push("CAST(");
                self.node(operand)?;
                self.push(" AS ");
                let t = self.d.cast_type_name(sql_type);
                self.push(&t);
                self.push(")");
            }
            // Outside a select list a label is just its expression.
            Node::Label { operand, .. } => self.node(operand)?,
            Node::ScalarSubquery(select) => {
                self.push("(");
                self.nested_select(select)?;
                self.push(")");
            }
            Node::Exists { select, negated } => {
                self.push(if *negated { "NOT EXISTS (" } else { "EXISTS (" });
                self.nested_select(select)?;
                self.push(")");
            }
            Node::Over { func, window } => {
                self.node(func)?;
                self.push(" OVER (");
                self.window(window)?;
                self.push(")");
            }
            Node::Order {
                operand,
                desc,
                nulls,
            } => self.order_term(operand, *desc, *nulls, &[])?,
            Node::Tuple(items) => {
                self.push("(");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.node(item)?;
                }
                self.push(")");
            }
            Node::Excluded(name) => match self.d.upsert_style() {
                UpsertStyle::OnConflict => {
                    self.push("excluded.");
                    self.ident(name);
                }
                UpsertStyle::OnDuplicateKey => {
                    self.push("VALUES(");
                    self.ident(name);
                    self.push(")");
                }
            },
            Node::Text(t) => {
                let d = self.d;
                t.render(d, &mut self.sql, &mut self.params)?;
            }
        }
        Ok(())
    }

    fn binary(&mut self, op: BinOp, left: &'a Node, right: &'a Node) -> Result<()> {
        if op == BinOp::Concat && !self.d.concat_is_operator() {
            self.push("CONCAT(");
            self.node(left)?;
            self.push(", ");
            self.node(right)?;
            self.push(")");
            return Ok(());
        }
        let p = op.precedence();
        let comparison = p == 4;
        // Left: parenthesize looser children, and chained comparisons.
        let left_min = if comparison { p + 1 } else { p };
        self.node_prec(left, left_min)?;
        self.push(op.sql());
        // Right: also parenthesize an equal-precedence child unless it is the same associative op.
        let same_assoc =
            matches!(right, Node::Binary { op: r, .. } if *r == op && op.is_associative());
        let right_min = if same_assoc { p } else { p + 1 };
        self.node_prec(right, right_min)
    }

    fn like(
        &mut self,
        operand: &'a Node,
        pattern: &'a Node,
        negated: bool,
        case_insensitive: bool,
        escape: Option<char>,
    ) -> Result<()> {
        let native_ilike = case_insensitive && self.d.supports_ilike();
        let emulate = case_insensitive && !native_ilike;
        if emulate {
            self.push("lower(");
            self.node(operand)?;
            self.push(")");
        } else {
            self.node_prec(operand, 5)?;
        }
        self.push(match (negated, native_ilike) {
            (false, false) => " LIKE ",
            (true, false) => " NOT LIKE ",
            (false, true) => " ILIKE ",
            (true, true) => " NOT ILIKE ",
        });
        if emulate {
            self.push("lower(");
            self.node(pattern)?;
            self.push(")");
        } else {
            self.node_prec(pattern, 5)?;
        }
        if let Some(e) = escape {
            self.push(" ESCAPE ");
            let d = self.d;
            d.write_string_literal(&e.to_string(), &mut self.sql);
        }
        Ok(())
    }

    fn func(&mut self, name: &str, args: &'a [Node], distinct: bool) -> Result<()> {
        if name == "now" && args.is_empty() {
            self.push("CURRENT_TIMESTAMP");
            return Ok(());
        }
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            && !name.as_bytes()[0].is_ascii_digit();
        if !valid {
            return Err(Error::argument(format!(
                "{name:?} is not a valid SQL function name (letters, digits, '_' and '.' only)"
            )));
        }
        let spelled = self.d.function_name(name).unwrap_or(name);
        self.push(spelled);
        self.push("(");
        if distinct {
            self.push("DISTINCT ");
        }
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.node(a)?;
        }
        self.push(")");
        Ok(())
    }

    fn window(&mut self, w: &'a Window) -> Result<()> {
        let mut sep = "";
        if !w.partition_by.is_empty() {
            self.push("PARTITION BY ");
            self.list(&w.partition_by)?;
            sep = " ";
        }
        if !w.order_by.is_empty() {
            self.push(sep);
            self.push("ORDER BY ");
            self.order_list(&w.order_by, &[])?;
            sep = " ";
        }
        if let Some(f) = &w.frame {
            self.push(sep);
            self.push(if f.range {
                "RANGE BETWEEN "
            } else {
                "ROWS BETWEEN "
            });
            let bound = |v: Option<i64>, start: bool| -> String {
                match v {
                    None if start => "UNBOUNDED PRECEDING".into(),
                    None => "UNBOUNDED FOLLOWING".into(),
                    Some(0) => "CURRENT ROW".into(),
                    Some(n) if n < 0 => format!("{} PRECEDING", n.unsigned_abs()),
                    Some(n) => format!("{n} FOLLOWING"),
                }
            };
            let s = bound(f.start, true);
            let e = bound(f.end, false);
            self.push(&s);
            self.push(" AND ");
            self.push(&e);
        }
        Ok(())
    }

    /// A comma-separated expression list.
    pub(crate) fn list(&mut self, nodes: &'a [Node]) -> Result<()> {
        for (i, n) in nodes.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.node(n)?;
        }
        Ok(())
    }

    /// A comma-separated ORDER BY list. A label of the select list (`labels`)
    /// is written as its name, as SQLAlchemy does: the expression written again
    /// would bind its parameters again, which PostgreSQL does not see as the
    /// same expression (SELECT DISTINCT, set operations).
    pub(crate) fn order_list(&mut self, nodes: &'a [Node], labels: &[&str]) -> Result<()> {
        for (i, n) in nodes.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            match n {
                Node::Order {
                    operand,
                    desc,
                    nulls,
                } => self.order_term(operand, *desc, *nulls, labels)?,
                Node::Label { operand, name } => self.order_operand(operand, name, labels)?,
                other => self.node(other)?,
            }
        }
        Ok(())
    }

    /// A labeled ORDER BY expression: the label's name when the select list has it.
    fn order_operand(&mut self, operand: &'a Node, name: &str, labels: &[&str]) -> Result<()> {
        if labels.contains(&name) {
            self.ident(name);
            Ok(())
        } else {
            self.node(operand)
        }
    }

    fn order_term(
        &mut self,
        operand: &'a Node,
        desc: bool,
        nulls: Option<NullsOrder>,
        labels: &[&str],
    ) -> Result<()> {
        let write = |c: &mut Self, min_prec: u8| match operand {
            Node::Label { name, .. } if labels.contains(&name.as_ref()) => {
                c.ident(name);
                Ok(())
            }
            Node::Label { operand, .. } => c.node_prec(operand, min_prec),
            o => c.node_prec(o, min_prec),
        };
        match nulls {
            Some(n) if !self.d.supports_nulls_ordering() => {
                // `x IS NULL` is 0 for values and 1 for NULLs: sort on it first.
                write(self, 5)?;
                self.push(match n {
                    NullsOrder::First => " IS NULL DESC, ",
                    NullsOrder::Last => " IS NULL ASC, ",
                });
                write(self, 0)?;
                self.push(if desc { " DESC" } else { " ASC" });
            }
            _ => {
                write(self, 0)?;
                self.push(if desc { " DESC" } else { " ASC" });
                match nulls {
                    Some(NullsOrder::First) => self.push(" NULLS FIRST"),
                    Some(NullsOrder::Last) => self.push(" NULLS LAST"),
                    None => {}
                }
            }
        }
        Ok(())
    }

    /// A bound literal value (used by DML for defaults).
    pub(crate) fn value(&mut self, v: Value) {
        self.bind(v);
    }
}
