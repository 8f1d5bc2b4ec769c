//! End-to-end runs of the built `roster` binary against an in-process sandbox: every vendor,
//! command and format; exit codes; atomic output.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::{roster, text};
use roster_cli::output::{Record, cell};
use roster_core::{Attendee, Registration, RosterEntry};
use roster_sandbox::{BadPage, DataConfig, Fault, SandboxConfig, SandboxHandle, Vendor};
use serde_json::Value;

const VENDORS: [(&str, Vendor, &str); 3] = [
    ("wecom", Vendor::WeCom, "seed-oneoff"),
    ("tencent-meeting", Vendor::Tencent, "seed-oneoff"),
    ("quanshi", Vendor::Quanshi, "seed-single"),
];

async fn sandbox() -> SandboxHandle {
    roster_testkit::start(SandboxConfig {
        data: DataConfig {
            // Three pages of participants, for the failed-export test.
            large_meetings: vec![250],
            ..DataConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn meeting_id(sandbox: &SandboxHandle, vendor: Vendor, label: &str) -> String {
    roster_testkit::meeting(sandbox, vendor, label).id
}

/// The sessions and registrations the sandbox says a full export returns.
fn truth(sandbox: &SandboxHandle, vendor: Vendor, id: &str) -> (Vec<Value>, Vec<Value>) {
    let t = sandbox.truth();
    match vendor {
        Vendor::WeCom => (
            t.wecom_attendees(id, None, None),
            t.wecom_enrollments(id, None),
        ),
        Vendor::Tencent => (
            t.tencent_participants(id, None, None),
            t.tencent_enroll_approvals(id, None),
        ),
        Vendor::Quanshi => (t.quanshi_sessions(id), t.quanshi_invitees(id)),
    }
}

fn flatten<R: Record + serde::Serialize>(record: &R) -> Vec<String> {
    let v = serde_json::to_value(record).unwrap();
    R::COLUMNS.iter().map(|k| cell(v.get(*k))).collect()
}

fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|row| row.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vendor_command_and_format() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();

    for (flag, vendor, label) in VENDORS {
        let id = meeting_id(&sandbox, vendor, label);
        let (sessions, registrations) = truth(&sandbox, vendor, &id);
        assert!(
            !sessions.is_empty(),
            "{flag}: the seed meeting has sessions"
        );
        let select = |cmd: &str, format: &str| {
            args(&[cmd, "--vendor", flag, "--meeting", &id, "--format", format])
        };

        // Attendees: JSON Lines is the reference; each line is an Attendee of this meeting.
        let out = roster(env.clone(), select("attendees", "jsonl"), dir.path()).await;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        let attendees: Vec<Attendee> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is an Attendee"))
            .collect();
        assert_eq!(
            attendees.len(),
            sessions.len(),
            "{flag}: every session exactly once"
        );
        assert!(attendees.iter().all(|a| a.meeting_id == id));
        assert!(text(&out.stderr).contains(&format!("{} attendee sessions", sessions.len())));

        // CSV parses back to the same records.
        let out = roster(env.clone(), select("attendees", "csv"), dir.path()).await;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        let (headers, rows) = parse_csv(&out.stdout);
        assert_eq!(headers, Attendee::COLUMNS);
        let expected: Vec<Vec<String>> = attendees.iter().map(flatten).collect();
        assert_eq!(rows, expected, "{flag}: CSV round trip");

        // JSON is one array of the same records.
        let out = roster(env.clone(), select("attendees", "json"), dir.path()).await;
        assert!(out.status.success());
        let array: Vec<Attendee> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(array, attendees);

        // Table: header, rule, one line per session.
        let out = roster(env.clone(), select("attendees", "table"), dir.path()).await;
        assert!(out.status.success());
        assert_eq!(text(&out.stdout).lines().count(), sessions.len() + 2);

        // Registrations in every format.
        let out = roster(env.clone(), select("registrations", "jsonl"), dir.path()).await;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        let regs: Vec<Registration> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            regs.len(),
            registrations.len(),
            "{flag}: every registration"
        );
        let out = roster(env.clone(), select("registrations", "csv"), dir.path()).await;
        let (headers, rows) = parse_csv(&out.stdout);
        assert_eq!(headers, Registration::COLUMNS);
        assert_eq!(rows, regs.iter().map(flatten).collect::<Vec<_>>());

        // Report: one row per person; its sums match the ground truth.
        let out = roster(env.clone(), select("report", "json"), dir.path()).await;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        let entries: Vec<RosterEntry> = serde_json::from_slice(&out.stdout).unwrap();
        let sessions_in_report: u64 = entries.iter().map(|e| u64::from(e.sessions)).sum();
        assert_eq!(
            sessions_in_report,
            sessions.len() as u64,
            "{flag}: sessions"
        );
        let registered = entries.iter().filter(|e| e.registered).count();
        let distinct_registrants: HashSet<String> = registrations
            .iter()
            .map(|r| {
                ["userid", "tmp_openid", "ms_open_id", "user", "enroll_id"]
                    .iter()
                    .find_map(|k| r.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
                    .map(str::to_string)
                    .unwrap_or_else(|| r.to_string())
            })
            .collect();
        assert_eq!(
            registered,
            distinct_registrants.len(),
            "{flag}: registrants"
        );
        let stderr = text(&out.stderr);
        for word in [
            "registered",
            "attended",
            "no-shows",
            "walk-ins",
            "avg minutes",
        ] {
            assert!(stderr.contains(word), "{flag}: summary on stderr: {stderr}");
        }
        let out = roster(env.clone(), select("report", "table"), dir.path()).await;
        let table = text(&out.stdout);
        assert_eq!(
            table.lines().count(),
            entries.len() + 2 + 6,
            "{flag}: header, rule, rows, blank line, five summary lines"
        );
        assert!(table.contains(&format!(
            "attended     {}",
            entries.iter().filter(|e| e.attended).count()
        )));
        let out = roster(env.clone(), select("report", "csv"), dir.path()).await;
        let (headers, rows) = parse_csv(&out.stdout);
        // Tencent's seed meeting has sign-in rounds: its report gains the signed_in column.
        let columns = match vendor {
            Vendor::Tencent => roster_cli::records::SignedInEntry::COLUMNS,
            _ => RosterEntry::COLUMNS,
        };
        assert_eq!(headers, columns);
        assert_eq!(rows.len(), entries.len());
    }
    sandbox.shutdown().await;
}

/// An export to a file that fails after some pages keeps the records of the pages done and a
/// checkpoint beside the file (never the file itself); the same command continues from it,
/// says so, and ends with every record exactly once and no checkpoint. A failure before the
/// first page leaves nothing; another export to the same file discards the checkpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_export_keeps_a_checkpoint_and_the_same_command_continues() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let files = |d: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    for (vendor_flag, vendor, key) in [
        ("tencent-meeting", Vendor::Tencent, "tencent.participants"),
        ("wecom", Vendor::WeCom, "wecom.get_attendee_list"),
    ] {
        let id = meeting_id(&sandbox, vendor, "large-250");
        let command = |format: &str, output: &str| {
            args(&[
                "attendees",
                "--vendor",
                vendor_flag,
                "--meeting",
                &id,
                "--format",
                format,
                "--output",
                output,
            ])
        };
        // The first page fails: nothing is kept.
        sandbox.faults().clear();
        sandbox
            .faults()
            .inject(key, Fault::VendorCode(vendor_fatal(vendor)), 1);
        let out = roster(env.clone(), command("csv", "out.csv"), dir.path()).await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));

        // Pages 1 and 2 succeed, then the vendor refuses (never retried).
        sandbox
            .faults()
            .inject_after(key, 2, Fault::VendorCode(vendor_fatal(vendor)), 1);
        let out = roster(env.clone(), command("csv", "out.csv"), dir.path()).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("run the same command again to continue"),
            "{stderr}"
        );
        assert_eq!(
            files(dir.path()),
            vec![".roster-out.csv.checkpoint", ".roster-out.csv.resume"],
            "no output file and no partial, only what continues"
        );
        let kept = std::fs::read_to_string(dir.path().join(".roster-out.csv.resume")).unwrap();
        assert_eq!(kept.lines().count(), 1 + 200, "header and two pages of 100");

        // The same command continues and ends with every session once.
        let out = roster(env.clone(), command("csv", "out.csv"), dir.path()).await;
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("resuming the export"), "{stderr}");
        assert_eq!(files(dir.path()), vec!["out.csv"]);
        let resumed = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
        let out = roster(env.clone(), command("csv", "whole.csv"), dir.path()).await;
        assert!(out.status.success());
        let whole = std::fs::read_to_string(dir.path().join("whole.csv")).unwrap();
        assert_eq!(
            resumed, whole,
            "{vendor_flag}: the same bytes as an uninterrupted run"
        );
        assert_eq!(whole.lines().count(), 251);

        // A checkpoint of another export to the same file is discarded, and said so.
        sandbox
            .faults()
            .inject_after(key, 1, Fault::VendorCode(vendor_fatal(vendor)), 1);
        let out = roster(env.clone(), command("jsonl", "out.csv"), dir.path()).await;
        assert_eq!(out.status.code(), Some(1));
        let out = roster(env.clone(), command("csv", "out.csv"), dir.path()).await;
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("starting over"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("out.csv")).unwrap(),
            whole
        );
        for name in files(dir.path()) {
            std::fs::remove_file(dir.path().join(name)).unwrap();
        }
    }
    sandbox.shutdown().await;
}

/// A vendor code each vendor classifies as fatal (never retried).
fn vendor_fatal(vendor: Vendor) -> i64 {
    match vendor {
        Vendor::Tencent => 9042,
        _ => 40003,
    }
}

/// `--base-url` is checked by one rule for every vendor: empty, user info, a query or a
/// fragment is a usage/configuration error (exit 2), and the value is not echoed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_urls_are_refused_alike_on_every_vendor() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let port = sandbox.addr().port();
    for (vendor_flag, vendor, label) in VENDORS {
        let id = meeting_id(&sandbox, vendor, label);
        for bad in [
            String::new(),
            format!("http://user:s3cret@127.0.0.1:{port}"),
            format!("http://127.0.0.1:{port}/?x=1"),
            format!("http://127.0.0.1:{port}/#frag"),
        ] {
            let out = roster(
                env.clone(),
                args(&[
                    "attendees",
                    "--vendor",
                    vendor_flag,
                    "--meeting",
                    &id,
                    "--base-url",
                    &bad,
                ]),
                dir.path(),
            )
            .await;
            let stderr = text(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{vendor_flag} {bad:?}: {stderr}"
            );
            assert!(!stderr.contains("s3cret"), "{stderr}");
        }
    }
    assert_eq!(sandbox.stats().total_requests(), 0, "nothing was sent");
    sandbox.shutdown().await;
}

/// The reported data loss: a page answered `{}` (for ever, so retries cannot save it), or a
/// well-formed "last page" long before the vendor's total, used to end the export with exit 0
/// and a short file. Both are exit 1 now, naming what happened, with no file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_export_is_never_called_complete() {
    let sandbox = sandbox().await;
    let mut env = roster_cli::sandbox::env_vars(&sandbox);
    // The bad page is retried with real backoff: two retries keep the test short.
    for v in ["WECOM", "TENCENT", "QUANSHI"] {
        env.push((format!("ROSTER_{v}_MAX_RETRIES"), "2".into()));
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "wecom",
            Vendor::WeCom,
            "wecom.get_attendee_list",
            BadPage::EmptyObject,
            "malformed_page",
        ),
        (
            "tencent-meeting",
            Vendor::Tencent,
            "tencent.participants",
            BadPage::EmptyObject,
            "malformed_page",
        ),
        (
            "tencent-meeting",
            Vendor::Tencent,
            "tencent.participants",
            BadPage::FalseLastPage,
            "incomplete",
        ),
    ];
    for (vendor_flag, vendor, key, kind, word) in cases {
        let id = meeting_id(&sandbox, vendor, "large-250");
        sandbox.faults().clear();
        sandbox
            .faults()
            .inject_after(key, 1, Fault::BadPage(kind), u64::MAX);
        let out = roster(
            env.clone(),
            args(&[
                "attendees",
                "--vendor",
                vendor_flag,
                "--meeting",
                &id,
                "--format",
                "csv",
                "--output",
                "out.csv",
            ]),
            dir.path(),
        )
        .await;
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{vendor_flag} {kind:?}: {stderr}"
        );
        assert!(stderr.contains(word), "{vendor_flag} {kind:?}: {stderr}");
        assert!(
            !dir.path().join("out.csv").exists(),
            "{vendor_flag} {kind:?}: no file"
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_reader_exits_0_but_an_output_error_naming_broken_pipe_exits_1() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = meeting_id(&sandbox, Vendor::Tencent, "large-250");

    // The output path contains "Broken pipe" and cannot be created (its parent is a file):
    // a real failure, whatever the message says.
    std::fs::write(dir.path().join("Broken pipe"), "").unwrap();
    let out = roster(
        env.clone(),
        args(&[
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &id,
            "--output",
            "Broken pipe/out.csv",
        ]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Broken pipe/out.csv"), "{stderr}");

    // The reader goes away before the records are written (`roster … | head`): exit 0, silent.
    let dir_path = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args([
                "attendees",
                "--vendor",
                "tencent-meeting",
                "--meeting",
                &id,
                "--quiet",
            ])
            .env_clear()
            .envs(env)
            .current_dir(dir_path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("roster runs");
        drop(child.stdout.take());
        child.wait_with_output().expect("roster ends")
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_configuration_errors_exit_2_naming_the_variable() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();

    // A missing setting names its variable.
    for (flag, var) in [
        ("wecom", "ROSTER_WECOM_CORP_ID"),
        ("tencent-meeting", "ROSTER_TENCENT_APP_ID"),
        ("quanshi", "ROSTER_QUANSHI_"),
    ] {
        let out = roster(
            vec![],
            args(&["attendees", "--vendor", flag, "--meeting", "1"]),
            dir.path(),
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(var), "{flag}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }

    // Usage errors.
    let env = roster_cli::sandbox::env_vars(&sandbox);
    for bad in [
        args(&["attendees", "--vendor", "zoom", "--meeting", "1"]),
        args(&["attendees", "--vendor", "wecom"]),
        args(&[
            "attendees",
            "--vendor",
            "wecom",
            "--meeting",
            "1",
            "--from",
            "yesterday",
        ]),
        args(&[
            "attendees",
            "--vendor",
            "wecom",
            "--meeting",
            "1",
            "--join-url",
            "https://x/y",
        ]),
        args(&[
            "attendees",
            "--vendor",
            "wecom",
            "--meeting",
            "1",
            "--from",
            "200",
            "--to",
            "100",
        ]),
        args(&[
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            "../1",
        ]),
        args(&[
            "registrations",
            "--vendor",
            "quanshi",
            "--join-url",
            "ftp://example/x",
        ]),
        args(&[
            "attendees",
            "--vendor",
            "wecom",
            "--meeting",
            "1",
            "--profile",
            "prod",
        ]),
    ] {
        let out = roster(env.clone(), bad.clone(), dir.path()).await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
        assert_eq!(
            sandbox.stats().total_requests(),
            0,
            "{bad:?} made no request"
        );
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_errors_exit_1_with_code_and_hint_and_no_secret() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let creds = sandbox.credentials();
    let set = |env: &mut Vec<(String, String)>, k: &str, v: &str| {
        env.retain(|(name, _)| name != k);
        env.push((k.to_string(), v.to_string()));
    };

    let tencent = meeting_id(&sandbox, Vendor::Tencent, "seed-oneoff");
    let mut env = roster_cli::sandbox::env_vars(&sandbox);
    set(&mut env, "ROSTER_TENCENT_SECRET_KEY", "not-the-key");
    let out = roster(
        env,
        args(&[
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &tencent,
        ]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("200003"), "{stderr}");
    assert!(
        stderr.contains("ROSTER_TENCENT_SECRET_KEY"),
        "hint names the setting: {stderr}"
    );
    assert_eq!(stderr.matches("; hint:").count(), 1, "one hint: {stderr}");
    assert!(!stderr.contains("not-the-key"), "no secret printed");

    let wecom = meeting_id(&sandbox, Vendor::WeCom, "seed-oneoff");
    let mut env = roster_cli::sandbox::env_vars(&sandbox);
    set(&mut env, "ROSTER_WECOM_CORP_SECRET", "wrong-secret");
    let out = roster(
        env,
        args(&["attendees", "--vendor", "wecom", "--meeting", &wecom]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("40001"), "{stderr}");
    assert!(stderr.contains("ROSTER_WECOM_CORP_SECRET"), "{stderr}");
    assert_eq!(stderr.matches("; hint:").count(), 1, "one hint: {stderr}");
    assert!(!stderr.contains("wrong-secret"));

    // An unknown meeting: the vendor's not-found code, exit 1.
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let out = roster(
        env,
        args(&[
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            "123456789",
        ]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("9003"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(&creds.tencent.secret_key));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_and_base_url_flag() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let creds = sandbox.credentials();
    let id = meeting_id(&sandbox, Vendor::Tencent, "seed-oneoff");
    std::fs::write(
        dir.path().join("roster.toml"),
        format!(
            "[profiles.sandbox.tencent]\napp_id = \"{}\"\nsecret_id = \"{}\"\nsecret_key = \"{}\"\noperator_id = \"{}\"\nbase_url = \"http://127.0.0.1:9\"\n",
            creds.tencent.app_id, creds.tencent.secret_id, creds.tencent.secret_key, creds.tencent.userid
        ),
    )
    .unwrap();
    // The profile's base URL points nowhere; --base-url wins.
    let out = roster(
        vec![],
        args(&[
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &id,
            "--profile",
            "sandbox",
            "--base-url",
            &sandbox.base_url(),
            "--format",
            "jsonl",
            "--quiet",
        ]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "--quiet: nothing on stderr");
    let count = sandbox.truth().tencent_participants(&id, None, None).len();
    assert_eq!(text(&out.stdout).lines().count(), count);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_every_vendor_without_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out = roster(vec![], args(&["demo"]), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for name in ["WeCom", "Tencent Meeting", "Quanshi"] {
        assert!(stdout.contains(&format!("── {name} ·")), "{name}: {stdout}");
    }
    assert_eq!(
        stdout.matches("took ").count(),
        4,
        "three vendors and the sync"
    );
    assert_eq!(stdout.matches("no-shows").count(), 3);
    // WeCom's attendee list carries no names: the demo says so instead of leaving a blank column
    // unexplained.
    let wecom = stdout
        .split("\n── ")
        .find(|s| s.starts_with("WeCom ·"))
        .unwrap();
    assert!(wecom.contains("come without a name"), "{wecom}");

    // Then every vendor synced into a temporary SQLite file, nothing failing, and the
    // cross-meeting report read back from it; the file is gone afterwards.
    let sync = stdout
        .split("\n── ")
        .find(|s| s.starts_with("roster sync ·"))
        .unwrap_or_else(|| panic!("{stdout}"));
    for name in ["WeCom", "Tencent Meeting", "Quanshi"] {
        let line = sync
            .lines()
            .find(|l| l.starts_with(&format!("{name}: synced ")))
            .unwrap_or_else(|| panic!("{name}: {sync}"));
        let found: u64 = line
            .split_whitespace()
            .nth(name.split(' ').count() + 1)
            .unwrap()
            .parse()
            .unwrap();
        assert!(found > 20, "{line}");
        assert!(
            line.contains(&format!("{found} new, 0 updated, 0 unchanged, 0 failed")),
            "{line}"
        );
    }
    let db = sync
        .lines()
        .next()
        .unwrap()
        .rsplit(" into ")
        .next()
        .unwrap()
        .trim_end_matches(" ──");
    assert!(db.ends_with("roster-demo.db"), "{db}");
    assert!(!Path::new(db).exists(), "the demo store is removed");
    let report = stdout
        .split("\n── ")
        .find(|s| s.starts_with("roster report --db"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(report.contains("meetings  minutes"), "{report}");
    assert!(report.contains("more people"), "{report}");

    // Then the live section: pushed events stored once each, and the reconciled table with
    // every pulled session seen through its pushes.
    let live = stdout
        .split("\n── ")
        .find(|s| s.starts_with("roster listen ·"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(live.contains("people in the meeting now"), "{live}");
    let stored = live
        .lines()
        .find(|l| l.contains("joins and leaves, each once"))
        .unwrap_or_else(|| panic!("{live}"));
    assert!(stored.contains(" events in "), "{stored}");
    let seen = stdout
        .split("\n── ")
        .find(|s| s.starts_with("roster live --seen ·"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let head = seen.lines().next().unwrap();
    let total: usize = head
        .split("; ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(total > 0 && head.contains("0 only in the pull"), "{head}");
    assert!(seen.contains("live"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_made_for_the_user_are_noted_on_stderr() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    for (flag, vendor) in [
        ("wecom", Vendor::WeCom),
        ("tencent-meeting", Vendor::Tencent),
    ] {
        // A recurring meeting without --sub-meeting: the chosen occurrence is named.
        let meeting = roster_testkit::meeting(&sandbox, vendor, "seed-recurring");
        let out = roster(
            env.clone(),
            args(&[
                "attendees",
                "--vendor",
                flag,
                "--meeting",
                &meeting.id,
                "--format",
                "jsonl",
            ]),
            dir.path(),
        )
        .await;
        assert!(out.status.success(), "{flag}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("is recurring: exporting its current"),
            "{flag}: {stderr}"
        );
        assert!(
            meeting.sub_meetings.iter().any(|s| stderr.contains(&s.id)),
            "{flag}: the occurrences are listed: {stderr}"
        );

        // A one-off meeting without --from: the chosen range is named.
        let id = meeting_id(&sandbox, vendor, "seed-oneoff");
        let out = roster(
            env.clone(),
            args(&[
                "attendees",
                "--vendor",
                flag,
                "--meeting",
                &id,
                "--format",
                "jsonl",
            ]),
            dir.path(),
        )
        .await;
        assert!(
            text(&out.stderr).contains("no start time given"),
            "{flag}: {}",
            text(&out.stderr)
        );
        // --quiet silences notes.
        let out = roster(
            env.clone(),
            args(&[
                "attendees",
                "--vendor",
                flag,
                "--meeting",
                &id,
                "--format",
                "jsonl",
                "-q",
            ]),
            dir.path(),
        )
        .await;
        assert!(out.stderr.is_empty(), "{flag}: {}", text(&out.stderr));
    }
    sandbox.shutdown().await;
}

/// Runs the binary through `sh -c` (for redirections the test harness cannot make: a closed
/// stdout, `/dev/full`), with only the given variables.
async fn roster_sh(env: Vec<(String, String)>, script: String, dir: &Path) -> Output {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .env_clear()
            .envs(env)
            .env("ROSTER", env!("CARGO_BIN_EXE_roster"))
            .current_dir(dir)
            .output()
            .expect("sh runs")
    })
    .await
    .unwrap()
}

/// `-o` never replaces what is not a regular file: a FIFO and a device node are written in
/// place, a symbolic link keeps being a link (the file it points to is replaced), a directory
/// is refused with exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_targets_that_are_not_files_are_respected() {
    use std::os::unix::fs::FileTypeExt;
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = meeting_id(&sandbox, Vendor::Tencent, "seed-oneoff");
    let export = |target: &str| {
        args(&[
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &id,
            "--format",
            "jsonl",
            "--output",
            target,
        ])
    };
    // What the same export writes into a plain file.
    let out = roster(env.clone(), export("plain.jsonl"), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = std::fs::read_to_string(dir.path().join("plain.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert!(expected > 0);

    // A FIFO, read by another thread while roster writes into it.
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = roster(env.clone(), export("fifo"), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(reader.join().unwrap().lines().count(), expected);
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "still a FIFO");

    // A character device of our own (as root: a copy of /dev/null's node), else /dev/null's
    // twin through a symlink is not attempted: the FIFO above covers direct writes.
    let device = dir.path().join("null");
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0");
    if is_root {
        let made = Command::new("mknod")
            .args([device.to_str().unwrap(), "c", "1", "3"])
            .status()
            .unwrap();
        assert!(made.success(), "mknod as root");
        let out = roster(env.clone(), export("null"), dir.path()).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let meta = std::fs::symlink_metadata(&device).unwrap();
        assert!(meta.file_type().is_char_device(), "still a device node");
    }

    // A symbolic link to a file: the file is replaced, the link stays.
    std::fs::create_dir(dir.path().join("real")).unwrap();
    std::fs::write(dir.path().join("real/out.jsonl"), "old\n").unwrap();
    std::os::unix::fs::symlink("real/out.jsonl", dir.path().join("link")).unwrap();
    let out = roster(env.clone(), export("link"), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let link_meta = std::fs::symlink_metadata(dir.path().join("link")).unwrap();
    assert!(link_meta.file_type().is_symlink(), "the link stays a link");
    let written = std::fs::read_to_string(dir.path().join("real/out.jsonl")).unwrap();
    assert_eq!(written.lines().count(), expected);
    assert!(
        std::fs::read_dir(dir.path().join("real"))
            .unwrap()
            .all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")),
        "no partial left next to the target"
    );

    // A dangling link: the file is created where it points.
    std::os::unix::fs::symlink("real/new.jsonl", dir.path().join("dangling")).unwrap();
    let out = roster(env.clone(), export("dangling"), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        std::fs::symlink_metadata(dir.path().join("dangling"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real/new.jsonl"))
            .unwrap()
            .lines()
            .count(),
        expected
    );

    // A directory: refused before any request.
    let before = sandbox.stats().total_requests();
    let out = roster(env.clone(), export("real"), dir.path()).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("directory"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(sandbox.stats().total_requests(), before);
    sandbox.shutdown().await;
}

/// A closed stdout and a full disk are errors (exit 1), and a reader that goes away ends the
/// output quietly (exit 0) — for every command, never a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_full_and_vanishing_stdout() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = meeting_id(&sandbox, Vendor::WeCom, "seed-oneoff");

    // A closed stdout: the records would vanish, so it is an error (exit 1), not success;
    // `> /dev/null` stays a normal, successful run.
    let out = roster_sh(
        env.clone(),
        format!("\"$ROSTER\" attendees --vendor wecom --meeting {id} >&-"),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("stdout is closed"),
        "{}",
        text(&out.stderr)
    );
    let out = roster_sh(
        env.clone(),
        format!("\"$ROSTER\" attendees --vendor wecom --meeting {id} > /dev/null"),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    for command in ["attendees --vendor wecom --meeting ID", "demo"] {
        let command = command.replace("ID", &id);
        let out = roster_sh(
            env.clone(),
            format!("\"$ROSTER\" {command} > /dev/full"),
            dir.path(),
        )
        .await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");

        // `| head -1`: the reader goes away after one line.
        let out = roster_sh(
            env.clone(),
            format!("\"$ROSTER\" {command} | head -1 > /dev/null; exit ${{PIPESTATUS:-0}}"),
            dir.path(),
        )
        .await;
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
    }

    // The exit status of roster itself behind `| head -1`, read from a pipe we close. (The
    // standalone sandbox writes the same way, but then serves until it is stopped.)
    for command in [vec!["demo"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(&command)
            .env_clear()
            .envs(env.clone())
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
        drop(stdout);
        let status = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            status.status.code(),
            Some(0),
            "{command:?}: {}",
            text(&status.stderr)
        );
        assert!(!text(&status.stderr).contains("panicked"), "{command:?}");
    }
    sandbox.shutdown().await;
}

/// The partial files in `dir`.
/// `roster` started in `dir` with only `env`, stderr captured.
fn spawn_roster(env: &[(String, String)], args: &[String], dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env_clear()
        .envs(env.iter().cloned())
        .current_dir(dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIG`signal` (`INT`, `TERM`) to `child` and waits for it.
async fn signal_and_wait(child: std::process::Child, signal: &str) -> Output {
    let sent = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap()
}

fn partials(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect()
}

/// SIGINT and SIGTERM during an export to a file remove the partial file and exit 130 / 143;
/// a partial left by a killed run is removed by the next run to the same file (and one of
/// another file is only mentioned).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_leave_no_partial_file_and_stale_partials_are_noticed() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = meeting_id(&sandbox, Vendor::Tencent, "large-250");
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        // Every participants page stalls: the export waits with its partial file open.
        sandbox.faults().clear();
        sandbox
            .faults()
            .inject("tencent.participants", Fault::Stall, u64::MAX);
        let child = spawn_roster(
            &env,
            &args(&[
                "attendees",
                "--vendor",
                "tencent-meeting",
                "--meeting",
                &id,
                "--format",
                "csv",
                "--output",
                "out.csv",
            ]),
            dir.path(),
        );
        // Wait (bounded) for the partial file to exist, then signal.
        let mut waited = 0;
        while partials(dir.path()).is_empty() && waited < 1000 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 1;
        }
        assert_eq!(partials(dir.path()).len(), 1, "the export started");
        let out = signal_and_wait(child, signal).await;
        assert_eq!(
            out.status.code(),
            Some(code),
            "{signal}: {}",
            text(&out.stderr)
        );
        assert!(
            partials(dir.path()).is_empty(),
            "{signal}: the partial is removed"
        );
        assert!(!dir.path().join("out.csv").exists());
    }
    sandbox.faults().clear();

    // A partial of out.csv left by a process that is gone, and one of another file.
    let dead = 999_999_999u32;
    std::fs::write(
        dir.path()
            .join(format!(".roster-out.csv.{dead}.abc123.partial")),
        "x",
    )
    .unwrap();
    std::fs::write(
        dir.path()
            .join(format!(".roster-other.csv.{dead}.def456.partial")),
        "y",
    )
    .unwrap();
    let out = roster(
        env,
        args(&[
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &id,
            "--format",
            "csv",
            "--output",
            "out.csv",
        ]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("removed") && stderr.contains("other.csv"),
        "{stderr}"
    );
    assert_eq!(
        partials(dir.path()),
        vec![format!(".roster-other.csv.{dead}.def456.partial")],
        "the same target's stale partial is removed, another's kept"
    );
    sandbox.shutdown().await;
}

/// A bad value is reported under the setting it came from: a `roster.toml` key by its place in
/// the file, an environment variable by its name (never an internal field name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_are_named_where_they_were_set() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = meeting_id(&sandbox, Vendor::WeCom, "seed-oneoff");
    std::fs::write(
        dir.path().join("roster.toml"),
        "[profiles.default.wecom]\ncalls_per_minute = \"many\"\n",
    )
    .unwrap();
    let env_without_rate: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| k != "ROSTER_WECOM_CALLS_PER_MINUTE")
        .cloned()
        .collect();
    let out = roster(
        env_without_rate,
        args(&["attendees", "--vendor", "wecom", "--meeting", &id]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("calls_per_minute in [profiles.default.wecom] of roster.toml"),
        "{stderr}"
    );
    std::fs::remove_file(dir.path().join("roster.toml")).unwrap();

    let mut quanshi_env = env.clone();
    quanshi_env.push(("ROSTER_QUANSHI_JOIN_URL_PATH".into(), "no-slash".into()));
    let quanshi_id = meeting_id(&sandbox, Vendor::Quanshi, "seed-single");
    let out = roster(
        quanshi_env,
        args(&["attendees", "--vendor", "quanshi", "--meeting", &quanshi_id]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ROSTER_QUANSHI_JOIN_URL_PATH"), "{stderr}");
    assert!(!stderr.contains("paths.join_url_lookup"), "{stderr}");
    sandbox.shutdown().await;
}

/// SIGINT after some pages of an export to a file keeps what the pages done wrote, with a
/// checkpoint (the partial file itself is gone): the same command then continues from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_export_keeps_its_pages_and_continues() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = meeting_id(&sandbox, Vendor::Tencent, "large-250");
    let key = "tencent.participants";
    let command = args(&[
        "attendees",
        "--vendor",
        "tencent-meeting",
        "--meeting",
        &id,
        "--format",
        "jsonl",
        "--output",
        "out.jsonl",
    ]);
    // Two pages, then every page stalls.
    sandbox
        .faults()
        .inject_after(key, 2, Fault::Stall, u64::MAX);
    let child = spawn_roster(&env, &command, dir.path());
    // The third page was asked for: the first page's records and position were handled
    // before it (bounded wait).
    let mut waited = 0;
    while sandbox.stats().requests_to(key) < 3 && waited < 1000 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        waited += 1;
    }
    assert!(
        sandbox.stats().requests_to(key) >= 3,
        "the export reached page 3"
    );
    let out = signal_and_wait(child, "INT").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("are kept"), "{stderr}");
    assert!(partials(dir.path()).is_empty(), "the partial file is gone");
    assert!(!dir.path().join("out.jsonl").exists());
    let kept = std::fs::read_to_string(dir.path().join(".roster-out.jsonl.resume")).unwrap();
    assert!(
        kept.lines().count() == 100 || kept.lines().count() == 200,
        "whole pages only: {}",
        kept.lines().count()
    );

    sandbox.faults().clear();
    let out = roster(env.clone(), command.clone(), dir.path()).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("resuming the export"), "{stderr}");
    let resumed = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let (truth, _) = truth(&sandbox, Vendor::Tencent, &id);
    assert_eq!(resumed.lines().count(), truth.len());
    let distinct: HashSet<&str> = resumed.lines().collect();
    assert_eq!(distinct.len(), truth.len(), "no session twice");
    assert!(!dir.path().join(".roster-out.jsonl.checkpoint").exists());
    sandbox.shutdown().await;
}

/// The sandbox's settings with the Tencent operator set to its enterprise admin (who may list
/// the account's meetings).
fn admin_env(sandbox: &SandboxHandle) -> Vec<(String, String)> {
    let mut env = roster_cli::sandbox::env_vars(sandbox);
    let admin = sandbox.credentials().tencent.admin_userid.unwrap();
    env.retain(|(k, _)| k != "ROSTER_TENCENT_OPERATOR_ID");
    env.push(("ROSTER_TENCENT_OPERATOR_ID".into(), admin));
    env
}

/// `roster meetings` lists the account's meetings (Tencent Meeting, as its admin), the same ones
/// the sandbox says; a reversed range is refused (exit 2) before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_are_listed_from_the_account() {
    let sandbox = sandbox().await;
    let env = admin_env(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let from = (now - 60 * 86_400).to_string();
    let out = roster(
        env.clone(),
        args(&[
            "meetings",
            "--vendor",
            "tencent-meeting",
            "--from",
            &from,
            "--to",
            &now.to_string(),
            "--state",
            "ended",
            "--format",
            "jsonl",
        ]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let truth = sandbox
        .truth()
        .tencent_corp_meetings(1, Some(now - 60 * 86_400), Some(now - 1));
    assert!(!truth.is_empty());
    assert_eq!(rows.len(), truth.len());
    assert!(
        rows.iter()
            .all(|r| r["state"] == "ended" && r["vendor"] == "tencent_meeting")
    );

    // A reversed range is a usage error, before any request.
    let before = sandbox.stats().total_requests();
    let out = roster(
        env,
        args(&[
            "meetings",
            "--vendor",
            "quanshi",
            "--from",
            &now.to_string(),
            "--to",
            &from,
        ]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("empty"), "{}", text(&out.stderr));
    assert_eq!(sandbox.stats().total_requests(), before);
    sandbox.shutdown().await;
}

/// `roster sync` writes every ended meeting of the range (Tencent Meeting, as its admin) with
/// its sessions into the store; run again, it changes nothing and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_writes_the_ended_meetings_into_the_store_and_again_changes_nothing() {
    let sandbox = sandbox().await;
    let mut env = admin_env(&sandbox);
    env.push(("ROSTER_TENCENT_CALLS_PER_MINUTE".into(), "0".into()));
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let from = (now - 60 * 86_400).to_string();
    let db = format!("sqlite:{}", dir.path().join("roster.db").display());
    let command = args(&[
        "sync",
        "--vendor",
        "tencent-meeting",
        "--from",
        &from,
        "--to",
        &now.to_string(),
        "--db",
        &db,
    ]);
    let ended = sandbox
        .truth()
        .tencent_corp_meetings(1, Some(now - 60 * 86_400), Some(now - 1))
        .len();
    assert!(ended > 2);
    let out = roster(env.clone(), command.clone(), dir.path()).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "synced {ended} meetings: {ended} new, 0 updated, 0 unchanged, 0 failed"
        )),
        "{stderr}"
    );
    let store = roster_store::SqliteStore::open(&dir.path().join("roster.db")).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(counts.meetings as usize, ended);
    assert!(counts.sessions > 0);
    // The admin may read sessions but not a meeting's invitees (creator only): kept, noted,
    // and complete (not read again by every later sync).
    let states: Vec<_> = sandbox
        .truth()
        .tencent_corp_meetings(1, Some(now - 60 * 86_400), Some(now - 1))
        .iter()
        .map(|r| {
            store
                .sync_state(
                    roster_core::Vendor::TencentMeeting,
                    r["meeting_id"].as_str().unwrap(),
                    r["sub_meeting_id"].as_str(),
                )
                .unwrap()
                .expect("every meeting has a sync state")
        })
        .collect();
    assert!(states.iter().any(|s| {
        s.complete
            && s.error
                .as_deref()
                .is_some_and(|e| e.starts_with("registrations not readable:"))
    }));
    assert!(states.iter().all(|s| s.complete));
    drop(store);

    // The report from the store: one row per person, as the store totals them.
    let out = roster(
        env.clone(),
        args(&[
            "report",
            "--db",
            &db,
            "--from",
            &from,
            "--to",
            &now.to_string(),
            "--format",
            "jsonl",
        ]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let store = roster_store::SqliteStore::open(&dir.path().join("roster.db")).unwrap();
    let totals = roster_store::Store::person_totals(&store, now - 60 * 86_400, now)
        .await
        .unwrap();
    assert!(!totals.is_empty());
    assert_eq!(rows.len(), totals.len());
    for (row, t) in rows.iter().zip(&totals) {
        assert_eq!(row["person"], t.person.as_str());
        assert_eq!(row["minutes"], t.minutes);
        assert_eq!(row["meetings"], t.meetings);
    }
    drop(store);
    // --db needs a range.
    let out = roster(env.clone(), args(&["report", "--db", &db]), dir.path()).await;
    assert_eq!(out.status.code(), Some(2));

    // Without --from, a sync continues from where the last one ended (less two days).
    let out = roster(
        env.clone(),
        args(&[
            "sync",
            "--vendor",
            "tencent-meeting",
            "--to",
            &now.to_string(),
            "--db",
            &db,
        ]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("continuing from the last sync"), "{stderr}");
    assert!(stderr.contains("0 new, 0 updated"), "{stderr}");
    // A store that never synced this vendor needs a --from.
    let fresh = format!("sqlite:{}", dir.path().join("fresh.db").display());
    let out = roster(
        env.clone(),
        args(&["sync", "--vendor", "tencent-meeting", "--db", &fresh]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("give --from"));

    let out = roster(env, command, dir.path()).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("0 new, 0 updated, {ended} unchanged, 0 failed")),
        "{stderr}"
    );
    let store = roster_store::SqliteStore::open(&dir.path().join("roster.db")).unwrap();
    assert_eq!(store.counts().unwrap(), counts, "the same rows");
    sandbox.shutdown().await;
}

/// `kill -9` in the middle of `roster sync`, then the same command again: the store ends with
/// exactly what an uninterrupted sync writes (per-meeting transactions, idempotent writes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_way_and_run_again_ends_as_if_never_killed() {
    let sandbox = sandbox().await;
    let mut env = admin_env(&sandbox);
    env.push(("ROSTER_TENCENT_CALLS_PER_MINUTE".into(), "0".into()));
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let from = (now - 60 * 86_400).to_string();
    let command = |db: &str| {
        args(&[
            "sync",
            "--vendor",
            "tencent-meeting",
            "--from",
            &from,
            "--to",
            &now.to_string(),
            "--db",
            &format!("sqlite:{}", dir.path().join(db).display()),
        ])
    };
    for after in [1, 4, 9] {
        let name = format!("killed-{after}.db");
        // The sync hangs at participants call `after + 1`; killed there, without warning.
        sandbox.faults().clear();
        sandbox
            .faults()
            .inject_after("tencent.participants", after, Fault::Stall, u64::MAX);
        let before = sandbox.stats().requests_to("tencent.participants");
        let mut child = spawn_roster(&env, &command(&name), dir.path());
        let mut waited = 0;
        while sandbox.stats().requests_to("tencent.participants") < before + after + 1
            && waited < 1000
        {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        sandbox.faults().clear();
        let out = roster(env.clone(), command(&name), dir.path()).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = roster(env.clone(), command("whole.db"), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let whole = roster_store::SqliteStore::open(&dir.path().join("whole.db")).unwrap();
    let meetings = sandbox
        .truth()
        .tencent_corp_meetings(1, Some(now - 60 * 86_400), Some(now - 1));
    for after in [1, 4, 9] {
        let killed =
            roster_store::SqliteStore::open(&dir.path().join(format!("killed-{after}.db")))
                .unwrap();
        assert_eq!(
            killed.counts().unwrap(),
            whole.counts().unwrap(),
            "killed after {after}"
        );
        for m in &meetings {
            let (id, sub) = (
                m["meeting_id"].as_str().unwrap(),
                m["sub_meeting_id"].as_str(),
            );
            assert_eq!(
                killed
                    .sessions(roster_core::Vendor::TencentMeeting, id, sub)
                    .unwrap(),
                whole
                    .sessions(roster_core::Vendor::TencentMeeting, id, sub)
                    .unwrap(),
                "killed after {after}: {id} {sub:?}"
            );
        }
    }
    sandbox.shutdown().await;
}

/// `roster sync` (every vendor by default) runs the three vendors at once into one store; a
/// vendor that cannot start (no credentials) is reported, the others still sync, and the exit
/// status says something failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_runs_every_vendor_and_one_failing_does_not_stop_the_others() {
    let sandbox = sandbox().await;
    let mut env = admin_env(&sandbox);
    for v in ["WECOM", "TENCENT", "QUANSHI"] {
        env.push((format!("ROSTER_{v}_CALLS_PER_MINUTE"), "0".into()));
    }
    env.push((
        "ROSTER_WECOM_USERS".into(),
        sandbox.credentials().wecom.userid,
    ));
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let from = (now - 60 * 86_400).to_string();
    let db = format!("sqlite:{}", dir.path().join("all.db").display());
    let command = args(&[
        "sync",
        "--from",
        &from,
        "--to",
        &now.to_string(),
        "--db",
        &db,
    ]);
    let out = roster(env.clone(), command.clone(), dir.path()).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for vendor in ["wecom", "tencent_meeting", "quanshi"] {
        assert!(
            stderr.contains(&format!("roster: {vendor}: synced ")),
            "{stderr}"
        );
    }
    let store = roster_store::SqliteStore::open(&dir.path().join("all.db")).unwrap();
    let all = store.counts().unwrap();
    drop(store);

    // WeCom without credentials: reported; Tencent and Quanshi still sync (nothing new).
    env.retain(|(k, _)| k != "ROSTER_WECOM_CORP_ID");
    let out = roster(env, command, dir.path()).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ROSTER_WECOM_CORP_ID"), "{stderr}");
    assert!(
        stderr.contains("roster: tencent_meeting: synced "),
        "{stderr}"
    );
    assert!(stderr.contains("roster: quanshi: synced "), "{stderr}");
    let store = roster_store::SqliteStore::open(&dir.path().join("all.db")).unwrap();
    assert_eq!(
        store.counts().unwrap(),
        all,
        "nothing lost, nothing doubled"
    );
    sandbox.shutdown().await;
}

/// A meeting that fails on its very first sync is stored as one to sync again: the next sync,
/// although its range (continuing from the last one) no longer holds that meeting, reads it,
/// and the store ends as a sync that never failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_failing_on_its_first_sync_is_read_by_the_next() {
    let sandbox = sandbox().await;
    let mut env = admin_env(&sandbox);
    env.push(("ROSTER_TENCENT_CALLS_PER_MINUTE".into(), "0".into()));
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let from = (now - 60 * 86_400).to_string();
    let to = now.to_string();
    let sync = |db: &str, from: Option<&str>| {
        let mut a = vec![
            "sync",
            "--vendor",
            "tencent-meeting",
            "--db",
            db,
            "--to",
            &to,
        ];
        if let Some(from) = from {
            a.extend(["--from", from]);
        }
        args(&a)
    };
    let db = format!("sqlite:{}", dir.path().join("roster.db").display());
    // The first meeting's sessions: a parameter error (not retried).
    sandbox
        .faults()
        .inject("tencent.participants", Fault::VendorCode(190004), 1);
    let out = roster(env.clone(), sync(&db, Some(&from)), dir.path()).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(" 1 failed"), "{stderr}");

    // The store from ROSTER_DB this time (no --db).
    let mut with_db = env.clone();
    with_db.push(("ROSTER_DB".into(), db.clone()));
    let mut command = sync(&db, None);
    let at = command.iter().position(|a| a == "--db").unwrap();
    command.drain(at..at + 2);
    let out = roster(with_db, command, dir.path()).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1 updated"), "{stderr}");
    assert!(stderr.contains(" 0 failed"), "{stderr}");

    let clean = format!("sqlite:{}", dir.path().join("clean.db").display());
    let out = roster(env, sync(&clean, Some(&from)), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let open = |name: &str| roster_store::SqliteStore::open(&dir.path().join(name)).unwrap();
    let (healed, clean) = (open("roster.db"), open("clean.db"));
    assert_eq!(healed.counts().unwrap(), clean.counts().unwrap());
    for r in sandbox
        .truth()
        .tencent_corp_meetings(1, Some(now - 60 * 86_400), Some(now - 1))
    {
        let (id, sub) = (
            r["meeting_id"].as_str().unwrap(),
            r["sub_meeting_id"].as_str(),
        );
        let v = roster_core::Vendor::TencentMeeting;
        assert_eq!(
            healed.sessions(v, id, sub).unwrap(),
            clean.sessions(v, id, sub).unwrap()
        );
        assert!(healed.sync_state(v, id, sub).unwrap().unwrap().complete);
    }
    sandbox.shutdown().await;
}

/// The counts of a "roster: VENDOR: synced N meetings: a new, b updated, c unchanged, d failed[,
/// e by other workers] (s sessions)" line: (found, exported, failed, elsewhere).
fn sync_counts(stderr: &str, vendor: &str) -> (u64, u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("roster: {vendor}: synced ")))
        .unwrap_or_else(|| panic!("no summary of {vendor}: {stderr}"));
    let number_before = |word: &str| -> u64 {
        line.split(", ")
            .flat_map(|part| part.split(": "))
            .find_map(|part| {
                let (before, _) = part.split_once(word)?;
                before.trim().rsplit(' ').next()?.parse().ok()
            })
            .unwrap_or(0)
    };
    let found: u64 = line
        .split("synced ")
        .nth(1)
        .and_then(|r| r.split(' ').next()?.parse().ok())
        .unwrap();
    let exported = number_before(" new") + number_before(" updated") + number_before(" unchanged");
    (
        found,
        exported,
        number_before(" failed"),
        number_before(" by other workers"),
    )
}

/// Four `roster sync` processes on one PostgreSQL and one sandbox share the work: every
/// meeting is exported by exactly one of them, the WeCom and Quanshi tokens are fetched once
/// for all four (WeCom: one per secret, the app's and the address book's), and the sandbox
/// refuses no call for its rate limits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_on_one_postgres_share_the_work_and_the_tokens() {
    let cluster = roster_testkit::postgres::Cluster::start().unwrap();
    let mut config = roster_testkit::lean_config(SandboxConfig::default().seed);
    config.data.org_meetings = 30;
    // Tencent's real limit ×4, and the four workers share one client budget of that size
    // through PostgreSQL (WeCom and Quanshi unpaced, to keep the test short).
    config.tencent.per_minute = 1_200;
    let sandbox = roster_testkit::start(config).await;
    let mut env = admin_env(&sandbox);
    env.push(("ROSTER_TENCENT_CALLS_PER_MINUTE".into(), "1200".into()));
    for v in ["WECOM", "QUANSHI"] {
        env.push((format!("ROSTER_{v}_CALLS_PER_MINUTE"), "0".into()));
    }
    env.push(("ROSTER_DB".into(), cluster.url()));
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let from = (now - 95 * 86_400).to_string();
    let to = now.to_string();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_roster"))
                .args(["sync", "--from", &from, "--to", &to])
                .env_clear()
                .envs(env.clone())
                .current_dir(dir.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = tokio::task::spawn_blocking(move || {
        workers
            .into_iter()
            .map(|w| w.wait_with_output().unwrap())
            .collect()
    })
    .await
    .unwrap();
    let stderrs: Vec<String> = outputs.iter().map(|o| text(&o.stderr)).collect();
    for (o, e) in outputs.iter().zip(&stderrs) {
        assert!(o.status.success(), "{e}");
    }
    for vendor in ["wecom", "tencent_meeting", "quanshi"] {
        let counts: Vec<_> = stderrs.iter().map(|e| sync_counts(e, vendor)).collect();
        let found = counts[0].0;
        assert!(found > 10, "{vendor}: {counts:?}");
        assert!(
            counts.iter().all(|c| c.0 == found && c.2 == 0),
            "{vendor}: {counts:?}"
        );
        let exported: u64 = counts.iter().map(|c| c.1).sum();
        assert_eq!(
            exported, found,
            "{vendor}: each meeting by one worker: {counts:?}"
        );
        let elsewhere: u64 = counts.iter().map(|c| c.3).sum();
        assert_eq!(elsewhere, 3 * found, "{vendor}: {counts:?}");
    }
    assert_eq!(
        sandbox.stats().tokens_of(Vendor::WeCom),
        2,
        "one per secret"
    );
    assert_eq!(sandbox.stats().tokens_of(Vendor::Quanshi), 1);
    let refused: u64 = ["tencent.", "wecom.", "quanshi."]
        .iter()
        .flat_map(|prefix| {
            let stats = sandbox.stats();
            stats
                .rejections
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .flat_map(|(_, reasons)| {
                    reasons
                        .iter()
                        .filter(|(code, _)| {
                            [
                                "190310", "190311", "190312", "190313", "9061", "45009", "45033",
                                "429",
                            ]
                            .contains(&code.as_str())
                        })
                        .map(|(_, n)| *n)
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .sum();
    assert_eq!(refused, 0);
    // The store holds every meeting once.
    let store = roster_store::PgStore::connect(&cluster.url())
        .await
        .unwrap();
    let counts = roster_store::Store::counts(&store).await.unwrap();
    let found: u64 = ["wecom", "tencent_meeting", "quanshi"]
        .iter()
        .map(|v| sync_counts(&stderrs[0], v).0)
        .sum();
    assert_eq!(counts.meetings, found);
    sandbox.shutdown().await;
}

/// PostgreSQL going away in the middle of a sync ends the worker with a clear error (exit 1,
/// no panic, no password), and what it had written is whole meetings only: every stored
/// meeting has its sync state, and its sessions are those of a clean sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_mid_sync_ends_the_worker_cleanly() {
    let cluster = roster_testkit::postgres::Cluster::start().unwrap();
    let mut config = roster_testkit::lean_config(SandboxConfig::default().seed);
    config.data.org_meetings = 30;
    let sandbox = roster_testkit::start(config).await;
    // Slow calls, so that the server can be stopped while the sync is under way.
    sandbox
        .faults()
        .set_latency(Some(std::time::Duration::from_millis(40)));
    let mut env = admin_env(&sandbox);
    for v in ["WECOM", "TENCENT", "QUANSHI"] {
        env.push((format!("ROSTER_{v}_CALLS_PER_MINUTE"), "0".into()));
        env.push((format!("ROSTER_{v}_MAX_RETRIES"), "0".into()));
    }
    let url = cluster.url().replace("roster@", "roster:a-password@");
    env.push(("ROSTER_DB".into(), url.clone()));
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let from = (now - 95 * 86_400).to_string();
    let worker = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args([
            "sync",
            "--vendor",
            "tencent-meeting",
            "--from",
            &from,
            "--to",
            &now.to_string(),
        ])
        .env_clear()
        .envs(env.clone())
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for a few meetings to be stored, then stop the server at once.
    let watcher = roster_store::PgStore::connect(&cluster.url())
        .await
        .unwrap();
    let mut stored = 0;
    for _ in 0..600 {
        stored = roster_store::Store::counts(&watcher)
            .await
            .unwrap()
            .meetings;
        if stored >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(stored >= 3, "the sync stored nothing to interrupt");
    drop(watcher);
    cluster.stop();
    let out = tokio::task::spawn_blocking(move || worker.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("store"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("a-password"),
        "{stderr}"
    );

    cluster.start_again().unwrap();
    let store = roster_store::PgStore::connect(&cluster.url())
        .await
        .unwrap();
    let truth = sandbox
        .truth()
        .tencent_corp_meetings(1, Some(now - 95 * 86_400), Some(now - 1));
    let mut whole = 0;
    for r in &truth {
        let (id, sub) = (
            r["meeting_id"].as_str().unwrap(),
            r["sub_meeting_id"].as_str(),
        );
        let v = roster_core::Vendor::TencentMeeting;
        let state = roster_store::Store::sync_state(&store, v, id, sub)
            .await
            .unwrap();
        let sessions = roster_store::Store::sessions(&store, v, id, sub)
            .await
            .unwrap();
        match state {
            Some(s) if s.complete => {
                let want = sandbox.truth().tencent_participants(id, sub, None).len();
                assert_eq!(sessions.len(), want, "{id} {sub:?}");
                whole += 1;
            }
            _ => assert!(
                sessions.is_empty(),
                "{id} {sub:?}: sessions without a finished sync"
            ),
        }
    }
    assert!(
        whole >= 3 && whole < truth.len(),
        "{whole} of {}",
        truth.len()
    );
    sandbox.shutdown().await;
}

/// `roster listen` (a receiver process on loopback) with a Tencent subscription in plain mode
/// and WeCom's official sample app: URL checks answered with their plaintext, events
/// acknowledged only once stored (a redelivery stored once), bad requests refused with their
/// status and nothing secret in the logs, and after a `kill -9` the store still holds what was
/// acknowledged: `roster live` lists who is in the meeting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_stores_pushed_events_before_acknowledging_them() {
    use base64::Engine;
    const TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("push.db").display());
    let env: Vec<(String, String)> = vec![
        ("ROSTER_TENCENT_WEBHOOK_TOKEN".into(), TOKEN.into()),
        ("ROSTER_WECOM_CALLBACK_TOKEN".into(), "QDG6eK".into()),
        (
            "ROSTER_WECOM_CALLBACK_AES_KEY".into(),
            "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C".into(),
        ),
        ("ROSTER_WECOM_CORP_ID".into(), "wx5823bf96d3bd56c7".into()),
        ("ROSTER_DB".into(), db.clone()),
        ("RUST_LOG".into(), "trace".into()),
    ];
    let start = || {
        // Its logs are kept for the secrecy check.
        let l = common::spawn_listen(&["--listen", "127.0.0.1:0"], &env, dir.path());
        (l.child, l.base, l.logs)
    };
    let (mut receiver, base, logs) = start();
    // Core's client installs the TLS provider reqwest needs (none is used on loopback).
    let http = roster_core::HttpClient::new(roster_core::HttpConfig::default())
        .unwrap()
        .reqwest()
        .clone();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let sign = |ts: &str, nonce: &str, data: &str| {
        roster_core::webhook::signature(&[TOKEN, ts, nonce, data])
    };

    // Tencent's URL check: `+` in check_str must survive the query's decoding.
    let check = b64("check>>>+");
    assert!(check.contains('+'));
    let url = format!(
        "{base}/tencent-meeting/default?check_str={}",
        check.replace('+', "%2B").replace('=', "%3D")
    );
    let r = http
        .get(&url)
        .header("timestamp", "1")
        .header("nonce", "2")
        .header("signature", sign("1", "2", &check))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "check>>>+");

    // A join, delivered twice; a second person joins and leaves.
    let event = |trace: &str, name: &str, who: &str, at: i64| {
        serde_json::json!({
            "event": name, "trace_id": trace,
            "payload": [{"operate_time": at, "operator": {"userid": who, "user_name": format!("{who} 名"), "instance_id": "1"},
                         "meeting_info": {"meeting_id": "m-live", "action_scene_type": 0}}]
        })
        .to_string()
    };
    let post = |body: String| {
        let data = b64(&body);
        let envelope = serde_json::json!({ "data": data }).to_string();
        http.post(format!("{base}/tencent-meeting/default"))
            .header("content-type", "application/json")
            .header("timestamp", "10")
            .header("nonce", "20")
            .header("signature", sign("10", "20", &data))
            .body(envelope)
            .send()
    };
    for body in [
        event(
            "t1",
            "meeting.participant-joined",
            "alice",
            1_700_000_000_000,
        ),
        event(
            "t1",
            "meeting.participant-joined",
            "alice",
            1_700_000_000_000,
        ),
        event("t2", "meeting.participant-joined", "bob", 1_700_000_010_000),
        event("t3", "meeting.participant-left", "bob", 1_700_000_020_000),
    ] {
        let r = post(body).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "successfully received callback");
    }

    // WeCom's official URL check and a (text) event.
    let r = http
        .get(format!(
            "{base}/wecom/default?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr={}",
            "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "1616140317555161061");

    // Bad requests: their status, nothing stored.
    let refused = [
        (
            post_raw(
                &http,
                &base,
                "application/json",
                "1",
                "{\"data\":\"eyJ9\"}",
                "bad",
            )
            .await,
            401,
        ),
        (
            post_raw(&http, &base, "text/plain", "1", "{}", "x").await,
            415,
        ),
        (
            post_raw(
                &http,
                &base,
                "application/json",
                "1",
                &"x".repeat(2 << 20),
                "x",
            )
            .await,
            413,
        ),
        (
            http.get(format!("{base}/tencent-meeting/other"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            404,
        ),
        (
            http.get(format!(
                "{base}/wecom/default?msg_signature=0&timestamp=1&nonce=2&echostr=AAAA"
            ))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
            401,
        ),
    ];
    for (got, want) in refused {
        assert_eq!(got, want);
    }

    // kill -9: what was acknowledged is in the store.
    receiver.kill().unwrap();
    receiver.wait().unwrap();
    let logs = logs.join().unwrap();
    for secret in [
        TOKEN,
        "QDG6eK",
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        "check>>>+",
    ] {
        assert!(!logs.contains(secret), "a secret in the logs");
    }
    assert!(logs.contains("push rejected"), "rejections are logged");
    let out = roster(
        vec![("ROSTER_DB".into(), db.clone())],
        args(&["live", "--format", "jsonl"]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "alice is in, bob left: {rows:?}");
    assert_eq!(rows[0]["person"], "user:tencent_meeting:alice");
    assert_eq!(rows[0]["meeting_id"], "m-live");
    let store = roster_store::SqliteStore::open(&dir.path().join("push.db")).unwrap();
    let presence = roster_store::Store::presence(&store, None, None)
        .await
        .unwrap();
    assert_eq!(presence.len(), 3, "the redelivery was stored once");

    // Started again, it serves the same subscriptions.
    let (mut again, base, _logs) = start();
    let r = http
        .get(url.replace(&url[..url.find("/tencent").unwrap()], &base))
        .header("timestamp", "1")
        .header("nonce", "2")
        .header("signature", sign("1", "2", &check))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    again.kill().unwrap();
    again.wait().unwrap();
}

/// A Tencent POST with the given content type, headers and body: its status.
async fn post_raw(
    http: &reqwest::Client,
    base: &str,
    content_type: &str,
    timestamp: &str,
    body: &str,
    signature: &str,
) -> u16 {
    // Not kept for the next request: the receiver refuses a too large body before reading
    // it and closes the connection, which a pooled connection would meet mid-request.
    http.post(format!("{base}/tencent-meeting/default"))
        .header("connection", "close")
        .header("content-type", content_type)
        .header("timestamp", timestamp)
        .header("nonce", "n")
        .header("signature", signature)
        .body(body.to_string())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// A worker that died holding a claim loses nothing: the next worker waits for the claim's
/// lease to end, then exports the meeting itself, and records its run only then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_workers_claim_is_taken_over_when_its_lease_ends() {
    let cluster = roster_testkit::postgres::Cluster::start().unwrap();
    let sandbox = sandbox().await;
    let mut env = admin_env(&sandbox);
    env.push(("ROSTER_TENCENT_CALLS_PER_MINUTE".into(), "0".into()));
    env.push(("ROSTER_DB".into(), cluster.url()));
    let now = sandbox.clock().now().unix_timestamp();
    let truth = sandbox
        .truth()
        .tencent_corp_meetings(1, Some(now - 60 * 86_400), Some(now - 1));
    let first = &truth[0];
    let mut held = roster_core::MeetingSummary::new(
        roster_core::Vendor::TencentMeeting,
        first["meeting_id"].as_str().unwrap(),
    );
    held.sub_meeting_id = first["sub_meeting_id"].as_str().map(str::to_string);
    // The dead worker: a claim with a three-second lease, never finished.
    let store = roster_store::PgStore::connect(&cluster.url())
        .await
        .unwrap();
    let dead = roster_store::Store::start_worker(&store, "dead-host:1:0")
        .await
        .unwrap();
    let claim = roster_store::Store::claim(
        &store,
        &dead,
        &held,
        std::time::Duration::from_secs(3),
        std::time::Duration::from_secs(600),
    )
    .await
    .unwrap();
    assert_eq!(claim, roster_store::Claim::Mine);

    let dir = tempfile::tempdir().unwrap();
    let from = (now - 60 * 86_400).to_string();
    let out = roster(
        env,
        args(&[
            "sync",
            "--vendor",
            "tencent-meeting",
            "--from",
            &from,
            "--to",
            &now.to_string(),
        ]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let (found, exported, failed, elsewhere) = sync_counts(&stderr, "tencent_meeting");
    assert_eq!(
        (found, exported, failed, elsewhere),
        (truth.len() as u64, truth.len() as u64, 0, 0)
    );
    let state = roster_store::Store::sync_state(
        &store,
        held.vendor,
        &held.meeting_id,
        held.sub_meeting_id.as_deref(),
    )
    .await
    .unwrap()
    .expect("the held meeting was synced");
    assert!(state.complete);
}

/// `roster listen --profile A --profile B` serves each profile's subscription under its own
/// name; a route of an app or vendor not configured is 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_serves_one_route_per_profile() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roster.toml");
    std::fs::write(
        &config,
        "[profiles.training.tencent]\nwebhook_token = \"trainingtoken000000000000\"\n\
         [profiles.events.tencent]\nwebhook_token = \"eventstoken00000000000000\"\n",
    )
    .unwrap();
    let db = format!("sqlite:{}", dir.path().join("p.db").display());
    let common::Listener {
        mut child,
        base,
        line,
        ..
    } = common::spawn_listen(
        &[
            "--listen",
            "127.0.0.1:0",
            "--no-reconcile",
            "--profile",
            "training",
            "--profile",
            "events",
            "--config",
            config.to_str().unwrap(),
        ],
        &[("ROSTER_DB".into(), db)],
        dir.path(),
    );
    assert!(
        line.contains("/tencent-meeting/training, /tencent-meeting/events"),
        "{line}"
    );
    let http = roster_core::HttpClient::new(roster_core::HttpConfig::default())
        .unwrap()
        .reqwest()
        .clone();
    for (app, token, status) in [
        ("training", "trainingtoken000000000000", 200),
        ("events", "eventstoken00000000000000", 200),
        // Each app checks its own token.
        ("events", "trainingtoken000000000000", 401),
        ("default", "trainingtoken000000000000", 404),
    ] {
        let r = common::tencent_check(&http, &base, app, token, "hello").await;
        assert_eq!(r.status(), status, "{app} with {token}");
        if status == 200 {
            assert_eq!(r.text().await.unwrap(), "hello");
        }
    }
    let r = http
        .get(format!("{base}/wecom/training?echostr=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "training has no WeCom subscription");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `roster listen --tls-cert --tls-key` serves HTTPS (a client that trusts the certificate gets
/// its answer; plain HTTP to the same port gets none); a key file that is no key is a
/// configuration error (exit 2) that shows nothing of the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_serves_https_with_a_certificate() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (cert, key) = (
        fixtures.join("loopback-cert.pem"),
        fixtures.join("loopback-key.pem"),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("p.db").display());
    let token = "bVPU6F8Htxl5XkAbp3jGV2xWp";
    let common::Listener {
        mut child, base, ..
    } = common::spawn_listen(
        &[
            "--listen",
            "127.0.0.1:0",
            "--no-reconcile",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        &[
            ("ROSTER_DB".into(), db.clone()),
            ("ROSTER_TENCENT_WEBHOOK_TOKEN".into(), token.into()),
        ],
        dir.path(),
    );
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    // Core's client installs the TLS provider reqwest needs.
    let _ = roster_core::HttpClient::new(roster_core::HttpConfig::default()).unwrap();
    let trusted = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(
                &std::fs::read(fixtures.join("loopback-ca.pem")).unwrap(),
            )
            .unwrap(),
        )
        .build()
        .unwrap();
    let r = common::tencent_check(&trusted, &base, "default", token, "over tls").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "over tls");
    let plain = base.replace("https://", "http://");
    assert!(
        reqwest::Client::new()
            .get(format!("{plain}/tencent-meeting/default"))
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .is_err(),
        "plain HTTP to the TLS port gets no answer"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // A certificate given as the key: refused, and nothing of the file is shown.
    let out = roster(
        vec![
            ("ROSTER_DB".into(), db),
            ("ROSTER_TENCENT_WEBHOOK_TOKEN".into(), token.into()),
        ],
        vec![
            "listen".into(),
            "--tls-cert".into(),
            cert.display().to_string(),
            "--tls-key".into(),
            cert.display().to_string(),
        ],
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--tls-key"), "{stderr}");
    assert!(!stderr.contains("MII"), "{stderr}");
    // One without the other is a usage error.
    let out = roster(
        vec![],
        vec![
            "listen".into(),
            "--tls-cert".into(),
            cert.display().to_string(),
        ],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
}

/// `roster listen` reads its subscriptions from a profile too (`webhook_token` in the
/// `tencent` section), and a misspelt key there is a configuration error (exit 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_reads_its_subscriptions_from_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("roster.toml");
    std::fs::write(
        &config,
        "[profiles.default.tencent]\nwebhook_token = \"bVPU6F8Htxl5XkAbp3jGV2xWp\"\n",
    )
    .unwrap();
    let db = format!("sqlite:{}", dir.path().join("p.db").display());
    let common::Listener {
        mut child,
        base,
        before,
        ..
    } = common::spawn_listen(
        &[
            "--listen",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
        ],
        &[("ROSTER_DB".into(), db.clone())],
        dir.path(),
    );
    // Before it: a note that, without API credentials, meetings are not reconciled.
    assert!(before.contains("will not be reconciled"), "{before}");
    let http = roster_core::HttpClient::new(roster_core::HttpConfig::default())
        .unwrap()
        .reqwest()
        .clone();
    let r = common::tencent_check(
        &http,
        &base,
        "default",
        "bVPU6F8Htxl5XkAbp3jGV2xWp",
        "from the profile",
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "from the profile");
    child.kill().unwrap();
    child.wait().unwrap();

    std::fs::write(
        &config,
        "[profiles.default.tencent]\nwebhook_tokn = \"x\"\n",
    )
    .unwrap();
    let out = roster(
        vec![("ROSTER_DB".into(), db)],
        vec![
            "listen".into(),
            "--config".into(),
            config.display().to_string(),
        ],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("webhook_tokn"),
        "{}",
        text(&out.stderr)
    );
}

/// A transport failure names the host it tried and the setting its base URL came from (a new
/// user who set only `ROSTER_QUANSHI_BASE_URL` learns that tokens come from another host), and
/// `ROSTER_QUANSHI_AUTH=signature` signs every call instead, needing no token host at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_errors_name_host_and_setting_and_quanshi_can_sign() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut env = roster_cli::sandbox::env_vars(&sandbox);
    env.retain(|(k, _)| k != "ROSTER_QUANSHI_EVENTS_BASE_URL");
    env.push((
        "ROSTER_QUANSHI_EVENTS_BASE_URL".into(),
        format!("http://127.0.0.1:{dead}/"),
    ));
    env.push(("ROSTER_QUANSHI_MAX_RETRIES".into(), "0".into()));
    let id = meeting_id(&sandbox, Vendor::Quanshi, "seed-single");
    let attendees = args(&[
        "attendees",
        "--vendor",
        "quanshi",
        "--meeting",
        &id,
        "--format",
        "jsonl",
    ]);
    let out = roster(env.clone(), attendees.clone(), dir.path()).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot connect to 127.0.0.1:{dead}"))
            && stderr.contains("(ROSTER_QUANSHI_EVENTS_BASE_URL)"),
        "{stderr}"
    );

    env.push(("ROSTER_QUANSHI_AUTH".into(), "signature".into()));
    let out = roster(env, attendees, dir.path()).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let (sessions, _) = truth(&sandbox, Vendor::Quanshi, &id);
    assert_eq!(
        text(&out.stdout).lines().count(),
        sessions.len(),
        "{stderr}"
    );
    sandbox.shutdown().await;
}
