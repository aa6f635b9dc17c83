//! [`ResolvedRelationship`]: a relationship with its join condition worked
//! out, by column name and by position. The configure step makes one per
//! relationship ([`crate::MapperState::relationship`]); loaders, `any()` /
//! `has()`, joins and the session's cascades all read it.

use crate::join_condition::Direction;
use crate::mapper::{Mapper, RelationshipMapping};
use oxalchemy_core::{SqlType, Table};
use std::fmt;

/// An association table and how it links both sides.
#[derive(Debug, Clone)]
pub struct SecondaryJoin {
    /// The association table.
    pub table: Table,
    /// (owner column, association column) pairs.
    pub owner_pairs: Vec<(String, String)>,
    /// (target column, association column) pairs.
    pub target_pairs: Vec<(String, String)>,
    /// The owner columns of `owner_pairs`, as positions in the owner's mapper.
    pub owner_positions: Vec<usize>,
    /// The target columns of `target_pairs`, as positions in the target's mapper.
    pub target_positions: Vec<usize>,
}

impl SecondaryJoin {
    /// The association columns equal to the owner's columns.
    pub fn owner_columns(&self) -> Vec<String> {
        self.owner_pairs.iter().map(|(_, a)| a.clone()).collect()
    }

    /// The association columns equal to the target's columns.
    pub fn target_columns(&self) -> Vec<String> {
        self.target_pairs.iter().map(|(_, a)| a.clone()).collect()
    }
}

/// A relationship with its join condition worked out.
#[derive(Clone)]
pub struct ResolvedRelationship {
    /// `"User.addresses"`, for messages.
    pub name: String,
    /// The model that has the relationship.
    pub owner: &'static Mapper,
    /// The relationship as declared.
    pub mapping: &'static RelationshipMapping,
    /// The related model.
    pub target: &'static Mapper,
    /// The direction.
    pub direction: Direction,
    /// (owner column, target column) pairs of the condition (empty for many-to-many).
    pub pairs: Vec<(String, String)>,
    /// `pairs` as (owner position, target position), in mapper order.
    pub positions: Vec<(usize, usize)>,
    /// The association table of a many-to-many relationship.
    pub secondary: Option<SecondaryJoin>,
    /// The SQL types of the link columns (see `link_cols`), to make the
    /// keys read from the database canonical.
    pub(crate) link_types: Vec<SqlType>,
    /// See [`owner_positions`](Self::owner_positions).
    owner_link: Vec<usize>,
}

impl fmt::Debug for ResolvedRelationship {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolvedRelationship")
            .field("name", &self.name)
            .field("target", &self.target.model)
            .field("direction", &self.direction)
            .field("pairs", &self.pairs)
            .field("secondary", &self.secondary)
            .finish_non_exhaustive()
    }
}

impl ResolvedRelationship {
    pub(crate) fn new(
        name: String,
        owner: &'static Mapper,
        mapping: &'static RelationshipMapping,
        direction: Direction,
        pairs: Vec<(String, String)>,
        positions: Vec<(usize, usize)>,
        secondary: Option<SecondaryJoin>,
    ) -> ResolvedRelationship {
        let target = (mapping.target)();
        let (table, link): (&Table, Vec<&str>) = match &secondary {
            Some(s) => (
                &s.table,
                s.owner_pairs.iter().map(|(_, a)| a.as_str()).collect(),
            ),
            None => (
                (target.table_fn)(),
                pairs.iter().map(|(_, t)| t.as_str()).collect(),
            ),
        };
        let link_types = link
            .iter()
            .map(|c| {
                table
                    .column_def(c)
                    .map(|d| d.sql_type().clone())
                    .unwrap_or(SqlType::Text)
            })
            .collect();
        let owner_link = match &secondary {
            Some(s) => s.owner_positions.clone(),
            None => positions.iter().map(|&(o, _)| o).collect(),
        };
        ResolvedRelationship {
            name,
            owner,
            mapping,
            target,
            direction,
            pairs,
            positions,
            secondary,
            link_types,
            owner_link,
        }
    }

    /// The positions (in the owner's mapper) of the owner's columns whose
    /// values pick the related rows.
    pub fn owner_positions(&self) -> &[usize] {
        &self.owner_link
    }

    /// True for a collection (`Related<Vec<T>>`).
    pub fn is_collection(&self) -> bool {
        self.mapping.uselist
    }

    /// True when the owner holds the foreign key.
    pub fn is_many_to_one(&self) -> bool {
        self.direction == Direction::ManyToOne
    }
}
