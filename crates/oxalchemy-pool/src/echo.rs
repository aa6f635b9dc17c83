//! `echo`: statement logging through `tracing` (SQLAlchemy's `echo=True`).

use oxalchemy_core::Value;

/// The `tracing` target of statement logs.
pub const ECHO_TARGET: &str = "oxalchemy::engine";

/// How many characters of one parameter value a log line shows (as SQLAlchemy's 300).
const PARAM_CHARS: usize = 300;

/// How many parameters of one statement a log line shows (as SQLAlchemy's 100).
const MAX_PARAMS: usize = 100;

/// What a log line shows instead of the values under `hide_parameters`.
const HIDDEN: &str = "[SQL parameters hidden due to hide_parameters=True]";

/// Log one statement and its parameters at INFO level.
pub(crate) fn log_statement(sql: &str, params: &[Value]) {
    log_statement_with(sql, params, false);
}

/// Log one statement at INFO level: its parameters shortened, or `hide`n.
pub(crate) fn log_statement_with(sql: &str, params: &[Value], hide: bool) {
    if params.is_empty() {
        tracing::info!(target: "oxalchemy::engine", "{sql}");
    } else {
        let shown = format_params(params, hide);
        tracing::info!(target: "oxalchemy::engine", "{sql} {shown}");
    }
}

/// `[parameters: [..]]` with each value's text cut after [`PARAM_CHARS`]
/// characters and at most [`MAX_PARAMS`] values (the first and last halves),
/// as SQLAlchemy's log shortens them; the hidden marker under `hide`.
pub(crate) fn format_params(params: &[Value], hide: bool) -> String {
    if hide {
        return HIDDEN.to_owned();
    }
    let one = |v: &Value| shorten(&format!("{v:?}"));
    let mut parts: Vec<String> = Vec::with_capacity(params.len().min(MAX_PARAMS + 1));
    if params.len() <= MAX_PARAMS {
        parts.extend(params.iter().map(one));
    } else {
        let half = MAX_PARAMS / 2;
        parts.extend(params[..half].iter().map(one));
        parts.push(format!(
            "... {} parameters truncated ...",
            params.len() - 2 * half
        ));
        parts.extend(params[params.len() - half..].iter().map(one));
    }
    format!("[parameters: [{}]]", parts.join(", "))
}

/// The text itself, or its start and end around `... (N characters truncated) ...`.
fn shorten(text: &str) -> String {
    let count = text.chars().count();
    if count <= PARAM_CHARS {
        return text.to_owned();
    }
    let half = PARAM_CHARS / 2;
    let head: String = text.chars().take(half).collect();
    let tail: String = text.chars().skip(count - half).collect();
    format!(
        "{head} ... ({} characters truncated) ... {tail}",
        count - 2 * half
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_and_long_lists_are_shortened() {
        let long = Value::from("x".repeat(10_000));
        let line = format_params(&[Value::from(1), long], false);
        assert!(
            line.contains("... (9708 characters truncated) ..."),
            "{line}"
        );
        assert!(line.len() < 500, "{line}");
        let many: Vec<Value> = (0..70_000).map(Value::from).collect();
        let line = format_params(&many, false);
        assert!(line.contains("Int(49), ... 69900 parameters truncated ..., Int(69950)"));
        assert!(line.len() < 2_000);
        // Short values are shown whole.
        assert_eq!(
            format_params(&[Value::from("ab")], false),
            r#"[parameters: [Text("ab")]]"#
        );
    }

    #[test]
    fn hide_parameters_shows_no_value() {
        let line = format_params(&[Value::from("hunter2")], true);
        assert!(!line.contains("hunter2"));
        assert_eq!(line, HIDDEN);
    }
}
