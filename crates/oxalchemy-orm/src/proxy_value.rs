//! What an association proxy's `attr` holds, dispatched on the field's type:
//! [`ProxyValue`] is implemented once, generically, for relationship fields
//! (`Related<Vec<T>>`, `Related<T>`, `Related<Option<T>>`) and for column
//! fields (every [`FieldType`]), so no model implements anything per field.

use crate::field_type::FieldType;
use crate::mapper::Mapper;
use crate::model::Model;
use crate::related::Related;
use oxalchemy_core::expr::{Node, Source};
use oxalchemy_core::{Result, Table, Value};
use std::borrow::Cow;

/// The members of a relationship value: every object of a `Vec<T>`, the
/// object of a `T`, the object of an `Option<T>` when set.
pub trait ProxyMembers {
    /// The related model.
    type Member: Model;
    /// True for a collection.
    const MANY: bool;
    /// Append references to the members to `out`.
    fn push_members<'a>(&'a self, out: &mut Vec<&'a Self::Member>);
}

impl<T: Model> ProxyMembers for Vec<T> {
    type Member = T;
    const MANY: bool = true;
    fn push_members<'a>(&'a self, out: &mut Vec<&'a T>) {
        out.extend(self.iter());
    }
}

impl<T: Model> ProxyMembers for Option<T> {
    type Member = T;
    const MANY: bool = false;
    fn push_members<'a>(&'a self, out: &mut Vec<&'a T>) {
        out.extend(self.iter());
    }
}

impl<T: Model> ProxyMembers for T {
    type Member = T;
    const MANY: bool = false;
    fn push_members<'a>(&'a self, out: &mut Vec<&'a T>) {
        out.push(self);
    }
}

/// What an association proxy's `attr` names on the intermediate model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyAttrKind {
    /// A column field: the proxy reads its values.
    Column,
    /// A many-to-one (or one-to-one) relationship: one object per member.
    Scalar,
    /// A collection relationship: its objects, flattened.
    Collection,
}

impl ProxyAttrKind {
    /// The kind of a relationship attribute.
    pub const fn relationship(many: bool) -> ProxyAttrKind {
        if many {
            ProxyAttrKind::Collection
        } else {
            ProxyAttrKind::Scalar
        }
    }
}

/// The type of a field an association proxy's `attr` can name, holding `T`s
/// (the `T` of `AssociationProxy<T>`): a relationship to `T`
/// (`Related<Vec<T>>`, `Related<T>`, `Related<Option<T>>`) or a column of
/// type `T`. The derive reads the field (`&member.tags`) as an
/// `impl ProxyValue<T>`, so a field holding something else is one error
/// there; not meant to be implemented by hand.
#[diagnostic::on_unimplemented(
    message = "association proxy: `attr` names a field of type `{Self}`, which does not hold `{T}` values",
    label = "not a column of type `{T}` or a `Related<..>` to `{T}`",
    note = "declare the proxy field `AssociationProxy<T>` with what `attr` holds (the column's type, or the related model); `attr` names a column or a `Related<..>` field (a proxy of a proxy is not built)"
)]
pub trait ProxyValue<T> {
    /// A column, a scalar or a collection relationship.
    const KIND: ProxyAttrKind;
    /// Append the field's values to `out` (`Error::NotLoaded` for a
    /// relationship that is not loaded, naming it).
    fn push_values<'a>(&'a self, out: &mut Vec<&'a T>) -> Result<()>;
    /// The condition "the field `field` of `member`'s model is `item`": the
    /// column equals it, or the related row has its primary key.
    fn matches(member: &'static Mapper, field: &'static str, item: &T) -> Node;
}

impl<V, T> ProxyValue<T> for Related<V>
where
    V: ProxyMembers<Member = T>,
    T: Model,
{
    const KIND: ProxyAttrKind = ProxyAttrKind::relationship(V::MANY);
    fn push_values<'a>(&'a self, out: &mut Vec<&'a T>) -> Result<()> {
        self.get()?.push_members(out);
        Ok(())
    }
    fn matches(_: &'static Mapper, _: &'static str, item: &T) -> Node {
        identity_criterion(item)
    }
}

/// A column type whose values are `T`s: only `C` itself, by the one blanket
/// impl. (The bound of the column [`ProxyValue`] impl, so that a field of
/// another type is a single error naming both types.)
pub trait ProxyColumn<T>: FieldType {
    /// `self` as the `T` it is.
    fn as_item(&self) -> &T;
    /// `item` as the column value it is.
    fn from_item(item: &T) -> &Self;
}

impl<C: FieldType> ProxyColumn<C> for C {
    fn as_item(&self) -> &C {
        self
    }
    fn from_item(item: &C) -> &C {
        item
    }
}

impl<C: ProxyColumn<T>, T> ProxyValue<T> for C {
    const KIND: ProxyAttrKind = ProxyAttrKind::Column;
    fn push_values<'a>(&'a self, out: &mut Vec<&'a T>) -> Result<()> {
        out.push(self.as_item());
        Ok(())
    }
    fn matches(member: &'static Mapper, field: &'static str, item: &T) -> Node {
        match member.field_position(field) {
            Some(i) => column_criterion(
                member.table_fn,
                member.columns[i].name,
                C::from_item(item).to_value(),
            ),
            None => Node::Invalid(Cow::Owned(format!(
                "{}.{field} is not a mapped column",
                member.model
            ))),
        }
    }
}

/// `table.name = value` (`IS NULL` for a null value), for a column attribute.
fn column_criterion(table: fn() -> &'static Table, name: &'static str, value: Value) -> Node {
    let column = Node::Column {
        source: Source::Static(table),
        name: Cow::Borrowed(name),
    };
    match value {
        Value::Null => Node::IsNull {
            operand: Box::new(column),
            negated: false,
        },
        v => column.equals(Node::Param(v)),
    }
}

/// The related row is `item`: its primary-key columns equal `item`'s key.
fn identity_criterion<T: Model>(item: &T) -> Node {
    let mapper = T::mapper();
    let table = mapper.table_fn;
    mapper
        .primary_key
        .iter()
        .zip(item.primary_key_values())
        .map(|(&i, value)| column_criterion(table, mapper.columns[i].name, value))
        .reduce(Node::and)
        .unwrap_or(Node::Null)
}

/// Read an association proxy through the loaded relationship `first`: the
/// field `attr` (read by the derive's accessor) of each member, flattened, in
/// the relationship's order. `Error::NotLoaded` names the first hop, or the
/// second hop of a member whose relationship is not loaded.
pub fn read_proxy<'a, V, T, F>(
    first: &'a Related<V>,
    attr: for<'m> fn(&'m V::Member) -> &'m F,
) -> Result<Vec<&'a T>>
where
    V: ProxyMembers,
    F: ProxyValue<T> + 'a,
{
    let mut members = Vec::new();
    first.get()?.push_members(&mut members);
    let mut out = Vec::with_capacity(members.len());
    for member in members {
        attr(member).push_values(&mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_relationships() {
        assert_eq!(ProxyAttrKind::relationship(true), ProxyAttrKind::Collection);
        assert_eq!(ProxyAttrKind::relationship(false), ProxyAttrKind::Scalar);
        assert_eq!(<String as ProxyValue<String>>::KIND, ProxyAttrKind::Column);
        assert_eq!(
            <Option<i64> as ProxyValue<Option<i64>>>::KIND,
            ProxyAttrKind::Column
        );
    }

    #[test]
    fn a_column_yields_its_value() {
        let mut out = Vec::new();
        let name = "rust".to_owned();
        name.push_values(&mut out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, [&name]);
    }

    #[test]
    fn a_null_column_value_is_is_null() {
        fn t() -> &'static Table {
            static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
            T.get_or_init(|| {
                oxalchemy_core::MetaData::new().table("t", |t| {
                    t.column("a", oxalchemy_core::sql_type::Integer);
                })
            })
        }
        assert!(matches!(
            column_criterion(t, "a", Value::Null),
            Node::IsNull { negated: false, .. }
        ));
        assert!(matches!(
            column_criterion(t, "a", Value::from(1i64)),
            Node::Binary { .. }
        ));
    }
}
