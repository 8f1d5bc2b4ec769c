//! Sign-ins (签到): the rounds of a meeting, `GET /v1/meetings/sign-in/list`
//! (docs/specs/tencent-meeting.md §12.4), and the records of one round,
//! `GET /v1/meetings/sign-in` (§12.5), as declared lists; [`TencentMeetingClient::sign_ins`]
//! streams every record of every round.
//!
//! Both endpoints take the meeting id in the query, page by number (rounds: 20 a page, the
//! vendor's maximum; records: 50) and stop by the last-page rule of §12. Their small codes
//! are their own: `101` and `102` mean the operator may not read sign-ins
//! ([`roster_core::ErrorKind::Forbidden`], see [`crate::errors::classify_for`]), not
//! "enrollment not enabled".

use futures::{StreamExt, TryStreamExt};
use roster_core::{
    Error, List, ListEndpoint, MeetingQuery, Page, PageToken, Paginator, RecordStream, Result,
    SignIn,
};
use serde::Serialize;
use serde_json::Value;

use crate::client::TencentMeetingClient;
use crate::config::INSTANCE_ID;
use crate::convert::sign_in_from_event;
use crate::errors::endpoint;
use crate::paging::numbered_page;
use crate::target::{QueryString, validate_id};
use crate::wire::{SignInInfo, SignInListResponse, SignInRecordsResponse};

/// Rounds per page: the vendor's maximum ("默认值为10,最大为20").
pub const SIGN_IN_ROUNDS_PAGE_SIZE: u32 = 20;

/// Records per page: the vendor's maximum ("默认10,最大50条").
pub const SIGN_IN_RECORDS_PAGE_SIZE: u32 = 50;

/// Longest sign-in id accepted (the vendor's are 37-character UUID-like strings).
pub const MAX_SIGN_IN_ID_LEN: usize = 128;

/// A sign-in round as the vendor lists it.
pub type SignInRound = SignInInfo;

fn check_page(page: u32, page_size: u32, max: u32, what: &str) -> Result<()> {
    if page < 1 {
        return Err(Error::invalid_argument(format!(
            "{what} pages are numbered from 1"
        )));
    }
    if !(1..=max).contains(&page_size) {
        return Err(Error::invalid_argument(format!(
            "the {what} page size must be 1 to {max}, not {page_size}"
        )));
    }
    Ok(())
}

/// Checks a sign-in id before it goes into a query: non-empty, at most
/// [`MAX_SIGN_IN_ID_LEN`] characters, no control characters or spaces (it is sent
/// percent-encoded either way).
pub fn validate_sign_in_id(id: &str) -> Result<()> {
    if id.is_empty()
        || id.chars().count() > MAX_SIGN_IN_ID_LEN
        || id.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(Error::invalid_argument(format!(
            "the sign-in id {:?} is not a Tencent Meeting sign-in id",
            roster_core::wire::excerpt(id)
        )));
    }
    Ok(())
}

impl TencentMeetingClient {
    /// One raw page of a meeting's sign-in rounds (`page` from 1, `page_size` `1..=20`).
    /// Query order: `meeting_id`, `operator_id`, `operator_id_type`, `instanceid`, `page`,
    /// `page_size`.
    pub async fn sign_in_rounds_page(
        &self,
        meeting_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<SignInListResponse> {
        validate_id("meeting id", meeting_id)?;
        check_page(page, page_size, SIGN_IN_ROUNDS_PAGE_SIZE, "sign-in round")?;
        let mut q = QueryString::new();
        q.push("meeting_id", meeting_id)
            .push("operator_id", &self.inner.operator_id)
            .push("operator_id_type", "1")
            .push("instanceid", INSTANCE_ID.to_string())
            .push("page", page.to_string())
            .push("page_size", page_size.to_string());
        self.get_json(
            endpoint::SIGN_IN_LIST,
            &["v1", "meetings", "sign-in", "list"],
            &q,
        )
        .await
    }

    /// One raw page of the records of one sign-in round (`page` from 1, `page_size`
    /// `1..=50`). Query order: `meeting_id`, `operator_id`, `operator_id_type`, `instanceid`,
    /// `sign_in_id`, `page`, `page_size`.
    pub async fn sign_in_records_page(
        &self,
        meeting_id: &str,
        sign_in_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<SignInRecordsResponse> {
        validate_id("meeting id", meeting_id)?;
        validate_sign_in_id(sign_in_id)?;
        check_page(page, page_size, SIGN_IN_RECORDS_PAGE_SIZE, "sign-in record")?;
        let mut q = QueryString::new();
        q.push("meeting_id", meeting_id)
            .push("operator_id", &self.inner.operator_id)
            .push("operator_id_type", "1")
            .push("instanceid", INSTANCE_ID.to_string())
            .push("sign_in_id", sign_in_id)
            .push("page", page.to_string())
            .push("page_size", page_size.to_string());
        self.get_json(
            endpoint::SIGN_IN_RECORDS,
            &["v1", "meetings", "sign-in"],
            &q,
        )
        .await
    }

    /// Every sign-in round of a meeting as a list, 20 a page (checked now, before any
    /// request).
    pub fn sign_in_rounds_list(&self, meeting_id: impl Into<String>) -> Result<SignInRoundList> {
        List::new(
            self.clone(),
            SignInRoundsQuery {
                meeting_id: meeting_id.into(),
                page_size: SIGN_IN_ROUNDS_PAGE_SIZE,
            },
        )
    }

    /// Every record of one sign-in round as a list, 50 a page (checked now, before any
    /// request). Each record carries the round's start and description as the records'
    /// answer gives them.
    pub fn sign_ins_list(
        &self,
        meeting_id: impl Into<String>,
        sign_in_id: impl Into<String>,
    ) -> Result<SignInList> {
        List::new(
            self.clone(),
            SignInRecordsQuery {
                meeting_id: meeting_id.into(),
                sign_in_id: sign_in_id.into(),
                page_size: SIGN_IN_RECORDS_PAGE_SIZE,
            },
        )
    }

    /// Every sign-in of every round of the meeting, round after round, as one stream
    /// (docs/specs/tencent-meeting.md §12.4, §12.5). The round's start, description and
    /// status (`extra["sign_in_status"]`) come from the round list where the records' answer
    /// lacks them. Rounds without an id are skipped. `sub_meeting_id` and a time range of
    /// the query do not apply (the vendor has neither) and are ignored.
    pub async fn sign_ins(&self, query: &MeetingQuery) -> Result<RecordStream<SignIn>> {
        let rounds = query.observe(Paginator::new(
            self.sign_in_rounds_list(query.meeting_id.clone())?,
        ));
        let client = self.clone();
        let meeting_id = query.meeting_id.clone();
        let observer = query.clone();
        let stream = rounds
            .items()
            .try_filter_map(move |round| {
                let client = client.clone();
                let meeting_id = meeting_id.clone();
                let observer = observer.clone();
                async move {
                    let Some(id) = round.sign_in_id.clone().filter(|i| !i.trim().is_empty()) else {
                        tracing::debug!(%meeting_id, "a sign-in round without an id: skipped");
                        return Ok(None);
                    };
                    let list = client.sign_ins_list(meeting_id, id)?;
                    let records = observer.observe(Paginator::new(list)).items().map_ok(
                        move |mut s: SignIn| {
                            if s.round_started_at.is_none() {
                                s.round_started_at = round.start_time;
                            }
                            if s.round_description.is_none() {
                                s.round_description = round.sign_in_specification.clone();
                            }
                            if let Some(status) = round.sign_in_status {
                                s.extra
                                    .entry("sign_in_status")
                                    .or_insert(Value::from(status));
                            }
                            s
                        },
                    );
                    Ok(Some(records))
                }
            })
            .try_flatten()
            .boxed();
        Ok(query.limit(stream))
    }
}

/// The query of [`SignInRounds`]: a meeting and a page size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SignInRoundsQuery {
    /// The meeting id.
    pub meeting_id: String,
    /// Rounds per page, `1..=20`.
    pub page_size: u32,
}

/// A meeting's sign-in rounds, page by page ([`PageToken::Page`] from 1).
#[derive(Debug)]
pub struct SignInRounds;

/// The sign-in rounds of one meeting.
pub type SignInRoundList = List<SignInRounds>;

impl ListEndpoint for SignInRounds {
    type Client = TencentMeetingClient;
    type Query = SignInRoundsQuery;
    type Item = SignInRound;
    const NAME: &'static str = "tencent.sign_in_rounds";

    fn page_size(query: &SignInRoundsQuery) -> u32 {
        query.page_size
    }

    fn validate(query: &SignInRoundsQuery) -> Result<()> {
        validate_id("meeting id", &query.meeting_id)?;
        check_page(
            1,
            query.page_size,
            SIGN_IN_ROUNDS_PAGE_SIZE,
            "sign-in round",
        )
    }

    async fn page(
        client: &TencentMeetingClient,
        query: &SignInRoundsQuery,
        token: Option<PageToken>,
    ) -> Result<Page<SignInRound>> {
        let page = PageToken::page_number(token, "sign-in round")?;
        let r = client
            .sign_in_rounds_page(&query.meeting_id, page, query.page_size)
            .await?;
        let numbers = r.page_numbers();
        let total = numbers.total_count.and_then(|t| u64::try_from(t).ok());
        Ok(numbered_page("sign-in/list", page, r.sign_in_list, numbers)?.with_total(total))
    }
}

/// The query of [`SignInRecords`]: a meeting, a round and a page size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SignInRecordsQuery {
    /// The meeting id.
    pub meeting_id: String,
    /// The round.
    pub sign_in_id: String,
    /// Records per page, `1..=50`.
    pub page_size: u32,
}

/// The records of one sign-in round, page by page ([`PageToken::Page`] from 1), as
/// [`SignIn`]s.
#[derive(Debug)]
pub struct SignInRecords;

/// The sign-ins of one round.
pub type SignInList = List<SignInRecords>;

impl ListEndpoint for SignInRecords {
    type Client = TencentMeetingClient;
    type Query = SignInRecordsQuery;
    type Item = SignIn;
    const NAME: &'static str = "tencent.sign_in_records";

    fn page_size(query: &SignInRecordsQuery) -> u32 {
        query.page_size
    }

    fn validate(query: &SignInRecordsQuery) -> Result<()> {
        validate_id("meeting id", &query.meeting_id)?;
        validate_sign_in_id(&query.sign_in_id)?;
        check_page(
            1,
            query.page_size,
            SIGN_IN_RECORDS_PAGE_SIZE,
            "sign-in record",
        )
    }

    async fn page(
        client: &TencentMeetingClient,
        query: &SignInRecordsQuery,
        token: Option<PageToken>,
    ) -> Result<Page<SignIn>> {
        let page = PageToken::page_number(token, "sign-in record")?;
        let r = client
            .sign_in_records_page(&query.meeting_id, &query.sign_in_id, page, query.page_size)
            .await?;
        let numbers = r.page_numbers();
        let total = numbers.total_count.and_then(|t| u64::try_from(t).ok());
        let (started, description) = (r.start_time, r.sign_in_specification);
        let items = r.events.map(|events| {
            events
                .into_iter()
                .map(|e| {
                    sign_in_from_event(
                        e,
                        &query.meeting_id,
                        &query.sign_in_id,
                        started,
                        description.as_deref(),
                    )
                })
                .collect()
        });
        Ok(numbered_page("sign-in", page, items, numbers)?.with_total(total))
    }
}
