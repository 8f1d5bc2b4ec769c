//! The formats people open in a spreadsheet, read back with independent readers: the xlsx
//! workbook with `calamine` (cell values and types against the JSON Lines export of the same
//! meeting: text as text, times as Excel date-times in the chosen zone, numbers as numbers),
//! and CSV for Excel with `encoding_rs` (UTF-8 with a byte-order mark; GBK, where a character
//! GBK cannot hold is an error naming its record, or `?` with --lossy).

use std::path::Path;
use std::process::Output;

use calamine::{Data, DataType, Reader};
use roster_cli::output::Record;
use roster_core::Attendee;
use roster_sandbox::{SandboxConfig, SandboxHandle, Vendor};
use serde_json::Value;

mod common;

use common::text;

/// `roster ARGS` with only `env`, in `dir`.
async fn roster(env: &[(String, String)], args: &[&str], dir: &Path) -> Output {
    let args = args.iter().map(|s| s.to_string()).collect();
    common::roster(env.to_vec(), args, dir).await
}

async fn sandbox() -> SandboxHandle {
    roster_testkit::start(SandboxConfig::default()).await
}

/// Excel's serial date-time (days since 1899-12-30) as Unix seconds.
fn serial_to_unix(serial: f64) -> i64 {
    ((serial - 25_569.0) * 86_400.0).round() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_holds_the_same_records_with_real_types() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    for (flag, vendor) in [
        ("tencent-meeting", Vendor::Tencent),
        ("wecom", Vendor::WeCom),
    ] {
        let id = roster_testkit::meeting(&sandbox, vendor, "seed-oneoff").id;
        let common = ["attendees", "--vendor", flag, "--meeting", &id, "--quiet"];
        let out = roster(
            &env,
            &[&common[..], &["--format", "jsonl", "--output", "a.jsonl"]].concat(),
            dir.path(),
        )
        .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let records: Vec<Value> = std::fs::read_to_string(dir.path().join("a.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        // Times shown in UTC (--utc): the sheet's wall times are the records' UTC times.
        let out = roster(
            &env,
            &[
                &common[..],
                &["--format", "xlsx", "--utc", "--output", "a.xlsx"],
            ]
            .concat(),
            dir.path(),
        )
        .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let mut book = calamine::open_workbook_auto(dir.path().join("a.xlsx")).unwrap();
        assert_eq!(book.sheet_names(), vec!["sessions".to_string()]);
        let range = book.worksheet_range("sessions").unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(header, Attendee::COLUMNS);
        let rows: Vec<&[Data]> = rows.collect();
        assert_eq!(rows.len(), records.len(), "{flag}: one row per record");
        let mut times = 0;
        for (row, record) in rows.iter().zip(&records) {
            for (c, column) in Attendee::COLUMNS.iter().enumerate() {
                let cell = row.get(c).cloned().unwrap_or(Data::Empty);
                match record.get(*column) {
                    None | Some(Value::Null) => assert_eq!(cell, Data::Empty, "{column}"),
                    Some(Value::String(s)) => match time::OffsetDateTime::parse(
                        s,
                        &time::format_description::well_known::Rfc3339,
                    ) {
                        Ok(t) => {
                            let Data::DateTime(dt) = cell else {
                                panic!("{column}: {cell:?} is not a date-time");
                            };
                            assert_eq!(serial_to_unix(dt.as_f64()), t.unix_timestamp(), "{column}");
                            times += 1;
                        }
                        Err(_) => assert_eq!(cell, Data::String(s.clone()), "{column}"),
                    },
                    Some(Value::Number(n)) => {
                        assert_eq!(cell.as_f64(), n.as_f64(), "{column}");
                        assert!(matches!(cell, Data::Float(_) | Data::Int(_)), "{column}");
                    }
                    Some(Value::Bool(b)) => assert_eq!(cell, Data::Bool(*b), "{column}"),
                    Some(Value::Object(o)) if o.is_empty() => {
                        assert_eq!(cell, Data::Empty, "{column}")
                    }
                    Some(other) => assert_eq!(cell, Data::String(other.to_string()), "{column}"),
                }
            }
        }
        assert!(times >= records.len(), "{flag}: joins are date-times");

        // In the local zone (TZ, no --utc): the same instants, shown 8 hours later.
        let mut env8 = env.clone();
        env8.push(("TZ".into(), "Asia/Shanghai".into()));
        let out = roster(
            &env8,
            &[&common[..], &["--format", "xlsx", "--output", "b.xlsx"]].concat(),
            dir.path(),
        )
        .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let mut book = calamine::open_workbook_auto(dir.path().join("b.xlsx")).unwrap();
        let range = book.worksheet_range("sessions").unwrap();
        let joined = Attendee::COLUMNS
            .iter()
            .position(|c| *c == "joined_at")
            .unwrap();
        let first = range.rows().nth(1).unwrap()[joined].clone();
        let Data::DateTime(dt) = first else {
            panic!("{first:?}")
        };
        let utc = time::OffsetDateTime::parse(
            records[0]["joined_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(serial_to_unix(dt.as_f64()), utc.unix_timestamp() + 8 * 3600);
    }

    // A report has its people and a summary sheet.
    let id = roster_testkit::meeting(&sandbox, Vendor::Tencent, "seed-oneoff").id;
    let out = roster(
        &env,
        &[
            "report",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &id,
            "--quiet",
            "--format",
            "xlsx",
            "--output",
            "r.xlsx",
        ],
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book = calamine::open_workbook_auto(dir.path().join("r.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), vec!["people", "summary"]);
    let summary = book.worksheet_range("summary").unwrap();
    let figures: Vec<String> = summary.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(
        figures,
        [
            "registered",
            "attended",
            "no-shows",
            "walk-ins",
            "average minutes"
        ]
    );
    assert!(matches!(summary.rows().nth(2).unwrap()[1], Data::Float(_)));

    // A workbook needs a file: refused before any request (exit 2).
    let out = roster(
        &env,
        &[
            "attendees",
            "--vendor",
            "wecom",
            "--meeting",
            &id,
            "--format",
            "xlsx",
        ],
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--output"),
        "{}",
        text(&out.stderr)
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_for_excel_in_utf8_with_a_bom_and_in_gbk() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = roster_testkit::meeting(&sandbox, Vendor::Tencent, "seed-oneoff").id;
    let export = |extra: &'static [&'static str], file: &'static str| {
        let mut args = vec![
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &id,
            "--quiet",
            "--output",
            file,
        ];
        args.extend_from_slice(extra);
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let env = env.clone();
        let dir = dir.path().to_path_buf();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            roster(&env, &args, &dir).await
        }
    };
    let out = export(&["--format", "csv"], "plain.csv").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plain = std::fs::read_to_string(dir.path().join("plain.csv")).unwrap();
    assert!(!plain.is_ascii(), "Chinese names to encode");

    // --excel: the same text after a byte-order mark.
    let out = export(&["--excel"], "bom.csv").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bom = std::fs::read(dir.path().join("bom.csv")).unwrap();
    assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(std::str::from_utf8(&bom[3..]).unwrap(), plain);

    // GBK: the same text, decoded; or, where a character has no GBK form, an error naming its
    // record unless --lossy, which writes '?' for it.
    let unmappable = |line: &str| {
        let (_, _, had_errors) = encoding_rs::GBK.encode(line);
        had_errors
    };
    let first_bad = plain.lines().skip(1).position(unmappable);
    let out = export(&["--format", "csv", "--csv-encoding", "gbk"], "gbk.csv").await;
    match first_bad {
        None => {
            assert!(out.status.success(), "{}", text(&out.stderr));
            let bytes = std::fs::read(dir.path().join("gbk.csv")).unwrap();
            let (decoded, _, errors) = encoding_rs::GBK.decode(&bytes);
            assert!(!errors);
            assert_eq!(decoded, plain);
        }
        Some(i) => {
            assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
            assert!(
                text(&out.stderr).contains(&format!("record {}: ", i + 1)),
                "{}",
                text(&out.stderr)
            );
            assert!(!dir.path().join("gbk.csv").exists(), "no half file");
        }
    }
    let out = export(
        &["--format", "csv", "--csv-encoding", "gbk", "--lossy"],
        "lossy.csv",
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(dir.path().join("lossy.csv")).unwrap();
    let (decoded, _, errors) = encoding_rs::GBK.decode(&bytes);
    assert!(!errors);
    let expected: String = plain
        .chars()
        .map(|c| if unmappable(&c.to_string()) { '?' } else { c })
        .collect();
    assert_eq!(decoded, expected);

    // Flags that do not go together: usage errors (exit 2).
    for bad in [
        &["--format", "jsonl", "--csv-encoding", "gbk"][..],
        &["--format", "csv", "--lossy"][..],
        &["--excel", "--format", "json"][..],
    ] {
        let mut args = vec!["attendees", "--vendor", "tencent-meeting", "--meeting", &id];
        args.extend_from_slice(bad);
        let out = roster(&env, &args, dir.path()).await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
    }
    sandbox.shutdown().await;
}

/// `roster report` with attendance rules: the expected list's people first (one not in the
/// meeting: absent), each with a status; the workbook holds the people, the absentees, the
/// sessions, the minutes per period and the rules used, and agrees with the JSON report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_with_rules_in_json_and_in_a_workbook() {
    let sandbox = sandbox().await;
    let env = roster_cli::sandbox::env_vars(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let id = roster_testkit::meeting(&sandbox, Vendor::Tencent, "seed-oneoff").id;
    let truth = sandbox.truth().tencent_participants(&id, None, None);
    let members: Vec<&Value> = truth.iter().filter(|r| r.get("userid").is_some()).collect();
    assert!(members.len() >= 2);
    let uid = |r: &Value| r["userid"].as_str().unwrap().to_string();
    std::fs::write(
        dir.path().join("expected.csv"),
        format!(
            "\u{feff}姓名,工号,部门\n甲,{},研发\n乙,{},销售\n不在会里的人,nobody,行政\n",
            uid(members[0]),
            uid(members[1])
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("periods.csv"),
        "name,start,end\nall day,2000-01-01 00:00,2100-01-01 00:00\n",
    )
    .unwrap();
    let args = |format: &'static str, file: &'static str| {
        vec![
            "report",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            &id,
            "--quiet",
            "--expected",
            "expected.csv",
            "--periods",
            "periods.csv",
            "--min-percent",
            "50",
            "--late-after",
            "5",
            "--utc",
            "--format",
            format,
            "--output",
            file,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<String>>()
    };
    let a = args("json", "r.json");
    let out = roster(
        &env,
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(rows[0]["name"], "甲");
    assert_eq!(rows[0]["matched_by"], "user_id");
    assert_eq!(rows[0]["department"], "研发");
    assert_ne!(rows[0]["status"], "absent");
    assert_eq!(rows[2]["status"], "absent");
    assert_eq!(rows[2]["expected"], true);
    assert!(rows[3..].iter().all(|r| r["expected"] == false));
    // Every status is one of the rules', and a member's minutes lie in the one period.
    for r in &rows {
        let status = r["status"].as_str().unwrap();
        assert!(
            [
                "present",
                "late",
                "left_early",
                "under_minimum",
                "absent",
                "unknown"
            ]
            .contains(&status),
            "{status}"
        );
        if status != "absent" && status != "unknown" {
            assert_eq!(r["periods"]["all day"], r["minutes"], "{r}");
        }
    }

    let a = args("xlsx", "r.xlsx");
    let out = roster(
        &env,
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book = calamine::open_workbook_auto(dir.path().join("r.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["people", "absent", "sessions", "periods", "summary"]
    );
    let people = book.worksheet_range("people").unwrap();
    let status_col = roster_cli::rules::AttendanceRow::COLUMNS
        .iter()
        .position(|c| *c == "status")
        .unwrap();
    let statuses: Vec<String> = people
        .rows()
        .skip(1)
        .map(|r| r[status_col].to_string())
        .collect();
    let json_statuses: Vec<String> = rows
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, json_statuses);
    let absent = book.worksheet_range("absent").unwrap();
    assert_eq!(
        absent.rows().count() - 1,
        rows.iter().filter(|r| r["status"] == "absent").count()
    );
    assert_eq!(
        book.worksheet_range("sessions").unwrap().rows().count() - 1,
        truth.len()
    );
    let summary = book.worksheet_range("summary").unwrap();
    let rule = summary
        .rows()
        .find(|r| r[0] == Data::String("minimum % of the meeting".into()))
        .unwrap();
    assert_eq!(rule[1], Data::Float(50.0));
    sandbox.shutdown().await;
}

/// `roster report --db` with rules: per person across the synced meetings of a range — the
/// expected list's people expected at each, attended where the minimum is met, their minutes
/// agreeing with the store's own totals; the workbook lists the meetings counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_report_from_the_store() {
    // No very large meeting: the sync exports every meeting of the range.
    let sandbox = roster_testkit::start(SandboxConfig {
        data: roster_sandbox::DataConfig {
            large_meetings: Vec::new(),
            ..roster_sandbox::DataConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let mut env = roster_cli::sandbox::env_vars(&sandbox);
    let admin = sandbox.credentials().tencent.admin_userid.unwrap();
    env.retain(|(k, _)| k != "ROSTER_TENCENT_OPERATOR_ID");
    env.push(("ROSTER_TENCENT_OPERATOR_ID".into(), admin));
    env.push(("ROSTER_TENCENT_CALLS_PER_MINUTE".into(), "0".into()));
    let dir = tempfile::tempdir().unwrap();
    let now = sandbox.clock().now().unix_timestamp();
    let (from, to) = ((now - 60 * 86_400).to_string(), now.to_string());
    let db_path = dir.path().join("roster.db");
    let db = format!("sqlite:{}", db_path.display());
    let out = roster(
        &env,
        &[
            "sync",
            "--vendor",
            "tencent-meeting",
            "--from",
            &from,
            "--to",
            &to,
            "--db",
            &db,
        ],
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let store = roster_store::SqliteStore::open(&db_path).unwrap();
    let meetings = roster_store::Store::meetings_in_range(&store, now - 60 * 86_400, now)
        .await
        .unwrap();
    assert!(meetings.len() > 2);
    let totals = roster_store::Store::person_totals(&store, now - 60 * 86_400, now)
        .await
        .unwrap();
    let top = totals.iter().max_by_key(|t| t.minutes).unwrap();
    let uid = top.person.rsplit(':').next().unwrap().to_string();
    assert!(top.person.starts_with("user:"), "{}", top.person);
    std::fs::write(
        dir.path().join("list.csv"),
        format!("name,user_id\n最多的人,{uid}\n没来的人,nobody\n"),
    )
    .unwrap();
    let report = |extra: &[&str], file: &str| {
        let mut a: Vec<String> = [
            "report", "--db", &db, "--from", &from, "--to", &to, "--quiet", "--output", file,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        let (env, dir) = (env.clone(), dir.path().to_path_buf());
        async move {
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            roster(&env, &a, &dir).await
        }
    };
    let out = report(
        &[
            "--expected",
            "list.csv",
            "--min-percent",
            "0",
            "--format",
            "json",
        ],
        "r.json",
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(rows.len(), 2);
    let n = meetings.len() as u64;
    assert_eq!(rows[0]["meetings_expected"], n);
    assert_eq!(rows[0]["meetings_attended"], top.meetings);
    // The same minutes as the store's totals (per meeting rounding: within a minute each).
    let minutes = rows[0]["total_minutes"].as_f64().unwrap();
    assert!(
        (minutes - top.minutes as f64).abs() <= top.meetings as f64,
        "{minutes} vs {}",
        top.minutes
    );
    assert_eq!(rows[1]["meetings_attended"], 0);
    assert_eq!(rows[1]["attendance_rate"], 0.0);

    let out = report(
        &[
            "--expected",
            "list.csv",
            "--min-minutes",
            "1",
            "--format",
            "xlsx",
        ],
        "r.xlsx",
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book = calamine::open_workbook_auto(dir.path().join("r.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), vec!["people", "meetings", "summary"]);
    let people = book.worksheet_range("people").unwrap();
    let rate = roster_cli::rules::RangeRow::COLUMNS
        .iter()
        .position(|c| *c == "attendance_rate")
        .unwrap();
    for row in people.rows().skip(1) {
        assert!(
            matches!(row[rate], Data::Float(_) | Data::Int(_)),
            "a rate is a number, coloured or not: {:?}",
            row[rate]
        );
    }
    assert_eq!(
        book.worksheet_range("meetings").unwrap().rows().count() - 1,
        meetings.len()
    );
    // --periods makes no sense across meetings: refused (exit 2).
    let out = report(&["--periods", "list.csv"], "p.csv").await;
    assert_eq!(out.status.code(), Some(2));
    sandbox.shutdown().await;
}
