//! Enrollment approvals of meetings, `GET /v1/meetings/{meeting_id}/enroll/approvals`
//! (docs/specs/tencent-meeting.md §4.3, §12.2), and of webinars,
//! `GET /v1/webinars/{meeting_id}/enroll/approvals` (§12.1): the same query, answer and pages
//! on two paths. Up to 300 rows a page ([`MAX_ENROLL_PAGE_SIZE`]).

use roster_core::{
    Error, List, ListEndpoint, Page, PageToken, Registration, RegistrationFilter, Result,
};
use serde::Serialize;

use crate::errors::endpoint;

use crate::client::TencentMeetingClient;
use crate::config::{INSTANCE_ID, MAX_ENROLL_PAGE_SIZE};
use crate::convert::registration_from_enroll;
use crate::paging::numbered_page;
use crate::target::{QueryString, validate_id};
use crate::wire::EnrollApprovalsResponse;

fn validate(meeting_id: &str, page: u32, page_size: u32) -> Result<()> {
    validate_id("meeting id", meeting_id)?;
    if page < 1 {
        return Err(Error::invalid_argument(
            "enrollment pages are numbered from 1",
        ));
    }
    if !(1..=MAX_ENROLL_PAGE_SIZE).contains(&page_size) {
        return Err(Error::invalid_argument(format!(
            "the enrollment page size must be 1 to {MAX_ENROLL_PAGE_SIZE}, not {page_size}"
        )));
    }
    Ok(())
}

/// Which enrollment list: a meeting's or a webinar's (the vendor serves them on two paths and
/// refuses a meeting id on the webinar path and the reverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EnrollPath {
    /// `/v1/meetings/{meeting_id}/enroll/approvals` (docs/specs/tencent-meeting.md §4.3).
    #[default]
    Meeting,
    /// `/v1/webinars/{meeting_id}/enroll/approvals` (docs/specs/tencent-meeting.md §12.1).
    Webinar,
}

impl EnrollPath {
    fn is_meeting(&self) -> bool {
        *self == EnrollPath::Meeting
    }

    /// The first path segment (`meetings`, `webinars`).
    pub fn segment(self) -> &'static str {
        match self {
            EnrollPath::Meeting => "meetings",
            EnrollPath::Webinar => "webinars",
        }
    }

    /// The endpoint name in traces and in code classification ([`crate::errors::endpoint`]).
    pub fn endpoint(self) -> &'static str {
        match self {
            EnrollPath::Meeting => endpoint::ENROLL_APPROVALS,
            EnrollPath::Webinar => endpoint::WEBINAR_ENROLL_APPROVALS,
        }
    }
}

impl TencentMeetingClient {
    /// One raw page of a meeting's enrollments. `page` counts from 1, `page_size` is
    /// `1..=300`. Query order: `operator_id`, `operator_id_type`, `instanceid`, `page`,
    /// `page_size`, `status`.
    ///
    /// A meeting without enrollment fails with [`roster_core::ErrorKind::EnrollmentNotEnabled`]
    /// (vendor code 101).
    pub async fn enroll_approvals_page(
        &self,
        meeting_id: &str,
        page: u32,
        page_size: u32,
        status: RegistrationFilter,
    ) -> Result<EnrollApprovalsResponse> {
        self.enroll_page(EnrollPath::Meeting, meeting_id, page, page_size, status)
            .await
    }

    /// One raw page of a webinar's enrollments (`/v1/webinars/{meeting_id}/enroll/approvals`,
    /// docs/specs/tencent-meeting.md §12.1): the same query and answer as
    /// [`Self::enroll_approvals_page`].
    pub async fn webinar_enroll_approvals_page(
        &self,
        meeting_id: &str,
        page: u32,
        page_size: u32,
        status: RegistrationFilter,
    ) -> Result<EnrollApprovalsResponse> {
        self.enroll_page(EnrollPath::Webinar, meeting_id, page, page_size, status)
            .await
    }

    async fn enroll_page(
        &self,
        path: EnrollPath,
        meeting_id: &str,
        page: u32,
        page_size: u32,
        status: RegistrationFilter,
    ) -> Result<EnrollApprovalsResponse> {
        validate(meeting_id, page, page_size)?;
        let mut q = QueryString::new();
        q.push("operator_id", &self.inner.operator_id)
            .push("operator_id_type", "1")
            .push("instanceid", INSTANCE_ID.to_string())
            .push("page", page.to_string())
            .push("page_size", page_size.to_string())
            .push("status", status.code().to_string());
        self.get_json(
            path.endpoint(),
            &["v1", path.segment(), meeting_id, "enroll", "approvals"],
            &q,
        )
        .await
    }

    /// Every enrollment of a meeting with `status` as a list, with the client's enrollment
    /// page size (checked now, before any request).
    pub fn enrollments_list(
        &self,
        meeting_id: impl Into<String>,
        status: RegistrationFilter,
    ) -> Result<EnrollList> {
        self.enroll_list(EnrollPath::Meeting, meeting_id.into(), status)
    }

    /// Every enrollment of a webinar with `status` as a list (docs/specs/tencent-meeting.md
    /// §12.1), with the client's enrollment page size (checked now, before any request).
    pub fn webinar_enrollments_list(
        &self,
        meeting_id: impl Into<String>,
        status: RegistrationFilter,
    ) -> Result<EnrollList> {
        self.enroll_list(EnrollPath::Webinar, meeting_id.into(), status)
    }

    /// The enrollment list on `path`.
    pub fn enroll_list(
        &self,
        path: EnrollPath,
        meeting_id: String,
        status: RegistrationFilter,
    ) -> Result<EnrollList> {
        let query = EnrollQuery {
            meeting_id,
            page_size: self.inner.config.enroll_page_size,
            status,
            path,
        };
        List::new(self.clone(), query)
    }
}

/// The query of [`EnrollApprovals`]: a meeting, a page size and a status filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EnrollQuery {
    /// The meeting id.
    pub meeting_id: String,
    /// Rows per page, `1..=300`.
    pub page_size: u32,
    /// Which enrollments.
    pub status: RegistrationFilter,
    /// The meeting or the webinar path (left out of a meeting list's cursor fingerprint, so
    /// cursors saved before webinars were told apart still resume).
    #[serde(skip_serializing_if = "EnrollPath::is_meeting")]
    pub path: EnrollPath,
}

/// Enrollment approvals, page by page ([`PageToken::Page`] from 1).
///
/// Stops when the requested page reaches `total_page`, or a page is empty (`current_size` 0 or
/// no `enroll_list`); page numbers only grow, so a misbehaving server cannot make it loop.
#[derive(Debug)]
pub struct EnrollApprovals;

/// The enrollments of one meeting.
pub type EnrollList = List<EnrollApprovals>;

impl ListEndpoint for EnrollApprovals {
    type Client = TencentMeetingClient;
    type Query = EnrollQuery;
    type Item = Registration;
    const NAME: &'static str = "tencent.enroll_approvals";

    fn page_size(query: &EnrollQuery) -> u32 {
        query.page_size
    }

    fn validate(query: &EnrollQuery) -> Result<()> {
        validate(&query.meeting_id, 1, query.page_size)
    }

    async fn page(
        client: &TencentMeetingClient,
        query: &EnrollQuery,
        token: Option<PageToken>,
    ) -> Result<Page<Registration>> {
        let page = PageToken::page_number(token, "enrollment")?;
        let r = client
            .enroll_page(
                query.path,
                &query.meeting_id,
                page,
                query.page_size,
                query.status,
            )
            .await?;
        // `enroll_list` is documented as absent on an empty page (`current_size` 0) only;
        // `total_page` is on every real page and is this list's "more" signal.
        let numbers = r.page_numbers();
        let total = numbers.total_count.and_then(|t| u64::try_from(t).ok());
        let items = r.enroll_list.map(|list| {
            list.into_iter()
                .map(|e| registration_from_enroll(e, &query.meeting_id))
                .collect()
        });
        Ok(numbered_page("enroll/approvals", page, items, numbers)?.with_total(total))
    }
}
