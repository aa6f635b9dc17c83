//! From tables to a plan of the generated file: which tables become models, which are
//! association tables of many-to-many relationships, and every field and relationship
//! with its final, collision-free name.

use crate::naming::{NameScope, escape_ident, snake_ident, string_literal, struct_name};
use crate::server_default::{DefaultPlan, plan_default};
use crate::type_map::map_type;
use oxalchemy::{ForeignKey, Table};
use std::collections::BTreeMap;

/// The generated file, planned.
#[derive(Debug, Default)]
pub struct FilePlan {
    /// One `#[derive(Model)]` struct per table with a primary key, sorted by table name.
    pub models: Vec<ModelPlan>,
    /// Tables without a primary key: a function adding a Core table to the base's metadata.
    pub core_tables: Vec<CoreTablePlan>,
}

/// One model struct.
#[derive(Debug)]
pub struct ModelPlan {
    /// The table's name (and schema).
    pub table: String,
    /// `#[model(schema = "..")]`.
    pub schema: Option<String>,
    /// The struct's name.
    pub struct_name: String,
    /// Column fields, in the table's column order.
    pub fields: Vec<FieldPlan>,
    /// Relationship fields, after the columns, in a fixed order.
    pub relationships: Vec<RelationshipPlan>,
    /// Notes written above the struct.
    pub notes: Vec<String>,
    /// The table's comment, written as the struct's doc comment.
    pub comment: Option<String>,
}

/// One column field.
#[derive(Debug)]
pub struct FieldPlan {
    /// The identifier as written (`r#type`).
    pub ident: String,
    /// The field type (`Option<String>`).
    pub ty: String,
    /// The `#[mapped_column(..)]` options, in a fixed order; empty for none.
    pub options: Vec<String>,
    /// Comments written above the field.
    pub notes: Vec<String>,
    /// The column's comment, written as the field's doc comment.
    pub comment: Option<String>,
}

/// One relationship field.
#[derive(Debug)]
pub struct RelationshipPlan {
    /// The identifier as written.
    pub ident: String,
    /// The value type inside `Related<..>`: `Vec<Post>`, `Author`, `Option<Author>`.
    pub value_ty: String,
    /// The `#[relationship(..)]` options.
    pub options: Vec<String>,
}

/// A table without a primary key, written as a Core table.
#[derive(Debug)]
pub struct CoreTablePlan {
    /// The function's name (`pgbench_history_table`).
    pub fn_name: String,
    /// The table's name.
    pub table: String,
    /// Its schema.
    pub schema: Option<String>,
    /// One `t.column(..)...;` statement per column.
    pub columns: Vec<String>,
    /// Notes written above the function.
    pub notes: Vec<String>,
}

/// A many-to-many link: `table` has exactly two foreign keys, to `left` and `right`.
struct Association {
    table: String,
    /// The two targets, as (schema, name), in sorted order.
    left: (Option<String>, String),
    right: (Option<String>, String),
}

/// A relationship being named: the owner model, the name it wanted, and where to put
/// the final name's partner (`back_populates`).
struct PendingRel {
    owner: usize,
    wanted: String,
    target: usize,
    value_ty: String,
    /// Options other than back_populates.
    options: Vec<String>,
    /// The index of the other side in the pending list.
    partner: usize,
}

/// Plan the file for `tables` (any order: the plan is sorted by schema and name).
pub fn plan(tables: &[Table]) -> FilePlan {
    let mut tables: Vec<&Table> = tables.iter().collect();
    tables.sort_by(|a, b| (a.schema(), a.name()).cmp(&(b.schema(), b.name())));

    let associations = find_associations(&tables);
    let association_tables: Vec<&str> = associations.iter().map(|a| a.table.as_str()).collect();

    // Models: tables with a primary key, and association tables (keyed by their two columns).
    let mut struct_scope = NameScope::default();
    let mut fn_scope = NameScope::default();
    let mut plan = FilePlan::default();
    let mut model_of: BTreeMap<(Option<&str>, &str), usize> = BTreeMap::new();
    let mut model_tables: Vec<&Table> = Vec::new();
    for t in &tables {
        let keyed = association_tables.contains(&t.fullname().as_str());
        if t.primary_key().is_empty() && !keyed {
            plan.core_tables.push(core_table(t, &tables, &mut fn_scope));
            continue;
        }
        model_of.insert((t.schema(), t.name()), model_tables.len());
        model_tables.push(t);
        let mut notes: Vec<String> = t
            .foreign_keys()
            .iter()
            .filter(|fk| fk.columns().len() > 1)
            .map(|fk| {
                format!(
                    "oxalchemy-codegen: the composite foreign key ({}) -> {}({}) is not generated \
                     (no foreign_key options, no relationship): #[mapped_column(foreign_key)] \
                     declares one column's key",
                    fk.columns().join(", "),
                    fk.target_table(),
                    fk.target_columns().join(", ")
                )
            })
            .collect();
        if t.primary_key().is_empty() {
            notes.push(format!(
                "oxalchemy-codegen: {} has no primary key; as an association table it is mapped \
                 with its two foreign-key columns as the key",
                t.name()
            ));
        }
        plan.models.push(ModelPlan {
            table: t.name().to_owned(),
            schema: t.schema().map(str::to_owned),
            struct_name: struct_scope.claim(&struct_name(t.name()), ""),
            fields: Vec::new(),
            relationships: Vec::new(),
            notes,
            comment: t.comment().map(str::to_owned),
        });
    }

    // Column fields first: relationship names must not take a column's name.
    let mut scopes: Vec<NameScope> = Vec::new();
    for (i, t) in model_tables.iter().enumerate() {
        let mut scope = NameScope::default();
        let keyed_by_fks = t.primary_key().is_empty();
        let fields = t
            .columns()
            .iter()
            .map(|c| column_field(t, c, keyed_by_fks, &model_of, &mut scope))
            .collect();
        plan.models[i].fields = fields;
        scopes.push(scope);
    }

    let pending = relationships(&model_tables, &model_of, &associations, &plan.models);
    // Names are claimed in the pending order (which is sorted), then back_populates
    // points at the partner's final name.
    let names: Vec<String> = pending
        .iter()
        .map(|r| scopes[r.owner].claim(&r.wanted, "_"))
        .collect();
    for (i, r) in pending.iter().enumerate() {
        let mut options = vec![format!(
            "back_populates = {}",
            string_literal(&names[r.partner])
        )];
        options.extend(r.options.iter().cloned());
        plan.models[r.owner].relationships.push(RelationshipPlan {
            ident: escape_ident(&names[i]),
            value_ty: r.value_ty.clone(),
            options,
        });
        debug_assert!(r.target < plan.models.len());
    }
    plan
}

/// Association tables: exactly two single-column foreign keys, to two different
/// tables that have primary keys, covering every column; the two columns are keys or
/// NOT NULL (so that, keyed by them, the table can be a model the secondary finds).
fn find_associations(tables: &[&Table]) -> Vec<Association> {
    let index_of = |schema: Option<&str>, name: &str| {
        tables
            .iter()
            .position(|t| t.schema() == schema && t.name() == name && !t.primary_key().is_empty())
    };
    let mut out = Vec::new();
    for t in tables {
        let fks = t.foreign_keys();
        if fks.len() != 2 || t.columns().len() != 2 {
            continue;
        }
        if fks.iter().any(|fk| fk.columns().len() != 1) || fks[0].columns() == fks[1].columns() {
            continue;
        }
        let not_null = t.columns().iter().all(|c| !c.is_nullable());
        let key_is_fks = t.primary_key().is_empty() || t.primary_key().len() == 2;
        if !not_null || !key_is_fks {
            continue;
        }
        let target = |fk: &ForeignKey| index_of(target_schema(t, fk), fk.target_table());
        let (Some(left), Some(right)) = (target(&fks[0]), target(&fks[1])) else {
            continue;
        };
        if left == right {
            // A self-referential many-to-many needs foreign_keys naming each side's
            // column on both fields; left as a plain model (documented).
            continue;
        }
        let (left, right) = (left.min(right), left.max(right));
        let key = |i: usize| {
            (
                tables[i].schema().map(str::to_owned),
                tables[i].name().to_owned(),
            )
        };
        out.push(Association {
            table: t.fullname(),
            left: key(left),
            right: key(right),
        });
    }
    out
}

fn target_schema<'a>(table: &'a Table, fk: &'a ForeignKey) -> Option<&'a str> {
    fk.target_schema().or(table.schema())
}

/// `"table.column"` or `"schema.table.column"` of a foreign key's target.
fn fk_target(table: &Table, fk: &ForeignKey, column: &str) -> String {
    match target_schema(table, fk) {
        Some(s) => format!("{s}.{}.{column}", fk.target_table()),
        None => format!("{}.{column}", fk.target_table()),
    }
}

/// The referential actions the derive accepts, as it spells them (NO ACTION is the
/// default and left out).
fn referential_action(action: Option<&str>) -> Option<String> {
    let normal = action?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    match normal.as_str() {
        "CASCADE" | "SET NULL" | "SET DEFAULT" | "RESTRICT" => Some(normal),
        _ => None,
    }
}

fn column_field(
    table: &Table,
    c: &oxalchemy::ColumnDef,
    keyed_by_fks: bool,
    model_of: &BTreeMap<(Option<&str>, &str), usize>,
    scope: &mut NameScope,
) -> FieldPlan {
    let wanted = snake_ident(c.name());
    let name = scope.claim(&wanted, "_");
    let mapped = map_type(c.name(), c.sql_type());
    let mut options = Vec::new();
    let mut notes: Vec<String> = mapped.note.into_iter().collect();
    let primary_key = c.is_primary_key() || keyed_by_fks;
    if primary_key {
        options.push("primary_key".to_owned());
    }
    let single_fk = table
        .foreign_keys()
        .iter()
        .find(|fk| fk.columns().len() == 1 && fk.columns()[0] == c.name());
    if c.is_primary_key() && table.primary_key().len() == 1 && c.sql_type().is_integer() {
        // The derive's rule: an integer single-column key without a foreign key
        // autoincrements. Say so only where the database disagrees with the rule.
        match (c.autoincrement_setting(), single_fk.is_some()) {
            (Some(false), false) => options.push("autoincrement = false".to_owned()),
            (Some(true), true) => options.push("autoincrement = true".to_owned()),
            _ => {}
        }
    }
    if name != c.name() {
        options.push(format!("name = {}", string_literal(c.name())));
    }
    options.extend(mapped.option);
    let unique = table
        .unique_constraints()
        .iter()
        .any(|u| u.columns() == [c.name()])
        || table
            .indexes()
            .iter()
            .any(|i| i.is_unique() && !i.is_expression_index() && i.columns() == [c.name()]);
    if unique && !c.is_primary_key() {
        options.push("unique".to_owned());
    } else if table
        .indexes()
        .iter()
        .any(|i| !i.is_unique() && !i.is_expression_index() && i.columns() == [c.name()])
    {
        options.push("index".to_owned());
    }
    match plan_default(c.server_default()) {
        DefaultPlan::None => {}
        DefaultPlan::Literal(text) => {
            options.push(format!("server_default = {}", string_literal(&text)));
        }
        DefaultPlan::Expression(sql) => {
            options.push(format!("server_default_sql = {}", string_literal(&sql)));
        }
    }
    if let Some(fk) = single_fk {
        let target = (target_schema(table, fk), fk.target_table());
        if model_of.contains_key(&target) {
            options.push(format!(
                "foreign_key = {}",
                string_literal(&fk_target(table, fk, &fk.target_columns()[0]))
            ));
            if let Some(a) = referential_action(fk.ondelete()) {
                options.push(format!("ondelete = {}", string_literal(&a)));
            }
            if let Some(a) = referential_action(fk.onupdate()) {
                options.push(format!("onupdate = {}", string_literal(&a)));
            }
        } else {
            notes.push(format!(
                "oxalchemy-codegen: {} references {}, which is not a generated model; \
                 foreign key left out",
                c.name(),
                fk_target(table, fk, &fk.target_columns()[0])
            ));
        }
    }
    let nullable = c.is_nullable() && !primary_key;
    let ty = if nullable {
        format!("Option<{}>", mapped.rust)
    } else {
        mapped.rust
    };
    FieldPlan {
        ident: escape_ident(&name),
        ty,
        options,
        notes,
        comment: c.comment().map(str::to_owned),
    }
}

/// The base name of a many-to-one relationship: its column without `_id`
/// (`author_id` -> `author`), else the target table's name.
fn many_to_one_name(fk: &ForeignKey) -> String {
    let col = snake_ident(&fk.columns()[0]);
    match col.strip_suffix("_id") {
        Some(base) if !base.is_empty() && base != "_" => base.to_owned(),
        _ => snake_ident(fk.target_table()),
    }
}

/// True when the foreign-key columns hold at most one row per value (the table's
/// whole primary key, a unique constraint or a unique index on exactly them).
fn is_unique(table: &Table, columns: &[String]) -> bool {
    let same = |cols: &[String]| {
        let mut a: Vec<&String> = cols.iter().collect();
        let mut b: Vec<&String> = columns.iter().collect();
        a.sort();
        b.sort();
        a == b
    };
    let pk: Vec<String> = table
        .primary_key()
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    same(&pk)
        || table.unique_constraints().iter().any(|u| same(u.columns()))
        || table
            .indexes()
            .iter()
            .any(|i| i.is_unique() && same(i.columns()))
}

fn relationships(
    models: &[&Table],
    model_of: &BTreeMap<(Option<&str>, &str), usize>,
    associations: &[Association],
    plans: &[ModelPlan],
) -> Vec<PendingRel> {
    let mut out: Vec<PendingRel> = Vec::new();
    // Foreign-key links per unordered pair of models, to know when foreign_keys is needed.
    let mut links: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut fks: Vec<(usize, usize, &ForeignKey)> = Vec::new();
    for (child, t) in models.iter().enumerate() {
        for fk in t.foreign_keys() {
            let Some(&parent) = model_of.get(&(target_schema(t, fk), fk.target_table())) else {
                continue;
            };
            let pair = (child.min(parent), child.max(parent));
            *links.entry(pair).or_default() += 1;
            fks.push((child, parent, fk));
        }
    }
    let association_of = |i: usize| associations.iter().any(|a| a.table == models[i].fullname());
    for &(child, parent, fk) in &fks {
        if fk.columns().len() != 1 || association_of(child) {
            // Composite foreign keys: the derive declares foreign keys per column.
            continue;
        }
        let t = models[child];
        let ambiguous = links[&(child.min(parent), child.max(parent))] > 1;
        let mut shared = Vec::new();
        if ambiguous {
            shared.push(format!(
                "foreign_keys = {}",
                string_literal(&format!("{}.{}", t.name(), fk.columns()[0]))
            ));
        }
        let forward = many_to_one_name(fk);
        let nullable = t
            .column_def(&fk.columns()[0])
            .is_some_and(|c| c.is_nullable());
        let child_name = snake_ident(t.name());
        let self_referential = child == parent;
        let one_to_one = !self_referential && is_unique(t, fk.columns());
        let (reverse, reverse_ty) = match (one_to_one, ambiguous) {
            (true, false) => (child_name, format!("Option<{}>", plans[child].struct_name)),
            (true, true) => (
                format!("{child_name}_{forward}"),
                format!("Option<{}>", plans[child].struct_name),
            ),
            (false, false) => (
                format!("{child_name}_collection"),
                format!("Vec<{}>", plans[child].struct_name),
            ),
            (false, true) => (
                format!("{child_name}_{forward}_collection"),
                format!("Vec<{}>", plans[child].struct_name),
            ),
        };
        let parent_struct = &plans[parent].struct_name;
        let forward_ty = if nullable {
            format!("Option<{parent_struct}>")
        } else {
            parent_struct.clone()
        };
        let at = out.len();
        out.push(PendingRel {
            owner: child,
            wanted: forward,
            target: parent,
            value_ty: forward_ty,
            options: shared.clone(),
            partner: at + 1,
        });
        out.push(PendingRel {
            owner: parent,
            wanted: reverse,
            target: child,
            value_ty: reverse_ty,
            options: shared,
            partner: at,
        });
    }
    for a in associations {
        let model = |(schema, name): &(Option<String>, String)| {
            model_of[&(schema.as_deref(), name.as_str())]
        };
        let (left, right) = (model(&a.left), model(&a.right));
        let secondary = format!("secondary = {}", string_literal(&a.table));
        let at = out.len();
        for (owner, target, partner) in [(left, right, at + 1), (right, left, at)] {
            out.push(PendingRel {
                owner,
                wanted: format!("{}_collection", snake_ident(models[target].name())),
                target,
                value_ty: format!("Vec<{}>", plans[target].struct_name),
                options: vec![secondary.clone()],
                partner,
            });
        }
    }
    out
}

/// `t.column("x", Integer)...` lines of a Core table (a table without a primary key).
fn core_table(t: &Table, tables: &[&Table], scope: &mut NameScope) -> CoreTablePlan {
    let notes = vec![format!(
        "`{}` has no primary key, so it is not a model (the ORM tracks rows by key); this \
         function adds it to `Base::metadata()` once and returns it, for Core statements.",
        t.name()
    )];
    let columns = t
        .columns()
        .iter()
        .map(|c| {
            // A Core table takes every type as it is: no field type to choose.
            let ty = crate::type_map::sql_type_expr(c.sql_type());
            let mut line = format!("t.column({}, {ty})", string_literal(c.name()));
            if !c.is_nullable() {
                line.push_str(".not_null()");
            }
            match plan_default(c.server_default()) {
                DefaultPlan::Literal(text) => {
                    line.push_str(&format!(".server_default({})", string_literal(&text)));
                }
                DefaultPlan::Expression(sql) => {
                    line.push_str(&format!(".server_default_sql({})", string_literal(&sql)));
                }
                DefaultPlan::None => {}
            }
            let fk = t
                .foreign_keys()
                .iter()
                .find(|fk| fk.columns().len() == 1 && fk.columns()[0] == c.name());
            if let Some(fk) = fk {
                let known = tables
                    .iter()
                    .any(|o| o.schema() == target_schema(t, fk) && o.name() == fk.target_table());
                if known {
                    line.push_str(&format!(
                        ".foreign_key({})",
                        string_literal(&fk_target(t, fk, &fk.target_columns()[0]))
                    ));
                    if let Some(a) = referential_action(fk.ondelete()) {
                        line.push_str(&format!(".ondelete({})", string_literal(&a)));
                    }
                }
            }
            line.push(';');
            line
        })
        .collect();
    CoreTablePlan {
        fn_name: scope.claim(&format!("{}_table", snake_ident(t.name())), "_"),
        table: t.name().to_owned(),
        schema: t.schema().map(str::to_owned),
        columns,
        notes,
    }
}
