//! Developer tasks for the roster workspace: `cargo xtask ci` (the quality gates) and
//! `cargo xtask bench [--runs N] [--only B1,…,B9] | --callgrind [--size N] | --write-golden` (the
//! benchmarks of the README's performance section).

use std::process::{Command, ExitCode};

mod bench;

fn run(program: &str, args: &[&str], envs: &[(&str, &str)]) -> bool {
    eprintln!("xtask: {program} {}", args.join(" "));
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    match cmd.status() {
        Ok(status) => status.success(),
        Err(err) => {
            eprintln!("xtask: cannot run {program}: {err}");
            false
        }
    }
}

/// The quality gates, in the order CI cares about them: formatting, lints, tests, docs.
fn ci() -> bool {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(&cargo, &["fmt", "--all", "--check"], &[])
        && run(
            &cargo,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        )
        && run(&cargo, &["test", "--workspace"], &[])
        && run(
            &cargo,
            &["doc", "--workspace", "--no-deps"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ok = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bench") => match bench::run(&args[1..]) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("xtask bench: {e}");
                false
            }
        },
        _ => {
            eprintln!(
                "usage: cargo xtask ci | cargo xtask bench [--runs N] [--only B1,…,B9] | --callgrind [--size N] | --write-golden"
            );
            return ExitCode::from(2);
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
