//! `roster demo`: starts the embedded sandbox and runs every vendor through its real client over
//! loopback HTTP: a short attendee table, the report summary and the time it took, per vendor.
//! It reads no environment variable and no configuration file, so it needs no set-up and can
//! never reach a real vendor.

use std::io::Write;
use std::time::Instant;

use futures::TryStreamExt;
use roster_core::{
    Attendee, ErrorKind, MeetingQuery, ReconcileOptions, RosterSummary, Vendor, reconcile_with,
};
use roster_sandbox::{
    CatalogMeeting, DataConfig, MeetingKind, Sandbox, SandboxConfig, Vendor as SandboxVendor,
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
        let mut writer = RecordWriter::<Attendee>::new(Format::Table, Sink::Memory(Vec::new()), tz);
        for a in &shown {
            writer
                .write(a)
                .map_err(|e| CliError::Io(format!("cannot render the table: {e}")))?;
        }
        let table = writer
            .finish()
            .and_then(|sink| sink.commit())
            .map_err(|e| CliError::Io(format!("cannot render the table: {e}")))?
            .unwrap_or_default();
        write!(out, "{}", String::from_utf8_lossy(&table)).map_err(stdout_error)?;
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
    out.flush().map_err(stdout_error)?;
    sandbox.shutdown().await;
    Ok(())
}
