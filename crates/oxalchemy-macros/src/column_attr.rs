//! `#[mapped_column(..)]`: the options of one mapped column.

use crate::attr_value::{
    bool_value, expr_value, flag, for_each_option, non_empty_str, str_value, u32_value,
};
use crate::errors::Errors;
use crate::suggest;
use proc_macro2::Span;
use syn::{Attribute, Expr, LitStr};

/// Every option `#[mapped_column(..)]` accepts.
pub(crate) const COLUMN_OPTIONS: &[&str] = &[
    "primary_key",
    "autoincrement",
    "name",
    "sql_type",
    "length",
    "nullable",
    "unique",
    "index",
    "default",
    "server_default",
    "server_default_sql",
    "foreign_key",
    "ondelete",
    "onupdate",
    "validate",
];

/// `validate = <path or closure>`: the validator function (its signature is
/// checked by the compiler where the derive uses it).
fn validator_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Expr> {
    check_validator(expr_value(meta)?)
}

/// A validator is named by a path (`Self::check_email`, `check_email`) or
/// written as a closure; anything else is refused with the expected form.
pub(crate) fn check_validator(expr: Expr) -> syn::Result<Expr> {
    match expr {
        Expr::Path(_) | Expr::Closure(_) => Ok(expr),
        other => Err(syn::Error::new_spanned(
            other,
            "`validate` takes a function: validate = Self::check_email, where \
             fn check_email(field: &str, value: &String) -> Result<(), String>",
        )),
    }
}

/// The referential actions of `ondelete` / `onupdate`.
pub(crate) const REFERENTIAL_ACTIONS: &[&str] = &[
    "CASCADE",
    "SET NULL",
    "SET DEFAULT",
    "RESTRICT",
    "NO ACTION",
];

/// The parsed options of a column field (all optional; defaults follow SQLAlchemy).
#[derive(Default)]
pub(crate) struct ColumnOptions {
    /// `primary_key`.
    pub(crate) primary_key: bool,
    /// `autoincrement = bool` (`None`: the automatic rule).
    pub(crate) autoincrement: Option<bool>,
    /// `name = ".."`: the column name when it differs from the field name.
    pub(crate) name: Option<LitStr>,
    /// `sql_type = <expr>`: any value convertible into `SqlType`.
    pub(crate) sql_type: Option<Expr>,
    /// `length = N` (VARCHAR(N) for strings).
    pub(crate) length: Option<u32>,
    /// `nullable = bool` (default: the field type decides).
    pub(crate) nullable: Option<bool>,
    /// `unique`.
    pub(crate) unique: bool,
    /// `index`.
    pub(crate) index: bool,
    /// `default = <expr>`: a client-side default, any value convertible into `Value`.
    pub(crate) default: Option<Expr>,
    /// `server_default = ".."`, or with `server_default_sql` set,
    /// `server_default_sql = ".."` (trusted SQL, rendered as written). One
    /// text and a flag keep `ColumnOptions` (and the derive's field enum) small.
    pub(crate) server_default: Option<LitStr>,
    /// The server default was given as `server_default_sql`.
    pub(crate) server_default_sql: bool,
    /// `foreign_key = "table.column"`, validated.
    pub(crate) foreign_key: Option<LitStr>,
    /// `ondelete = ".."`, validated.
    pub(crate) ondelete: Option<LitStr>,
    /// `onupdate = ".."`, validated.
    pub(crate) onupdate: Option<LitStr>,
    /// `validate = path`: a `fn(&str, &T) -> Result<(), String>` the session
    /// runs on the values it is given (SQLAlchemy's `@validates`).
    pub(crate) validate: Option<Expr>,
    /// A misspelled option looked like `primary_key` (so the model's "no
    /// primary key" error would only repeat the misspelling's).
    pub(crate) meant_primary_key: bool,
    /// Where `length` was written (for "length with sql_type" errors).
    length_span: Option<Span>,
}

impl ColumnOptions {
    /// Parse every `#[mapped_column(..)]` attribute of a field (several merge).
    pub(crate) fn from_attrs(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut o = ColumnOptions::default();
        let meant = for_each_option(
            attrs,
            "mapped_column",
            COLUMN_OPTIONS,
            errors,
            |k, meta, errors| {
                match k {
                    "primary_key" => o.primary_key = flag(meta)?,
                    "autoincrement" => o.autoincrement = Some(flag(meta)?),
                    "name" => o.name = Some(non_empty_str(meta)?),
                    "sql_type" => o.sql_type = Some(expr_value(meta)?),
                    "length" => {
                        let (n, lit) = u32_value(meta)?;
                        if n == 0 {
                            errors.at(lit.span(), "length must be at least 1");
                        }
                        o.length = Some(n);
                        o.length_span = Some(lit.span());
                    }
                    "nullable" => o.nullable = Some(bool_value(meta)?),
                    "unique" => o.unique = flag(meta)?,
                    "index" => o.index = flag(meta)?,
                    "default" => o.default = Some(expr_value(meta)?),
                    "server_default" | "server_default_sql" => {
                        let value = str_value(meta)?;
                        if o.server_default.is_some() {
                            errors.push(syn::Error::new_spanned(
                                &value,
                                "give either `server_default` (a literal, quoted in the DDL) or \
                                 `server_default_sql` (SQL written as is), once",
                            ));
                        }
                        o.server_default = Some(value);
                        o.server_default_sql = k == "server_default_sql";
                    }
                    "foreign_key" => {
                        let lit = str_value(meta)?;
                        if let Err(e) = check_foreign_key(&lit) {
                            errors.push(e);
                        }
                        o.foreign_key = Some(lit);
                    }
                    "ondelete" | "onupdate" => {
                        let lit = str_value(meta)?;
                        if let Err(e) = check_referential_action(k, &lit) {
                            errors.push(e);
                        }
                        if k == "ondelete" {
                            o.ondelete = Some(lit);
                        } else {
                            o.onupdate = Some(lit);
                        }
                    }
                    "validate" => o.validate = Some(validator_value(meta)?),
                    _ => return Ok(false),
                }
                Ok(true)
            },
        );
        o.meant_primary_key = meant.contains(&"primary_key");
        o.check_combinations(errors);
        o
    }

    fn check_combinations(&self, errors: &mut Errors) {
        if let (Some(v), true) = (&self.validate, self.primary_key) {
            errors.push(syn::Error::new_spanned(
                v,
                "a primary-key column cannot have a validator: the key identifies the row, \
                 validate it where the key is chosen",
            ));
        }
        if let (Some(_), Some(span)) = (&self.sql_type, self.length_span) {
            errors.at(
                span,
                "give either `sql_type` or `length`, not both: put the length in the type (sql_type = Varchar(30))",
            );
        }
        if self.foreign_key.is_none() {
            for (k, lit) in [("ondelete", &self.ondelete), ("onupdate", &self.onupdate)] {
                if let Some(lit) = lit {
                    errors.at(
                        lit.span(),
                        format!(
                            "`{k}` needs a `foreign_key = \"table.column\"` on the same column"
                        ),
                    );
                }
            }
        }
    }
}

/// `foreign_key` must be `"table.column"` or `"schema.table.column"`, each part
/// a non-empty name without spaces or quotes.
pub(crate) fn check_foreign_key(lit: &LitStr) -> syn::Result<()> {
    let value = lit.value();
    let parts: Vec<&str> = value.split('.').collect();
    let well_formed = (parts.len() == 2 || parts.len() == 3)
        && parts.iter().all(|p| {
            !p.is_empty()
                && !p
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, '"' | '`' | '\'' | '(' | ')'))
        });
    if well_formed {
        Ok(())
    } else {
        Err(syn::Error::new(
            lit.span(),
            format!(
                "foreign_key must be \"table.column\" (or \"schema.table.column\"), not {value:?}"
            ),
        ))
    }
}

/// `ondelete` / `onupdate` take one of the SQL referential actions.
pub(crate) fn check_referential_action(option: &str, lit: &LitStr) -> syn::Result<()> {
    let value = lit.value();
    let normal = value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    if REFERENTIAL_ACTIONS.contains(&normal.as_str()) {
        Ok(())
    } else {
        Err(syn::Error::new(
            lit.span(),
            suggest::unknown_value(&format!("{option} action"), &value, REFERENTIAL_ACTIONS),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn parse(attrs: Vec<Attribute>) -> (ColumnOptions, Vec<String>) {
        let mut errors = Errors::new();
        let o = ColumnOptions::from_attrs(&attrs, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (o, messages)
    }

    #[test]
    fn every_option() {
        let (o, errors) = parse(vec![
            parse_quote!(#[mapped_column(primary_key, autoincrement = false, name = "user_name")]),
            parse_quote!(#[mapped_column(nullable = true, unique, index = false, default = "x")]),
            parse_quote!(#[mapped_column(server_default = "now()", foreign_key = "s.t.c")]),
            parse_quote!(#[mapped_column(ondelete = "cascade", onupdate = "SET  NULL", length = 30)]),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(o.primary_key);
        assert_eq!(o.autoincrement, Some(false));
        assert_eq!(o.name.unwrap().value(), "user_name");
        assert_eq!(o.nullable, Some(true));
        assert!(o.unique);
        assert!(!o.index);
        assert!(o.default.is_some());
        assert_eq!(o.server_default.unwrap().value(), "now()");
        assert!(!o.server_default_sql);
        assert_eq!(o.foreign_key.unwrap().value(), "s.t.c");
        assert_eq!(o.ondelete.unwrap().value(), "cascade");
        assert_eq!(o.onupdate.unwrap().value(), "SET  NULL");
        assert_eq!(o.length, Some(30));
        assert!(o.sql_type.is_none());
    }

    #[test]
    fn a_sql_server_default_and_not_both_kinds() {
        let (o, errors) = parse(vec![parse_quote!(
            #[mapped_column(server_default_sql = "CURRENT_TIMESTAMP")]
        )]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(o.server_default.unwrap().value(), "CURRENT_TIMESTAMP");
        assert!(o.server_default_sql);
        let (_, errors) = parse(vec![parse_quote!(
            #[mapped_column(server_default = "0", server_default_sql = "1 + 1")]
        )]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("once"), "{errors:?}");
    }

    #[test]
    fn bare_attribute_and_defaults() {
        let (o, errors) = parse(vec![parse_quote!(#[mapped_column])]);
        assert!(errors.is_empty());
        assert!(!o.primary_key && !o.unique && !o.index);
        assert_eq!(o.nullable, None);
        assert_eq!(o.autoincrement, None);
    }

    #[test]
    fn sql_type_is_any_expression() {
        let (o, errors) = parse(vec![
            parse_quote!(#[mapped_column(sql_type = Numeric(10, 2))]),
        ]);
        assert!(errors.is_empty());
        assert!(matches!(o.sql_type, Some(Expr::Call(_))));
    }

    #[test]
    fn validate_takes_a_path_or_a_closure() {
        let (o, errors) = parse(vec![parse_quote!(#[mapped_column(validate = Self::check)])]);
        assert!(errors.is_empty());
        assert!(matches!(o.validate, Some(Expr::Path(_))));
        let (o, errors) = parse(vec![
            parse_quote!(#[mapped_column(validate = |_, _v: &i32| Ok(()))]),
        ]);
        assert!(errors.is_empty());
        assert!(matches!(o.validate, Some(Expr::Closure(_))));
        let (_, errors) = parse(vec![parse_quote!(#[mapped_column(validate = 5)])]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("`validate` takes a function"),
            "{errors:?}"
        );
        let (_, errors) = parse(vec![
            parse_quote!(#[mapped_column(primary_key, validate = f)]),
        ]);
        assert_eq!(
            errors,
            [
                "a primary-key column cannot have a validator: the key identifies the row, validate it where the key is chosen"
            ]
        );
        let (_, errors) = parse(vec![parse_quote!(#[mapped_column(validat = f)])]);
        assert_eq!(
            errors,
            ["unknown mapped_column option `validat`; did you mean `validate`?"]
        );
    }

    #[test]
    fn misspelled_and_unknown_options_are_all_reported() {
        let (_, errors) = parse(vec![parse_quote!(
            #[mapped_column(primery_key, colour = "red", uniqe, length = 5)]
        )]);
        assert_eq!(
            errors,
            [
                "unknown mapped_column option `primery_key`; did you mean `primary_key`?",
                "unknown mapped_column option `colour`; expected one of: primary_key, autoincrement, name, sql_type, length, nullable, unique, index, default, server_default, server_default_sql, foreign_key, ondelete, onupdate, validate",
                "unknown mapped_column option `uniqe`; did you mean `unique`?",
            ]
        );
        let (o, _) = parse(vec![parse_quote!(#[mapped_column(primary_ky)])]);
        assert!(o.meant_primary_key && !o.primary_key);
    }

    #[test]
    fn duplicates_are_reported() {
        let (_, errors) = parse(vec![
            parse_quote!(#[mapped_column(unique)]),
            parse_quote!(#[mapped_column(unique = false)]),
        ]);
        assert_eq!(errors, ["duplicate mapped_column option `unique`"]);
    }

    #[test]
    fn malformed_values() {
        let (_, errors) = parse(vec![parse_quote!(#[mapped_column(length = "30")])]);
        assert_eq!(errors, ["`length` takes an integer: length = 30"]);
        let (_, errors) = parse(vec![parse_quote!(#[mapped_column(nullable)])]);
        assert_eq!(errors, ["expected `=`"]);
        let (_, errors) = parse(vec![parse_quote!(#[mapped_column(name = "")])]);
        assert_eq!(errors, ["`name` must not be empty"]);
        let (_, errors) = parse(vec![parse_quote!(#[mapped_column(length = 0)])]);
        assert_eq!(errors, ["length must be at least 1"]);
    }

    #[test]
    fn foreign_keys_are_checked() {
        for good in ["user_account.id", "auth.users.id"] {
            assert!(
                check_foreign_key(&LitStr::new(good, Span::call_site())).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "user_account",
            "a.b.c.d",
            ".id",
            "users.",
            "user account.id",
            "",
        ] {
            let e = check_foreign_key(&LitStr::new(bad, Span::call_site())).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("foreign_key must be \"table.column\""),
                "{e}"
            );
        }
    }

    #[test]
    fn referential_actions_are_checked() {
        let (_, errors) = parse(vec![parse_quote!(
            #[mapped_column(foreign_key = "t.id", ondelete = "CASCADE", onupdate = "cascde")]
        )]);
        assert_eq!(
            errors,
            ["unknown onupdate action `cascde`; did you mean `CASCADE`?"]
        );
        let (_, errors) = parse(vec![parse_quote!(#[mapped_column(ondelete = "CASCADE")])]);
        assert_eq!(
            errors,
            ["`ondelete` needs a `foreign_key = \"table.column\"` on the same column"]
        );
    }

    #[test]
    fn length_and_sql_type_exclude_each_other() {
        let (_, errors) = parse(vec![parse_quote!(
            #[mapped_column(sql_type = Text, length = 3)]
        )]);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("give either `sql_type` or `length`"));
    }
}
