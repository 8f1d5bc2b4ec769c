//! Participants export (docs/specs/tencent-meeting.md §12.3): `POST
//! /v1/meetings/export-participants-list` creates a job, `GET /v1/export/{job_id}` polls it, and
//! the `url` of a finished job is an unsigned `GET /sandbox/export/{token}` on the sandbox itself.
//!
//! Create (signed JSON body: `meeting_id`, `sub_meeting_id`, `operator_id`, `operator_id_type`,
//! `start_time`, `end_time`, `file_type`): a body that is not a JSON object → `200005`; a field
//! of the wrong type, `operator_id` missing, `operator_id_type` not 1–3, `file_type` not
//! `xlsx`/`json` → `190004`; unknown meeting → `9003`; operator not the creator or an admin →
//! `9042` (HTTP 400, as the poll page documents); recurring without `sub_meeting_id`, an unknown
//! one, or one on a meeting that is not recurring → `190004`; window (only start → end = now,
//! only end → start = end − 31 d, neither → the last 31 days) reversed or over 90 days →
//! `190004`. The window filters `join_time` (inclusive) and is ignored for recurring meetings,
//! as in §4.1. The file is computed when the job is created, from the same rows the
//! participants endpoint serves; open sessions count until that moment.
//!
//! Poll (`operator_id` + `operator_id_type` 1/2 required): unknown or forgotten job → `10013`
//! (500); another operator than the creator of the job → `9042` (400); `status` 3 for the first
//! `export_processing_polls` polls and until `export_min_seconds` have passed, then 1 with `url`
//! (or 2 with `error_msg` when `export_fail` is set). A `url` is valid `export_url_ttl` seconds
//! of sandbox clock (then `403`, empty body); polling after that issues a new one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::error::TcError;
use super::realtime::list_of;
use super::store::Meeting;
use super::{State, Who, int_param, json_ok, path_id, who};
use crate::data::generator;
use crate::data::render::union_length;
use crate::query::parse_decimal;

const DAY: i64 = 86_400;
/// Content type of the placeholder `xlsx` file.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A produced file.
pub(crate) struct ExportFile {
    bytes: Vec<u8>,
    content_type: &'static str,
}

struct Job {
    operator: Who,
    created: i64,
    /// Creation order.
    seq: u64,
    polls: u64,
    file: Arc<ExportFile>,
    /// The current download token.
    token: Option<String>,
}

struct Token {
    job: String,
    issued: i64,
}

/// The export jobs and download tokens of one sandbox.
#[derive(Default)]
pub(crate) struct Jobs {
    jobs: HashMap<String, Job>,
    tokens: HashMap<String, Token>,
    seq: u64,
}

/// Jobs kept at most (the oldest go first): a long benchmark run must not grow without bound.
const MAX_JOBS: usize = 10_000;

impl Jobs {
    /// Forgets jobs older than `ttl`, then the oldest beyond [`MAX_JOBS`] (making room for one
    /// more), and their tokens.
    fn expire(&mut self, now: i64, ttl: i64) {
        let before = self.jobs.len();
        self.jobs.retain(|_, j| now.saturating_sub(j.created) < ttl);
        while self.jobs.len() >= MAX_JOBS {
            let Some(oldest) = self
                .jobs
                .iter()
                .min_by_key(|(_, j)| j.seq)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            self.jobs.remove(&oldest);
        }
        if self.jobs.len() != before {
            let jobs = &self.jobs;
            self.tokens.retain(|_, t| jobs.contains_key(&t.job));
        }
    }
}

/// A string field (a number is taken as its decimal string).
fn str_field(o: &Map<String, Value>, k: &str) -> Result<Option<String>, TcError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(TcError::invalid(format!("{k} must be a string"))),
    }
}

/// An integer field (a string of digits is accepted).
fn int_field(o: &Map<String, Value>, k: &str) -> Result<Option<i64>, TcError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => parse_decimal(s)
            .map(Some)
            .ok_or_else(|| TcError::invalid(format!("{k} must be an integer"))),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| TcError::invalid(format!("{k} must be an integer"))),
        Some(_) => Err(TcError::invalid(format!("{k} must be an integer"))),
    }
}

/// The export window for the given bounds (see the module docs).
pub(crate) fn window(
    start: Option<i64>,
    end: Option<i64>,
    now: i64,
) -> Result<(i64, i64), TcError> {
    let (s, e) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, now),
        (None, Some(e)) => (e.saturating_sub(31 * DAY), e),
        (None, None) => (now.saturating_sub(31 * DAY), now),
    };
    if s > e || e.saturating_sub(s) > 90 * DAY {
        return Err(TcError::invalid(
            "start_time must not be after end_time, and at most 90 days before it",
        ));
    }
    Ok((s, e))
}

/// The export rows of list `list` of `m`: one per person (userid, else ms_open_id), in order of
/// first join, over the participant rows with `join_time` in `window` (`None`: all); open
/// sessions last until `now`.
pub(crate) fn rows(
    st: &State,
    m: &Meeting,
    list: usize,
    window: Option<(i64, i64)>,
    now: i64,
) -> Vec<Value> {
    if !m.list_started(list) {
        return Vec::new();
    }
    let rendered = st.store.rendered(m, 0);
    let Some(l) = rendered.lists.get(list) else {
        return Vec::new();
    };
    let range = l.select(window.filter(|_| !m.is_recurring()));
    struct Session {
        join: i64,
        end: i64,
        open: bool,
        audio: bool,
        video: bool,
        screen: bool,
    }
    struct Acc {
        first: Map<String, Value>,
        sessions: Vec<Session>,
    }
    let mut order: Vec<String> = Vec::new();
    let mut people: HashMap<String, Acc> = HashMap::new();
    let time = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok())
    };
    for r in &l.rows[range] {
        let Ok(row) = serde_json::from_str::<Map<String, Value>>(r) else {
            continue;
        };
        let key = match row.get("userid").and_then(Value::as_str) {
            Some(u) if !u.is_empty() => format!("u:{u}"),
            _ => format!(
                "m:{}",
                row.get("ms_open_id").and_then(Value::as_str).unwrap_or("")
            ),
        };
        let Some(join) = time(row.get("join_time")) else {
            continue;
        };
        let left = time(row.get("left_time"));
        let flag = |k: &str| row.get(k).and_then(Value::as_bool).unwrap_or(false);
        let session = Session {
            join,
            end: left.unwrap_or(now).max(join),
            open: left.is_none(),
            audio: flag("audio_state"),
            video: flag("video_state"),
            screen: flag("screen_shared_state"),
        };
        people
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Acc {
                    first: row.clone(),
                    sessions: Vec::new(),
                }
            })
            .sessions
            .push(session);
    }
    order
        .iter()
        .filter_map(|k| people.get(k))
        .map(|p| {
            let f = &p.first;
            let get = |k: &str, d: Value| f.get(k).cloned().unwrap_or(d);
            let spans = |pick: fn(&Session) -> bool| {
                union_length(
                    p.sessions
                        .iter()
                        .filter(|s| pick(s))
                        .map(|s| (s.join, s.end))
                        .collect(),
                )
            };
            let first_join = p.sessions.iter().map(|s| s.join).min().unwrap_or(0);
            // Still in the meeting: 0 (choice, as the waiting room's open entries).
            let last_left = if p.sessions.iter().any(|s| s.open) {
                0
            } else {
                p.sessions.iter().map(|s| s.end).max().unwrap_or(0)
            };
            json!({
                "user_name": get("user_name", "".into()),
                "userid": get("userid", "".into()),
                "ms_open_id": get("ms_open_id", "".into()),
                "open_id": "",
                "is_enterprise_user": get("is_enterprise_user", false.into()),
                "instanceid": get("instanceid", 1.into()),
                "user_role": get("user_role", 0.into()),
                "first_join_time": first_join,
                "last_left_time": last_left,
                "join_count": p.sessions.len(),
                "cumulative_time": spans(|_| true),
                "audio_duration": spans(|s| s.audio),
                "video_duration": spans(|s| s.video),
                "screen_shared_duration": spans(|s| s.screen),
            })
        })
        .collect()
}

/// The json file of an export.
fn file_json(m: &Meeting, list: usize, window: (i64, i64), rows: Vec<Value>) -> Value {
    let mut o = Map::new();
    o.insert("meeting_id".into(), m.id.clone().into());
    o.insert("meeting_code".into(), m.code.clone().into());
    o.insert("subject".into(), m.plan.meeting.subject.clone().into());
    let (start, end) = match m.subs.get(list) {
        Some(s) if m.is_recurring() => {
            o.insert("sub_meeting_id".into(), s.id.clone().into());
            (s.start, s.end)
        }
        _ => window,
    };
    o.insert("start_time".into(), start.into());
    o.insert("end_time".into(), end.into());
    o.insert("total_count".into(), rows.len().into());
    o.insert("participants".into(), rows.into());
    Value::Object(o)
}

/// `POST /v1/meetings/export-participants-list`.
pub(crate) fn create(
    st: &State,
    _caller: &Caller,
    _parts: &Parts,
    body: &[u8],
) -> Result<Response, TcError> {
    let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(body) else {
        return Err(TcError::code(200005));
    };
    let id =
        str_field(&o, "meeting_id")?.ok_or_else(|| TcError::invalid("meeting_id is required"))?;
    let sub = str_field(&o, "sub_meeting_id")?;
    let op_id =
        str_field(&o, "operator_id")?.ok_or_else(|| TcError::invalid("operator_id is required"))?;
    let op = match int_field(&o, "operator_id_type")?.unwrap_or(1) {
        1 => Who::UserId(op_id),
        2 | 3 => Who::Other(op_id),
        _ => return Err(TcError::invalid("operator_id_type must be 1, 2 or 3")),
    };
    let start = int_field(&o, "start_time")?;
    let end = int_field(&o, "end_time")?;
    let file_type = str_field(&o, "file_type")?.unwrap_or_else(|| "xlsx".into());
    if file_type != "xlsx" && file_type != "json" {
        return Err(TcError::invalid("file_type must be xlsx or json"));
    }
    let m = st.store.get(&id).ok_or_else(TcError::meeting_not_found)?;
    if !st.is_creator_or_admin(m, &super::Operator::from(&op)) {
        return Err(TcError::forbidden().with_status(StatusCode::BAD_REQUEST));
    }
    let list = list_of(m, sub.as_deref())?;
    let now = st.shared.clock.unix();
    let win = window(start, end, now)?;
    let file = if file_type == "json" {
        let doc = file_json(m, list, win, rows(st, m, list, Some(win), now));
        ExportFile {
            bytes: doc.to_string().into_bytes(),
            content_type: "application/json; charset=utf-8",
        }
    } else {
        // xlsx content is out of scope (§12.3): a placeholder with the right content type.
        ExportFile {
            bytes: format!(
                "PK\u{3}\u{4} roster-sandbox placeholder xlsx for meeting {}",
                m.id
            )
            .into_bytes(),
            content_type: XLSX,
        }
    };
    let mut jobs = st.export.lock().unwrap_or_else(|p| p.into_inner());
    jobs.expire(now, st.config.export_job_ttl);
    jobs.seq += 1;
    let job_seq = jobs.seq;
    let seq = job_seq.to_string();
    let a = generator::hash64(st.shared.seed, &["tencent", "export-job", &seq, "a"]);
    let b = generator::hash64(st.shared.seed, &["tencent", "export-job", &seq, "b"]);
    let hex = format!("{a:016x}{b:016x}");
    let job_id = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    jobs.jobs.insert(
        job_id.clone(),
        Job {
            operator: op,
            created: now,
            seq: job_seq,
            polls: 0,
            file: Arc::new(file),
            token: None,
        },
    );
    Ok(json_ok(json!({ "job_id": job_id }).to_string()))
}

/// `GET /v1/export/{job_id}`.
pub(crate) fn poll(
    st: &State,
    _caller: &Caller,
    parts: &Parts,
    _quirks: &crate::endpoint::ActiveQuirks,
) -> Result<Response, TcError> {
    let q = crate::query::QueryParams::parse(parts.uri.query());
    let job_id = path_id(parts.uri.path(), "/v1/export/");
    let op = who(&q, &[1, 2])?;
    // Not a parameter of this page, but a malformed one is refused as everywhere else.
    int_param(&q, "instanceid")?;
    let now = st.shared.clock.unix();
    let mut guard = st.export.lock().unwrap_or_else(|p| p.into_inner());
    let jobs = &mut *guard;
    jobs.expire(now, st.config.export_job_ttl);
    let job = jobs
        .jobs
        .get_mut(&job_id)
        .ok_or_else(|| TcError::code(10013))?;
    if job.operator != op {
        return Err(TcError::forbidden().with_status(StatusCode::BAD_REQUEST));
    }
    job.polls = job.polls.saturating_add(1);
    let processing = job.polls <= u64::from(st.config.export_processing_polls)
        || now.saturating_sub(job.created) < st.config.export_min_seconds;
    let body = if processing {
        json!({"status": 3})
    } else if st.config.export_fail {
        json!({"status": 2, "error_msg": "export failed"})
    } else {
        let valid = job
            .token
            .as_ref()
            .and_then(|t| jobs.tokens.get(t))
            .is_some_and(|t| now.saturating_sub(t.issued) < st.config.export_url_ttl);
        if !valid {
            jobs.seq += 1;
            let seq = jobs.seq.to_string();
            let a = generator::hash64(st.shared.seed, &["tencent", "export-token", &seq, "a"]);
            let b = generator::hash64(st.shared.seed, &["tencent", "export-token", &seq, "b"]);
            let token = format!("{a:016x}{b:016x}");
            jobs.tokens.insert(
                token.clone(),
                Token {
                    job: job_id.clone(),
                    issued: now,
                },
            );
            job.token = Some(token);
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        let token = job.token.as_deref().unwrap_or_default();
        json!({"status": 1, "url": format!("http://{host}/sandbox/export/{token}")})
    };
    Ok(json_ok(body.to_string()))
}

/// `GET /sandbox/export/{token}`: the file, unsigned; `403` once the url has expired, `404`
/// for a token never issued or whose job was forgotten.
pub(crate) fn download(st: &State, path: &str) -> Response {
    let token = path_id(path, "/sandbox/export/");
    let now = st.shared.clock.unix();
    let mut jobs = st.export.lock().unwrap_or_else(|p| p.into_inner());
    jobs.expire(now, st.config.export_job_ttl);
    let Some(t) = jobs.tokens.get(&token) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if now.saturating_sub(t.issued) >= st.config.export_url_ttl {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(job) = jobs.jobs.get(&t.job) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let file = job.file.clone();
    drop(jobs);
    (
        [(header::CONTENT_TYPE, file.content_type)],
        Body::from(file.bytes.clone()),
    )
        .into_response()
}

/// Jobs behind a lock, for [`State`].
pub(crate) type SharedJobs = Mutex<Jobs>;

#[cfg(test)]
mod tests {
    use super::*;

    fn job(seq: u64, created: i64) -> Job {
        Job {
            operator: Who::UserId("owner1".into()),
            created,
            seq,
            polls: 0,
            file: Arc::new(ExportFile {
                bytes: Vec::new(),
                content_type: XLSX,
            }),
            token: Some(format!("t{seq}")),
        }
    }

    #[test]
    fn jobs_expire_by_age_and_by_count_with_their_tokens() {
        let mut jobs = Jobs::default();
        for seq in 0..MAX_JOBS as u64 {
            jobs.jobs.insert(format!("j{seq}"), job(seq, 1_000));
            jobs.tokens.insert(
                format!("t{seq}"),
                Token {
                    job: format!("j{seq}"),
                    issued: 1_000,
                },
            );
        }
        // Full: the oldest goes to make room for the next one.
        jobs.expire(1_000, 100);
        assert_eq!(jobs.jobs.len(), MAX_JOBS - 1);
        assert!(!jobs.jobs.contains_key("j0") && !jobs.tokens.contains_key("t0"));
        assert!(jobs.jobs.contains_key("j1"));
        // Too old: all gone.
        jobs.expire(1_100, 100);
        assert!(jobs.jobs.is_empty() && jobs.tokens.is_empty());
    }

    #[test]
    fn export_windows() {
        let day = DAY;
        assert_eq!(window(None, None, 100 * day), Ok((69 * day, 100 * day)));
        assert_eq!(window(Some(5), None, 10), Ok((5, 10)));
        assert_eq!(window(None, Some(40 * day), 0), Ok((9 * day, 40 * day)));
        assert_eq!(window(Some(0), Some(90 * day), 0), Ok((0, 90 * day)));
        assert_eq!(
            window(Some(0), Some(90 * day + 1), 0).unwrap_err().code,
            190004
        );
        assert_eq!(window(Some(2), Some(1), 0).unwrap_err().code, 190004);
    }
}
