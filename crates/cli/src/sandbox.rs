//! `roster sandbox`: serve the vendor emulator until Ctrl-C, after printing its address and the
//! environment variables that point `roster` (or any client) at it.
//!
//! The credentials printed are the emulator's own test values, not secrets of any real account.

use roster_sandbox::{Fixture, Sandbox, SandboxConfig, SandboxHandle, Vendor as SandboxVendor};

use crate::args::SandboxArgs;
use crate::error::CliError;

/// The `ROSTER_*` variables that point every vendor client at `sandbox`.
pub fn env_vars(sandbox: &SandboxHandle) -> Vec<(String, String)> {
    let base = sandbox.base_url();
    let creds = sandbox.credentials();
    let mut vars = vec![
        ("ROSTER_WECOM_CORP_ID", creds.wecom.corp_id.clone()),
        ("ROSTER_WECOM_CORP_SECRET", creds.wecom.corp_secret.clone()),
        ("ROSTER_WECOM_BASE_URL", base.clone()),
        ("ROSTER_TENCENT_APP_ID", creds.tencent.app_id.clone()),
        ("ROSTER_TENCENT_SECRET_ID", creds.tencent.secret_id.clone()),
        (
            "ROSTER_TENCENT_SECRET_KEY",
            creds.tencent.secret_key.clone(),
        ),
        ("ROSTER_TENCENT_OPERATOR_ID", creds.tencent.userid.clone()),
        ("ROSTER_TENCENT_BASE_URL", base.clone()),
        ("ROSTER_QUANSHI_APP_ID", creds.quanshi.app_key.clone()),
        (
            "ROSTER_QUANSHI_SECRET_KEY",
            creds.quanshi.app_secret.clone(),
        ),
        (
            "ROSTER_QUANSHI_USER_ID",
            creds.quanshi.admin_user_id.to_string(),
        ),
        (
            "ROSTER_QUANSHI_HOST_USER_ID",
            creds.quanshi.host_user_id.to_string(),
        ),
        ("ROSTER_QUANSHI_BASE_URL", base.clone()),
        ("ROSTER_QUANSHI_EVENTS_BASE_URL", base.clone()),
        (
            "ROSTER_QUANSHI_JOIN_URL_PATH",
            creds.quanshi.join_url_lookup_path.clone(),
        ),
    ];
    if let Some(sdk) = &creds.tencent.sdk_id {
        vars.push(("ROSTER_TENCENT_SDK_ID", sdk.clone()));
    }
    vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Quotes a value for a POSIX shell.
fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// Runs the standalone emulator.
pub async fn run(args: &SandboxArgs) -> Result<(), CliError> {
    let mut config = SandboxConfig {
        seed: args.seed,
        ..SandboxConfig::default()
    };
    config.faults.rate = args.fault_rate;
    if let Some(path) = &args.fixture {
        let fixture = Fixture::from_file(path)
            .map_err(|e| CliError::Config(format!("fixture {}: {e}", path.display())))?;
        config.fixture = Some(fixture);
    }
    let handle = Sandbox::start_on(config, args.listen)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {}: {e}", args.listen)))?;

    println!("roster sandbox listening on {}", handle.base_url());
    println!();
    println!("# Point roster (or any client) at it:");
    for (k, v) in env_vars(&handle) {
        println!("export {k}={}", shell_quote(&v));
    }
    println!();
    println!("# Meetings (vendor, id, label, sessions):");
    let catalog = handle.catalog();
    for (vendor, flag) in [
        (SandboxVendor::WeCom, "wecom"),
        (SandboxVendor::Tencent, "tencent-meeting"),
        (SandboxVendor::Quanshi, "quanshi"),
    ] {
        for m in catalog.of(vendor) {
            println!("#   {flag:<16} {:<22} {:<18} {}", m.id, m.label, m.sessions);
        }
    }
    println!();
    println!(
        "# Stats: {}/_sandbox/stats   Stop: Ctrl-C",
        handle.base_url()
    );
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

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
