//! Misuse of `#[derive(Model)]` is a clear compile error at the right span:
//! each `tests/compile_fail/*.rs` must fail to compile with exactly the
//! diagnostics of the `.stderr` beside it (regenerate them with
//! `TRYBUILD=overwrite cargo test --test compile_fail`, then read them).
#![cfg(feature = "macros")]

#[test]
fn derive_model_misuse() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}
