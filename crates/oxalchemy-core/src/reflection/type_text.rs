//! Splitting a type as a catalog spells it: `varchar(50)`, `int(10) unsigned`,
//! `enum('a','b')`, `numeric(10,2)`.

/// A type's text in parts: upper-cased base name, the arguments inside the
/// first parentheses (string literals unquoted), and the upper-cased words after them.
///
/// ```
/// use oxalchemy_core::reflection::TypeText;
/// let t = TypeText::parse("int(10) unsigned");
/// assert_eq!((t.base.as_str(), t.args.as_slice(), t.suffix.as_str()), ("INT", &["10".to_owned()][..], "UNSIGNED"));
/// let e = TypeText::parse("enum('a','it''s')");
/// assert_eq!(e.args, ["a", "it's"]);
/// assert_eq!(TypeText::parse("DOUBLE PRECISION").base, "DOUBLE PRECISION");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeText {
    /// The name before any parentheses, upper case, inner spaces collapsed.
    pub base: String,
    /// The arguments, trimmed; quoted strings unquoted (`''` -> `'`).
    pub args: Vec<String>,
    /// Words after the closing parenthesis (`UNSIGNED ZEROFILL`), upper case.
    pub suffix: String,
}

impl TypeText {
    /// Split `text`.
    pub fn parse(text: &str) -> TypeText {
        let text = text.trim();
        let (base, rest) = match text.find('(') {
            Some(i) => (&text[..i], &text[i..]),
            None => (text, ""),
        };
        let mut args = Vec::new();
        let mut suffix = String::new();
        if !rest.is_empty() {
            let mut cur = String::new();
            let mut in_str = false;
            let mut quoted = false;
            let mut chars = rest[1..].chars().peekable();
            let mut end = None;
            let mut consumed = 1;
            while let Some(ch) = chars.next() {
                consumed += ch.len_utf8();
                if in_str {
                    if ch == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                            consumed += 1;
                            cur.push('\'');
                        } else {
                            in_str = false;
                        }
                    } else {
                        cur.push(ch);
                    }
                    continue;
                }
                match ch {
                    '\'' => {
                        in_str = true;
                        quoted = true;
                    }
                    ',' => {
                        args.push(finish_arg(&cur, quoted));
                        cur.clear();
                        quoted = false;
                    }
                    ')' => {
                        args.push(finish_arg(&cur, quoted));
                        end = Some(consumed);
                        break;
                    }
                    _ => cur.push(ch),
                }
            }
            if let Some(e) = end {
                suffix = collapse(&rest[e..]).to_ascii_uppercase();
            }
        }
        TypeText {
            base: collapse(base).to_ascii_uppercase(),
            args,
            suffix,
        }
    }

    /// Argument `i` as a number.
    pub fn arg_u32(&self, i: usize) -> Option<u32> {
        self.args.get(i)?.trim().parse().ok()
    }
}

fn finish_arg(s: &str, quoted: bool) -> String {
    if quoted {
        s.to_owned()
    } else {
        s.trim().to_owned()
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` without parentheses that wrap all of it: `((0))` -> `0`,
/// `(a) + (b)` unchanged. SQLite and MariaDB keep the parentheses a default
/// or check was written with; stripping them keeps a round trip stable.
///
/// ```
/// use oxalchemy_core::reflection::strip_outer_parens;
/// assert_eq!(strip_outer_parens("((0))"), "0");
/// assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
/// assert_eq!(strip_outer_parens("'(x)'"), "'(x)'");
/// ```
pub fn strip_outer_parens(text: &str) -> &str {
    let mut t = text.trim();
    while t.starts_with('(') && t.ends_with(')') && closing_of_first(t) == Some(t.len() - 1) {
        t = t[1..t.len() - 1].trim();
    }
    t
}

/// The byte index of the parenthesis closing the one at index 0, skipping quoted text.
fn closing_of_first(t: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, ch) in t.char_indices() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '\'' | '"' | '`' => quote = Some(ch),
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
