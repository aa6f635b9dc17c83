//! Schema objects: `MetaData`, `Table`, column definitions and constraints.

mod column_def;
mod constraint;
mod create_drop;
mod ddl_order;
mod metadata;
mod table;
mod table_builder;

pub use column_def::{ColumnDef, ColumnDefault, ServerDefault};
pub use constraint::{CheckConstraint, ForeignKey, Index, UniqueConstraint};
pub use metadata::MetaData;
pub use table::Table;
pub(crate) use table::TableInner;
pub use table_builder::{ColumnBuilder, ForeignKeyBuilder, TableBuilder};
