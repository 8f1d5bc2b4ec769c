//! `conference/attendee/list` (docs/specs/quanshi.md §4.5): the terminals in a meeting **now** (real time, not
//! history), paginated by 1-based `page` and a constant `count`.
//!
//! [`AttendeeListEndpoint`] declares it through core's [`ListEndpoint`]; [`TerminalList`] builds
//! the query and the core [`Paginator`] drives it. A page shorter than
//! `count` (or empty, or without `list`) is the last one; after `max_pages` full pages the
//! chain stops and the paginator reports [`roster_core::ErrorKind::Truncated`].

use roster_core::{
    Attendee, Error, List, ListEndpoint, Page, PageToken, Paginator, Result, malformed_page,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::client::{Call, QuanshiClient, endpoint};
use crate::config::{Family, MAX_ATTENDEE_LIST_PAGE_SIZE};
use crate::wire::{Terminal, carries_list, json_type, records_from};

/// The query of one meeting's terminal list: the meeting, the page size and the page guard
/// (the fingerprint is the meeting alone; the page size is checked apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalQuery {
    event_id: u64,
    #[serde(skip)]
    count: u32,
    #[serde(skip)]
    max_pages: u32,
}

/// The terminal list of one meeting being built, with the client that will run it.
#[derive(Debug, Clone)]
pub struct TerminalList {
    client: QuanshiClient,
    query: TerminalQuery,
}

impl TerminalList {
    /// The list of `event_id` with the client's configured page size and page guard.
    pub fn new(client: QuanshiClient, event_id: u64) -> Self {
        let query = TerminalQuery {
            event_id,
            count: client.config().attendee_list_page_size,
            max_pages: client.config().max_pages,
        };
        Self { client, query }
    }

    /// Sets the page size (`count`, 1 to 100); fails before any request otherwise.
    pub fn page_size(mut self, count: u32) -> Result<Self> {
        self.query.count = count;
        AttendeeListEndpoint::validate(&self.query)?;
        Ok(self)
    }

    /// Sets the page guard.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.query.max_pages = pages.max(1);
        self
    }

    /// A paginator from the first page; fails before any request if the list is invalid.
    pub fn paginate(self) -> Result<Paginator<List<AttendeeListEndpoint>>> {
        Ok(List::new(self.client, self.query)?.paginate())
    }
}

/// `conference/attendee/list`, declared once: numbered pages of terminals, the last one short
/// (no total is documented), at most `max_pages` of them (a cap the paginator surfaces).
#[derive(Debug)]
pub struct AttendeeListEndpoint;

impl ListEndpoint for AttendeeListEndpoint {
    type Client = QuanshiClient;
    type Query = TerminalQuery;
    type Item = Terminal;
    const NAME: &'static str = "quanshi.attendee_list";

    fn page_size(query: &TerminalQuery) -> u32 {
        query.count
    }

    fn validate(query: &TerminalQuery) -> Result<()> {
        if !(1..=MAX_ATTENDEE_LIST_PAGE_SIZE).contains(&query.count) {
            return Err(Error::invalid_argument(format!(
                "count must be between 1 and {MAX_ATTENDEE_LIST_PAGE_SIZE}, not {}",
                query.count
            )));
        }
        Ok(())
    }

    fn record_cap(_client: &QuanshiClient, query: &TerminalQuery) -> Option<u64> {
        Some(u64::from(query.max_pages) * u64::from(query.count))
    }

    async fn page(
        client: &QuanshiClient,
        query: &TerminalQuery,
        token: Option<PageToken>,
    ) -> Result<Page<Terminal>> {
        let page = PageToken::page_number(token, "conference/attendee/list")?;
        let RawPage { items, sent } = client
            .terminals_raw_page(query.event_id, page, query.count)
            .await?;
        // What the server sent decides, `null` elements included: they are dropped from
        // `items`, and a full page holding one must not read as the last.
        let full = sent >= query.count as usize;
        Ok(if full && page < query.max_pages {
            Page::new(items, true, Some(PageToken::Page(page + 1)))
        } else {
            Page::last(items)
        })
    }
}

/// One page as read: the terminals, and how many elements the server's list had (`null`
/// elements, which are skipped, included).
struct RawPage {
    items: Vec<Terminal>,
    sent: usize,
}

impl QuanshiClient {
    /// One page of `conference/attendee/list` (`page` from 1, `count` 1 to 100).
    pub async fn terminals_page(
        &self,
        event_id: u64,
        page: u32,
        count: u32,
    ) -> Result<Vec<Terminal>> {
        Ok(self.terminals_raw_page(event_id, page, count).await?.items)
    }

    async fn terminals_raw_page(&self, event_id: u64, page: u32, count: u32) -> Result<RawPage> {
        if page < 1 {
            return Err(Error::invalid_argument("page numbers start at 1"));
        }
        if !(1..=MAX_ATTENDEE_LIST_PAGE_SIZE).contains(&count) {
            return Err(Error::invalid_argument(format!(
                "count must be between 1 and {MAX_ATTENDEE_LIST_PAGE_SIZE}, not {count}"
            )));
        }
        let mut body = Map::new();
        body.insert("eventId".into(), json!(event_id));
        body.insert("page".into(), json!(page));
        body.insert("count".into(), json!(count));
        let answer = self
            .call(Call {
                family: Family::Conference,
                endpoint: endpoint::ATTENDEE_LIST,
                path: self.config().paths.attendee_list.clone(),
                body,
                secret_answer: false,
            })
            .await?;
        if !carries_list(&answer.payload, "list") {
            return Err(malformed_page(
                "conference/attendee/list",
                "its terminal array (`result.list`)",
            ));
        }
        answer.decode(read_list)
    }

    /// A paginator over the terminals in meeting `event_id` now, with the configured page size
    /// and guard.
    pub fn terminals(&self, event_id: u64) -> Result<Paginator<List<AttendeeListEndpoint>>> {
        TerminalList::new(self.clone(), event_id).paginate()
    }

    /// Everyone in meeting `event_id` now, as attendees (no join or leave times).
    pub async fn terminal_attendees(&self, event_id: u64) -> Result<Vec<Attendee>> {
        use futures::TryStreamExt;
        self.terminals(event_id)?
            .items()
            .map_ok(|t| t.into_attendee(event_id))
            .try_collect()
            .await
    }
}

/// `result.list`; a `null` list is empty. (An answer without `list` is no page:
/// `terminals_raw_page` refuses it before this.)
fn read_list(value: Value) -> std::result::Result<RawPage, String> {
    let list = match value {
        Value::Object(mut map) => match map.remove("list") {
            None => return Err("no `list` array".into()),
            Some(Value::Null) => return Ok(RawPage::empty()),
            Some(list @ Value::Array(_)) => list,
            Some(other) => {
                return Err(format!(
                    "`list` is {}, expected an array",
                    json_type(&other)
                ));
            }
        },
        other => return Err(format!("expected an object, got {}", json_type(&other))),
    };
    let sent = list.as_array().map_or(0, Vec::len);
    Ok(RawPage {
        items: records_from(list)?,
        sent,
    })
}

impl RawPage {
    fn empty() -> Self {
        Self {
            items: Vec::new(),
            sent: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_shapes() {
        let page = read_list(json!({"list": null})).unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.sent, 0);
        // No array at all is no page (the client refuses it as malformed before reading).
        for not_a_page in [Value::Null, json!({})] {
            assert!(!carries_list(&not_a_page, "list"));
            assert!(read_list(not_a_page).is_err());
        }
        let page = read_list(json!({"list": [{"name": "a"}, null]})).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.sent, 2, "the null element counts as sent");
        assert!(
            read_list(json!([{"name": "a"}])).is_err(),
            "another endpoint's shape"
        );
        assert!(read_list(json!({"list": 3})).is_err());
        assert!(read_list(json!({"list": [3]})).is_err());
        assert!(read_list(json!(true)).is_err());
    }
}
