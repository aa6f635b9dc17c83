//! Reading a reflected server default back as the literal `#[mapped_column(server_default = "..")]`
//! takes (the derive renders it as a quoted SQL literal, as SQLAlchemy renders a string).

use oxalchemy::ServerDefault;

/// What to do with a column's server default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultPlan {
    /// No default (or the default is the autoincrement sequence, or `NULL`).
    None,
    /// A literal the derive can write: `server_default = "draft"`.
    Literal(String),
    /// SQL (a function call, an expression): `server_default_sql = "now()"`, written as is.
    Expression(String),
}

/// Classify a server default: `'draft'::character varying` and `'draft'` are the literal
/// `draft`; `0`, `-1.5`, `true` are literals too (`DEFAULT '0'` means the same on every
/// backend); `nextval(..)` is the key's sequence and `NULL` is no default; anything else is SQL.
pub fn plan_default(default: Option<&ServerDefault>) -> DefaultPlan {
    let sql = match default {
        None => return DefaultPlan::None,
        Some(ServerDefault::Literal(s)) => return DefaultPlan::Literal(s.clone()),
        Some(ServerDefault::Sql(s)) => s.trim(),
    };
    if sql.eq_ignore_ascii_case("null") || sql.to_ascii_lowercase().starts_with("nextval(") {
        return DefaultPlan::None;
    }
    if let Some(text) = quoted_literal(sql) {
        return DefaultPlan::Literal(text);
    }
    let unparenthesized = sql.trim_start_matches('(').trim_end_matches(')');
    if is_number(unparenthesized) {
        return DefaultPlan::Literal(unparenthesized.to_owned());
    }
    if sql.eq_ignore_ascii_case("true") || sql.eq_ignore_ascii_case("false") {
        return DefaultPlan::Literal(sql.to_ascii_lowercase());
    }
    DefaultPlan::Expression(sql.to_owned())
}

/// `'it''s'` or `'x'::text` -> the text; `None` when `sql` is not one quoted string
/// (with an optional PostgreSQL cast).
fn quoted_literal(sql: &str) -> Option<String> {
    let rest = sql.strip_prefix('\'')?;
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().map(|&(_, n)| n) == Some('\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            let tail = &rest[i + 1..];
            return (tail.is_empty() || is_cast(tail)).then_some(out);
        }
        out.push(c);
    }
    None
}

/// `::character varying`, `::text`, `::"char"`: a PostgreSQL cast suffix.
fn is_cast(tail: &str) -> bool {
    tail.strip_prefix("::").is_some_and(|t| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '"' | '(' | ')' | ','))
    })
}

fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(s: &str) -> DefaultPlan {
        plan_default(Some(&ServerDefault::Sql(s.to_owned())))
    }

    #[test]
    fn literals_are_recognised() {
        assert_eq!(sql("'draft'"), DefaultPlan::Literal("draft".into()));
        assert_eq!(
            sql("'draft'::character varying"),
            DefaultPlan::Literal("draft".into())
        );
        assert_eq!(sql("'it''s'"), DefaultPlan::Literal("it's".into()));
        assert_eq!(sql("0"), DefaultPlan::Literal("0".into()));
        assert_eq!(sql("(-1.5)"), DefaultPlan::Literal("-1.5".into()));
        assert_eq!(sql("TRUE"), DefaultPlan::Literal("true".into()));
        assert_eq!(
            plan_default(Some(&ServerDefault::Literal("x".into()))),
            DefaultPlan::Literal("x".into())
        );
    }

    #[test]
    fn sequences_and_null_are_no_default() {
        assert_eq!(plan_default(None), DefaultPlan::None);
        assert_eq!(sql("NULL"), DefaultPlan::None);
        assert_eq!(sql("nextval('author_id_seq'::regclass)"), DefaultPlan::None);
    }

    #[test]
    fn expressions_are_not_literals() {
        assert_eq!(
            sql("CURRENT_TIMESTAMP"),
            DefaultPlan::Expression("CURRENT_TIMESTAMP".into())
        );
        assert_eq!(sql("now()"), DefaultPlan::Expression("now()".into()));
        assert_eq!(
            sql("'a' || 'b'"),
            DefaultPlan::Expression("'a' || 'b'".into())
        );
        assert_eq!(sql("1.2.3"), DefaultPlan::Expression("1.2.3".into()));
    }
}
