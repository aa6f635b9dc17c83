//! `/` (true division) and floor division, as SQLAlchemy 2 defines them.
//!
//! | dialect | `a / b` | `a.floor_div(b)` |
//! |---|---|---|
//! | PostgreSQL | `a / CAST(b AS NUMERIC)` (the divisor's own type when NUMERIC or floating) | `FLOOR(a / CAST(b AS NUMERIC))` |
//! | SQLite | `a / (b + 0.0)` | `CAST(q AS INTEGER) - (q < CAST(q AS INTEGER))` with `q = a / (b + 0.0)` (no FLOOR) |
//! | MySQL | `a / b` | `FLOOR(a / b)` |
//!
//! SQLAlchemy writes `a / b` for floor division of integers on PostgreSQL and
//! SQLite, which truncates (`-7 // 2` is -3 there, -4 in Python and on MySQL);
//! here every backend floors.

use super::Compiler;
use super::result_types::type_of;
use crate::dialect::TrueDivision;
use crate::error::Result;
use crate::expr::{BinOp, Node};
use crate::sql_type::SqlType;

impl<'a> Compiler<'a> {
    /// `left / right`, the true quotient.
    pub(crate) fn true_div(&mut self, left: &'a Node, right: &'a Node) -> Result<()> {
        let p = BinOp::Div.precedence();
        self.node_prec(left, p)?;
        self.push(" / ");
        match self.d.true_division() {
            TrueDivision::CastDivisor => {
                let ty = match type_of(right) {
                    Some(t @ (SqlType::Numeric(..) | SqlType::Float | SqlType::Double)) => {
                        self.d.cast_type_name(&t)
                    }
                    _ => "NUMERIC".to_owned(),
                };
                self.push("CAST(");
                self.node(right)?;
                self.push(" AS ");
                self.push(&ty);
                self.push(")");
            }
            TrueDivision::FloatDivisor => {
                self.push("(");
                self.node_prec(right, BinOp::Add.precedence())?;
                self.push(" + 0.0)");
            }
            _ => self.node_prec(right, p + 1)?,
        }
        Ok(())
    }

    /// `left // right`: the quotient rounded down.
    pub(crate) fn floor_div(&mut self, left: &'a Node, right: &'a Node) -> Result<()> {
        if self.d.supports_floor() {
            self.push("FLOOR(");
            self.true_div(left, right)?;
            self.push(")");
            return Ok(());
        }
        // CAST(q AS INTEGER) truncates; one less when that went up (q < 0 with a fraction).
        self.push("(CAST(");
        self.true_div(left, right)?;
        self.push(" AS INTEGER) - (");
        self.true_div(left, right)?;
        self.push(" < CAST(");
        self.true_div(left, right)?;
        self.push(" AS INTEGER)))");
        Ok(())
    }
}
