//! Table constraints and indexes: foreign key, unique, check, index.

/// A FOREIGN KEY constraint: `columns` reference `target_columns` of `target_table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<String>,
    pub(crate) target_schema: Option<String>,
    pub(crate) target_table: String,
    pub(crate) target_columns: Vec<String>,
    pub(crate) ondelete: Option<String>,
    pub(crate) onupdate: Option<String>,
}

impl ForeignKey {
    /// The referencing columns of this table.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
    /// The referenced table's name.
    pub fn target_table(&self) -> &str {
        &self.target_table
    }
    /// The referenced table's schema, if given.
    pub fn target_schema(&self) -> Option<&str> {
        self.target_schema.as_deref()
    }
    /// The referenced columns.
    pub fn target_columns(&self) -> &[String] {
        &self.target_columns
    }
    /// ON DELETE action (`CASCADE`, `SET NULL`, ...).
    pub fn ondelete(&self) -> Option<&str> {
        self.ondelete.as_deref()
    }
    /// ON UPDATE action.
    pub fn onupdate(&self) -> Option<&str> {
        self.onupdate.as_deref()
    }
    /// The constraint name, if given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Parse a `"table.column"` or `"schema.table.column"` target.
    pub(crate) fn parse_target(target: &str) -> Option<(Option<String>, String, String)> {
        let parts: Vec<&str> = target.split('.').collect();
        match parts.as_slice() {
            [t, c] if !t.is_empty() && !c.is_empty() => {
                Some((None, (*t).to_owned(), (*c).to_owned()))
            }
            [s, t, c] if !s.is_empty() && !t.is_empty() && !c.is_empty() => {
                Some((Some((*s).to_owned()), (*t).to_owned(), (*c).to_owned()))
            }
            _ => None,
        }
    }
}

/// A UNIQUE constraint over one or more columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueConstraint {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<String>,
}

impl UniqueConstraint {
    /// The constraint name, if given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// The columns.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
}

/// A CHECK constraint; its condition is trusted SQL text written by the schema author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckConstraint {
    pub(crate) name: Option<String>,
    pub(crate) sql: String,
}

impl CheckConstraint {
    /// The constraint name, if given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// The condition, as SQL.
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// An index (`CREATE [UNIQUE] INDEX name ON table (columns)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub(crate) name: String,
    pub(crate) columns: Vec<String>,
    pub(crate) unique: bool,
}

impl Index {
    /// The index name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The indexed columns.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
    /// True for a UNIQUE index.
    pub fn is_unique(&self) -> bool {
        self.unique
    }
}
