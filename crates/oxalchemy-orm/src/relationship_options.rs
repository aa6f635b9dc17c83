//! The typed options of a relationship, as the derive emits them after
//! checking the attribute's text at compile time: [`Cascade`], [`Lazy`] and
//! [`OrderBy`].

use std::fmt;

/// The cascades of one relationship (`cascade = "all, delete-orphan"`).
/// `all` is save-update, merge, delete, refresh-expire and expunge; merge,
/// refresh-expire and expunge have no effect on persistence here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cascade {
    /// `save-update`: `add` saves the objects the relationship holds.
    pub save_update: bool,
    /// `merge`.
    pub merge: bool,
    /// `delete`: deleting the owner deletes the related objects.
    pub delete: bool,
    /// `delete-orphan`: a child removed from the collection is deleted.
    pub delete_orphan: bool,
    /// `refresh-expire`.
    pub refresh_expire: bool,
    /// `expunge`.
    pub expunge: bool,
}

impl Cascade {
    /// No cascade at all (`cascade = ""`).
    pub const NONE: Cascade = Cascade {
        save_update: false,
        merge: false,
        delete: false,
        delete_orphan: false,
        refresh_expire: false,
        expunge: false,
    };

    /// SQLAlchemy's default, `"save-update, merge"`.
    pub const DEFAULT: Cascade = Cascade {
        save_update: true,
        merge: true,
        ..Cascade::NONE
    };

    /// `"all"`.
    pub const ALL: Cascade = Cascade {
        save_update: true,
        merge: true,
        delete: true,
        delete_orphan: false,
        refresh_expire: true,
        expunge: true,
    };

    /// The names of this cascade set, in SQLAlchemy's spelling.
    fn names(&self) -> Vec<&'static str> {
        let all = Cascade {
            delete_orphan: self.delete_orphan,
            ..Cascade::ALL
        };
        let mut out = Vec::new();
        if *self == all {
            out.push("all");
        } else {
            for (on, name) in [
                (self.save_update, "save-update"),
                (self.merge, "merge"),
                (self.delete, "delete"),
                (self.refresh_expire, "refresh-expire"),
                (self.expunge, "expunge"),
            ] {
                if on {
                    out.push(name);
                }
            }
        }
        if self.delete_orphan {
            out.push("delete-orphan");
        }
        out
    }
}

/// `"all, delete-orphan"`, `"save-update, merge"`: the setting as written in
/// `#[relationship(cascade = "..")]` (normalized).
impl fmt::Display for Cascade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(", "))
    }
}

/// The default loading strategy of a relationship (`lazy = ".."`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lazy {
    /// `"select"` (the default): not loaded unless a query asks (no implicit I/O).
    #[default]
    Select,
    /// `"selectin"`: loaded with every query of the owner, `IN (..)` batches.
    Selectin,
    /// `"joined"`: loaded with a LEFT OUTER JOIN of the owner's query.
    Joined,
    /// `"subquery"`: loaded by repeating the owner's query as a subquery.
    Subquery,
    /// `"raise"`: never loaded by default.
    Raise,
}

impl Lazy {
    /// The setting's text (`"selectin"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Lazy::Select => "select",
            Lazy::Selectin => "selectin",
            Lazy::Joined => "joined",
            Lazy::Subquery => "subquery",
            Lazy::Raise => "raise",
        }
    }
}

impl fmt::Display for Lazy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ORDER BY term of a collection (`order_by = "position desc, id"`):
/// a column of the target's table and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderBy {
    /// The column name (a `table.` prefix is dropped by the derive).
    pub column: &'static str,
    /// DESC when true.
    pub desc: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cascades_print_as_written() {
        assert_eq!(Cascade::DEFAULT.to_string(), "save-update, merge");
        let all_orphan = Cascade {
            delete_orphan: true,
            ..Cascade::ALL
        };
        assert_eq!(all_orphan.to_string(), "all, delete-orphan");
        assert_eq!(Cascade::NONE.to_string(), "");
        let d = Cascade {
            delete: true,
            ..Cascade::NONE
        };
        assert_eq!(d.to_string(), "delete");
    }

    #[test]
    fn lazy_names() {
        assert_eq!(Lazy::default(), Lazy::Select);
        assert_eq!(Lazy::Selectin.to_string(), "selectin");
    }
}
