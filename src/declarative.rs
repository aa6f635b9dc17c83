//! `declarative_base!`: a registry of models sharing one `MetaData`.

/// Declare a declarative base: a unit struct whose `metadata()` holds every
/// model declared with `#[model(base = Name, ..)]`, filled at link time, so it
/// knows every model before any is touched.
///
/// ```ignore
/// oxalchemy::declarative_base!(Base);          // private
/// oxalchemy::declarative_base!(pub Base);      // public
/// Base::metadata().create_all(&engine).await?;
/// ```
#[macro_export]
macro_rules! declarative_base {
    ($vis:vis $name:ident) => {
        /// A declarative base: `metadata()` holds every model declared with it.
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $name {
            /// The `MetaData` of every model declared with this base.
            #[allow(dead_code)]
            pub fn metadata() -> &'static $crate::MetaData {
                $crate::orm::metadata_for::<$name>()
            }

            /// Check the mapping of every model of this base: each
            /// `foreign_key = "table.column"` must name a model's table and
            /// column (the error names the model and field). `create_all` runs
            /// the same check.
            #[allow(dead_code)]
            pub fn configure() -> $crate::Result<()> {
                $crate::orm::configure::<$name>()
            }
        }
    };
}
