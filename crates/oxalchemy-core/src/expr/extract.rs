//! `extract(field, x)`: a part of a date, time or timestamp.

use super::node::Node;
use super::operators::ExprLike;
use super::typed::Expr;
use std::fmt;

/// A part of a date or time, for [`extract`].
///
/// Every backend answers the same for each part: `DayOfWeek` counts from
/// Sunday = 0 (PostgreSQL's `dow`), `DayOfYear` from 1, `Epoch` is seconds
/// since 1970-01-01 00:00:00 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatePart {
    /// The year.
    Year,
    /// The quarter (1 to 4).
    Quarter,
    /// The month (1 to 12).
    Month,
    /// The day of the month (1 to 31).
    Day,
    /// The hour (0 to 23).
    Hour,
    /// The minute (0 to 59).
    Minute,
    /// The second (0 to 59; PostgreSQL adds the fraction).
    Second,
    /// The day of the week, Sunday = 0.
    DayOfWeek,
    /// The day of the year (1 to 366).
    DayOfYear,
    /// Seconds since 1970-01-01 00:00:00 UTC.
    Epoch,
}

impl DatePart {
    /// Every part, in the order of the enum.
    pub const ALL: [DatePart; 10] = [
        DatePart::Year,
        DatePart::Quarter,
        DatePart::Month,
        DatePart::Day,
        DatePart::Hour,
        DatePart::Minute,
        DatePart::Second,
        DatePart::DayOfWeek,
        DatePart::DayOfYear,
        DatePart::Epoch,
    ];

    /// SQLAlchemy's (and PostgreSQL's) name: `year`, `month`, .. `dow`, `doy`, `epoch`.
    pub fn name(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Quarter => "quarter",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::Hour => "hour",
            DatePart::Minute => "minute",
            DatePart::Second => "second",
            DatePart::DayOfWeek => "dow",
            DatePart::DayOfYear => "doy",
            DatePart::Epoch => "epoch",
        }
    }

    /// The part named `name` (SQLAlchemy's spelling, case-insensitive).
    pub fn parse(name: &str) -> Option<DatePart> {
        DatePart::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for DatePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`extract`] accepts as the field: a [`DatePart`] or its name.
pub trait IntoDatePart {
    /// The part, or a message naming the valid names for an unknown one
    /// (compiling the `extract` is then an `ArgumentError`).
    fn into_date_part(self) -> Result<DatePart, String>;
}

impl IntoDatePart for DatePart {
    fn into_date_part(self) -> Result<DatePart, String> {
        Ok(self)
    }
}

impl IntoDatePart for &str {
    fn into_date_part(self) -> Result<DatePart, String> {
        DatePart::parse(self).ok_or_else(|| {
            let names: Vec<&str> = DatePart::ALL.iter().map(|p| p.name()).collect();
            format!(
                "extract: {self:?} is not a date part; use one of: {}",
                names.join(", ")
            )
        })
    }
}

/// `EXTRACT(field FROM expr)`, an integer (SQLAlchemy's `extract`): on SQLite
/// `CAST(STRFTIME('%Y', x) AS INTEGER)`, on MySQL the parts EXTRACT lacks
/// through `DAYOFWEEK` / `DAYOFYEAR` / `UNIX_TIMESTAMP`.
///
/// ```
/// use oxalchemy_core::{MetaData, select, expr::{extract, DatePart}, sql_type::{Integer, DateTime}};
/// let md = MetaData::new();
/// let t = md.table("events", |t| { t.column("id", Integer).primary_key(); t.column("at", DateTime); });
/// let stmt = select((extract("year", t.c("at")), extract(DatePart::DayOfWeek, t.c("at"))));
/// # let _ = stmt;
/// ```
pub fn extract(field: impl IntoDatePart, expr: impl ExprLike) -> Expr<i64> {
    match field.into_date_part() {
        Ok(field) => Expr::new(Node::Extract {
            field,
            operand: Box::new(expr.into_node()),
        }),
        Err(message) => Expr::new(Node::Invalid(message.into())),
    }
}
