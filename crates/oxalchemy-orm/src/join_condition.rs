//! Which columns link a relationship's two sides: inferred from the single
//! foreign key between the tables, or given by `foreign_keys` / `primaryjoin`
//! (parsed here, once per relationship, by the configure step).

use crate::mapper::{Mapper, RelationshipMapping};
use crate::resolved_relationship::{ResolvedRelationship, SecondaryJoin};
use oxalchemy_core::{Error, ForeignKey, Result, Table};

/// How the two sides of a relationship are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The owner holds the foreign key (`Address.user`).
    ManyToOne,
    /// The target holds the foreign key (`User.addresses`; one-to-one with `uselist = false`).
    OneToMany,
    /// Through an association table (`secondary`).
    ManyToMany,
}

/// Column pairs by name: (this side's column, the other side's column).
type NamePairs = Vec<(String, String)>;

/// The join columns of a relationship, by name (before positions are looked up).
struct JoinColumns {
    direction: Direction,
    /// (owner column, target column) pairs (empty for many-to-many).
    pairs: Vec<(String, String)>,
    /// The association table, (owner column, association column) and
    /// (target column, association column) pairs.
    secondary: Option<(Table, NamePairs, NamePairs)>,
}

fn describe(fk: &ForeignKey, table: &Table) -> String {
    format!(
        "{}({}) -> {}({})",
        table.name(),
        fk.columns().join(", "),
        fk.target_table(),
        fk.target_columns().join(", ")
    )
}

/// True when `fk` uses exactly the columns named in `foreign_keys` (`"col"` or `"table.col"`).
fn matches_foreign_keys(fk: &ForeignKey, table: &Table, foreign_keys: &[&str]) -> bool {
    if foreign_keys.is_empty() {
        return true;
    }
    fk.columns().iter().all(|c| {
        foreign_keys.iter().any(|f| match f.rsplit_once('.') {
            Some((t, col)) => t == table.name() && col == c,
            None => *f == c,
        })
    })
}

fn pairs_of(fk: &ForeignKey) -> Vec<(String, String)> {
    fk.columns()
        .iter()
        .cloned()
        .zip(fk.target_columns().iter().cloned())
        .collect()
}

/// Parse `"a.x = b.y AND a.z = b.w"` into column pairs oriented (owner, target).
fn parse_primaryjoin(
    text: &str,
    owner: &Table,
    target: &Table,
    rel: &str,
) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for term in text.split(" AND ").flat_map(|t| t.split(" and ")) {
        let (l, r) = term.split_once('=').ok_or_else(|| {
            Error::argument(format!(
                "{rel}: primaryjoin {text:?} must be \"table.column = table.column\" terms joined by AND"
            ))
        })?;
        let side = |s: &str| -> Option<(String, String)> {
            let (t, c) = s.trim().rsplit_once('.')?;
            Some((t.trim().to_owned(), c.trim().to_owned()))
        };
        let (Some((lt, lc)), Some((rt, rc))) = (side(l), side(r)) else {
            return Err(Error::argument(format!(
                "{rel}: primaryjoin term {term:?} must compare two \"table.column\" names"
            )));
        };
        if lt == owner.name() && rt == target.name() {
            pairs.push((lc, rc));
        } else if rt == owner.name() && lt == target.name() {
            pairs.push((rc, lc));
        } else {
            return Err(Error::argument(format!(
                "{rel}: primaryjoin term {term:?} must compare {} with {}",
                owner.name(),
                target.name()
            )));
        }
    }
    Ok(pairs)
}

/// Work out how `rel` of `owner` links to its target (the configure step
/// does this once per relationship; [`crate::Mapper::configured`] holds the result).
pub fn resolve(
    owner: &'static Mapper,
    rel: &'static RelationshipMapping,
) -> Result<ResolvedRelationship> {
    let join = infer(owner, rel)?;
    let target = (rel.target)();
    let name = format!("{}.{}", owner.model, rel.field);
    let position = |m: &'static Mapper, column: &str| -> Result<usize> {
        m.column_position(column).ok_or_else(|| {
            Error::argument(format!(
                "{name}: the join column {}.{column} is not a mapped column of {}",
                m.table, m.model
            ))
        })
    };
    let positions = join
        .pairs
        .iter()
        .map(|(o, t)| Ok((position(owner, o)?, position(target, t)?)))
        .collect::<Result<Vec<_>>>()?;
    let secondary = match join.secondary {
        Some((table, owner_pairs, target_pairs)) => Some(SecondaryJoin {
            owner_positions: owner_pairs
                .iter()
                .map(|(o, _)| position(owner, o))
                .collect::<Result<_>>()?,
            target_positions: target_pairs
                .iter()
                .map(|(t, _)| position(target, t))
                .collect::<Result<_>>()?,
            table,
            owner_pairs,
            target_pairs,
        }),
        None => None,
    };
    let target_table = (target.table_fn)();
    for term in rel.order_by {
        if target_table.column_def(term.column).is_none() {
            return Err(Error::argument(format!(
                "{name}: order_by names {:?}, which is not a column of {} (columns: {})",
                term.column,
                target_table.name(),
                target_table.column_names().join(", ")
            )));
        }
    }
    Ok(ResolvedRelationship::new(
        name,
        owner,
        rel,
        join.direction,
        join.pairs,
        positions,
        secondary,
    ))
}

/// The join columns of `rel` of `owner`, by name.
fn infer(owner: &'static Mapper, rel: &'static RelationshipMapping) -> Result<JoinColumns> {
    let target = (rel.target)();
    let owner_table = (owner.table_fn)();
    let target_table = (target.table_fn)();
    let name = format!("{}.{}", owner.model, rel.field);

    if let Some(secondary) = rel.secondary {
        let md = (owner.base_metadata)();
        let table = md.get_table(secondary).ok_or_else(|| {
            Error::argument(format!(
                "{name}: secondary = {secondary:?} is not a table of the base's metadata; \
                 define it with Base::metadata().table({secondary:?}, ..) or as a model"
            ))
        })?;
        let to = |t: &Table| -> Vec<&ForeignKey> {
            table
                .foreign_keys()
                .iter()
                .filter(|fk| fk.target_table() == t.name())
                .filter(|fk| matches_foreign_keys(fk, &table, rel.foreign_keys))
                .collect()
        };
        let owner_fks = to(owner_table);
        let target_fks = to(target_table);
        let pick = |fks: Vec<&ForeignKey>, side: &str| -> Result<Vec<(String, String)>> {
            match fks.as_slice() {
                [fk] => Ok(fk
                    .target_columns()
                    .iter()
                    .cloned()
                    .zip(fk.columns().iter().cloned())
                    .collect()),
                [] => Err(Error::argument(format!(
                    "{name}: the association table {secondary:?} has no foreign key to {side}"
                ))),
                many => Err(Error::argument(format!(
                    "{name}: the association table {secondary:?} has several foreign keys to {side} ({}); name the owner's with foreign_keys = \"..\"",
                    many.iter()
                        .map(|f| describe(f, &table))
                        .collect::<Vec<_>>()
                        .join("; ")
                ))),
            }
        };
        if owner_table.name() == target_table.name() && rel.foreign_keys.is_empty() {
            return Err(Error::argument(format!(
                "{name}: a self-referential many-to-many relationship needs foreign_keys = \"..\" naming the association columns that point at the owner"
            )));
        }
        let owner_pairs = pick(owner_fks, owner_table.name())?;
        let target_pairs = if owner_table.name() == target_table.name() {
            // The other foreign key of the association table points at the target.
            let others: Vec<&ForeignKey> = table
                .foreign_keys()
                .iter()
                .filter(|fk| fk.target_table() == target_table.name())
                .filter(|fk| !matches_foreign_keys(fk, &table, rel.foreign_keys))
                .collect();
            pick(others, target_table.name())?
        } else {
            pick(target_fks, target_table.name())?
        };
        return Ok(JoinColumns {
            direction: Direction::ManyToMany,
            pairs: Vec::new(),
            secondary: Some((table, owner_pairs, target_pairs)),
        });
    }

    if let Some(text) = rel.primaryjoin {
        let pairs = parse_primaryjoin(text, owner_table, target_table, &name)?;
        // The owner holds the foreign key when its side of the condition is a foreign key column.
        let owner_has_fk = pairs.iter().all(|(o, _)| {
            owner_table
                .foreign_keys()
                .iter()
                .any(|fk| fk.target_table() == target_table.name() && fk.columns().contains(o))
        });
        let direction =
            if owner_has_fk && !(owner_table.name() == target_table.name() && rel.uselist) {
                Direction::ManyToOne
            } else {
                Direction::OneToMany
            };
        return Ok(JoinColumns {
            direction,
            pairs,
            secondary: None,
        });
    }

    // Foreign keys on the target pointing at the owner (one-to-many) and on the
    // owner pointing at the target (many-to-one).
    let one_to_many: Vec<&ForeignKey> = target_table
        .foreign_keys()
        .iter()
        .filter(|fk| fk.target_table() == owner_table.name())
        .filter(|fk| matches_foreign_keys(fk, target_table, rel.foreign_keys))
        .collect();
    let many_to_one: Vec<&ForeignKey> = owner_table
        .foreign_keys()
        .iter()
        .filter(|fk| fk.target_table() == target_table.name())
        .filter(|fk| matches_foreign_keys(fk, owner_table, rel.foreign_keys))
        .collect();

    if owner_table.name() == target_table.name() {
        // Adjacency list: one foreign key, read in the direction the field asks for.
        let fk = match one_to_many.as_slice() {
            [fk] => *fk,
            [] => {
                return Err(Error::argument(format!(
                    "{name}: {} has no foreign key to itself; add foreign_key = \"{}.<column>\"",
                    owner_table.name(),
                    owner_table.name()
                )));
            }
            many => {
                return Err(Error::argument(format!(
                    "{name}: several foreign keys of {} point at itself ({}); name one with foreign_keys = \"..\"",
                    owner_table.name(),
                    many.iter()
                        .map(|f| describe(f, owner_table))
                        .collect::<Vec<_>>()
                        .join("; ")
                )));
            }
        };
        return Ok(if rel.uselist {
            JoinColumns {
                direction: Direction::OneToMany,
                pairs: pairs_of(fk).into_iter().map(|(c, t)| (t, c)).collect(),
                secondary: None,
            }
        } else {
            JoinColumns {
                direction: Direction::ManyToOne,
                pairs: pairs_of(fk),
                secondary: None,
            }
        });
    }

    let total = one_to_many.len() + many_to_one.len();
    match (one_to_many.as_slice(), many_to_one.as_slice()) {
        ([fk], []) => Ok(JoinColumns {
            direction: Direction::OneToMany,
            // (owner referenced column, target foreign-key column)
            pairs: pairs_of(fk).into_iter().map(|(c, t)| (t, c)).collect(),
            secondary: None,
        }),
        ([], [fk]) => Ok(JoinColumns {
            direction: Direction::ManyToOne,
            pairs: pairs_of(fk),
            secondary: None,
        }),
        _ if total == 0 => Err(Error::argument(format!(
            "{name}: no foreign key links {} and {}; add foreign_key = \"{}.<column>\" to a field of {}, or give primaryjoin = \"..\"",
            owner_table.name(),
            target_table.name(),
            owner_table.name(),
            target.model
        ))),
        _ => {
            let mut all: Vec<String> = one_to_many
                .iter()
                .map(|f| describe(f, target_table))
                .collect();
            all.extend(many_to_one.iter().map(|f| describe(f, owner_table)));
            Err(Error::argument(format!(
                "{name}: several foreign keys link {} and {} ({}); choose one with foreign_keys = \"..\" or primaryjoin = \"..\"",
                owner_table.name(),
                target_table.name(),
                all.join("; ")
            )))
        }
    }
}

/// Check `back_populates` of every relationship: both sides must name each other.
pub fn check_back_populates(mappers: &[&'static Mapper]) -> std::result::Result<(), String> {
    for m in mappers {
        for rel in m.relationships {
            check_back_populate(m, rel)?;
        }
    }
    Ok(())
}

/// Check `back_populates` of `rel` of `owner`: the target must have that
/// relationship, and it must name `rel` back.
pub(crate) fn check_back_populate(
    owner: &Mapper,
    rel: &RelationshipMapping,
) -> std::result::Result<(), String> {
    let Some(back) = rel.back_populates else {
        return Ok(());
    };
    let target = (rel.target)();
    let Some(other) = target.relationship(back) else {
        return Err(format!(
            "{}.{}: back_populates = {back:?}, but {} has no relationship {back:?} (its relationships: {})",
            owner.model,
            rel.field,
            target.model,
            target
                .relationships
                .iter()
                .map(|r| r.field)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    if other.back_populates != Some(rel.field) {
        return Err(format!(
            "{}.{} has back_populates = {back:?}, so {}.{back} must have back_populates = {:?}{}",
            owner.model,
            rel.field,
            target.model,
            rel.field,
            match other.back_populates {
                Some(b) => format!(" (it has {b:?})"),
                None => " (it has none)".to_owned(),
            }
        ));
    }
    Ok(())
}
