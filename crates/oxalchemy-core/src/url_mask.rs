//! Masking secrets in database URLs: the one function every crate uses
//! before a URL (or a string that was meant to be one) reaches a `Display`,
//! a `Debug`, an error, a log line or a panic message.
//!
//! [`redact_url`] works on raw text, not on a parsed URL, so that it also
//! masks strings that do not parse at all (`postgresql://u:p@[::1`,
//! `mysql://u:pa ss@h`) and passwords written without percent-encoding
//! (`/`, `?`, `#` or `@` inside them). When the text is ambiguous it masks
//! too much rather than too little.

/// What a masked secret is replaced with (SQLAlchemy's `***`).
pub const MASK: &str = "***";

/// `url` with every secret replaced by `***`: the password of the
/// authority (`user:password@host`) and the value of every query option
/// whose name says it is a secret (`password`, `passwd`, `pwd`, `pass`,
/// `sslpassword`, and any name containing `password`, `secret` or `token`).
///
/// The input need not be a valid URL. The password of the authority runs
/// from the first `:` after `://` to the **last** `@` of the string, so a
/// password holding an unencoded `@`, `/`, `?` or `#` is masked whole; the
/// value of a secret option runs to the next `&name=` (or to the end), so an
/// unencoded `&` or `#` inside it does not leak the rest. A URL whose query
/// holds an `@` after a `host:port` may therefore be masked from the port
/// on: over-masking is the safe side.
///
/// ```
/// use oxalchemy_core::url_mask::redact_url;
/// assert_eq!(redact_url("postgresql://me:s3cr@t@db/app"), "postgresql://me:***@db/app");
/// assert_eq!(redact_url("mysql://me@db/app?password=pw&x=1"), "mysql://me@db/app?password=***&x=1");
/// assert_eq!(redact_url("postgresql://u:p@[::1"), "postgresql://u:***@[::1");
/// assert_eq!(redact_url("sqlite:///app.db"), "sqlite:///app.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let (head, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    // The authority's userinfo ends at the last `@`.
    let after_userinfo = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(&userinfo[..colon]);
                    out.push(':');
                    out.push_str(MASK);
                }
                None => out.push_str(userinfo),
            }
            out.push('@');
            &rest[at + 1..]
        }
        None => redact_bare_port(rest, &mut out),
    };
    match after_userinfo.find('?') {
        Some(q) => {
            out.push_str(&after_userinfo[..=q]);
            redact_query(&after_userinfo[q + 1..], &mut out);
        }
        None => out.push_str(after_userinfo),
    }
    out
}

/// For an authority without `@`: a `host:port` whose port is not a number is
/// most likely `user:password` with the host forgotten, so the "port" is
/// masked. Appends the authority to `out` and returns what follows it.
fn redact_bare_port<'a>(rest: &'a str, out: &mut String) -> &'a str {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    // `[::1]:5432`: the port's colon comes after the bracket.
    let search_from = authority.rfind(']').map_or(0, |i| i + 1);
    match authority[search_from..].find(':') {
        Some(c) => {
            let c = search_from + c;
            let port = &authority[c + 1..];
            if port.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(authority);
            } else {
                out.push_str(&authority[..=c]);
                out.push_str(MASK);
            }
        }
        None => out.push_str(authority),
    }
    tail
}

/// Append `query` to `out` with the values of secret options masked.
fn redact_query(query: &str, out: &mut String) {
    let mut pos = 0;
    let mut first = true;
    while pos <= query.len() {
        let part_end = next_param_start(query, pos, false).unwrap_or(query.len());
        let part = &query[pos..part_end];
        if !first {
            out.push('&');
        }
        first = false;
        match part.find('=') {
            Some(eq) if is_secret_key(&part[..eq]) => {
                out.push_str(&part[..=eq]);
                out.push_str(MASK);
                // A secret value runs to the next `&name=`, not the next `&`.
                let value_end = next_param_start(query, pos + eq + 1, true).unwrap_or(query.len());
                pos = value_end + 1;
                continue;
            }
            _ => out.push_str(part),
        }
        pos = part_end + 1;
    }
}

/// The index of the `&` that starts the next parameter at or after `from`.
/// With `strict`, only an `&` followed by `name=` counts (the end of a
/// secret's value); otherwise every `&`.
fn next_param_start(query: &str, from: usize, strict: bool) -> Option<usize> {
    let bytes = query.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'&' {
            if !strict {
                return Some(i);
            }
            let name_len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'%'))
                .count();
            if name_len > 0 && bytes.get(i + 1 + name_len) == Some(&b'=') {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Whether an option name (percent-decoded, case-insensitive) names a secret.
fn is_secret_key(raw: &str) -> bool {
    let key = percent_decode_lossy(raw).to_ascii_lowercase();
    let key = key.trim();
    matches!(key, "pass" | "pwd" | "passwd")
        || key.contains("password")
        || key.contains("secret")
        || key.contains("token")
}

/// Percent-decode `s`, leaving malformed escapes as they are.
fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        if bytes[i] == b'+' {
            out.push(b' ');
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape from issue 12 point 3, with what must be printed.
    #[test]
    fn table_of_url_shapes() {
        let cases: &[(&str, &str)] = &[
            (
                "postgresql://me:secret@db/app",
                "postgresql://me:***@db/app",
            ),
            (
                "postgresql://me:secret@db:5432/app?sslmode=require",
                "postgresql://me:***@db:5432/app?sslmode=require",
            ),
            (
                "mysql://root:p%40ss%2Fw%3Fd@h:3306/db",
                "mysql://root:***@h:3306/db",
            ),
            ("mysql://root:p@ss@h/db", "mysql://root:***@h/db"),
            ("postgresql://u:pa/ss@h/db", "postgresql://u:***@h/db"),
            ("postgresql://u:pa?ss@h/db", "postgresql://u:***@h/db"),
            ("postgresql://u:pa#ss@h/db", "postgresql://u:***@h/db"),
            (
                "postgresql://u:a/b?c#d@e@h/db?x=1",
                "postgresql://u:***@h/db?x=1",
            ),
            (
                "postgresql://u@h/db?password=secret",
                "postgresql://u@h/db?password=***",
            ),
            (
                "postgresql://u@h/db?sslmode=disable&password=secret",
                "postgresql://u@h/db?sslmode=disable&password=***",
            ),
            (
                "postgresql://u@h/db?password=sec&ret&application_name=x",
                "postgresql://u@h/db?password=***&application_name=x",
            ),
            (
                "postgresql://u@h/db?PASSWORD=secret#frag",
                "postgresql://u@h/db?PASSWORD=***",
            ),
            (
                "mysql://u@h/db?pass%77ord=secret",
                "mysql://u@h/db?pass%77ord=***",
            ),
            (
                "mysql://u@h/db?pwd=secret&ssl-mode=REQUIRED",
                "mysql://u@h/db?pwd=***&ssl-mode=REQUIRED",
            ),
            ("postgresql://u:p@[::1", "postgresql://u:***@[::1"),
            // The rows of docs/engine.md.
            (
                "postgresql://app:p@ss/w?rd#x@db/shop",
                "postgresql://app:***@db/shop",
            ),
            (
                "postgresql://app@db/shop?sslmode=require&password=s3cret",
                "postgresql://app@db/shop?sslmode=require&password=***",
            ),
            ("mysql://u:pa ss@h", "mysql://u:***@h"),
            ("postgresql://u:secret@", "postgresql://u:***@"),
            ("u:secret@h/db", "u:***@h/db"),
            ("sqlite:///app.db", "sqlite:///app.db"),
            ("sqlite:///app.db?timeout=5", "sqlite:///app.db?timeout=5"),
            ("postgresql://u@h/db", "postgresql://u@h/db"),
            ("postgresql://h:5432/db", "postgresql://h:5432/db"),
            ("postgresql://u:secret", "postgresql://u:***"),
            ("postgresql://u:secret/db", "postgresql://u:***/db"),
            ("postgresql://[::1]:5432/db", "postgresql://[::1]:5432/db"),
            ("nonsense", "nonsense"),
            ("", ""),
            ("?&&=&password", "?&&=&password"),
        ];
        for (input, want) in cases {
            assert_eq!(&redact_url(input), want, "input: {input}");
        }
    }

    #[test]
    fn secret_text_never_survives() {
        for input in [
            "postgresql://u:TOPSECRET@h/db",
            "mysql://u:TOPSECRET@@h/db",
            "postgresql://u:TOP/SECRET@h/db?password=TOPSECRET",
            "postgresql://u@h/db?x=1&password=TOPSECRET&sslpassword=TOPSECRET",
            "postgresql://u:TOPSECRET@[::1",
            "mysql://u:TOP SECRET@h",
            "postgresql://u:TOPSECRET",
        ] {
            let masked = redact_url(input);
            assert!(!masked.contains("SECRET"), "{input} -> {masked}");
        }
    }
}
