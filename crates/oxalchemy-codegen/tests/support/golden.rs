//! Golden files: generated code checked in under tests/golden/ and compiled by the tests.
//! `OXALCHEMY_BLESS=1 cargo test -p oxalchemy-codegen` rewrites them from the generator's
//! output (then review the diff and commit it).

use std::path::PathBuf;

/// The path of a golden file.
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(name)
}

/// Assert `actual` equals the golden file `name` byte for byte (or rewrite it when
/// `OXALCHEMY_BLESS=1`).
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var("OXALCHEMY_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    if expected == actual {
        return;
    }
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    panic!(
        "the generated code differs from {} at line {}:\n  golden:    {:?}\n  generated: {:?}\n\
         --- generated ---\n{actual}\n--- end ---\n\
         If the change is intended, rerun with OXALCHEMY_BLESS=1 and review the diff.",
        path.display(),
        line + 1,
        expected.lines().nth(line).unwrap_or("<end of file>"),
        actual.lines().nth(line).unwrap_or("<end of file>"),
    );
}
