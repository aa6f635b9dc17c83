//! `Column<M, T>`: a column reference, typed by model and Rust type when known.

use super::node::Node;
use super::source::Source;
use crate::schema::Table;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// Marker: a column of any table (Core, untyped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AnyTable;

/// Marker: a column or expression of any type (Core, untyped: accepts any operand).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AnyType;

/// A column usable in expressions.
///
/// `users.c("name")` is a `Column` (`Column<AnyTable, AnyType>`) and accepts
/// any operand; a model's `User::NAME` is a `Column<User, String>` and accepts
/// only string-like operands. Both compile to the same AST.
pub struct Column<M = AnyTable, T = AnyType> {
    source: Source,
    name: Cow<'static, str>,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        Column {
            source: self.source.clone(),
            name: self.name.clone(),
            _marker: PhantomData,
        }
    }
}

impl<M, T> fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Column({}.{})", self.source.qualifier(), self.name)
    }
}

impl Column {
    /// An untyped column of `source`.
    pub fn new(source: Source, name: impl Into<Cow<'static, str>>) -> Self {
        Column {
            source,
            name: name.into(),
            _marker: PhantomData,
        }
    }
}

impl<M, T> Column<M, T> {
    /// A typed column of a model's table, usable in `const` items:
    /// `const NAME: Column<User, String> = Column::of_model(user_table, "name");`
    pub const fn of_model(table: fn() -> &'static Table, name: &'static str) -> Self {
        Column {
            source: Source::Static(table),
            name: Cow::Borrowed(name),
            _marker: PhantomData,
        }
    }

    /// A typed column of any source.
    pub fn typed(source: Source, name: impl Into<Cow<'static, str>>) -> Self {
        Column {
            source,
            name: name.into(),
            _marker: PhantomData,
        }
    }

    /// The column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table, alias, subquery or CTE the column belongs to.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The table, when the column belongs to one (directly or through an alias).
    pub fn table(&self) -> Option<&Table> {
        self.source.table()
    }

    /// Forget the static types (a Core column).
    pub fn untyped(&self) -> Column {
        Column {
            source: self.source.clone(),
            name: self.name.clone(),
            _marker: PhantomData,
        }
    }

    /// The AST node for this column.
    pub fn node(&self) -> Node {
        Node::Column {
            source: self.source.clone(),
            name: self.name.clone(),
        }
    }
}
