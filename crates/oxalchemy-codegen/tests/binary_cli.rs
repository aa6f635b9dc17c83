//! The `oxalchemy-codegen` binary's command line: usage, errors on stderr, exit codes.
//! (Its output on real databases is checked in test_schema_live.rs.)

#![allow(missing_docs)]

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oxalchemy-codegen"))
        .args(args)
        .output()
        .expect("run oxalchemy-codegen")
}

#[test]
fn help_prints_the_usage() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("usage: oxalchemy-codegen --url"),
        "{stdout}"
    );
}

#[test]
fn a_bad_command_line_exits_2_with_the_reason_and_the_usage() {
    for (args, reason) in [
        (&[][..], "--url is required"),
        (
            &["--url", "sqlite://", "--tabels", "x"][..],
            "unknown argument \"--tabels\"",
        ),
        (&["--url"][..], "--url needs a value"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
        assert!(stderr.contains("usage:"), "{stderr}");
    }
}

#[test]
fn a_bad_url_exits_1_with_the_error() {
    let out = run(&["--url", "nosuchdb://x/y"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("oxalchemy-codegen: "), "{stderr}");
    assert!(stderr.contains("nosuchdb"), "{stderr}");
}
