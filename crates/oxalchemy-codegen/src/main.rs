//! The `oxalchemy-codegen` binary: reflect a database, print its models.
//! See the crate documentation and docs/reflection.md ("Code generation").

use oxalchemy_codegen::cli::{self, Command, USAGE};
use std::process::ExitCode;

fn main() -> ExitCode {
    let command = match cli::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oxalchemy-codegen: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let args = match command {
        Command::Help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Generate(args) => args,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("oxalchemy-codegen: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(oxalchemy_codegen::cli::run(&args)) {
        Ok(code) => {
            print!("{code}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("oxalchemy-codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
