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

/// A relationship joined to an alias of its target (`Rel::of_type`).
#[derive(Debug, Clone)]
pub struct RelJoin {
    owner: &'static Mapper,
    rel: &'static RelationshipMapping,
    target: Alias,
}

impl JoinTarget for RelJoin {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        self.into_joins()
            .pop()
            .expect("a relationship join has a target")
    }

    fn into_joins(self) -> Vec<(Source, Option<Node>)> {
        joins_to(self.owner, self.rel, Source::Alias(self.target))
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
    pub fn of_type(self, alias: &Alias) -> RelJoin {
        RelJoin {
            owner: M::mapper(),
            rel: self.mapping(),
            target: alias.clone(),
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
