//! `Window`: the `OVER (PARTITION BY .. ORDER BY .. ROWS ..)` clause.

use super::node::Node;
use crate::stmt::ExprList;

/// A window frame: `ROWS BETWEEN <start> AND <end>` (offsets: negative = PRECEDING,
/// positive = FOLLOWING, `None` = UNBOUNDED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowFrame {
    /// RANGE instead of ROWS.
    pub range: bool,
    /// Start offset (`None` = UNBOUNDED PRECEDING).
    pub start: Option<i64>,
    /// End offset (`None` = UNBOUNDED FOLLOWING).
    pub end: Option<i64>,
}

/// A window specification for `.over(..)`.
///
/// ```
/// use oxalchemy_core::{MetaData, Window, func, ExprLike, sql_type::Integer};
/// let md = MetaData::new();
/// let t = md.table("scores", |t| { t.column("team", Integer); t.column("points", Integer); });
/// let rank = func::rank().over(Window::new().partition_by(t.c("team")).order_by(t.c("points").desc()));
/// # let _ = rank;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub(crate) partition_by: Vec<Node>,
    pub(crate) order_by: Vec<Node>,
    pub(crate) frame: Option<WindowFrame>,
}

impl Window {
    /// An empty window: `OVER ()`.
    pub fn new() -> Self {
        Self::default()
    }
    /// PARTITION BY one expression or a tuple of them.
    pub fn partition_by(mut self, exprs: impl ExprList) -> Self {
        self.partition_by.extend(exprs.into_nodes());
        self
    }
    /// ORDER BY one expression or a tuple of them.
    pub fn order_by(mut self, exprs: impl ExprList) -> Self {
        self.order_by.extend(exprs.into_nodes());
        self
    }
    /// `ROWS BETWEEN ..` frame.
    pub fn rows_between(mut self, start: Option<i64>, end: Option<i64>) -> Self {
        self.frame = Some(WindowFrame {
            range: false,
            start,
            end,
        });
        self
    }
    /// `RANGE BETWEEN ..` frame.
    pub fn range_between(mut self, start: Option<i64>, end: Option<i64>) -> Self {
        self.frame = Some(WindowFrame {
            range: true,
            start,
            end,
        });
        self
    }
}
