//! The SQL type of a select-list expression, where the compiler can tell
//! (SQLAlchemy's expression typing, kept to what is exact): recorded in
//! [`Compiled::column_types`](crate::Compiled::column_types) so drivers can
//! decode a result column to its expression's type.

use crate::expr::{BinOp, Node, Source, StringOp, UnaryOp};
use crate::sql_type::SqlType;
use crate::stmt::SelectStmt;
use crate::value::Value;

/// Deep enough for any real statement; stops a CTE that refers to itself.
const MAX_DEPTH: usize = 32;

/// The type of `node`'s value, or `None` when unknown (or not exact: an
/// average, a quotient of NUMERICs, whose scale depends on the backend).
pub(crate) fn type_of(node: &Node) -> Option<SqlType> {
    type_at(node, 0)
}

/// The types of a statement's result columns.
pub(crate) fn column_types(columns: &[Node]) -> Vec<Option<SqlType>> {
    columns.iter().map(type_of).collect()
}

/// The result columns of a SELECT (the first member of a set operation).
pub(crate) fn stmt_columns(stmt: &SelectStmt) -> &[Node] {
    match stmt {
        SelectStmt::Simple(core) => &core.columns,
        SelectStmt::Compound(c) => c.selects.first().map_or(&[], stmt_columns),
    }
}

fn type_at(node: &Node, depth: usize) -> Option<SqlType> {
    if depth > MAX_DEPTH {
        return None;
    }
    let of = |n: &Node| type_at(n, depth + 1);
    match node {
        Node::Column { source, name } => column_type(source, name, depth),
        Node::Param(v) => value_type(v),
        Node::Bool(_)
        | Node::IsNull { .. }
        | Node::InList { .. }
        | Node::InSelect { .. }
        | Node::Between { .. }
        | Node::Like { .. }
        | Node::Exists { .. } => Some(SqlType::Boolean),
        Node::Unary {
            op: UnaryOp::Not, ..
        } => Some(SqlType::Boolean),
        Node::Unary {
            op: UnaryOp::Neg,
            operand,
        } => of(operand),
        Node::Binary { op, left, right } => binary_type(*op, of(left), of(right)),
        Node::Func { name, args, .. } => func_type(name, args.first().and_then(of), args, depth),
        Node::Case { whens, else_ } => whens
            .iter()
            .map(|(_, v)| v)
            .chain(else_.as_deref())
            .find_map(of),
        Node::Cast { sql_type, .. } => Some(sql_type.clone()),
        Node::Label { operand, .. } => of(operand),
        Node::ScalarSubquery(select) => stmt_columns(select).first().and_then(of),
        Node::Over { func, .. } => of(func),
        Node::Extract { .. } => Some(SqlType::Integer),
        Node::StringOp { op, .. } => match op {
            StringOp::ByteLength | StringOp::CharLength => Some(SqlType::BigInteger),
            _ => Some(SqlType::Text),
        },
        _ => None,
    }
}

fn column_type(source: &Source, name: &str, depth: usize) -> Option<SqlType> {
    if let Some(table) = source.table() {
        return table.column_def(name).map(|c| c.sql_type().clone());
    }
    let stmt = match source {
        Source::Subquery(s) => s.stmt(),
        Source::Cte(c) => c.stmt(),
        _ => return None,
    };
    stmt_columns(stmt)
        .iter()
        .find(|c| c.output_name() == Some(name))
        .and_then(|c| type_at(c, depth + 1))
}

fn value_type(v: &Value) -> Option<SqlType> {
    Some(match v {
        Value::Bool(_) => SqlType::Boolean,
        Value::Int(_) => SqlType::Integer,
        Value::Float(_) => SqlType::Double,
        Value::Decimal(d) => SqlType::Numeric(28, d.scale()),
        Value::Text(_) => SqlType::Text,
        Value::Bytes(_) => SqlType::LargeBinary,
        Value::Date(_) => SqlType::Date,
        Value::Time(_) => SqlType::Time,
        Value::DateTime(_) => SqlType::DateTime,
        Value::Timestamp(_) => SqlType::Timestamp,
        Value::Uuid(_) => SqlType::Uuid,
        Value::Json(_) => SqlType::Json,
        _ => return None,
    })
}

fn is_float(t: &SqlType) -> bool {
    matches!(t, SqlType::Float | SqlType::Double)
}

fn int_rank(t: &SqlType) -> u8 {
    match t {
        SqlType::SmallInteger => 1,
        SqlType::Integer => 2,
        _ => 3,
    }
}

/// The type of an arithmetic result, or `None` when it is not exact.
fn binary_type(op: BinOp, l: Option<SqlType>, r: Option<SqlType>) -> Option<SqlType> {
    use SqlType::{BigInteger, Double, Numeric, Text};
    match op {
        BinOp::Eq
        | BinOp::Ne
        | BinOp::Lt
        | BinOp::Le
        | BinOp::Gt
        | BinOp::Ge
        | BinOp::And
        | BinOp::Or
        | BinOp::IsDistinctFrom
        | BinOp::IsNotDistinctFrom => return Some(SqlType::Boolean),
        BinOp::Concat => return Some(Text),
        _ => {}
    }
    let (l, r) = (l?, r?);
    if is_float(&l) || is_float(&r) {
        return match op {
            BinOp::FloorDiv | BinOp::Mod => None,
            _ => Some(Double),
        };
    }
    match (op, &l, &r) {
        (_, a, b) if a.is_integer() && b.is_integer() => match op {
            BinOp::Div => None,
            BinOp::FloorDiv => Some(BigInteger),
            _ if int_rank(a) >= int_rank(b) => Some(l),
            _ => Some(r),
        },
        (BinOp::Add | BinOp::Sub, Numeric(p, s), other)
        | (BinOp::Add | BinOp::Sub, other, Numeric(p, s)) => match other {
            Numeric(p2, s2) => Some(Numeric((*p).max(*p2), (*s).max(*s2))),
            o if o.is_integer() => Some(Numeric(*p, *s)),
            _ => None,
        },
        (BinOp::Mul, Numeric(p, s), other) | (BinOp::Mul, other, Numeric(p, s)) => match other {
            Numeric(p2, s2) => Some(Numeric(p + p2, s + s2)),
            o if o.is_integer() => Some(Numeric(*p, *s)),
            _ => None,
        },
        _ => None,
    }
}

/// The type of a function's result; `first` is the type of its first argument.
fn func_type(name: &str, first: Option<SqlType>, args: &[Node], depth: usize) -> Option<SqlType> {
    match name {
        "count" | "row_number" | "rank" | "dense_rank" => Some(SqlType::BigInteger),
        "length" => Some(SqlType::Integer),
        "now" => Some(SqlType::DateTime),
        "lower" | "upper" => Some(SqlType::Text),
        "sum" => match first? {
            t if t.is_integer() => Some(SqlType::BigInteger),
            t if is_float(&t) => Some(SqlType::Double),
            t @ SqlType::Numeric(..) => Some(t),
            _ => None,
        },
        "min" | "max" | "abs" | "lag" | "lead" => first,
        "coalesce" => args.iter().find_map(|a| type_at(a, depth + 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{ExprLike, func};
    use crate::schema::MetaData;
    use crate::sql_type::{BigInteger, Double, Integer, Numeric, Text};

    #[test]
    fn types_follow_sqlalchemy_where_exact() {
        let md = MetaData::new();
        let t = md.table("t", |t| {
            t.column("n", Integer);
            t.column("big", BigInteger);
            t.column("amount", Numeric(10, 2));
            t.column("f", Double);
            t.column("name", Text);
        });
        let ty = |e: crate::Expr<crate::AnyType>| type_of(e.node());
        assert_eq!(ty(t.c("n").expr()), Some(SqlType::Integer));
        assert_eq!(ty(t.c("n").add(1)), Some(SqlType::Integer));
        assert_eq!(ty(t.c("big").add(t.c("n"))), Some(SqlType::BigInteger));
        assert_eq!(ty(t.c("n").mul(1.5)), Some(SqlType::Double));
        assert_eq!(ty(t.c("n").div(2)), None);
        assert_eq!(ty(t.c("n").floor_div(2)), Some(SqlType::BigInteger));
        assert_eq!(ty(t.c("amount").add(1)), Some(SqlType::Numeric(10, 2)));
        assert_eq!(
            ty(t.c("amount").mul(t.c("amount"))),
            Some(SqlType::Numeric(20, 4))
        );
        assert_eq!(ty(func::sum(t.c("amount"))), Some(SqlType::Numeric(10, 2)));
        assert_eq!(ty(func::sum(t.c("n")).untyped()), Some(SqlType::BigInteger));
        assert_eq!(ty(func::avg(t.c("amount"))), None);
        assert_eq!(
            ty(func::count(t.c("n")).untyped()),
            Some(SqlType::BigInteger)
        );
        assert_eq!(ty(t.c("n").in_([1, 2]).untyped()), Some(SqlType::Boolean));
        assert_eq!(ty(t.c("n").is_null().untyped()), Some(SqlType::Boolean));
        assert_eq!(ty(t.c("f").cast(Integer)), Some(SqlType::Integer));
        assert_eq!(
            ty(func::coalesce((t.c("amount"), 0))),
            Some(SqlType::Numeric(10, 2))
        );
        let sq =
            crate::stmt::select((t.c("amount"), func::sum(t.c("n")).label("s"))).subquery("sq");
        assert_eq!(ty(sq.c("amount").expr()), Some(SqlType::Numeric(10, 2)));
        assert_eq!(ty(sq.c("s").expr()), Some(SqlType::BigInteger));
    }
}
