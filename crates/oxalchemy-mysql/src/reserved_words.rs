//! Reserved words: identifiers that must be quoted on MySQL and MariaDB.

/// True when `lower` (a lower-cased word) must be quoted as an identifier.
pub(crate) fn is_reserved(lower: &str) -> bool {
    static SORTED: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| oxalchemy_core::dialect::sorted_words(MYSQL_RESERVED));
    SORTED.binary_search(&lower).is_ok() || oxalchemy_core::dialect::is_common_reserved_word(lower)
}

/// MySQL 8.0 / 8.4 / 9.x and MariaDB reserved words (lower case), plus `value`: unquoted it
/// is read as the `VALUE` of `INSERT INTO value (..) VALUE (..)`.
#[rustfmt::skip]
const MYSQL_RESERVED: &[&str] = &[
    "accessible", "add", "all", "alter", "analyze", "and", "as", "asc", "asensitive", "before",
    "between", "bigint", "binary", "blob", "both", "by", "call", "cascade", "case", "change",
    "char", "character", "check", "collate", "column", "condition", "constraint", "continue",
    "convert", "create", "cross", "cube", "cume_dist", "current_date", "current_role",
    "current_time", "current_timestamp", "current_user", "cursor", "database", "databases",
    "day_hour", "day_microsecond", "day_minute", "day_second", "dec", "decimal", "declare",
    "default", "delayed", "delete", "delete_domain_id", "dense_rank", "desc", "describe",
    "deterministic", "distinct", "distinctrow", "div", "do_domain_ids", "double", "drop", "dual",
    "each", "else", "elseif", "empty", "enclosed", "escaped", "except", "exists", "exit",
    "explain", "false", "fetch", "first_value", "float", "float4", "float8", "for", "force",
    "foreign", "from", "fulltext", "function", "general", "generated", "get", "grant", "group",
    "grouping", "groups", "having", "high_priority", "hour_microsecond", "hour_minute",
    "hour_second", "if", "ignore", "ignore_domain_ids", "ignore_server_ids", "in", "index",
    "infile", "inner", "inout", "insensitive", "insert", "int", "int1", "int2", "int3", "int4",
    "int8", "integer", "intersect", "interval", "into", "io_after_gtids", "io_before_gtids", "is",
    "iterate", "join", "json_table", "key", "keys", "kill", "lag", "last_value", "lateral", "lead",
    "leading", "leave", "left", "like", "limit", "linear", "lines", "load", "localtime",
    "localtimestamp", "lock", "long", "longblob", "longtext", "loop", "low_priority",
    "master_bind", "master_heartbeat_period", "master_ssl_verify_server_cert", "match", "maxvalue",
    "mediumblob", "mediumint", "mediumtext", "middleint", "minute_microsecond", "minute_second",
    "mod", "modifies", "natural", "not", "no_write_to_binlog", "nth_value", "ntile", "null",
    "numeric", "of", "offset", "on", "optimize", "optimizer_costs", "option", "optionally", "or",
    "order", "out", "outer", "outfile", "over", "page_checksum", "parse_vcol_expr", "partition",
    "percent_rank", "position", "precision", "primary", "procedure", "purge", "range", "rank",
    "read", "reads", "read_write", "real", "recursive", "ref_system_id", "references", "regexp",
    "release", "rename", "repeat", "replace", "require", "resignal", "restrict", "return",
    "returning", "revoke", "right", "rlike", "row", "rownum", "rows", "row_number", "schema",
    "schemas", "second_microsecond", "select", "sensitive", "separator", "set", "show", "signal",
    "slow", "smallint", "spatial", "specific", "sql", "sqlexception", "sqlstate", "sqlwarning",
    "sql_big_result", "sql_calc_found_rows", "sql_small_result", "ssl", "starting",
    "stats_auto_recalc", "stats_persistent", "stats_sample_pages", "stored", "straight_join",
    "system", "table", "terminated", "then", "tinyblob", "tinyint", "tinytext", "to", "trailing",
    "trigger", "true", "undo", "union", "unique", "unlock", "unsigned", "update", "usage", "use",
    "using", "utc_date", "utc_time", "utc_timestamp", "values", "varbinary", "varchar",
    "varcharacter", "varying", "virtual", "when", "where", "while", "window", "with", "write",
    "xor", "year_month", "zerofill",
    // Reserved by newer releases: MySQL 8.0.17+ (array, member) and 8.4 / 9.x (manual, parallel,
    // qualify, tablesample, library); MariaDB 10.3+ (portion), 10.11 (master_demote_to_*).
    // Quoting a word that a given server does not reserve is harmless. `value`: see above.
    "array", "library", "manual", "master_demote_to_replica", "master_demote_to_slave", "member",
    "parallel", "portion", "qualify", "tablesample", "value",
];

#[cfg(test)]
mod tests {
    use super::is_reserved;

    #[test]
    fn mysql_and_common_reserved_words_are_found() {
        for w in [
            "accessible",
            "value",
            "zerofill",
            "order",
            "loop",
            "select",
            "window",
        ] {
            assert!(is_reserved(w), "{w}");
        }
        for w in ["name", "hair_color", "users"] {
            assert!(!is_reserved(w), "{w}");
        }
    }
}
