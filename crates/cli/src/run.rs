//! The export commands, written against `dyn AttendeeSource` only: nothing vendor-specific.

use std::io::{self, Write};

use futures::{StreamExt, TryStreamExt};
use roster_core::{
    AttendeeSource, ErrorKind, MeetingQuery, ReconcileOptions, Resumable, RosterSummary,
    reconcile_with,
};
use time::{OffsetDateTime, UtcOffset};

use crate::args::{Format, OutputArgs};
use crate::checkpoint::{Checkpoint, Files, Found};
use crate::error::CliError;
use crate::output::{Record, RecordWriter, Sink};
use crate::progress::Progress;
use crate::records::{summary_cells, summary_lines};

/// Where and how to write, resolved from the flags.
#[derive(Debug, Clone)]
pub struct OutputPlan {
    /// Format.
    pub format: Format,
    /// Target file, or stdout.
    pub path: Option<std::path::PathBuf>,
    /// No progress bar and no closing note on stderr.
    pub quiet: bool,
    /// Offset for table times.
    pub tz: UtcOffset,
    /// How CSV is written.
    pub csv: crate::output::CsvOptions,
    /// Flags that do not go together, found when the plan was made (refused before any
    /// request).
    pub conflict: Option<String>,
}

impl OutputPlan {
    /// From the flags; `local` is the offset found at start-up.
    pub fn from_args(args: &OutputArgs, local: UtcOffset) -> Self {
        use crate::args::CsvEncoding;
        let mut format = args.format;
        let mut conflict = None;
        if args.excel {
            if !matches!(args.format, Format::Table | Format::Csv) {
                conflict =
                    Some("--excel writes CSV: leave out --format, or use --format xlsx".into());
            }
            format = Format::Csv;
        }
        let encoding = args.csv_encoding.unwrap_or(if args.excel {
            CsvEncoding::Utf8Bom
        } else {
            CsvEncoding::Utf8
        });
        if format != Format::Csv && (args.csv_encoding.is_some() || args.lossy) {
            conflict = Some("--csv-encoding and --lossy apply to --format csv".into());
        }
        if args.lossy && encoding != CsvEncoding::Gbk {
            conflict =
                Some("--lossy applies to --csv-encoding gbk (UTF-8 holds every character)".into());
        }
        Self {
            format,
            path: args.output.clone(),
            quiet: args.quiet,
            tz: if args.utc { UtcOffset::UTC } else { local },
            csv: crate::output::CsvOptions {
                encoding,
                lossy: args.lossy,
            },
            conflict,
        }
    }

    /// A writer of records of type `R` into `sink`, as planned.
    fn writer<R: Record>(&self, sink: Sink) -> RecordWriter<R> {
        RecordWriter::new(self.format, sink, self.tz).csv_options(self.csv)
    }

    fn sink(&self) -> Result<Sink, CliError> {
        if let Some(conflict) = &self.conflict {
            return Err(CliError::Usage(conflict.clone()));
        }
        if self.format == Format::Xlsx && self.path.is_none() {
            return Err(CliError::Usage(
                "--format xlsx writes a binary workbook: give --output FILE.xlsx".into(),
            ));
        }
        match &self.path {
            Some(p) => {
                self.note_stale_partials(p);
                Sink::file(p).map_err(|e| match e.kind() {
                    // A directory or socket as the target: the command line is wrong.
                    io::ErrorKind::InvalidInput => {
                        CliError::Usage(format!("--output {}: {e}", p.display()))
                    }
                    _ => CliError::Io(format!("cannot write {}: {e}", p.display())),
                })
            }
            // Records written to a closed stdout would vanish while roster reports them.
            None if crate::output::stdout_was_closed() => Err(CliError::Io(
                "stdout is closed: give --output FILE, or redirect stdout".into(),
            )),
            None => Ok(Sink::stdout()),
        }
    }

    /// Removes the partial file a killed run left for this target, and mentions those of other
    /// targets (see [`crate::output::stale_partials`]).
    fn note_stale_partials(&self, target: &std::path::Path) {
        let Ok((removed, others)) = crate::output::stale_partials(target) else {
            return;
        };
        if self.quiet {
            return;
        }
        for p in removed {
            eprintln!(
                "roster: note: removed {}, left by an interrupted export to the same file",
                p.display()
            );
        }
        for p in others {
            eprintln!(
                "roster: note: {} was left by an interrupted roster export (its process is gone); delete it if you do not need it",
                p.display()
            );
        }
    }
}

/// An error writing to standard output: a closed reader (`EPIPE`) is the end of the output
/// ([`CliError::BrokenPipe`], exit 0); anything else (a closed descriptor, a full disk) is an
/// [`CliError::Io`] (exit 1).
pub(crate) fn stdout_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return CliError::BrokenPipe;
    }
    CliError::Io(format!("cannot write to stdout: {e}"))
}

/// A write error; a closed reader (`EPIPE`) is [`CliError::BrokenPipe`], by its kind.
fn io_error(plan: &OutputPlan, e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return CliError::BrokenPipe;
    }
    match &plan.path {
        Some(p) => CliError::Io(format!("cannot write {}: {e}", p.display())),
        None => CliError::Io(format!("cannot write to stdout: {e}")),
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Records written.
    pub records: u64,
    /// Pages fetched.
    pub pages: u64,
}

/// Records written between two yields to the runtime.
const RECORDS_PER_YIELD: u64 = 32;

/// Lets the runtime's other tasks run every [`RECORDS_PER_YIELD`] records. The exports run on
/// one thread, and the records of a page already received are ready at once: without a
/// yield, the next page's request (started ahead on its own task) would not even be sent
/// before the whole page is written, and the vendor's time would add to ours.
async fn yield_every_few_records(written: u64) {
    if written.is_multiple_of(RECORDS_PER_YIELD) {
        tokio::task::yield_now().await;
    }
}

/// Streams records into the output as they arrive; on any error the output file is not
/// created.
async fn stream_out<R: Record>(
    stream: roster_core::RecordStream<R>,
    sink: Sink,
    plan: &OutputPlan,
    progress: &Progress,
) -> Result<Written, CliError> {
    let mut writer = plan.writer::<R>(sink);
    let mut stream = stream;
    while let Some(item) = stream.next().await {
        yield_every_few_records(writer.count()).await;
        let record = item?;
        writer.write(&record).map_err(|e| io_error(plan, e))?;
    }
    let records = writer.count();
    let sink = writer.finish().map_err(|e| io_error(plan, e))?;
    sink.commit().map_err(|e| io_error(plan, e))?;
    Ok(Written {
        records,
        pages: progress.pages(),
    })
}

/// The closing note on stderr; the caller has already removed the bar (on error too).
fn note_done(plan: &OutputPlan, what: &str, written: Written) {
    if !plan.quiet {
        let target = match &plan.path {
            Some(p) => format!(" to {}", p.display()),
            None => String::new(),
        };
        eprintln!(
            "roster: {} {what}{target} ({} pages)",
            written.records, written.pages
        );
    }
}

/// `roster attendees`. An export to a file that fails after some pages keeps what it wrote
/// up to the last page and a checkpoint; the same command continues from it
/// ([`crate::checkpoint`]).
pub async fn attendees(
    source: &dyn AttendeeSource,
    query: MeetingQuery,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let progress = Progress::new("attendees", plan.quiet);
    let query = query.observer(progress.observer());
    // The output target is checked before any request (a directory is refused at once).
    let sink = plan.sink()?;
    // A workbook is written whole at the end: nothing to continue from.
    let files = match &plan.path {
        Some(path) if sink.is_file() && plan.format != Format::Xlsx => Some(Files::beside(path)),
        _ => None,
    };
    let export = export_line("attendees", source, &query, plan);
    let found = files.as_ref().map_or(Found::Nothing, |f| f.find(&export));
    let (sink, resumed) = match (found, &files, &plan.path) {
        (Found::Resume(checkpoint), Some(files), Some(path)) => {
            let sink = Sink::resumed_file(path, &files.saved, checkpoint.bytes)
                .map_err(|e| io_error(plan, e))?;
            if !plan.quiet {
                eprintln!(
                    "roster: resuming the export to {} after {} records (an earlier run was interrupted)",
                    path.display(),
                    checkpoint.records
                );
            }
            (sink, Some(checkpoint))
        }
        (Found::Discarded(why), _, Some(path)) => {
            if !plan.quiet {
                eprintln!(
                    "roster: note: starting over: the checkpoint beside {} was removed ({why})",
                    path.display()
                );
            }
            (sink, None)
        }
        _ => (sink, None),
    };
    let from = resumed.as_ref().map(|c| c.position.clone());
    let (stream, sink, resumed) = match source.attendees_from(&query, from.as_ref()).await {
        Ok(stream) => (stream, sink, resumed),
        // The saved position no longer fits the query (another page size): start over.
        Err(e) if e.kind() == ErrorKind::CursorMismatch && resumed.is_some() => {
            if let (Some(files), Some(path)) = (&files, &plan.path) {
                files.remove();
                if !plan.quiet {
                    eprintln!(
                        "roster: note: starting over: the checkpoint beside {} does not fit this query ({})",
                        path.display(),
                        e.message()
                    );
                }
            }
            drop(sink);
            (
                source.attendees_from(&query, None).await?,
                plan.sink()?,
                None,
            )
        }
        Err(e) => return Err(e.into()),
    };
    let saving = files.map(|files| Saving {
        files,
        export,
        last: resumed,
    });
    let written = stream_out_resumable(stream, sink, plan, &progress, saving).await;
    progress.finish();
    let written = match written {
        Ok(w) => w,
        Err((e, kept)) => {
            if let (Some(records), false, Some(path)) = (kept, plan.quiet, &plan.path) {
                eprintln!(
                    "roster: {records} records to {} are kept; run the same command again to continue from there",
                    path.display()
                );
            }
            return Err(e);
        }
    };
    note_done(plan, "attendee sessions", written);
    Ok(written)
}

/// One line naming an export, so that a checkpoint is only continued by the same one.
fn export_line(
    command: &str,
    source: &dyn AttendeeSource,
    query: &MeetingQuery,
    plan: &OutputPlan,
) -> String {
    format!(
        "{command} vendor={} meeting={:?} sub={:?} from={:?} to={:?} join_url={} format={:?} csv={:?} tz={}",
        source.vendor(),
        query.meeting_id,
        query.sub_meeting_id,
        query.from.map(OffsetDateTime::unix_timestamp),
        query.to.map(OffsetDateTime::unix_timestamp),
        query.join_url.is_some(),
        plan.format,
        plan.csv,
        plan.tz,
    )
}

/// Where an export to a file keeps its checkpoint, and the last one.
struct Saving {
    files: Files,
    export: String,
    last: Option<Checkpoint>,
}

/// [`stream_out`] for a resumable stream: after each page the position is remembered with the
/// records and bytes written so far; on an error they are kept with a checkpoint
/// ([`crate::checkpoint`]), and the error comes with the number of records kept.
async fn stream_out_resumable<R: Record>(
    mut stream: roster_core::RecordStream<Resumable<R>>,
    sink: Sink,
    plan: &OutputPlan,
    progress: &Progress,
    saving: Option<Saving>,
) -> Result<Written, (CliError, Option<u64>)> {
    let (records, bytes) = saving
        .as_ref()
        .and_then(|s| s.last.as_ref())
        .map_or((0, 0), |c| (c.records, c.bytes));
    let mut keeper = Keeper {
        writer: Some(
            RecordWriter::<R>::resumed(plan.format, sink, plan.tz, records, bytes)
                .csv_options(plan.csv),
        ),
        saving,
        note: (!plan.quiet).then(|| plan.path.clone()).flatten(),
    };
    let failure = loop {
        let Some(writer) = keeper.writer.as_mut() else {
            break None;
        };
        let next = stream.next().await;
        yield_every_few_records(writer.count()).await;
        match next {
            None => break None,
            Some(Ok(Resumable::Record(record))) => {
                if let Err(e) = writer.write(&record) {
                    break Some(io_error(plan, e));
                }
            }
            Some(Ok(Resumable::Position(position))) => {
                let Some(saving) = keeper.saving.as_mut() else {
                    continue;
                };
                match writer.bytes() {
                    Ok(bytes) => {
                        saving.last = Some(Checkpoint {
                            version: crate::checkpoint::VERSION,
                            export: saving.export.clone(),
                            records: writer.count(),
                            bytes,
                            position,
                        })
                    }
                    Err(e) => break Some(io_error(plan, e)),
                }
            }
            Some(Err(e)) => break Some(e.into()),
        }
    };
    if let Some(error) = failure {
        return Err((error, keeper.keep()));
    }
    let Some(writer) = keeper.writer.take() else {
        return Err((CliError::Io("the export ended twice".into()), None));
    };
    let records = writer.count();
    let sink = writer.finish().map_err(|e| (io_error(plan, e), None))?;
    sink.commit().map_err(|e| (io_error(plan, e), None))?;
    if let Some(saving) = keeper.saving.take() {
        saving.files.remove();
    }
    Ok(Written {
        records,
        pages: progress.pages(),
    })
}

/// The writer of an export to a file until it ends: dropped before that (SIGINT or SIGTERM
/// drops the command), it keeps the records up to the last position with a checkpoint, like a
/// failure does, and says so.
struct Keeper<R: Record> {
    writer: Option<RecordWriter<R>>,
    saving: Option<Saving>,
    /// The target, for the note (none with `--quiet`).
    note: Option<std::path::PathBuf>,
}

impl<R: Record> Keeper<R> {
    /// Keeps the records up to the last position with the checkpoint; the number kept (none
    /// without a position, or when keeping failed: then the partial file goes as before).
    fn keep(&mut self) -> Option<u64> {
        let writer = self.writer.take()?;
        let saving = self.saving.take()?;
        let last = saving.last.as_ref().filter(|c| !c.position.is_done())?;
        let kept = writer
            .into_sink()
            .and_then(|sink| sink.keep(last.bytes, &saving.files.saved))
            .and_then(|()| saving.files.save(last));
        kept.ok().map(|()| last.records)
    }
}

impl<R: Record> Drop for Keeper<R> {
    fn drop(&mut self) {
        if self.writer.is_none() {
            return;
        }
        if let (Some(records), Some(path)) = (self.keep(), &self.note) {
            eprintln!(
                "roster: {records} records to {} are kept; run the same command again to continue from there",
                path.display()
            );
        }
    }
}

/// `roster meetings`.
pub async fn meetings(
    directory: &dyn roster_core::MeetingDirectory,
    query: roster_core::DiscoveryQuery,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let progress = Progress::new("meetings", plan.quiet);
    let query = query.observer(progress.observer());
    // The output target is checked before any request (a directory is refused at once).
    let sink = plan.sink()?;
    let stream = directory.meetings(&query).await?;
    let written = stream_out(stream, sink, plan, &progress).await;
    progress.finish();
    let written = written?;
    note_done(plan, "meetings", written);
    Ok(written)
}

/// `roster report --db`: one row per person across the stored meetings starting in
/// `[from, to)`.
pub async fn report_from_store(
    store: &dyn roster_store::Store,
    from: OffsetDateTime,
    to: OffsetDateTime,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let progress = Progress::new("people", true);
    let sink = plan.sink()?;
    let totals = store
        .person_totals(from.unix_timestamp(), to.unix_timestamp())
        .await
        .map_err(|e| CliError::Io(format!("the store: {e}")))?;
    let stream = futures::stream::iter(totals.into_iter().map(Ok)).boxed();
    let written = stream_out(stream, sink, plan, &progress).await?;
    note_done(plan, "people", written);
    Ok(written)
}

/// `roster report --db` with attendance rules: per person across the stored meetings
/// starting in `[from, to)` ([`crate::rules::range_rows`]); a workbook also lists the meetings
/// counted and the rules used.
pub async fn range_report(
    store: &dyn roster_store::Store,
    from: OffsetDateTime,
    to: OffsetDateTime,
    input: &RulesInput,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    use crate::xlsx::Cell;
    let in_store = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
    let progress = Progress::new("people", true);
    let sink = plan.sink()?;
    let expected = match input.expected.as_deref() {
        Some(path) => Some(crate::rules::read_expected(path)?),
        None => None,
    };
    let meetings = store
        .meetings_in_range(from.unix_timestamp(), to.unix_timestamp())
        .await
        .map_err(in_store)?;
    // A meeting whose sync failed or stopped short holds no (or not all) sessions: counting it
    // would mark everyone absent there. It is left out and said so.
    let mut counted = Vec::with_capacity(meetings.len());
    let mut left_out = Vec::new();
    for m in meetings {
        let state = store
            .sync_state(m.vendor, &m.meeting_id, m.sub_meeting_id.as_deref())
            .await
            .map_err(in_store)?;
        if state.is_some_and(|s| s.complete) {
            counted.push(m);
        } else {
            left_out.push(m);
        }
    }
    if !left_out.is_empty() && !plan.quiet {
        eprintln!(
            "roster: note: {} meetings of the range are not counted: their last sync was incomplete or failed (run roster sync again): {}",
            left_out.len(),
            left_out
                .iter()
                .map(|m| format!("{} {}", m.vendor, m.meeting_id))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let meetings = counted;
    let mut reconciled = Vec::with_capacity(meetings.len());
    for m in &meetings {
        let occurrence = m.sub_meeting_id.as_deref();
        let sessions = store
            .sessions(m.vendor, &m.meeting_id, occurrence)
            .await
            .map_err(in_store)?;
        let registrations = store
            .registrations(m.vendor, &m.meeting_id, occurrence)
            .await
            .map_err(in_store)?;
        reconciled.push(reconcile_with(
            registrations,
            sessions,
            &ReconcileOptions::default(),
        ));
    }
    let rows = crate::rules::range_rows(&reconciled, expected.as_deref(), &input.rules);
    let mut writer = plan.writer::<crate::rules::RangeRow>(sink);
    for row in &rows {
        writer.write(row).map_err(|e| io_error(plan, e))?;
    }
    let listed: Vec<Vec<Cell<'static>>> = meetings
        .iter()
        .zip(&reconciled)
        .map(|(m, entries)| {
            vec![
                Cell::Text(m.vendor.as_str().to_string().into()),
                Cell::Text(m.meeting_id.clone().into()),
                m.sub_meeting_id
                    .clone()
                    .map_or(Cell::Empty, |o| Cell::Text(o.into())),
                m.subject
                    .clone()
                    .map_or(Cell::Empty, |s| Cell::Text(s.into())),
                m.start.map_or(Cell::Empty, Cell::Time),
                Cell::Number(entries.iter().filter(|e| e.attended).count() as f64),
            ]
        })
        .collect();
    writer
        .extra_sheet(
            "meetings",
            &[
                "vendor",
                "meeting_id",
                "occurrence",
                "subject",
                "start",
                "attended",
            ],
            &listed,
        )
        .map_err(|e| io_error(plan, e))?;
    let mut summary = vec![
        vec![Cell::Text("from".into()), Cell::Time(from)],
        vec![Cell::Text("to (exclusive)".into()), Cell::Time(to)],
        vec![
            Cell::Text("meetings counted".into()),
            Cell::Number(meetings.len() as f64),
        ],
        vec![
            Cell::Text("meetings left out (sync incomplete or failed)".into()),
            Cell::Number(left_out.len() as f64),
        ],
    ];
    summary.extend(crate::rules::rule_cells(&input.rules, expected.is_some()));
    writer
        .extra_sheet("summary", &["figure", "value"], &summary)
        .map_err(|e| io_error(plan, e))?;
    let records = writer.count();
    let sink = writer.finish().map_err(|e| io_error(plan, e))?;
    sink.commit().map_err(|e| io_error(plan, e))?;
    let written = Written {
        records,
        pages: progress.pages(),
    };
    note_done(plan, "people", written);
    Ok(written)
}

/// `roster live`: the people in a meeting now (a pushed join without its leave), from the
/// store.
pub async fn live(
    store: &dyn roster_store::Store,
    meeting: Option<&str>,
    seen: bool,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let in_store = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
    let progress = Progress::new(if seen { "sessions" } else { "people" }, true);
    if seen {
        let meeting = meeting.ok_or_else(|| CliError::Usage("--seen needs --meeting".into()))?;
        let mut rows = Vec::new();
        for vendor in roster_core::Vendor::ALL {
            // Before its reconciliation, the marks would say nothing true.
            if let Some(m) = store
                .live_meeting(vendor, meeting)
                .await
                .map_err(in_store)?
                && m.reconciled_us.is_none()
            {
                return Err(CliError::Io(format!(
                    "{vendor} meeting {meeting} is not reconciled yet (it has not ended, or its pull is still to come{}): `roster live --meeting {meeting}` shows who is in",
                    m.error
                        .map(|e| format!("; the last attempt failed: {e}"))
                        .unwrap_or_default()
                )));
            }
            rows.extend(
                store
                    .reconciled_sessions(vendor, meeting)
                    .await
                    .map_err(in_store)?
                    .into_iter()
                    .map(crate::records::SeenSession::from),
            );
        }
        let sink = plan.sink()?;
        let stream = futures::stream::iter(rows.into_iter().map(Ok)).boxed();
        let written = stream_out(stream, sink, plan, &progress).await?;
        note_done(plan, "sessions", written);
        return Ok(written);
    }
    let sink = plan.sink()?;
    let open: Vec<_> = store
        .live_sessions(None, meeting)
        .await
        .map_err(in_store)?
        .into_iter()
        .filter(|s| s.left_at.is_none())
        .collect();
    let stream = futures::stream::iter(open.into_iter().map(Ok)).boxed();
    let written = stream_out(stream, sink, plan, &progress).await?;
    note_done(plan, "people", written);
    Ok(written)
}

/// How far before the end of the last sync a sync without `--from` starts again: meetings end
/// late and vendors publish their data late.
pub const SYNC_OVERLAP: time::Duration = time::Duration::days(2);

/// How long a worker's claim on a meeting lasts before another worker may take it over (a
/// meeting whose export takes longer may be exported twice: harmless, the write is
/// idempotent).
pub const CLAIM_LEASE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// How often a worker asks again for meetings another worker holds.
pub const HELD_RETRY: std::time::Duration = std::time::Duration::from_millis(250);

/// A meeting another worker finished this long before a worker started counts as done for
/// it: workers started together (on several machines) share the work instead of redoing it.
pub const CLAIM_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// This process's worker name on a shared store: host, process id and the start's
/// nanoseconds (two containers of one host can share a process id).
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{host}:{}:{started:09}", std::process::id())
}

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncSummary {
    /// Ended meetings (occurrences) found.
    pub found: u64,
    /// Written for the first time.
    pub new: u64,
    /// Written again with different data.
    pub updated: u64,
    /// Written again with the same data.
    pub unchanged: u64,
    /// Failed (the error is in the store's sync state; the data stored before stays).
    pub failed: u64,
    /// Left to other workers on the same store (claimed by one, or done in this run).
    pub elsewhere: u64,
    /// Sessions written.
    pub sessions: u64,
}

impl SyncSummary {
    /// "synced 12 meetings: 2 new, 1 updated, 9 unchanged, 0 failed (340 sessions)".
    pub fn line(&self) -> String {
        let elsewhere = match self.elsewhere {
            0 => String::new(),
            n => format!(", {n} by other workers"),
        };
        format!(
            "synced {} meetings: {} new, {} updated, {} unchanged, {} failed{elsewhere} ({} sessions)",
            self.found, self.new, self.updated, self.unchanged, self.failed, self.sessions
        )
    }
}

/// `roster sync`: every ended meeting (occurrence) the vendor lists for the range, its sessions
/// and registrations written into the store, one meeting per transaction. A meeting that
/// fails is recorded in the sync state and the sync goes on; the summary says what happened.
pub async fn sync(
    client: &dyn crate::vendors::VendorClient,
    store: &dyn roster_store::Store,
    from: Option<OffsetDateTime>,
    to: OffsetDateTime,
    now: OffsetDateTime,
    quiet: bool,
    progress: &crate::progress::SyncProgress,
) -> Result<SyncSummary, CliError> {
    use roster_core::{MeetingDirectory, MeetingState};
    let store_error = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
    let vendor = AttendeeSource::vendor(client);
    let from = match from {
        Some(from) => from,
        None => {
            let end = store
                .last_run_end(vendor)
                .await
                .map_err(store_error)?
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "no earlier sync of {vendor} in the store: give --from"
                    ))
                })?;
            let from = end - SYNC_OVERLAP;
            if !quiet {
                progress.println(format!(
                    "roster: note: {vendor}: continuing from the last sync: meetings starting from {} (two days of overlap: meetings end and vendors publish late)",
                    roster_core::format_time(from)
                ));
            }
            from
        }
    };
    let query = roster_core::DiscoveryQuery::between(from, to)
        .map_err(|e| CliError::Usage(e.message().to_string()))?
        .states([MeetingState::Ended]);
    let mut meetings: Vec<roster_core::MeetingSummary> = MeetingDirectory::meetings(client, &query)
        .await?
        .try_collect()
        .await?;
    // Meetings whose last sync was incomplete or failed are read again.
    for m in store
        .incomplete_meetings(vendor)
        .await
        .map_err(store_error)?
    {
        let known = meetings
            .iter()
            .any(|k| k.meeting_id == m.meeting_id && k.sub_meeting_id == m.sub_meeting_id);
        if !known {
            meetings.push(m);
        }
    }
    let mut summary = SyncSummary {
        found: meetings.len() as u64,
        ..SyncSummary::default()
    };
    progress.found(summary.found);
    let worker = store
        .start_worker(&worker_name())
        .await
        .map_err(store_error)?;
    // Several workers on one store: each meeting is exported by the one that claims it. One
    // another worker holds is asked for again until that worker finishes it or its lease ends
    // (it died): the run is recorded only when every meeting is accounted for.
    let mut pending: Vec<&roster_core::MeetingSummary> = meetings.iter().collect();
    let mut first_pass = true;
    while !pending.is_empty() {
        if !first_pass {
            tokio::time::sleep(HELD_RETRY).await;
        }
        first_pass = false;
        let mut held = Vec::new();
        for m in pending {
            match store
                .claim(&worker, m, CLAIM_LEASE, CLAIM_FRESH_FOR)
                .await
                .map_err(store_error)?
            {
                roster_store::Claim::Mine => {}
                roster_store::Claim::Done => {
                    summary.elsewhere += 1;
                    progress.meeting_done();
                    continue;
                }
                roster_store::Claim::Held => {
                    held.push(m);
                    continue;
                }
            }
            let occurrence = m.sub_meeting_id.as_deref();
            match sync_meeting(client, store, m, now, Some(progress)).await? {
                Synced::Written {
                    new,
                    changed,
                    sessions,
                } => {
                    summary.sessions += sessions;
                    match (new, changed) {
                        (true, _) => summary.new += 1,
                        (false, true) => summary.updated += 1,
                        (false, false) => summary.unchanged += 1,
                    }
                }
                Synced::Failed(e) => {
                    summary.failed += 1;
                    if !quiet {
                        progress.println(format!(
                            "roster: {} {}{}: {e}",
                            m.vendor,
                            m.meeting_id,
                            occurrence.map(|o| format!(" ({o})")).unwrap_or_default()
                        ));
                    }
                }
            }
            store.finish_claim(&worker, m).await.map_err(store_error)?;
            progress.meeting_done();
        }
        pending = held;
    }
    progress.finish();
    store
        .record_run(
            vendor,
            from.unix_timestamp(),
            to.unix_timestamp(),
            now.unix_timestamp(),
        )
        .await
        .map_err(store_error)?;
    Ok(summary)
}

/// What [`sync_meeting`] did.
pub(crate) enum Synced {
    /// The export was written: whether the meeting was new to the store, whether anything
    /// changed, how many sessions it has.
    Written {
        new: bool,
        changed: bool,
        sessions: u64,
    },
    /// The export failed (recorded in the store's sync state).
    Failed(roster_core::Error),
}

/// Exports one meeting (occurrence) — its sessions and registrations — and writes it into the
/// store in one transaction, or records the failure there. `Err` only when the store fails.
pub(crate) async fn sync_meeting(
    client: &dyn crate::vendors::VendorClient,
    store: &dyn roster_store::Store,
    m: &roster_core::MeetingSummary,
    now: OffsetDateTime,
    progress: Option<&crate::progress::SyncProgress>,
) -> Result<Synced, CliError> {
    let store_error = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
    let occurrence = m.sub_meeting_id.as_deref();
    let mut q = MeetingQuery::new(&m.meeting_id);
    if let Some(sub) = occurrence {
        q = q.sub_meeting(sub);
    }
    if let Some(host) = &m.host {
        q = q.host(host);
    }
    let sessions_query = match progress {
        Some(progress) => q.clone().observer(progress.observer()),
        None => q.clone(),
    };
    let before = store
        .sync_state(m.vendor, &m.meeting_id, occurrence)
        .await
        .map_err(store_error)?;
    let sessions = async {
        client
            .attendees(&sessions_query)
            .await?
            .try_collect::<Vec<_>>()
            .await
    };
    let registrations = async {
        client
            .registrations(&q)
            .await?
            .try_collect::<Vec<_>>()
            .await
    };
    let mut outcome = roster_store::SyncOutcome::complete(now.unix_timestamp());
    let read = match sessions.await {
        Ok(s) => match registrations.await {
            Ok(r) => Ok((s, r)),
            // An operator who may read the sessions but not the registrations (Tencent
            // lets only the creator list invitees): the sessions are kept and the reason
            // noted, but the meeting counts as complete: reading it again cannot change
            // a permission, and every later sync would otherwise read it again.
            Err(e) if e.kind() == ErrorKind::Forbidden => {
                outcome.error = Some(format!("registrations not readable: {e}"));
                Ok((s, Vec::new()))
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match read {
        Ok((sessions, registrations)) => {
            let changed = store
                .replace_meeting(m, &sessions, &registrations, &outcome)
                .await
                .map_err(store_error)?;
            Ok(Synced::Written {
                new: before.is_none(),
                changed,
                sessions: sessions.len() as u64,
            })
        }
        Err(e) => {
            let mut outcome = roster_store::SyncOutcome::complete(now.unix_timestamp());
            outcome.complete = false;
            outcome.error = Some(e.to_string());
            store
                .record_failure(m, &outcome)
                .await
                .map_err(store_error)?;
            Ok(Synced::Failed(e))
        }
    }
}

/// `roster registrations`.
pub async fn registrations(
    source: &dyn AttendeeSource,
    query: MeetingQuery,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let progress = Progress::new("registrations", plan.quiet);
    let query = query.observer(progress.observer());
    // The output target is checked before any request (a directory is refused at once).
    let sink = plan.sink()?;
    let stream = source.registrations(&query);
    write_records("registrations", stream, sink, plan, progress).await
}

/// `roster waiting-room`: every stay in the meeting's waiting room.
pub async fn waiting_room(
    source: &dyn AttendeeSource,
    query: MeetingQuery,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let progress = Progress::new("waiting room", plan.quiet);
    let query = query.observer(progress.observer());
    let sink = plan.sink()?;
    let stream = source.waiting_room(&query);
    write_records("waiting-room stays", stream, sink, plan, progress).await
}

/// `roster sign-ins`: every sign-in of every round.
pub async fn sign_ins(
    source: &dyn AttendeeSource,
    query: MeetingQuery,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let progress = Progress::new("sign-ins", plan.quiet);
    let query = query.observer(progress.observer());
    let sink = plan.sink()?;
    let stream = source.sign_ins(&query);
    write_records("sign-ins", stream, sink, plan, progress).await
}

/// `roster live --vendor`: who is in the meeting now, from the vendor's real-time list.
pub async fn live_from_vendor(
    source: &dyn AttendeeSource,
    query: MeetingQuery,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    let progress = Progress::new("in the meeting", plan.quiet);
    let query = query.observer(progress.observer());
    let sink = plan.sink()?;
    let stream = source.live_attendees(&query);
    write_records("people in the meeting", stream, sink, plan, progress).await
}

/// Opens a vendor's list and writes its records; the bar is removed before any message.
async fn write_records<R: Record>(
    what: &str,
    stream: impl std::future::Future<Output = roster_core::Result<roster_core::RecordStream<R>>>,
    sink: Sink,
    plan: &OutputPlan,
    progress: Progress,
) -> Result<Written, CliError> {
    let written = match stream.await {
        Ok(stream) => stream_out(stream, sink, plan, &progress).await,
        Err(e) => Err(e.into()),
    };
    progress.finish();
    let written = written?;
    note_done(plan, what, written);
    Ok(written)
}

/// The attendance rules of a report (`--expected`, `--periods`, the minimums).
#[derive(Debug, Clone, Default)]
pub struct RulesInput {
    /// The expected list's file.
    pub expected: Option<std::path::PathBuf>,
    /// The periods' file.
    pub periods: Option<std::path::PathBuf>,
    /// The minimums and lateness (periods are read from `periods`).
    pub rules: roster_core::attendance::Rules,
}

/// `roster report`: collects both sides (reconciliation needs all of them), reconciles,
/// writes one row per person, then the summary (after the table; on stderr for machine
/// formats, so that their output stays parseable). With `rules`, the rows are the
/// attendance report instead ([`crate::rules`]).
pub async fn report(
    source: &dyn AttendeeSource,
    query: MeetingQuery,
    plan: &OutputPlan,
    now: OffsetDateTime,
    rules: Option<&RulesInput>,
) -> Result<RosterSummary, CliError> {
    let progress = Progress::new("report", plan.quiet);
    let query = query.observer(progress.observer());
    let sink = plan.sink()?;
    // The expected list and the periods are read before any request: a bad file is refused
    // at once (the periods' times of day are placed on the meeting's day afterwards).
    let expected = match rules.and_then(|r| r.expected.as_deref()) {
        Some(path) => Some(crate::rules::read_expected(path)?),
        None => None,
    };
    if let Some(path) = rules.and_then(|r| r.periods.as_deref()) {
        crate::rules::read_periods(path, plan.tz, Some(now))?;
    }
    let registrations = async {
        match source.registrations(&query).await {
            Ok(stream) => stream.try_collect::<Vec<_>>().await,
            Err(e) => Err(e),
        }
    };
    let attendees = async {
        let stream = source.attendees(&query).await?;
        stream.try_collect::<Vec<_>>().await
    };
    // Sign-ins give the "signed in" column; a vendor without them gives no column, and the
    // report with rules has no such column (nothing to fetch).
    let sign_ins = async {
        if rules.is_some() {
            return Ok(None);
        }
        match source.sign_ins(&query).await {
            Ok(stream) => stream.try_collect::<Vec<_>>().await.map(Some),
            Err(e) if e.kind() == ErrorKind::Unsupported => Ok(None),
            Err(e) => Err(e),
        }
    };
    let (registrations, attendees, sign_ins) = futures::join!(registrations, attendees, sign_ins);
    progress.finish();
    // A report without its sign-in column is still the report: say why it is missing.
    let sign_ins = match sign_ins {
        // The sign-in lists have no occurrence or range: keep the rounds that started while
        // the reported sessions ran (one occurrence of a recurring meeting, or the range).
        Ok(found) => found
            .map(|s| rounds_during(s, attendees.as_deref().unwrap_or(&[]), now))
            .filter(|s| !s.is_empty()),
        Err(e) => {
            if !plan.quiet {
                eprintln!(
                    "roster: note: no \"signed in\" column: the sign-ins could not be read ({e})"
                );
            }
            None
        }
    };
    let registrations = match registrations {
        Ok(r) => r,
        Err(e) if e.kind() == ErrorKind::EnrollmentNotEnabled => {
            if !plan.quiet {
                eprintln!("roster: the meeting has no enrollment; every attendee is a walk-in");
            }
            Vec::new()
        }
        Err(e) => return Err(e.into()),
    };
    let attendees = attendees?;

    let sessions_sheet =
        (rules.is_some() && plan.format == Format::Xlsx).then(|| attendees.clone());
    let entries = reconcile_with(
        registrations,
        attendees,
        &ReconcileOptions::default().open_sessions_until(now),
    );
    let summary = RosterSummary::from_entries(&entries);
    if let Some(rules) = rules {
        attendance_report(
            &entries,
            expected.as_deref(),
            rules,
            sessions_sheet,
            sink,
            plan,
            now,
        )?;
        return Ok(summary);
    }

    let mut sink = match sign_ins {
        Some(sign_ins) => write_report_rows(
            &crate::records::SignedInEntry::of(&entries, &sign_ins),
            &summary,
            sink,
            plan,
        )?,
        None => write_report_rows(&entries, &summary, sink, plan)?,
    };
    let lines = summary_lines(&summary);
    if plan.format == Format::Table {
        let mut text = String::from("\n");
        for line in &lines {
            text.push_str(line);
            text.push('\n');
        }
        sink.write_all(text.as_bytes())
            .map_err(|e| io_error(plan, e))?;
    } else if !plan.quiet {
        for line in &lines {
            eprintln!("roster: {line}");
        }
    }
    sink.commit().map_err(|e| io_error(plan, e))?;
    Ok(summary)
}

/// The sign-ins of rounds that started between the first join and the last leave (or `now`,
/// for a session still open) of `sessions`; a round without a start time is kept.
fn rounds_during(
    sign_ins: Vec<roster_core::SignIn>,
    sessions: &[roster_core::Attendee],
    now: OffsetDateTime,
) -> Vec<roster_core::SignIn> {
    let start = sessions.iter().filter_map(|a| a.joined_at).min();
    let end = sessions
        .iter()
        .filter(|a| a.joined_at.is_some())
        .map(|a| a.left_at.unwrap_or(now))
        .max();
    let (Some(start), Some(end)) = (start, end) else {
        return Vec::new();
    };
    sign_ins
        .into_iter()
        .filter(|s| s.round_started_at.is_none_or(|t| start <= t && t <= end))
        .collect()
}

/// The report's rows, then its summary sheet (workbooks only).
fn write_report_rows<R: Record>(
    rows: &[R],
    summary: &RosterSummary,
    sink: Sink,
    plan: &OutputPlan,
) -> Result<Sink, CliError> {
    let mut writer = plan.writer(sink);
    for row in rows {
        writer.write(row).map_err(|e| io_error(plan, e))?;
    }
    writer
        .extra_sheet("summary", &["figure", "value"], &summary_cells(summary))
        .map_err(|e| io_error(plan, e))?;
    writer.finish().map_err(|e| io_error(plan, e))
}

/// The report with attendance rules: one row per person with a status (see
/// [`crate::rules`]); a workbook also gets the absentees, the sessions, the minutes per period
/// and a summary with the rules used.
fn attendance_report(
    entries: &[roster_core::RosterEntry],
    expected: Option<&[crate::rules::ExpectedPerson]>,
    input: &RulesInput,
    sessions: Option<Vec<roster_core::Attendee>>,
    sink: Sink,
    plan: &OutputPlan,
    now: OffsetDateTime,
) -> Result<(), CliError> {
    use crate::rules::{AttendanceRow, attendance_rows};
    use crate::xlsx::Cell;
    let window = roster_core::attendance::MeetingWindow::of_entries_at(entries, now);
    let mut rules = input.rules.clone();
    if let Some(path) = &input.periods {
        match window {
            Some(w) => rules.periods = crate::rules::read_periods(path, plan.tz, Some(w.start))?,
            None if !plan.quiet => {
                eprintln!("roster: note: nobody joined: no minutes per period to count");
            }
            None => {}
        }
    }
    let rows = attendance_rows(entries, expected, &rules, now);
    let mut writer = plan.writer::<AttendanceRow>(sink);
    for row in &rows {
        writer.write(row).map_err(|e| io_error(plan, e))?;
    }
    let cells = |rows: &mut dyn Iterator<Item = &AttendanceRow>| -> Result<Vec<Vec<Cell<'static>>>, CliError> {
        rows.map(|r| crate::output::cells_of(r).map_err(|e| io_error(plan, e)))
            .collect()
    };
    let absent = cells(&mut rows.iter().filter(|r| r.status == "absent"))?;
    writer
        .extra_sheet("absent", AttendanceRow::COLUMNS, &absent)
        .map_err(|e| io_error(plan, e))?;
    if let Some(sessions) = &sessions {
        // The same cells as `roster attendees --format xlsx` writes.
        let rows: Vec<Vec<Cell<'_>>> = sessions
            .iter()
            .map(|a| match a.xlsx_cells() {
                Some(cells) => Ok(cells),
                None => crate::output::cells_of(a).map_err(|e| io_error(plan, e)),
            })
            .collect::<Result<_, _>>()?;
        writer
            .extra_sheet("sessions", roster_core::Attendee::COLUMNS, &rows)
            .map_err(|e| io_error(plan, e))?;
    }
    if !rules.periods.is_empty() {
        let mut long = Vec::new();
        for r in &rows {
            for (name, minutes) in &r.periods {
                long.push(vec![
                    r.name.clone().map_or(Cell::Empty, |n| Cell::Text(n.into())),
                    r.user_id
                        .clone()
                        .map_or(Cell::Empty, |n| Cell::Text(n.into())),
                    Cell::Text(name.clone().into()),
                    minutes.as_f64().map_or(Cell::Empty, Cell::Number),
                ]);
            }
        }
        writer
            .extra_sheet("periods", &["name", "user_id", "period", "minutes"], &long)
            .map_err(|e| io_error(plan, e))?;
    }
    let summary = crate::rules::summary_cells(&rules, window.as_ref(), &rows, expected.is_some());
    writer
        .extra_sheet("summary", &["figure", "value"], &summary)
        .map_err(|e| io_error(plan, e))?;
    let mut sink = writer.finish().map_err(|e| io_error(plan, e))?;
    let counts: Vec<String> = [
        "present",
        "late",
        "left_early",
        "under_minimum",
        "absent",
        "unknown",
    ]
    .iter()
    .map(|s| (s, rows.iter().filter(|r| r.status == *s).count()))
    .filter(|(_, n)| *n > 0)
    .map(|(s, n)| format!("{s} {n}"))
    .collect();
    let line = format!("{} people: {}", rows.len(), counts.join(" · "));
    if plan.format == Format::Table {
        sink.write_all(format!("\n{line}\n").as_bytes())
            .map_err(|e| io_error(plan, e))?;
    } else if !plan.quiet {
        eprintln!("roster: {line}");
    }
    sink.commit().map_err(|e| io_error(plan, e))?;
    Ok(())
}

/// `roster export-job`: Tencent Meeting's participants export. Submitted, waited for on the
/// client's clock (`--wait-minutes`), downloaded; then either the vendor's file is saved as
/// it came (`--vendor-file`), or its per-person rows are written as report rows.
pub async fn export_job(
    client: &roster_tencent_meeting::TencentMeetingClient,
    args: &crate::args::ExportJobArgs,
    plan: &OutputPlan,
) -> Result<Written, CliError> {
    use roster_tencent_meeting::export::{ExportFileType, ExportRequest, ExportWait};
    if let (Some(from), Some(to)) = (args.from, args.to)
        && to <= from
    {
        return Err(CliError::Usage("--from must be before --to".into()));
    }
    let xlsx = args
        .vendor_file
        .as_deref()
        .and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let mut request = ExportRequest::new(args.meeting.clone()).file_type(if xlsx {
        ExportFileType::Xlsx
    } else {
        ExportFileType::Json
    });
    if let Some(sub) = &args.sub_meeting {
        request = request.sub_meeting(sub.clone());
    }
    if let Some(from) = args.from {
        request = request.from(from);
    }
    if let Some(to) = args.to {
        request = request.to(to);
    }
    let wait =
        ExportWait::default().deadline(std::time::Duration::from_secs(args.wait_minutes * 60));
    let Some(path) = &args.vendor_file else {
        // The output target is checked before the job is submitted.
        let sink = plan.sink()?;
        if !plan.quiet {
            eprintln!(
                "roster: submitting the export job and waiting for it (up to {} min)",
                args.wait_minutes
            );
        }
        let rows = client.participants_export(&request, wait).await?;
        let progress = Progress::new("export", true);
        let stream = futures::stream::iter(rows.into_iter().map(Ok)).boxed();
        let written = stream_out(stream, sink, plan, &progress).await?;
        if !plan.quiet {
            // One file from the vendor, not pages: the usual closing note would count none.
            let target = plan
                .path
                .as_ref()
                .map(|p| format!(" to {}", p.display()))
                .unwrap_or_default();
            eprintln!(
                "roster: {} people (the vendor's totals){target}",
                written.records
            );
        }
        return Ok(written);
    };
    // The same occurrence and range as the records mode, and the same link renewal.
    let request = client.resolve_export(&request).await?;
    if !plan.quiet {
        eprintln!(
            "roster: submitting the export job and waiting for it (up to {} min)",
            args.wait_minutes
        );
    }
    let (_, bytes) = client.export_file(&request, wait).await?;
    {
        save_atomically(path, &bytes)
            .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?;
        if !plan.quiet {
            eprintln!(
                "roster: the vendor's {} file ({} bytes) saved to {}",
                if xlsx { "xlsx" } else { "JSON" },
                bytes.len(),
                path.display()
            );
        }
    }
    Ok(Written {
        records: 0,
        pages: 1,
    })
}

/// Writes `bytes` to `path` through a temporary file beside it, so that a failure leaves no
/// half-written file.
fn save_atomically(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use futures::stream;
    use roster_core::{
        Attendee, Error, RecordStream, Registration, RegistrationStatus, Result, Vendor,
    };
    use time::Duration;
    use time::macros::datetime;

    /// A source with fixed records that can fail after `fail_after` attendees.
    struct Fake {
        fail_after: Option<usize>,
        enrollment: bool,
    }

    const T0: OffsetDateTime = datetime!(2026-03-01 09:00 +8);

    fn people() -> Vec<Attendee> {
        (0..5)
            .map(|i| {
                let mut a = Attendee::new(Vendor::WeCom, "m1");
                a.user_id = Some(format!("u{}", i % 3));
                a.display_name = Some(format!("人{i}"));
                a.joined_at = Some(T0 + Duration::minutes(i));
                a.left_at = Some(T0 + Duration::minutes(i + 10));
                a
            })
            .collect()
    }

    #[async_trait]
    impl AttendeeSource for Fake {
        fn vendor(&self) -> Vendor {
            Vendor::WeCom
        }
        async fn attendees(&self, q: &MeetingQuery) -> Result<RecordStream<Attendee>> {
            if let Some(o) = &q.observer {
                o.on_page(5, None);
            }
            let mut items: Vec<Result<Attendee>> = people().into_iter().map(Ok).collect();
            if let Some(n) = self.fail_after {
                items.truncate(n);
                items.push(Err(Error::transport(Vendor::WeCom, "connection reset")));
            }
            Ok(stream::iter(items).boxed())
        }
        async fn registrations(&self, _q: &MeetingQuery) -> Result<RecordStream<Registration>> {
            if !self.enrollment {
                return Err(Error::new(ErrorKind::EnrollmentNotEnabled, "no enrollment"));
            }
            let mut r = Registration::new(Vendor::WeCom, "m1");
            r.user_id = Some("u0".into());
            r.status = Some(RegistrationStatus::Approved);
            let mut absent = Registration::new(Vendor::WeCom, "m1");
            absent.user_id = Some("u9".into());
            absent.status = Some(RegistrationStatus::Approved);
            Ok(stream::iter(vec![Ok(r), Ok(absent)]).boxed())
        }
    }

    fn plan(format: Format, path: Option<std::path::PathBuf>) -> OutputPlan {
        OutputPlan {
            format,
            path,
            quiet: true,
            tz: UtcOffset::UTC,
            csv: crate::output::CsvOptions::default(),
            conflict: None,
        }
    }

    #[test]
    fn only_the_error_kind_makes_a_broken_pipe() {
        let named = plan(Format::Csv, Some("Broken pipe.csv".into()));
        let denied = io_error(&named, io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(matches!(denied, CliError::Io(_)), "{denied:?}");
        assert_eq!(denied.exit_code(), 1);
        let closed = io_error(
            &plan(Format::Csv, None),
            io::Error::from(io::ErrorKind::BrokenPipe),
        );
        assert!(matches!(closed, CliError::BrokenPipe), "{closed:?}");
        assert_eq!(closed.exit_code(), 0);
    }

    #[tokio::test]
    async fn attendees_are_written_and_the_file_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let fake = Fake {
            fail_after: None,
            enrollment: true,
        };
        let w = attendees(
            &fake,
            MeetingQuery::new("m1"),
            &plan(Format::Jsonl, Some(path.clone())),
        )
        .await
        .unwrap();
        assert_eq!(
            w,
            Written {
                records: 5,
                pages: 1
            }
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let back: Vec<Attendee> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back, people());
    }

    #[tokio::test]
    async fn a_failed_export_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let fake = Fake {
            fail_after: Some(3),
            enrollment: true,
        };
        let err = attendees(
            &fake,
            MeetingQuery::new("m1"),
            &plan(Format::Csv, Some(path.clone())),
        )
        .await
        .unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn report_reconciles_and_summarises() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let fake = Fake {
            fail_after: None,
            enrollment: true,
        };
        let s = report(
            &fake,
            MeetingQuery::new("m1"),
            &plan(Format::Json, Some(path.clone())),
            T0,
            None,
        )
        .await
        .unwrap();
        // u0 registered and came; u9 registered and did not; u1, u2 walked in.
        assert_eq!(
            (s.registered, s.attended, s.no_shows, s.walk_ins),
            (2, 3, 1, 2)
        );
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0]["user_id"], "u0");
        assert_eq!(rows[0]["sessions"], 2);
        // u0 sessions: 0-10 and 3-13 minutes → 13 minutes merged.
        assert_eq!(rows[0]["attended_seconds"], 13 * 60);
    }

    #[tokio::test]
    async fn report_without_enrollment_counts_walk_ins() {
        let fake = Fake {
            fail_after: None,
            enrollment: false,
        };
        let dir = tempfile::tempdir().unwrap();
        let s = report(
            &fake,
            MeetingQuery::new("m1"),
            &plan(Format::Table, Some(dir.path().join("t.txt"))),
            T0,
            None,
        )
        .await
        .unwrap();
        assert_eq!((s.registered, s.walk_ins), (0, 3));
        let text = std::fs::read_to_string(dir.path().join("t.txt")).unwrap();
        assert!(text.contains("walk-ins     3"), "{text}");
    }
}
