//! SQLAlchemy's `synchronize_session="evaluate"`: a bulk UPDATE's or
//! DELETE's WHERE clause (and an UPDATE's SET values) computed in Rust
//! against the snapshots of the identity map, for a subset of SQL:
//! columns of the statement's table, literal values, `=` `<>` `<` `<=` `>`
//! `>=`, `IS [NOT] NULL`, `[NOT] IN (..)`, `AND` / `OR` / `NOT`, `+`
//! `-` `*` on numbers and concatenation of text. Anything else is "cannot be evaluated".

use super::model_info::ModelInfo;
use oxalchemy_core::expr::{BinOp, UnaryOp};
use oxalchemy_core::{Node, Source, Value};
use std::cmp::Ordering;

/// Why an expression cannot be evaluated in Rust (the message names it).
#[derive(Debug)]
pub(crate) struct Unevaluatable(pub(crate) String);

type Eval<T> = std::result::Result<T, Unevaluatable>;

/// The model's table, to resolve columns of the statement against a snapshot.
pub(crate) struct Evaluator {
    info: ModelInfo,
}

impl Evaluator {
    pub(crate) fn new(info: ModelInfo) -> Evaluator {
        Evaluator { info }
    }

    /// Check that `node` can be evaluated (without a row): the modes that
    /// must decide before running the statement call this.
    pub(crate) fn check(&self, node: &Node) -> Eval<()> {
        let row = vec![Value::Null; self.info.mapper.columns.len()];
        self.value(node, &row).map(|_| ())
    }

    /// True when the condition holds for `row` (SQL's three-valued logic:
    /// NULL, unknown, is not a match).
    pub(crate) fn matches(&self, cond: &Node, row: &[Value]) -> Eval<bool> {
        Ok(matches!(self.value(cond, row)?, Value::Bool(true)))
    }

    /// The value of `node` for `row` (a condition evaluates to `Bool` or `Null`).
    pub(crate) fn value(&self, node: &Node, row: &[Value]) -> Eval<Value> {
        match node {
            Node::Param(v) => Ok(v.clone()),
            Node::Null => Ok(Value::Null),
            Node::Bool(b) => Ok(Value::Bool(*b)),
            Node::Column { source, name } => {
                let pos = self.position(source, name)?;
                Ok(row.get(pos).cloned().unwrap_or(Value::Null))
            }
            Node::IsNull { operand, negated } => {
                let v = self.value(operand, row)?;
                Ok(Value::Bool(v.is_null() != *negated))
            }
            Node::InList {
                operand,
                items,
                negated,
            } => {
                let v = self.value(operand, row)?;
                let mut result = Value::Bool(false);
                for item in items {
                    let c = self.value(item, row)?;
                    match compare(&v, &c)? {
                        Some(Ordering::Equal) => {
                            result = Value::Bool(true);
                            break;
                        }
                        None => result = Value::Null,
                        Some(_) => {}
                    }
                }
                Ok(if *negated { not(result) } else { result })
            }
            Node::Unary {
                op: UnaryOp::Not,
                operand,
            } => Ok(not(self.value(operand, row)?)),
            Node::Unary {
                op: UnaryOp::Neg,
                operand,
            } => match self.value(operand, row)? {
                Value::Int(i) => Ok(Value::Int(-i)),
                Value::Float(f) => Ok(Value::Float(-f)),
                Value::Null => Ok(Value::Null),
                other => Err(Unevaluatable(format!("the negation of {other}"))),
            },
            Node::Binary { op, left, right } => {
                let l = self.value(left, row)?;
                let r = self.value(right, row)?;
                binary(*op, l, r)
            }
            other => Err(Unevaluatable(format!("{other:?}"))),
        }
    }

    /// Position (in mapper order) of column `name` of the model's table.
    fn position(&self, source: &Source, name: &str) -> Eval<usize> {
        let table = match source {
            Source::Table(t) => t.fullname(),
            Source::Static(t) => t().fullname(),
            _ => {
                return Err(Unevaluatable(format!(
                    "column {name} of another FROM than the table {}",
                    self.info.table_name()
                )));
            }
        };
        if table != self.info.table.fullname() {
            return Err(Unevaluatable(format!(
                "column {table}.{name} of another table than {}",
                self.info.table_name()
            )));
        }
        self.info
            .mapper
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                Unevaluatable(format!(
                    "column {name}, which {} does not map",
                    self.info.mapper.model
                ))
            })
    }
}

fn not(v: Value) -> Value {
    match v {
        Value::Bool(b) => Value::Bool(!b),
        other => other,
    }
}

/// SQL's order of two values: `None` when one is NULL; values of kinds
/// that do not compare in Rust cannot be evaluated.
fn compare(a: &Value, b: &Value) -> Eval<Option<Ordering>> {
    use Value::*;
    let ord = match (a, b) {
        (Null, _) | (_, Null) => return Ok(None),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Int(x), Int(y)) => x.cmp(y),
        (Int(x), Float(y)) => (*x as f64).total_cmp(y),
        (Float(x), Int(y)) => x.total_cmp(&(*y as f64)),
        (Float(x), Float(y)) => x.total_cmp(y),
        (Decimal(x), Decimal(y)) => x.cmp(y),
        (Decimal(x), Int(y)) => x.cmp(&rust_decimal::Decimal::from(*y)),
        (Int(x), Decimal(y)) => rust_decimal::Decimal::from(*x).cmp(y),
        (Text(x), Text(y)) => x.cmp(y),
        (Bytes(x), Bytes(y)) => x.cmp(y),
        (Date(x), Date(y)) => x.cmp(y),
        (Time(x), Time(y)) => x.cmp(y),
        (DateTime(x), DateTime(y)) => x.cmp(y),
        (Timestamp(x), Timestamp(y)) => x.cmp(y),
        (Uuid(x), Uuid(y)) => x.cmp(y),
        _ => {
            return Err(Unevaluatable(format!(
                "a comparison of {a} with {b} (different kinds of value)"
            )));
        }
    };
    Ok(Some(ord))
}

fn binary(op: BinOp, l: Value, r: Value) -> Eval<Value> {
    let cmp = |want: fn(Ordering) -> bool| -> Eval<Value> {
        Ok(match compare(&l, &r)? {
            Some(o) => Value::Bool(want(o)),
            None => Value::Null,
        })
    };
    match op {
        BinOp::Eq => cmp(|o| o == Ordering::Equal),
        BinOp::Ne => cmp(|o| o != Ordering::Equal),
        BinOp::Lt => cmp(|o| o == Ordering::Less),
        BinOp::Le => cmp(|o| o != Ordering::Greater),
        BinOp::Gt => cmp(|o| o == Ordering::Greater),
        BinOp::Ge => cmp(|o| o != Ordering::Less),
        BinOp::And => Ok(match (&l, &r) {
            (Value::Bool(false), _) | (_, Value::Bool(false)) => Value::Bool(false),
            (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
            _ => Value::Null,
        }),
        BinOp::Or => Ok(match (&l, &r) {
            (Value::Bool(true), _) | (_, Value::Bool(true)) => Value::Bool(true),
            (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
            _ => Value::Null,
        }),
        BinOp::Add | BinOp::Sub | BinOp::Mul => arithmetic(op, l, r),
        BinOp::Concat => match (l, r) {
            (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
            (Value::Text(a), Value::Text(b)) => Ok(Value::Text(a + &b)),
            (a, b) => Err(Unevaluatable(format!(
                "the concatenation of {a} and {b} (only text is concatenated)"
            ))),
        },
        other => Err(Unevaluatable(format!("the operator {other:?}"))),
    }
}

fn arithmetic(op: BinOp, l: Value, r: Value) -> Eval<Value> {
    use Value::*;
    let overflow = || Unevaluatable(format!("{l} {op:?} {r} (overflow)"));
    Ok(match (&l, &r) {
        (Null, _) | (_, Null) => Null,
        (Int(x), Int(y)) => Int(match op {
            BinOp::Add => x.checked_add(*y),
            BinOp::Sub => x.checked_sub(*y),
            _ => x.checked_mul(*y),
        }
        .ok_or_else(overflow)?),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            let as_f = |v: &Value| match v {
                Int(i) => *i as f64,
                Float(f) => *f,
                _ => 0.0,
            };
            let (x, y) = (as_f(&l), as_f(&r));
            Float(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                _ => x * y,
            })
        }
        _ => {
            return Err(Unevaluatable(format!(
                "{op:?} of {l} and {r} (only numbers are computed)"
            )));
        }
    })
}
