//! The participants export (导出参会成员概览): an asynchronous job that gives each person's
//! **cumulative** time in one meeting (docs/specs/tencent-meeting.md §12.3).
//!
//! 1. [`TencentMeetingClient::submit_participants_export`]:
//!    `POST /v1/meetings/export-participants-list`, a signed JSON body, gives a job id;
//! 2. [`TencentMeetingClient::export_job`]: `GET /v1/export/{job_id}`, the job's state;
//!    [`TencentMeetingClient::wait_for_export`] polls it on the client's clock until it is
//!    done (`ExportWait`: every 5 s, for at most 10 min by default);
//! 3. [`TencentMeetingClient::download_export`]: a plain, unsigned `GET` of the download link
//!    (valid two hours), through the client's HTTP client and its body cap;
//! 4. [`decode_export_file`] reads the file leniently and [`roster_entry_from_row`] maps each
//!    person to a [`RosterEntry`]; [`TencentMeetingClient::participants_export`] does it all.
//!
//! The download link is a credential of sorts (whoever holds it reads the file): it is an
//! [`ExportUrl`], never shown by `Debug`, never put in an error or a log.
//!
//! The file's layout is undocumented (§12.3 "Not found"); roster reads the sandbox's layout
//! with the aliases the spec lists, keeps unknown keys in [`ExportRow::extra`], accepts an
//! array or an object with a `participants` array, and when the layout is not recognised at
//! all, `participants_export` falls back to computing the same totals from the participants
//! list (§4.1) instead of failing.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use roster_core::wire::{unix_seconds_or_millis, value_as_bool, value_as_i64, value_as_string};
use roster_core::{
    Error, ErrorKind, ExposeSecret, MeetingQuery, RawResponse, ReconcileOptions, Result,
    RetryClass, RosterEntry, SecretString, Vendor, reconcile_with,
};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use url::Url;

use crate::client::TencentMeetingClient;
use crate::decode::{DecodedText, decode_base64_text};
use crate::errors::endpoint;
use crate::realtime::occurrence_of;
use crate::target::validate_id;
use crate::wire::{ExportCreateResponse, ExportJobResponse};

/// Longest export window the vendor accepts: 90 days ("间隔时间跨度需小于等于90天").
pub const MAX_EXPORT_SPAN: time::Duration = time::Duration::days(90);

/// Longest job id accepted (the vendor's are 36-character UUIDs).
pub const MAX_JOB_ID_LEN: usize = 128;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ExportFileType {
    /// `json`: what roster reads ([`decode_export_file`]).
    #[default]
    Json,
    /// `xlsx` (the vendor's default): downloaded as bytes, not read by roster.
    Xlsx,
}

impl ExportFileType {
    /// The wire value (`json`, `xlsx`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFileType::Json => "json",
            ExportFileType::Xlsx => "xlsx",
        }
    }
}

impl fmt::Display for ExportFileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to export: a meeting (an occurrence of a recurring one), optionally a join-time range,
/// and a file type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportRequest {
    /// The meeting id.
    pub meeting_id: String,
    /// The occurrence of a recurring meeting (required by the vendor for those;
    /// [`TencentMeetingClient::participants_export`] fills in the current one).
    pub sub_meeting_id: Option<String>,
    /// Start of the join-time filter (`start_time`, whole Unix seconds). Without both ends
    /// the vendor's defaults apply: only `from`, up to now; only `to`, the 31 days before;
    /// neither, the last 31 days.
    pub from: Option<OffsetDateTime>,
    /// End of the join-time filter (`end_time`, whole Unix seconds; at most 90 days after
    /// `from`).
    pub to: Option<OffsetDateTime>,
    /// The file format (default json).
    pub file_type: ExportFileType,
}

impl ExportRequest {
    /// An export of `meeting_id` as json, without occurrence or range.
    pub fn new(meeting_id: impl Into<String>) -> Self {
        Self {
            meeting_id: meeting_id.into(),
            sub_meeting_id: None,
            from: None,
            to: None,
            file_type: ExportFileType::Json,
        }
    }

    /// Selects an occurrence of a recurring meeting.
    pub fn sub_meeting(mut self, id: impl Into<String>) -> Self {
        self.sub_meeting_id = Some(id.into());
        self
    }

    /// Sets the start of the join-time filter.
    pub fn from(mut self, from: OffsetDateTime) -> Self {
        self.from = Some(from);
        self
    }

    /// Sets the end of the join-time filter.
    pub fn to(mut self, to: OffsetDateTime) -> Self {
        self.to = Some(to);
        self
    }

    /// Sets both ends of the join-time filter.
    pub fn between(self, from: OffsetDateTime, to: OffsetDateTime) -> Self {
        self.from(from).to(to)
    }

    /// Sets the file format.
    pub fn file_type(mut self, file_type: ExportFileType) -> Self {
        self.file_type = file_type;
        self
    }

    /// Checks the request locally: ids, `from ≤ to`, a span of at most 90 days, times after
    /// 1970.
    pub fn validate(&self) -> Result<()> {
        validate_id("meeting id", &self.meeting_id)?;
        if let Some(sub) = &self.sub_meeting_id {
            validate_id("sub-meeting id", sub)?;
        }
        for t in [self.from, self.to].into_iter().flatten() {
            if t.unix_timestamp() <= 0 {
                return Err(Error::invalid_argument(
                    "export times must be after 1970-01-01",
                ));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(Error::invalid_argument(
                    "the export range starts after it ends",
                ));
            }
            if to - from > MAX_EXPORT_SPAN {
                return Err(Error::invalid_argument(
                    "the export range is longer than the vendor's 90 days: split it",
                ));
            }
        }
        Ok(())
    }

    /// The JSON body sent, compact, in the order of docs/specs/tencent-meeting.md §12.3:
    /// `meeting_id`, `sub_meeting_id`, `operator_id`, `operator_id_type`, `start_time`,
    /// `end_time`, `file_type` (absent values left out; times as numbers).
    pub fn body(&self, operator_id: &str) -> String {
        let text = |s: &str| Value::String(s.to_string()).to_string();
        let mut fields = vec![format!("\"meeting_id\":{}", text(&self.meeting_id))];
        if let Some(sub) = &self.sub_meeting_id {
            fields.push(format!("\"sub_meeting_id\":{}", text(sub)));
        }
        fields.push(format!("\"operator_id\":{}", text(operator_id)));
        fields.push("\"operator_id_type\":1".to_string());
        if let Some(from) = self.from {
            fields.push(format!("\"start_time\":{}", from.unix_timestamp()));
        }
        if let Some(to) = self.to {
            fields.push(format!("\"end_time\":{}", to.unix_timestamp()));
        }
        fields.push(format!("\"file_type\":{}", text(self.file_type.as_str())));
        format!("{{{}}}", fields.join(","))
    }
}

/// An export's download link: a signed storage URL valid for two hours. Never shown by
/// `Debug` (nor by any error or log of this crate); [`ExportUrl::expose_secret`] gives it.
#[derive(Clone)]
pub struct ExportUrl(SecretString);

impl ExportUrl {
    /// Wraps a link.
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }

    /// The link itself (handle with care: whoever has it can read the file).
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The host the link points at, if it is a URL (safe to show).
    pub fn host(&self) -> Option<String> {
        Url::parse(self.expose_secret())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    }
}

impl fmt::Debug for ExportUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExportUrl(<redacted>)")
    }
}

impl PartialEq for ExportUrl {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for ExportUrl {}

/// The state of an export job (`GET /v1/export/{job_id}`, docs/specs/tencent-meeting.md
/// §12.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportJob {
    /// `3`: still running.
    Processing,
    /// `1`: done; the file is at `url` (valid two hours).
    Done {
        /// The download link (redacted in `Debug`).
        url: ExportUrl,
    },
    /// `2`: failed, with the vendor's `error_msg` if it gave one.
    Failed {
        /// The vendor's reason.
        message: Option<String>,
    },
    /// A status this version does not know, as sent (treated as failed by
    /// [`TencentMeetingClient::wait_for_export`]).
    Unknown(i64),
}

/// How [`TencentMeetingClient::wait_for_export`] polls: every `interval` (default 5 s, at
/// least 1 s), giving up after `deadline` (default 10 min) on the client's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportWait {
    /// Time between polls.
    pub interval: Duration,
    /// Longest wait from the first poll.
    pub deadline: Duration,
}

impl Default for ExportWait {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            deadline: Duration::from_secs(600),
        }
    }
}

impl ExportWait {
    /// Sets the time between polls (at least 1 s is used).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the longest wait.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

/// Checks a job id before it goes into a path: non-empty, at most [`MAX_JOB_ID_LEN`]
/// characters of `A-Z a-z 0-9 - _`.
pub fn validate_job_id(job_id: &str) -> Result<()> {
    if job_id.is_empty()
        || job_id.len() > MAX_JOB_ID_LEN
        || !job_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::invalid_argument(format!(
            "the export job id {:?} is not a Tencent Meeting job id",
            roster_core::wire::excerpt(job_id)
        )));
    }
    Ok(())
}

fn job_failed(message: String) -> Error {
    Error::new(ErrorKind::JobFailed, message)
        .with_vendor(Vendor::TencentMeeting)
        .with_class(RetryClass::Fatal)
}

/// Statuses a download link answers with once it expired or was withdrawn.
const EXPIRED: [u16; 3] = [403, 404, 410];

/// Whether `e` is [`TencentMeetingClient::download_export`]'s "link expired" error.
pub fn is_expired_link(e: &Error) -> bool {
    e.kind() == ErrorKind::JobFailed && e.http_status().is_some_and(|s| EXPIRED.contains(&s))
}

impl TencentMeetingClient {
    /// Creates a participants export job (`POST /v1/meetings/export-participants-list`, the
    /// body of [`ExportRequest::body`], signed over its exact bytes) and returns its job id.
    /// The request is checked first ([`ExportRequest::validate`]), before any request.
    pub async fn submit_participants_export(&self, req: &ExportRequest) -> Result<String> {
        req.validate()?;
        let r: ExportCreateResponse = self
            .post_json(
                endpoint::EXPORT_CREATE,
                &["v1", "meetings", "export-participants-list"],
                req.body(&self.inner.operator_id),
            )
            .await?;
        match r.job_id.filter(|j| !j.trim().is_empty()) {
            Some(job) => {
                validate_job_id(&job).map_err(|_| {
                    Error::new(
                        ErrorKind::Decode,
                        "the export answer's job id is not one roster can poll",
                    )
                    .with_vendor(Vendor::TencentMeeting)
                })?;
                Ok(job)
            }
            None => Err(
                Error::new(ErrorKind::Decode, "the export answer has no job id")
                    .with_vendor(Vendor::TencentMeeting),
            ),
        }
    }

    /// The state of an export job (`GET /v1/export/{job_id}?operator_id=…&operator_id_type=1`).
    /// A job the vendor does not know (any more) fails with
    /// [`roster_core::ErrorKind::NotFound`] (code 10013).
    pub async fn export_job(&self, job_id: &str) -> Result<ExportJob> {
        validate_job_id(job_id)?;
        let mut q = crate::target::QueryString::new();
        q.push("operator_id", &self.inner.operator_id)
            .push("operator_id_type", "1");
        let r: ExportJobResponse = self
            .get_json(endpoint::EXPORT_JOB, &["v1", "export", job_id], &q)
            .await?;
        Ok(match r.status {
            Some(3) => ExportJob::Processing,
            Some(1) => match r.url {
                Some(url) => ExportJob::Done {
                    url: ExportUrl(url),
                },
                None => ExportJob::Failed {
                    message: Some("the job reported success without a download link".into()),
                },
            },
            Some(2) => ExportJob::Failed {
                message: r.error_msg.filter(|m| !m.trim().is_empty()),
            },
            Some(other) => ExportJob::Unknown(other),
            None => {
                return Err(
                    Error::new(ErrorKind::Decode, "the export job answer has no status")
                        .with_vendor(Vendor::TencentMeeting),
                );
            }
        })
    }

    /// Polls an export job on the client's clock until it is done, and returns its link.
    ///
    /// Every `wait.interval` while the job is processing; [`roster_core::ErrorKind::JobFailed`]
    /// when the job failed (with the vendor's reason), reports a status this version does
    /// not know, or is still processing when the next poll would be past `wait.deadline`.
    pub async fn wait_for_export(&self, job_id: &str, wait: ExportWait) -> Result<ExportUrl> {
        validate_job_id(job_id)?;
        let interval = wait.interval.max(Duration::from_secs(1));
        let clock = &self.inner.clock;
        let started = clock.now();
        loop {
            match self.export_job(job_id).await? {
                ExportJob::Done { url } => return Ok(url),
                ExportJob::Failed { message } => {
                    return Err(job_failed(match message {
                        Some(m) => format!("export job {job_id} failed: {m}"),
                        None => format!("export job {job_id} failed"),
                    }));
                }
                ExportJob::Unknown(status) => {
                    return Err(job_failed(format!(
                        "export job {job_id} reported status {status}, which roster does not know (1 done, 2 failed, 3 processing): treated as failed"
                    )));
                }
                ExportJob::Processing => {
                    let elapsed = clock.now() - started;
                    let next = elapsed + interval;
                    if next > wait.deadline {
                        return Err(job_failed(format!(
                            "export job {job_id} was still processing after {} s",
                            elapsed.whole_seconds().max(0)
                        ))
                        .with_hint(
                            "wait longer (a larger deadline), or poll the job again later",
                        ));
                    }
                    clock.sleep(interval).await;
                }
            }
        }
    }

    /// Downloads an export's file: a plain `GET` of the link, without any credential header,
    /// through the client's HTTP client (its timeouts and body cap apply; no redirect is
    /// followed). Transient failures are retried like every call.
    ///
    /// A link answered with 403, 404 or 410 has expired (links last two hours) or was
    /// withdrawn: [`roster_core::ErrorKind::JobFailed`] with that status
    /// ([`is_expired_link`]); poll the job again for a fresh link. Nothing of the link is put
    /// in any error.
    pub async fn download_export(&self, url: &ExportUrl) -> Result<Bytes> {
        let parsed = Url::parse(url.expose_secret())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    "the export download link is not an http(s) URL",
                )
                .with_vendor(Vendor::TencentMeeting)
            })?;
        let secret = url.expose_secret().to_string();
        let query = parsed.query().map(str::to_string);
        self.get_plain(endpoint::EXPORT_DOWNLOAD, parsed, move |r: RawResponse| {
            if r.is_success() {
                return Ok(r.body);
            }
            let status = r.status;
            if EXPIRED.contains(&status) {
                return Err(job_failed(format!(
                    "the export download link was refused with HTTP {status}: it expired (links last two hours) or was withdrawn"
                ))
                .with_status(status)
                .with_hint("poll the export job again for a fresh link"));
            }
            // An error page may echo the request: the link never reaches the snippet.
            let mut r = r.redact(&secret);
            if let Some(q) = query.as_deref() {
                r = r.redact(q);
            }
            Err(roster_core::http::unexpected_status(Vendor::TencentMeeting, &r))
        })
        .await
    }

    /// Every person of a meeting with their cumulative time, from the export job
    /// (docs/specs/tencent-meeting.md §12.3): submits `req` as json (whatever its file type),
    /// waits ([`Self::wait_for_export`]), downloads and reads the file
    /// ([`decode_export_file`], [`roster_entry_from_row`]).
    ///
    /// Without `sub_meeting_id` the meeting detail is read (one request): a recurring meeting
    /// is exported at its current occurrence ([`Self::current_occurrence`]); another meeting
    /// without a range is exported from a day before its scheduled start for up to 90 days
    /// (the vendor's own default, the last 31 days, would miss an older meeting). A link that expired before the download is renewed
    /// by one more poll; a second refusal fails. A file whose layout is not recognised is
    /// not an error: the totals are then computed from the participants list (§4.1) over
    /// the same occurrence and range, with open sessions counted up to now.
    pub async fn participants_export(
        &self,
        req: &ExportRequest,
        wait: ExportWait,
    ) -> Result<Vec<RosterEntry>> {
        let req = self
            .resolve_export(&req.clone().file_type(ExportFileType::Json))
            .await?;
        let (job, bytes) = self.export_file(&req, wait).await?;
        match decode_export_file(&bytes) {
            Ok(file) => Ok(file
                .rows
                .into_iter()
                .map(|row| roster_entry_from_row(row, &req.meeting_id))
                .collect::<Result<_>>()?),
            Err(e) => {
                tracing::warn!(
                    job,
                    error = %e,
                    "the export file's layout is not recognised; computing the totals from the participants list"
                );
                self.export_from_participants(&req).await
            }
        }
    }

    /// `req` checked and completed as [`Self::participants_export`] completes it: without
    /// `sub_meeting_id` the meeting detail is read (one request); a recurring meeting gets its
    /// current occurrence, another meeting without a range the range from a day before its
    /// scheduled start (up to 90 days, and not past now).
    pub async fn resolve_export(&self, req: &ExportRequest) -> Result<ExportRequest> {
        req.validate()?;
        let mut req = req.clone();
        if req.sub_meeting_id.is_none()
            && let Some(info) = self.meeting_detail(&req.meeting_id).await?
        {
            req.sub_meeting_id = occurrence_of(&info, &req.meeting_id)?;
            if req.sub_meeting_id.is_none() && req.from.is_none() && req.to.is_none() {
                // The vendor's default is the last 31 days: an older meeting would export
                // nobody. Read from a day before its scheduled start instead.
                let now = self.inner.clock.now();
                if let Some(from) = info
                    .start_time
                    .map(|start| start - time::Duration::DAY)
                    .filter(|from| *from < now)
                {
                    req.from = Some(from);
                    req.to = Some((from + MAX_EXPORT_SPAN).min(now));
                    tracing::debug!(meeting_id = %req.meeting_id, "export range from the meeting's schedule");
                }
            }
        }
        Ok(req)
    }

    /// The vendor's file of an export of `req` (taken as it is: see [`Self::resolve_export`]),
    /// with its job id: submitted, waited for, downloaded; a link that expired before the
    /// download is renewed by one more poll, and a second refusal fails.
    pub async fn export_file(
        &self,
        req: &ExportRequest,
        wait: ExportWait,
    ) -> Result<(String, Bytes)> {
        let job = self.submit_participants_export(req).await?;
        let url = self.wait_for_export(&job, wait).await?;
        let bytes = match self.download_export(&url).await {
            Err(e) if is_expired_link(&e) => {
                tracing::debug!(
                    job,
                    "export link refused; polling once more for a fresh one"
                );
                let fresh = self.wait_for_export(&job, wait).await?;
                self.download_export(&fresh).await.map_err(|e| {
                    if is_expired_link(&e) {
                        job_failed(format!(
                            "the download link of export job {job} was refused twice: the export expired"
                        ))
                        .with_status(e.http_status().unwrap_or_default())
                    } else {
                        e
                    }
                })?
            }
            other => other?,
        };
        Ok((job, bytes))
    }

    /// The fallback of [`Self::participants_export`]: the same totals from the participants
    /// list, reconciled without registrations.
    async fn export_from_participants(&self, req: &ExportRequest) -> Result<Vec<RosterEntry>> {
        let mut query = MeetingQuery::new(req.meeting_id.clone());
        match &req.sub_meeting_id {
            Some(sub) => query = query.sub_meeting(sub.clone()),
            None => {
                if let Some(from) = req.from {
                    query = query.from(from);
                }
                if let Some(to) = req.to {
                    query = query.to(to + time::Duration::SECOND);
                }
            }
        }
        let attendees: Vec<_> = self.attendees(&query).await?.try_collect().await?;
        let options = ReconcileOptions::default().open_sessions_until(self.inner.clock.now());
        Ok(reconcile_with(Vec::new(), attendees, &options))
    }
}

/// An export file, read leniently ([`decode_export_file`]).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ExportFile {
    /// One row per person.
    pub rows: Vec<ExportRow>,
    /// The top-level fields besides the rows (`meeting_id`, `subject`, `total_count` …);
    /// empty for a top-level array.
    pub meta: Map<String, Value>,
}

/// One person of an export file (docs/specs/tencent-meeting.md §12.3): the known fields under
/// any of their aliases, names matched case-insensitively; everything else in `extra`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ExportRow {
    /// Enterprise user id.
    pub userid: Option<String>,
    /// Per-meeting temporary id.
    pub ms_open_id: Option<String>,
    /// OAuth open id.
    pub open_id: Option<String>,
    /// The raw `user_name` (Base64 of the name).
    pub user_name: Option<String>,
    /// Enterprise member.
    pub is_enterprise_user: Option<bool>,
    /// Device type code.
    pub instanceid: Option<i64>,
    /// Role code.
    pub user_role: Option<i64>,
    /// First join (`first_join_time`, alias `join_time`).
    pub first_join_time: Option<OffsetDateTime>,
    /// Last leave (`last_left_time`, aliases `last_quit_time`, `left_time`).
    pub last_left_time: Option<OffsetDateTime>,
    /// Joins (`join_count`, alias `total_join_count`).
    pub join_count: Option<i64>,
    /// Seconds in the meeting (`cumulative_time`, aliases `total_duration`, `duration`).
    pub cumulative_time: Option<i64>,
    /// Every other key, as sent.
    pub extra: Map<String, Value>,
}

impl ExportRow {
    /// The display name decoded from Base64 ([`decode_base64_text`]).
    pub fn display_name(&self) -> Option<DecodedText> {
        self.user_name.as_deref().map(decode_base64_text)
    }

    /// Reads one row object; `None` for anything but an object.
    pub fn from_value(value: Value) -> Option<Self> {
        let Value::Object(map) = value else {
            return None;
        };
        let mut fields = Fields(map);
        Some(Self {
            userid: fields.take(&["userid"]).as_ref().and_then(value_as_string),
            ms_open_id: fields
                .take(&["ms_open_id"])
                .as_ref()
                .and_then(value_as_string),
            open_id: fields.take(&["open_id"]).as_ref().and_then(value_as_string),
            user_name: fields
                .take(&["user_name"])
                .as_ref()
                .and_then(value_as_string),
            is_enterprise_user: fields
                .take(&["is_enterprise_user"])
                .as_ref()
                .and_then(value_as_bool),
            instanceid: fields.take(&["instanceid"]).as_ref().and_then(value_as_i64),
            user_role: fields.take(&["user_role"]).as_ref().and_then(value_as_i64),
            first_join_time: fields
                .take(&["first_join_time", "join_time"])
                .as_ref()
                .and_then(export_time),
            last_left_time: fields
                .take(&["last_left_time", "last_quit_time", "left_time"])
                .as_ref()
                .and_then(export_time),
            join_count: fields
                .take(&["join_count", "total_join_count"])
                .as_ref()
                .and_then(value_as_i64),
            cumulative_time: fields
                .take(&["cumulative_time", "total_duration", "duration"])
                .as_ref()
                .and_then(value_as_i64),
            extra: fields.0,
        })
    }
}

/// The keys of a row object, taken out by name (case-insensitively, the first alias present
/// winning; the other aliases stay in what is left).
struct Fields(Map<String, Value>);

impl Fields {
    fn take(&mut self, names: &[&str]) -> Option<Value> {
        for name in names {
            let key = self
                .0
                .keys()
                .find(|k| k.eq_ignore_ascii_case(name))
                .cloned();
            if let Some(v) = key.and_then(|k| self.0.remove(&k))
                && !v.is_null()
            {
                return Some(v);
            }
        }
        None
    }
}

/// A time of the export file: Unix seconds or milliseconds (number or digits), or UTC+8
/// wall-clock text; `0` and `""` are none.
fn export_time(v: &Value) -> Option<OffsetDateTime> {
    match v {
        Value::String(s) if !s.trim().bytes().all(|b| b.is_ascii_digit()) => {
            roster_core::wire::parse_utc8_text(s)
        }
        _ => value_as_i64(v).and_then(unix_seconds_or_millis),
    }
}

/// Reads an export file: a JSON object with a `participants` array (any case), or a
/// top-level array of rows. Any other layout — not JSON, no rows array, a row that is not an
/// object — is a [`roster_core::ErrorKind::Decode`] error (never with the file's content).
pub fn decode_export_file(bytes: &[u8]) -> Result<ExportFile> {
    let layout = |what: &str| {
        Error::new(
            ErrorKind::Decode,
            format!("the export file's layout is not recognised: {what}"),
        )
        .with_vendor(Vendor::TencentMeeting)
    };
    let value: Value = serde_json::from_slice(bytes).map_err(|_| layout("not JSON"))?;
    let (rows, meta) = match value {
        Value::Array(rows) => (rows, Map::new()),
        Value::Object(mut map) => {
            let key = map
                .keys()
                .find(|k| k.eq_ignore_ascii_case("participants"))
                .cloned()
                .ok_or_else(|| layout("no participants array"))?;
            match map.remove(&key) {
                Some(Value::Array(rows)) => (rows, map),
                Some(Value::Null) => (Vec::new(), map),
                _ => return Err(layout("participants is not an array")),
            }
        }
        _ => return Err(layout("neither an object nor an array")),
    };
    let rows = rows
        .into_iter()
        .map(ExportRow::from_value)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| layout("a row is not an object"))?;
    Ok(ExportFile { rows, meta })
}

/// One person of an export as a [`RosterEntry`] of `meeting_id`: `attended` true,
/// `sessions` the join count (1 when absent), `attended_seconds` the cumulative time,
/// `first_join` and `last_leave`, the name decoded from Base64 (raw when undecodable), the
/// user id and `ms_open_id` as `temp_id`. No registration side.
///
/// [`RosterEntry`] has no public constructor and no `extra`: it is built through its serde
/// form, and the row's other fields are not carried over (read them from [`ExportRow`]).
pub fn roster_entry_from_row(row: ExportRow, meeting_id: &str) -> Result<RosterEntry> {
    let name = row.display_name().map(|d| match d {
        DecodedText::Text(t) | DecodedText::Undecodable(t) => t,
    });
    let rfc3339 = |t: Option<OffsetDateTime>| {
        t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
    };
    let sessions = row
        .join_count
        .filter(|n| *n > 0)
        .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX));
    let seconds = row
        .cumulative_time
        .map_or(0, |s| u64::try_from(s).unwrap_or(0));
    // A join without a last leave (`0` or absent): the person is still in the meeting.
    let still_in = row.first_join_time.is_some() && row.last_left_time.is_none();
    let value = serde_json::json!({
        "vendor": Vendor::TencentMeeting,
        "meeting_id": meeting_id,
        "display_name": name.filter(|n| !n.is_empty()),
        "user_id": row.userid.filter(|s| !s.trim().is_empty()),
        "temp_id": row.ms_open_id.filter(|s| !s.trim().is_empty()),
        "phone": null,
        "email": null,
        "registered": false,
        "registration_id": null,
        "registration_status": null,
        "answers": [],
        "matched_by": null,
        "attended": true,
        "sessions": sessions,
        "first_join": rfc3339(row.first_join_time),
        "last_leave": rfc3339(row.last_left_time),
        "attended_seconds": seconds,
        "still_in_meeting": still_in,
    });
    serde_json::from_value(value).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("cannot build a roster entry from an export row: {e}"),
        )
        .with_vendor(Vendor::TencentMeeting)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn body_is_compact_in_the_spec_order() {
        let r = ExportRequest::new("7567173273889276131");
        assert_eq!(
            r.body("owner1"),
            r#"{"meeting_id":"7567173273889276131","operator_id":"owner1","operator_id_type":1,"file_type":"json"}"#
        );
        let r = ExportRequest::new("1")
            .sub_meeting("1572085800")
            .between(
                datetime!(2019-10-26 10:30 UTC),
                datetime!(2019-10-26 11:30 UTC),
            )
            .file_type(ExportFileType::Xlsx);
        assert_eq!(
            r.body("张\"三"),
            r#"{"meeting_id":"1","sub_meeting_id":"1572085800","operator_id":"张\"三","operator_id_type":1,"start_time":1572085800,"end_time":1572089400,"file_type":"xlsx"}"#
        );
        let v: Value = serde_json::from_str(&r.body("x")).unwrap();
        assert_eq!(v["end_time"], json!(1572089400));
    }

    #[test]
    fn requests_are_checked_locally() {
        let t = datetime!(2026-01-01 00:00 UTC);
        ExportRequest::new("1")
            .between(t - time::Duration::days(90), t)
            .validate()
            .unwrap();
        for bad in [
            ExportRequest::new(""),
            ExportRequest::new("1/2"),
            ExportRequest::new("1").sub_meeting("x"),
            ExportRequest::new("1").between(t, t - time::Duration::SECOND),
            ExportRequest::new("1").between(t - time::Duration::days(91), t),
            ExportRequest::new("1").from(datetime!(1969-12-31 00:00 UTC)),
        ] {
            assert_eq!(
                bad.validate().unwrap_err().kind(),
                ErrorKind::InvalidArgument,
                "{bad:?}"
            );
        }
        validate_job_id("e1234567-f123-4d12-123a-12346192e332").unwrap();
        for bad in ["", "..", "a/b", "a b", "a?b", &"a".repeat(129)] {
            assert_eq!(
                validate_job_id(bad).unwrap_err().kind(),
                ErrorKind::InvalidArgument,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_url_never_shows() {
        let url = ExportUrl::new("https://cos.example.com/job1.json?sign=S3CRET&t=1");
        let job = ExportJob::Done { url: url.clone() };
        for shown in [format!("{url:?}"), format!("{job:?}"), format!("{job:#?}")] {
            assert!(
                !shown.contains("S3CRET") && !shown.contains("cos.example"),
                "{shown}"
            );
        }
        assert_eq!(url.host().as_deref(), Some("cos.example.com"));
        assert_eq!(
            url.expose_secret(),
            "https://cos.example.com/job1.json?sign=S3CRET&t=1"
        );
        assert_eq!(url, ExportUrl::new(url.expose_secret()));
        assert_eq!(ExportWait::default().interval, Duration::from_secs(5));
        assert_eq!(ExportWait::default().deadline, Duration::from_secs(600));
    }

    #[test]
    fn the_sandbox_layout_and_aliases() {
        let file = json!({"meeting_id": "1", "meeting_code": "746950080", "subject": "s",
        "sub_meeting_id": "", "start_time": 1572085800, "end_time": 1572089400, "total_count": 2,
        "participants": [
            {"user_name": "5byg5LiJ", "userid": "zhangsan", "ms_open_id": "ms-1", "open_id": "",
             "is_enterprise_user": true, "instanceid": 1, "user_role": 0,
             "first_join_time": 1572085800, "last_left_time": 1572089400, "join_count": 2,
             "cumulative_time": 3300, "audio_duration": 600, "video_duration": 0,
             "screen_shared_duration": 0, "department": "研发", "job_title": "工程师"},
            {"User_Name": "dGvzdDI=", "MS_OPEN_ID": "ms-2", "join_time": "1572085900",
             "last_quit_time": 1572086000000i64, "total_join_count": "1", "total_duration": "100",
             "duration": 5, "left_time": 1}
        ]});
        let f = decode_export_file(file.to_string().as_bytes()).unwrap();
        assert_eq!(f.meta["total_count"], json!(2));
        assert!(!f.meta.contains_key("participants"));
        let a = &f.rows[0];
        assert_eq!(a.userid.as_deref(), Some("zhangsan"));
        assert_eq!(a.is_enterprise_user, Some(true));
        assert_eq!(a.cumulative_time, Some(3300));
        assert_eq!(a.join_count, Some(2));
        assert_eq!(a.extra["department"], json!("研发"));
        assert_eq!(a.extra["audio_duration"], json!(600));
        assert!(
            !a.extra.contains_key("userid"),
            "known keys are not repeated"
        );
        let b = &f.rows[1];
        assert_eq!(
            b.user_name.as_deref(),
            Some("dGvzdDI="),
            "names match in any case"
        );
        assert_eq!(b.ms_open_id.as_deref(), Some("ms-2"));
        assert_eq!(b.first_join_time, Some(datetime!(2019-10-26 10:31:40 UTC)));
        assert_eq!(
            b.last_left_time,
            Some(datetime!(2019-10-26 10:33:20 UTC)),
            "milliseconds"
        );
        assert_eq!((b.join_count, b.cumulative_time), (Some(1), Some(100)));
        assert_eq!(
            b.extra["duration"],
            json!(5),
            "a later alias stays in extra"
        );
        assert_eq!(b.extra["left_time"], json!(1));

        let e = roster_entry_from_row(a.clone(), "1").unwrap();
        assert_eq!(e.vendor, Vendor::TencentMeeting);
        assert_eq!(e.meeting_id, "1");
        assert_eq!(e.display_name.as_deref(), Some("张三"));
        assert_eq!(e.user_id.as_deref(), Some("zhangsan"));
        assert_eq!(e.temp_id.as_deref(), Some("ms-1"));
        assert!(e.attended && !e.registered && !e.still_in_meeting);
        assert_eq!((e.sessions, e.attended_seconds), (2, 3300));
        assert_eq!(e.first_join, Some(datetime!(2019-10-26 10:30 UTC)));
        assert_eq!(e.last_leave, Some(datetime!(2019-10-26 11:30 UTC)));
        let e = roster_entry_from_row(b.clone(), "1").unwrap();
        assert_eq!(
            e.display_name.as_deref(),
            Some("dGvzdDI="),
            "undecodable: raw"
        );
        assert_eq!(e.user_id, None);
        let e = roster_entry_from_row(ExportRow::default(), "1").unwrap();
        assert_eq!((e.sessions, e.attended_seconds), (1, 0));
        assert!(e.attended);
    }

    #[test]
    fn an_array_and_unrecognised_layouts() {
        let f = decode_export_file(
            r#"[{"userid":"a","cumulative_time":60,"first_join_time":"2019-10-26 18:30:00","last_left_time":""}]"#.as_bytes(),
        )
        .unwrap();
        assert_eq!(f.rows.len(), 1);
        assert_eq!(
            f.rows[0].first_join_time,
            Some(datetime!(2019-10-26 10:30 UTC)),
            "UTC+8 wall-clock text"
        );
        assert_eq!(f.rows[0].last_left_time, None);
        assert!(f.meta.is_empty());
        let f = decode_export_file(br#"{"Participants":null}"#).unwrap();
        assert!(f.rows.is_empty());
        assert!(
            decode_export_file(br#"{"participants":[]}"#)
                .unwrap()
                .rows
                .is_empty()
        );
        for bad in [
            &b"PK\x03\x04 an xlsx"[..],
            b"",
            br#"{"rows":[]}"#,
            br#"{"participants":{"a":1}}"#,
            br#"[1,2]"#,
            br#""text""#,
        ] {
            let e = decode_export_file(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert!(e.body_snippet().is_none(), "the file is not put in errors");
        }
    }
}
