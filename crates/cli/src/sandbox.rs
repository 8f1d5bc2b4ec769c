//! `roster sandbox`: serve the vendor emulator until Ctrl-C, after printing its address and the
//! environment variables that point `roster` (or any client) at it.
//!
//! The credentials printed are the emulator's own test values, not secrets of any real account.

use roster_sandbox::{Fixture, Sandbox, SandboxConfig, SandboxHandle, Vendor as SandboxVendor};
use std::io::Write;

use crate::args::SandboxArgs;
use crate::error::CliError;
use crate::output::Sink;
use crate::run::stdout_error;

/// The `ROSTER_*` variables that point every vendor client at `sandbox`.
pub fn env_vars(sandbox: &SandboxHandle) -> Vec<(String, String)> {
    use roster_quanshi::config as quanshi;
    use roster_tencent_meeting::config::env as tencent;
    use roster_wecom::config as wecom;
    let base = sandbox.base_url();
    let creds = sandbox.credentials();
    let mut vars = vec![
        (wecom::ENV_CORP_ID, creds.wecom.corp_id.clone()),
        (wecom::ENV_CORP_SECRET, creds.wecom.corp_secret.clone()),
        (
            wecom::ENV_CONTACTS_SECRET,
            creds.wecom.contacts_secret.clone(),
        ),
        (wecom::ENV_BASE_URL, base.clone()),
        (tencent::APP_ID, creds.tencent.app_id.clone()),
        (tencent::SECRET_ID, creds.tencent.secret_id.clone()),
        (tencent::SECRET_KEY, creds.tencent.secret_key.clone()),
        (tencent::OPERATOR_ID, creds.tencent.userid.clone()),
        (tencent::BASE_URL, base.clone()),
        (quanshi::ENV_APP_ID, creds.quanshi.app_key.clone()),
        (quanshi::ENV_SECRET_KEY, creds.quanshi.app_secret.clone()),
        (
            quanshi::ENV_USER_ID,
            creds.quanshi.admin_user_id.to_string(),
        ),
        (
            quanshi::ENV_HOST_USER_ID,
            creds.quanshi.host_user_id.to_string(),
        ),
        (
            quanshi::ENV_HOSTS,
            creds
                .quanshi
                .host_ids
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        ),
        (quanshi::ENV_BASE_URL, base.clone()),
        (quanshi::ENV_EVENTS_BASE_URL, base.clone()),
        (
            quanshi::ENV_JOIN_URL_PATH,
            creds.quanshi.join_url_lookup_path.clone(),
        ),
    ];
    if let Some(sdk) = &creds.tencent.sdk_id {
        vars.push((tencent::SDK_ID, sdk.clone()));
    }
    vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Quotes a value for a POSIX shell.
fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// The seed when neither the flag nor a configuration file gives one.
const DEFAULT_SEED: u64 = 7;

/// The emulator configuration of the flags: the `--config` file (or the defaults with seed 7),
/// then `--seed`, `--fault-rate` and `--fixture` on top.
pub fn config_of(args: &SandboxArgs) -> Result<SandboxConfig, CliError> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Config(format!("cannot read {}: {e}", path.display())))?;
            let parsed = if path.extension().is_some_and(|e| e == "toml") {
                toml::from_str::<SandboxConfig>(&text)
                    .map_err(|e| crate::config::toml_error(&text, &e))
            } else {
                serde_json::from_str::<SandboxConfig>(&text).map_err(|e| e.to_string())
            };
            parsed.map_err(|e| {
                CliError::Config(format!(
                    "{} is not a sandbox configuration: {e}",
                    path.display()
                ))
            })?
        }
        None => SandboxConfig {
            seed: DEFAULT_SEED,
            ..SandboxConfig::default()
        },
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(rate) = args.fault_rate {
        config.faults.rate = rate;
    }
    if let Some(path) = &args.fixture {
        let fixture = Fixture::from_file(path)
            .map_err(|e| CliError::Config(format!("fixture {}: {e}", path.display())))?;
        config.fixture = Some(fixture);
    }
    Ok(config)
}

/// Runs the standalone emulator.
pub async fn run(args: &SandboxArgs) -> Result<(), CliError> {
    let config = config_of(args)?;
    let handle = Sandbox::start_on(config, args.listen)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {}: {e}", args.listen)))?;

    // A closed stdout (`roster sandbox | head -1`) ends the command quietly: exit 0.
    let mut out = Sink::stdout();
    writeln!(out, "roster sandbox listening on {}", handle.base_url()).map_err(stdout_error)?;
    writeln!(out).map_err(stdout_error)?;
    writeln!(out, "# Point roster (or any client) at it:").map_err(stdout_error)?;
    for (k, v) in env_vars(&handle) {
        writeln!(out, "export {k}={}", shell_quote(&v)).map_err(stdout_error)?;
    }
    writeln!(out).map_err(stdout_error)?;
    writeln!(out, "# Meetings (vendor, id, label, sessions):").map_err(stdout_error)?;
    let catalog = handle.catalog();
    for (vendor, flag) in [
        (SandboxVendor::WeCom, "wecom"),
        (SandboxVendor::Tencent, "tencent-meeting"),
        (SandboxVendor::Quanshi, "quanshi"),
    ] {
        for m in catalog.of(vendor) {
            writeln!(
                out,
                "#   {flag:<16} {:<32} {:<20} {}",
                m.id, m.label, m.sessions
            )
            .map_err(stdout_error)?;
        }
    }
    writeln!(out).map_err(stdout_error)?;
    writeln!(
        out,
        "# Stats: {}/_sandbox/stats   Stop: Ctrl-C",
        handle.base_url()
    )
    .map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Io(format!("cannot wait for Ctrl-C: {e}")))?;
    handle.shutdown().await;
    eprintln!("roster sandbox stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox_args(extra: &[&str]) -> SandboxArgs {
        use clap::Parser;
        let mut argv = vec!["roster", "sandbox"];
        argv.extend_from_slice(extra);
        match crate::args::Cli::try_parse_from(argv).unwrap().command {
            crate::args::Command::Sandbox(a) => a,
            _ => unreachable!("sandbox subcommand"),
        }
    }

    #[test]
    fn configuration_file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("s.json");
        std::fs::write(
            &json,
            r#"{"seed": 99, "data": {"small_meetings": 3, "large_meetings": [5000]}}"#,
        )
        .unwrap();
        let c = config_of(&sandbox_args(&["--config", json.to_str().unwrap()])).unwrap();
        assert_eq!(c.seed, 99);
        assert_eq!(c.data.small_meetings, 3);
        assert_eq!(c.data.large_meetings, vec![5000]);
        let c = config_of(&sandbox_args(&[
            "--config",
            json.to_str().unwrap(),
            "--seed",
            "5",
            "--fault-rate",
            "0.25",
        ]))
        .unwrap();
        assert_eq!((c.seed, c.faults.rate), (5, 0.25));

        let toml_file = dir.path().join("s.toml");
        std::fs::write(&toml_file, "seed = 3\n[tencent]\nper_minute = 3000\n").unwrap();
        let c = config_of(&sandbox_args(&["--config", toml_file.to_str().unwrap()])).unwrap();
        assert_eq!((c.seed, c.tencent.per_minute), (3, 3000));

        std::fs::write(&json, "{\"seed\": \"x\"}").unwrap();
        let e = config_of(&sandbox_args(&["--config", json.to_str().unwrap()])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(config_of(&sandbox_args(&[])).unwrap().seed, DEFAULT_SEED);
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
