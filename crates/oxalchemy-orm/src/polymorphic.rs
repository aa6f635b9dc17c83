//! `#[derive(Polymorphic)]`: an enum with one variant per class of an
//! inheritance hierarchy (SQLAlchemy's polymorphic loading through the base).
//!
//! The enum's mapper is built once at run time: its columns are the union
//! of every variant's columns (the base's first, each other column once,
//! keyed by the class that declares it), read with a LEFT OUTER JOIN to each
//! joined table. A row decodes into the variant whose `polymorphic_identity`
//! its discriminator holds. The session never holds enum values: `add`,
//! `save` and `delete` work on the variant's value ([`Model::as_persisted`]),
//! and the identity map keeps each row as its own class.

use crate::any_model::AnyModel;
use crate::inheritance::Inheritance;
use crate::mapper::{ColumnMapping, Mapper};
use oxalchemy_core::{Error, Result, Value};
use parking_lot::Mutex;
use std::sync::OnceLock;

/// One variant of a polymorphic enum.
#[derive(Debug)]
pub struct PolymorphicVariant {
    /// The variant's model.
    pub mapper: &'static Mapper,
    /// Per column of the variant (its mapper order): the enum's column position.
    pub positions: Vec<usize>,
    /// The discriminator value of the variant's class.
    pub identity: Option<Value>,
}

/// The union mapping of a polymorphic enum.
#[derive(Debug)]
pub struct Polymorphic {
    /// The variants, in declaration order.
    pub variants: Vec<PolymorphicVariant>,
    /// Per enum column: the class that declares it (its table holds it).
    pub owners: Vec<&'static Mapper>,
    /// The enum column of the discriminator.
    pub discriminator: Option<usize>,
    /// What is wrong with the enum (reported by `Mapper::configured`).
    pub error: Option<String>,
}

/// Every polymorphic enum's mapper built so far (the session finds their
/// rows among a query's columns with them).
pub(crate) fn polymorphic_mappers() -> Vec<&'static Mapper> {
    // Asked for every query: without polymorphic enums, no lock is taken.
    if !ANY.load(std::sync::atomic::Ordering::Acquire) {
        return Vec::new();
    }
    registry().lock().clone()
}

/// Set once the first polymorphic enum's mapper is built.
static ANY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn registry() -> &'static Mutex<Vec<&'static Mapper>> {
    static ALL: OnceLock<Mutex<Vec<&'static Mapper>>> = OnceLock::new();
    ALL.get_or_init(Default::default)
}

/// Build the mapper of the polymorphic enum `model` over `variants` (the
/// derive calls it once, from `Model::mapper`).
#[doc(hidden)]
pub fn polymorphic_mapper(
    model: &'static str,
    variants: &[fn() -> &'static Mapper],
    from_values_boxed: fn(Vec<Value>) -> Result<Box<dyn AnyModel>>,
) -> &'static Mapper {
    let mappers: Vec<&'static Mapper> = variants.iter().map(|f| f()).collect();
    let base = mappers[0].base_mapper();
    let mut errors: Vec<String> = Vec::new();
    let mut columns: Vec<ColumnMapping> = Vec::new();
    let mut owners: Vec<&'static Mapper> = Vec::new();
    let mut out_variants = Vec::new();
    for m in &mappers {
        if m.inheritance.is_none() || !std::ptr::eq(m.base_mapper(), base) {
            errors.push(format!(
                "{model}: variant {} is not a class of {}'s hierarchy (every variant must \
                 inherit from the same base, with #[model(inherits = ..)])",
                m.model, base.model
            ));
            continue;
        }
        let mut positions = Vec::with_capacity(m.columns.len());
        for (j, c) in m.columns.iter().enumerate() {
            let owner = m.column_owner(j);
            let found = columns
                .iter()
                .zip(&owners)
                .position(|(u, o)| u.name == c.name && std::ptr::eq(*o, owner));
            let at = match found {
                Some(at) => at,
                None => {
                    let mut col = *c;
                    if !std::ptr::eq(owner, base) {
                        col.nullable = true;
                    }
                    columns.push(col);
                    owners.push(owner);
                    columns.len() - 1
                }
            };
            positions.push(at);
        }
        out_variants.push(PolymorphicVariant {
            mapper: m,
            positions,
            identity: m.inheritance.and_then(|i| i.identity).map(|f| f()),
        });
    }
    // Every mapped class of the hierarchy needs a variant: a row of a
    // missing one could not be loaded.
    for class in base.self_and_descendants() {
        if class.inheritance.and_then(|i| i.identity).is_some()
            && !mappers.iter().any(|m| std::ptr::eq(*m, class))
        {
            errors.push(format!(
                "{model} has no variant for {}, a mapped class of {}'s hierarchy: add \
                 `{}({})`",
                class.model, base.model, class.model, class.model
            ));
        }
    }
    let discriminator = base
        .inheritance
        .and_then(|i| i.polymorphic_on)
        .and_then(|name| columns.iter().position(|c| c.name == name));
    let polymorphic: &'static Polymorphic = Box::leak(Box::new(Polymorphic {
        variants: out_variants,
        owners,
        discriminator,
        error: (!errors.is_empty()).then(|| errors.join("; ")),
    }));
    let inheritance: &'static Inheritance = Box::leak(Box::new(Inheritance {
        parent: None,
        polymorphic_on: base.inheritance.and_then(|i| i.polymorphic_on),
        identity: None,
        parent_width: 0,
        joined: false,
        polymorphic: Some(polymorphic),
        parent_ref: None,
        parent_mut: None,
    }));
    let mapper: &'static Mapper = Box::leak(Box::new(Mapper {
        model,
        table: base.table,
        schema: base.schema,
        columns: Box::leak(columns.into_boxed_slice()),
        relationships: &[],
        primary_key: base.primary_key,
        autoincrement: base.autoincrement,
        version_id: base.version_id,
        table_fn: base.table_fn,
        base_metadata: base.base_metadata,
        validators: &[],
        from_values_boxed,
        inheritance: Some(inheritance),
        state: OnceLock::new(),
    }));
    registry().lock().push(mapper);
    ANY.store(true, std::sync::atomic::Ordering::Release);
    mapper
}

impl Polymorphic {
    /// The variant a row of the enum (its values in the enum's column order) is.
    pub fn variant_of(&self, values: &[Value]) -> Result<usize> {
        let Some(d) = self.discriminator else {
            return Ok(0);
        };
        let value = values.get(d).unwrap_or(&Value::Null);
        self.variants
            .iter()
            .position(|v| v.identity.as_ref() == Some(value))
            .ok_or_else(|| {
                let known: Vec<String> = self
                    .variants
                    .iter()
                    .filter_map(|v| {
                        v.identity
                            .as_ref()
                            .map(|i| format!("{i} ({})", v.mapper.model))
                    })
                    .collect();
                Error::invalid_request(format!(
                    "no class of the hierarchy has polymorphic_identity {value} (known: {})",
                    known.join(", ")
                ))
            })
    }

    /// The values of variant `index`, taken from a row of the enum.
    pub fn variant_values(&self, index: usize, values: &[Value]) -> Vec<Value> {
        self.variants[index]
            .positions
            .iter()
            .map(|&p| values.get(p).cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// A row of the enum from the values of variant `index` (NULL elsewhere).
    pub fn enum_values(&self, index: usize, variant: Vec<Value>) -> Vec<Value> {
        let mut out = vec![Value::Null; self.owners.len()];
        for (&p, v) in self.variants[index].positions.iter().zip(variant) {
            out[p] = v;
        }
        out
    }
}

impl Mapper {
    /// The union mapping when this is the mapper of a `#[derive(Polymorphic)]` enum.
    pub fn polymorphic(&self) -> Option<&'static Polymorphic> {
        self.inheritance.and_then(|i| i.polymorphic)
    }
}

/// Which variant a row of the enum mapped by `mapper` is, and its values.
#[doc(hidden)]
pub fn polymorphic_variant(
    mapper: &'static Mapper,
    values: Vec<Value>,
) -> Result<(usize, Vec<Value>)> {
    let Some(poly) = mapper.polymorphic() else {
        return Err(Error::invalid_request(format!(
            "{} is not a polymorphic enum",
            mapper.model
        )));
    };
    let i = poly.variant_of(&values)?;
    Ok((i, poly.variant_values(i, &values)))
}

/// A row of the enum mapped by `mapper` from the values of its variant `index`.
#[doc(hidden)]
pub fn polymorphic_values(mapper: &'static Mapper, index: usize, values: Vec<Value>) -> Vec<Value> {
    match mapper.polymorphic() {
        Some(poly) => poly.enum_values(index, values),
        None => values,
    }
}
