//! [`AttendeeSource`] for Quanshi.
//!
//! - **Attendees** come from the v2 report (one record per join session): `meeting_id` is the
//!   `eventId` (or, when it is empty, the meeting behind `join_url`); `sub_meeting_id` keeps
//!   one run (`tempConferenceId`; `NotFound` when the report lists runs and not this one);
//!   `from`/`to` filter join times client-side (the report has no time filter); records are
//!   sorted by join time.
//! - **Registrations** come from the meeting's invitee list (`attendList`): by `join_url` when
//!   the query has one, else from `room/conference/infos` by `eventId` with the configured
//!   host user id (a [`roster_core::ErrorKind::Config`] error names the setting when it is
//!   missing). `status` filters client-side.
//!
//! Both validate the query (and the configuration they need) before returning; the request is
//! made when the stream is first polled.

use std::collections::BTreeSet;
use std::fmt;

use async_trait::async_trait;
use futures::StreamExt;
use roster_core::{
    Attendee, AttendeeSource, Error, List, ListEndpoint, MeetingQuery, Page, PageToken,
    RecordStream, Registration, RegistrationFilter, Result, Vendor,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::client::QuanshiClient;
use crate::meeting::{ConferenceKey, invitee_registrations, validate_join_url};

/// Which meeting a query names. Serialised (into cursor fingerprints) and shown in `Debug`
/// as [`MeetingRef::describe`]: the join link itself stays out (it may carry a passcode).
#[derive(Clone, PartialEq, Eq)]
enum MeetingRef {
    Event(u64),
    JoinUrl(String),
}

impl MeetingRef {
    fn describe(&self) -> String {
        match self {
            MeetingRef::Event(id) => format!("event:{id}"),
            // The link itself stays out of fingerprints.
            MeetingRef::JoinUrl(_) => "join_url".into(),
        }
    }
}

impl fmt::Debug for MeetingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Serialize for MeetingRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.describe())
    }
}

/// The query of the v2 report's sessions of one meeting: filtered and sorted.
#[derive(Debug, Serialize)]
struct SessionQuery {
    target: MeetingRef,
    sub_meeting_id: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

/// Join sessions of one meeting from the v2 report (one page: the report is not paginated).
#[derive(Debug)]
struct ReportSessions;

impl ListEndpoint for ReportSessions {
    type Client = QuanshiClient;
    type Query = SessionQuery;
    type Item = Attendee;
    const NAME: &'static str = "quanshi.report_v2";

    async fn page(
        client: &QuanshiClient,
        query: &SessionQuery,
        _token: Option<PageToken>,
    ) -> Result<Page<Attendee>> {
        let event_ids: Vec<u64> = match &query.target {
            MeetingRef::Event(id) => vec![*id],
            MeetingRef::JoinUrl(url) => {
                let meetings = client.meetings_by_join_url(url).await?;
                let ids: BTreeSet<u64> = meetings.iter().filter_map(|m| m.event_id).collect();
                if ids.is_empty() {
                    return Err(Error::new(
                        roster_core::ErrorKind::NotFound,
                        "the meeting behind this join link has no eventId",
                    )
                    .with_vendor(Vendor::Quanshi));
                }
                ids.into_iter().collect()
            }
        };
        let mut items = Vec::new();
        for event_id in event_ids {
            let report = client.report_v2(event_id).await?;
            if let Some(sub) = &query.sub_meeting_id
                && !report.runs.is_empty()
                && !report
                    .runs
                    .iter()
                    .any(|r| r.temp_conference_id.as_deref() == Some(sub.as_str()))
            {
                return Err(Error::new(
                    roster_core::ErrorKind::NotFound,
                    format!(
                        "event {event_id} has no run (tempConferenceId) {:?}",
                        roster_core::wire::excerpt(sub)
                    ),
                )
                .with_vendor(Vendor::Quanshi));
            }
            let id = event_id.to_string();
            items.extend(
                report
                    .sessions
                    .into_iter()
                    .map(|s| s.into_attendee(id.clone())),
            );
        }
        items.retain(|a| query.keeps(a));
        // Time order; sessions without a join time last; stable, so report order breaks ties.
        items.sort_by_key(|a| (a.joined_at.is_none(), a.joined_at));
        Ok(Page::last(items))
    }
}

impl SessionQuery {
    fn keeps(&self, a: &Attendee) -> bool {
        if let Some(sub) = &self.sub_meeting_id
            && a.sub_meeting_id.as_deref() != Some(sub.as_str())
        {
            return false;
        }
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        let Some(joined) = a.joined_at.map(OffsetDateTime::unix_timestamp) else {
            return false;
        };
        self.from.is_none_or(|from| joined >= from) && self.to.is_none_or(|to| joined < to)
    }
}

/// Which meeting an invitee query looks up: by link, or by event id with the host's user id
/// (`room/conference/infos` needs both). Serialised, and shown in `Debug`, as
/// [`InviteeLookup::describe`].
enum InviteeLookup {
    JoinUrl(String),
    Event { id: u64, host_user_id: u64 },
}

impl InviteeLookup {
    fn describe(&self) -> String {
        match self {
            InviteeLookup::Event { id, .. } => MeetingRef::Event(*id).describe(),
            InviteeLookup::JoinUrl(_) => "join_url".into(),
        }
    }
}

impl fmt::Debug for InviteeLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Serialize for InviteeLookup {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.describe())
    }
}

/// The query of one meeting's invitees as registrations.
#[derive(Serialize)]
struct InviteeQuery {
    lookup: InviteeLookup,
    /// Not in the fingerprint: it only names rows without an id.
    #[serde(skip)]
    fallback_id: Option<String>,
    filter: RegistrationFilter,
}

impl fmt::Debug for InviteeQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The link may carry a passcode: only what the fingerprint shows.
        f.debug_struct("InviteeQuery")
            .field("target", &self.lookup.describe())
            .field("filter", &self.filter)
            .finish_non_exhaustive()
    }
}

/// Invitees of one meeting (one page: the meeting detail holds them all).
#[derive(Debug)]
struct Invitees;

impl ListEndpoint for Invitees {
    type Client = QuanshiClient;
    type Query = InviteeQuery;
    type Item = Registration;
    const NAME: &'static str = "quanshi.invitees";

    async fn page(
        client: &QuanshiClient,
        query: &InviteeQuery,
        _token: Option<PageToken>,
    ) -> Result<Page<Registration>> {
        let meetings = match &query.lookup {
            InviteeLookup::JoinUrl(url) => client.meetings_by_join_url(url).await?,
            InviteeLookup::Event { id, host_user_id } => {
                client
                    .conference_infos(&ConferenceKey::EventId(*id), *host_user_id)
                    .await?
            }
        };
        let mut items = invitee_registrations(meetings, query.fallback_id.as_deref());
        items.retain(|r| query.filter.accepts(r.status.as_ref()));
        Ok(Page::last(items))
    }
}

fn paginate<E: ListEndpoint>(
    client: E::Client,
    request: E::Query,
    query: &MeetingQuery,
) -> Result<RecordStream<E::Item>> {
    let pages = query.observe(List::<E>::new(client, request)?.paginate());
    Ok(query.limit(pages.items().boxed()))
}

impl QuanshiClient {
    fn target(&self, query: &MeetingQuery, prefer_join_url: bool) -> Result<MeetingRef> {
        let by_link = |url: &str| -> Result<MeetingRef> {
            let link = validate_join_url(url)?;
            self.join_url_lookup_path()?;
            Ok(MeetingRef::JoinUrl(link))
        };
        match (&query.join_url, query.meeting_id.trim().is_empty()) {
            (Some(url), _) if prefer_join_url => by_link(url),
            (_, false) => Ok(MeetingRef::Event(Self::parse_event_id(&query.meeting_id)?)),
            (Some(url), true) => by_link(url),
            (None, true) => Err(Error::invalid_argument(
                "a Quanshi meeting id (eventId) or an attendee join link is required",
            )),
        }
    }
}

#[async_trait]
impl AttendeeSource for QuanshiClient {
    fn vendor(&self) -> Vendor {
        Vendor::Quanshi
    }

    async fn attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from >= to
        {
            return Err(Error::invalid_argument("`from` must be before `to`"));
        }
        let target = self.target(query, false)?;
        if let Some(sub) = &query.sub_meeting_id
            && (sub.trim().is_empty() || sub.chars().any(char::is_control))
        {
            return Err(Error::invalid_argument(format!(
                "the sub-meeting (run) id {:?} is empty or holds control characters",
                roster_core::wire::excerpt(sub)
            )));
        }
        let request = SessionQuery {
            target,
            sub_meeting_id: query.sub_meeting_id.clone(),
            from: query.from.map(OffsetDateTime::unix_timestamp),
            to: query.to.map(OffsetDateTime::unix_timestamp),
        };
        paginate::<ReportSessions>(self.clone(), request, query)
    }

    /// The terminals in the meeting now (`conference/attendee/list`, docs/specs/quanshi.md
    /// §4.5), as attendees without join or leave times: Quanshi's list has none.
    async fn live_attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        use futures::{StreamExt, TryStreamExt};
        let event_id = Self::parse_event_id(&query.meeting_id)?;
        let stream = query
            .observe(self.terminals(event_id)?)
            .items()
            .map_ok(move |t| t.into_attendee(event_id))
            .boxed();
        Ok(query.limit(stream))
    }

    async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        let lookup = match self.target(query, true)? {
            MeetingRef::Event(id) => InviteeLookup::Event {
                id,
                host_user_id: match &query.host {
                    // The meeting's own host (discovery names it) before the configured one.
                    Some(host) => host.trim().parse::<u64>().map_err(|_| {
                        Error::invalid_argument(format!(
                            "the Quanshi host {:?} is not a numeric user id",
                            roster_core::wire::excerpt(host)
                        ))
                    })?,
                    None => self.host_user_id(
                        "registrations by meeting id (room/conference/infos; or query by join link)",
                    )?,
                },
            },
            MeetingRef::JoinUrl(link) => InviteeLookup::JoinUrl(link),
        };
        let fallback_id = Some(query.meeting_id.trim().to_string()).filter(|s| !s.is_empty());
        let request = InviteeQuery {
            lookup,
            fallback_id,
            filter: query.status,
        };
        paginate::<Invitees>(self.clone(), request, query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_links_stay_out_of_debug_and_fingerprints() {
        let link = "https://meet.example/j/123?pcode=SECRET-PASSCODE".to_string();
        let query = SessionQuery {
            target: MeetingRef::JoinUrl(link.clone()),
            sub_meeting_id: None,
            from: None,
            to: None,
        };
        let shown = format!("{query:?} {}", serde_json::to_string(&query).unwrap());
        assert!(!shown.contains("SECRET-PASSCODE"), "{shown}");
        let invitees = InviteeQuery {
            lookup: InviteeLookup::JoinUrl(link),
            fallback_id: None,
            filter: RegistrationFilter::All,
        };
        let shown = format!("{invitees:?} {}", serde_json::to_string(&invitees).unwrap());
        assert!(!shown.contains("SECRET-PASSCODE"), "{shown}");
    }
}
