//! Writing expressions.

use super::Compiler;
use super::labels::LabelScope;
use crate::dialect::{DistinctFrom, LongInList, UpsertStyle};
use crate::error::{Error, Result};
use crate::expr::{BinOp, Node, UnaryOp, Window};
use crate::sql_type::SqlType;
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

    /// Write one expression (reusing the placeholders of an identical
    /// select-list expression where that is on, see `reuse`).
    pub(crate) fn node(&mut self, node: &'a Node) -> Result<()> {
        if let Some(indices) = self.reusable_params(node) {
            self.replay = Some(indices.into_iter());
            let r = self.write_node(node);
            self.replay = None;
            return r;
        }
        self.write_node(node)
    }

    fn write_node(&mut self, node: &'a Node) -> Result<()> {
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
            Node::Invalid(message) => return Err(Error::argument(message.to_string())),
            Node::Bool(b) => {
                let d = self.d;
                self.push(d.boolean_literal(*b));
            }
            Node::Literal(sql) => {
                if self.shape_only {
                    super::write_shape_ident(sql, &mut self.sql);
                } else {
                    self.push(sql);
                }
            }
            Node::LabelRef(name) => self.label_ref(name)?,
            Node::Extract { field, operand } => {
                let (before, after) = self.d.extract(*field);
                self.push(before);
                self.node(operand)?;
                self.push(after);
            }
            Node::Star => self.push("*"),
            Node::StringOp { op, operand } => {
                let (before, after) = self.d.string_op(*op);
                self.push(&before);
                self.node(operand)?;
                self.push(&after);
            }
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
                } else if let Some(list) = LongList::of(items, self.d.long_in_list()) {
                    self.long_in_list(operand, list, *negated)?;
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
                // SQLite keeps every digit through CAST(.. AS NUMERIC(p, s)): round to s.
                let round = match sql_type {
                    SqlType::Numeric(_, scale) if !self.d.numeric_cast_rounds() => Some(*scale),
                    _ => None,
                };
                if round.is_some() {
                    self.push("ROUND(");
                }
                self.push("CAST(");
                self.node(operand)?;
                self.push(" AS ");
                let t = self.d.cast_type_name(sql_type);
                self.push(&t);
                self.push(")");
                if let Some(scale) = round {
                    self.push(", ");
                    self.push(&scale.to_string());
                    self.push(")");
                }
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
            Node::Over { func, window } => self.over(func, window)?,
            Node::Order {
                operand,
                desc,
                nulls,
            } => self.order_term(operand, *desc, *nulls, LabelScope::None)?,
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
        match op {
            BinOp::Div => return self.true_div(left, right),
            BinOp::FloorDiv => return self.floor_div(left, right),
            BinOp::TruncDiv => {
                let p = op.precedence();
                self.node_prec(left, p)?;
                self.push(self.d.truncating_division_operator());
                return self.node_prec(right, p + 1);
            }
            BinOp::IsDistinctFrom | BinOp::IsNotDistinctFrom => {
                let distinct = op == BinOp::IsDistinctFrom;
                match self.d.distinct_from() {
                    DistinctFrom::Is => {
                        self.node_prec(left, 5)?;
                        self.push(if distinct { " IS NOT " } else { " IS " });
                        return self.node_prec(right, 5);
                    }
                    DistinctFrom::NullSafeEqual => {
                        if distinct {
                            self.push("NOT (");
                        }
                        self.node_prec(left, 5)?;
                        self.push(" <=> ");
                        self.node_prec(right, 5)?;
                        if distinct {
                            self.push(")");
                        }
                        return Ok(());
                    }
                    _ => {}
                }
            }
            _ => {}
        }
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

    pub(crate) fn window(&mut self, w: &'a Window) -> Result<()> {
        let mut sep = "";
        if !w.partition_by.is_empty() {
            self.push("PARTITION BY ");
            self.list(&w.partition_by)?;
            sep = " ";
        }
        if !w.order_by.is_empty() {
            self.push(sep);
            self.push("ORDER BY ");
            self.order_list(&w.order_by, LabelScope::None)?;
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

    /// A bound literal value (used by DML for defaults).
    pub(crate) fn value(&mut self, v: Value) {
        self.bind(v);
    }
}

/// An `in_()` list longer than [`LONG_IN_LIST`] of plain integers or plain
/// strings: sent as one parameter (an array or JSON text) instead of one
/// parameter per value, so no list meets the protocol's parameter limit.
pub(crate) const LONG_IN_LIST: usize = 1_000;

/// The widest VARCHAR of utf8mb4 (65 535 bytes / 4).
const MYSQL_MAX_VARCHAR: usize = 16_383;

/// A long list of one kind, as the one parameter that carries it.
pub(crate) struct LongList {
    integers: bool,
    /// The longest string, in characters (MySQL's JSON_TABLE column width).
    max_chars: usize,
    param: Value,
}

impl LongList {
    /// The list as one parameter for `dialect`, when it is long and every item
    /// is a bound integer (or every item a bound string) and the dialect has a
    /// way to read it (PostgreSQL, SQLite, MySQL/MariaDB).
    fn of(items: &[Node], style: LongInList) -> Option<LongList> {
        if items.len() <= LONG_IN_LIST || style == LongInList::None {
            return None;
        }
        let integers = matches!(items.first(), Some(Node::Param(Value::Int(_))));
        let mut max_chars = 1;
        let mut out = String::with_capacity(items.len() * 8);
        let array = style == LongInList::UnnestArray;
        out.push(if array { '{' } else { '[' });
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match (item, integers) {
                (Node::Param(Value::Int(n)), true) => out.push_str(&n.to_string()),
                (Node::Param(Value::Text(t)), false) if array => {
                    max_chars = max_chars.max(t.chars().count());
                    // An array literal element: quoted, `"` and `\` escaped.
                    out.push('"');
                    for c in t.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                }
                (Node::Param(Value::Text(t)), false) => {
                    max_chars = max_chars.max(t.chars().count());
                    out.push_str(&serde_json::Value::from(t.as_str()).to_string());
                }
                _ => return None,
            }
        }
        out.push(if array { '}' } else { ']' });
        // MySQL reads strings into a VARCHAR as wide as the longest (a
        // LONGTEXT column cannot be hashed: the IN would compare every pair).
        if style == LongInList::JsonTable && !integers && max_chars > MYSQL_MAX_VARCHAR {
            return None;
        }
        Some(LongList {
            integers,
            max_chars,
            param: Value::Text(out),
        })
    }
}

impl<'a> Compiler<'a> {
    /// `x [NOT] IN (..)` over a [`LongList`]: PostgreSQL's `unnest(array)`,
    /// SQLite's `json_each`, MySQL's `JSON_TABLE`, each with one parameter.
    fn long_in_list(&mut self, operand: &'a Node, list: LongList, negated: bool) -> Result<()> {
        self.node_prec(operand, 5)?;
        self.push(if negated { " NOT IN (" } else { " IN (" });
        let style = self.d.long_in_list();
        if style == LongInList::UnnestArray {
            // unnest() of the array in a subquery, which the planner hashes
            // (`x = ANY($1)` compares every row with every element: the
            // array cast is not folded into a constant it could hash).
            self.push("SELECT unnest(CAST(CAST(");
            self.bind(list.param);
            self.push(if list.integers {
                " AS TEXT) AS BIGINT[])))"
            } else {
                " AS TEXT) AS TEXT[])))"
            });
        } else if style == LongInList::JsonEach {
            self.push("SELECT value FROM json_each(");
            self.bind(list.param);
            self.push("))");
        } else {
            self.push("SELECT oxa_in.v FROM JSON_TABLE(");
            self.bind(list.param);
            if list.integers {
                self.push(", '$[*]' COLUMNS (v BIGINT PATH '$')) AS oxa_in)");
            } else {
                let width = format!(
                    ", '$[*]' COLUMNS (v VARCHAR({}) PATH '$')) AS oxa_in)",
                    list.max_chars
                );
                self.push(&width);
            }
        }
        Ok(())
    }
}
