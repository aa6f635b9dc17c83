//! "Did you mean ..?" suggestions for misspelled option names and values.

/// The edit distance between two words: insertions, deletions, substitutions
/// and swaps of two neighbouring letters each cost one (`bsae` is one edit from `base`).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Names SQLAlchemy users may reach for, and the option that means the same here.
const ALIASES: &[(&str, &str)] = &[
    ("tablename", "table"),
    ("__tablename__", "table"),
    ("pk", "primary_key"),
    ("type", "sql_type"),
    ("type_", "sql_type"),
    ("size", "length"),
    ("max_length", "length"),
    ("column", "name"),
    ("column_name", "name"),
    ("fk", "foreign_key"),
    ("references", "foreign_key"),
    ("backref", "back_populates"),
];

/// The candidates closest to `word`, if close enough to be a likely
/// misspelling (as rustc does: at most a third of the word's length, at least
/// one edit), or the option a well-known alias stands for. Ties are all kept.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let normal = |w: &str| w.to_ascii_lowercase().replace('-', "_");
    let lower = normal(word);
    let alias = ALIASES.iter().find(|(alias, _)| *alias == lower);
    if let Some(c) = alias.and_then(|(_, target)| candidates.iter().find(|c| *c == target)) {
        return vec![*c];
    }
    let limit = (word.chars().count() / 3).max(1);
    let scored: Vec<(usize, &'a str)> = candidates
        .iter()
        .map(|c| (edit_distance(&lower, &normal(c)), *c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else {
        return Vec::new();
    };
    scored
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, c)| c)
        .collect()
}

/// "did you mean `a`?" / "did you mean `a` or `b`?", or `None` without a candidate.
fn did_you_mean(candidates: &[&str]) -> Option<String> {
    if candidates.is_empty() {
        return None;
    }
    let quoted: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    Some(format!("did you mean {}?", quoted.join(" or ")))
}

/// The message for an option `word` that `attribute` does not know:
/// a suggestion when one is close, else the list of valid options.
pub(crate) fn unknown_option(attribute: &str, word: &str, valid: &[&str]) -> String {
    match did_you_mean(&closest(word, valid)) {
        Some(hint) => format!("unknown {attribute} option `{word}`; {hint}"),
        None => format!(
            "unknown {attribute} option `{word}`; expected one of: {}",
            valid.join(", ")
        ),
    }
}

/// The message for a value `word` outside the allowed `valid` set of `what`.
pub(crate) fn unknown_value(what: &str, word: &str, valid: &[&str]) -> String {
    match did_you_mean(&closest(word, valid)) {
        Some(hint) => format!("unknown {what} `{word}`; {hint}"),
        None => format!(
            "unknown {what} `{word}`; expected one of: {}",
            valid.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("primery_key", "primary_key"), 1);
        assert_eq!(edit_distance("uniqe", "unique"), 1);
        assert_eq!(edit_distance("bsae", "base"), 1);
    }

    #[test]
    fn suggests_the_closest_option() {
        let valid = ["primary_key", "unique", "index", "name", "nullable"];
        assert_eq!(closest("primery_key", &valid), ["primary_key"]);
        assert_eq!(closest("Primary_Key", &valid), ["primary_key"]);
        assert_eq!(closest("uniqe", &valid), ["unique"]);
        assert_eq!(closest("nulable", &valid), ["nullable"]);
        assert!(closest("colour", &valid).is_empty());
        assert!(closest("x", &valid).is_empty());
        // Ties are all offered.
        assert_eq!(
            closest("selectn", &["select", "selectin", "joined"]),
            ["select", "selectin"]
        );
        // Well-known SQLAlchemy spellings, only when the option exists here.
        assert_eq!(closest("tablename", &["base", "table"]), ["table"]);
        assert_eq!(closest("pk", &valid), ["primary_key"]);
        assert!(closest("backref", &valid).is_empty());
    }

    #[test]
    fn messages() {
        assert_eq!(
            unknown_value("lazy loading strategy", "selectn", &["select", "selectin"]),
            "unknown lazy loading strategy `selectn`; did you mean `select` or `selectin`?"
        );
        assert_eq!(
            unknown_option("mapped_column", "primery_key", &["primary_key", "unique"]),
            "unknown mapped_column option `primery_key`; did you mean `primary_key`?"
        );
        assert_eq!(
            unknown_option("mapped_column", "colour", &["primary_key", "unique"]),
            "unknown mapped_column option `colour`; expected one of: primary_key, unique"
        );
        assert_eq!(
            unknown_value("cascade", "delete_orphan", &["delete", "delete-orphan"]),
            "unknown cascade `delete_orphan`; did you mean `delete-orphan`?"
        );
    }
}
