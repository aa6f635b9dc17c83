//! Running a model query with its loader options (`session.scalars(..)`),
//! and `session.load(..)`.

use super::apply::{Ctx, ParentQuery, load_level};
use super::joined::{JoinPlanner, Root, limit_parents, process_rows, roots, top_offset};
use super::options::{Load, LoaderOption, LoaderOptions, PopulateExisting, RelTarget, Strategy};
use super::tree::{LoadTree, decide};
use crate::any_model::AnyModel;
use crate::events::OrmStatementKind;
use crate::mapper::Mapper;
use crate::model::Model;
use crate::relationship_ref::Rel;
use crate::result_shape::ResultShape;
use crate::session::Session;
use crate::session::polymorphic_fill::{Root as PolyRoot, rewrite};
use oxalchemy_core::stmt::SelectCore;
use oxalchemy_core::{Error, Result, Row, Select, Value};

/// How many rows the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Every row.
    All,
    /// The first row only.
    First,
    /// At most one row (more is `MultipleResultsFound`).
    AtMostOne,
}

fn decode<R: ResultShape>(row: Vec<Value>) -> Result<R> {
    if row.len() != R::width() {
        return Err(Error::invalid_request(format!(
            "the query returns {} column(s) per row, but {} takes {}; select what the result \
             type decodes (select(User) for a model, a tuple of columns for a tuple)",
            row.len(),
            std::any::type_name::<R>(),
            R::width()
        )));
    }
    R::decode(&mut row.into_iter())
}

fn cut(mut rows: Vec<Vec<Value>>, expect: Expect) -> Result<Vec<Vec<Value>>> {
    match expect {
        Expect::All => {}
        Expect::First => rows.truncate(1),
        Expect::AtMostOne if rows.len() > 1 => return Err(Error::MultipleResultsFound),
        Expect::AtMostOne => {}
    }
    Ok(rows)
}

/// True when a relationship of `mapper` loads by default (`lazy = "selectin"` ..).
fn loads_by_default(mapper: &Mapper) -> bool {
    mapper
        .relationships
        .iter()
        .any(|r| Strategy::from_lazy(r.lazy).is_some_and(Strategy::loads))
}

/// True when a relationship declared on a class `mapper` inherits from (or,
/// for a polymorphic enum, on one of its variants' classes) loads by default.
fn ancestors_load_by_default(mapper: &'static Mapper) -> bool {
    let starts: Vec<&'static Mapper> = match mapper.polymorphic() {
        Some(p) => p.variants.iter().map(|v| v.mapper).collect(),
        None => vec![mapper],
    };
    starts.into_iter().any(|mut m| {
        loop {
            if loads_by_default(m) {
                break true;
            }
            match m.inheritance.and_then(|i| i.parent_mapper()) {
                Some(p) => m = p,
                None => break false,
            }
        }
    })
}

/// Run `stmt` in `session`, decode its rows into `R` and load the
/// relationships its loader options (and the relationships' `lazy`
/// settings) ask for.
pub(crate) async fn run_scalars<R: ResultShape>(
    session: &mut Session,
    stmt: &Select<R>,
    expect: Expect,
) -> Result<Vec<R>> {
    let options = LoaderOptions::of(stmt);
    let populate = PopulateExisting::of(stmt);
    let selectin: Vec<&'static Mapper> = options
        .iter()
        .filter_map(|o| o.selectin_polymorphic)
        .collect();
    let tree = LoadTree::build(&options)?;
    let (criteria, orm_rewrite) = session.orm_criteria(
        options.into_iter().filter_map(|o| o.criteria).collect(),
        OrmStatementKind::Select,
        Some(stmt.core()),
    )?;
    let as_built = criteria.is_empty() && orm_rewrite.is_empty();
    let filtered;
    let original = if as_built {
        stmt.core()
    } else {
        let mut core = orm_rewrite.select.unwrap_or_else(|| stmt.core().clone());
        if let Some(cond) = orm_rewrite.filter {
            core.where_ = Some(match core.where_.take() {
                Some(w) => w.and(cond),
                None => cond,
            });
        }
        criteria.apply(&mut core);
        filtered = core;
        &filtered
    };
    let mut entities = Vec::new();
    R::entities(0, &mut entities);
    let roots = roots(&original.columns, &entities);
    // A hierarchy's configuration errors (a duplicate identity, an enum
    // missing a class) are reported by every query of it.
    for (_, m) in &entities {
        if m.inheritance.is_some() {
            m.configured()?;
        }
    }
    // selectin_polymorphic: the enums' joined tables are read afterwards.
    let mut polymorphic_core = None;
    let mut selectin_plan = None;
    if !selectin.is_empty() {
        let mut found = Vec::new();
        for m in &selectin {
            if m.polymorphic().is_none() {
                return Err(Error::argument(format!(
                    "selectin_polymorphic::<{0}>(): {0} is not a #[derive(Polymorphic)] enum",
                    m.model
                )));
            }
            match entities.iter().find(|(_, e)| std::ptr::eq(*e, *m)) {
                Some(&(offset, mapper)) => found.push(PolyRoot { offset, mapper }),
                None => {
                    return Err(Error::argument(format!(
                        "selectin_polymorphic::<{0}>(): the query does not select {0}; use \
                         select({0}).options(selectin_polymorphic::<{0}>())",
                        m.model
                    )));
                }
            }
        }
        let mut core = original.clone();
        selectin_plan = Some(rewrite(&mut core, found));
        polymorphic_core = Some(core);
    }
    let original = polymorphic_core.as_ref().unwrap_or(original);
    let selectin_plan = selectin_plan.as_ref();
    for (mapper, _) in &tree.roots {
        // An option may start at a class the query's entity inherits from
        // (a relationship declared on the base, loaded from a subclass).
        let inherited = mapper.inheritance.is_some()
            && entities.iter().any(|(_, e)| match e.polymorphic() {
                Some(p) => p.variants.iter().any(|v| v.mapper.inherits_from(mapper)),
                None => !std::ptr::eq(*e, *mapper) && e.inherits_from(mapper),
            });
        if !inherited && !roots.iter().any(|r| std::ptr::eq(r.mapper, *mapper)) {
            let found: Vec<&str> = roots.iter().map(|r| r.mapper.model).collect();
            return Err(Error::argument(format!(
                "a loader option starts at {}, but the query does not select the {} entity ({}); \
                 start each option at a model the query returns: select({}).options(..)",
                mapper.model,
                mapper.model,
                if found.is_empty() {
                    "it selects no entity".to_owned()
                } else {
                    format!("it selects {}", found.join(", "))
                },
                mapper.model
            )));
        }
    }
    let inherits = entities.iter().any(|(_, m)| {
        m.inheritance
            .is_some_and(|i| i.parent.is_some() || i.polymorphic.is_some())
    });
    if tree.is_empty()
        && !roots.iter().any(|r| loads_by_default(r.mapper))
        && !(inherits && entities.iter().any(|(_, m)| ancestors_load_by_default(m)))
    {
        let rows = if as_built && selectin_plan.is_none() {
            session.query_rows(stmt, populate).await?
        } else {
            let filtered = Select::<Row>::from_core(original.clone());
            session
                .query_rows_filled(&filtered, populate, selectin_plan)
                .await?
        };
        let rows = cut(rows, expect)?;
        return rows.into_iter().map(decode).collect();
    }

    // The relationships loaded from the roots must resolve, rows or not: a
    // configuration error is reported by the first query that needs it.
    for root in &roots {
        let state = root.mapper.configured()?;
        for rel in root.mapper.relationships {
            if decide(root.mapper, tree.root(root.mapper), rel, &[]).is_some() {
                state.resolved(rel)?;
            }
        }
    }

    // Joined eager loading: the statement gets the joins and their columns.
    let width = original.columns.len();
    let mut core = original.clone();
    let mut planner = JoinPlanner::new(&mut core);
    for root in &roots {
        planner.plan(
            root.mapper,
            &root.source,
            root.offset,
            tree.root(root.mapper),
            &mut Vec::new(),
        )?;
    }
    let spans = std::mem::take(&mut planner.spans);
    criteria.apply_joins(&mut core, original.joins.len());
    if (original.limit.is_some() || original.offset.is_some())
        && let Some(span) = spans.iter().find(|s| s.collection)
    {
        let offset = top_offset(&spans, span);
        if let Some(root) = roots.iter().find(|r| r.offset == offset) {
            limit_parents(&mut core, original, root);
        }
    }
    let rows = session
        .query_rows_filled(&Select::<Row>::from_core(core), populate, selectin_plan)
        .await?;
    let mut ctx = Ctx {
        populate_existing: populate,
        criteria,
        ..Ctx::default()
    };
    let rows = cut(process_rows(rows, &spans, width, &mut ctx.joined), expect)?;
    let mut out: Vec<R> = rows.into_iter().map(decode).collect::<Result<_>>()?;

    // The other strategies: one statement per relationship and level.
    if inherits {
        load_hierarchy(session, &mut out, &tree, &roots, original, &mut ctx).await?;
        return Ok(out);
    }
    let mut models: Vec<&mut dyn AnyModel> = Vec::new();
    for value in &mut out {
        value.models_mut(&mut models);
    }
    let mut groups: Vec<(&'static Mapper, Vec<&mut dyn AnyModel>)> = Vec::new();
    for model in models {
        let mapper = model.mapper();
        match groups.iter_mut().find(|(m, _)| std::ptr::eq(*m, mapper)) {
            Some((_, list)) => list.push(model),
            None => groups.push((mapper, vec![model])),
        }
    }
    for (mapper, objs) in groups {
        let parent = parent_query(&roots, original, mapper);
        load_level(
            session,
            objs,
            mapper,
            tree.root(mapper),
            Vec::new(),
            parent,
            &mut ctx,
        )
        .await?;
    }
    Ok(out)
}

/// The query of the one root of `mapper`, for subquery loading.
fn parent_query(
    roots: &[Root],
    original: &SelectCore,
    mapper: &'static Mapper,
) -> Option<ParentQuery> {
    let mut of_mapper = roots.iter().filter(|r| std::ptr::eq(r.mapper, mapper));
    match (of_mapper.next(), of_mapper.next()) {
        (Some(root), None) => Some(ParentQuery {
            core: original.clone(),
            source: root.source.clone(),
        }),
        _ => None,
    }
}

/// [`run_scalars`]' relationship loading for results holding classes of an
/// inheritance hierarchy: per class met among the objects and their
/// `#[parent]` parts (a `Coder` and the `Staff` inside it), one level load
/// over every object that is or contains that class, so a relationship
/// declared on the base (`Staff::COMPANY`) loads for every subclass and
/// every variant of a polymorphic enum with one statement.
async fn load_hierarchy<R: ResultShape>(
    session: &mut Session,
    out: &mut [R],
    tree: &LoadTree,
    roots: &[Root],
    original: &SelectCore,
    ctx: &mut Ctx,
) -> Result<()> {
    let mut classes: Vec<&'static Mapper> = Vec::new();
    {
        let mut models: Vec<&mut dyn AnyModel> = Vec::new();
        for value in out.iter_mut() {
            value.models_mut(&mut models);
        }
        for model in models {
            let mut m: Option<&dyn AnyModel> = Some(&*model);
            while let Some(part) = m {
                let mapper = part.mapper();
                if !classes.iter().any(|c| std::ptr::eq(*c, mapper)) {
                    classes.push(mapper);
                }
                m = mapper
                    .inheritance
                    .and_then(|i| i.parent_ref)
                    .and_then(|up| up(part.as_any()));
            }
        }
    }
    for class in classes {
        if tree.root(class).is_none() && !loads_by_default(class) {
            continue;
        }
        let mut models: Vec<&mut dyn AnyModel> = Vec::new();
        for value in out.iter_mut() {
            value.models_mut(&mut models);
        }
        let objs: Vec<&mut dyn AnyModel> = models
            .into_iter()
            .filter_map(|m| part_of(m, class))
            .collect();
        let parent = parent_query(roots, original, class);
        load_level(
            session,
            objs,
            class,
            tree.root(class),
            Vec::new(),
            parent,
            ctx,
        )
        .await?;
    }
    Ok(())
}

/// The part of `model` (itself or a `#[parent]` part) of class `class`.
fn part_of<'a>(
    mut model: &'a mut dyn AnyModel,
    class: &'static Mapper,
) -> Option<&'a mut dyn AnyModel> {
    loop {
        if std::ptr::eq(model.mapper(), class) {
            return Some(model);
        }
        let up = model.mapper().inheritance.and_then(|i| i.parent_mut)?;
        model = up(model.as_any_mut())?;
    }
}

/// What `session.load` takes: a relationship (`User::ADDRESSES`, loaded with
/// one SELECT) or a loader option (`selectinload(User::POSTS).selectinload(Post::TAGS)`).
pub trait LoadSpec<M>: Send {
    /// As a loader option.
    fn into_loader_option(self) -> LoaderOption;
}

impl<M: Model, T: RelTarget> LoadSpec<M> for Rel<M, T> {
    fn into_loader_option(self) -> LoaderOption {
        super::options::selectinload(self).into()
    }
}

impl<M: Model, T: RelTarget> LoadSpec<M> for Load<M, T> {
    fn into_loader_option(self) -> LoaderOption {
        self.into()
    }
}

impl Session {
    /// Load one relationship of `obj` now (SQLAlchemy's lazy load, made
    /// explicit): `session.load(&mut user, User::ADDRESSES).await?` sends one
    /// SELECT and sets the field (replacing what it held). A loader option
    /// loads further levels: `session.load(&mut user,
    /// selectinload(User::POSTS).selectinload(Post::TAGS))`. The loaded
    /// objects join the identity map like any queried row.
    pub async fn load<M: Model>(&mut self, obj: &mut M, what: impl LoadSpec<M>) -> Result<()> {
        self.load_all(std::slice::from_mut(obj), what).await
    }

    /// [`load`](Self::load) for many objects at once: still one statement
    /// per relationship and level (per 500 objects).
    pub async fn load_all<M: Model>(
        &mut self,
        objs: &mut [M],
        what: impl LoadSpec<M>,
    ) -> Result<()> {
        let option = what.into_loader_option();
        let mut tree = LoadTree::build(std::slice::from_ref(&option))?;
        let Some((_, node)) = tree.roots.first_mut() else {
            return Ok(());
        };
        node.exclusive = true;
        // Loading is what was asked for: a `defaultload` first step loads too.
        for child in &mut node.children {
            if child.strategy == Strategy::Default {
                child.strategy = Strategy::Selectin;
            }
        }
        let node = &*node;
        let objs: Vec<&mut dyn AnyModel> =
            objs.iter_mut().map(|o| o as &mut dyn AnyModel).collect();
        let mut ctx = Ctx {
            criteria: self
                .orm_criteria(Vec::new(), OrmStatementKind::RelationshipLoad, None)?
                .0,
            ..Ctx::default()
        };
        load_level(
            self,
            objs,
            M::mapper(),
            Some(node),
            Vec::new(),
            None,
            &mut ctx,
        )
        .await
    }
}
