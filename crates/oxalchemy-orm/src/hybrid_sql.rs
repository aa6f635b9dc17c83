//! The building blocks of the SQL side `#[hybrids]` generates from a method
//! body: one function per translated construct, typed as the Rust construct
//! is, so that what Rust's type checker accepts in the body decides the SQL
//! (integer `/` truncates, `String + &str` concatenates, `Option == Option`
//! treats None as equal to None), and what the SQL cannot compute the same way
//! does not compile (formatting a float, ordering `Option`s, casting a float
//! to an integer).
//!
//! Not an API: the generated code calls these through `oxalchemy::__private`.

use oxalchemy_core::expr::{BinOp, Column, Node, StringOp, UnaryOp};
use oxalchemy_core::{Expr, SqlType, Value};

fn binary(op: BinOp, a: Node, b: Node) -> Node {
    Node::Binary {
        op,
        left: Box::new(a),
        right: Box::new(b),
    }
}

fn func<T>(name: &'static str, args: Vec<Node>) -> Expr<T> {
    Expr::new(Node::Func {
        name: name.into(),
        args,
        distinct: false,
    })
}

fn string_op<T>(op: StringOp, a: Expr<String>) -> Expr<T> {
    Expr::new(Node::StringOp {
        op,
        operand: Box::new(a.into_node()),
    })
}

/// A Rust literal usable in a hybrid body.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` literal cannot be translated to SQL by #[hybrid]",
    note = "give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlLiteral {
    /// The bound value.
    fn value(self) -> Value;
}

/// A method argument usable in a hybrid body, and the type it has there.
#[diagnostic::on_unimplemented(
    message = "an argument of type `{Self}` cannot be used by a #[hybrid] SQL side",
    note = "hybrid method arguments are integers, floats, bool, String, &str or an Option of them"
)]
pub trait SqlParam {
    /// The Rust type of the argument's expression.
    type Sql;
    /// The bound value.
    fn value(self) -> Value;
}

/// Types with Rust's `+`: numbers add, strings concatenate.
#[diagnostic::on_unimplemented(
    message = "`+` on `{Self}` cannot be translated to SQL by #[hybrid]",
    note = "give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlAdd {
    /// The operator.
    const OP: BinOp;
}

/// Numbers: `- * /`, `abs`, `min`, `max`, comparisons.
#[diagnostic::on_unimplemented(
    message = "arithmetic on `{Self}` cannot be translated to SQL by #[hybrid]",
    note = "give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlNumber {
    /// The division operator: truncating for integers, true division for floats.
    const DIV: BinOp;
}

/// Integers: `%` (remainder with the sign of the dividend, as in Rust and SQL).
#[diagnostic::on_unimplemented(
    message = "`%` on `{Self}` cannot be translated to SQL by #[hybrid]: only integer remainders are",
    note = "give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlInteger {}

/// Types compared with `==` / `!=`.
#[diagnostic::on_unimplemented(
    message = "`==` on `{Self}` cannot be translated to SQL by #[hybrid]",
    note = "give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlEq {
    /// True for `Option`: None equals None (`IS NOT DISTINCT FROM`).
    const NULLABLE: bool;
    /// The operand as compared (strings byte by byte).
    fn compared(node: Node) -> Node {
        node
    }
}

/// Types ordered with `< <= > >=` the same way in Rust and SQL.
#[diagnostic::on_unimplemented(
    message = "ordering `{Self}` cannot be translated to SQL by #[hybrid]",
    label = "Rust and SQL order this type differently",
    note = "Rust orders `None` before every `Some`, SQL compares NULL as unknown: compare `x.unwrap_or(..)` instead, or give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlOrd: SqlEq {}

/// Types whose `Display` SQL reproduces exactly (`format!`, `to_string`).
#[diagnostic::on_unimplemented(
    message = "formatting `{Self}` cannot be translated to SQL by #[hybrid]",
    label = "SQL would not format this value as Rust's `Display` does",
    note = "only strings and integers are formatted into SQL text (floats and bools print differently); give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlDisplay {
    /// True when the value is text already.
    const TEXT: bool;
}

/// Numeric `as` casts that SQL computes as Rust does.
#[diagnostic::on_unimplemented(
    message = "`{Self} as {To}` cannot be translated to SQL by #[hybrid]",
    label = "SQL would not cast this as Rust's `as` does",
    note = "integers widen to wider integers and to f64; a float to an integer truncates in Rust and rounds in SQL, a narrowing cast wraps in Rust: give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlCast<To> {
    /// The SQL type cast to.
    fn sql_type() -> SqlType;
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl SqlLiteral for $t {
            fn value(self) -> Value { Value::Int(self as i64) }
        }
        impl SqlParam for $t {
            type Sql = $t;
            fn value(self) -> Value { Value::Int(self as i64) }
        }
        impl SqlAdd for $t { const OP: BinOp = BinOp::Add; }
        impl SqlNumber for $t { const DIV: BinOp = BinOp::TruncDiv; }
        impl SqlInteger for $t {}
        impl SqlEq for $t { const NULLABLE: bool = false; }
        impl SqlOrd for $t {}
        impl SqlDisplay for $t { const TEXT: bool = false; }
        impl SqlCast<f64> for $t {
            fn sql_type() -> SqlType { SqlType::Double }
        }
    )*};
}

integers!(i8, i16, i32, i64, u8, u16, u32, usize);

macro_rules! widening {
    ($($from:ty => [$($to:ty : $sql:ident),*]);* $(;)?) => {$($(
        impl SqlCast<$to> for $from {
            fn sql_type() -> SqlType { SqlType::$sql }
        }
    )*)*};
}

widening! {
    i8 => [i8: SmallInteger, i16: SmallInteger, i32: Integer, i64: BigInteger];
    i16 => [i16: SmallInteger, i32: Integer, i64: BigInteger];
    i32 => [i32: Integer, i64: BigInteger];
    i64 => [i64: BigInteger];
    u8 => [u8: SmallInteger, u16: Integer, u32: BigInteger, i16: SmallInteger, i32: Integer, i64: BigInteger, usize: BigInteger];
    u16 => [u16: Integer, u32: BigInteger, i32: Integer, i64: BigInteger, usize: BigInteger];
    u32 => [u32: BigInteger, i64: BigInteger, usize: BigInteger];
    usize => [usize: BigInteger, i64: BigInteger];
}

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl SqlLiteral for $t {
            fn value(self) -> Value { Value::Float(self as f64) }
        }
        impl SqlParam for $t {
            type Sql = $t;
            fn value(self) -> Value { Value::Float(self as f64) }
        }
        impl SqlAdd for $t { const OP: BinOp = BinOp::Add; }
        impl SqlNumber for $t { const DIV: BinOp = BinOp::Div; }
        impl SqlEq for $t { const NULLABLE: bool = false; }
        impl SqlOrd for $t {}
    )*};
}

floats!(f32, f64);

impl SqlCast<f64> for f64 {
    fn sql_type() -> SqlType {
        SqlType::Double
    }
}

impl SqlLiteral for bool {
    fn value(self) -> Value {
        Value::Bool(self)
    }
}
impl SqlParam for bool {
    type Sql = bool;
    fn value(self) -> Value {
        Value::Bool(self)
    }
}
impl SqlEq for bool {
    const NULLABLE: bool = false;
}

impl SqlParam for String {
    type Sql = String;
    fn value(self) -> Value {
        Value::Text(self)
    }
}
impl SqlParam for &str {
    type Sql = String;
    fn value(self) -> Value {
        Value::Text(self.to_owned())
    }
}
impl SqlAdd for String {
    const OP: BinOp = BinOp::Concat;
}
impl SqlEq for String {
    const NULLABLE: bool = false;
    fn compared(node: Node) -> Node {
        Node::StringOp {
            op: StringOp::Bytewise,
            operand: Box::new(node),
        }
    }
}
impl SqlOrd for String {}
impl SqlDisplay for String {
    const TEXT: bool = true;
}

impl<T: SqlParam> SqlParam for Option<T> {
    type Sql = Option<T::Sql>;
    fn value(self) -> Value {
        self.map_or(Value::Null, T::value)
    }
}
impl<T: SqlEq> SqlEq for Option<T> {
    const NULLABLE: bool = true;
    fn compared(node: Node) -> Node {
        T::compared(node)
    }
}

/// `self.field`: the column's expression.
pub fn field<M, T>(column: Column<M, T>) -> Expr<T> {
    Expr::new(column.node())
}

/// A literal (its type inferred as Rust infers it).
pub fn lit<T: SqlLiteral>(value: T) -> Expr<T> {
    Expr::new(Node::Param(value.value()))
}

/// A string literal.
pub fn text(value: &'static str) -> Expr<String> {
    Expr::new(Node::Param(Value::Text(value.to_owned())))
}

/// A method argument.
pub fn param<P: SqlParam>(value: P) -> Expr<P::Sql> {
    Expr::new(Node::Param(value.value()))
}

/// `a + b` (numbers) or `a || b` (strings).
pub fn add<T: SqlAdd>(a: Expr<T>, b: Expr<T>) -> Expr<T> {
    Expr::new(binary(T::OP, a.into_node(), b.into_node()))
}

/// `a - b`.
pub fn sub<T: SqlNumber>(a: Expr<T>, b: Expr<T>) -> Expr<T> {
    Expr::new(binary(BinOp::Sub, a.into_node(), b.into_node()))
}

/// `a * b`.
pub fn mul<T: SqlNumber>(a: Expr<T>, b: Expr<T>) -> Expr<T> {
    Expr::new(binary(BinOp::Mul, a.into_node(), b.into_node()))
}

/// `a / b`: truncating toward zero for integers, as Rust's `/`.
pub fn div<T: SqlNumber>(a: Expr<T>, b: Expr<T>) -> Expr<T> {
    Expr::new(binary(T::DIV, a.into_node(), b.into_node()))
}

/// `a % b` for integers.
pub fn rem<T: SqlInteger>(a: Expr<T>, b: Expr<T>) -> Expr<T> {
    Expr::new(binary(BinOp::Mod, a.into_node(), b.into_node()))
}

/// `-a`.
pub fn neg<T: SqlNumber>(a: Expr<T>) -> Expr<T> {
    Expr::new(Node::Unary {
        op: UnaryOp::Neg,
        operand: Box::new(a.into_node()),
    })
}

fn compare<T: SqlEq>(op: BinOp, a: Expr<T>, b: Expr<T>) -> Expr<bool> {
    let (a, b) = (T::compared(a.into_node()), T::compared(b.into_node()));
    let op = match op {
        BinOp::Eq if T::NULLABLE => BinOp::IsNotDistinctFrom,
        BinOp::Ne if T::NULLABLE => BinOp::IsDistinctFrom,
        other => other,
    };
    let b = match b {
        Node::Param(Value::Null) => Node::Null,
        other => other,
    };
    Expr::new(binary(op, a, b))
}

/// `a == b` (`IS NOT DISTINCT FROM` for `Option`s: None equals None).
pub fn eq<T: SqlEq>(a: Expr<T>, b: Expr<T>) -> Expr<bool> {
    compare(BinOp::Eq, a, b)
}

/// `a != b`.
pub fn ne<T: SqlEq>(a: Expr<T>, b: Expr<T>) -> Expr<bool> {
    compare(BinOp::Ne, a, b)
}

/// `a < b`.
pub fn lt<T: SqlOrd>(a: Expr<T>, b: Expr<T>) -> Expr<bool> {
    compare(BinOp::Lt, a, b)
}

/// `a <= b`.
pub fn le<T: SqlOrd>(a: Expr<T>, b: Expr<T>) -> Expr<bool> {
    compare(BinOp::Le, a, b)
}

/// `a > b`.
pub fn gt<T: SqlOrd>(a: Expr<T>, b: Expr<T>) -> Expr<bool> {
    compare(BinOp::Gt, a, b)
}

/// `a >= b`.
pub fn ge<T: SqlOrd>(a: Expr<T>, b: Expr<T>) -> Expr<bool> {
    compare(BinOp::Ge, a, b)
}

/// `a && b`.
pub fn and(a: Expr<bool>, b: Expr<bool>) -> Expr<bool> {
    Expr::new(binary(BinOp::And, a.into_node(), b.into_node()))
}

/// `a || b`.
pub fn or(a: Expr<bool>, b: Expr<bool>) -> Expr<bool> {
    Expr::new(binary(BinOp::Or, a.into_node(), b.into_node()))
}

/// `!a`.
pub fn not(a: Expr<bool>) -> Expr<bool> {
    Expr::new(Node::Unary {
        op: UnaryOp::Not,
        operand: Box::new(a.into_node()),
    })
}

/// `if cond { a } else { b }`: `CASE WHEN cond THEN a ELSE b END`.
pub fn if_else<T>(cond: Expr<bool>, a: Expr<T>, b: Expr<T>) -> Expr<T> {
    case_of(vec![(cond, a)], b)
}

/// `match`: `CASE WHEN .. THEN .. ELSE <last arm> END`.
pub fn case_of<T>(whens: Vec<(Expr<bool>, Expr<T>)>, else_: Expr<T>) -> Expr<T> {
    Expr::new(Node::Case {
        whens: whens
            .into_iter()
            .map(|(c, v)| (c.into_node(), v.into_node()))
            .collect(),
        else_: Some(Box::new(else_.into_node())),
    })
}

/// `Some(a)`.
pub fn some<T>(a: Expr<T>) -> Expr<Option<T>> {
    Expr::new(a.into_node())
}

/// `None`.
pub fn none<T>() -> Expr<Option<T>> {
    Expr::new(Node::Null)
}

/// `a.is_some()`: `a IS NOT NULL`.
pub fn is_some<T>(a: Expr<Option<T>>) -> Expr<bool> {
    Expr::new(Node::IsNull {
        operand: Box::new(a.into_node()),
        negated: true,
    })
}

/// `a.is_none()`: `a IS NULL`.
pub fn is_none<T>(a: Expr<Option<T>>) -> Expr<bool> {
    Expr::new(Node::IsNull {
        operand: Box::new(a.into_node()),
        negated: false,
    })
}

/// `a.unwrap_or(b)`: `COALESCE(a, b)`.
pub fn unwrap_or<T>(a: Expr<Option<T>>, b: Expr<T>) -> Expr<T> {
    func("coalesce", vec![a.into_node(), b.into_node()])
}

/// `a.unwrap_or_default()`: `COALESCE(a, <T::default()>)`.
pub fn unwrap_or_default<T: Default + SqlDefault>(a: Expr<Option<T>>) -> Expr<T> {
    func(
        "coalesce",
        vec![a.into_node(), Node::Param(T::default_value())],
    )
}

/// Types whose `Default` is a SQL value.
#[diagnostic::on_unimplemented(
    message = "`unwrap_or_default()` on `Option<{Self}>` cannot be translated to SQL by #[hybrid]",
    note = "use `unwrap_or(..)` with a literal, or give the SQL side by hand with #[hybrid(expr = path::to_fn)]"
)]
pub trait SqlDefault {
    /// `Self::default()` as a value.
    fn default_value() -> Value;
}

impl<T: SqlLiteral + Default> SqlDefault for T {
    fn default_value() -> Value {
        T::default().value()
    }
}

impl SqlDefault for String {
    fn default_value() -> Value {
        Value::Text(String::new())
    }
}

/// `s.len()`: the length in bytes.
pub fn byte_len(a: Expr<String>) -> Expr<usize> {
    string_op(StringOp::ByteLength, a)
}

/// `s.chars().count()`: the length in characters.
pub fn char_count(a: Expr<String>) -> Expr<usize> {
    string_op(StringOp::CharLength, a)
}

/// `s.is_empty()`: no bytes.
pub fn is_empty(a: Expr<String>) -> Expr<bool> {
    Expr::new(binary(
        BinOp::Eq,
        byte_len(a).into_node(),
        Node::Param(Value::Int(0)),
    ))
}

/// `s.to_ascii_lowercase()`.
pub fn to_ascii_lowercase(a: Expr<String>) -> Expr<String> {
    string_op(StringOp::AsciiLower, a)
}

/// `s.to_ascii_uppercase()`.
pub fn to_ascii_uppercase(a: Expr<String>) -> Expr<String> {
    string_op(StringOp::AsciiUpper, a)
}

/// `s.trim_matches(' ')`: SQL's `TRIM(s)` removes spaces only.
pub fn trim_spaces(a: Expr<String>) -> Expr<String> {
    func("trim", vec![a.into_node()])
}

/// `a.abs()`.
pub fn abs<T: SqlNumber>(a: Expr<T>) -> Expr<T> {
    func("abs", vec![a.into_node()])
}

/// `a.min(b)` / `std::cmp::min(a, b)`: `LEAST(a, b)` (`min(a, b)` on SQLite).
pub fn min<T: SqlNumber>(a: Expr<T>, b: Expr<T>) -> Expr<T> {
    func("least", vec![a.into_node(), b.into_node()])
}

/// `a.max(b)` / `std::cmp::max(a, b)`: `GREATEST(a, b)` (`max(a, b)` on SQLite).
pub fn max<T: SqlNumber>(a: Expr<T>, b: Expr<T>) -> Expr<T> {
    func("greatest", vec![a.into_node(), b.into_node()])
}

/// `a as To`.
pub fn cast<F: SqlCast<To>, To>(a: Expr<F>) -> Expr<To> {
    Expr::new(Node::Cast {
        operand: Box::new(a.into_node()),
        sql_type: F::sql_type(),
    })
}

/// `a.to_string()` / a `format!` argument: the text Rust's `Display` writes.
pub fn display<T: SqlDisplay>(a: Expr<T>) -> Expr<String> {
    if T::TEXT {
        Expr::new(a.into_node())
    } else {
        Expr::new(Node::Cast {
            operand: Box::new(a.into_node()),
            sql_type: SqlType::Text,
        })
    }
}

/// `format!(..)`: the pieces concatenated (`||`, `CONCAT(..)` on MySQL).
pub fn concat(pieces: Vec<Expr<String>>) -> Expr<String> {
    let mut nodes = pieces.into_iter().map(Expr::into_node);
    let first = nodes
        .next()
        .unwrap_or_else(|| Node::Param(Value::Text(String::new())));
    Expr::new(nodes.fold(first, |acc, n| binary(BinOp::Concat, acc, n)))
}

/// A hybrid called from another hybrid's body.
pub fn call<M, T>(hybrid: crate::Hybrid<M, T>) -> Expr<T> {
    hybrid.sql()
}
