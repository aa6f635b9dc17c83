//! `Source`: what a column belongs to (a table, an alias, a subquery, a CTE).

use super::column::Column;
use crate::schema::Table;
use crate::stmt::{Cte, Subquery};
use std::fmt;
use std::sync::Arc;

/// Where a column lives; also an item of a FROM clause.
#[derive(Clone)]
pub enum Source {
    /// A table.
    Table(Table),
    /// A model's table, reached through a function so model column constants
    /// can be `const` (the derive generates the function).
    Static(fn() -> &'static Table),
    /// `table AS name`.
    Alias(Alias),
    /// `(SELECT ..) AS name`.
    Subquery(Subquery),
    /// A common table expression.
    Cte(Cte),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Table(t) => write!(f, "Table({})", t.fullname()),
            Source::Static(t) => write!(f, "Table({})", t().fullname()),
            Source::Alias(a) => write!(f, "Alias({} AS {})", a.table().fullname(), a.name()),
            Source::Subquery(s) => write!(f, "Subquery({})", s.name()),
            Source::Cte(c) => write!(f, "Cte({})", c.reference_name()),
        }
    }
}

/// Identity of a FROM item, used to de-duplicate inferred FROMs and to correlate subqueries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceKey<'a> {
    kind: u8,
    schema: Option<&'a str>,
    name: &'a str,
}

impl<'a> SourceKey<'a> {
    /// The key of a table.
    pub fn for_table(t: &'a Table) -> Self {
        SourceKey {
            kind: 0,
            schema: t.schema(),
            name: t.name(),
        }
    }

    /// The name the FROM item is referred to by.
    pub fn name(&self) -> &'a str {
        self.name
    }
}

impl Source {
    /// The table behind a table or alias source.
    pub fn table(&self) -> Option<&Table> {
        match self {
            Source::Table(t) => Some(t),
            Source::Static(f) => Some(f()),
            Source::Alias(a) => Some(a.table()),
            _ => None,
        }
    }

    /// The identity of this source.
    pub fn key(&self) -> SourceKey<'_> {
        match self {
            Source::Table(t) => SourceKey {
                kind: 0,
                schema: t.schema(),
                name: t.name(),
            },
            Source::Static(f) => {
                let t: &'static Table = f();
                SourceKey {
                    kind: 0,
                    schema: t.schema(),
                    name: t.name(),
                }
            }
            Source::Alias(a) => SourceKey {
                kind: 1,
                schema: None,
                name: a.name(),
            },
            Source::Subquery(s) => SourceKey {
                kind: 2,
                schema: None,
                name: s.name(),
            },
            Source::Cte(c) => SourceKey {
                kind: 3,
                schema: None,
                name: c.reference_name(),
            },
        }
    }

    /// The name columns are qualified with (`users`, `u`, `counts`).
    pub fn qualifier(&self) -> &str {
        self.key().name
    }
}

/// `table AS name`: a second reference to a table, for self-joins.
///
/// ```
/// use oxalchemy_core::{MetaData, sql_type::Integer};
/// let md = MetaData::new();
/// let nodes = md.table("nodes", |t| {
///     t.column("id", Integer).primary_key();
///     t.column("parent_id", Integer).foreign_key("nodes.id");
/// });
/// let parent = nodes.alias("parent");
/// assert_eq!(parent.name(), "parent");
/// let _ = parent.c("id");
/// ```
#[derive(Clone)]
pub struct Alias(Arc<AliasInner>);

struct AliasInner {
    table: Table,
    name: String,
}

impl fmt::Debug for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alias({} AS {})", self.0.table.fullname(), self.0.name)
    }
}

impl Alias {
    /// An alias of `table`.
    pub fn new(table: Table, name: &str) -> Self {
        Alias(Arc::new(AliasInner {
            table,
            name: name.to_owned(),
        }))
    }
    /// The aliased table.
    pub fn table(&self) -> &Table {
        &self.0.table
    }
    /// The alias name.
    pub fn name(&self) -> &str {
        &self.0.name
    }
    /// A column through the alias; panics naming the alias and its columns when missing.
    pub fn c(&self, name: &str) -> Column {
        self.get_column(name).unwrap_or_else(|| {
            panic!(
                "alias {:?} of table {:?} has no column {:?}; its columns are: {}",
                self.0.name,
                self.0.table.fullname(),
                name,
                self.0.table.column_names().join(", ")
            )
        })
    }
    /// A column through the alias, or `None`.
    pub fn get_column(&self, name: &str) -> Option<Column> {
        let def = self.0.table.column_def(name)?;
        Some(Column::new(
            Source::Alias(self.clone()),
            def.name().to_owned(),
        ))
    }
}
