//! Pagination: list requests as values, and a paginator that turns one into a lazy stream of
//! pages or items.
//!
//! A [`ListRequest`] knows its page size and filters (frozen for its whole life, because WeCom
//! rejects a cursor used with another `limit`) and how to fetch one page for a [`PageToken`].
//! The [`Paginator`] starts nothing before the stream is first polled; once a page has arrived
//! it fetches the next one in the background while the caller works on the current one (one page
//! ahead at most, so memory stays flat; [`Paginator::read_ahead`] turns this off). It stops on
//! the first of:
//!
//! - the page says there is no more (even if it also carries a cursor, as WeCom's last page does);
//!   if the vendor stated a total for the chain and fewer records arrived, with no cap to explain
//!   it → the pages are delivered, then [`ErrorKind::Incomplete`];
//! - the page says there is more but gives no token → [`ErrorKind::PaginationStalled`];
//! - the token was already used in this chain → [`ErrorKind::PaginationStalled`] (a server loop);
//! - the caller's `max_items` is reached;
//! - the vendor's record cap cut the chain short (its total says more exists than arrived or,
//!   without a total, the cap was reached), or the cap was reached while the vendor still says
//!   "more" → the pages are delivered, then [`ErrorKind::Truncated`] (never a silent cut);
//! - an error (the stream ends after yielding it).
//!
//! Every page carries a resumable [`Cursor`]; [`Paginator::resume`] refuses a cursor saved with
//! another page size or query ([`ErrorKind::CursorMismatch`]) before any request.
//!
//! **Malformed pages.** An answer that lacks what every real page of its endpoint carries (the
//! records array, the vendor's "more" flag) is not a page: a gateway, proxy or WAF can answer
//! `{}` or another endpoint's body with HTTP 200, and reading that as "no more" would end an
//! export early and silently. A vendor crate builds its pages with [`Page::from_wire`], which
//! turns such an answer into [`ErrorKind::MalformedPage`]; the paginator retries that fetch
//! under the request's [`ListRequest::retrier`] policy like a transient failure, then fails
//! with it. (The wire types read a records field of another type, such as another endpoint's
//! object of the same name, as no array: see [`crate::wire::present_list`].) It is never the
//! end of the list.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::Either;
use futures::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;

use crate::error::{Error, ErrorKind, Result};
use crate::retry::Retrier;

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum PageToken {
    /// An opaque cursor string (WeCom `next_cursor`).
    Cursor(String),
    /// An opaque position (Tencent `next_pos`), kept as the decimal text the vendor sent.
    Position(String),
    /// A 1-based page number (Quanshi, Tencent enrollments).
    Page(u32),
}

impl fmt::Display for PageToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageToken::Cursor(c) => write!(f, "cursor {c:?}"),
            PageToken::Position(p) => write!(f, "position {p}"),
            PageToken::Page(n) => write!(f, "page {n}"),
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// The vendor says more pages follow.
    pub has_more: bool,
    /// Where the next page starts (ignored when `has_more` is false).
    pub next: Option<PageToken>,
    /// The vendor's total count, if it reports one.
    pub total_hint: Option<u64>,
    /// Set by the [`Paginator`]: a cursor to resume after this page, if more follow.
    pub resume: Option<Cursor>,
}

impl<T> Page<T> {
    /// A page; `next` is the token of the following page, if `has_more`.
    pub fn new(items: Vec<T>, has_more: bool, next: Option<PageToken>) -> Self {
        Self {
            items,
            has_more,
            next,
            total_hint: None,
            resume: None,
        }
    }

    /// The last page (also the only page of single-shot endpoints).
    pub fn last(items: Vec<T>) -> Self {
        Self::new(items, false, None)
    }

    /// A page from what a vendor's answer carried, for an answer of `endpoint`: `items` is
    /// `None` when the answer lacked the records array, `has_more` when it lacked the vendor's
    /// "more" flag. Every real page of a list carries both (a vendor crate passes
    /// `Some(vec![])` itself where its vendor documents an absent array as "no records"), so
    /// an answer lacking either is [`ErrorKind::MalformedPage`], never the last page.
    pub fn from_wire(
        endpoint: &str,
        items: Option<Vec<T>>,
        has_more: Option<bool>,
        next: Option<PageToken>,
    ) -> Result<Self> {
        match (items, has_more) {
            (Some(items), Some(has_more)) => Ok(Self::new(items, has_more, next)),
            (None, _) => Err(malformed_page(endpoint, "its records array")),
            (Some(_), None) => Err(malformed_page(endpoint, "its \"more\" flag")),
        }
    }

    /// Sets the vendor's total count.
    pub fn with_total(mut self, total: Option<u64>) -> Self {
        self.total_hint = total;
        self
    }

    /// Maps the records, keeping the paging fields.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_more: self.has_more,
            next: self.next,
            total_hint: self.total_hint,
            resume: self.resume,
        }
    }
}

/// The error for an answer of `endpoint` that is not a page of it: it lacks `missing` (in
/// words: "its records array"). [`ErrorKind::MalformedPage`], retried like a transient failure.
pub fn malformed_page(endpoint: &str, missing: &str) -> Error {
    Error::new(
        ErrorKind::MalformedPage,
        format!(
            "a {endpoint} answer lacked {missing}, which every page carries; it is not a page of the list (a proxy's or gateway's body?)"
        ),
    )
    .with_hint(
        "something between roster and the vendor answered instead of the vendor; check proxies and the base URL",
    )
}

/// A saved position in a paginated query: the next token, the page size and a fingerprint of
/// the query. Serialize it to resume an export later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The token of the next page.
    pub token: PageToken,
    /// The page size the chain was started with.
    pub page_size: u32,
    /// [`ListRequest::fingerprint`] of the query.
    pub fingerprint: String,
    /// Records the chain had received before this cursor, so that a resumed chain still
    /// compares the whole chain with the vendor's total (0 in cursors saved before it existed).
    #[serde(default)]
    pub received: u64,
    /// The vendor's latest total for the chain when the cursor was saved, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// A paginated query: fixed page size and filters, and how to fetch one page.
pub trait ListRequest: Send + Sync + 'static {
    /// The record type.
    type Item: Send + 'static;

    /// The page size, constant for the whole chain.
    fn page_size(&self) -> u32;

    /// A stable description of everything but the page token (endpoint, ids, filters, window).
    /// Saved cursors are only accepted by a request with the same fingerprint.
    fn fingerprint(&self) -> String;

    /// The vendor's cap on records per query (Tencent: 50,000), if any.
    fn record_cap(&self) -> Option<u64> {
        None
    }

    /// The retry policy (and clock) under which the paginator fetches a page again after a
    /// [`ErrorKind::MalformedPage`]: the client's own. `None` fails on the first malformed
    /// page (still an error, never the end of the list).
    fn retrier(&self) -> Option<&Retrier> {
        None
    }

    /// Fetches the page at `token` (`None`: the first page).
    fn fetch(
        &self,
        token: Option<PageToken>,
    ) -> impl Future<Output = Result<Page<Self::Item>>> + Send;
}

/// Told about every page as it arrives (progress bars), and about decisions a client made on the
/// caller's behalf.
pub trait PageObserver: Send + Sync {
    /// A page with `items` records arrived; `total_hint` is the vendor's total, if known.
    fn on_page(&self, items: usize, total_hint: Option<u64>);

    /// A client resolved something the query left open, in words for people: which occurrence
    /// of a recurring meeting it exports, which time range it chose, which list it fell back to.
    /// Nothing is decided silently; the default ignores the note.
    fn on_note(&self, note: &str) {
        let _ = note;
    }

    /// A windowed export delivered all the records of `done` of its `total` windows (progress
    /// by windows; the default ignores it).
    fn on_window(&self, done: usize, total: usize) {
        let _ = (done, total);
    }
}

impl<F> PageObserver for F
where
    F: Fn(usize, Option<u64>) + Send + Sync,
{
    fn on_page(&self, items: usize, total_hint: Option<u64>) {
        self(items, total_hint)
    }
}

/// Turns a [`ListRequest`] into lazy streams of pages or items.
pub struct Paginator<R: ListRequest> {
    request: Arc<R>,
    start: Option<PageToken>,
    /// Records received and the vendor's total before `start` (from a resumed cursor).
    before: (u64, Option<u64>),
    max_items: Option<u64>,
    observer: Option<Arc<dyn PageObserver>>,
    read_ahead: bool,
}

impl<R: ListRequest> fmt::Debug for Paginator<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("fingerprint", &self.request.fingerprint())
            .field("page_size", &self.request.page_size())
            .field("start", &self.start)
            .field("max_items", &self.max_items)
            .field("read_ahead", &self.read_ahead)
            .finish()
    }
}

impl<R: ListRequest> Paginator<R> {
    /// Starts at the first page.
    pub fn new(request: R) -> Self {
        Self::from_arc(Arc::new(request))
    }

    /// Starts at the first page of a shared request.
    pub fn from_arc(request: Arc<R>) -> Self {
        Self {
            request,
            start: None,
            before: (0, None),
            max_items: None,
            observer: None,
            read_ahead: true,
        }
    }

    /// Resumes a chain from a saved cursor. Fails with [`ErrorKind::CursorMismatch`], before
    /// any request, if the cursor was saved with another page size or query.
    pub fn resume(request: R, cursor: &Cursor) -> Result<Self> {
        if cursor.page_size != request.page_size() {
            return Err(Error::new(
                ErrorKind::CursorMismatch,
                format!(
                    "the cursor was saved with page size {}, this request uses {}",
                    cursor.page_size,
                    request.page_size()
                ),
            ));
        }
        if cursor.fingerprint != request.fingerprint() {
            return Err(Error::new(
                ErrorKind::CursorMismatch,
                "the cursor belongs to another query",
            ));
        }
        let mut p = Self::new(request);
        p.start = Some(cursor.token.clone());
        p.before = (cursor.received, cursor.total);
        Ok(p)
    }

    /// Stops after `n` records.
    pub fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        self
    }

    /// Reports every page to `observer`.
    pub fn observer(mut self, observer: Arc<dyn PageObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Whether to fetch the next page while the caller works on the current one (default
    /// `true`; needs a tokio runtime). With `false`, a page is requested only when the stream is
    /// polled past the previous one.
    pub fn read_ahead(mut self, on: bool) -> Self {
        self.read_ahead = on;
        self
    }

    /// A stream of pages. Ends after the last page or after the first error.
    pub fn pages(self) -> impl Stream<Item = Result<Page<R::Item>>> + Send + 'static {
        let state = State {
            page_size: self.request.page_size(),
            fingerprint: self.request.fingerprint(),
            cap: self.request.record_cap(),
            request: self.request,
            step: Step::Fetch(self.start),
            seen: HashSet::new(),
            received: self.before.0,
            total: self.before.1,
            delivered: 0,
            max_items: self.max_items,
            observer: self.observer,
            read_ahead: self.read_ahead,
        };
        stream::unfold(state, |mut st| async move {
            let fetched = match std::mem::replace(&mut st.step, Step::Done) {
                Step::Done => return None,
                Step::Fail(error) => return Some((Err(error), st)),
                Step::Fetch(token) => {
                    if let Some(t) = &token {
                        st.seen.insert(t.clone());
                    }
                    fetch_page(&*st.request, token).await
                }
                Step::InFlight(mut ahead) => match (&mut ahead.0).await {
                    Ok(result) => result,
                    // A panic in the fetch is a bug, not a network error: pass it on.
                    Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
                    Err(join) => Err(Error::new(
                        ErrorKind::Transport,
                        format!("fetching the next page failed: {join}"),
                    )),
                },
            };
            match fetched {
                Err(error) => Some((Err(error), st)),
                Ok(page) => {
                    let page = st.accept(page);
                    st.start_next();
                    Some((Ok(page), st))
                }
            }
        })
    }

    /// A stream of records, page by page. Ends after the last record or after the first error.
    pub fn items(self) -> impl Stream<Item = Result<R::Item>> + Send + 'static {
        page_items(self.pages())
    }
}

/// The records of a stream of pages, page by page (for callers that looked at the first page
/// of [`Paginator::pages`] before going on with the rest).
pub fn page_items<T: Send + 'static>(
    pages: impl Stream<Item = Result<Page<T>>> + Send + 'static,
) -> impl Stream<Item = Result<T>> + Send + 'static {
    pages.flat_map(|page| match page {
        Ok(page) => Either::Left(stream::iter(page.items.into_iter().map(Ok))),
        Err(error) => Either::Right(stream::once(std::future::ready(Err(error)))),
    })
}

enum Step<T> {
    Fetch(Option<PageToken>),
    /// The next page, already being fetched.
    InFlight(Ahead<T>),
    Fail(Error),
    Done,
}

/// A page fetch running on its own task; dropping it (the caller dropped the stream) stops it.
struct Ahead<T>(JoinHandle<Result<Page<T>>>);

impl<T> Drop for Ahead<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct State<R: ListRequest> {
    request: Arc<R>,
    page_size: u32,
    fingerprint: String,
    cap: Option<u64>,
    step: Step<R::Item>,
    seen: HashSet<PageToken>,
    /// Records the vendor sent in this chain, before a resume included (for the cap and the
    /// total).
    received: u64,
    /// The vendor's latest total for the chain, if it states one.
    total: Option<u64>,
    /// Records passed to the caller (for `max_items`).
    delivered: u64,
    max_items: Option<u64>,
    observer: Option<Arc<dyn PageObserver>>,
    read_ahead: bool,
}

impl<R: ListRequest> State<R> {
    /// With read-ahead, starts fetching the page the next step will need.
    fn start_next(&mut self) {
        if !self.read_ahead {
            return;
        }
        if let Step::Fetch(Some(token)) = &self.step {
            let token = token.clone();
            self.seen.insert(token.clone());
            let request = self.request.clone();
            let task = tokio::spawn(async move { fetch_page(&*request, Some(token)).await });
            self.step = Step::InFlight(Ahead(task));
        }
    }

    /// Applies the stop rules to a fetched page and sets the next step.
    fn accept(&mut self, mut page: Page<R::Item>) -> Page<R::Item> {
        let count = page.items.len() as u64;
        self.received += count;
        // The latest total wins: a live meeting's total grows while the chain is read.
        self.total = page.total_hint.or(self.total);
        if let Some(observer) = &self.observer {
            observer.on_page(page.items.len(), page.total_hint);
        }

        if let Some(max) = self.max_items {
            let remaining = max.saturating_sub(self.delivered);
            if count >= remaining {
                let cut = count > remaining;
                page.items.truncate(remaining as usize);
                self.delivered += remaining;
                self.step = Step::Done;
                page.resume = match (&page.next, cut) {
                    (Some(next), false) if page.has_more => Some(self.cursor(next.clone())),
                    _ => None,
                };
                return page;
            }
        }
        self.delivered += count;

        if !page.has_more {
            // With a cap, the chain is cut short when the vendor's total is over the cap (not
            // "over what arrived": a resumed chain counts only what arrived since the resume);
            // without a total, reaching the cap is the only sign.
            let cut = self.cap.is_some_and(|cap| match self.total {
                Some(total) => total > cap,
                None => self.received >= cap,
            });
            self.step = match (self.cap, self.total) {
                (Some(cap), _) if cut => Step::Fail(truncated(cap, self.received, self.total)),
                // The vendor said how many there are, and fewer arrived: a page that claimed
                // to be the last was not (a proxy's answer), or records went missing.
                (_, Some(total)) if self.received < total => {
                    Step::Fail(incomplete(total, self.received))
                }
                _ => Step::Done,
            };
            page.resume = None;
            return page;
        }

        if let Some(cap) = self.cap.filter(|cap| self.received >= *cap) {
            // The vendor keeps going past its own cap: stop rather than page for ever.
            self.step = Step::Fail(truncated(cap, self.received, self.total));
            page.resume = None;
            return page;
        }

        match page.next.clone() {
            None => {
                self.step = Step::Fail(Error::new(
                    ErrorKind::PaginationStalled,
                    "the vendor reported more pages but gave no token for the next one",
                ));
            }
            Some(next) if self.seen.contains(&next) => {
                self.step = Step::Fail(Error::new(
                    ErrorKind::PaginationStalled,
                    format!("the vendor returned {next} again; stopping instead of looping"),
                ));
            }
            Some(next) => {
                page.resume = Some(self.cursor(next.clone()));
                self.step = Step::Fetch(Some(next));
            }
        }
        page
    }

    fn cursor(&self, token: PageToken) -> Cursor {
        Cursor {
            token,
            page_size: self.page_size,
            fingerprint: self.fingerprint.clone(),
            received: self.received,
            total: self.total,
        }
    }
}

/// Fetches one page; an answer that is no page of the list is fetched again under the
/// request's retry policy (only that: the fetch's own call has already retried its transport
/// and vendor errors).
async fn fetch_page<R: ListRequest>(
    request: &R,
    token: Option<PageToken>,
) -> Result<Page<R::Item>> {
    match request.retrier() {
        None => request.fetch(token).await,
        Some(retrier) => {
            retrier
                .run_when(
                    |e| e.kind() == ErrorKind::MalformedPage,
                    |_| request.fetch(token.clone()),
                )
                .await
        }
    }
}

fn incomplete(total: u64, received: u64) -> Error {
    Error::new(
        ErrorKind::Incomplete,
        format!(
            "the vendor's total for this list is {total} records but the list ended after {received}: {} are missing",
            total - received
        ),
    )
    .with_hint(
        "a page that claimed to be the last was not; run the export again (a proxy or gateway may have answered instead of the vendor)",
    )
}

fn truncated(cap: u64, received: u64, total: Option<u64>) -> Error {
    let total = match total {
        Some(t) => format!(" of {t}"),
        None => String::new(),
    };
    Error::new(
        ErrorKind::Truncated,
        format!(
            "the vendor stops at {cap} records per query: {received}{total} records delivered, the rest is missing"
        ),
    )
    .with_hint("query shorter time windows so that each returns fewer records")
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use proptest::prelude::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A scripted server: a list of pages, each with its own token, and a log of the tokens
    /// requested.
    struct Scripted {
        pages: Vec<(Option<PageToken>, Page<u32>)>,
        log: Mutex<Vec<Option<PageToken>>>,
        cap: Option<u64>,
    }

    impl Scripted {
        fn new(pages: Vec<(Option<PageToken>, Page<u32>)>) -> Self {
            Self {
                pages,
                log: Mutex::new(Vec::new()),
                cap: None,
            }
        }
        fn requests(&self) -> usize {
            self.log.lock().unwrap().len()
        }
    }

    impl ListRequest for Arc<Scripted> {
        type Item = u32;
        fn page_size(&self) -> u32 {
            10
        }
        fn fingerprint(&self) -> String {
            "scripted".into()
        }
        fn record_cap(&self) -> Option<u64> {
            self.cap
        }
        async fn fetch(&self, token: Option<PageToken>) -> Result<Page<u32>> {
            self.log.lock().unwrap().push(token.clone());
            self.pages
                .iter()
                .find(|(t, _)| *t == token)
                .map(|(_, p)| p.clone())
                .ok_or_else(|| Error::invalid_argument(format!("unknown token {token:?}")))
        }
    }

    fn cursor(s: &str) -> Option<PageToken> {
        Some(PageToken::Cursor(s.into()))
    }

    /// Builds a chain of pages with the given sizes and random-looking tokens.
    fn chain(sizes: &[usize], tokens: &[String]) -> Vec<(Option<PageToken>, Page<u32>)> {
        let mut out = Vec::new();
        let mut next_item = 0u32;
        let mut token: Option<PageToken> = None;
        for (i, size) in sizes.iter().enumerate() {
            let items: Vec<u32> = (next_item..next_item + *size as u32).collect();
            next_item += *size as u32;
            let last = i + 1 == sizes.len();
            let next = if last {
                None
            } else {
                Some(PageToken::Position(tokens[i].clone()))
            };
            out.push((token.clone(), Page::new(items, !last, next.clone())));
            token = next;
        }
        out
    }

    proptest! {
        #[test]
        fn every_item_exactly_once_in_order(
            sizes in prop::collection::vec(0usize..7, 1..12),
            salt in any::<u64>(),
        ) {
            let tokens: Vec<String> = (0..sizes.len()).map(|i| format!("{}", salt.wrapping_mul(31).wrapping_add(i as u64 * 7919))).collect();
            let total: usize = sizes.iter().sum();
            let server = Arc::new(Scripted::new(chain(&sizes, &tokens)));
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let items: Vec<u32> = rt.block_on(Paginator::new(server.clone()).items().try_collect()).unwrap();
            prop_assert_eq!(items, (0..total as u32).collect::<Vec<_>>());
            prop_assert_eq!(server.requests(), sizes.len());
        }

        #[test]
        fn max_items_cuts_exactly(sizes in prop::collection::vec(1usize..7, 1..8), max in 0u64..40) {
            let tokens: Vec<String> = (0..sizes.len()).map(|i| format!("t{i}")).collect();
            let total: u64 = sizes.iter().sum::<usize>() as u64;
            let server = Arc::new(Scripted::new(chain(&sizes, &tokens)));
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let items: Vec<u32> = rt.block_on(Paginator::new(server).max_items(max).items().try_collect()).unwrap();
            prop_assert_eq!(items.len() as u64, max.min(total));
        }
    }

    #[tokio::test]
    async fn has_more_false_wins_over_a_cursor() {
        let server = Arc::new(Scripted::new(vec![(
            None,
            Page::new(vec![1, 2], false, cursor("jigjegn==")),
        )]));
        let items: Vec<u32> = Paginator::new(server.clone())
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, vec![1, 2]);
        assert_eq!(server.requests(), 1);
    }

    #[tokio::test]
    async fn more_without_a_token_stalls_after_delivering_the_page() {
        let server = Arc::new(Scripted::new(vec![(None, Page::new(vec![1], true, None))]));
        let results: Vec<Result<u32>> = Paginator::new(server.clone()).items().collect().await;
        assert_eq!(results.len(), 2);
        assert_eq!(*results[0].as_ref().unwrap(), 1);
        assert_eq!(
            results[1].as_ref().unwrap_err().kind(),
            ErrorKind::PaginationStalled
        );
        assert_eq!(server.requests(), 1);
    }

    #[tokio::test]
    async fn a_repeated_token_stalls_instead_of_looping() {
        let server = Arc::new(Scripted::new(vec![
            (None, Page::new(vec![1], true, cursor("a"))),
            (cursor("a"), Page::new(vec![2], true, cursor("b"))),
            (cursor("b"), Page::new(vec![3], true, cursor("a"))),
        ]));
        let results: Vec<Result<u32>> = Paginator::new(server.clone()).items().collect().await;
        let ok: Vec<u32> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        assert_eq!(ok, vec![1, 2, 3]);
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::PaginationStalled
        );
        assert_eq!(server.requests(), 3);
    }

    #[tokio::test]
    async fn nothing_before_the_first_poll_and_one_page_ahead_at_most() {
        let server = Arc::new(Scripted::new(chain(
            &[2, 2, 2, 2],
            &["x".into(), "y".into(), "z".into()],
        )));
        let mut pages = Box::pin(Paginator::new(server.clone()).pages());
        tokio::task::yield_now().await;
        assert_eq!(server.requests(), 0, "nothing before the first poll");
        pages.next().await.unwrap().unwrap();
        // Let the read-ahead task run as far as it can: it fetches page 2 and stops there.
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            server.requests(),
            2,
            "page 2 is fetched while page 1 is processed"
        );
        pages.next().await.unwrap().unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(server.requests(), 3, "never more than one page ahead");
        let rest: Vec<_> = pages.collect().await;
        assert_eq!(rest.len(), 2);
        assert_eq!(server.requests(), 4, "each page fetched once");
    }

    #[tokio::test]
    async fn without_read_ahead_pages_are_fetched_on_demand() {
        let server = Arc::new(Scripted::new(chain(&[2, 2, 2], &["x".into(), "y".into()])));
        let mut pages = Box::pin(Paginator::new(server.clone()).read_ahead(false).pages());
        pages.next().await.unwrap().unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(server.requests(), 1, "no page fetched ahead");
        pages.next().await.unwrap().unwrap();
        assert_eq!(server.requests(), 2);
    }

    #[tokio::test]
    async fn dropping_the_stream_stops_the_read_ahead() {
        /// Sets its flag when dropped: the in-flight fetch was cancelled.
        struct Cancelled(Arc<AtomicBool>);
        impl Drop for Cancelled {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        /// First page at once; every later page never arrives.
        struct Hanging {
            started: Arc<AtomicBool>,
            cancelled: Arc<AtomicBool>,
        }
        impl ListRequest for Hanging {
            type Item = u32;
            fn page_size(&self) -> u32 {
                2
            }
            fn fingerprint(&self) -> String {
                "hanging".into()
            }
            async fn fetch(&self, token: Option<PageToken>) -> Result<Page<u32>> {
                if token.is_none() {
                    return Ok(Page::new(vec![1, 2], true, cursor("next")));
                }
                let _guard = Cancelled(self.cancelled.clone());
                self.started.store(true, Ordering::SeqCst);
                std::future::pending().await
            }
        }
        let started = Arc::new(AtomicBool::new(false));
        let cancelled = Arc::new(AtomicBool::new(false));
        let server = Hanging {
            started: started.clone(),
            cancelled: cancelled.clone(),
        };
        let mut pages = Box::pin(Paginator::new(server).pages());
        pages.next().await.unwrap().unwrap();
        for _ in 0..20 {
            if started.load(Ordering::SeqCst) {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(
            started.load(Ordering::SeqCst),
            "the next page is read ahead"
        );
        assert!(!cancelled.load(Ordering::SeqCst));
        drop(pages);
        for _ in 0..20 {
            if cancelled.load(Ordering::SeqCst) {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(
            cancelled.load(Ordering::SeqCst),
            "dropping the stream cancels the fetch in flight"
        );
    }

    #[tokio::test]
    async fn errors_end_the_stream() {
        let server = Arc::new(Scripted::new(vec![(
            None,
            Page::new(vec![1], true, cursor("gone")),
        )]));
        let results: Vec<Result<u32>> = Paginator::new(server).items().collect().await;
        assert_eq!(results.len(), 2);
        assert_eq!(
            results[1].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[tokio::test]
    async fn the_vendor_cap_is_surfaced_not_swallowed() {
        let mut s = Scripted::new(chain(&[3, 3], &["p".into()]));
        s.cap = Some(6);
        let results: Vec<Result<u32>> = Paginator::new(Arc::new(s)).items().collect().await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 6);
        let err = results.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Truncated);

        // A total above the cap also counts, even if fewer rows came back.
        let mut s = Scripted::new(vec![(
            None,
            Page::last(vec![1, 2]).with_total(Some(70_000)),
        )]);
        s.cap = Some(50_000);
        let results: Vec<Result<u32>> = Paginator::new(Arc::new(s)).items().collect().await;
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::Truncated
        );

        // Under the cap: no error.
        let mut s = Scripted::new(chain(&[3, 2], &["p".into()]));
        s.cap = Some(6);
        let items: Vec<u32> = Paginator::new(Arc::new(s))
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), 5);

        // A chain that keeps saying "more" past the cap stops there.
        let mut s = Scripted::new(chain(&[3, 3, 3], &["p".into(), "q".into()]));
        s.cap = Some(6);
        let s = Arc::new(s);
        let results: Vec<Result<u32>> = Paginator::new(s.clone()).items().collect().await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 6);
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::Truncated
        );
        assert_eq!(s.requests(), 2, "no request past the cap");

        // Exactly the cap, and the vendor's total says that was all: nothing is missing.
        let mut pages = chain(&[3, 3], &["p".into()]);
        pages[1].1.total_hint = Some(6);
        let mut s = Scripted::new(pages);
        s.cap = Some(6);
        let items: Vec<u32> = Paginator::new(Arc::new(s))
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), 6);

        // Exactly the cap with a larger total: truncated.
        let mut pages = chain(&[3, 3], &["p".into()]);
        pages[1].1.total_hint = Some(7);
        let mut s = Scripted::new(pages);
        s.cap = Some(6);
        let results: Vec<Result<u32>> = Paginator::new(Arc::new(s)).items().collect().await;
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::Truncated
        );
    }

    #[tokio::test]
    async fn a_resumed_capped_chain_is_not_truncated_by_its_total() {
        // The vendor's total (5) is under the cap; the resumed chain receives only 3 of them.
        let mut pages = chain(&[2, 2, 1], &["x".into(), "y".into()]);
        for (_, page) in &mut pages {
            page.total_hint = Some(5);
        }
        let mut s = Scripted::new(pages);
        s.cap = Some(6);
        let server = Arc::new(s);
        let mut first = Box::pin(Paginator::new(server.clone()).pages());
        let saved = first.next().await.unwrap().unwrap().resume.unwrap();
        drop(first);
        let rest: Vec<u32> = Paginator::resume(server.clone(), &saved)
            .unwrap()
            .items()
            .try_collect()
            .await
            .expect("nothing is missing: the total is under the cap");
        assert_eq!(rest.len(), 3);
    }

    #[tokio::test]
    async fn cursors_resume_and_refuse_other_queries() {
        let server = Arc::new(Scripted::new(chain(&[2, 2, 1], &["x".into(), "y".into()])));
        let mut pages = Box::pin(Paginator::new(server.clone()).pages());
        let first = pages.next().await.unwrap().unwrap();
        let saved = first
            .resume
            .clone()
            .expect("a cursor after a non-last page");
        let json = serde_json::to_string(&saved).unwrap();
        let saved: Cursor = serde_json::from_str(&json).unwrap();

        let rest: Vec<u32> = Paginator::resume(server.clone(), &saved)
            .unwrap()
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rest, vec![2, 3, 4]);

        let before = server.requests();
        let other_size = Cursor {
            page_size: 50,
            ..saved.clone()
        };
        let err = Paginator::resume(server.clone(), &other_size).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CursorMismatch);
        let other_query = Cursor {
            fingerprint: "another".into(),
            ..saved
        };
        let err = Paginator::resume(server.clone(), &other_query).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CursorMismatch);
        assert_eq!(
            server.requests(),
            before,
            "no request for a mismatched cursor"
        );
    }

    #[tokio::test]
    async fn observer_sees_every_page() {
        let server = Arc::new(Scripted::new(chain(&[2, 3], &["x".into()])));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let _: Vec<u32> = Paginator::new(server)
            .observer(Arc::new(move |n: usize, _t: Option<u64>| {
                s2.lock().unwrap().push(n)
            }))
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), vec![2, 3]);
    }

    // --- Malformed pages and vendor totals -----------------------------------------------

    #[test]
    fn an_answer_without_its_array_or_more_flag_is_no_page() {
        let e = Page::<u32>::from_wire("participants", None, Some(false), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedPage);
        assert_eq!(e.class(), crate::RetryClass::Retry);
        assert!(e.to_string().contains("participants"), "{e}");
        let e = Page::from_wire("participants", Some(vec![1u32]), None, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedPage);
        let page =
            Page::from_wire("participants", Some(vec![1u32]), Some(true), cursor("c")).unwrap();
        assert_eq!(
            (page.items, page.has_more, page.next),
            (vec![1], true, cursor("c"))
        );
    }

    /// A chain of pages by token, whose answers are malformed for the first `bad` fetches of
    /// the token `bad_at`; with a retrier on a manual clock.
    struct Flaky {
        pages: Vec<(Option<PageToken>, Page<u32>)>,
        bad_at: Option<PageToken>,
        bad: Mutex<u32>,
        fetches: Mutex<u32>,
        retrier: Option<Retrier>,
    }

    impl Flaky {
        fn new(
            pages: Vec<(Option<PageToken>, Page<u32>)>,
            bad_at: Option<PageToken>,
            bad: u32,
        ) -> Self {
            let clock = Arc::new(crate::ManualClock::at_unix(1_000));
            let policy = crate::RetryPolicy::default().with_max_retries(3);
            Self {
                pages,
                bad_at,
                bad: Mutex::new(bad),
                fetches: Mutex::new(0),
                retrier: Some(Retrier::new(policy, clock).with_jitter(|| 0.5)),
            }
        }
    }

    impl ListRequest for Arc<Flaky> {
        type Item = u32;
        fn page_size(&self) -> u32 {
            10
        }
        fn fingerprint(&self) -> String {
            "flaky".into()
        }
        fn retrier(&self) -> Option<&Retrier> {
            self.retrier.as_ref()
        }
        async fn fetch(&self, token: Option<PageToken>) -> Result<Page<u32>> {
            *self.fetches.lock().unwrap() += 1;
            if token == self.bad_at {
                let mut bad = self.bad.lock().unwrap();
                if *bad > 0 {
                    *bad -= 1;
                    // What a proxy's `{}` decodes to: neither array nor flag.
                    return Page::from_wire("scripted", None, None, None);
                }
            }
            self.pages
                .iter()
                .find(|(t, _)| *t == token)
                .map(|(_, p)| p.clone())
                .ok_or_else(|| Error::invalid_argument(format!("unknown token {token:?}")))
        }
    }

    #[tokio::test]
    async fn a_malformed_page_is_fetched_again_and_nothing_is_lost() {
        for bad_at in [None, Some(PageToken::Position("a".into()))] {
            let pages = chain(&[3, 3, 2], &["a".into(), "b".into()]);
            let server = Arc::new(Flaky::new(pages, bad_at.clone(), 2));
            let items: Vec<u32> = Paginator::new(server.clone())
                .items()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(items, (0..8).collect::<Vec<_>>(), "bad page at {bad_at:?}");
            assert_eq!(*server.fetches.lock().unwrap(), 3 + 2, "two fetches again");
        }
    }

    #[tokio::test]
    async fn a_page_that_stays_malformed_fails_the_list_instead_of_ending_it() {
        let pages = chain(&[3, 3, 2], &["a".into(), "b".into()]);
        let server = Arc::new(Flaky::new(
            pages,
            Some(PageToken::Position("a".into())),
            100,
        ));
        let results: Vec<Result<u32>> = Paginator::new(server.clone()).items().collect().await;
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 3, "the first page is delivered");
        let err = results.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MalformedPage);
        assert_eq!(
            *server.fetches.lock().unwrap(),
            1 + 4,
            "the bad page is tried once and retried max_retries (3) times"
        );

        // Without a retrier: the same failure on the first try.
        let pages = chain(&[3, 3, 2], &["a".into(), "b".into()]);
        let mut flaky = Flaky::new(pages, Some(PageToken::Position("a".into())), 100);
        flaky.retrier = None;
        let server = Arc::new(flaky);
        let results: Vec<Result<u32>> = Paginator::new(server.clone()).items().collect().await;
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::MalformedPage
        );
        assert_eq!(*server.fetches.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn other_errors_are_not_retried_again_by_the_paginator() {
        // An unknown token is an InvalidArgument from the fetch itself (whose own call would
        // have retried it if it could be retried): passed on after one fetch.
        let server = Arc::new(Flaky::new(
            vec![(None, Page::new(vec![1], true, cursor("gone")))],
            None,
            0,
        ));
        let results: Vec<Result<u32>> = Paginator::new(server.clone()).items().collect().await;
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            *server.fetches.lock().unwrap(),
            2,
            "no retry of a non-malformed failure"
        );
    }

    #[tokio::test]
    async fn a_chain_shorter_than_the_vendors_total_is_incomplete() {
        // The vendor says 8; a "last page" arrives after 6 (a proxy's well-formed answer).
        let mut pages = chain(&[3, 3, 0], &["a".into(), "b".into()]);
        pages[0].1.total_hint = Some(8);
        let server = Arc::new(Scripted::new(pages));
        let results: Vec<Result<u32>> = Paginator::new(server).items().collect().await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 6);
        let err = results.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Incomplete);
        assert!(
            err.to_string().contains('8') && err.to_string().contains('6'),
            "{err}"
        );

        // A total that grows while the chain is read (a live meeting): the latest one counts.
        let mut pages = chain(&[3, 3, 4], &["a".into(), "b".into()]);
        pages[0].1.total_hint = Some(6);
        pages[2].1.total_hint = Some(10);
        let items: Vec<u32> = Paginator::new(Arc::new(Scripted::new(pages)))
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), 10);

        // Exactly the total, or more than it: complete.
        let mut pages = chain(&[3, 3], &["a".into()]);
        pages[0].1.total_hint = Some(5);
        let items: Vec<u32> = Paginator::new(Arc::new(Scripted::new(pages)))
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), 6);

        // max_items stops early on the caller's request: no error.
        let mut pages = chain(&[3, 3, 2], &["a".into(), "b".into()]);
        pages[0].1.total_hint = Some(8);
        let items: Vec<u32> = Paginator::new(Arc::new(Scripted::new(pages)))
            .max_items(4)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), 4);
    }

    #[tokio::test]
    async fn a_resumed_chain_compares_the_whole_chain_with_the_total() {
        let mut pages = chain(&[3, 3, 2], &["a".into(), "b".into()]);
        pages[0].1.total_hint = Some(8);
        let server = Arc::new(Scripted::new(pages));
        let mut first = Box::pin(Paginator::new(server.clone()).pages());
        let saved = first.next().await.unwrap().unwrap().resume.unwrap();
        drop(first);
        assert_eq!((saved.received, saved.total), (3, Some(8)));
        let json = serde_json::to_string(&saved).unwrap();
        let saved: Cursor = serde_json::from_str(&json).unwrap();
        let rest: Vec<u32> = Paginator::resume(server.clone(), &saved)
            .unwrap()
            .items()
            .try_collect()
            .await
            .expect("3 before the resume + 5 after = the total");
        assert_eq!(rest.len(), 5);

        // The same resumed chain cut short by a false last page is incomplete.
        let mut pages = chain(&[3, 3, 2], &["a".into(), "b".into()]);
        pages[0].1.total_hint = Some(8);
        pages[1].1 = Page::last(vec![3, 4, 5]);
        let server = Arc::new(Scripted::new(pages));
        let results: Vec<Result<u32>> = Paginator::resume(server, &saved)
            .unwrap()
            .items()
            .collect()
            .await;
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::Incomplete
        );

        // A cursor saved before `received` existed still resumes.
        let old: Cursor = serde_json::from_str(
            r#"{"token":{"kind":"position","value":"a"},"page_size":10,"fingerprint":"scripted"}"#,
        )
        .unwrap();
        assert_eq!((old.received, old.total), (0, None));
    }
}
