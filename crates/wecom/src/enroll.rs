//! Enrollments: `POST /cgi-bin/meeting/enroll/list` (a cursor chain of enrollments with their
//! answers) and `POST /cgi-bin/meeting/enroll/query_by_tmp_openid` (enrollment ids of attendees,
//! in batches of 500), docs/specs/wecom.md §4.2–§4.3; and their webinar twins
//! `webinar/enroll/list` and `webinar/enroll/query_by_tmp_openid` (§12.1–§12.2).
//!
//! The two families have the same shapes and rules and share one code path: an
//! [`EnrollFamily`] names the API paths. Which family serves a meeting is told by `get_info`'s
//! `meeting_type` (`6`: webinar; [`WeComClient::enroll_family`]), never by probing errors; the
//! other family answers `730011` ([`ErrorKind::Unsupported`]).

use std::collections::{HashMap, HashSet};

use roster_core::{
    Attendee, Cursor, Error, ErrorKind, List, ListEndpoint, Page, PageToken, Paginator,
    Registration, RegistrationFilter, Result, RetryClass, Vendor,
};
use serde::Serialize;
use serde_json::Value;

use crate::attendees::next_token;
use crate::client::{Api, WeComClient};
use crate::config::MAX_ENROLL_LIMIT;
use crate::convert;
use crate::validate;
use crate::wire::{
    EnrollIdEntry, EnrollListBody, EnrollListResponse, MeetingType, QueryByTmpOpenidBody,
    QueryByTmpOpenidResponse, SortingRules,
};

/// The most `tmp_openid`s one `query_by_tmp_openid` call accepts.
pub const MAX_TMP_OPENIDS_PER_CALL: usize = 500;

/// Which enrollment APIs serve a meeting: meetings use `enroll/*` (docs/specs/wecom.md
/// §4.2–§4.3), webinars (`get_info.meeting_type` `6`) use `webinar/enroll/*` (§12.1–§12.2).
/// Both have the same request and answer shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollFamily {
    /// `enroll/list` and `enroll/query_by_tmp_openid`: every meeting type but webinars.
    #[default]
    Meeting,
    /// `webinar/enroll/list` and `webinar/enroll/query_by_tmp_openid`: webinars.
    Webinar,
}

impl EnrollFamily {
    /// The family of a meeting of type `meeting_type` (`get_info.meeting_type`): webinars
    /// (`6`) have their own; every other type, and an unknown or absent one, uses the
    /// meeting APIs.
    pub fn for_meeting_type(meeting_type: Option<MeetingType>) -> Self {
        match meeting_type {
            Some(MeetingType::Webinar) => EnrollFamily::Webinar,
            _ => EnrollFamily::Meeting,
        }
    }

    /// The path of the enrollment list (`/cgi-bin/meeting/enroll/list` or
    /// `/cgi-bin/meeting/webinar/enroll/list`).
    pub fn list_path(self) -> &'static str {
        self.list_api().path()
    }

    /// The path of the enrollment-id lookup (`…/enroll/query_by_tmp_openid`).
    pub fn query_path(self) -> &'static str {
        self.query_api().path()
    }

    pub(crate) fn list_api(self) -> Api {
        match self {
            EnrollFamily::Meeting => Api::EnrollList,
            EnrollFamily::Webinar => Api::WebinarEnrollList,
        }
    }

    pub(crate) fn query_api(self) -> Api {
        match self {
            EnrollFamily::Meeting => Api::EnrollQueryByTmpOpenid,
            EnrollFamily::Webinar => Api::WebinarEnrollQueryByTmpOpenid,
        }
    }

    /// Whether this is the meeting family (left out of cursor fingerprints, so cursors saved
    /// before webinars were told apart still resume).
    fn is_meeting(&self) -> bool {
        *self == EnrollFamily::Meeting
    }
}

impl WeComClient {
    /// Which enrollment family serves `meeting_id`, from one `get_info` call (read without its
    /// attendance summary): [`EnrollFamily::Webinar`] for `meeting_type` `6`.
    pub async fn enroll_family(&self, meeting_id: &str) -> Result<EnrollFamily> {
        let info = self.get_info_head(meeting_id).await?;
        Ok(EnrollFamily::for_meeting_type(info.meeting_type()))
    }

    /// One raw `enroll/list` call (meetings; a webinar answers `730011`).
    pub async fn get_enroll_list(&self, body: &EnrollListBody) -> Result<EnrollListResponse> {
        self.enroll_list_call(EnrollFamily::Meeting, body).await
    }

    /// One raw `webinar/enroll/list` call (webinars; a meeting answers `730011`).
    pub async fn get_webinar_enroll_list(
        &self,
        body: &EnrollListBody,
    ) -> Result<EnrollListResponse> {
        self.enroll_list_call(EnrollFamily::Webinar, body).await
    }

    /// One raw enrollment-list call of `family`, checked before any request.
    pub(crate) async fn enroll_list_call(
        &self,
        family: EnrollFamily,
        body: &EnrollListBody,
    ) -> Result<EnrollListResponse> {
        validate::id("meeting id", &body.meetingid)?;
        validate::limit("enrollment page size", body.limit, MAX_ENROLL_LIMIT)?;
        if !(0..=3).contains(&body.status) {
            return Err(Error::invalid_argument(format!(
                "the enrollment status filter must be 0–3, not {}",
                body.status
            )));
        }
        self.call(family.list_api(), body).await
    }

    /// A cursor chain over one meeting's enrollments (all statuses, configured page size), on
    /// `enroll/list`; [`EnrollList::family`] switches to the webinar twin.
    pub fn enroll_list(&self, meeting_id: impl Into<String>) -> EnrollList {
        EnrollList {
            client: self.clone(),
            query: EnrollQuery {
                meeting_id: meeting_id.into(),
                family: EnrollFamily::Meeting,
                status: RegistrationFilter::All,
                limit: self.config().enroll_page_size,
            },
        }
    }

    /// A cursor chain over one webinar's enrollments, on `webinar/enroll/list` (§12.1):
    /// [`Self::enroll_list`] with [`EnrollFamily::Webinar`].
    pub fn webinar_enroll_list(&self, meeting_id: impl Into<String>) -> EnrollList {
        self.enroll_list(meeting_id).family(EnrollFamily::Webinar)
    }

    /// One raw `query_by_tmp_openid` call (at most 500 ids; meetings).
    pub async fn query_by_tmp_openid(
        &self,
        body: &QueryByTmpOpenidBody,
    ) -> Result<QueryByTmpOpenidResponse> {
        self.query_by_tmp_openid_call(EnrollFamily::Meeting, body)
            .await
    }

    /// One raw `webinar/enroll/query_by_tmp_openid` call (at most 500 ids; webinars).
    pub async fn webinar_query_by_tmp_openid(
        &self,
        body: &QueryByTmpOpenidBody,
    ) -> Result<QueryByTmpOpenidResponse> {
        self.query_by_tmp_openid_call(EnrollFamily::Webinar, body)
            .await
    }

    /// One raw enrollment-id lookup of `family`, checked before any request.
    async fn query_by_tmp_openid_call(
        &self,
        family: EnrollFamily,
        body: &QueryByTmpOpenidBody,
    ) -> Result<QueryByTmpOpenidResponse> {
        validate::id("meeting id", &body.meetingid)?;
        if body.tmp_openid_list.is_empty() {
            return Err(Error::invalid_argument("the tmp_openid list is empty"));
        }
        if body.tmp_openid_list.len() > MAX_TMP_OPENIDS_PER_CALL {
            return Err(Error::invalid_argument(format!(
                "{} tmp_openids in one call; WeCom accepts at most {MAX_TMP_OPENIDS_PER_CALL}",
                body.tmp_openid_list.len()
            )));
        }
        for id in &body.tmp_openid_list {
            validate::id("tmp_openid", id)?;
        }
        self.call(family.query_api(), body).await
    }

    /// The enrollment ids of attendees, by their `tmp_openid`s (duplicates asked once), in
    /// batches of at most 500. Attendees who did not enroll are simply absent from the result.
    /// Meetings only: [`Self::enroll_ids_in`] serves webinars too.
    pub async fn enroll_ids<I, S>(
        &self,
        meeting_id: &str,
        tmp_openids: I,
        sorting: SortingRules,
    ) -> Result<EnrollIdMatches>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.enroll_ids_in(EnrollFamily::Meeting, meeting_id, tmp_openids, sorting)
            .await
    }

    /// [`Self::enroll_ids`] on the APIs of `family` (a webinar's on
    /// `webinar/enroll/query_by_tmp_openid`, §12.2).
    pub async fn enroll_ids_in<I, S>(
        &self,
        family: EnrollFamily,
        meeting_id: &str,
        tmp_openids: I,
        sorting: SortingRules,
    ) -> Result<EnrollIdMatches>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        validate::id("meeting id", meeting_id)?;
        let mut seen = HashSet::new();
        let mut ids = Vec::new();
        for id in tmp_openids {
            let id = id.as_ref();
            validate::id("tmp_openid", id)?;
            if seen.insert(id.to_string()) {
                ids.push(id.to_string());
            }
        }
        let mut matches = EnrollIdMatches::default();
        for batch in ids.chunks(MAX_TMP_OPENIDS_PER_CALL) {
            let body = QueryByTmpOpenidBody {
                meetingid: meeting_id.to_string(),
                sorting_rules: Some(sorting.code()),
                tmp_openid_list: batch.to_vec(),
            };
            let response = self.query_by_tmp_openid_call(family, &body).await?;
            matches.extend(response.enroll_id_list);
        }
        Ok(matches)
    }
}

/// Enrollment ids per `tmp_openid`, in the order WeCom returned them (its `sorting_rules`
/// order): the first is the primary one, the rest are kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnrollIdMatches {
    by_tmp_openid: HashMap<String, Vec<String>>,
    order: Vec<String>,
    entries: Vec<EnrollIdEntry>,
}

impl EnrollIdMatches {
    fn extend(&mut self, entries: Vec<EnrollIdEntry>) {
        for entry in entries {
            if let (Some(tmp), Some(enroll)) = (&entry.tmp_openid, &entry.enroll_id)
                && !tmp.is_empty()
                && !enroll.is_empty()
            {
                let ids = self.by_tmp_openid.entry(tmp.clone()).or_insert_with(|| {
                    self.order.push(tmp.clone());
                    Vec::new()
                });
                if !ids.contains(enroll) {
                    ids.push(enroll.clone());
                }
            }
            self.entries.push(entry);
        }
    }

    /// The primary enrollment id of `tmp_openid` (the first WeCom returned).
    pub fn primary(&self, tmp_openid: &str) -> Option<&str> {
        self.all(tmp_openid).first().map(String::as_str)
    }

    /// Every enrollment id of `tmp_openid`, primary first.
    pub fn all(&self, tmp_openid: &str) -> &[String] {
        self.by_tmp_openid
            .get(tmp_openid)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Number of `tmp_openid`s with at least one enrollment.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nobody matched.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// `(tmp_openid, enrollment ids)` in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.order.iter().map(|t| (t.as_str(), self.all(t)))
    }

    /// The raw entries as WeCom sent them, in order (including any without ids).
    pub fn entries(&self) -> &[EnrollIdEntry] {
        &self.entries
    }

    /// Writes `enroll_id` (the primary id) and, when there are several, `enroll_ids` (all of
    /// them) into the `extra` of every attendee whose `temp_id` matched. Returns how many
    /// attendees matched.
    pub fn annotate(&self, attendees: &mut [Attendee]) -> usize {
        let mut matched = 0;
        for a in attendees {
            let Some(tmp) = a.temp_id.as_deref() else {
                continue;
            };
            let ids = self.all(tmp);
            let Some(primary) = ids.first() else {
                continue;
            };
            matched += 1;
            a.extra
                .insert("enroll_id".into(), Value::String(primary.clone()));
            if ids.len() > 1 {
                a.extra.insert(
                    "enroll_ids".into(),
                    Value::Array(ids.iter().cloned().map(Value::String).collect()),
                );
            }
        }
        matched
    }
}

/// The query of one enrollment-list cursor chain: a meeting, its family, a status filter and
/// a page size that stays the same for the whole chain (checked apart from the fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollQuery {
    meeting_id: String,
    #[serde(skip_serializing_if = "EnrollFamily::is_meeting")]
    family: EnrollFamily,
    status: RegistrationFilter,
    #[serde(skip)]
    limit: u32,
}

impl EnrollQuery {
    /// Checks the id and page size without a request.
    pub fn validate(&self) -> Result<()> {
        validate::id("meeting id", &self.meeting_id)?;
        validate::limit("enrollment page size", self.limit, MAX_ENROLL_LIMIT)
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> EnrollListBody {
        EnrollListBody {
            meetingid: self.meeting_id.clone(),
            status: self.status.code(),
            cursor,
            limit: self.limit,
        }
    }
}

/// An `enroll/list` query being built, with the client that will run it.
#[derive(Debug, Clone)]
pub struct EnrollList {
    client: WeComClient,
    query: EnrollQuery,
}

impl EnrollList {
    /// Reads the enrollments on the APIs of `family` (default: [`EnrollFamily::Meeting`]).
    pub fn family(mut self, family: EnrollFamily) -> Self {
        self.query.family = family;
        self
    }

    /// The family whose APIs this list reads.
    pub fn enroll_family(&self) -> EnrollFamily {
        self.query.family
    }

    /// Lists only enrollments of one status.
    pub fn status(mut self, status: RegistrationFilter) -> Self {
        self.query.status = status;
        self
    }

    /// Sets the page size (1–50).
    pub fn limit(mut self, limit: u32) -> Self {
        self.query.limit = limit;
        self
    }

    /// Checks the id and page size without a request.
    pub fn validate(&self) -> Result<()> {
        self.query.validate()
    }

    /// The checked list; fails before any request if the query is invalid.
    pub fn into_list(self) -> Result<List<EnrollListEndpoint>> {
        List::new(self.client, self.query)
    }

    /// A paginator from the first page; fails before any request if the list is invalid.
    pub fn paginate(self) -> Result<Paginator<List<EnrollListEndpoint>>> {
        Ok(self.into_list()?.paginate())
    }

    /// A paginator resuming a saved cursor; fails with
    /// [`CursorMismatch`](roster_core::ErrorKind::CursorMismatch) before any request if the
    /// cursor was saved with another page size or query.
    pub fn resume(self, cursor: &Cursor) -> Result<Paginator<List<EnrollListEndpoint>>> {
        self.into_list()?.resume(cursor)
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> EnrollListBody {
        self.query.body(cursor)
    }
}

/// `enroll/list` and `webinar/enroll/list`, declared once: cursor pages of enrollments (the
/// query's [`EnrollFamily`] picks the path).
#[derive(Debug)]
pub struct EnrollListEndpoint;

impl ListEndpoint for EnrollListEndpoint {
    type Client = WeComClient;
    type Query = EnrollQuery;
    type Item = Registration;
    const NAME: &'static str = "wecom.enroll_list";

    fn page_size(query: &EnrollQuery) -> u32 {
        query.limit
    }

    fn validate(query: &EnrollQuery) -> Result<()> {
        query.validate()
    }

    async fn page(
        client: &WeComClient,
        query: &EnrollQuery,
        token: Option<PageToken>,
    ) -> Result<Page<Registration>> {
        let first = token.is_none();
        let cursor = PageToken::cursor(token, "WeCom enrollment")?;
        let response = match client
            .enroll_list_call(query.family, &query.body(cursor))
            .await
        {
            Ok(r) => r,
            Err(e) if first => return Err(explain(client, query, e).await),
            Err(e) => return Err(e),
        };
        let enroll_list = response.enroll_list.unwrap_or_default();
        tracing::trace!(
            meeting_id = %query.meeting_id,
            rows = enroll_list.len(),
            has_more = response.has_more,
            family = ?query.family,
            "enroll/list page"
        );
        let items = enroll_list
            .into_iter()
            .map(|w| convert::registration(w, &query.meeting_id))
            .collect();
        let next = next_token(response.next_cursor);
        let endpoint = query.family.list_api().name();
        Page::from_wire(endpoint, Some(items), response.has_more, next)
    }
}

/// WeCom reports "enrollment not enabled" as a generic `40058` (its text is not a contract): on
/// the first page, ask `get_info` (without its attendance summary) whether enrollment is off and
/// say so. A `730011` (the other family's meeting, §12.0) gets a hint naming the right list.
async fn explain(client: &WeComClient, query: &EnrollQuery, error: Error) -> Error {
    if error.vendor_code() == Some(730011) {
        return error.with_hint(match query.family {
            EnrollFamily::Meeting => {
                "enroll/list does not serve webinars (get_info.meeting_type 6): read a webinar's enrollments with webinar/enroll/list (WeComClient::webinar_enroll_list)"
            }
            EnrollFamily::Webinar => {
                "webinar/enroll/list serves webinars only: read a meeting's enrollments with enroll/list (WeComClient::enroll_list)"
            }
        });
    }
    if error.vendor_code() != Some(40058) {
        return error;
    }
    match client.get_info_head(&query.meeting_id).await {
        Ok(info) if info.enrollment_enabled() == Some(false) => {
            let Some(details) = error.api_details().cloned() else {
                return error;
            };
            let mut e = Error::api(
                Vendor::WeCom,
                details,
                ErrorKind::EnrollmentNotEnabled,
                RetryClass::Fatal,
            )
            .with_hint("this meeting has no enrollment (settings.enable_enroll is false)");
            if let Some(status) = error.http_status() {
                e = e.with_status(status);
            }
            e
        }
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::client::offline_client as client;

    #[test]
    fn several_enrollments_per_person_first_is_primary() {
        let mut m = EnrollIdMatches::default();
        let entries: Vec<EnrollIdEntry> = serde_json::from_value(json!([
            {"tmp_openid": "t1", "enroll_id": "import-1"},
            {"tmp_openid": "t1", "enroll_id": "manual-1"},
            {"tmp_openid": "t2", "enroll_id": 7},
            {"tmp_openid": "t1", "enroll_id": "import-1"},
            {"enroll_id": "orphan"}
        ]))
        .unwrap();
        m.extend(entries);
        assert_eq!(m.primary("t1"), Some("import-1"));
        assert_eq!(m.all("t1"), ["import-1", "manual-1"]);
        assert_eq!(m.primary("t2"), Some("7"));
        assert_eq!(m.primary("nobody"), None);
        assert_eq!(m.len(), 2);
        assert_eq!(m.entries().len(), 5, "raw entries are all kept");
        let order: Vec<&str> = m.iter().map(|(t, _)| t).collect();
        assert_eq!(order, ["t1", "t2"]);

        let mut a1 = Attendee::new(Vendor::WeCom, "m");
        a1.temp_id = Some("t1".into());
        let mut a2 = Attendee::new(Vendor::WeCom, "m");
        a2.temp_id = Some("zz".into());
        let mut attendees = [a1, a2, Attendee::new(Vendor::WeCom, "m")];
        assert_eq!(m.annotate(&mut attendees), 1);
        assert_eq!(attendees[0].extra["enroll_id"], "import-1");
        assert_eq!(
            attendees[0].extra["enroll_ids"],
            json!(["import-1", "manual-1"])
        );
        assert!(attendees[1].extra.is_empty());
    }

    #[tokio::test]
    async fn bad_inputs_fail_before_any_request() {
        // The base URL points at a closed port: a request would be a Transport error.
        let c = client();
        let e = c
            .enroll_ids("m", ["ok", ""], SortingRules::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = c
            .query_by_tmp_openid(&QueryByTmpOpenidBody {
                meetingid: "m".into(),
                sorting_rules: None,
                tmp_openid_list: (0..501).map(|i| format!("t{i}")).collect(),
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = c
            .query_by_tmp_openid(&QueryByTmpOpenidBody {
                meetingid: "m".into(),
                sorting_rules: None,
                tmp_openid_list: vec![],
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = c.enroll_list("m").limit(51).paginate().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = c
            .get_enroll_list(&EnrollListBody {
                meetingid: "m".into(),
                status: 4,
                cursor: None,
                limit: 50,
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        // No ids at all: no call, empty answer.
        let none: [&str; 0] = [];
        assert!(
            c.enroll_ids("m", none, SortingRules::default())
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn the_family_follows_the_meeting_type() {
        use crate::wire::MeetingType;
        assert_eq!(
            EnrollFamily::for_meeting_type(Some(MeetingType::Webinar)),
            EnrollFamily::Webinar
        );
        for t in [
            Some(MeetingType::OneOff),
            Some(MeetingType::Recurring),
            Some(MeetingType::PersonalMeetingId),
            Some(MeetingType::Unknown(7)),
            None,
        ] {
            assert_eq!(EnrollFamily::for_meeting_type(t), EnrollFamily::Meeting);
        }
        assert_eq!(
            EnrollFamily::Meeting.list_path(),
            "/cgi-bin/meeting/enroll/list"
        );
        assert_eq!(
            EnrollFamily::Webinar.list_path(),
            "/cgi-bin/meeting/webinar/enroll/list"
        );
        assert_eq!(
            EnrollFamily::Meeting.query_path(),
            "/cgi-bin/meeting/enroll/query_by_tmp_openid"
        );
        assert_eq!(
            EnrollFamily::Webinar.query_path(),
            "/cgi-bin/meeting/webinar/enroll/query_by_tmp_openid"
        );
    }

    #[tokio::test]
    async fn webinar_lists_share_the_meeting_lists_rules() {
        use roster_core::ListRequest;
        let c = client();
        let w = c
            .webinar_enroll_list("w")
            .status(RegistrationFilter::Pending);
        assert_eq!(w.enroll_family(), EnrollFamily::Webinar);
        assert_eq!(c.enroll_list("w").enroll_family(), EnrollFamily::Meeting);
        // Same body shape on both paths.
        assert_eq!(
            w.body(None),
            c.enroll_list("w")
                .status(RegistrationFilter::Pending)
                .body(None)
        );
        // A cursor of one family never resumes the other; the meeting family's fingerprint
        // is the one saved before webinars were told apart.
        let meeting = c.enroll_list("w").into_list().unwrap().fingerprint();
        let webinar = c
            .webinar_enroll_list("w")
            .into_list()
            .unwrap()
            .fingerprint();
        assert_ne!(meeting, webinar);
        assert_eq!(
            meeting,
            r#"["wecom.enroll_list",{"meeting_id":"w","status":"all"}]"#
        );
        assert!(webinar.contains(r#""family":"webinar""#), "{webinar}");
        // The same local checks, before any request.
        for list in [
            c.webinar_enroll_list("w").limit(51),
            c.webinar_enroll_list("w").limit(0),
            c.webinar_enroll_list(""),
        ] {
            assert_eq!(
                list.paginate().unwrap_err().kind(),
                ErrorKind::InvalidArgument
            );
        }
        let e = c
            .webinar_query_by_tmp_openid(&QueryByTmpOpenidBody {
                meetingid: "w".into(),
                sorting_rules: None,
                tmp_openid_list: (0..501).map(|i| format!("t{i}")).collect(),
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = c
            .enroll_ids_in(
                EnrollFamily::Webinar,
                "w",
                ["t", " "],
                SortingRules::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = c
            .get_webinar_enroll_list(&EnrollListBody {
                meetingid: "w".into(),
                status: -1,
                cursor: None,
                limit: 50,
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn body_and_fingerprint_carry_the_filter() {
        let c = client();
        let l = c
            .enroll_list("m")
            .status(RegistrationFilter::Approved)
            .limit(20);
        let b = l.body(None);
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            json!({"meetingid": "m", "status": 3, "limit": 20})
        );
        use roster_core::ListRequest;
        let fingerprint = l.into_list().unwrap().fingerprint();
        assert_ne!(
            fingerprint,
            c.enroll_list("m").into_list().unwrap().fingerprint()
        );
    }
}
