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
    /// A foreign key from `columns` to `target_columns` of `target_table`
    /// (in `target_schema`, or in the referencing table's schema when `None`).
    /// Reflection builds its foreign keys this way.
    ///
    /// ```
    /// use oxalchemy_core::ForeignKey;
    /// let fk = ForeignKey::new(["user_id"], None, "users", ["id"]).with_ondelete("CASCADE");
    /// assert_eq!(fk.target_table(), "users");
    /// assert_eq!(fk.ondelete(), Some("CASCADE"));
    /// ```
    pub fn new<I, S, J, T>(
        columns: I,
        target_schema: Option<&str>,
        target_table: &str,
        target_columns: J,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ForeignKey {
            name: None,
            columns: columns.into_iter().map(Into::into).collect(),
            target_schema: target_schema.map(str::to_owned),
            target_table: target_table.to_owned(),
            target_columns: target_columns.into_iter().map(Into::into).collect(),
            ondelete: None,
            onupdate: None,
        }
    }

    /// The same foreign key with a constraint name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The same foreign key with an ON DELETE action.
    pub fn with_ondelete(mut self, action: impl Into<String>) -> Self {
        self.ondelete = Some(action.into());
        self
    }

    /// The same foreign key with an ON UPDATE action.
    pub fn with_onupdate(mut self, action: impl Into<String>) -> Self {
        self.onupdate = Some(action.into());
        self
    }

    /// The same foreign key pointing at `schema` (`None`: the referencing table's schema).
    pub fn with_target_schema(mut self, schema: Option<&str>) -> Self {
        self.target_schema = schema.map(str::to_owned);
        self
    }

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
    /// A UNIQUE constraint over `columns`, named or not.
    pub fn new<I, S>(name: Option<&str>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UniqueConstraint {
            name: name.map(str::to_owned),
            columns: columns.into_iter().map(Into::into).collect(),
        }
    }
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
    /// A CHECK constraint with trusted SQL text (as the database reports it).
    pub fn new(name: Option<&str>, sql: impl Into<String>) -> Self {
        CheckConstraint {
            name: name.map(str::to_owned),
            sql: sql.into(),
        }
    }
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
///
/// An expression index (`CREATE INDEX ix ON t (lower(name))`, as reflection
/// finds them) keeps its whole element list as SQL text in
/// [`expressions`](Self::expressions); [`columns`](Self::columns) then lists
/// only the elements that are plain columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub(crate) name: String,
    pub(crate) columns: Vec<String>,
    pub(crate) unique: bool,
    pub(crate) expressions: Vec<String>,
}

impl Index {
    /// An index named `name` over `columns`.
    ///
    /// ```
    /// use oxalchemy_core::Index;
    /// let ix = Index::new("ix_users_name", ["name"], false);
    /// assert_eq!(ix.columns(), ["name"]);
    /// let lower = Index::new("ix_lower", Vec::<String>::new(), false)
    ///     .with_expressions(["lower(name)"]);
    /// assert_eq!(lower.expressions(), ["lower(name)"]);
    /// ```
    pub fn new<I, S>(name: &str, columns: I, unique: bool) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Index {
            name: name.to_owned(),
            columns: columns.into_iter().map(Into::into).collect(),
            unique,
            expressions: Vec::new(),
        }
    }

    /// The same index over SQL elements (trusted text, written as given in
    /// CREATE INDEX): every element in order, plain columns included.
    pub fn with_expressions<I, S>(mut self, elements: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expressions = elements.into_iter().map(Into::into).collect();
        self
    }

    /// For an expression index, every element as SQL text; empty for a plain column index.
    pub fn expressions(&self) -> &[String] {
        &self.expressions
    }

    /// True when the index has an element that is not a plain column.
    pub fn is_expression_index(&self) -> bool {
        !self.expressions.is_empty()
    }

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
