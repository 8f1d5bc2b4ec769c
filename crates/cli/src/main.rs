//! The `roster` command-line tool.

use clap::Parser;

/// Export meeting attendance from WeCom, Tencent Meeting and Quanshi.
#[derive(Parser)]
#[command(name = "roster", version, about)]
struct Cli {}

fn main() {
    let _ = Cli::parse();
}
