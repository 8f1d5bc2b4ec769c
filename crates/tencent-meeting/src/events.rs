//! Tencent Meeting event subscriptions (事件订阅; docs/specs/webhooks.md §1): the URL check
//! and heartbeat of `GET`, and the events of `POST`, verified, decoded and decrypted; pure
//! functions, no server.
//!
//! - `signature` = SHA-1 over the sorted token, `timestamp`, `nonce` and the payload exactly
//!   as received (`check_str`, or the body's `data`), compared in constant time.
//! - The payload is base64, with or without `=` padding (the vendor's own example has none);
//!   with an `EncodingAESKey` it is AES-256-CBC (IV = the key's first 16 bytes, PKCS#7) of the
//!   event JSON itself.
//! - Events come in two shapes: the older `unique_sequence` with text times, the current
//!   `trace_id` with milliseconds; `payload` is an array (every item counts) and `instance_id`
//!   a string. An event name this version does not know is kept, never a decode failure.
//! - Joins and leaves map to the unified model; `action_scene_type` 2 and 3 (moves between
//!   the main meeting and a breakout room) neither open nor close a session.
//!
//! Errors say which check failed and never carry the token, the key or the content.

use std::fmt;

use roster_core::webhook::{
    PresenceChange, PresenceKind, WebhookError, WebhookErrorKind, WebhookKey, decode_base64,
    verify_signature,
};
use roster_core::{ExposeSecret, SecretString, Vendor};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::macros::{format_description, offset};

/// The exact body that acknowledges a delivery (anything else makes Tencent retry).
pub const ACKNOWLEDGEMENT: &str = "successfully received callback";

/// The largest event body read.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// One subscription's settings: its Token and, for encrypted payloads, its EncodingAESKey.
/// `Debug` shows neither.
#[derive(Clone)]
pub struct WebhookConfig {
    token: SecretString,
    key: Option<WebhookKey>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("encrypted", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl WebhookConfig {
    /// Fails for an empty token or an `EncodingAESKey` that is not 43 characters of base64.
    pub fn new(
        token: impl Into<String>,
        encoding_aes_key: Option<&str>,
    ) -> Result<Self, WebhookError> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(WebhookError::new(
                WebhookErrorKind::Signature,
                "the webhook token is empty",
            ));
        }
        Ok(Self {
            token: SecretString::from(token),
            key: encoding_aes_key
                .map(WebhookKey::from_encoding_aes_key)
                .transpose()?,
        })
    }

    /// `GET ?check_str=…` (percent-decoded, `+` kept) with the `timestamp`, `nonce` and
    /// `signature` headers: the plaintext to answer with (HTTP 200, nothing else).
    pub fn verify_url(
        &self,
        timestamp: &str,
        nonce: &str,
        signature: &str,
        check_str: &str,
    ) -> Result<String, WebhookError> {
        let plain = self.open(timestamp, nonce, signature, check_str)?;
        String::from_utf8(plain).map_err(|_| {
            WebhookError::new(WebhookErrorKind::Payload, "the check string is not text")
        })
    }

    /// `POST` with the three headers and `body` (`{"data":"…"}`): the event.
    pub fn open_event(
        &self,
        timestamp: &str,
        nonce: &str,
        signature: &str,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        let bad = || WebhookError::new(WebhookErrorKind::Payload, "the body is not {\"data\": …}");
        if body.len() > MAX_EVENT_BYTES {
            return Err(WebhookError::new(
                WebhookErrorKind::Payload,
                "the body is too large",
            ));
        }
        let envelope: Value = serde_json::from_slice(body).map_err(|_| bad())?;
        let data = envelope
            .get("data")
            .and_then(Value::as_str)
            .ok_or_else(bad)?;
        let plain = self.open(timestamp, nonce, signature, data)?;
        WebhookEvent::parse(&plain)
    }

    fn open(
        &self,
        timestamp: &str,
        nonce: &str,
        signature: &str,
        data: &str,
    ) -> Result<Vec<u8>, WebhookError> {
        verify_signature(
            signature,
            &[self.token.expose_secret(), timestamp, nonce, data],
        )?;
        let bytes = decode_base64(data)?;
        match &self.key {
            Some(key) => key.decrypt(&bytes, 16),
            None => Ok(bytes),
        }
    }
}

/// The name of an event; unknown names are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventName {
    /// `meeting.participant-joined`.
    ParticipantJoined,
    /// `meeting.participant-left`.
    ParticipantLeft,
    /// `meeting.started`.
    MeetingStarted,
    /// `meeting.end`.
    MeetingEnd,
    /// Any other event (waiting room, enrolment, creation …), as sent.
    Other(String),
}

impl EventName {
    /// The event of a name.
    pub fn from_name(name: &str) -> Self {
        match name {
            "meeting.participant-joined" => Self::ParticipantJoined,
            "meeting.participant-left" => Self::ParticipantLeft,
            "meeting.started" => Self::MeetingStarted,
            "meeting.end" => Self::MeetingEnd,
            other => Self::Other(other.to_string()),
        }
    }
}

/// Who an event is about (`operator`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventPerson {
    /// `userid` (same-enterprise users only).
    pub userid: Option<String>,
    /// `open_id`.
    pub open_id: Option<String>,
    /// `uuid`.
    pub uuid: Option<String>,
    /// `ms_open_id`: the per-meeting temporary id.
    pub ms_open_id: Option<String>,
    /// `user_name`.
    pub user_name: Option<String>,
    /// `pstn_number` (dial-in).
    pub pstn_number: Option<String>,
    /// `instance_id` (a string in events; a number is read too).
    pub instance_id: Option<String>,
}

/// One item of `payload`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventItem {
    /// `operate_time`: milliseconds, or (older events) `YYYY-MM-DD HH:MM:SS` in UTC+8.
    pub operate_time: Option<OffsetDateTime>,
    /// `operator`.
    pub operator: EventPerson,
    /// `meeting_info.meeting_id`.
    pub meeting_id: Option<String>,
    /// `meeting_info.sub_meeting_id`, where given.
    pub sub_meeting_id: Option<String>,
    /// `meeting_info.meeting_id_type`: 1 a breakout room.
    pub meeting_id_type: Option<i64>,
    /// `meeting_info.action_scene_type`: 0 main meeting, 1 breakout, 2 main→breakout,
    /// 3 breakout→main, 4 outside↔breakout.
    pub action_scene_type: Option<i64>,
    /// The whole item as sent.
    pub raw: Map<String, Value>,
}

/// A decoded event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// `event`.
    pub name: EventName,
    /// `trace_id`, or `unique_sequence` in older events: what tells deliveries apart.
    pub delivery_id: Option<String>,
    /// Every item of `payload`.
    pub payload: Vec<EventItem>,
    /// The whole event as sent.
    pub raw: Map<String, Value>,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `o[k]`, when `o` is there.
fn field<'a>(o: Option<&'a Value>, k: &str) -> Option<&'a Value> {
    o.and_then(|o| o.get(k))
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Milliseconds, or the older `YYYY-MM-DD HH:MM:SS` (UTC+8).
fn event_time(v: Option<&Value>) -> Option<OffsetDateTime> {
    match v? {
        Value::Number(n) => {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(n.as_i64()?) * 1_000_000).ok()
        }
        Value::String(s) => {
            let s = s.trim();
            if let Ok(ms) = s.parse::<i64>() {
                return OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok();
            }
            let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
            time::PrimitiveDateTime::parse(s, format)
                .ok()
                .map(|t| t.assume_offset(offset!(+8)))
        }
        _ => None,
    }
}

impl WebhookEvent {
    /// Reads a decoded event (JSON). Fields this version does not know stay in `raw`.
    pub fn parse(json: &[u8]) -> Result<Self, WebhookError> {
        let bad = || {
            WebhookError::new(
                WebhookErrorKind::Payload,
                "the event is not JSON of an event",
            )
        };
        let Value::Object(raw) = serde_json::from_slice::<Value>(json).map_err(|_| bad())? else {
            return Err(bad());
        };
        let name = raw.get("event").and_then(Value::as_str).ok_or_else(bad)?;
        let payload = match raw.get("payload") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_object)
                .map(|item| {
                    let op = item.get("operator");
                    let info = item.get("meeting_info");
                    EventItem {
                        operate_time: event_time(item.get("operate_time")),
                        operator: EventPerson {
                            userid: text(field(op, "userid")),
                            open_id: text(field(op, "open_id")),
                            uuid: text(field(op, "uuid")),
                            ms_open_id: text(field(op, "ms_open_id")),
                            user_name: text(field(op, "user_name")),
                            pstn_number: text(field(op, "pstn_number")),
                            instance_id: text(field(op, "instance_id")),
                        },
                        meeting_id: text(field(info, "meeting_id")),
                        sub_meeting_id: text(field(info, "sub_meeting_id")),
                        meeting_id_type: int(field(info, "meeting_id_type")),
                        action_scene_type: int(field(info, "action_scene_type")),
                        raw: item.clone(),
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            name: EventName::from_name(name),
            delivery_id: text(raw.get("trace_id")).or_else(|| text(raw.get("unique_sequence"))),
            payload,
            raw,
        })
    }

    /// The joins and leaves of this event in the unified model, one per payload item; moves
    /// between the main meeting and a breakout room (`action_scene_type` 2 and 3) are none.
    pub fn presence(&self) -> Vec<PresenceChange> {
        let kind = match self.name {
            EventName::ParticipantJoined => PresenceKind::Joined,
            EventName::ParticipantLeft => PresenceKind::Left,
            _ => return Vec::new(),
        };
        self.payload
            .iter()
            .filter(|item| !matches!(item.action_scene_type, Some(2 | 3)))
            .filter_map(|item| {
                Some(PresenceChange {
                    vendor: Vendor::TencentMeeting,
                    meeting_id: item.meeting_id.clone()?,
                    kind,
                    at: item.operate_time,
                    user_id: item.operator.userid.clone(),
                    temp_id: item.operator.ms_open_id.clone(),
                    display_name: item.operator.user_name.clone(),
                    phone: item.operator.pstn_number.clone(),
                    instance_id: item.operator.instance_id.clone(),
                })
            })
            .collect()
    }
}
