//! Rust names from database names: struct names, field names, keyword escaping,
//! and collision-free allocation.
//!
//! The rules are deliberately simple so that a reader can predict every name:
//! - a table `blog_post` becomes the struct `BlogPost` (no singular/plural inflection);
//! - a column `Created At` becomes the field `created_at` (lower case, every run of
//!   characters other than ASCII letters, digits and `_` becomes `_`, a leading digit gets `_`);
//! - a Rust keyword is written raw (`r#type`), or with a trailing `_` where Rust has no
//!   raw form (`self_`, `crate_`, `super_`, `Self_`);
//! - a name already taken gets `_2`, `_3`, ... (fields) or `2`, `3`, ... (structs).

use std::collections::BTreeSet;

/// Every keyword of Rust 2024 (strict and reserved): such a field is written `r#name`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers: they get a trailing underscore.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Type names the generated file uses itself (or that every Rust module sees):
/// a struct of that name would shadow them, so such a table's struct gets `Table` appended.
const TAKEN_TYPE_NAMES: &[&str] = &[
    "Base",
    "Model",
    "Related",
    "Option",
    "Some",
    "None",
    "String",
    "Vec",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Send",
    "Sync",
    "Sized",
    "Copy",
    "Drop",
    "Fn",
    "Iterator",
    "Table",
    "Self",
];

/// `blog_post` -> `BlogPost`, `HTTPLog` -> `HTTPLog`, `2fa codes` -> `T2faCodes`.
pub fn struct_name(table: &str) -> String {
    let mut out = String::with_capacity(table.len());
    let mut upper_next = true;
    for c in table.chars() {
        if c.is_ascii_alphanumeric() {
            if upper_next {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper_next = false;
        } else {
            upper_next = true;
        }
    }
    if out.is_empty() {
        out.push_str("Unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    if TAKEN_TYPE_NAMES.contains(&out.as_str()) {
        out.push_str("Table");
    }
    out
}

/// A snake_case identifier text for a database name (a keyword is not yet written raw):
/// `Created At` -> `created_at`, `userID` -> `userid`, `1st` -> `_1st`, `self` -> `self_`.
pub fn snake_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if pending_sep && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            pending_sep = false;
            out.extend(c.to_lowercase());
        } else {
            pending_sep = true;
        }
    }
    if out.is_empty() {
        out.push_str("column");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    // No raw form: the field is `self_` (and the derive is told the column's name).
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// The identifier as written in source: `r#type` for a keyword, `self_` for the
/// keywords that have no raw form, the name itself otherwise.
pub fn escape_ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// Hands out names unique within one scope (one struct's fields, or the file's structs).
#[derive(Debug, Default)]
pub struct NameScope {
    taken: BTreeSet<String>,
}

impl NameScope {
    /// Reserve `wanted`, or the first of `wanted_2`, `wanted_3`, ... that is free
    /// (`wanted2`, `wanted3`, ... with `separator` empty).
    pub fn claim(&mut self, wanted: &str, separator: &str) -> String {
        let mut candidate = wanted.to_owned();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{wanted}{separator}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    /// True when `name` is already taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

/// A Rust string literal for `s` (quotes and backslashes escaped).
pub fn string_literal(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_names_are_camel_case() {
        assert_eq!(struct_name("blog_post"), "BlogPost");
        assert_eq!(struct_name("pgbench_accounts"), "PgbenchAccounts");
        assert_eq!(struct_name("user"), "User");
        assert_eq!(struct_name("order items"), "OrderItems");
        assert_eq!(struct_name("2fa"), "T2fa");
        assert_eq!(struct_name("related"), "RelatedTable");
        assert_eq!(struct_name("table"), "TableTable");
        assert_eq!(struct_name("___"), "Unnamed");
    }

    #[test]
    fn field_names_are_snake_case() {
        assert_eq!(snake_ident("Created At"), "created_at");
        assert_eq!(snake_ident("userID"), "userid");
        assert_eq!(snake_ident("1st"), "_1st");
        assert_eq!(snake_ident("a-b"), "a_b");
        assert_eq!(snake_ident("$"), "column");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("_"), "__");
        // Only ASCII letters and digits: every Rust toolchain takes them as identifiers.
        assert_eq!(snake_ident("größe"), "gr_e");
        assert_eq!(struct_name("café_menu"), "CafMenu");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(escape_ident("type"), "r#type");
        assert_eq!(escape_ident("match"), "r#match");
        assert_eq!(escape_ident("self"), "self_");
        assert_eq!(escape_ident("name"), "name");
    }

    #[test]
    fn scopes_hand_out_unique_names() {
        let mut s = NameScope::default();
        assert_eq!(s.claim("author", "_"), "author");
        assert_eq!(s.claim("author", "_"), "author_2");
        assert_eq!(s.claim("author", "_"), "author_3");
        assert_eq!(s.claim("User", ""), "User");
        assert_eq!(s.claim("User", ""), "User2");
        assert!(s.contains("author_2"));
    }
}
