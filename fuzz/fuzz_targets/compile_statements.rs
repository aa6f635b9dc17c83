//! The SQL compiler over statements generated from the fuzz input: any
//! SELECT / INSERT / UPDATE / DELETE built with the public API compiles for
//! every dialect or is refused with an error, never a panic.
#![no_main]

use arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use oxalchemy_core::sql_type::SqlType;
use oxalchemy_core::{
    AnyType, Column, Dialect, Expr, ExprLike, MetaData, Table, Value, delete, insert, literal,
    literal_column, not_, select, text, update,
};

/// A value to bind.
#[derive(Arbitrary, Debug, Clone)]
enum Val {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
}

impl Val {
    fn value(self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Int(i) => Value::from(i),
            Val::Float(f) => Value::from(f),
            Val::Text(s) => Value::from(s),
            Val::Bool(b) => Value::from(b),
            Val::Bytes(b) => Value::from(b),
        }
    }
}

/// A value expression, at most `MAX_DEPTH` deep.
#[derive(Arbitrary, Debug)]
enum ValueExpr {
    Column(u8),
    Param(Val),
    LiteralColumn(String),
    Add(Box<ValueExpr>, Box<ValueExpr>),
    Concat(Box<ValueExpr>, Box<ValueExpr>),
    Label(Box<ValueExpr>, String),
}

/// A boolean expression.
#[derive(Arbitrary, Debug)]
enum BoolExpr {
    Eq(ValueExpr, ValueExpr),
    Lt(ValueExpr, Val),
    Like(u8, Val),
    In(u8, Vec<Val>),
    Between(u8, Val, Val),
    IsNull(ValueExpr),
    Text(String),
    And(Box<BoolExpr>, Box<BoolExpr>),
    Or(Box<BoolExpr>, Box<BoolExpr>),
    Not(Box<BoolExpr>),
}

/// A statement over one generated table.
#[derive(Arbitrary, Debug)]
enum Stmt {
    Select {
        columns: Vec<ValueExpr>,
        filter: Option<BoolExpr>,
        order_by: Vec<u8>,
        limit: Option<u64>,
        offset: Option<u64>,
    },
    Insert(Vec<(u8, Val)>),
    Update {
        set: Vec<(u8, Val)>,
        filter: Option<BoolExpr>,
    },
    Delete(Option<BoolExpr>),
}

/// The input: a table (its name and columns) and a statement over it.
#[derive(Debug)]
struct Input {
    table: String,
    columns: Vec<String>,
    stmt: Stmt,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let table = u.arbitrary()?;
        let n = u.int_in_range(1..=4)?;
        let mut columns: Vec<String> = Vec::with_capacity(n);
        for _ in 0..n {
            columns.push(u.arbitrary()?);
        }
        Ok(Input {
            table,
            columns,
            stmt: u.arbitrary()?,
        })
    }
}

const MAX_DEPTH: usize = 8;

struct Ctx {
    table: Table,
    names: Vec<String>,
}

impl Ctx {
    fn col(&self, i: u8) -> Column {
        let name = &self.names[usize::from(i) % self.names.len()];
        // The fallible twin of `Table::c`: a generated name always exists.
        self.table
            .get_column(name)
            .expect("generated column exists")
    }

    fn name(&self, i: u8) -> &str {
        &self.names[usize::from(i) % self.names.len()]
    }

    fn value(&self, e: ValueExpr, depth: usize) -> Expr<AnyType> {
        if depth > MAX_DEPTH {
            return literal(1i64);
        }
        match e {
            ValueExpr::Column(i) => self.col(i).add(0i64),
            ValueExpr::Param(v) => literal(v.value()),
            ValueExpr::LiteralColumn(s) => literal_column(s),
            ValueExpr::Add(a, b) => self.value(*a, depth + 1).add(self.value(*b, depth + 1)),
            ValueExpr::Concat(a, b) => self.value(*a, depth + 1).concat(self.value(*b, depth + 1)),
            ValueExpr::Label(a, name) => self.value(*a, depth + 1).label(name),
        }
    }

    fn boolean(&self, e: BoolExpr, depth: usize) -> Expr<bool> {
        if depth > MAX_DEPTH {
            return self.col(0).is_null();
        }
        match e {
            BoolExpr::Eq(a, b) => self.value(a, depth + 1).eq(self.value(b, depth + 1)),
            BoolExpr::Lt(a, v) => self.value(a, depth + 1).lt(v.value()),
            BoolExpr::Like(i, v) => self.col(i).like(v.value()),
            BoolExpr::In(i, vs) => self
                .col(i)
                .in_(vs.into_iter().map(Val::value).collect::<Vec<Value>>()),
            BoolExpr::Between(i, a, b) => self.col(i).between(a.value(), b.value()),
            BoolExpr::IsNull(a) => self.value(a, depth + 1).is_null(),
            BoolExpr::Text(s) => self.col(0).is_null().and(text(s)),
            BoolExpr::And(a, b) => self.boolean(*a, depth + 1).and(self.boolean(*b, depth + 1)),
            BoolExpr::Or(a, b) => self.boolean(*a, depth + 1).or(self.boolean(*b, depth + 1)),
            BoolExpr::Not(a) => not_(self.boolean(*a, depth + 1)),
        }
    }
}

fn compile_all(dialects: &[Box<dyn Dialect>], ctx: Ctx, stmt: Stmt) {
    match stmt {
        Stmt::Select {
            columns,
            filter,
            order_by,
            limit,
            offset,
        } => {
            let mut exprs: Vec<Expr<AnyType>> =
                columns.into_iter().map(|c| ctx.value(c, 0)).collect();
            if exprs.is_empty() {
                exprs.push(ctx.col(0).add(0i64));
            }
            let mut s = select(exprs).select_from(&ctx.table);
            if let Some(f) = filter {
                s = s.filter(ctx.boolean(f, 0));
            }
            for i in order_by {
                s = s.order_by(ctx.col(i));
            }
            if let Some(n) = limit {
                s = s.limit(n);
            }
            if let Some(n) = offset {
                s = s.offset(n);
            }
            for d in dialects {
                let _ = s.try_compile(d.as_ref());
            }
        }
        Stmt::Insert(values) => {
            let pairs: Vec<(String, Value)> = values
                .into_iter()
                .map(|(i, v)| (ctx.name(i).to_owned(), v.value()))
                .collect();
            let s = insert(&ctx.table).values(pairs);
            for d in dialects {
                let _ = s.try_compile(d.as_ref());
            }
        }
        Stmt::Update { set, filter } => {
            let mut s = update(&ctx.table);
            for (i, v) in set {
                s = s.set(ctx.name(i), v.value());
            }
            if let Some(f) = filter {
                s = s.filter(ctx.boolean(f, 0));
            }
            for d in dialects {
                let _ = s.try_compile(d.as_ref());
            }
        }
        Stmt::Delete(filter) => {
            let mut s = delete(&ctx.table);
            if let Some(f) = filter {
                s = s.filter(ctx.boolean(f, 0));
            }
            for d in dialects {
                let _ = s.try_compile(d.as_ref());
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let dialects: [Box<dyn Dialect>; 3] = [
        Box::new(oxalchemy_sqlite::SqliteDialect::new()),
        Box::new(oxalchemy_postgres::PostgresDialect::new()),
        Box::new(oxalchemy_mysql::MysqlDialect::mysql8()),
    ];
    let metadata = MetaData::new();
    let mut names: Vec<String> = Vec::new();
    for c in input.columns {
        if !names.contains(&c) {
            names.push(c);
        }
    }
    // `try_table`, the fallible twin of `MetaData::table`: an empty or
    // otherwise invalid name is an error to skip, not a finding.
    let Ok(table) = metadata.try_table(&input.table, |t| {
        for (i, c) in names.iter().enumerate() {
            let ty = if i % 2 == 0 {
                SqlType::Integer
            } else {
                SqlType::Text
            };
            t.column(c, ty);
        }
    }) else {
        return;
    };
    compile_all(&dialects, Ctx { table, names }, input.stmt);
});
