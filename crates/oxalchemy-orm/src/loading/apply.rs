//! Filling relationship fields of loaded objects, level by level: one
//! statement per relationship and level (selectin: per 500 keys), or the
//! joined rows the query already returned, then the same for the children.

use super::criteria::Criteria;
use super::joined::{JoinData, JoinPlanner, path_key, process_rows};
use super::keys::{Key, key_of};
use super::options::Strategy;
use super::query::{col, in_keys, in_select};
use super::tree::{LoadNode, decide};
use crate::any_model::AnyModel;
use crate::mapper::{Mapper, RelationshipMapping};
use crate::relationship_access::Models;
use crate::resolved_relationship::ResolvedRelationship;
use crate::session::Session;
use oxalchemy_core::expr::Source;
use oxalchemy_core::stmt::{SelectCore, SelectStmt};
use oxalchemy_core::{Result, Row, Select, Subquery, Value};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;

/// Keys per `IN (..)` of selectin loading (design decision 6).
pub(crate) const SELECTIN_BATCH: usize = 500;

/// State shared by the levels of one load.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    /// Children read from joined columns, not yet handed out.
    pub(crate) joined: JoinData,
    /// The query asked for `populate_existing()`: loaded rows overwrite
    /// the session's state (else the identity map wins).
    pub(crate) populate_existing: bool,
    /// The query's global criteria (`with_loader_criteria`), added to each
    /// relationship load.
    pub(crate) criteria: Criteria,
}

/// The statement that produced a level's objects, and the FROM item their
/// columns come from (subqueryload repeats it as a subquery).
#[derive(Debug, Clone)]
pub(crate) struct ParentQuery {
    pub(crate) core: SelectCore,
    pub(crate) source: Source,
}

impl ParentQuery {
    /// `SELECT anon_n.cols FROM (<the query's cols, without ORDER BY unless it has a LIMIT>) AS anon_n`.
    fn keys(&self, cols: &[&str], depth: usize) -> SelectStmt {
        let mut inner = self.core.clone();
        inner.columns = cols.iter().map(|c| col(&self.source, c)).collect();
        if inner.limit.is_none() && inner.offset.is_none() {
            inner.order_by.clear();
        }
        let sub = Source::Subquery(Subquery::new(
            SelectStmt::Simple(Box::new(inner)),
            &format!("anon_{depth}"),
        ));
        SelectStmt::Simple(Box::new(SelectCore {
            columns: cols.iter().map(|c| col(&sub, c)).collect(),
            ..Default::default()
        }))
    }
}

/// The primary key of an object.
fn identity(mapper: &Mapper, obj: &dyn AnyModel) -> Option<Key> {
    let values = obj.to_values();
    let pk: Vec<&Value> = mapper
        .primary_key
        .iter()
        .map(|&i| values.get(i).unwrap_or(&Value::Null))
        .collect();
    key_of(&pk)
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Load the relationships of `objs` (all of model `owner`) that `node` and
/// their `lazy` settings ask for, then the same for the loaded children.
pub(crate) fn load_level<'a>(
    session: &'a mut Session,
    mut objs: Vec<&'a mut dyn AnyModel>,
    owner: &'static Mapper,
    node: Option<&'a LoadNode>,
    path: Vec<&'static RelationshipMapping>,
    parent: Option<ParentQuery>,
    ctx: &'a mut Ctx,
) -> BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        if objs.is_empty() {
            return Ok(());
        }
        for rel in owner.relationships {
            let Some((strategy, child_node)) = decide(owner, node, rel, &path) else {
                continue;
            };
            let info = owner.configured()?.resolved(rel)?;
            let mut child_path = path.clone();
            child_path.push(rel);
            let joined = if strategy.is_joined() {
                ctx.joined.remove(&path_key(&child_path))
            } else {
                None
            };
            let by_identity = joined.is_some();
            let (groups, child_parent) = match joined {
                Some(groups) => (groups, None),
                None => {
                    fetch(
                        session,
                        info,
                        &objs,
                        strategy,
                        parent.as_ref(),
                        child_node,
                        &child_path,
                        ctx,
                    )
                    .await?
                }
            };
            let mut per_parent: Vec<Models> = Vec::with_capacity(objs.len());
            for obj in &objs {
                let key = if by_identity {
                    identity(owner, &**obj)
                } else {
                    info.owner_key(&**obj).map(|(k, _)| k)
                };
                let mut items: Models = Vec::new();
                if let Some(rows) = key.and_then(|k| groups.get(&k)) {
                    for values in rows {
                        items.push((info.target.from_values_boxed)(values.clone())?);
                    }
                }
                per_parent.push(items);
            }
            let children: Vec<&mut dyn AnyModel> = per_parent
                .iter_mut()
                .flatten()
                .map(|b| &mut **b as &mut dyn AnyModel)
                .collect();
            if !children.is_empty() {
                load_level(
                    session,
                    children,
                    info.target,
                    child_node,
                    child_path,
                    child_parent,
                    ctx,
                )
                .await?;
            }
            for (obj, items) in objs.iter_mut().zip(per_parent) {
                (rel.access.set)(obj.as_any_mut(), items)?;
            }
        }
        Ok(())
    })
}

/// Rows of the children of `objs` through `info`, grouped by link key; and
/// the statement that read them, when it was one (for a nested subqueryload).
#[allow(clippy::too_many_arguments)]
async fn fetch(
    session: &mut Session,
    info: &ResolvedRelationship,
    objs: &[&mut dyn AnyModel],
    strategy: Strategy,
    parent: Option<&ParentQuery>,
    child_node: Option<&LoadNode>,
    child_path: &[&'static RelationshipMapping],
    ctx: &mut Ctx,
) -> Result<(HashMap<Key, Vec<Vec<Value>>>, Option<ParentQuery>)> {
    let mut keys: Vec<Vec<Value>> = Vec::new();
    let mut seen: HashSet<Key> = HashSet::new();
    for obj in objs {
        if let Some((key, values)) = info.owner_key(&**obj)
            && seen.insert(key)
        {
            keys.push(values);
        }
    }
    let mut groups: HashMap<Key, Vec<Vec<Value>>> = HashMap::new();
    if keys.is_empty() {
        return Ok((groups, None));
    }
    let mut cores: Vec<SelectCore> = match (strategy, parent) {
        (Strategy::Subquery, Some(p)) => {
            let sub = p.keys(&info.owner_cols(), child_path.len());
            vec![info.child_core(|link| in_select(link, sub))]
        }
        _ => keys
            .chunks(SELECTIN_BATCH)
            .map(|chunk| info.child_core(|link| in_keys(link, chunk)))
            .collect(),
    };
    for core in &mut cores {
        ctx.criteria.apply(core);
    }
    let target_source = Source::Static(info.target.table_fn);
    let next = match cores.as_slice() {
        [one] => Some(ParentQuery {
            core: one.clone(),
            source: target_source.clone(),
        }),
        _ => None,
    };
    let width = info.child_width();
    let n = info.target.columns.len();
    for mut core in cores {
        let start = core.joins.len();
        let mut planner = JoinPlanner::new(&mut core);
        let mut path = child_path.to_vec();
        planner.plan(info.target, &target_source, 0, child_node, &mut path)?;
        let spans = std::mem::take(&mut planner.spans);
        ctx.criteria.apply_joins(&mut core, start);
        let rows = session
            .query_rows(&Select::<Row>::from_core(core), ctx.populate_existing)
            .await?;
        for mut row in process_rows(rows, &spans, width, &mut ctx.joined) {
            let link = row.split_off(n);
            if let Some(key) = info.link_key(&link) {
                groups.entry(key).or_default().push(row);
            }
        }
    }
    Ok((groups, next))
}
