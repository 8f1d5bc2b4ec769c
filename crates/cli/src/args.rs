//! The command line. Command and flag names are a contract: scripts call them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use roster_core::{RegistrationFilter, Vendor};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Export meeting attendance from WeCom, Tencent Meeting and Quanshi.
///
/// Credentials come from environment variables (ROSTER_WECOM_*, ROSTER_TENCENT_*,
/// ROSTER_QUANSHI_*) or a roster.toml profile; `roster sandbox` prints a working set for the local
/// emulator. Exit status: 0 success, 1 vendor or network error, 2 usage or configuration error.
#[derive(Debug, Parser)]
#[command(name = "roster", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export every join session of a meeting.
    Attendees(AttendeesArgs),
    /// Export a meeting's enrollments (WeCom, Tencent) or invitations (Quanshi).
    Registrations(RegistrationsArgs),
    /// One row per person (registered? attended? for how long?), then a summary.
    Report(ReportArgs),
    /// List the organisation's meetings starting in a time range.
    Meetings(MeetingsArgs),
    /// Find the ended meetings of a range and write their sessions and registrations into the
    /// store.
    Sync(SyncArgs),
    /// Receive the vendors' push events (joins and leaves as they happen) into the store.
    Listen(ListenArgs),
    /// Who is in a meeting now: from the vendor's real-time list (`--vendor`), else from the
    /// pushed events in the store.
    Live(LiveArgs),
    /// The waiting room's log of a meeting: every stay, before, during and after it (WeCom,
    /// Tencent Meeting).
    WaitingRoom(MeetingCommandArgs),
    /// Every sign-in (签到) of a meeting, round by round (Tencent Meeting).
    SignIns(MeetingCommandArgs),
    /// Tencent Meeting's participants export: per-person totals the vendor computes (an
    /// asynchronous job: submitted, waited for, downloaded).
    ExportJob(ExportJobArgs),
    /// Run all three vendors through the real clients against the embedded sandbox.
    Demo(DemoArgs),
    /// Serve the vendor emulator until Ctrl-C, for offline development.
    Sandbox(SandboxArgs),
}

/// The platform, as spelled on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VendorArg {
    /// WeCom (企业微信).
    Wecom,
    /// Tencent Meeting (腾讯会议).
    TencentMeeting,
    /// Quanshi (全时).
    Quanshi,
}

impl From<VendorArg> for Vendor {
    fn from(v: VendorArg) -> Self {
        match v {
            VendorArg::Wecom => Vendor::WeCom,
            VendorArg::TencentMeeting => Vendor::TencentMeeting,
            VendorArg::Quanshi => Vendor::Quanshi,
        }
    }
}

/// Which meeting to read, and where the credentials come from.
#[derive(Debug, Clone, Args)]
pub struct Selection {
    /// The platform.
    #[arg(long, value_enum)]
    pub vendor: VendorArg,

    /// The meeting id (Quanshi: the eventId).
    #[arg(long, required_unless_present = "join_url")]
    pub meeting: Option<String>,

    /// One occurrence of a recurring meeting (default: the current one).
    #[arg(long)]
    pub sub_meeting: Option<String>,

    /// Start of the join-time range: RFC 3339 (2026-03-01T09:00:00+08:00) or Unix seconds.
    #[arg(long, value_parser = parse_time)]
    pub from: Option<OffsetDateTime>,

    /// End of the join-time range (exclusive): RFC 3339 or Unix seconds.
    #[arg(long, value_parser = parse_time)]
    pub to: Option<OffsetDateTime>,

    /// Quanshi: select the meeting by its attendee join link.
    #[arg(long)]
    pub join_url: Option<String>,

    /// Override the vendor's API base URL (e.g. the sandbox's http://127.0.0.1:8080).
    #[arg(long)]
    pub base_url: Option<String>,

    /// Use this profile of the configuration file.
    #[arg(long)]
    pub profile: Option<String>,

    /// Configuration file (default: $ROSTER_CONFIG, else ./roster.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// One meeting of one vendor, and where the credentials come from (no occurrence and no time
/// range: the waiting-room and sign-in lists have neither).
#[derive(Debug, Clone, Args)]
pub struct MeetingRef {
    /// The platform.
    #[arg(long, value_enum)]
    pub vendor: VendorArg,

    /// The meeting id.
    #[arg(long)]
    pub meeting: String,

    /// Override the vendor's API base URL (e.g. the sandbox's http://127.0.0.1:8080).
    #[arg(long)]
    pub base_url: Option<String>,

    /// Use this profile of the configuration file.
    #[arg(long)]
    pub profile: Option<String>,

    /// Configuration file (default: $ROSTER_CONFIG, else ./roster.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl MeetingRef {
    /// As a [`Selection`] of `sub_meeting`, without a time range or join link.
    pub fn selection(&self, sub_meeting: Option<String>) -> Selection {
        Selection {
            vendor: self.vendor,
            meeting: Some(self.meeting.clone()),
            sub_meeting,
            from: None,
            to: None,
            join_url: None,
            base_url: self.base_url.clone(),
            profile: self.profile.clone(),
            config: self.config.clone(),
        }
    }
}

/// `roster waiting-room` and `roster sign-ins`.
#[derive(Debug, Clone, Args)]
pub struct MeetingCommandArgs {
    /// Which meeting.
    #[command(flatten)]
    pub meeting: MeetingRef,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `roster export-job` (Tencent Meeting).
#[derive(Debug, Clone, Args)]
pub struct ExportJobArgs {
    /// The meeting id.
    #[arg(long)]
    pub meeting: String,

    /// The occurrence of a recurring meeting (required for those by the vendor).
    #[arg(long)]
    pub sub_meeting: Option<String>,

    /// Start of the join-time range: RFC 3339 or Unix seconds (at most 90 days before --to).
    /// Without --from, --to and --sub-meeting: a recurring meeting's current occurrence, or
    /// from a day before the meeting's scheduled start.
    #[arg(long, value_parser = parse_time)]
    pub from: Option<OffsetDateTime>,

    /// End of the join-time range (default: now, or 90 days after --from).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<OffsetDateTime>,

    /// Save the vendor's own file here instead of writing records (`.xlsx`: the vendor's
    /// workbook; anything else: its JSON).
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub vendor_file: Option<PathBuf>,

    /// How long to wait for the job, in minutes.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub wait_minutes: u64,

    /// Override the vendor's API base URL (e.g. the sandbox's http://127.0.0.1:8080).
    #[arg(long)]
    pub base_url: Option<String>,

    /// Use this profile of the configuration file.
    #[arg(long)]
    pub profile: Option<String>,

    /// Configuration file (default: $ROSTER_CONFIG, else ./roster.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Output (the per-person rows).
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `roster meetings`: which meetings, and where the credentials come from.
#[derive(Debug, Clone, Args)]
pub struct MeetingsArgs {
    /// The platform.
    #[arg(long, value_enum)]
    pub vendor: VendorArg,

    /// Meetings starting at or after this time: RFC 3339 or Unix seconds.
    #[arg(long, value_parser = parse_time)]
    pub from: OffsetDateTime,

    /// Meetings starting before this time (default: now).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<OffsetDateTime>,

    /// Only meetings in this state (repeatable; default: every state the vendor lists).
    #[arg(long, value_enum)]
    pub state: Vec<StateArg>,

    /// Override the vendor's API base URL (e.g. the sandbox's http://127.0.0.1:8080).
    #[arg(long)]
    pub base_url: Option<String>,

    /// Use this profile of the configuration file.
    #[arg(long)]
    pub profile: Option<String>,

    /// Configuration file (default: $ROSTER_CONFIG, else ./roster.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `roster sync`: which meetings, which store, and where the credentials come from.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// The platform, or `all` (each with its own rate budget, at the same time).
    #[arg(long, value_enum, default_value_t = SyncVendorArg::All)]
    pub vendor: SyncVendorArg,

    /// Meetings starting at or after this time: RFC 3339 or Unix seconds (default: where the
    /// last sync of each vendor ended, less two days).
    #[arg(long, value_parser = parse_time)]
    pub from: Option<OffsetDateTime>,

    /// Meetings starting before this time (default: now).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<OffsetDateTime>,

    /// The store.
    #[command(flatten)]
    pub store: StoreArg,

    /// Override the vendor's API base URL (e.g. the sandbox's http://127.0.0.1:8080).
    #[arg(long)]
    pub base_url: Option<String>,

    /// Use this profile of the configuration file.
    #[arg(long)]
    pub profile: Option<String>,

    /// Configuration file (default: $ROSTER_CONFIG, else ./roster.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// No per-meeting notes, only the summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A store URL given on the command line; `Debug` shows it without its password.
#[derive(Clone)]
pub struct DbUrl(pub String);

impl std::str::FromStr for DbUrl {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = url_without_password(&self.0).unwrap_or_else(|| self.0.clone());
        f.debug_tuple("DbUrl").field(&shown).finish()
    }
}

/// `--db` of the commands that use the store. `Debug` shows the URL without its password.
#[derive(Clone, Args)]
pub struct StoreArg {
    /// The store: a SQLite file (`sqlite:PATH` or a path) or `postgres://…` (from `ROSTER_DB`
    /// when not given: a password there stays out of the process list).
    #[arg(
        long,
        env = "ROSTER_DB",
        hide_env_values = true,
        default_value = "roster.db",
        value_parser = trimmed
    )]
    pub db: String,
}

/// Like every `ROSTER_*` setting, the store's URL is trimmed (a value pasted with a newline).
fn trimmed(value: &str) -> Result<String, String> {
    match value.trim() {
        "" => Err("the store must not be blank".to_owned()),
        v => Ok(v.to_owned()),
    }
}

impl std::fmt::Debug for StoreArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreArg")
            .field("db", &self.shown())
            .finish()
    }
}

impl StoreArg {
    /// The store as it may be shown: a PostgreSQL URL without its password.
    pub fn shown(&self) -> String {
        url_without_password(&self.db).unwrap_or_else(|| self.db.clone())
    }

    /// Opens the store (an error names it, without a password).
    pub async fn open(&self) -> Result<Box<dyn roster_store::Store>, crate::error::CliError> {
        roster_store::open(&self.db)
            .await
            .map_err(|e| crate::error::CliError::Io(format!("{}: {e}", self.shown())))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db` (none for other values).
fn url_without_password(db: &str) -> Option<String> {
    let (scheme, rest) = db.split_once("://")?;
    // The authority ends at the first `/` or `?`; its credentials at its last `@` (a
    // password may hold an unencoded `@`).
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rsplit_once('@') {
        Some((auth, host)) => {
            let user = auth.split(':').next().unwrap_or("");
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    // A `password=` in the query goes too.
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.to_ascii_lowercase().starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    Some(format!("{scheme}://{host}{tail}"))
}

/// The platforms `roster sync` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncVendorArg {
    /// Every platform configured.
    All,
    /// WeCom (企业微信).
    Wecom,
    /// Tencent Meeting (腾讯会议).
    TencentMeeting,
    /// Quanshi (全时).
    Quanshi,
}

impl SyncVendorArg {
    /// The vendors this stands for.
    pub fn vendors(self) -> Vec<Vendor> {
        match self {
            SyncVendorArg::All => vec![Vendor::WeCom, Vendor::TencentMeeting, Vendor::Quanshi],
            SyncVendorArg::Wecom => vec![Vendor::WeCom],
            SyncVendorArg::TencentMeeting => vec![Vendor::TencentMeeting],
            SyncVendorArg::Quanshi => vec![Vendor::Quanshi],
        }
    }
}

/// A meeting state, as spelled on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    /// Not started yet.
    Upcoming,
    /// In progress.
    Live,
    /// Over.
    Ended,
}

impl From<StateArg> for roster_core::MeetingState {
    fn from(s: StateArg) -> Self {
        match s {
            StateArg::Upcoming => roster_core::MeetingState::Upcoming,
            StateArg::Live => roster_core::MeetingState::Live,
            StateArg::Ended => roster_core::MeetingState::Ended,
        }
    }
}

/// How to write the result.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write to this file (atomically: a failed export leaves no file) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,

    /// Show table times in UTC instead of the local offset.
    #[arg(long)]
    pub utc: bool,

    /// The encoding of CSV: utf8 (default), utf8-bom or gbk (what Chinese-locale Excel opens
    /// without garbling).
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub csv_encoding: Option<CsvEncoding>,

    /// With --csv-encoding gbk: write '?' for a character GBK cannot hold (else an error that
    /// names the record).
    #[arg(long)]
    pub lossy: bool,

    /// CSV for Excel: the same as --format csv --csv-encoding utf8-bom.
    #[arg(long)]
    pub excel: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// RFC 4180 CSV with a header row; nested values as JSON text.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// One JSON array.
    Json,
    /// An Excel workbook (needs --output): a sheet with a frozen header, times as Excel
    /// date-times in the chosen zone, numbers as numbers.
    Xlsx,
}

/// The character encoding of CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CsvEncoding {
    /// UTF-8 (the default).
    #[default]
    Utf8,
    /// UTF-8 with a byte-order mark: what Excel needs to read UTF-8 (Chinese names included).
    #[value(name = "utf8-bom")]
    Utf8Bom,
    /// GBK (the code page of Chinese-locale Windows).
    Gbk,
}

/// `roster attendees`.
#[derive(Debug, Clone, Args)]
pub struct AttendeesArgs {
    /// Which meeting.
    #[command(flatten)]
    pub selection: Selection,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `roster registrations`.
#[derive(Debug, Clone, Args)]
pub struct RegistrationsArgs {
    /// Which meeting.
    #[command(flatten)]
    pub selection: Selection,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Which enrollments to list.
    #[arg(long, value_enum, default_value_t = StatusArg::All)]
    pub status: StatusArg,
}

/// `roster report`: one meeting from the vendor, or (`--db`) every person across the stored
/// meetings of a range.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The platform (not with --db).
    #[arg(
        long,
        value_enum,
        required_unless_present = "db",
        conflicts_with = "db"
    )]
    pub vendor: Option<VendorArg>,

    /// The meeting id (Quanshi: the eventId).
    #[arg(long, required_unless_present_any = ["join_url", "db"], conflicts_with = "db")]
    pub meeting: Option<String>,

    /// One occurrence of a recurring meeting (default: the current one).
    #[arg(long, conflicts_with = "db")]
    pub sub_meeting: Option<String>,

    /// Start of the range: join times, or with --db the meetings' starts. RFC 3339 or Unix
    /// seconds.
    #[arg(long, value_parser = parse_time)]
    pub from: Option<OffsetDateTime>,

    /// End of the range (exclusive; with --db default now).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<OffsetDateTime>,

    /// Quanshi: select the meeting by its attendee join link.
    #[arg(long, conflicts_with = "db")]
    pub join_url: Option<String>,

    /// Report from the store instead (`sqlite:PATH`, a path, or `postgres://…`): one row per
    /// person across the meetings starting in --from..--to.
    #[arg(long, requires = "from")]
    pub db: Option<DbUrl>,

    /// Override the vendor's API base URL (e.g. the sandbox's http://127.0.0.1:8080).
    #[arg(long)]
    pub base_url: Option<String>,

    /// Use this profile of the configuration file.
    #[arg(long)]
    pub profile: Option<String>,

    /// Configuration file (default: $ROSTER_CONFIG, else ./roster.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The people expected (CSV or xlsx; a header with name/姓名 and any of
    /// user_id/工号, phone/手机, email/邮箱, department/部门): each gets a status, absent
    /// with no session; the others of the meeting follow. With --db: expected at every
    /// meeting of the range.
    #[arg(long, value_name = "FILE")]
    pub expected: Option<PathBuf>,

    /// Minutes a person must attend to be present.
    #[arg(long, value_name = "N")]
    pub min_minutes: Option<u32>,

    /// Share of the meeting's actual length (first join to last leave) a person must attend.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub min_percent: Option<f64>,

    /// A first join more than this many minutes after the start is late.
    #[arg(long, value_name = "MINUTES")]
    pub late_after: Option<u32>,

    /// Class periods (CSV or xlsx: name, start, end; HH:MM on the meeting's day, or full
    /// times): minutes per person per period.
    #[arg(long, value_name = "FILE", conflicts_with = "db")]
    pub periods: Option<PathBuf>,

    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not between 0 and 100"))
    }
}

impl ReportArgs {
    /// Whether any attendance rule is given.
    pub fn has_rules(&self) -> bool {
        self.expected.is_some()
            || self.min_minutes.is_some()
            || self.min_percent.is_some()
            || self.late_after.is_some()
            || self.periods.is_some()
    }

    /// The meeting selection of a live report (none with --db).
    pub fn selection(&self) -> Option<Selection> {
        Some(Selection {
            vendor: self.vendor?,
            meeting: self.meeting.clone(),
            sub_meeting: self.sub_meeting.clone(),
            from: self.from,
            to: self.to,
            join_url: self.join_url.clone(),
            base_url: self.base_url.clone(),
            profile: self.profile.clone(),
            config: self.config.clone(),
        })
    }
}

/// Enrollment status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Every enrollment.
    All,
    /// Waiting for approval.
    Pending,
    /// Rejected.
    Rejected,
    /// Approved.
    Approved,
}

impl From<StatusArg> for RegistrationFilter {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::All => RegistrationFilter::All,
            StatusArg::Pending => RegistrationFilter::Pending,
            StatusArg::Rejected => RegistrationFilter::Rejected,
            StatusArg::Approved => RegistrationFilter::Approved,
        }
    }
}

/// `roster listen`: where to listen and which store to write; the subscriptions come from
/// `ROSTER_TENCENT_WEBHOOK_TOKEN` (and `_AES_KEY`) and `ROSTER_WECOM_CALLBACK_TOKEN`,
/// `ROSTER_WECOM_CALLBACK_AES_KEY` with `ROSTER_WECOM_CORP_ID`.
#[derive(Debug, Clone, Args)]
pub struct ListenArgs {
    /// Address to listen on (plain HTTP behind a TLS-terminating reverse proxy, or HTTPS with
    /// --tls-cert and --tls-key).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,

    /// Serve the subscription of this profile of the configuration file, at
    /// `/{vendor}/{profile}` (repeat for several apps; without it: one app, `default`, from
    /// the environment and the default profile). The profile's API credentials, when it has
    /// them, are used to reconcile its meetings.
    #[arg(long)]
    pub profile: Vec<String>,

    /// Configuration file (default: $ROSTER_CONFIG, else ./roster.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A meeting with no push for this many seconds counts as ended (when its end event never
    /// came) and is reconciled with its pulled list.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub quiet_after: u64,

    /// Pull a meeting's list this many seconds after its end event (the vendor's list may
    /// still be filling in at the end).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub settle_after: u64,

    /// Do not pull attendee lists to reconcile ended meetings (store the pushes only).
    #[arg(long)]
    pub no_reconcile: bool,

    /// Serve HTTPS with this certificate chain (PEM; with --tls-key). Without it: plain HTTP,
    /// for a reverse proxy that terminates TLS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The certificate's private key (PEM; with --tls-cert).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// The store.
    #[command(flatten)]
    pub store: StoreArg,
}

/// `roster live`: the people in a meeting now (a pushed join without its leave).
#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArg,

    /// Ask the vendor's real-time list instead of the store (needs --meeting; Quanshi: its
    /// terminal list).
    #[arg(long, value_enum, requires = "meeting", conflicts_with = "seen")]
    pub vendor: Option<VendorArg>,

    /// Only this meeting.
    #[arg(long)]
    pub meeting: Option<String>,

    /// With --vendor: one occurrence of a recurring meeting (default: the current one).
    #[arg(long, requires = "vendor")]
    pub sub_meeting: Option<String>,

    /// With --vendor: override the vendor's API base URL.
    #[arg(long, requires = "vendor")]
    pub base_url: Option<String>,

    /// With --vendor: use this profile of the configuration file.
    #[arg(long, requires = "vendor")]
    pub profile: Option<String>,

    /// With --vendor: the configuration file (default: $ROSTER_CONFIG, else ./roster.toml).
    #[arg(long, value_name = "FILE", requires = "vendor")]
    pub config: Option<PathBuf>,

    /// Instead of who is in: the meeting's pulled sessions once it is reconciled, each marked
    /// `live` (its join pushed before the end), `late` (pushed after it) or `pull_only`
    /// (needs --meeting).
    #[arg(long, requires = "meeting")]
    pub seen: bool,

    /// How to write the result.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `roster demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seed of the generated meetings.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

/// `roster sandbox`.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seed of the generated meetings [default: 7, or the configuration file's].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Share of requests that get an injected fault, 0 to 1 [default: 0, or the file's].
    #[arg(long, value_parser = parse_rate)]
    pub fault_rate: Option<f64>,
    /// Load meetings from this JSON fixture.
    #[arg(long, value_name = "FILE")]
    pub fixture: Option<PathBuf>,
    /// The emulator's full configuration (`SandboxConfig` of roster-sandbox) as JSON, or TOML
    /// when the name ends in .toml: data sizes, rate limits, token lifetimes, latency, faults.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Parses RFC 3339 or Unix seconds.
pub fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = t
            .parse()
            .map_err(|_| format!("{t:?} is too large for Unix seconds"))?;
        return OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|_| format!("{t} is out of range for Unix seconds"));
    }
    OffsetDateTime::parse(t, &Rfc3339).map_err(|_| {
        format!("{t:?} is not a time: use RFC 3339 (2026-03-01T09:00:00+08:00) or Unix seconds")
    })
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("{r} is not between 0 and 1"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn store_urls_are_shown_without_their_password() {
        for (url, shown) in [
            (
                "postgres://roster:s3cret@db:5432/roster",
                "postgres://roster@db:5432/roster",
            ),
            (
                "postgres://roster:p@ss@db/roster",
                "postgres://roster@db/roster",
            ),
            (
                "postgresql://db/roster?user=r&password=s3cret&sslmode=disable",
                "postgresql://db/roster?user=r&sslmode=disable",
            ),
            ("postgres://db/roster?password=x", "postgres://db/roster"),
        ] {
            assert_eq!(super::url_without_password(url).as_deref(), Some(shown));
        }
        assert_eq!(super::url_without_password("roster.db"), None);
        let arg = super::StoreArg {
            db: "postgres://roster:s3cret@db/roster".into(),
        };
        assert!(!format!("{arg:?}").contains("s3cret"));
    }

    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn times_parse_both_ways() {
        let a = parse_time("1772326800").unwrap();
        let b = parse_time("2026-03-01T09:00:00+08:00").unwrap();
        assert_eq!(a, b);
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("99999999999999999999").is_err());
        assert!(parse_time("").is_err());
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "roster",
            "attendees",
            "--vendor",
            "tencent-meeting",
            "--meeting",
            "123",
            "--from",
            "0",
            "--format",
            "jsonl",
            "-q",
        ])
        .unwrap();
        let Command::Attendees(a) = cli.command else {
            panic!("attendees")
        };
        assert_eq!(a.selection.vendor, VendorArg::TencentMeeting);
        assert_eq!(a.output.format, Format::Jsonl);
        assert!(a.output.quiet);

        // --meeting may be replaced by --join-url, but one of them is required.
        assert!(Cli::try_parse_from(["roster", "attendees", "--vendor", "quanshi"]).is_err());
        assert!(
            Cli::try_parse_from([
                "roster",
                "registrations",
                "--vendor",
                "quanshi",
                "--join-url",
                "https://mtest.qsh1.cn/k/x",
                "--status",
                "approved"
            ])
            .is_ok()
        );
        assert!(Cli::try_parse_from(["roster", "sandbox", "--fault-rate", "1.5"]).is_err());
    }
}
