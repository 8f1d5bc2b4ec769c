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
    Attendee, AttendeeSource, Error, ListRequest, MeetingQuery, Page, PageToken, Paginator,
    RecordStream, Registration, RegistrationFilter, Result, Retrier, Vendor,
};
use time::OffsetDateTime;

use crate::client::QuanshiClient;
use crate::meeting::{ConferenceKey, invitee_registrations, validate_join_url};

/// Which meeting a query names.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Join sessions of one meeting from the v2 report, filtered and sorted (single page).
struct SessionList {
    client: QuanshiClient,
    target: MeetingRef,
    sub_meeting_id: Option<String>,
    from: Option<OffsetDateTime>,
    to: Option<OffsetDateTime>,
}

impl ListRequest for SessionList {
    type Item = Attendee;

    fn page_size(&self) -> u32 {
        0
    }

    fn retrier(&self) -> Option<&Retrier> {
        Some(self.client.retrier())
    }

    fn fingerprint(&self) -> String {
        format!(
            "quanshi.report_v2:{}:{:?}:{:?}:{:?}",
            self.target.describe(),
            self.sub_meeting_id,
            self.from.map(|t| t.unix_timestamp()),
            self.to.map(|t| t.unix_timestamp())
        )
    }

    async fn fetch(&self, _token: Option<PageToken>) -> Result<Page<Attendee>> {
        let event_ids: Vec<u64> = match &self.target {
            MeetingRef::Event(id) => vec![*id],
            MeetingRef::JoinUrl(url) => {
                let meetings = self.client.meetings_by_join_url(url).await?;
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
            let report = self.client.report_v2(event_id).await?;
            if let Some(sub) = &self.sub_meeting_id
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
        items.retain(|a| self.keeps(a));
        // Time order; sessions without a join time last; stable, so report order breaks ties.
        items.sort_by_key(|a| (a.joined_at.is_none(), a.joined_at));
        Ok(Page::last(items))
    }
}

impl SessionList {
    fn keeps(&self, a: &Attendee) -> bool {
        if let Some(sub) = &self.sub_meeting_id
            && a.sub_meeting_id.as_deref() != Some(sub.as_str())
        {
            return false;
        }
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        let Some(joined) = a.joined_at else {
            return false;
        };
        self.from.is_none_or(|from| joined >= from) && self.to.is_none_or(|to| joined < to)
    }
}

/// Which meeting an invitee query looks up: by link, or by event id with the host's user id
/// (`room/conference/infos` needs both).
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

/// Invitees of one meeting as registrations (single page).
struct InviteeList {
    client: QuanshiClient,
    lookup: InviteeLookup,
    fallback_id: Option<String>,
    filter: RegistrationFilter,
}

impl fmt::Debug for InviteeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InviteeList")
            .field("target", &self.lookup.describe())
            .finish_non_exhaustive()
    }
}

impl ListRequest for InviteeList {
    type Item = Registration;

    fn page_size(&self) -> u32 {
        0
    }

    fn fingerprint(&self) -> String {
        format!(
            "quanshi.invitees:{}:{:?}",
            self.lookup.describe(),
            self.filter
        )
    }

    async fn fetch(&self, _token: Option<PageToken>) -> Result<Page<Registration>> {
        let meetings = match &self.lookup {
            InviteeLookup::JoinUrl(url) => self.client.meetings_by_join_url(url).await?,
            InviteeLookup::Event { id, host_user_id } => {
                self.client
                    .conference_infos(&ConferenceKey::EventId(*id), *host_user_id)
                    .await?
            }
        };
        let mut items = invitee_registrations(meetings, self.fallback_id.as_deref());
        items.retain(|r| self.filter.accepts(r.status.as_ref()));
        Ok(Page::last(items))
    }
}

fn paginate<R: ListRequest>(request: R, query: &MeetingQuery) -> RecordStream<R::Item> {
    let mut p = Paginator::new(request);
    if let Some(n) = query.max_items {
        p = p.max_items(n);
    }
    if let Some(o) = &query.observer {
        p = p.observer(o.clone());
    }
    p.items().boxed()
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
        let request = SessionList {
            client: self.clone(),
            target,
            sub_meeting_id: query.sub_meeting_id.clone(),
            from: query.from,
            to: query.to,
        };
        Ok(paginate(request, query))
    }

    async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        let lookup = match self.target(query, true)? {
            MeetingRef::Event(id) => InviteeLookup::Event {
                id,
                host_user_id: self.host_user_id(
                    "registrations by meeting id (room/conference/infos; or query by join link)",
                )?,
            },
            MeetingRef::JoinUrl(link) => InviteeLookup::JoinUrl(link),
        };
        let fallback_id = Some(query.meeting_id.trim().to_string()).filter(|s| !s.is_empty());
        let request = InviteeList {
            client: self.clone(),
            lookup,
            fallback_id,
            filter: query.status,
        };
        Ok(paginate(request, query))
    }
}
