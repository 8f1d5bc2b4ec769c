//! `roster demo`: starts the embedded sandbox and runs every vendor through its real client over
//! loopback HTTP: a short attendee table, the report summary and the time it took, per vendor;
//! then `roster sync` of every vendor's ended meetings into a temporary SQLite file, and the
//! cross-meeting report read back from it; then a live section: the sandbox pushes a Tencent
//! Meeting's join and leave events (encrypted, with duplicates, drops and reorders) to an
//! embedded `roster listen` receiver, and the meeting's end reconciles it with the pulled
//! list. It reads no environment variable and no configuration file, so it needs no set-up
//! and can never reach a real vendor.

use std::io::Write;
use std::time::Instant;

use futures::TryStreamExt;
use roster_core::{
    Attendee, ErrorKind, MeetingQuery, ReconcileOptions, RosterSummary, Vendor, reconcile_with,
};
use roster_sandbox::{
    CatalogMeeting, DataConfig, MeetingKind, Sandbox, SandboxConfig, SandboxHandle,
    Vendor as SandboxVendor,
};
use time::{OffsetDateTime, UtcOffset};

use crate::args::Format;
use crate::config::Settings;
use crate::error::CliError;
use crate::output::{RecordWriter, Sink};
use crate::records::summary_lines;
use crate::run::stdout_error;
use crate::vendors;

/// Rows of the attendee table shown per vendor.
const SHOWN: usize = 6;

/// Meetings of the sandbox's organisation (its discovery and sync part).
const ORG_MEETINGS: usize = 40;

/// Days back the demo syncs (the organisation's meetings spread over them).
const SYNC_DAYS: i64 = 90;

/// People shown of the cross-meeting report.
const SHOWN_PEOPLE: usize = 8;

fn sandbox_vendor(v: Vendor) -> SandboxVendor {
    match v {
        Vendor::WeCom => SandboxVendor::WeCom,
        Vendor::TencentMeeting => SandboxVendor::Tencent,
        Vendor::Quanshi => SandboxVendor::Quanshi,
    }
}

/// The meeting to show: a one-off meeting with sessions, preferring one with enrollment and
/// the most people.
fn pick(meetings: impl Iterator<Item = CatalogMeeting>) -> Option<CatalogMeeting> {
    meetings
        .filter(|m| m.sessions > 0 && m.kind != MeetingKind::Recurring && m.sessions <= 2_000)
        .max_by_key(|m| (m.enrollment, m.people.min(60), m.sessions))
}

/// Runs the demo.
pub async fn run(seed: u64, tz: UtcOffset) -> Result<(), CliError> {
    let config = SandboxConfig {
        seed,
        data: DataConfig {
            large_meetings: Vec::new(),
            org_meetings: ORG_MEETINGS,
            org_days: SYNC_DAYS - 1,
            ..DataConfig::default()
        },
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config)
        .await
        .map_err(|e| CliError::Io(format!("cannot start the embedded sandbox: {e}")))?;
    // A closed reader (`roster demo | head -1`) ends the demo quietly (exit 0); any other write
    // failure (`> /dev/full`) is exit 1 with a message, never a panic.
    let mut out = Sink::stdout();
    writeln!(out,
        "roster demo: the embedded sandbox is listening on {} (seed {seed}); every vendor runs through its real client.\n",
        sandbox.base_url()
    ).map_err(stdout_error)?;
    let settings = Settings::from_values(crate::sandbox::env_vars(&sandbox));
    let catalog = sandbox.catalog();

    for vendor in Vendor::ALL {
        let Some(meeting) = pick(catalog.of(sandbox_vendor(vendor)).cloned()) else {
            writeln!(
                out,
                "{}: no meeting with sessions in this seed\n",
                vendor.product_name()
            )
            .map_err(stdout_error)?;
            continue;
        };
        let requests_before = sandbox.stats().total_requests();
        let started = Instant::now();
        let source = vendors::source(vendor, &settings)?;
        let query = MeetingQuery::new(meeting.id.clone());
        let attendees: Vec<Attendee> = source.attendees(&query).await?.try_collect().await?;
        let registrations = match source.registrations(&query).await {
            Ok(stream) => stream.try_collect().await?,
            Err(e) if e.kind() == ErrorKind::EnrollmentNotEnabled => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let registered = registrations.len();
        // What the output shows of the sessions, taken before reconciliation consumes them.
        let sessions = attendees.len();
        let shown: Vec<Attendee> = attendees.iter().take(SHOWN).cloned().collect();
        let unnamed = attendees
            .iter()
            .filter(|a| {
                a.display_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty())
            })
            .count();
        let entries = reconcile_with(
            registrations,
            attendees,
            &ReconcileOptions::default().open_sessions_until(OffsetDateTime::now_utc()),
        );
        let summary = RosterSummary::from_entries(&entries);
        let took = started.elapsed();
        let requests = sandbox.stats().total_requests() - requests_before;

        writeln!(
            out,
            "── {} · {} ({}) ──",
            vendor.product_name(),
            meeting.subject,
            meeting.id
        )
        .map_err(stdout_error)?;
        write!(out, "{}", table(&shown, tz)?).map_err(stdout_error)?;
        if sessions > SHOWN {
            writeln!(out, "… and {} more sessions", sessions - SHOWN).map_err(stdout_error)?;
        }
        if unnamed > 0 {
            writeln!(
                out,
                "{unnamed} of {} sessions come without a name (the vendor's list has none); \
                 `roster report` names people from their registrations",
                sessions
            )
            .map_err(stdout_error)?;
        }
        writeln!(
            out,
            "{} registrations, {} sessions · {}",
            registered,
            sessions,
            summary_lines(&summary)
                .iter()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(" · ")
        )
        .map_err(stdout_error)?;
        writeln!(
            out,
            "took {:.0} ms over {requests} HTTP requests\n",
            took.as_secs_f64() * 1000.0
        )
        .map_err(stdout_error)?;
    }
    sync_into_sqlite(&sandbox, &mut out, tz).await?;
    live_section(&sandbox, &mut out, tz).await?;
    out.flush().map_err(stdout_error)?;
    sandbox.shutdown().await;
    Ok(())
}

/// `rows` as the table format renders them.
fn table<R: crate::output::Record>(rows: &[R], tz: UtcOffset) -> Result<String, CliError> {
    let failed = |e: std::io::Error| CliError::Io(format!("cannot render the table: {e}"));
    let mut writer = RecordWriter::<R>::new(Format::Table, Sink::Memory(Vec::new()), tz);
    for row in rows {
        writer.write(row).map_err(failed)?;
    }
    let bytes = writer
        .finish()
        .and_then(|sink| sink.commit())
        .map_err(failed)?
        .unwrap_or_default();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `roster sync` of every vendor into a temporary SQLite file (removed afterwards), then
/// `roster report --db` read back: the people who attended most, across meetings.
async fn sync_into_sqlite(
    sandbox: &SandboxHandle,
    out: &mut Sink,
    tz: UtcOffset,
) -> Result<(), CliError> {
    let dir = tempfile::tempdir()
        .map_err(|e| CliError::Io(format!("cannot make a temporary directory: {e}")))?;
    let path = dir.path().join("roster-demo.db");
    let store = roster_store::SqliteStore::open(&path)
        .map_err(|e| CliError::Io(format!("the demo store: {e}")))?;
    // Tencent lists an account's meetings to its administrator only.
    let mut env = crate::sandbox::env_vars(sandbox);
    if let Some(admin) = sandbox.credentials().tencent.admin_userid {
        env.retain(|(k, _)| k != roster_tencent_meeting::config::env::OPERATOR_ID);
        env.push((
            roster_tencent_meeting::config::env::OPERATOR_ID.to_string(),
            admin,
        ));
    }
    // The embedded sandbox is local: no client-side pacing (its own limits still apply).
    for prefix in ["ROSTER_WECOM", "ROSTER_TENCENT", "ROSTER_QUANSHI"] {
        env.push((format!("{prefix}_CALLS_PER_MINUTE"), "0".into()));
    }
    let settings = Settings::from_values(env);
    let now = sandbox.clock().now();
    let from = now - time::Duration::days(SYNC_DAYS);
    writeln!(
        out,
        "── roster sync · every vendor's ended meetings of the last {SYNC_DAYS} days into {} ──",
        path.display()
    )
    .map_err(stdout_error)?;
    let started = Instant::now();
    let requests_before = sandbox.stats().total_requests();
    let bars = crate::progress::SyncBars::new(true);
    for vendor in Vendor::ALL {
        let client = vendors::client(vendor, &settings, &vendors::Shared::default())?;
        let progress = bars.vendor(vendor, client.retrier().stats().clone());
        let summary = crate::run::sync(
            client.as_ref(),
            &store,
            Some(from),
            now,
            now,
            true,
            &progress,
        )
        .await?;
        writeln!(out, "{}: {}", vendor.product_name(), summary.line()).map_err(stdout_error)?;
    }
    let counts = roster_store::Store::counts(&store)
        .await
        .map_err(|e| CliError::Io(format!("the demo store: {e}")))?;
    writeln!(
        out,
        "the store holds {} meetings, {} sessions, {} registrations, {} people · took {:.0} ms over {} HTTP requests\n",
        counts.meetings,
        counts.sessions,
        counts.registrations,
        counts.people,
        started.elapsed().as_secs_f64() * 1000.0,
        sandbox.stats().total_requests() - requests_before
    )
    .map_err(stdout_error)?;

    let mut totals =
        roster_store::Store::person_totals(&store, from.unix_timestamp(), now.unix_timestamp())
            .await
            .map_err(|e| CliError::Io(format!("the demo store: {e}")))?;
    writeln!(
        out,
        "── roster report --db {} --from … · {} people across the stored meetings; most minutes first ──",
        path.display(),
        totals.len()
    )
    .map_err(stdout_error)?;
    let people = totals.len();
    totals.sort_by(|a, b| {
        b.minutes
            .cmp(&a.minutes)
            .then_with(|| a.person.cmp(&b.person))
    });
    let shown = &totals[..totals.len().min(SHOWN_PEOPLE)];
    write!(out, "{}", table(shown, tz)?).map_err(stdout_error)?;
    if people > SHOWN_PEOPLE {
        writeln!(out, "… and {} more people", people - SHOWN_PEOPLE).map_err(stdout_error)?;
    }
    drop(store);
    dir.close()
        .map_err(|e| CliError::Io(format!("cannot remove the demo store: {e}")))?;
    Ok(())
}

/// The demo subscription's Token and EncodingAESKey (the vendors' sample values: this
/// receiver listens on loopback for the embedded sandbox only).
const DEMO_TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";
const DEMO_AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

/// `roster listen`, embedded: the sandbox pushes a Tencent Meeting's events (encrypted, 10 %
/// duplicated, 10 % dropped on the first try, 5 % reordered); a few snapshots of who is in,
/// then the reconciled table once its end event arrives.
async fn live_section(
    sandbox: &SandboxHandle,
    out: &mut Sink,
    tz: UtcOffset,
) -> Result<(), CliError> {
    use std::sync::Arc;
    use std::time::Duration;

    use roster_sandbox::{MeetingState, PushFaults, PushKind, PushOptions, PushTarget};
    use roster_store::{Seen, Store};

    let store_error = |e: roster_store::StoreError| CliError::Io(format!("the demo store: {e}"));
    let Some(meeting) = pick(
        sandbox
            .catalog()
            .of(SandboxVendor::Tencent)
            .filter(|m| m.state == MeetingState::Ended)
            .cloned(),
    ) else {
        return Ok(());
    };
    let dir = tempfile::tempdir()
        .map_err(|e| CliError::Io(format!("cannot make a temporary directory: {e}")))?;
    let path = dir.path().join("roster-live.db");
    let store: Arc<dyn Store> =
        Arc::new(roster_store::SqliteStore::open(&path).map_err(store_error)?);
    let app = crate::listen::App::from_lookup(crate::listen::DEFAULT_APP, |k| {
        match k {
            crate::listen::ENV_TENCENT_TOKEN => Some(DEMO_TOKEN),
            crate::listen::ENV_TENCENT_AES_KEY => Some(DEMO_AES_KEY),
            _ => None,
        }
        .map(str::to_string)
    })?;
    let settings = Settings::from_values(crate::sandbox::env_vars(sandbox));
    let client = vendors::client(
        Vendor::TencentMeeting,
        &settings,
        &vendors::Shared::default(),
    )?;
    let options = crate::listen::Options::default();
    let ended = Arc::new(tokio::sync::Notify::new());
    let writer = crate::listen::writer::Writer::spawn(
        store.clone(),
        options.queue,
        options.batch,
        options.linger,
        ended.clone(),
    );
    let reconciler = crate::listen::reconcile::Reconciler::new(
        store.clone(),
        [(
            (
                Vendor::TencentMeeting,
                crate::listen::DEFAULT_APP.to_string(),
            ),
            client,
        )]
        .into_iter()
        .collect(),
        crate::listen::reconcile::Timing {
            quiet: Duration::from_secs(900),
            // The embedded sandbox's list is complete at the end.
            settle: Duration::ZERO,
        },
        options.clock.clone(),
    );
    let reconciling = tokio::spawn(reconciler.run_forever(ended, Duration::from_millis(100)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on loopback: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Io(format!("cannot listen on loopback: {e}")))?;
    let router = crate::listen::router(vec![app], writer, &options);
    let serving = tokio::spawn(async move { axum::serve(listener, router).await });

    writeln!(
        out,
        "\n── roster listen · the sandbox pushes {} ({}) to http://{addr}/tencent-meeting/default: encrypted; 10 % duplicated, 10 % dropped then retried, 5 % reordered ──",
        meeting.subject, meeting.id
    )
    .map_err(stdout_error)?;
    let pusher = sandbox
        .pusher(
            PushTarget {
                url: format!("http://{addr}/tencent-meeting/default"),
                vendor: SandboxVendor::Tencent,
                token: DEMO_TOKEN.into(),
                aes_key: Some(DEMO_AES_KEY.into()),
                corp_id: String::new(),
            },
            PushOptions {
                seed: 7,
                // The vendor's retries after 1, 3 and 6 minutes, in 50 ms units.
                retry_unit: Duration::from_millis(50),
                events_per_second: Some(200.0),
                concurrency: 4,
                faults: PushFaults {
                    drop_first: 0.10,
                    duplicate: 0.10,
                    reorder: 0.05,
                    ..PushFaults::default()
                },
                ..PushOptions::default()
            },
        )
        .map_err(|e| CliError::Io(format!("the sandbox cannot push: {e}")))?;
    let progress = pusher.progress();
    let started = Instant::now();
    let push = pusher.push_meeting(&meeting.id);
    tokio::pin!(push);
    let report = loop {
        tokio::select! {
            report = &mut push => break report,
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                let open = store
                    .live_sessions(None, Some(&meeting.id))
                    .await
                    .map_err(store_error)?
                    .iter()
                    .filter(|s| s.left_at.is_none())
                    .count();
                writeln!(
                    out,
                    "{:>5.0} ms · {} events acknowledged · {open} people in the meeting now",
                    started.elapsed().as_secs_f64() * 1000.0,
                    progress.acknowledged()
                )
                .map_err(stdout_error)?;
            }
        }
    }
    .map_err(|e| CliError::Io(format!("the sandbox's push failed: {e}")))?;
    let attempts: usize = report.events.iter().map(|e| e.attempts.len()).sum();
    let stored = store
        .presence(None, Some(&meeting.id))
        .await
        .map_err(store_error)?
        .len();
    let sent = report
        .events
        .iter()
        .filter(|e| matches!(e.kind, PushKind::Join | PushKind::Leave))
        .count();
    writeln!(
        out,
        "{} events in {attempts} deliveries · stored: {stored} joins and leaves{}",
        report.events.len(),
        if stored == sent {
            ", each once".to_string()
        } else {
            format!(" of the {sent} sent")
        }
    )
    .map_err(stdout_error)?;
    // The end event woke the reconciler: wait for its pull (bounded).
    let mut reconciled = false;
    for _ in 0..600 {
        reconciled = store
            .live_meeting(Vendor::TencentMeeting, &meeting.id)
            .await
            .map_err(store_error)?
            .is_some_and(|m| m.reconciled_us.is_some());
        if reconciled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    reconciling.abort();
    serving.abort();
    if reconciled {
        let sessions: Vec<crate::records::SeenSession> = store
            .reconciled_sessions(Vendor::TencentMeeting, &meeting.id)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(Into::into)
            .collect();
        let count = |seen| sessions.iter().filter(|s| s.seen == seen).count();
        writeln!(
            out,
            "── roster live --seen · meeting.end arrived: the pulled list is stored; {} sessions: {} seen live, {} late, {} only in the pull ──",
            sessions.len(),
            count(Seen::Live),
            count(Seen::Late),
            count(Seen::PullOnly)
        )
        .map_err(stdout_error)?;
        write!(
            out,
            "{}",
            table(&sessions[..sessions.len().min(SHOWN)], tz)?
        )
        .map_err(stdout_error)?;
        if sessions.len() > SHOWN {
            writeln!(out, "… and {} more sessions", sessions.len() - SHOWN)
                .map_err(stdout_error)?;
        }
    } else {
        writeln!(out, "the meeting was not reconciled in time").map_err(stdout_error)?;
    }
    drop(store);
    dir.close()
        .map_err(|e| CliError::Io(format!("cannot remove the demo store: {e}")))?;
    Ok(())
}
