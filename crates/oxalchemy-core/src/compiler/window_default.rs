//! `LAG(x, n, default)` / `LEAD(x, n, default)` where the backend's LAG and
//! LEAD take no default (MariaDB): the default is used where the window has
//! fewer than `n` rows before (after) the current one, counted over the same
//! partition and order:
//!
//! `CASE WHEN COUNT(*) OVER (PARTITION BY .. ORDER BY .. ROWS BETWEEN n PRECEDING
//! AND CURRENT ROW) > n THEN lag(x, n) OVER (..) ELSE default END`
//!
//! (`coalesce(lag(x, n), default)` would also replace a NULL `x`.)

use super::Compiler;
use super::labels::LabelScope;
use crate::error::Result;
use crate::expr::{Node, Window};
use crate::value::Value;

/// The offset of a LAG / LEAD call written with a default, when the call
/// needs the emulation: `(is_lead, offset)`.
fn offset_with_default(func: &Node) -> Option<(bool, u64)> {
    let Node::Func { name, args, .. } = func else {
        return None;
    };
    let lead = if name.eq_ignore_ascii_case("lead") {
        true
    } else if name.eq_ignore_ascii_case("lag") {
        false
    } else {
        return None;
    };
    if args.len() != 3 {
        return None;
    }
    let offset = match &args[1] {
        Node::Literal(digits) => digits.parse().ok()?,
        Node::Param(Value::Int(n)) => u64::try_from(*n).ok()?,
        _ => return None,
    };
    Some((lead, offset))
}

impl<'a> Compiler<'a> {
    /// `func OVER (window)`.
    pub(crate) fn over(&mut self, func: &'a Node, window: &'a Window) -> Result<()> {
        if !self.d.supports_lag_lead_default()
            && let Some((lead, offset)) = offset_with_default(func)
            && let Node::Func { name, args, .. } = func
        {
            self.push("CASE WHEN COUNT(*) OVER (");
            self.window_rows(window)?;
            self.push(&if lead {
                format!("ROWS BETWEEN CURRENT ROW AND {offset} FOLLOWING) > {offset}")
            } else {
                format!("ROWS BETWEEN {offset} PRECEDING AND CURRENT ROW) > {offset}")
            });
            self.push(" THEN ");
            self.push(name);
            self.push("(");
            self.node(&args[0])?;
            self.push(&format!(", {offset}) OVER ("));
            self.window(window)?;
            self.push(") ELSE ");
            self.node(&args[2])?;
            self.push(" END");
            return Ok(());
        }
        self.node(func)?;
        self.push(" OVER (");
        self.window(window)?;
        self.push(")");
        Ok(())
    }

    /// `PARTITION BY .. ORDER BY .. ` of a window, before a frame of our own.
    fn window_rows(&mut self, w: &'a Window) -> Result<()> {
        if !w.partition_by.is_empty() {
            self.push("PARTITION BY ");
            self.list(&w.partition_by)?;
            self.push(" ");
        }
        if !w.order_by.is_empty() {
            self.push("ORDER BY ");
            self.order_list(&w.order_by, LabelScope::None)?;
            self.push(" ");
        }
        Ok(())
    }
}
