//! WeCom callbacks (回调; docs/specs/webhooks.md §2): the URL check of `GET`, and the meeting
//! events of `POST`, verified and decrypted; pure functions, no server.
//!
//! - `msg_signature` = SHA-1 over the sorted token, timestamp, nonce and ciphertext, compared
//!   in constant time.
//! - The ciphertext is AES-256-CBC (IV = the key's first 16 bytes), PKCS#7-padded to a
//!   multiple of **32** bytes (a 16-byte unpadder rejects about half of the real messages);
//!   the plaintext frame is `random(16) ‖ length (u32, big-endian) ‖ message ‖ receive id`,
//!   checked for its length before any slicing, and the receive id must be the CorpID.
//! - Events are XML, read with `quick-xml`; a change type this version does not know is kept
//!   as sent.
//!
//! Errors say which check failed (with WeCom's codes) and never carry the token, the key or
//! the decrypted content.

use std::collections::BTreeMap;
use std::fmt;

use quick_xml::Reader;
use quick_xml::events::Event;
use roster_core::webhook::{
    PresenceChange, PresenceKind, WebhookError, WebhookErrorKind, WebhookKey, decode_base64,
    verify_signature,
};
use roster_core::{ExposeSecret, SecretString, Vendor};
use time::OffsetDateTime;

/// The largest callback body read (WeCom's are a few kilobytes).
pub const MAX_CALLBACK_BYTES: usize = 1 << 20;

/// One app's callback settings (接收消息): Token, EncodingAESKey and the CorpID the messages
/// are for. `Debug` shows the CorpID only.
#[derive(Clone)]
pub struct CallbackConfig {
    token: SecretString,
    key: WebhookKey,
    corp_id: String,
}

impl fmt::Debug for CallbackConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackConfig")
            .field("corp_id", &self.corp_id)
            .finish_non_exhaustive()
    }
}

impl CallbackConfig {
    /// Fails for an `EncodingAESKey` that is not 43 characters of base64, or an empty token.
    pub fn new(
        token: impl Into<String>,
        encoding_aes_key: &str,
        corp_id: impl Into<String>,
    ) -> Result<Self, WebhookError> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(WebhookError::new(
                WebhookErrorKind::Signature,
                "the callback token is empty",
            ));
        }
        Ok(Self {
            token: SecretString::from(token),
            key: WebhookKey::from_encoding_aes_key(encoding_aes_key)?,
            corp_id: corp_id.into(),
        })
    }

    /// `GET ?msg_signature&timestamp&nonce&echostr` (values percent-decoded): the plaintext to
    /// answer with.
    pub fn verify_url(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        echostr: &str,
    ) -> Result<String, WebhookError> {
        self.open(msg_signature, timestamp, nonce, echostr)
    }

    /// `POST ?msg_signature&timestamp&nonce` with `body` (the `<xml><Encrypt>…` envelope): the
    /// decrypted event XML.
    pub fn open_event(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        body: &str,
    ) -> Result<String, WebhookError> {
        if body.len() > MAX_CALLBACK_BYTES {
            return Err(WebhookError::new(
                WebhookErrorKind::Payload,
                "the body is too large",
            ));
        }
        let fields = xml_fields(body)?;
        let encrypted = fields.get("Encrypt").ok_or_else(|| {
            WebhookError::new(WebhookErrorKind::Payload, "the body has no Encrypt")
        })?;
        self.open(msg_signature, timestamp, nonce, encrypted)
    }

    fn open(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypted: &str,
    ) -> Result<String, WebhookError> {
        verify_signature(
            msg_signature,
            &[self.token.expose_secret(), timestamp, nonce, encrypted],
        )?;
        let plain = self.key.decrypt(&decode_base64(encrypted)?, 32)?;
        let frame =
            || WebhookError::new(WebhookErrorKind::Frame, "the decrypted frame is too short");
        let length: [u8; 4] = plain
            .get(16..20)
            .ok_or_else(frame)?
            .try_into()
            .map_err(|_| frame())?;
        let length = u32::from_be_bytes(length) as usize;
        let end = 20usize
            .checked_add(length)
            .filter(|&e| e <= plain.len())
            .ok_or_else(frame)?;
        if plain[end..] != *self.corp_id.as_bytes() {
            return Err(WebhookError::new(
                WebhookErrorKind::ReceiveId,
                "the message is for another receiver",
            ));
        }
        String::from_utf8(plain[20..end].to_vec())
            .map_err(|_| WebhookError::new(WebhookErrorKind::Payload, "the message is not UTF-8"))
    }
}

/// The top-level elements of `<xml>…</xml>` and their text (CDATA or plain).
fn xml_fields(xml: &str) -> Result<BTreeMap<String, String>, WebhookError> {
    let bad = || {
        WebhookError::new(
            WebhookErrorKind::Payload,
            "the XML is not a callback message",
        )
    };
    let mut reader = Reader::from_str(xml);
    let mut fields = BTreeMap::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    let mut text = String::new();
    loop {
        match reader.read_event().map_err(|_| bad())? {
            Event::Start(e) => {
                depth += 1;
                if depth > 2 {
                    // Nested elements are not part of these messages: skipped whole.
                    continue;
                }
                if depth == 2 {
                    current = Some(e.name().as_ref().to_string());
                    text.clear();
                }
            }
            Event::End(_) => {
                if depth == 2
                    && let Some(name) = current.take()
                {
                    fields.insert(name, std::mem::take(&mut text));
                }
                depth = depth.checked_sub(1).ok_or_else(bad)?;
            }
            Event::Text(t) if depth == 2 => {
                text.push_str(&t);
            }
            Event::GeneralRef(r) if depth == 2 => {
                // `&amp;` and friends inside plain text.
                let c = match &*r {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => return Err(bad()),
                };
                text.push(c);
            }
            Event::CData(c) if depth == 2 => {
                text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 || fields.is_empty() {
        return Err(bad());
    }
    Ok(fields)
}

/// `ChangeType` of a `meeting_change` event; a value this version does not know is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeType {
    /// A member joined (`join_meeting`).
    JoinMeeting,
    /// A member left (`quit_meeting`).
    QuitMeeting,
    /// The meeting started (`meeting_start`).
    MeetingStart,
    /// The meeting ended (`meeting_end`).
    MeetingEnd,
    /// Any other change (`modify_meeting`, `cancel_meeting`, waiting-room moves, `enroll` …),
    /// as sent.
    Other(String),
}

impl ChangeType {
    /// The change of a `ChangeType` value.
    pub fn from_code(code: &str) -> Self {
        match code {
            "join_meeting" => Self::JoinMeeting,
            "quit_meeting" => Self::QuitMeeting,
            "meeting_start" => Self::MeetingStart,
            "meeting_end" => Self::MeetingEnd,
            other => Self::Other(other.to_string()),
        }
    }

    /// The value as WeCom sends it.
    pub fn code(&self) -> &str {
        match self {
            Self::JoinMeeting => "join_meeting",
            Self::QuitMeeting => "quit_meeting",
            Self::MeetingStart => "meeting_start",
            Self::MeetingEnd => "meeting_end",
            Self::Other(code) => code,
        }
    }
}

/// A decrypted WeCom event: a `meeting_change` when `event` says so. Every element is kept in
/// `fields`; the ones roster reads have their own field. A trigger more than a record: its
/// only time is `CreateTime` (seconds), with no device, role or occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackEvent {
    /// `MsgType` (`event`).
    pub msg_type: Option<String>,
    /// `Event` (`meeting_change`).
    pub event: Option<String>,
    /// `ChangeType`, when the event has one.
    pub change_type: Option<ChangeType>,
    /// `MeetingId`.
    pub meeting_id: Option<String>,
    /// `FromUserName`: the member's userid.
    pub from_user: Option<String>,
    /// `FromUserTmpOpenId`.
    pub from_tmp_openid: Option<String>,
    /// `CreateTime`.
    pub create_time: Option<OffsetDateTime>,
    /// Every element as sent.
    pub fields: BTreeMap<String, String>,
}

impl CallbackEvent {
    /// Reads a decrypted event.
    pub fn parse(xml: &str) -> Result<Self, WebhookError> {
        let fields = xml_fields(xml)?;
        let get = |k: &str| {
            fields
                .get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Ok(Self {
            msg_type: get("MsgType"),
            event: get("Event"),
            change_type: get("ChangeType").map(|c| ChangeType::from_code(&c)),
            meeting_id: get("MeetingId"),
            from_user: get("FromUserName"),
            from_tmp_openid: get("FromUserTmpOpenId"),
            create_time: get("CreateTime")
                .and_then(|t| t.parse::<i64>().ok())
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()),
            fields,
        })
    }

    /// What tells a delivery of this event from another event (WeCom redelivers on timeouts):
    /// meeting, change, person and time.
    pub fn dedup_key(&self) -> String {
        let who = self
            .from_tmp_openid
            .as_deref()
            .or(self.from_user.as_deref())
            .unwrap_or("");
        format!(
            "{}|{}|{}|{}",
            self.meeting_id.as_deref().unwrap_or(""),
            self.change_type.as_ref().map_or("", ChangeType::code),
            who,
            self.create_time.map_or(0, OffsetDateTime::unix_timestamp)
        )
    }

    /// A join or a quit in the unified model; other events are none.
    pub fn presence(&self) -> Option<PresenceChange> {
        let kind = match self.change_type.as_ref()? {
            ChangeType::JoinMeeting => PresenceKind::Joined,
            ChangeType::QuitMeeting => PresenceKind::Left,
            _ => return None,
        };
        Some(PresenceChange {
            vendor: Vendor::WeCom,
            meeting_id: self.meeting_id.clone()?,
            kind,
            at: self.create_time,
            user_id: self.from_user.clone(),
            temp_id: self.from_tmp_openid.clone(),
            display_name: None,
            phone: None,
            instance_id: None,
        })
    }
}
