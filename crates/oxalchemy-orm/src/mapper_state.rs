//! SQLAlchemy's configure step: [`MapperState`], computed once per mapper on
//! first use ([`Mapper::configured`]) and kept in the mapper's `OnceLock`, so
//! every later access is one `OnceLock::get`.
//!
//! It holds what the session asks for every row it registers and flushes
//! (key and autoincrement positions, which columns have defaults, the version
//! column) and every relationship resolved ([`ResolvedRelationship`]): join
//! columns by name and by position, `primaryjoin` parsed, `order_by` and
//! `back_populates` checked. A relationship that does not resolve keeps its
//! error, an `ArgumentError` naming the model and field, returned by every
//! operation that needs that relationship.

use crate::events::MapperListeners;
use crate::join_condition::{check_back_populate, resolve};
use crate::mapper::{Mapper, RelationshipMapping};
use crate::registry::ModelRegistration;
use crate::resolved_relationship::ResolvedRelationship;
use oxalchemy_core::{Error, Result, Table};
use std::fmt;
use std::sync::OnceLock;

/// The many-to-many relationships a model takes part in, each with true
/// when the model is the owner side.
pub(crate) type Associations = Vec<(&'static ResolvedRelationship, bool)>;

/// What the configure step works out once for one mapper.
pub struct MapperState {
    mapper: &'static Mapper,
    table: &'static Table,
    autoincrement: Option<usize>,
    /// Per column (mapper order): it has a server or client-side default.
    has_default: Vec<bool>,
    version: Option<usize>,
    /// Per relationship, in `Mapper::relationships` order.
    relationships: Vec<std::result::Result<ResolvedRelationship, String>>,
    /// Worked out on first use: it needs the other models' states.
    associations: OnceLock<std::result::Result<Associations, String>>,
    /// The model's own configuration error (its table could not be built).
    pub(crate) error: Option<String>,
    /// The mapper listeners of this model (`events::listens_for`).
    pub(crate) listeners: MapperListeners,
    /// This model or one its save-update cascades reach has a validator.
    pub(crate) validates_graph: bool,
    /// Inheritance: the discriminator's position and this model's
    /// `polymorphic_identity`, written into every INSERT whatever the field held.
    pub(crate) discriminator: Option<(usize, oxalchemy_core::Value)>,
    /// Inheritance: this model's rows span several tables (it or an ancestor
    /// is a joined subclass); the unit of work does not write those yet.
    pub(crate) spans_tables: bool,
    /// The tables of a class whose rows span several, for the flush (made on first use).
    pub(crate) table_parts: OnceLock<Vec<crate::session::joined_parts::TablePart>>,
}

impl fmt::Debug for MapperState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapperState")
            .field("model", &self.mapper.model)
            .field("autoincrement", &self.autoincrement)
            .field("relationships", &self.relationships)
            .finish_non_exhaustive()
    }
}

impl MapperState {
    /// The configure step for `mapper`.
    pub(crate) fn configure(mapper: &'static Mapper) -> MapperState {
        let table = (mapper.table_fn)();
        let error = mapper
            .build_table()
            .err()
            .map(|e| match e {
                Error::ArgumentError(m) => m,
                other => other.to_string(),
            })
            .or_else(|| crate::inheritance::check_identities(mapper).err())
            .or_else(|| mapper.polymorphic().and_then(|p| p.error.clone()));
        let autoincrement = mapper.autoincrement.filter(|&i| {
            let c = &mapper.columns[i];
            c.autoincrement == Some(true)
                || table
                    .column_def(c.name)
                    .is_some_and(|d| d.sql_type().is_integer())
        });
        let has_default = mapper
            .columns
            .iter()
            .map(|c| {
                table
                    .column_def(c.name)
                    .is_some_and(|d| d.server_default().is_some() || d.default().is_some())
            })
            .collect();
        let version = mapper.version_id.and_then(|v| {
            mapper
                .column_position(v)
                .or_else(|| mapper.field_position(v))
        });
        let relationships = mapper
            .relationships
            .iter()
            .map(|rel| configure_relationship(mapper, rel))
            .collect();
        MapperState {
            mapper,
            table,
            autoincrement,
            has_default,
            version,
            relationships,
            associations: OnceLock::new(),
            error,
            listeners: MapperListeners::default(),
            validates_graph: crate::validator::reaches_validators(mapper),
            spans_tables: crate::inheritance::spans_tables(mapper),
            table_parts: OnceLock::new(),
            discriminator: mapper
                .inheritance
                .and_then(|inh| Some((mapper.discriminator_position()?, (inh.identity?)()))),
        }
    }

    /// The mapper this state belongs to.
    pub fn mapper(&self) -> &'static Mapper {
        self.mapper
    }

    /// The model's table.
    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// Positions of the primary-key columns (in mapper order).
    pub fn primary_key(&self) -> &'static [usize] {
        self.mapper.primary_key
    }

    /// Position of the column the database generates (SQLAlchemy's autoincrement rule).
    pub fn autoincrement(&self) -> Option<usize> {
        self.autoincrement
    }

    /// True when column `pos` has a server or client-side default.
    pub fn has_default(&self, pos: usize) -> bool {
        self.has_default.get(pos).copied().unwrap_or(false)
    }

    /// Position of the version counter column (`version_id`).
    pub fn version_position(&self) -> Option<usize> {
        self.version
    }

    /// The relationship at `index` of `Mapper::relationships`, resolved.
    pub fn relationship_at(&self, index: usize) -> Result<&ResolvedRelationship> {
        match self.relationships.get(index) {
            Some(Ok(r)) => Ok(r),
            Some(Err(e)) => Err(Error::argument(e.clone())),
            None => Err(Error::argument(format!(
                "{} has no relationship number {index}",
                self.mapper.model
            ))),
        }
    }

    /// The relationship named `field`, resolved.
    pub fn relationship(&self, field: &str) -> Result<&ResolvedRelationship> {
        match self
            .mapper
            .relationships
            .iter()
            .position(|r| r.field == field)
        {
            Some(i) => self.relationship_at(i),
            None => Err(Error::argument(format!(
                "{} has no relationship {field:?}",
                self.mapper.model
            ))),
        }
    }

    /// `rel` (one of this mapper's relationships), resolved.
    pub fn resolved(&self, rel: &RelationshipMapping) -> Result<&ResolvedRelationship> {
        match self
            .mapper
            .relationships
            .iter()
            .position(|r| std::ptr::eq(r, rel))
        {
            Some(i) => self.relationship_at(i),
            None => self.relationship(rel.field),
        }
    }

    /// The many-to-many relationships this model takes part in: its own (as
    /// owner), and those of other models that target it.
    pub(crate) fn associations(&'static self) -> Result<&'static Associations> {
        self.associations
            .get_or_init(|| {
                let mut out = Vec::new();
                for (i, rel) in self.mapper.relationships.iter().enumerate() {
                    if rel.secondary.is_some() {
                        out.push((self.relationship_at(i).map_err(message)?, true));
                    }
                }
                for reg in inventory::iter::<ModelRegistration> {
                    let other = (reg.mapper)();
                    for (i, rel) in other.relationships.iter().enumerate() {
                        if rel.secondary.is_some() && std::ptr::eq((rel.target)(), self.mapper) {
                            let r = other.state().relationship_at(i).map_err(message)?;
                            out.push((r, false));
                        }
                    }
                }
                Ok(out)
            })
            .as_ref()
            .map_err(|e| Error::argument(e.clone()))
    }
}

fn message(e: Error) -> String {
    match e {
        Error::ArgumentError(m) => m,
        other => other.to_string(),
    }
}

/// Resolve `rel` of `mapper` and check its `back_populates`.
fn configure_relationship(
    mapper: &'static Mapper,
    rel: &'static RelationshipMapping,
) -> std::result::Result<ResolvedRelationship, String> {
    check_back_populate(mapper, rel)?;
    resolve(mapper, rel).map_err(message)
}
