//! Names derived from Rust identifiers: default table names and constant
//! names; and identifiers from names written as strings.

use proc_macro2::{Ident, Span};
use syn::ext::IdentExt;

/// An identifier's text without a raw prefix: `r#type` is `type`.
pub(crate) fn ident_text(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// The default table name of a model: the struct name in snake_case
/// (`UserAccount` -> `user_account`, `HTTPRequest` -> `http_request`).
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // The last capital of an acronym starts a new word: HTTPRequest.
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                Some(_) => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The name of a field's associated constant: `email_address` -> `EMAIL_ADDRESS`.
pub(crate) fn const_name(field: &str) -> String {
    field.to_uppercase()
}

/// The field identifier a string names (`"tags"`, or `r#type` for `"type"`),
/// spanned at `span`; `None` when the string is not an identifier.
pub(crate) fn field_ident(name: &str, span: Span) -> Option<Ident> {
    let mut ident = syn::parse_str::<Ident>(name)
        .or_else(|_| syn::parse_str::<Ident>(&format!("r#{name}")))
        .ok()?;
    ident.set_span(span);
    Some(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names() {
        assert_eq!(snake_case("User"), "user");
        assert_eq!(snake_case("UserAccount"), "user_account");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("Address2Line"), "address2_line");
        assert_eq!(snake_case("OAuthToken"), "o_auth_token");
        assert_eq!(snake_case("already_snake"), "already_snake");
        assert_eq!(snake_case("ABC"), "abc");
    }

    #[test]
    fn constant_names() {
        assert_eq!(const_name("name"), "NAME");
        assert_eq!(const_name("email_address"), "EMAIL_ADDRESS");
        assert_eq!(const_name("line2"), "LINE2");
    }

    #[test]
    fn raw_identifiers_lose_their_prefix() {
        let ident = Ident::new_raw("type", Span::call_site());
        assert_eq!(ident_text(&ident), "type");
        assert_eq!(const_name(&ident_text(&ident)), "TYPE");
    }

    #[test]
    fn field_identifiers_from_strings() {
        let at = Span::call_site();
        assert_eq!(
            field_ident("tags", at).map(|i| i.to_string()),
            Some("tags".into())
        );
        assert_eq!(
            field_ident("type", at).map(|i| i.to_string()),
            Some("r#type".into())
        );
        assert!(field_ident("two words", at).is_none());
        assert!(field_ident("1st", at).is_none());
    }
}
