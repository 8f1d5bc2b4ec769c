//! What several test files of the CLI share: running the binary, a `roster listen` process
//! started on loopback, and Tencent Meeting's signed URL check. (Each test file compiles this module on its own
//! and uses part of it.)
#![allow(dead_code)]

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;

/// A `roster listen` process, once it listens.
pub struct Listener {
    /// The process.
    pub child: Child,
    /// Its address, `http(s)://127.0.0.1:PORT`.
    pub base: String,
    /// Its "listening on …" line (with the routes).
    pub line: String,
    /// What it wrote before that line.
    pub before: String,
    /// Everything it writes after (drained, so that it never blocks on a full pipe).
    pub logs: JoinHandle<String>,
}

/// Starts `roster listen ARGS` with only `env`, in `dir`; returns once it listens.
pub fn spawn_listen(args: &[&str], env: &[(String, String)], dir: &Path) -> Listener {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("listen")
        .args(args)
        .env_clear()
        .envs(env.iter().cloned())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut before = String::new();
    let line = loop {
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "roster listen exited before listening: {before}"
        );
        if line.contains("listening on ") {
            break line;
        }
        before.push_str(&line);
    };
    let base = line
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    let logs = std::thread::spawn(move || {
        let mut all = String::new();
        for line in stderr.lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    Listener {
        child,
        base,
        line,
        before,
        logs,
    }
}

/// Tencent Meeting's URL check of `app` at `base`: `plain` as `check_str` (unencrypted),
/// signed with `token` (timestamp 1, nonce 2).
pub async fn tencent_check(
    http: &reqwest::Client,
    base: &str,
    app: &str,
    token: &str,
    plain: &str,
) -> reqwest::Response {
    use base64::Engine;
    let check = base64::engine::general_purpose::STANDARD.encode(plain);
    let signature = roster_core::webhook::signature(&[token, "1", "2", &check]);
    http.get(format!(
        "{base}/tencent-meeting/{app}?check_str={}",
        check.replace('+', "%2B").replace('=', "%3D")
    ))
    .header("timestamp", "1")
    .header("nonce", "2")
    .header("signature", signature)
    .send()
    .await
    .unwrap()
}

/// Runs the binary with only the variables `env`, in `dir` (an empty directory: no
/// roster.toml), off the async runtime.
pub async fn roster(env: Vec<(String, String)>, args: Vec<String>, dir: &Path) -> Output {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(&args)
            .env_clear()
            .envs(env)
            .current_dir(dir)
            .output()
            .expect("roster runs")
    })
    .await
    .unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
