//! The round-two commands end to end, the built binary against an in-process sandbox:
//! `live --vendor`, `waiting-room`, `sign-ins`, `export-job`, the report's "signed in" column
//! and webinar registrations, each checked against the sandbox's ground truth.

mod common;

use common::{roster, text};
use roster_sandbox::{SandboxConfig, SandboxHandle, Vendor};
use serde_json::Value;

async fn sandbox() -> SandboxHandle {
    roster_testkit::start(SandboxConfig::default()).await
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn id(sandbox: &SandboxHandle, vendor: Vendor, label: &str) -> String {
    roster_testkit::meeting(sandbox, vendor, label).id
}

/// The JSON Lines of a successful run (exit 0 asserted, stderr shown on failure).
fn jsonl(out: &std::process::Output) -> Vec<Value> {
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// What a vendor does not have is a usage error (exit 2) that names the vendor and the data,
/// before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_a_vendor_does_not_have_exit_2_naming_it() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "sign-ins",
            "wecom",
            Vendor::WeCom,
            "seed-oneoff",
            "wecom: unsupported: the vendor keeps no sign-ins",
        ),
        (
            "sign-ins",
            "quanshi",
            Vendor::Quanshi,
            "seed-single",
            "quanshi: unsupported: the vendor keeps no sign-ins",
        ),
        (
            "waiting-room",
            "quanshi",
            Vendor::Quanshi,
            "seed-single",
            "quanshi: unsupported: the vendor keeps no waiting-room log",
        ),
    ];
    for (command, vendor, v, label, says) in cases {
        let meeting = id(&sandbox, v, label);
        let out = roster(
            env.clone(),
            args(&[command, "--vendor", vendor, "--meeting", &meeting]),
            dir.path(),
        )
        .await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command} {vendor}: {stderr}");
        assert!(stderr.contains(says), "{command} {vendor}: {stderr}");
    }
    // `--seen` reads the store: it does not go with --vendor.
    let out = roster(
        env,
        args(&["live", "--vendor", "wecom", "--meeting", "m", "--seen"]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    sandbox.shutdown().await;
}

/// `live --vendor quanshi`: the terminals in the meeting now, as the sandbox holds them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_from_quanshi_lists_its_terminals_now() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let meeting = id(&sandbox, Vendor::Quanshi, "seed-live");
    let truth = sandbox.truth().quanshi_terminals(&meeting);
    assert!(truth.len() > 100, "more than a page");
    let out = roster(
        env,
        args(&[
            "live",
            "--vendor",
            "quanshi",
            "--meeting",
            &meeting,
            "--format",
            "jsonl",
        ]),
        dir.path(),
    )
    .await;
    let rows = jsonl(&out);
    assert_eq!(rows.len(), truth.len());
    assert!(rows.iter().all(|r| r["left_at"].is_null()));
    sandbox.shutdown().await;
}

/// `live --vendor` for WeCom and Tencent: the vendor's real-time rows of a meeting in
/// progress, one record each, none with a leave time; a meeting that has ended lists nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_from_wecom_and_tencent_lists_who_is_in_now() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let truth = sandbox.truth();
    for (vendor, v) in [
        ("wecom", Vendor::WeCom),
        ("tencent-meeting", Vendor::Tencent),
    ] {
        let live = id(&sandbox, v, "seed-live");
        let expected = match v {
            Vendor::WeCom => truth.wecom_realtime_attendees(&live, None),
            _ => truth.tencent_realtime_participants(&live, None),
        };
        assert!(!expected.is_empty(), "{vendor}: seed-live has people in it");
        let out = roster(
            env.clone(),
            args(&[
                "live",
                "--vendor",
                vendor,
                "--meeting",
                &live,
                "--format",
                "jsonl",
            ]),
            dir.path(),
        )
        .await;
        let rows = jsonl(&out);
        assert_eq!(rows.len(), expected.len(), "{vendor}");
        assert!(
            rows.iter()
                .all(|r| r["left_at"].is_null() && !r["joined_at"].is_null())
        );

        let ended = id(&sandbox, v, "seed-oneoff");
        let out = roster(
            env.clone(),
            args(&[
                "live",
                "--vendor",
                vendor,
                "--meeting",
                &ended,
                "--format",
                "jsonl",
            ]),
            dir.path(),
        )
        .await;
        assert!(
            jsonl(&out).is_empty(),
            "{vendor}: nobody is in an ended meeting"
        );
    }
    sandbox.shutdown().await;
}

/// `waiting-room`: every stay of the sandbox's log, with entry times, and the stays still
/// open without an exit; as CSV with the model's columns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_waiting_room_log_of_both_vendors() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let truth = sandbox.truth();
    for (vendor, v) in [
        ("wecom", Vendor::WeCom),
        ("tencent-meeting", Vendor::Tencent),
    ] {
        let meeting = id(&sandbox, v, "seed-oneoff");
        let expected = match v {
            Vendor::WeCom => truth.wecom_waiting_room(&meeting),
            _ => truth.tencent_waiting_room(&meeting),
        };
        assert!(!expected.is_empty(), "{vendor}: seeded");
        let open = expected
            .iter()
            .filter(|r| r["quit_time"] == 0 || r["left_time"] == 0)
            .count();
        let out = roster(
            env.clone(),
            args(&[
                "waiting-room",
                "--vendor",
                vendor,
                "--meeting",
                &meeting,
                "--format",
                "jsonl",
            ]),
            dir.path(),
        )
        .await;
        let rows = jsonl(&out);
        assert_eq!(rows.len(), expected.len(), "{vendor}");
        assert!(rows.iter().all(|r| !r["entered_at"].is_null()), "{vendor}");
        assert_eq!(
            rows.iter().filter(|r| r["left_at"].is_null()).count(),
            open,
            "{vendor}: the stays still open"
        );

        let out = roster(
            env.clone(),
            args(&[
                "waiting-room",
                "--vendor",
                vendor,
                "--meeting",
                &meeting,
                "--format",
                "csv",
            ]),
            dir.path(),
        )
        .await;
        assert!(out.status.success());
        let csv = text(&out.stdout);
        let header = csv.lines().next().unwrap();
        assert!(
            header.starts_with("vendor,meeting_id,user_id,temp_id"),
            "{header}"
        );
        assert_eq!(csv.lines().count(), expected.len() + 1);
    }
    sandbox.shutdown().await;
}

/// Webinar registrations come from the webinar endpoints, chosen from the meeting's type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webinar_registrations_come_from_the_webinar_endpoints() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let truth = sandbox.truth();
    for (vendor, v) in [
        ("wecom", Vendor::WeCom),
        ("tencent-meeting", Vendor::Tencent),
    ] {
        let webinar = id(&sandbox, v, "seed-webinar");
        let expected = match v {
            Vendor::WeCom => truth.wecom_webinar_enrollments(&webinar, None),
            _ => truth.tencent_enroll_approvals(&webinar, None),
        };
        assert!(expected.len() > 100, "{vendor}: more than two pages");
        let before = sandbox.stats();
        let out = roster(
            env.clone(),
            args(&[
                "registrations",
                "--vendor",
                vendor,
                "--meeting",
                &webinar,
                "--format",
                "jsonl",
            ]),
            dir.path(),
        )
        .await;
        let rows = jsonl(&out);
        assert_eq!(rows.len(), expected.len(), "{vendor}");
        let after = sandbox.stats();
        let webinar_calls = match v {
            Vendor::WeCom => "wecom.webinar_enroll_list",
            _ => "tencent.webinar_enroll_approvals",
        };
        assert!(
            after.requests_to(webinar_calls) > before.requests_to(webinar_calls),
            "{vendor}: served by {webinar_calls}"
        );
    }
    sandbox.shutdown().await;
}

/// The (person, round) pairs of a Tencent meeting's sign-ins in the ground truth: the person
/// by user id, else by per-meeting id.
fn signed_pairs(
    sandbox: &SandboxHandle,
    meeting: &str,
) -> (usize, std::collections::HashSet<(String, String)>) {
    let truth = sandbox.truth();
    let mut events = 0;
    let mut pairs = std::collections::HashSet::new();
    for round in truth.tencent_sign_in_rounds(meeting) {
        let round_id = round["sign_in_id"].as_str().unwrap().to_string();
        for e in truth.tencent_sign_ins(meeting, &round_id) {
            events += 1;
            let user = e["userid"].as_str().filter(|u| !u.is_empty());
            let person = user.or(e["ms_open_id"].as_str()).unwrap().to_string();
            pairs.insert((person, round_id.clone()));
        }
    }
    (events, pairs)
}

/// `sign-ins`: every record of every round, each naming its round; and the report's
/// `signed_in` column counts the rounds per person (Tencent), absent for WeCom.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_and_the_reports_signed_in_column() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let meeting = id(&sandbox, Vendor::Tencent, "seed-oneoff");
    let (events, pairs) = signed_pairs(&sandbox, &meeting);
    assert!(events > 0 && !pairs.is_empty(), "seeded sign-ins");
    let out = roster(
        env.clone(),
        args(&[
            "sign-ins",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &meeting,
            "--format",
            "jsonl",
        ]),
        dir.path(),
    )
    .await;
    let rows = jsonl(&out);
    assert_eq!(rows.len(), events);
    let rounds: std::collections::HashSet<&str> = rows
        .iter()
        .map(|r| r["sign_in_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rounds.len(),
        pairs
            .iter()
            .map(|(_, r)| r)
            .collect::<std::collections::HashSet<_>>()
            .len()
    );
    assert!(rows.iter().all(|r| !r["round_started_at"].is_null()));

    let out = roster(
        env.clone(),
        args(&[
            "report",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &meeting,
            "--format",
            "jsonl",
        ]),
        dir.path(),
    )
    .await;
    let people = jsonl(&out);
    // Each person's rounds, from the ground truth: the records naming their user id or their
    // per-meeting id.
    let truth = sandbox.truth();
    let records: Vec<(String, Value)> = truth
        .tencent_sign_in_rounds(&meeting)
        .into_iter()
        .flat_map(|round| {
            let id = round["sign_in_id"].as_str().unwrap().to_string();
            truth
                .tencent_sign_ins(&meeting, &id)
                .into_iter()
                .map(move |e| (id.clone(), e))
        })
        .collect();
    let mut signers = 0;
    for person in &people {
        let user = person["user_id"].as_str().filter(|v| !v.is_empty());
        let temp = person["temp_id"].as_str().filter(|v| !v.is_empty());
        let rounds: std::collections::HashSet<&str> = records
            .iter()
            .filter(|(_, e)| {
                user.is_some_and(|u| e["userid"] == u) || temp.is_some_and(|t| e["ms_open_id"] == t)
            })
            .map(|(round, _)| round.as_str())
            .collect();
        assert_eq!(
            person["signed_in"].as_u64(),
            Some(rounds.len() as u64),
            "{person}"
        );
        signers += usize::from(!rounds.is_empty());
    }
    assert!(signers >= 2, "several people signed in");
    let counted: u64 = people
        .iter()
        .map(|p| p["signed_in"].as_u64().unwrap())
        .sum();
    assert_eq!(
        counted as usize,
        pairs.len(),
        "every (person, round) counted once"
    );

    let wecom = id(&sandbox, Vendor::WeCom, "seed-oneoff");
    let out = roster(
        env,
        args(&[
            "report",
            "--vendor",
            "wecom",
            "--meeting",
            &wecom,
            "--format",
            "csv",
        ]),
        dir.path(),
    )
    .await;
    assert!(out.status.success());
    let csv = text(&out.stdout);
    assert!(
        !csv.lines().next().unwrap().contains("signed_in"),
        "no sign-ins, no column"
    );
    sandbox.shutdown().await;
}

/// `export-job`: the vendor's per-person totals, submitted, waited for (one poll while it is
/// processing) and downloaded; `--vendor-file` keeps the vendor's own file; nothing printed
/// holds the download link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_job_gives_the_vendors_totals() {
    let sandbox = roster_testkit::start(SandboxConfig {
        tencent: roster_sandbox::TencentConfig {
            // One "processing" answer: the CLI waits one interval (5 s), then downloads.
            export_processing_polls: 1,
            ..roster_sandbox::TencentConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let meeting = id(&sandbox, Vendor::Tencent, "seed-oneoff");
    let expected = sandbox.truth().tencent_export_rows(&meeting, None, None);
    assert!(!expected.is_empty());
    let out = roster(
        env.clone(),
        args(&["export-job", "--meeting", &meeting, "--format", "jsonl"]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("/sandbox/export/"),
        "the link stays secret: {stderr}"
    );
    let rows = jsonl(&out);
    assert_eq!(rows.len(), expected.len());
    for person in &expected {
        let Some(user) = person["userid"].as_str().filter(|u| !u.is_empty()) else {
            continue;
        };
        let row = rows
            .iter()
            .find(|r| r["user_id"] == user)
            .unwrap_or_else(|| panic!("{user} exported"));
        assert_eq!(row["attended_seconds"], person["cumulative_time"], "{user}");
        assert_eq!(row["sessions"], person["join_count"], "{user}");
    }
    assert!(
        sandbox.stats().requests_to("tencent.export_job") >= 2,
        "polled until done"
    );

    let out = roster(
        env,
        args(&[
            "export-job",
            "--meeting",
            &meeting,
            "--vendor-file",
            "vendor.json",
        ]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let file: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("vendor.json")).unwrap()).unwrap();
    let participants = file["participants"]
        .as_array()
        .expect("the vendor's layout");
    assert_eq!(participants, &expected);
    sandbox.shutdown().await;
}
