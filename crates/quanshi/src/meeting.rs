//! Meeting detail: by attendee join link (docs/specs/quanshi.md §4.1, path from configuration) and
//! `room/conference/infos` (§4.2).

use roster_core::{Error, ErrorKind, Registration, Result, Vendor};
use serde_json::{Map, json};

use crate::client::{Call, QuanshiClient, endpoint};
use crate::config::{ENV_JOIN_URL_PATH, Family};
use crate::wire::{Meeting, records_from};

/// Checks an attendee join link before any request: trimmed, it must be an absolute `http` or
/// `https` URL with a host and without whitespace. Returns the trimmed text, which is what is
/// sent (the server matches it exactly, so it is not normalised).
pub fn validate_join_url(raw: &str) -> Result<String> {
    let t = raw.trim();
    let refuse = |why: &str| {
        Err(Error::invalid_argument(format!(
            "the attendee join link must be an http(s) URL: {why}"
        )))
    };
    if t.is_empty() {
        return refuse("it is empty");
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("it contains whitespace or control characters");
    }
    // The URL parser repairs `http:host` and `http:///host`; a join link is written in full.
    let lower = t.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
        return refuse("it must start with http:// or https:// and a host");
    }
    let Ok(url) = url::Url::parse(t) else {
        return refuse("it is not an absolute URL");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return refuse("the scheme is not http or https");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return refuse("it has no host");
    }
    Ok(t.to_string())
}

/// How `room/conference/infos` selects the meeting ("pcode, eventId 2选1").
#[derive(Clone, PartialEq, Eq)]
pub enum ConferenceKey {
    /// By `eventId`.
    EventId(u64),
    /// By host passcode `pcode` (hidden in `Debug`).
    Pcode(String),
}

impl std::fmt::Debug for ConferenceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConferenceKey::EventId(id) => f.debug_tuple("EventId").field(id).finish(),
            ConferenceKey::Pcode(_) => f.write_str("Pcode(<redacted>)"),
        }
    }
}

impl QuanshiClient {
    /// Meeting detail by attendee join link (docs/specs/quanshi.md §4.1). The link is validated first
    /// ([`validate_join_url`], [`ErrorKind::InvalidArgument`]) and the lookup path must be
    /// configured ([`ErrorKind::Config`]); both before any request. An empty result is
    /// [`ErrorKind::NotFound`].
    pub async fn meetings_by_join_url(&self, join_url: &str) -> Result<Vec<Meeting>> {
        let link = validate_join_url(join_url)?;
        let path = self.join_url_lookup_path()?;
        let mut body = Map::new();
        body.insert("attendeeJoinUrl".into(), json!(link));
        let answer = self
            .call(Call {
                family: Family::Conference,
                endpoint: endpoint::MEETING_BY_JOIN_URL,
                path,
                body,
                // A meeting detail holds passcodes and host links.
                secret_answer: true,
            })
            .await?;
        let meetings: Vec<Meeting> = answer.decode(records_from)?;
        if meetings.is_empty() {
            return Err(Error::new(
                ErrorKind::NotFound,
                "no Quanshi meeting has this attendee join link",
            )
            .with_vendor(Vendor::Quanshi));
        }
        Ok(meetings)
    }

    /// The configured join-link lookup path, or the configuration error.
    pub(crate) fn join_url_lookup_path(&self) -> Result<String> {
        self.config().paths.join_url_lookup.clone().ok_or_else(|| {
            Error::config(format!(
                "the join-link lookup path is not configured (paths.join_url_lookup, {ENV_JOIN_URL_PATH}): Quanshi does not document it"
            ))
            .with_hint("ask Quanshi for the path of 通过参会人入会短链接获取会议详情 and set it")
        })
    }

    /// `room/conference/infos` (docs/specs/quanshi.md §4.2): the meeting by `eventId` or `pcode`, with the
    /// host's user id. The result may be one object or an array.
    pub async fn conference_infos(
        &self,
        key: &ConferenceKey,
        host_user_id: u64,
    ) -> Result<Vec<Meeting>> {
        let mut body = Map::new();
        match key {
            ConferenceKey::EventId(id) => body.insert("eventId".into(), json!(id)),
            ConferenceKey::Pcode(p) => {
                if p.trim().is_empty() {
                    return Err(Error::invalid_argument("pcode must not be empty"));
                }
                body.insert("pcode".into(), json!(p.trim()))
            }
        };
        body.insert("userId".into(), json!(host_user_id));
        let answer = self
            .call(Call {
                family: Family::Conference,
                endpoint: endpoint::CONFERENCE_INFOS,
                path: self.config().paths.conference_infos.clone(),
                body,
                // A meeting detail holds passcodes and host links.
                secret_answer: true,
            })
            .await?;
        answer.decode(records_from)
    }

    /// `room/conference/list` (docs/specs/discovery.md §4): the meetings `host_user_id` hosts
    /// whose start is within `[from, to]` (Unix seconds, both inclusive), recurring ones
    /// included when `in_cycle`. Not paginated.
    pub async fn conference_list(
        &self,
        host_user_id: u64,
        from: i64,
        to: i64,
        in_cycle: bool,
    ) -> Result<Vec<Meeting>> {
        if from > to {
            return Err(Error::invalid_argument(
                "the meeting-list window is reversed",
            ));
        }
        let mut body = Map::new();
        body.insert("startTime".into(), json!(from));
        body.insert("endTime".into(), json!(to));
        body.insert("userId".into(), json!(host_user_id));
        body.insert("inCycle".into(), json!(i64::from(in_cycle)));
        let answer = self
            .call(Call {
                family: Family::Conference,
                endpoint: endpoint::CONFERENCE_LIST,
                path: self.config().paths.conference_list.clone(),
                body,
                // Meetings hold passcodes and host links.
                secret_answer: true,
            })
            .await?;
        // The list is one answer, unpaged: an answer without its meeting array (a gateway's
        // body, another endpoint's object) is no list, never "no meetings".
        if !answer.payload.is_array() {
            return Err(roster_core::malformed_page(
                "room/conference/list",
                "its meeting array (`result`)",
            ));
        }
        answer.decode(records_from)
    }

    /// The invitees of the meeting(s) behind an attendee join link, as registrations.
    pub async fn registrations_by_join_url(&self, join_url: &str) -> Result<Vec<Registration>> {
        let meetings = self.meetings_by_join_url(join_url).await?;
        Ok(invitee_registrations(meetings, None))
    }
}

/// Flattens the meetings' `attendList`s into registrations; `meeting_id` defaults to each
/// meeting's `eventId`.
pub(crate) fn invitee_registrations(
    meetings: Vec<Meeting>,
    fallback_id: Option<&str>,
) -> Vec<Registration> {
    let mut out = Vec::new();
    for meeting in meetings {
        let id = meeting
            .event_id
            .map(|e| e.to_string())
            .or_else(|| fallback_id.map(str::to_string))
            .or_else(|| meeting.conference_id.clone())
            .unwrap_or_default();
        for invitee in meeting.attend_list {
            out.push(invitee.into_registration(id.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_links() {
        for ok in [
            "https://mtest.qsh1.cn/k/mkIW3Txa0Uk",
            "  https://n.qsh1.cn/k/abc  ",
            "http://s.qsh1.cn/k/x?priority=web",
            "http://127.0.0.1:8080/k/a",
            "HTTPS://N.QSH1.CN/k/abc",
        ] {
            assert_eq!(validate_join_url(ok).unwrap(), ok.trim());
        }
        for bad in [
            "",
            "   ",
            "ftp://mtest.qsh1.cn/k/x",
            "/k/mkIW3Txa0Uk",
            "mtest.qsh1.cn/k/x",
            "https://mtest.qsh1.cn/k/a b",
            "https://exa mple.com/k",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "https://",
            "http:///k/x",
            "http:mtest.qsh1.cn/k/x",
            "https:/mtest.qsh1.cn/k/x",
            "//mtest.qsh1.cn/k/x",
            "https://mtest.qsh1.cn/k/\tx",
            "https://x.cn/\u{0}",
        ] {
            let e = validate_join_url(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn registrations_take_the_event_id() {
        let m: Meeting = serde_json::from_value(crate::wire::tests::doc_meeting()).unwrap();
        let regs = invitee_registrations(vec![m.clone()], Some("x"));
        assert_eq!(regs.len(), 1);
        assert_eq!(regs[0].meeting_id, "566390");
        let mut no_id = m;
        no_id.event_id = None;
        assert_eq!(
            invitee_registrations(vec![no_id], Some("x"))[0].meeting_id,
            "x"
        );
    }
}
