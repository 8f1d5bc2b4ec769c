//! The events of one meeting, from its ground-truth attendee rows: who joins and leaves when,
//! rendered as each vendor's event plaintext (Tencent JSON, WeCom XML).

use base64::Engine;
use serde_json::{Value, json};

use super::{PushKind, digest};
use crate::catalog::CatalogMeeting;
use crate::fixture::MeetingState;

/// A session must last this long (seconds) to be eligible for breakout moves.
pub(crate) const MOVE_MIN_SECS: i64 = 180;
/// One session in this many (by a seeded draw) gets breakout moves.
pub(crate) const MOVE_ONE_IN: u64 = 10;

/// One event to send: what the report describes and the plaintext body.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    pub key: String,
    pub kind: PushKind,
    pub userid: Option<String>,
    pub temp_id: Option<String>,
    pub at_ms: i64,
    pub body: String,
}

/// A person's session as a row describes it.
#[derive(Clone, Debug)]
struct Person {
    userid: Option<String>,
    temp_id: String,
    name: String,
    instance: String,
}

/// An event before rendering.
struct Draft {
    at_ms: i64,
    /// Order among equal times: joins (0) before moves (1) before leaves (2).
    rank: u8,
    kind: PushKind,
    /// Tencent event name or WeCom `ChangeType`.
    change: &'static str,
    person: Option<Person>,
    /// Tencent `meeting_id_type` and `action_scene_type`.
    id_type: u8,
    scene: u8,
}

/// A field as text (a string or a number; absent, null and `""` are `None`).
fn text(row: &Value, k: &str) -> Option<String> {
    match row.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn secs(row: &Value, k: &str) -> Option<i64> {
    text(row, k)?.parse().ok()
}

/// Joins, leaves, breakout moves (Tencent only) and the end, in event-time order.
fn drafts(
    sessions: Vec<(Person, i64, Option<i64>)>,
    m: &CatalogMeeting,
    seed: u64,
    tencent: bool,
) -> Vec<Draft> {
    let (join, leave, end) = if tencent {
        (
            "meeting.participant-joined",
            "meeting.participant-left",
            "meeting.end",
        )
    } else {
        ("join_meeting", "quit_meeting", "meeting_end")
    };
    let mut out = Vec::new();
    let mut add = |at_ms, rank, kind, change, person: &Person, id_type, scene| {
        out.push(Draft {
            at_ms,
            rank,
            kind,
            change,
            person: Some(person.clone()),
            id_type,
            scene,
        });
    };
    for (i, (p, joined, left)) in sessions.iter().enumerate() {
        add(joined * 1000, 0, PushKind::Join, join, p, 0, 0);
        let Some(left) = *left else { continue };
        let long = left - joined >= MOVE_MIN_SECS;
        let drawn =
            || u64_of(&digest(seed, &["move", &m.id, &i.to_string()])).is_multiple_of(MOVE_ONE_IN);
        if tencent && long && drawn() {
            // Into a breakout room at a third of the session, back at two thirds.
            let third = (left - joined) * 1000 / 3;
            let (out_at, back_at) = (joined * 1000 + third, joined * 1000 + 2 * third);
            add(out_at, 1, PushKind::BreakoutMove, leave, p, 0, 2);
            add(out_at, 1, PushKind::BreakoutMove, join, p, 1, 2);
            add(back_at, 1, PushKind::BreakoutMove, leave, p, 1, 3);
            add(back_at, 1, PushKind::BreakoutMove, join, p, 0, 3);
        }
        add(left * 1000, 2, PushKind::Leave, leave, p, 0, 0);
    }
    // Stable: equal (time, rank) keep row order, so a move's left precedes its joined.
    out.sort_by_key(|d| (d.at_ms, d.rank));
    if m.state == MeetingState::Ended {
        let last = out.last().map_or(i64::MIN, |d| d.at_ms);
        out.push(Draft {
            at_ms: (m.end * 1000).max(last),
            rank: 3,
            kind: PushKind::MeetingEnd,
            change: end,
            person: None,
            id_type: 0,
            scene: 0,
        });
    }
    out
}

pub(crate) fn u64_of(d: &[u8; 32]) -> u64 {
    u64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

/// A uuid-like trace id (8-4-4-4-12 hex).
fn trace_id(seed: u64, meeting_id: &str, i: usize) -> String {
    let h = hex::encode(&digest(seed, &["trace", meeting_id, &i.to_string()])[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Tencent events from `tencent_participants` rows.
pub(crate) fn tencent(rows: &[Value], m: &CatalogMeeting, seed: u64) -> Vec<Planned> {
    let sessions = rows
        .iter()
        .filter_map(|r| {
            let raw = text(r, "user_name").unwrap_or_default();
            let name = base64::engine::general_purpose::STANDARD
                .decode(&raw)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or(raw); // a name that is not base64 is sent as it is
            let person = Person {
                userid: text(r, "userid"),
                temp_id: text(r, "ms_open_id").unwrap_or_default(),
                name,
                instance: text(r, "instanceid").unwrap_or_else(|| "1".into()),
            };
            Some((person, secs(r, "join_time")?, secs(r, "left_time")))
        })
        .collect();
    drafts(sessions, m, seed, true)
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let trace = trace_id(seed, &m.id, i);
            let mut item = json!({
                "operate_time": d.at_ms,
                "meeting_info": {
                    "meeting_id": m.id, "meeting_code": m.code, "subject": m.subject,
                    "meeting_type": 0, "start_time": m.start, "end_time": m.end,
                    "meeting_id_type": d.id_type, "action_scene_type": d.scene,
                },
            });
            if let Some(p) = &d.person {
                let mut op = json!({"uuid": p.temp_id, "ms_open_id": p.temp_id,
                    "user_name": p.name, "instance_id": p.instance});
                if let Some(u) = &p.userid {
                    op["userid"] = u.as_str().into();
                }
                item["operator"] = op;
            }
            let body = json!({"event": d.change, "trace_id": trace, "payload": [item]});
            Planned {
                key: trace,
                kind: d.kind,
                userid: d.person.as_ref().and_then(|p| p.userid.clone()),
                temp_id: d.person.as_ref().map(|p| p.temp_id.clone()),
                at_ms: d.at_ms,
                body: body.to_string(),
            }
        })
        .collect()
}

/// WeCom events from `wecom_attendees` rows.
pub(crate) fn wecom(rows: &[Value], m: &CatalogMeeting, corp_id: &str, seed: u64) -> Vec<Planned> {
    let sessions = rows
        .iter()
        .filter_map(|r| {
            let person = Person {
                userid: text(r, "userid"),
                temp_id: text(r, "tmp_openid").unwrap_or_default(),
                name: String::new(),
                instance: text(r, "instance_id").unwrap_or_default(),
            };
            Some((person, secs(r, "join_time")?, secs(r, "quit_time")))
        })
        .collect();
    drafts(sessions, m, seed, false)
        .into_iter()
        .map(|d| {
            let at = d.at_ms.div_euclid(1000);
            let mut from = String::new();
            let mut who = "";
            if let Some(p) = &d.person {
                if let Some(u) = &p.userid {
                    from += &format!("<FromUserName><![CDATA[{u}]]></FromUserName>");
                    who = u;
                }
                if !p.temp_id.is_empty() {
                    from += &format!("<FromUserTmpOpenId><![CDATA[{}]]></FromUserTmpOpenId>", p.temp_id);
                    who = &p.temp_id;
                }
            }
            let body = format!(
                "<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>{from}<CreateTime>{at}</CreateTime>\
                 <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[meeting_change]]></Event>\
                 <ChangeType><![CDATA[{}]]></ChangeType><MeetingId><![CDATA[{}]]></MeetingId></xml>",
                d.change, m.id
            );
            Planned {
                key: format!("{}|{}|{who}|{at}", m.id, d.change),
                kind: d.kind,
                userid: d.person.as_ref().and_then(|p| p.userid.clone()),
                temp_id: d.person.as_ref().map(|p| p.temp_id.clone()).filter(|t| !t.is_empty()),
                at_ms: at * 1000,
                body,
            }
        })
        .collect()
}
