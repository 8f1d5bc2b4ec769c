//! Push events in the store: the deliveries and the joins and leaves they carry
//! ([`PushRecord`], [`PresenceRow`]), the sessions folded from them ([`fold_presence`]), the
//! meetings they were about ([`LiveMeeting`]) and the reconciliation of those with the
//! pulled list ([`reconcile`]).

use std::collections::HashMap;

use roster_core::webhook::PresenceChange;
use roster_core::{Attendee, Vendor};

use crate::person_key;

/// A verified push delivery (a webhook event) and the joins and leaves it carries, as
/// [`crate::Store::record_push`] writes them. `Debug` leaves the decoded body out.
#[derive(Clone, Copy)]
pub struct PushRecord<'a> {
    /// The platform.
    pub vendor: Vendor,
    /// The subscription (the receiver's route).
    pub app: &'a str,
    /// What tells this delivery from others (Tencent `trace_id`; WeCom's event key).
    pub delivery: &'a str,
    /// When it was received (microseconds since the epoch).
    pub received_us: i64,
    /// The decoded event, as received (JSON or XML).
    pub body: &'a str,
    /// Its joins and leaves.
    pub changes: &'a [PresenceChange],
    /// The meetings it is about (for reconciliation): none for an event that concerns no
    /// meeting's attendance, one per meeting its items name.
    pub meetings: &'a [PushMeeting<'a>],
}

impl std::fmt::Debug for PushRecord<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushRecord")
            .field("vendor", &self.vendor)
            .field("app", &self.app)
            .field("delivery", &self.delivery)
            .field("received_us", &self.received_us)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("changes", &self.changes.len())
            .field("meetings", &self.meetings)
            .finish()
    }
}

/// The meeting a push is about, as its event describes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushMeeting<'a> {
    /// The meeting id.
    pub meeting_id: &'a str,
    /// Its subject, when the event gives it (Tencent).
    pub subject: Option<&'a str>,
    /// Its scheduled start (Unix seconds), when given.
    pub start_unix: Option<i64>,
    /// Its scheduled end (Unix seconds), when given.
    pub end_unix: Option<i64>,
    /// The event is the meeting's end (Tencent `meeting.end`, WeCom `meeting_end`).
    pub ended: bool,
}

/// One stored join or leave (see [`crate::Store::presence`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceRow {
    /// The platform.
    pub vendor: Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// The person key ([`person_key`]).
    pub person: String,
    /// The device (Tencent `instance_id`; empty when none).
    pub instance: String,
    /// A join (else a leave).
    pub joined: bool,
    /// The event's time, microseconds since the epoch.
    pub at_us: Option<i64>,
    /// The name the event gave.
    pub display_name: Option<String>,
    /// The enterprise user id the event gave.
    pub user_id: Option<String>,
    /// The vendor's per-meeting id the event gave (Tencent `ms_open_id`, WeCom `tmp_openid`).
    pub temp_id: Option<String>,
    /// When the delivery carrying it was received (microseconds since the epoch).
    pub received_us: i64,
}

/// A session folded from pushed joins and leaves: open while `left_at` is none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LiveSession {
    /// The platform.
    pub vendor: Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// The person key.
    pub person: String,
    /// The latest name seen.
    pub display_name: Option<String>,
    /// When the join was pushed; none for a leave whose join never arrived.
    #[serde(with = "time::serde::rfc3339::option")]
    pub joined_at: Option<time::OffsetDateTime>,
    /// When the leave was pushed; none while the person is in the meeting.
    #[serde(with = "time::serde::rfc3339::option")]
    pub left_at: Option<time::OffsetDateTime>,
}

/// The person key of a pushed join or leave (the same keys as the pulled sessions').
pub(crate) fn presence_person(c: &PresenceChange) -> String {
    person_key(
        c.vendor,
        &c.meeting_id,
        c.user_id.as_deref(),
        c.phone.as_deref(),
        None,
        c.temp_id.as_deref().or(c.display_name.as_deref()),
    )
}

/// Folds joins and leaves into sessions, per meeting, person and device, in event-time order
/// whatever order they arrived in: a join opens a session (a second join while one is open
/// changes nothing), a leave closes the open one (one with no join makes a session whose join
/// is unknown).
pub fn fold_presence(mut rows: Vec<PresenceRow>) -> Vec<LiveSession> {
    let at = |us: Option<i64>| {
        us.and_then(|us| {
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000).ok()
        })
    };
    rows.sort_by(|a, b| {
        (
            a.vendor.as_str(),
            &a.meeting_id,
            &a.person,
            &a.instance,
            a.at_us.is_none(),
            a.at_us,
            !a.joined,
        )
            .cmp(&(
                b.vendor.as_str(),
                &b.meeting_id,
                &b.person,
                &b.instance,
                b.at_us.is_none(),
                b.at_us,
                !b.joined,
            ))
    });
    let mut out: Vec<LiveSession> = Vec::new();
    let mut open: Option<usize> = None;
    let mut current: Option<(Vendor, String, String, String)> = None;
    for row in rows {
        let key = (
            row.vendor,
            row.meeting_id.clone(),
            row.person.clone(),
            row.instance.clone(),
        );
        if current.as_ref() != Some(&key) {
            current = Some(key);
            open = None;
        }
        if row.joined {
            if open.is_none() {
                out.push(LiveSession {
                    vendor: row.vendor,
                    meeting_id: row.meeting_id,
                    person: row.person,
                    display_name: row.display_name,
                    joined_at: at(row.at_us),
                    left_at: None,
                });
                open = Some(out.len() - 1);
            }
        } else {
            match open.take() {
                Some(i) => {
                    out[i].left_at = at(row.at_us);
                    if row.display_name.is_some() {
                        out[i].display_name = row.display_name;
                    }
                }
                None => out.push(LiveSession {
                    vendor: row.vendor,
                    meeting_id: row.meeting_id,
                    person: row.person,
                    display_name: row.display_name,
                    joined_at: None,
                    left_at: at(row.at_us),
                }),
            }
        }
    }
    out
}

/// Stores a delivery unless it is there (`$1`–`$5`: vendor, app, delivery, received, body).
pub(crate) const INSERT_PUSH: &str =
    "INSERT INTO push_events (vendor, app, delivery, received_us, body)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (vendor, app, delivery) DO NOTHING";

/// One join or leave of a delivery.
pub(crate) const INSERT_PRESENCE: &str = "INSERT INTO presence (vendor, app, delivery, item, meeting_id, person, instance, joined, at_us, display_name, user_id, temp_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// The joins and leaves (`$1`: vendor or null, `$2`: meeting or null).
pub(crate) const SELECT_PRESENCE: &str =
    "SELECT p.vendor, p.meeting_id, p.person, p.instance, p.joined, p.at_us, p.display_name, p.user_id, p.temp_id, e.received_us
     FROM presence p
     JOIN push_events e ON e.vendor = p.vendor AND e.app = p.app AND e.delivery = p.delivery
     WHERE ($1 IS NULL OR p.vendor = $1) AND ($2 IS NULL OR p.meeting_id = $2)";

/// A meeting pushes were received for, and where it stands (see [`crate::Store::live_meeting`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveMeeting {
    /// The platform.
    pub vendor: Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// The subscription its pushes came through.
    pub app: String,
    /// Its subject, when an event gave it.
    pub subject: Option<String>,
    /// Its scheduled start (Unix seconds), when an event gave it.
    pub start_unix: Option<i64>,
    /// Its scheduled end (Unix seconds), when an event gave it.
    pub end_unix: Option<i64>,
    /// When its last push was received (microseconds since the epoch).
    pub last_push_us: i64,
    /// When its end was noticed: its end event received, or the quiet period over.
    pub ended_us: Option<i64>,
    /// Its end is the vendor's end event (else the quiet period).
    pub ended_by_event: bool,
    /// When it was reconciled with the pulled list; none while that is to do.
    pub reconciled_us: Option<i64>,
    /// Why the last reconciliation failed.
    pub error: Option<String>,
    /// Not to be tried again before this (after a failure).
    pub retry_after_us: Option<i64>,
}

/// How a pulled session was seen through pushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seen {
    /// Its join was pushed and received before the meeting's end was noticed.
    Live,
    /// Its join was pushed but received only after the meeting's end (a retried or delayed
    /// delivery).
    Late,
    /// No push of its join was received: the pulled list alone knows it (the vendors say
    /// pushes can be lost).
    PullOnly,
}

impl Seen {
    /// `live`, `late` or `pull_only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Seen::Live => "live",
            Seen::Late => "late",
            Seen::PullOnly => "pull_only",
        }
    }
}

/// A pulled session, and how pushes saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconciledSession {
    /// The session as the vendor's list gives it (the truth).
    pub session: Attendee,
    /// How it was seen.
    pub seen: Seen,
}

/// How far a pushed join may be from the pulled session's join and still be it (the vendors
/// stamp an event with about the join time).
pub const MATCH_TOLERANCE_US: i64 = 60_000_000;

/// Matches the pulled sessions of a meeting (the truth) with its pushed joins: taking the
/// sessions in join-time order, a session is the pushed join of the same person (same user
/// id, else the same per-meeting id, else the same name when neither side has an id) nearest
/// in time within `tolerance_us`, each join used once (in time order, a person's rejoins pair
/// with their joins in turn). The result keeps the pulled order. It is [`Seen::Live`] when that join was received no later than `ended_us`
/// (always when the end is unknown), [`Seen::Late`] after it, and [`Seen::PullOnly`] without
/// one. Also returns how many pushed joins matched no pulled session.
pub fn reconcile(
    pulled: Vec<Attendee>,
    pushed: &[PresenceRow],
    ended_us: Option<i64>,
    tolerance_us: i64,
) -> (Vec<ReconciledSession>, usize) {
    let joins: Vec<&PresenceRow> = pushed.iter().filter(|p| p.joined).collect();
    let mut by_id: HashMap<(u8, &str), Vec<usize>> = HashMap::new();
    for (i, j) in joins.iter().enumerate() {
        if let Some(u) = non_empty(&j.user_id) {
            by_id.entry((0, u)).or_default().push(i);
        }
        if let Some(t) = non_empty(&j.temp_id) {
            by_id.entry((1, t)).or_default().push(i);
        }
        if non_empty(&j.user_id).is_none()
            && non_empty(&j.temp_id).is_none()
            && let Some(n) = non_empty(&j.display_name)
        {
            by_id.entry((2, n)).or_default().push(i);
        }
    }
    let mut used = vec![false; joins.len()];
    let mut order: Vec<usize> = (0..pulled.len()).collect();
    order.sort_by_key(|&i| {
        (
            micros(pulled[i].joined_at).is_none(),
            micros(pulled[i].joined_at),
        )
    });
    let mut seen_of = vec![Seen::PullOnly; pulled.len()];
    for i in order {
        let session = &pulled[i];
        let at = micros(session.joined_at);
        let keys = [
            session.user_id.as_deref().map(|u| (0u8, u)),
            session.temp_id.as_deref().map(|t| (1u8, t)),
            (session.user_id.is_none() && session.temp_id.is_none())
                .then_some(session.display_name.as_deref())
                .flatten()
                .map(|n| (2u8, n)),
        ];
        let mut best: Option<(i64, usize)> = None;
        if let Some(at) = at {
            for key in keys.into_iter().flatten() {
                let key = (key.0, key.1.trim());
                for &i in by_id.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                    let Some(pushed_at) = joins[i].at_us else {
                        continue;
                    };
                    let distance = (pushed_at - at).abs();
                    if !used[i]
                        && distance <= tolerance_us
                        && best.is_none_or(|(d, _)| distance < d)
                    {
                        best = Some((distance, i));
                    }
                }
            }
        }
        seen_of[i] = match best {
            Some((_, j)) => {
                used[j] = true;
                match ended_us {
                    Some(end) if joins[j].received_us > end => Seen::Late,
                    _ => Seen::Live,
                }
            }
            None => Seen::PullOnly,
        };
    }
    let unmatched = used.iter().filter(|u| !**u).count();
    let out = pulled
        .into_iter()
        .zip(seen_of)
        .map(|(session, seen)| ReconciledSession { session, seen })
        .collect();
    (out, unmatched)
}

/// `text` as PostgreSQL can store it: its `TEXT` refuses the NUL character, which a signed
/// (so genuine) event may still hold; it becomes U+FFFD.
pub(crate) fn pg_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// An event time in microseconds since the epoch.
pub(crate) fn micros(at: Option<time::OffsetDateTime>) -> Option<i64> {
    at.map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX))
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Records (or advances) the meeting of a new delivery (`$1`–`$9`: vendor, meeting, app,
/// subject, start, end, received, is-end, received-if-end; SQLite numbers `$n` parameters in
/// the order they first appear, so each statement here names them in ascending order). A push for a meeting whose end
/// was only the quiet period resumes it (a reconciliation made then is done again); after the
/// vendor's end event, later pushes are late deliveries and change nothing here.
pub(crate) const UPSERT_LIVE_MEETING: &str = "INSERT INTO live_meetings (vendor, meeting_id, app, subject, start_unix, end_unix, last_push_us, ended_by_event, ended_us)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (vendor, meeting_id) DO UPDATE SET
       subject = COALESCE(excluded.subject, live_meetings.subject),
       start_unix = COALESCE(excluded.start_unix, live_meetings.start_unix),
       end_unix = COALESCE(excluded.end_unix, live_meetings.end_unix),
       last_push_us = CASE WHEN excluded.last_push_us > live_meetings.last_push_us
                      THEN excluded.last_push_us ELSE live_meetings.last_push_us END,
       ended_us = CASE WHEN live_meetings.ended_by_event THEN live_meetings.ended_us
                       ELSE excluded.ended_us END,
       reconciled_us = CASE WHEN live_meetings.ended_by_event THEN live_meetings.reconciled_us
                            ELSE NULL END,
       retry_after_us = CASE WHEN live_meetings.ended_by_event THEN live_meetings.retry_after_us
                             ELSE NULL END,
       ended_by_event = live_meetings.ended_by_event OR excluded.ended_by_event";

/// The columns of a [`LiveMeeting`], in its field order.
pub(crate) const LIVE_MEETING_COLUMNS: &str = "vendor, meeting_id, app, subject, start_unix, end_unix, last_push_us, ended_us, ended_by_event, reconciled_us, error, retry_after_us";

/// The meetings to reconcile at `$1` (now, µs): not reconciled, not waiting after a
/// failure, and ended no later than `$2` (the settling time before a pull) or quiet since `$3`.
pub(crate) const DUE_LIVE_MEETINGS: &str = "WHERE reconciled_us IS NULL
       AND (retry_after_us IS NULL OR retry_after_us <= $1)
       AND ((ended_us IS NOT NULL AND ended_us <= $2) OR last_push_us <= $3)
     ORDER BY last_push_us, vendor, meeting_id";

/// A meeting's stored row, not an occurrence (`$1`, `$2`: vendor, meeting): id, occurrence,
/// subject, start, end, state, host, host name, participants, extra.
pub(crate) const STORED_MEETING: &str = "SELECT meeting_id, occurrence, subject, start_unix, end_unix, state, host, host_name, participants, extra
     FROM meetings WHERE vendor = $1 AND meeting_id = $2 AND occurrence = ''";

/// A reconciliation done (`$1`–`$4`: now, vendor, meeting, the last push it saw): the end is
/// now if none was noticed.
pub(crate) const RECONCILED: &str = "UPDATE live_meetings
     SET reconciled_us = $1, ended_us = COALESCE(ended_us, $1), error = NULL, retry_after_us = NULL
     WHERE vendor = $2 AND meeting_id = $3 AND last_push_us = $4";

/// A reconciliation failed (`$1`–`$5`: error, retry after, vendor, meeting, the last push it
/// saw).
pub(crate) const RECONCILE_FAILED: &str = "UPDATE live_meetings
     SET error = $1, retry_after_us = $2
     WHERE vendor = $3 AND meeting_id = $4 AND last_push_us = $5";

#[cfg(test)]
mod tests {
    use super::*;

    fn join(user: Option<&str>, temp: Option<&str>, at_s: i64, received_us: i64) -> PresenceRow {
        PresenceRow {
            vendor: Vendor::TencentMeeting,
            meeting_id: "m".into(),
            person: String::new(),
            instance: String::new(),
            joined: true,
            at_us: Some(at_s * 1_000_000),
            display_name: Some("名".into()),
            user_id: user.map(Into::into),
            temp_id: temp.map(Into::into),
            received_us,
        }
    }

    fn session(user: Option<&str>, temp: Option<&str>, at_s: i64) -> Attendee {
        let mut a = Attendee::new(Vendor::TencentMeeting, "m");
        a.user_id = user.map(Into::into);
        a.temp_id = temp.map(Into::into);
        a.display_name = Some("名".into());
        a.joined_at = time::OffsetDateTime::from_unix_timestamp(at_s).ok();
        a
    }

    fn seen(r: &(Vec<ReconciledSession>, usize)) -> (Vec<Seen>, usize) {
        (r.0.iter().map(|s| s.seen).collect(), r.1)
    }

    #[test]
    fn a_rejoin_matches_the_nearest_join_once() {
        // One person, two sessions 90 s apart; the pushed joins are 2 s off the pulled times.
        let pushed = [
            join(Some("u"), None, 1_002, 5),
            join(Some("u"), None, 1_092, 6),
        ];
        let pulled = vec![
            session(Some("u"), None, 1_090),
            session(Some("u"), None, 1_000),
        ];
        let r = reconcile(pulled, &pushed, Some(10), MATCH_TOLERANCE_US);
        assert_eq!(seen(&r), (vec![Seen::Live, Seen::Live], 0));
    }

    #[test]
    fn sessions_pair_with_joins_in_time_order_whatever_the_export_order() {
        // Sessions at 1000 and 1040, joins pushed at 1020 and 1070: taken in export order
        // (1040 first) the nearest-join rule would leave 1000 without one.
        let pushed = [
            join(Some("u"), None, 1_020, 1),
            join(Some("u"), None, 1_070, 1),
        ];
        let pulled = vec![
            session(Some("u"), None, 1_040),
            session(Some("u"), None, 1_000),
        ];
        let r = reconcile(pulled, &pushed, None, MATCH_TOLERANCE_US);
        assert_eq!(seen(&r), (vec![Seen::Live, Seen::Live], 0));
    }

    #[test]
    fn received_after_the_end_is_late_and_too_far_is_no_match() {
        let pushed = [
            join(Some("u"), None, 1_000, 50),
            join(Some("v"), None, 1_000, 10),
            join(Some("w"), None, 1_000 + 61, 10),
        ];
        let pulled = vec![
            session(Some("u"), None, 1_000),
            session(Some("v"), None, 1_000),
            session(Some("w"), None, 1_000),
        ];
        let r = reconcile(pulled, &pushed, Some(20), MATCH_TOLERANCE_US);
        assert_eq!(seen(&r), (vec![Seen::Late, Seen::Live, Seen::PullOnly], 1));
    }

    #[test]
    fn a_per_meeting_id_matches_when_the_user_id_is_missing_on_one_side() {
        // The pulled row has a user id the event lacks; the ms_open_id is on both.
        let pushed = [join(None, Some("ms-1"), 1_000, 1)];
        let pulled = vec![session(Some("u"), Some("ms-1"), 1_000)];
        let r = reconcile(pulled, &pushed, None, MATCH_TOLERANCE_US);
        assert_eq!(seen(&r), (vec![Seen::Live], 0));
        // A name matches only when neither side has an id.
        let pushed = [join(None, None, 1_000, 1)];
        let r = reconcile(
            vec![session(None, None, 1_000)],
            &pushed,
            None,
            MATCH_TOLERANCE_US,
        );
        assert_eq!(seen(&r), (vec![Seen::Live], 0));
        let r = reconcile(
            vec![session(Some("x"), None, 1_000)],
            &pushed,
            None,
            MATCH_TOLERANCE_US,
        );
        assert_eq!(seen(&r), (vec![Seen::PullOnly], 1));
    }
}
