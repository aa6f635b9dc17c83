//! `Node`: the untyped expression AST the compiler walks.

use super::extract::DatePart;
use super::source::Source;
use super::window::Window;
use crate::sql_type::SqlType;
use crate::stmt::SelectStmt;
use crate::value::Value;
use std::borrow::Cow;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: true division (an integer divisor is cast where the backend's
    /// integer division truncates, as SQLAlchemy 2 does).
    Div,
    /// Floor division (SQLAlchemy's `//`): the quotient rounded down, negative
    /// operands included.
    FloorDiv,
    /// `%`
    Mod,
    /// Integer division truncating toward zero, as Rust's `/` on integers
    /// (`a / b` on PostgreSQL and SQLite, `a DIV b` on MySQL, where `/` is
    /// decimal division).
    TruncDiv,
    /// String concatenation (`||` or `CONCAT()`).
    Concat,
    /// `IS DISTINCT FROM`: `<>` where NULL equals NULL.
    IsDistinctFrom,
    /// `IS NOT DISTINCT FROM`: `=` where NULL equals NULL.
    IsNotDistinctFrom,
}

impl BinOp {
    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::IsDistinctFrom
            | BinOp::IsNotDistinctFrom => 4,
            BinOp::Add | BinOp::Sub | BinOp::Concat => 5,
            BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::TruncDiv | BinOp::Mod => 6,
        }
    }

    /// True when `a op (b op c)` equals `(a op b) op c`, so no parentheses are needed.
    pub fn is_associative(self) -> bool {
        matches!(
            self,
            BinOp::And | BinOp::Or | BinOp::Add | BinOp::Mul | BinOp::Concat
        )
    }

    /// The SQL operator text.
    pub fn sql(self) -> &'static str {
        match self {
            BinOp::Eq => " = ",
            BinOp::Ne => " <> ",
            BinOp::Lt => " < ",
            BinOp::Le => " <= ",
            BinOp::Gt => " > ",
            BinOp::Ge => " >= ",
            BinOp::And => " AND ",
            BinOp::Or => " OR ",
            BinOp::Add => " + ",
            BinOp::Sub => " - ",
            BinOp::Mul => " * ",
            BinOp::Div | BinOp::FloorDiv | BinOp::TruncDiv => " / ",
            BinOp::Mod => " % ",
            BinOp::Concat => " || ",
            BinOp::IsDistinctFrom => " IS DISTINCT FROM ",
            BinOp::IsNotDistinctFrom => " IS NOT DISTINCT FROM ",
        }
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `NOT x`
    Not,
    /// `-x`
    Neg,
}

/// A string function whose SQL differs per backend, so that it computes what
/// the Rust method of the same meaning computes (hybrid attributes use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StringOp {
    /// The length in bytes of the UTF-8 text (Rust's `str::len`).
    ByteLength,
    /// The length in characters (Rust's `s.chars().count()`).
    CharLength,
    /// ASCII letters to lower case, other characters unchanged (`to_ascii_lowercase`).
    AsciiLower,
    /// ASCII letters to upper case, other characters unchanged (`to_ascii_uppercase`).
    AsciiUpper,
    /// The text as compared byte by byte, ignoring collations (so `=`, `<`
    /// and `>` agree with Rust's `str` comparisons: case and trailing spaces
    /// count, order is the UTF-8 byte order).
    Bytewise,
}

/// `NULLS FIRST` / `NULLS LAST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NullsOrder {
    /// NULLs sort before other values.
    First,
    /// NULLs sort after other values.
    Last,
}

/// One node of the expression AST.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Node {
    /// A column of a table, alias, subquery or CTE.
    Column {
        /// Where the column lives.
        source: Source,
        /// The column name.
        name: Cow<'static, str>,
    },
    /// A bound parameter.
    Param(Value),
    /// The NULL keyword.
    Null,
    /// `true` / `false` (`1` / `0` where the backend has no boolean literals).
    Bool(bool),
    /// Trusted SQL text written as is (`literal_column("x")`); names its result column.
    Literal(Cow<'static, str>),
    /// A name resolved against the select list in ORDER BY / GROUP BY
    /// (`order_by("x")`): a label or a column of that name; elsewhere the bare name.
    LabelRef(Cow<'static, str>),
    /// `EXTRACT(field FROM x)` (`STRFTIME` on SQLite).
    Extract {
        /// The date or time part.
        field: DatePart,
        /// The date, time or timestamp.
        operand: Box<Node>,
    },
    /// `*` (in `COUNT(*)`).
    Star,
    /// A string function spelled per dialect ([`Dialect::string_op`](crate::Dialect::string_op)).
    StringOp {
        /// The function.
        op: StringOp,
        /// The text it applies to.
        operand: Box<Node>,
    },
    /// A prefix operator.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Its operand.
        operand: Box<Node>,
    },
    /// An infix operator.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left side.
        left: Box<Node>,
        /// Right side.
        right: Box<Node>,
    },
    /// `x IS [NOT] NULL`.
    IsNull {
        /// The tested expression.
        operand: Box<Node>,
        /// True for IS NOT NULL.
        negated: bool,
    },
    /// `x [NOT] IN (a, b, ..)`.
    InList {
        /// The tested expression.
        operand: Box<Node>,
        /// The candidates (an empty list is always false, or true when negated).
        items: Vec<Node>,
        /// True for NOT IN.
        negated: bool,
    },
    /// `x [NOT] IN (SELECT ..)`.
    InSelect {
        /// The tested expression.
        operand: Box<Node>,
        /// The subquery.
        select: Box<SelectStmt>,
        /// True for NOT IN.
        negated: bool,
    },
    /// `x [NOT] BETWEEN a AND b`.
    Between {
        /// The tested expression.
        operand: Box<Node>,
        /// Lower bound.
        low: Box<Node>,
        /// Upper bound.
        high: Box<Node>,
        /// True for NOT BETWEEN.
        negated: bool,
    },
    /// `x [NOT] LIKE pattern [ESCAPE 'c']`, case-insensitive for ILIKE.
    Like {
        /// The tested expression.
        operand: Box<Node>,
        /// The pattern.
        pattern: Box<Node>,
        /// True for NOT LIKE.
        negated: bool,
        /// True for ILIKE.
        case_insensitive: bool,
        /// The escape character, if any.
        escape: Option<char>,
    },
    /// A function call.
    Func {
        /// The function name (rendered as given; some are renamed per dialect).
        name: Cow<'static, str>,
        /// The arguments.
        args: Vec<Node>,
        /// `f(DISTINCT x)`.
        distinct: bool,
    },
    /// `CASE WHEN .. THEN .. ELSE .. END`.
    Case {
        /// The WHEN/THEN pairs.
        whens: Vec<(Node, Node)>,
        /// The ELSE branch.
        else_: Option<Box<Node>>,
    },
    /// `CAST(x AS type)`.
    Cast {
        /// The expression.
        operand: Box<Node>,
        /// The target type.
        sql_type: SqlType,
    },
    /// `x AS label`.
    Label {
        /// The expression.
        operand: Box<Node>,
        /// The label.
        name: Cow<'static, str>,
    },
    /// `(SELECT ..)` used as a value.
    ScalarSubquery(Box<SelectStmt>),
    /// `[NOT] EXISTS (SELECT ..)`.
    Exists {
        /// The subquery.
        select: Box<SelectStmt>,
        /// True for NOT EXISTS.
        negated: bool,
    },
    /// `f(..) OVER (..)`.
    Over {
        /// The window function call.
        func: Box<Node>,
        /// The window.
        window: Box<Window>,
    },
    /// An ORDER BY term.
    Order {
        /// The expression.
        operand: Box<Node>,
        /// DESC when true.
        desc: bool,
        /// NULLS FIRST / LAST.
        nulls: Option<NullsOrder>,
    },
    /// A parenthesized list `(a, b)` (row values, composite IN).
    Tuple(Vec<Node>),
    /// In an upsert's update clause: the value that was proposed for insertion
    /// (`excluded.col` on PostgreSQL/SQLite, `VALUES(col)` on MySQL).
    Excluded(Cow<'static, str>),
    /// Trusted SQL text with named binds (`text(..)` used as an expression).
    Text(crate::stmt::TextClause),
    /// A construct built wrongly (an unknown `extract` part, `escape` on an
    /// expression that is not a LIKE): compiling it is an `ArgumentError`
    /// with this message, so a mistake is an error, never a panic.
    Invalid(Cow<'static, str>),
}

impl Node {
    /// The name a result column gets for this expression when unlabeled, as in
    /// SQLAlchemy: the column name or the label, the text of a literal column,
    /// and the column name for a CAST of a column (`CAST(age AS ..)` is `age`);
    /// `None` for anonymous expressions (they get `count_1`, `anon_2` ..).
    pub fn output_name(&self) -> Option<&str> {
        match self {
            Node::Column { name, .. } | Node::Label { name, .. } | Node::Literal(name) => {
                Some(name)
            }
            Node::Cast { operand, .. } => match operand.as_ref() {
                Node::Column { name, .. } => Some(name),
                _ => None,
            },
            _ => None,
        }
    }

    /// Binding strength for parenthesization (higher binds tighter).
    pub fn precedence(&self) -> u8 {
        match self {
            Node::Binary { op, .. } => op.precedence(),
            Node::Unary {
                op: UnaryOp::Not, ..
            } => 3,
            Node::Unary {
                op: UnaryOp::Neg, ..
            } => 7,
            Node::IsNull { .. }
            | Node::InList { .. }
            | Node::InSelect { .. }
            | Node::Between { .. }
            | Node::Like { .. } => 4,
            Node::Exists { .. } => 8,
            Node::Text(_) => 0,
            _ => 9,
        }
    }

    /// Combine two conditions with AND.
    pub fn and(self, other: Node) -> Node {
        Node::Binary {
            op: BinOp::And,
            left: Box::new(self),
            right: Box::new(other),
        }
    }

    /// Combine two conditions with OR.
    pub fn or(self, other: Node) -> Node {
        Node::Binary {
            op: BinOp::Or,
            left: Box::new(self),
            right: Box::new(other),
        }
    }

    /// `self = other`.
    pub fn equals(self, other: Node) -> Node {
        Node::Binary {
            op: BinOp::Eq,
            left: Box::new(self),
            right: Box::new(other),
        }
    }
}
