//! `IntoValues`: column-name/value pairs for INSERT and UPDATE.

use crate::expr::{AnyType, Node, Operand};
use crate::value::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Column name / value pairs, in the order given.
pub type ValueList = Vec<(Cow<'static, str>, Node)>;

/// Something that gives column values: an array or `Vec` of `(name, value)`
/// pairs, a tuple of pairs of mixed value types, or a map.
///
/// ```
/// use oxalchemy_core::{IntoValues, Value};
/// let a = [("name", Value::from("sandy"))].into_values();
/// let b = (("name", "sandy"), ("age", 7)).into_values();
/// assert_eq!(a.len(), 1);
/// assert_eq!(b.len(), 2);
/// ```
pub trait IntoValues {
    /// The pairs.
    fn into_values(self) -> ValueList;
}

fn key(k: &str) -> Cow<'static, str> {
    Cow::Owned(k.to_owned())
}

impl<V: Operand<AnyType>, const N: usize> IntoValues for [(&str, V); N] {
    fn into_values(self) -> ValueList {
        self.into_iter()
            .map(|(k, v)| (key(k), v.into_operand()))
            .collect()
    }
}

impl<V: Operand<AnyType>> IntoValues for Vec<(&str, V)> {
    fn into_values(self) -> ValueList {
        self.into_iter()
            .map(|(k, v)| (key(k), v.into_operand()))
            .collect()
    }
}

impl<V: Operand<AnyType>> IntoValues for Vec<(String, V)> {
    fn into_values(self) -> ValueList {
        self.into_iter()
            .map(|(k, v)| (Cow::Owned(k), v.into_operand()))
            .collect()
    }
}

impl IntoValues for ValueList {
    fn into_values(self) -> ValueList {
        self
    }
}

impl<S: AsRef<str>> IntoValues for HashMap<S, Value> {
    fn into_values(self) -> ValueList {
        let mut v: ValueList = self
            .into_iter()
            .map(|(k, v)| (key(k.as_ref()), Node::Param(v)))
            .collect();
        // Hash order is random: sort so the statement shape (and SQL cache) is stable.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

impl<S: AsRef<str>> IntoValues for BTreeMap<S, Value> {
    fn into_values(self) -> ValueList {
        self.into_iter()
            .map(|(k, v)| (key(k.as_ref()), Node::Param(v)))
            .collect()
    }
}

impl<V: Operand<AnyType>> IntoValues for (&str, V) {
    fn into_values(self) -> ValueList {
        vec![(key(self.0), self.1.into_operand())]
    }
}

macro_rules! tuple_values {
    ($($v:ident),+) => {
        impl<$($v: Operand<AnyType>),+> IntoValues for ($((&str, $v),)+) {
            #[allow(non_snake_case)]
            fn into_values(self) -> ValueList {
                let ($($v,)+) = self;
                vec![$((key($v.0), $v.1.into_operand())),+]
            }
        }
    };
}

tuple_values!(A);
tuple_values!(A, B);
tuple_values!(A, B, C);
tuple_values!(A, B, C, D);
tuple_values!(A, B, C, D, E);
tuple_values!(A, B, C, D, E, F);
tuple_values!(A, B, C, D, E, F, G);
tuple_values!(A, B, C, D, E, F, G, H);
tuple_values!(A, B, C, D, E, F, G, H, I);
tuple_values!(A, B, C, D, E, F, G, H, I, J);
tuple_values!(A, B, C, D, E, F, G, H, I, J, K);
tuple_values!(A, B, C, D, E, F, G, H, I, J, K, L);
