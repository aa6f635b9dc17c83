//! Joined eager loading: the LEFT OUTER JOINs and columns a query gets for
//! `joinedload` (and `contains_eager`, which reuses a join the query has), the
//! extraction of the joined rows per parent, and the LIMIT rewrite that keeps
//! a LIMIT counting parents when a collection is joined.

use super::keys::{Key, key_of_raw, row_key};
use super::options::Strategy;
use super::query::{col, in_select};
use super::tree::{LoadNode, decide};
use crate::mapper::{Mapper, RelKey, RelationshipMapping};
use crate::resolved_relationship::ResolvedRelationship;
use oxalchemy_core::expr::{Node, Source};
use oxalchemy_core::stmt::{JoinClause, JoinKind, SelectCore, SelectStmt};
use oxalchemy_core::{Error, ExprLike, Result, SqlType, Subquery, Value};
use std::collections::{HashMap, HashSet};

/// The identity of a loader path (the relationships from the root model).
pub(crate) type PathKey = Vec<RelKey>;

/// The key of a loader path.
pub(crate) fn path_key(path: &[&'static RelationshipMapping]) -> PathKey {
    path.iter().map(|r| RelKey(r)).collect()
}

/// Children read from joined columns: per loader path, per owner identity
/// (primary key), the child rows (target columns), in row order, unique.
pub(crate) type JoinData = HashMap<PathKey, HashMap<Key, Vec<Vec<Value>>>>;

/// Where one joined relationship's columns are in the rows.
#[derive(Debug)]
pub(crate) struct JoinedSpan {
    path: PathKey,
    owner: &'static Mapper,
    owner_offset: usize,
    target: &'static Mapper,
    target_offset: usize,
    /// A collection: rows repeat per child, so they are de-duplicated.
    pub(crate) collection: bool,
}

/// An entity among a query's result columns.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    pub(crate) offset: usize,
    pub(crate) mapper: &'static Mapper,
    pub(crate) source: Source,
}

/// The entities among `columns`: each model of the result shape whose
/// columns are there, in mapper order, from one table or alias (what
/// `select(User)` writes), with that FROM item.
pub(crate) fn roots(columns: &[Node], entities: &[(usize, &'static Mapper)]) -> Vec<Root> {
    entities
        .iter()
        .filter_map(|&(offset, mapper)| {
            let Some(Node::Column { source, .. }) = columns.get(offset) else {
                return None;
            };
            let key = source.key();
            let fits = columns.len() >= offset + mapper.columns.len()
                && mapper.columns.iter().enumerate().all(|(j, c)| {
                    matches!(&columns[offset + j], Node::Column { source: s, name }
                        if s.key() == key && name == c.name)
                });
            fits.then(|| Root {
                offset,
                mapper,
                source: source.clone(),
            })
        })
        .collect()
}

/// Adds the joins of joined eager loading to one statement.
pub(crate) struct JoinPlanner<'a> {
    core: &'a mut SelectCore,
    aliases: usize,
    pub(crate) spans: Vec<JoinedSpan>,
}

impl<'a> JoinPlanner<'a> {
    pub(crate) fn new(core: &'a mut SelectCore) -> Self {
        JoinPlanner {
            core,
            aliases: 0,
            spans: Vec::new(),
        }
    }

    /// Add the joined relationships of `owner` (whose columns start at
    /// `owner_offset` of the rows, from `owner_source`), recursively.
    pub(crate) fn plan(
        &mut self,
        owner: &'static Mapper,
        owner_source: &Source,
        owner_offset: usize,
        node: Option<&LoadNode>,
        path: &mut Vec<&'static RelationshipMapping>,
    ) -> Result<()> {
        for rel in owner.relationships {
            let Some((strategy, child)) = decide(owner, node, rel, path) else {
                continue;
            };
            if !strategy.is_joined() {
                continue;
            }
            let info = owner.configured()?.resolved(rel)?;
            let target_source = match strategy {
                Strategy::ContainsEager => self.existing_join(info, owner_source)?,
                _ => {
                    self.aliases += 1;
                    let table = (info.target.table_fn)();
                    let alias =
                        Source::Alias(table.alias(&format!("{}_{}", table.name(), self.aliases)));
                    let secondary = info.secondary.as_ref().map(|s| {
                        Source::Alias(s.table.alias(&format!(
                            "{}_{}",
                            s.table.name(),
                            self.aliases
                        )))
                    });
                    self.core.joins.extend(info.joins(
                        JoinKind::Left,
                        owner_source,
                        &alias,
                        secondary.as_ref(),
                    ));
                    if info.is_collection() {
                        self.core.order_by.extend(info.order_by(&alias));
                    }
                    alias
                }
            };
            let target_offset = self.core.columns.len();
            if info.target.inheritance.is_some() && !matches!(strategy, Strategy::ContainsEager) {
                self.hierarchy_columns(info, &target_source)?;
            } else {
                self.core.columns.extend(
                    info.target
                        .columns
                        .iter()
                        .map(|c| col(&target_source, c.name)),
                );
            }
            path.push(rel);
            self.spans.push(JoinedSpan {
                path: path_key(path),
                owner,
                owner_offset,
                target: info.target,
                target_offset,
                collection: !info.is_many_to_one(),
            });
            let r = self.plan(info.target, &target_source, target_offset, child, path);
            path.pop();
            r?;
        }
        Ok(())
    }

    /// The columns of a target of an inheritance hierarchy (a class or a
    /// polymorphic enum) joined as `alias` (its base table): each joined
    /// table of the target outer-joined under an alias of its own, and a
    /// single-table subclass's discriminator criterion added to the ON clause.
    fn hierarchy_columns(&mut self, info: &ResolvedRelationship, alias: &Source) -> Result<()> {
        let target = info.target;
        let base = target.base_mapper();
        if target.polymorphic().is_none() && !std::ptr::eq((target.table_fn)(), (base.table_fn)()) {
            return Err(Error::argument(format!(
                "joinedload({}::{}): the target {} is a joined-table subclass, which joined \
                 eager loading does not reach yet; use selectinload or subqueryload, or a \
                 polymorphic enum of the hierarchy as the target",
                info.owner.model,
                info.mapping.field.to_uppercase(),
                target.model
            )));
        }
        let mut sources: Vec<(String, Source)> =
            vec![((base.table_fn)().name().to_owned(), alias.clone())];
        let mut chain = Vec::new();
        crate::inheritance::push_joins(target, &mut chain, JoinKind::Left);
        for j in chain {
            let Some(table) = j.target.table().cloned() else {
                continue;
            };
            self.aliases += 1;
            let a = Source::Alias(table.alias(&format!("{}_{}", table.name(), self.aliases)));
            let on = super::query::all_equal(target.primary_key.iter().map(|&i| {
                (
                    col(&a, target.columns[i].name),
                    col(alias, target.columns[i].name),
                )
            }));
            self.core.joins.push(JoinClause {
                kind: JoinKind::Left,
                target: a.clone(),
                on: Some(on),
            });
            sources.push((table.name().to_owned(), a));
        }
        if crate::inheritance::single_table_criterion(target).is_some()
            && let Some((column, _)) = target.discriminator()
            && let Some(join) = self
                .core
                .joins
                .iter_mut()
                .rev()
                .find(|j| j.target.key() == alias.key())
        {
            let restricted =
                oxalchemy_core::Expr::<oxalchemy_core::expr::AnyType>::new(col(alias, column))
                    .in_(target.identities())
                    .into_node();
            join.on = Some(match join.on.take() {
                Some(on) => on.and(restricted),
                None => restricted,
            });
        }
        for (i, c) in target.columns.iter().enumerate() {
            let table = (target.column_owner(i).table_fn)();
            let source = sources
                .iter()
                .find(|(name, _)| name == table.name())
                .map_or(alias, |(_, s)| s);
            self.core.columns.push(col(source, c.name));
        }
        Ok(())
    }

    /// The FROM item of the query that joins the target of `contains_eager`.
    fn existing_join(&self, info: &ResolvedRelationship, owner_source: &Source) -> Result<Source> {
        let table = (info.target.table_fn)();
        let owner_key = owner_source.key();
        self.core
            .joins
            .iter()
            .map(|j| &j.target)
            .chain(self.core.from.iter())
            .find(|s| {
                s.key() != owner_key
                    && s.table()
                        .is_some_and(|t| t.name() == table.name() && t.schema() == table.schema())
            })
            .cloned()
            .ok_or_else(|| {
                Error::argument(format!(
                    "contains_eager({}::{}) needs a query that joins {}: add .join({}::{}) (or join an alias of it)",
                    info.owner.model,
                    info.mapping.field.to_uppercase(),
                    table.name(),
                    info.owner.model,
                    info.mapping.field.to_uppercase()
                ))
            })
    }
}

/// When a LIMIT / OFFSET query joins a collection, make the LIMIT count
/// parents: keep the joins in the outer query and restrict the parents to
/// `key IN (SELECT key FROM (<the query with its LIMIT>) AS anon_1)`
/// (a derived table, which MySQL needs for LIMIT in an IN subquery).
pub(crate) fn limit_parents(core: &mut SelectCore, original: &SelectCore, root: &Root) {
    let pk: Vec<&str> = root
        .mapper
        .primary_key
        .iter()
        .map(|&i| root.mapper.columns[i].name)
        .collect();
    let mut inner = original.clone();
    inner.columns = pk.iter().map(|c| col(&root.source, c)).collect();
    let sub = Source::Subquery(Subquery::new(SelectStmt::Simple(Box::new(inner)), "anon_1"));
    let keys = SelectCore {
        columns: pk.iter().map(|c| col(&sub, c)).collect(),
        ..Default::default()
    };
    let cond = in_select(
        pk.iter().map(|c| col(&root.source, c)).collect(),
        SelectStmt::Simple(Box::new(keys)),
    );
    core.limit = None;
    core.offset = None;
    core.where_ = Some(match core.where_.take() {
        Some(w) => w.and(cond),
        None => cond,
    });
}

fn raw_key(row: &[Value], mapper: &Mapper, offset: usize) -> Option<Key> {
    let types: Vec<(usize, SqlType)> = mapper
        .primary_key
        .iter()
        .map(|&i| (i, (mapper.columns[i].sql_type)()))
        .collect();
    let values: Vec<(&Value, &SqlType)> = types
        .iter()
        .map(|(i, t)| (row.get(offset + i).unwrap_or(&Value::Null), t))
        .collect();
    key_of_raw(&values)
}

/// Collect the joined children of `rows` into `data`, de-duplicate the rows
/// when a collection was joined, and cut them to the query's own `width`.
pub(crate) fn process_rows(
    rows: Vec<Vec<Value>>,
    spans: &[JoinedSpan],
    width: usize,
    data: &mut JoinData,
) -> Vec<Vec<Value>> {
    if spans.is_empty() {
        return rows;
    }
    for span in spans {
        let entry = data.entry(span.path.clone()).or_default();
        let mut seen: HashSet<(Key, Key)> = HashSet::new();
        let n = span.target.columns.len();
        for row in &rows {
            let Some(owner) = raw_key(row, span.owner, span.owner_offset) else {
                continue;
            };
            let children = entry.entry(owner.clone()).or_default();
            let Some(child) = raw_key(row, span.target, span.target_offset) else {
                continue;
            };
            if seen.insert((owner, child)) {
                children.push(row[span.target_offset..span.target_offset + n].to_vec());
            }
        }
    }
    let dedupe = spans.iter().any(|s| s.collection);
    let mut seen = HashSet::new();
    rows.into_iter()
        .filter_map(|mut row| {
            row.truncate(width);
            (!dedupe || seen.insert(row_key(&row))).then_some(row)
        })
        .collect()
}

/// The top-level span a span belongs to (its first step).
pub(crate) fn top_offset(spans: &[JoinedSpan], span: &JoinedSpan) -> usize {
    let first = span.path.first().copied();
    spans
        .iter()
        .find(|s| s.path.len() == 1 && s.path.first().copied() == first)
        .map_or(span.owner_offset, |s| s.owner_offset)
}
