//! SQL types: what a column holds, rendered per dialect in DDL and CAST.

/// The SQL type of a column or expression.
///
/// Usually written through the marker values of the prelude:
/// `t.column("id", Integer)`, `t.column("name", Varchar(50))`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlType {
    /// 32-bit INTEGER.
    Integer,
    /// 64-bit BIGINT.
    BigInteger,
    /// 16-bit SMALLINT.
    SmallInteger,
    /// VARCHAR(n); `None` means no length given (rendered as TEXT where VARCHAR needs one).
    Varchar(Option<u32>),
    /// Unbounded TEXT.
    Text,
    /// BOOLEAN (TINYINT(1) on MySQL, INTEGER 0/1 on SQLite).
    Boolean,
    /// Single-precision REAL.
    Float,
    /// DOUBLE PRECISION.
    Double,
    /// NUMERIC(precision, scale).
    Numeric(u32, u32),
    /// DATE.
    Date,
    /// TIME.
    Time,
    /// TIMESTAMP without time zone.
    DateTime,
    /// TIMESTAMP WITH TIME ZONE.
    Timestamp,
    /// UUID (CHAR(36) where there is no native type).
    Uuid,
    /// JSON (JSONB on PostgreSQL).
    Json,
    /// Binary data (BYTEA / BLOB / LONGBLOB).
    LargeBinary,
    /// An enumeration of string values (a native ENUM on MySQL, VARCHAR + CHECK elsewhere,
    /// or with `native` a named type of its own on PostgreSQL). Reflection of a PostgreSQL
    /// native enum gives its type name and labels, `native: true`.
    Enum {
        /// Type name (used on PostgreSQL-like backends for the CHECK constraint name).
        name: String,
        /// The allowed values.
        variants: Vec<String>,
        /// A named type of its own where the backend has them (PostgreSQL's
        /// `CREATE TYPE name AS ENUM (..)`, SQLAlchemy's `native_enum=True`):
        /// `create_all` creates it, `drop_all` drops it, and statements cast
        /// parameters to it. `false`: VARCHAR + CHECK there. MySQL's ENUM is
        /// native either way; SQLite has none.
        native: bool,
    },
    /// Fixed-length CHAR(n); `None` means no length given (CHAR(1) on most backends).
    Char(Option<u32>),
    /// 8-bit TINYINT (MySQL; SMALLINT elsewhere). MySQL's `TINYINT(1)` reflects as
    /// [`Boolean`](SqlType::Boolean) (BOOLEAN is TINYINT(1) there), so one DDL reads the
    /// same on every backend.
    TinyInteger,
    /// TINYINT UNSIGNED (MySQL; SMALLINT elsewhere).
    UnsignedTinyInteger,
    /// SMALLINT UNSIGNED (MySQL; INTEGER elsewhere).
    UnsignedSmallInteger,
    /// INTEGER UNSIGNED (MySQL; BIGINT elsewhere).
    UnsignedInteger,
    /// BIGINT UNSIGNED (MySQL; NUMERIC(20, 0) elsewhere).
    UnsignedBigInteger,
    /// PostgreSQL's binary JSONB (JSON elsewhere). Plain [`Json`](SqlType::Json)
    /// is also created as JSONB on PostgreSQL; this variant is what reflecting a
    /// `jsonb` column gives.
    Jsonb,
    /// A PostgreSQL array of the element type (`INTEGER[]`). MySQL and SQLite
    /// have no array type: DDL there writes JSON (an array held as JSON text).
    Array(Box<SqlType>),
    /// MySQL's SET of string values (VARCHAR elsewhere, sized for all values joined by commas).
    Set(Vec<String>),
    /// A type reflection did not map, kept as its SQL text (`Other("INTERVAL")`,
    /// `Other("TSVECTOR")`): written back verbatim in DDL, so a reflected table
    /// can be recreated on the same backend. Values travel as the driver decodes them.
    Other(String),
}

impl SqlType {
    /// True for the integer types (candidates for autoincrement keys).
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::Integer
                | SqlType::BigInteger
                | SqlType::SmallInteger
                | SqlType::TinyInteger
                | SqlType::UnsignedTinyInteger
                | SqlType::UnsignedSmallInteger
                | SqlType::UnsignedInteger
                | SqlType::UnsignedBigInteger
        )
    }

    /// A type reflection could not map: [`SqlType::Other`] with the database's
    /// spelling, and a `tracing` warning naming the column, so one odd column
    /// never fails a whole reflection.
    pub fn unknown(type_text: &str, table: &str, column: &str) -> SqlType {
        tracing::warn!(
            table,
            column,
            type_text,
            "reflection: type {type_text:?} of column {table}.{column} has no oxalchemy mapping; kept as SqlType::Other"
        );
        SqlType::Other(type_text.to_owned())
    }
}

macro_rules! unit_types {
    ($($name:ident => $variant:ident, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name;
        impl From<$name> for SqlType {
            fn from(_: $name) -> Self { SqlType::$variant }
        }
    )*};
}

unit_types! {
    Integer => Integer, "The INTEGER type (32 bit).";
    BigInteger => BigInteger, "The BIGINT type (64 bit).";
    SmallInteger => SmallInteger, "The SMALLINT type (16 bit).";
    Text => Text, "The TEXT type (unbounded).";
    Boolean => Boolean, "The BOOLEAN type.";
    Float => Float, "The REAL type (single precision).";
    Double => Double, "The DOUBLE PRECISION type.";
    Date => Date, "The DATE type.";
    Time => Time, "The TIME type.";
    DateTime => DateTime, "The TIMESTAMP type without time zone.";
    Timestamp => Timestamp, "The TIMESTAMP WITH TIME ZONE type.";
    Uuid => Uuid, "The UUID type.";
    Json => Json, "The JSON type.";
    LargeBinary => LargeBinary, "The binary type (BLOB / BYTEA).";
    Jsonb => Jsonb, "PostgreSQL's JSONB type (JSON elsewhere).";
    TinyInteger => TinyInteger, "The TINYINT type (8 bit; SMALLINT where there is none).";
    UnsignedInteger => UnsignedInteger, "MySQL's INTEGER UNSIGNED (BIGINT elsewhere).";
    UnsignedBigInteger => UnsignedBigInteger, "MySQL's BIGINT UNSIGNED (NUMERIC(20, 0) elsewhere).";
}

/// The VARCHAR(n) type: `Varchar(50)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Varchar(pub u32);
impl From<Varchar> for SqlType {
    fn from(v: Varchar) -> Self {
        SqlType::Varchar(Some(v.0))
    }
}

/// The CHAR(n) type: `Char(2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Char(pub u32);
impl From<Char> for SqlType {
    fn from(v: Char) -> Self {
        SqlType::Char(Some(v.0))
    }
}

/// A PostgreSQL array of `T`: `Array(Integer)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Array<T>(pub T);
impl<T: Into<SqlType>> From<Array<T>> for SqlType {
    fn from(v: Array<T>) -> Self {
        SqlType::Array(Box::new(v.0.into()))
    }
}

/// The NUMERIC(precision, scale) type: `Numeric(10, 2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Numeric(pub u32, pub u32);
impl From<Numeric> for SqlType {
    fn from(v: Numeric) -> Self {
        SqlType::Numeric(v.0, v.1)
    }
}

/// An enumeration of strings: `Enum::new("mood", ["happy", "sad"])`;
/// `.native()` makes it PostgreSQL's named type `mood`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Enum {
    name: String,
    variants: Vec<String>,
    native: bool,
}

impl Enum {
    /// An enum type with a name and its allowed values.
    pub fn new<I, S>(name: impl Into<String>, variants: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Enum {
            name: name.into(),
            variants: variants.into_iter().map(Into::into).collect(),
            native: false,
        }
    }

    /// A named type of its own on PostgreSQL (`CREATE TYPE name AS ENUM
    /// (..)`, made by `create_all` and dropped by `drop_all`), as
    /// SQLAlchemy's `Enum(.., name="mood")` is there; how a native enum
    /// column of an existing schema is mapped.
    ///
    /// ```
    /// use oxalchemy_core::{SqlType, sql_type::Enum};
    /// let t: SqlType = Enum::new("mood", ["happy", "sad"]).native().into();
    /// assert!(matches!(t, SqlType::Enum { native: true, .. }));
    /// ```
    pub fn native(mut self) -> Self {
        self.native = true;
        self
    }
}

impl From<Enum> for SqlType {
    fn from(v: Enum) -> Self {
        SqlType::Enum {
            name: v.name,
            variants: v.variants,
            native: v.native,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SqlType;
    use std::sync::{Arc, Mutex};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// Records the level and fields of every event.
    #[derive(Default, Clone)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    struct Fields(String);
    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!("{}={:?} ", field.name(), value));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push_str(&format!("{}={} ", field.name(), value));
        }
    }

    impl Subscriber for Recorder {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut f = Fields(format!("{} ", event.metadata().level()));
            event.record(&mut f);
            self.0.lock().unwrap().push(f.0);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn an_unknown_type_is_kept_with_a_warning() {
        let rec = Recorder::default();
        let ty = tracing::subscriber::with_default(rec.clone(), || {
            SqlType::unknown("GEOMETRY", "places", "shape")
        });
        assert_eq!(ty, SqlType::Other("GEOMETRY".into()));
        let events = rec.0.lock().unwrap();
        assert_eq!(events.len(), 1);
        assert!(events[0].starts_with("WARN "), "{events:?}");
        assert!(
            events[0].contains("places.shape") && events[0].contains("GEOMETRY"),
            "{events:?}"
        );
    }
}
