//! Result-column names (SQLAlchemy's labeling rules) and names in ORDER BY /
//! GROUP BY: labels of the select list and `order_by("name")`.

use super::Compiler;
use super::identical::identical;
use crate::error::{Error, Result};
use crate::expr::{Node, NullsOrder};

/// The select list ORDER BY / GROUP BY names resolve against.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LabelScope<'a> {
    /// No select list (a window's ORDER BY): names are plain identifiers.
    None,
    /// A simple SELECT's columns: a label is named only for the same expression.
    Select(&'a [Node]),
    /// A set operation's result columns (its first member's): named by name.
    Compound(&'a [Node]),
}

impl<'a> Compiler<'a> {
    /// One result column with its label: a label's name; none for a column,
    /// `*`, text or a literal column; the column's name for a CAST of a column
    /// (`CAST(t.age AS ..) AS age`, `age__1` when an earlier column has it);
    /// `<function>_<n>` for a function call and `anon_<n>` for anything else,
    /// numbered per name over the whole statement, as SQLAlchemy does.
    pub(crate) fn select_column(&mut self, columns: &'a [Node], i: usize) -> Result<()> {
        let col = &columns[i];
        match col {
            Node::Label { operand, name } => {
                self.node(operand)?;
                self.push(" AS ");
                self.ident(name);
                return Ok(());
            }
            Node::Column { .. }
            | Node::Star
            | Node::Text(_)
            | Node::Literal(_)
            | Node::LabelRef(_) => return self.node(col),
            _ => self.node(col)?,
        }
        let label = match col {
            Node::Cast { operand, .. } => match operand.as_ref() {
                Node::Column { name, .. } => {
                    let taken = columns[..i]
                        .iter()
                        .any(|c| c.output_name() == Some(name.as_ref()));
                    if taken {
                        self.anon_label(&format!("{name}_"))
                    } else {
                        name.to_string()
                    }
                }
                _ => self.anon_label("anon"),
            },
            Node::Func { name, .. } => self.anon_label(name),
            _ => self.anon_label("anon"),
        };
        self.push(" AS ");
        self.ident(&label);
        Ok(())
    }

    /// A name of the select list (`order_by("x")`): a label or a labeled
    /// expression by its name, a column or literal column as itself.
    pub(crate) fn label_ref(&mut self, name: &str) -> Result<()> {
        let columns = match self.label_scope {
            LabelScope::None => {
                self.ident(name);
                return Ok(());
            }
            LabelScope::Select(c) | LabelScope::Compound(c) => c,
        };
        match columns.iter().find(|c| c.output_name() == Some(name)) {
            Some(col @ (Node::Column { .. } | Node::Literal(_))) => self.node(col),
            Some(_) => {
                self.ident(name);
                Ok(())
            }
            None => {
                let names: Vec<&str> = columns.iter().filter_map(Node::output_name).collect();
                Err(Error::argument(format!(
                    "cannot resolve {name:?} in ORDER BY / GROUP BY: the select list has no label or column of that name (it has: {})",
                    names.join(", ")
                )))
            }
        }
    }

    /// A comma-separated GROUP BY list; names resolve against `scope`.
    pub(crate) fn group_list(&mut self, nodes: &'a [Node], scope: LabelScope<'a>) -> Result<()> {
        let saved = std::mem::replace(&mut self.label_scope, scope);
        let r = self.list(nodes);
        self.label_scope = saved;
        r
    }

    /// A comma-separated ORDER BY list. A label is written as its name when
    /// the select list has that label for the same expression (SQLAlchemy
    /// names its own label object): the expression again would bind its
    /// parameters again, which PostgreSQL does not see as the same expression
    /// (SELECT DISTINCT, set operations). Otherwise the expression is written.
    pub(crate) fn order_list(&mut self, nodes: &'a [Node], scope: LabelScope<'a>) -> Result<()> {
        let saved = std::mem::replace(&mut self.label_scope, scope);
        let r = self.order_items(nodes, scope);
        self.label_scope = saved;
        r
    }

    fn order_items(&mut self, nodes: &'a [Node], scope: LabelScope<'a>) -> Result<()> {
        for (i, n) in nodes.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            match n {
                Node::Order {
                    operand,
                    desc,
                    nulls,
                } => self.order_term(operand, *desc, *nulls, scope)?,
                Node::Label { operand, name } => self.order_label(operand, name, scope, 0)?,
                other => self.node(other)?,
            }
        }
        Ok(())
    }

    /// A labeled ORDER BY expression: its name when the select list has it.
    fn order_label(
        &mut self,
        operand: &'a Node,
        name: &str,
        scope: LabelScope<'a>,
        min_prec: u8,
    ) -> Result<()> {
        let named = match scope {
            LabelScope::None => false,
            LabelScope::Select(columns) => columns.iter().any(|c| {
                matches!(c, Node::Label { name: n, operand: o } if n == name && identical(o, operand))
            }),
            LabelScope::Compound(columns) => columns.iter().any(|c| c.output_name() == Some(name)),
        };
        if named {
            self.ident(name);
            Ok(())
        } else {
            self.node_prec(operand, min_prec)
        }
    }

    pub(crate) fn order_term(
        &mut self,
        operand: &'a Node,
        desc: bool,
        nulls: Option<NullsOrder>,
        scope: LabelScope<'a>,
    ) -> Result<()> {
        let write = |c: &mut Self, min_prec: u8| match operand {
            Node::Label { operand, name } => c.order_label(operand, name, scope, min_prec),
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
}
