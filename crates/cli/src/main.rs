//! The `roster` command: export meeting attendance from WeCom, Tencent Meeting and Quanshi.

fn main() -> std::process::ExitCode {
    roster_cli::run_cli()
}
