//! The generated models declare the tables they were generated from.

use oxalchemy::MetaData;

/// Every table of `models` (a generated base's metadata) has the columns of the same table
/// in `reflected`: names in order, SQL types, nullability, primary key.
pub fn assert_models_match(models: &MetaData, reflected: &MetaData) {
    let tables = models.tables();
    assert!(!tables.is_empty(), "the generated base has no tables");
    for table in tables {
        let original = reflected
            .get_table(&table.fullname())
            .unwrap_or_else(|| panic!("{} was not reflected", table.fullname()));
        assert_eq!(
            table.column_names(),
            original.column_names(),
            "{}",
            table.name()
        );
        assert_eq!(
            table.primary_key(),
            original.primary_key(),
            "{}",
            table.name()
        );
        for (generated, original) in table.columns().iter().zip(original.columns()) {
            let what = format!("{}.{}", table.name(), original.name());
            assert_eq!(generated.sql_type(), original.sql_type(), "{what}");
            assert_eq!(generated.is_nullable(), original.is_nullable(), "{what}");
        }
    }
}
