//! `#[relationship(..)]`: the options of one relationship field.

use crate::attr_value::{bool_value, flag, for_each_option, non_empty_str, str_list};
use crate::errors::Errors;
use crate::suggest;
use syn::{Attribute, LitStr};

/// Every option `#[relationship(..)]` accepts.
pub(crate) const RELATIONSHIP_OPTIONS: &[&str] = &[
    "back_populates",
    "secondary",
    "foreign_keys",
    "primaryjoin",
    "order_by",
    "cascade",
    "passive_deletes",
    "lazy",
    "uselist",
];

/// The cascade names of `cascade = ".."`.
pub(crate) const CASCADES: &[&str] = &[
    "save-update",
    "merge",
    "delete",
    "delete-orphan",
    "all",
    "refresh-expire",
    "expunge",
];

/// The loading strategies of `lazy = ".."`.
pub(crate) const LAZY_STRATEGIES: &[&str] = &["select", "selectin", "joined", "raise", "subquery"];

/// The default cascades, as in SQLAlchemy.
pub(crate) const DEFAULT_CASCADE: &str = "save-update, merge";

/// The default loading strategy, as in SQLAlchemy.
pub(crate) const DEFAULT_LAZY: &str = "select";

/// The parsed options of a relationship (a `Related<T>` field).
#[derive(Default)]
pub(crate) struct RelationshipOptions {
    /// `back_populates = ".."`.
    pub(crate) back_populates: Option<LitStr>,
    /// `secondary = ".."`: the association table of a many-to-many.
    pub(crate) secondary: Option<LitStr>,
    /// `foreign_keys = ".."` or `foreign_keys = [".."]`.
    pub(crate) foreign_keys: Vec<LitStr>,
    /// `primaryjoin = ".."`.
    pub(crate) primaryjoin: Option<LitStr>,
    /// `order_by = ".."`.
    pub(crate) order_by: Option<LitStr>,
    /// The terms of `order_by`, checked: (column, descending).
    pub(crate) order_by_terms: Vec<(String, bool)>,
    /// `cascade = ".."`, normalised (`"all, delete-orphan"`).
    pub(crate) cascade: Option<String>,
    /// `passive_deletes` / `passive_deletes = bool`.
    pub(crate) passive_deletes: bool,
    /// `lazy = ".."`.
    pub(crate) lazy: Option<String>,
    /// `uselist = bool` (default: true for `Related<Vec<T>>`).
    pub(crate) uselist: Option<bool>,
}

impl RelationshipOptions {
    /// Parse every `#[relationship(..)]` attribute of a field (several merge).
    pub(crate) fn from_attrs(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut o = RelationshipOptions::default();
        for_each_option(
            attrs,
            "relationship",
            RELATIONSHIP_OPTIONS,
            errors,
            |k, meta, errors| {
                match k {
                    "back_populates" => o.back_populates = Some(non_empty_str(meta)?),
                    "secondary" => o.secondary = Some(non_empty_str(meta)?),
                    "foreign_keys" => o.foreign_keys = str_list(meta)?,
                    "primaryjoin" => o.primaryjoin = Some(non_empty_str(meta)?),
                    "order_by" => {
                        let lit = non_empty_str(meta)?;
                        o.order_by_terms = errors.ok(parse_order_by(&lit)).unwrap_or_default();
                        o.order_by = Some(lit);
                    }
                    "cascade" => {
                        let lit = crate::attr_value::str_value(meta)?;
                        o.cascade = Some(errors.ok(parse_cascade(&lit)).unwrap_or_default());
                    }
                    "passive_deletes" => o.passive_deletes = flag(meta)?,
                    "lazy" => {
                        let lit = non_empty_str(meta)?;
                        let value = lit.value();
                        if !LAZY_STRATEGIES.contains(&value.as_str()) {
                            errors.at(
                                lit.span(),
                                suggest::unknown_value(
                                    "lazy loading strategy",
                                    &value,
                                    LAZY_STRATEGIES,
                                ),
                            );
                        }
                        o.lazy = Some(value);
                    }
                    "uselist" => o.uselist = Some(bool_value(meta)?),
                    _ => return Ok(false),
                }
                Ok(true)
            },
        );
        o
    }

    /// The cascade setting, defaulted.
    pub(crate) fn cascade(&self) -> &str {
        self.cascade.as_deref().unwrap_or(DEFAULT_CASCADE)
    }

    /// The loading strategy, defaulted.
    pub(crate) fn lazy(&self) -> &str {
        self.lazy.as_deref().unwrap_or(DEFAULT_LAZY)
    }
}

/// Parse `order_by = "position desc, table.id"` into (column, descending)
/// terms: each term is a column name (a `table.` prefix is dropped) and an
/// optional `asc` / `desc`.
pub(crate) fn parse_order_by(lit: &LitStr) -> syn::Result<Vec<(String, bool)>> {
    let value = lit.value();
    let mut terms = Vec::new();
    for term in value.split(',') {
        let words: Vec<&str> = term.split_whitespace().collect();
        let (name, desc) = match words.as_slice() {
            [name] => (*name, false),
            [name, dir] if dir.eq_ignore_ascii_case("asc") => (*name, false),
            [name, dir] if dir.eq_ignore_ascii_case("desc") => (*name, true),
            _ => {
                return Err(syn::Error::new(
                    lit.span(),
                    format!(
                        "order_by term {:?} must be a column name, optionally followed by asc or desc (\"position desc, id\")",
                        term.trim()
                    ),
                ));
            }
        };
        let column = name.rsplit_once('.').map_or(name, |(_, c)| c);
        if column.is_empty() {
            return Err(syn::Error::new(
                lit.span(),
                format!("order_by term {:?} names no column", term.trim()),
            ));
        }
        terms.push((column.to_owned(), desc));
    }
    Ok(terms)
}

/// The cascade flags of a checked cascade list, in the runtime `Cascade`'s
/// field order: save-update, merge, delete, delete-orphan, refresh-expire, expunge.
pub(crate) fn cascade_flags(normalized: &str) -> [bool; 6] {
    let mut f = [false; 6];
    for item in normalized.split(',').map(str::trim) {
        match item {
            "all" => {
                f[0] = true;
                f[1] = true;
                f[2] = true;
                f[4] = true;
                f[5] = true;
            }
            "save-update" => f[0] = true,
            "merge" => f[1] = true,
            "delete" => f[2] = true,
            "delete-orphan" => f[3] = true,
            "refresh-expire" => f[4] = true,
            "expunge" => f[5] = true,
            _ => {}
        }
    }
    f
}

/// Check every item of a cascade list and normalise the spacing:
/// `"all,delete-orphan"` -> `"all, delete-orphan"`.
pub(crate) fn parse_cascade(lit: &LitStr) -> syn::Result<String> {
    let value = lit.value();
    let items: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut errors = Errors::new();
    for item in &items {
        if !CASCADES.contains(item) {
            errors.at(
                lit.span(),
                suggest::unknown_value("cascade", item, CASCADES),
            );
        }
    }
    errors.finish()?;
    Ok(items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;
    use syn::parse_quote;

    fn parse(attrs: Vec<Attribute>) -> (RelationshipOptions, Vec<String>) {
        let mut errors = Errors::new();
        let o = RelationshipOptions::from_attrs(&attrs, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (o, messages)
    }

    #[test]
    fn defaults() {
        let (o, errors) = parse(vec![]);
        assert!(errors.is_empty());
        assert_eq!(o.cascade(), "save-update, merge");
        assert_eq!(o.lazy(), "select");
        assert_eq!(o.uselist, None);
        assert!(!o.passive_deletes);
        assert!(o.foreign_keys.is_empty());
    }

    #[test]
    fn every_option() {
        let (o, errors) = parse(vec![
            parse_quote!(#[relationship(back_populates = "user", secondary = "link")]),
            parse_quote!(#[relationship(foreign_keys = ["a.x", "a.y, a.z"], primaryjoin = "a.x = b.id")]),
            parse_quote!(#[relationship(order_by = "id desc", cascade = "all,delete-orphan")]),
            parse_quote!(#[relationship(passive_deletes, lazy = "selectin", uselist = false)]),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(o.back_populates.unwrap().value(), "user");
        assert_eq!(o.secondary.unwrap().value(), "link");
        let fks: Vec<String> = o.foreign_keys.iter().map(LitStr::value).collect();
        assert_eq!(fks, ["a.x", "a.y", "a.z"]);
        assert_eq!(o.primaryjoin.unwrap().value(), "a.x = b.id");
        assert_eq!(o.order_by.unwrap().value(), "id desc");
        assert_eq!(o.cascade.as_deref(), Some("all, delete-orphan"));
        assert!(o.passive_deletes);
        assert_eq!(o.lazy.as_deref(), Some("selectin"));
        assert_eq!(o.uselist, Some(false));
    }

    #[test]
    fn single_foreign_key_string() {
        let (o, errors) = parse(vec![
            parse_quote!(#[relationship(foreign_keys = "address.user_id")]),
        ]);
        assert!(errors.is_empty());
        assert_eq!(o.foreign_keys.len(), 1);
    }

    #[test]
    fn cascades_are_checked() {
        let lit = LitStr::new("all, delete_orphan, explode", Span::call_site());
        let messages: Vec<String> = parse_cascade(&lit)
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            messages,
            [
                "unknown cascade `delete_orphan`; did you mean `delete-orphan`?",
                "unknown cascade `explode`; expected one of: save-update, merge, delete, delete-orphan, all, refresh-expire, expunge",
            ]
        );
        let every = LitStr::new(&CASCADES.join(","), Span::call_site());
        assert!(parse_cascade(&every).is_ok());
    }

    #[test]
    fn order_by_is_parsed_at_compile_time() {
        let lit = LitStr::new("position DESC, item.id asc, name", Span::call_site());
        assert_eq!(
            parse_order_by(&lit).unwrap(),
            [
                ("position".to_owned(), true),
                ("id".to_owned(), false),
                ("name".to_owned(), false)
            ]
        );
        for bad in ["id sideways", "id desc nulls", "a,,b", "t."] {
            let lit = LitStr::new(bad, Span::call_site());
            let e = parse_order_by(&lit).unwrap_err().to_string();
            assert!(e.starts_with("order_by term"), "{bad}: {e}");
        }
    }

    #[test]
    fn cascade_flags_expand_all() {
        assert_eq!(
            cascade_flags("save-update, merge"),
            [true, true, false, false, false, false]
        );
        assert_eq!(
            cascade_flags("all, delete-orphan"),
            [true, true, true, true, true, true]
        );
        assert_eq!(cascade_flags(""), [false; 6]);
    }

    #[test]
    fn lazy_is_checked_and_options_suggested() {
        let (_, errors) = parse(vec![
            parse_quote!(#[relationship(lazy = "selctin", back_populate = "x")]),
        ]);
        assert_eq!(
            errors,
            [
                "unknown lazy loading strategy `selctin`; did you mean `selectin`?",
                "unknown relationship option `back_populate`; did you mean `back_populates`?",
            ]
        );
    }
}
