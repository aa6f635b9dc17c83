//! [`KeyPart`]: one key value in a hashable, canonical form, shared by the
//! identity map (primary keys), the loaders (matching children to parents)
//! and the flush (link rows, foreign-key tuples).

use oxalchemy_core::Value;

/// One key value in a hashable, canonical form (`Value` holds floats and is
/// not `Eq`; keys compare by what the database would compare).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyPart {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Uuid(uuid::Uuid),
    /// Floats by bit pattern, decimals normalized, dates and JSON by their text.
    Other(&'static str, String),
}

impl KeyPart {
    /// The canonical form of `v`.
    pub(crate) fn of(v: &Value) -> KeyPart {
        match v {
            Value::Null => KeyPart::Null,
            Value::Bool(b) => KeyPart::Bool(*b),
            Value::Int(i) => KeyPart::Int(*i),
            Value::Text(s) => KeyPart::Text(s.clone()),
            Value::Bytes(b) => KeyPart::Bytes(b.clone()),
            Value::Uuid(u) => KeyPart::Uuid(*u),
            Value::Float(f) => KeyPart::Other("float", f.to_bits().to_string()),
            Value::Decimal(d) => KeyPart::Other("decimal", d.normalize().to_string()),
            other => KeyPart::Other(other.kind_name(), other.to_string()),
        }
    }
}
