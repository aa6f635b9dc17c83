//! Relationships in SQL expressions: `select(Address).join(Address::USER)`
//! (the ON clause comes from the relationship; a many-to-many joins through
//! its association table), and the correlated EXISTS of
//! `User::ADDRESSES.any(..)` / `Address::USER.has(..)`.

use crate::loading::query::{all_equal, col};
use crate::mapper::{Mapper, RelationshipMapping};
use crate::model::Model;
use crate::relationship_ref::Rel;
use crate::resolved_relationship::ResolvedRelationship;
use oxalchemy_core::expr::{Alias, Node, Source};
use oxalchemy_core::stmt::{JoinKind, JoinTarget, SelectCore, SelectStmt};
use oxalchemy_core::{Column, Error, Expr, Result, Table, TextClause};
use std::borrow::Cow;

/// `rel` of `owner`, resolved by the configure step.
fn resolved(
    owner: &'static Mapper,
    rel: &'static RelationshipMapping,
) -> Result<&'static ResolvedRelationship> {
    owner.configured()?.resolved(rel)
}

fn joins_to(
    owner: &'static Mapper,
    rel: &'static RelationshipMapping,
    target: Source,
) -> Vec<(Source, Option<Node>)> {
    match resolved(owner, rel) {
        Ok(info) => {
            let secondary = info
                .secondary
                .as_ref()
                .map(|s| Source::Table(s.table.clone()));
            info.joins(
                JoinKind::Inner,
                &Source::Static(owner.table_fn),
                &target,
                secondary.as_ref(),
            )
            .into_iter()
            .map(|j| (j.target, j.on))
            .collect()
        }
        // A relationship that does not resolve: let the compiler infer the ON
        // clause (it names the candidate foreign keys when it cannot).
        Err(_) => vec![(target, None)],
    }
}

/// `select(User).join(User::ADDRESSES)`: `JOIN address ON user_account.id =
/// address.user_id`; a many-to-many joins the association table, then the target.
impl<M: Model, T> JoinTarget for Rel<M, T> {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        self.into_joins()
            .pop()
            .expect("a relationship join has a target")
    }

    fn into_joins(self) -> Vec<(Source, Option<Node>)> {
        let rel = self.mapping();
        joins_to(M::mapper(), rel, Source::Static((rel.target)().table_fn))
    }
}

/// A relationship joined to an alias of its target, or to one class of the
/// target's inheritance hierarchy (`Rel::of_type`).
#[derive(Debug, Clone)]
pub struct RelJoin {
    owner: &'static Mapper,
    rel: &'static RelationshipMapping,
    target: OfTypeTarget,
}

/// What `Rel::of_type` joins to.
#[derive(Debug, Clone)]
pub enum OfTypeTarget {
    /// An alias of the target's table.
    Alias(Alias),
    /// One class of the target's inheritance hierarchy.
    Class(&'static Mapper),
}

/// The argument of `Rel::of_type`: an alias of the target's table
/// (`&Node::table().alias("child")`), or the entity of one class of the
/// target's inheritance hierarchy (`Company::STAFF.of_type(Coder)`,
/// SQLAlchemy's `of_type(Engineer)`).
pub trait OfType {
    /// The join target.
    fn of_type_target(self) -> OfTypeTarget;
}

impl OfType for &Alias {
    fn of_type_target(self) -> OfTypeTarget {
        OfTypeTarget::Alias(self.clone())
    }
}

impl<S: Model> OfType for crate::Entity<S> {
    fn of_type_target(self) -> OfTypeTarget {
        OfTypeTarget::Class(S::mapper())
    }
}

/// The base of the hierarchy `m` belongs to (through its first variant for a polymorphic enum).
fn hierarchy_base(m: &'static Mapper) -> &'static Mapper {
    match m.polymorphic() {
        Some(p) => p.variants[0].mapper.base_mapper(),
        None => m.base_mapper(),
    }
}

impl JoinTarget for RelJoin {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        self.into_joins()
            .pop()
            .expect("a relationship join has a target")
    }

    fn into_joins(self) -> Vec<(Source, Option<Node>)> {
        let class = match self.target {
            OfTypeTarget::Alias(alias) => {
                return joins_to(self.owner, self.rel, Source::Alias(alias));
            }
            OfTypeTarget::Class(class) => class,
        };
        let target = (self.rel.target)();
        let mut joins = joins_to(self.owner, self.rel, Source::Static(target.table_fn));
        if class.inheritance.is_none()
            || !std::ptr::eq(hierarchy_base(class), hierarchy_base(target))
        {
            let message = format!(
                "{}::{}.of_type({}): {} is not a class of the hierarchy of {}, the \
                 relationship's target",
                self.owner.model,
                self.rel.field.to_uppercase(),
                class.model,
                class.model,
                target.model
            );
            if let Some(last) = joins.last_mut() {
                last.1 = Some(Node::Invalid(Cow::Owned(message)));
            }
            return joins;
        }
        // A single-table class: its discriminator values, in the ON clause.
        if let Some(criterion) = crate::inheritance::single_table_criterion(class)
            && let Some(last) = joins.last_mut()
        {
            last.1 = Some(match last.1.take() {
                Some(on) => on.and(criterion),
                None => criterion,
            });
        }
        // A joined class: its tables, on the key.
        let mut chain = Vec::new();
        crate::inheritance::push_joins(class, &mut chain, JoinKind::Inner);
        joins.extend(chain.into_iter().map(|j| (j.target, j.on)));
        joins
    }
}

/// The condition of `any(..)` / `has(..)`: nothing more, or an expression.
pub trait RelCriterion {
    /// The condition's node, if any.
    fn into_criterion(self) -> Option<Node>;
}

impl RelCriterion for () {
    fn into_criterion(self) -> Option<Node> {
        None
    }
}

impl<T> RelCriterion for Expr<T> {
    fn into_criterion(self) -> Option<Node> {
        Some(oxalchemy_core::ExprLike::into_node(self))
    }
}

impl<T> RelCriterion for &Expr<T> {
    fn into_criterion(self) -> Option<Node> {
        Some(oxalchemy_core::ExprLike::into_node(self))
    }
}

impl<M, T> RelCriterion for Column<M, T> {
    fn into_criterion(self) -> Option<Node> {
        Some(self.node())
    }
}

impl RelCriterion for TextClause {
    fn into_criterion(self) -> Option<Node> {
        Some(oxalchemy_core::ExprLike::into_node(self))
    }
}

/// A relationship value that is one object (`User`, `Option<User>`): `has(..)` applies.
pub trait ScalarRelated {}
impl<T: Model> ScalarRelated for T {}
impl<T: Model> ScalarRelated for Option<T> {}

fn is_table(source: &Source, table: &Table) -> bool {
    matches!(source, Source::Table(_) | Source::Static(_))
        && source
            .table()
            .is_some_and(|t| t.name() == table.name() && t.schema() == table.schema())
}

/// Point the columns of `table` in `node` at `to` (not inside nested SELECTs).
pub(crate) fn adapt(node: Node, table: &Table, to: &Source) -> Node {
    let go = |n: Box<Node>| Box::new(adapt(*n, table, to));
    match node {
        Node::Column { source, name } if is_table(&source, table) => Node::Column {
            source: to.clone(),
            name,
        },
        Node::Unary { op, operand } => Node::Unary {
            op,
            operand: go(operand),
        },
        Node::Binary { op, left, right } => Node::Binary {
            op,
            left: go(left),
            right: go(right),
        },
        Node::IsNull { operand, negated } => Node::IsNull {
            operand: go(operand),
            negated,
        },
        Node::InList {
            operand,
            items,
            negated,
        } => Node::InList {
            operand: go(operand),
            items: items.into_iter().map(|i| adapt(i, table, to)).collect(),
            negated,
        },
        Node::InSelect {
            operand,
            select,
            negated,
        } => Node::InSelect {
            operand: go(operand),
            select,
            negated,
        },
        Node::Between {
            operand,
            low,
            high,
            negated,
        } => Node::Between {
            operand: go(operand),
            low: go(low),
            high: go(high),
            negated,
        },
        Node::Like {
            operand,
            pattern,
            negated,
            case_insensitive,
            escape,
        } => Node::Like {
            operand: go(operand),
            pattern: go(pattern),
            negated,
            case_insensitive,
            escape,
        },
        Node::Func {
            name,
            args,
            distinct,
        } => Node::Func {
            name,
            args: args.into_iter().map(|a| adapt(a, table, to)).collect(),
            distinct,
        },
        Node::Case { whens, else_ } => Node::Case {
            whens: whens
                .into_iter()
                .map(|(c, v)| (adapt(c, table, to), adapt(v, table, to)))
                .collect(),
            else_: else_.map(go),
        },
        Node::Cast { operand, sql_type } => Node::Cast {
            operand: go(operand),
            sql_type,
        },
        Node::Tuple(items) => Node::Tuple(items.into_iter().map(|i| adapt(i, table, to)).collect()),
        other => other,
    }
}

/// `EXISTS (SELECT target.pk FROM target WHERE <the relationship's condition> AND <criterion>)`,
/// correlated to the owner's table in the enclosing query. A self-referential
/// relationship uses an alias of the target (`node_1`), and the criterion's
/// columns of that table refer to the alias (the related row). A relationship
/// that does not resolve makes an invalid expression: compiling the statement
/// is then the `ArgumentError` naming the model and field.
pub(crate) fn exists(
    owner: &'static Mapper,
    field: &'static str,
    criterion: Option<Node>,
) -> Expr<bool> {
    let rel = owner
        .relationship(field)
        .ok_or_else(|| Error::argument(format!("{} has no relationship {field:?}", owner.model)));
    match rel.and_then(|rel| resolved(owner, rel)) {
        Ok(info) => exists_of(info, criterion),
        Err(e) => Expr::new(Node::Invalid(Cow::Owned(match e {
            Error::ArgumentError(m) => m,
            other => other.to_string(),
        }))),
    }
}

fn exists_of(info: &'static ResolvedRelationship, criterion: Option<Node>) -> Expr<bool> {
    let owner = info.owner;
    let owner_source = Source::Static(owner.table_fn);
    let table = (info.target.table_fn)();
    let owner_table = (owner.table_fn)();
    let self_referential =
        table.name() == owner_table.name() && table.schema() == owner_table.schema();
    let target = if self_referential {
        Source::Alias(table.alias(&format!("{}_1", table.name())))
    } else {
        Source::Static(info.target.table_fn)
    };
    let mut cond = match &info.secondary {
        Some(s) => {
            let sec = Source::Table(s.table.clone());
            all_equal(
                s.owner_pairs
                    .iter()
                    .map(|(o, a)| (col(&owner_source, o), col(&sec, a))),
            )
            .and(all_equal(
                s.target_pairs
                    .iter()
                    .map(|(t, a)| (col(&target, t), col(&sec, a))),
            ))
        }
        None => info.condition(&owner_source, &target),
    };
    if let Some(c) = criterion {
        let c = if self_referential {
            adapt(c, table, &target)
        } else {
            c
        };
        cond = cond.and(c);
    }
    let pk = info
        .target
        .primary_key
        .first()
        .map_or("id", |&i| info.target.columns[i].name);
    let core = SelectCore {
        columns: vec![Node::Column {
            source: target,
            name: Cow::Borrowed(pk),
        }],
        where_: Some(cond),
        ..Default::default()
    };
    Expr::new(Node::Exists {
        select: Box::new(SelectStmt::Simple(Box::new(core))),
        negated: false,
    })
}

impl<M: Model, T> Rel<M, T> {
    /// Join the relationship to an alias of its target (needed for a
    /// self-referential relationship: `select(Node).join(Node::CHILDREN.of_type(&child))`
    /// with `let child = Node::table().alias("child")`).
    ///
    /// With the entity of a class of the target's inheritance hierarchy, the
    /// join reaches that class (SQLAlchemy's `of_type(Engineer)`): its joined
    /// tables are joined on the key, and a single-table class's
    /// discriminator values are added to the ON clause:
    /// `select(Company).join(Company::STAFF.of_type(Coder)).filter(Coder::LANGUAGE.eq("rust"))`.
    pub fn of_type(self, target: impl OfType) -> RelJoin {
        RelJoin {
            owner: M::mapper(),
            rel: self.mapping(),
            target: target.of_type_target(),
        }
    }
}

impl<M: Model, T: Model> Rel<M, Vec<T>> {
    /// `EXISTS` a related object matching `criterion` (`()` for any at all):
    /// `select(User).filter(User::ADDRESSES.any(Address::EMAIL_ADDRESS.like("%@sea.org")))`.
    pub fn any(self, criterion: impl RelCriterion) -> Expr<bool> {
        exists(M::mapper(), self.field(), criterion.into_criterion())
    }
}

impl<M: Model, T: ScalarRelated> Rel<M, T> {
    /// `EXISTS` the related object, matching `criterion` (`()` for any at all):
    /// `select(Address).filter(Address::USER.has(User::NAME.eq("sandy")))`.
    pub fn has(self, criterion: impl RelCriterion) -> Expr<bool> {
        exists(M::mapper(), self.field(), criterion.into_criterion())
    }
}
