//! Declarative list endpoints: a list API described once, as a [`ListEndpoint`], gets the same
//! lazy page and item streams, resumable cursors, malformed-page retries and stop rules as every
//! other list, through [`List`] and the [`Paginator`].
//!
//! The description is small: a query type (everything but the page token; serialisable, so
//! the cursor fingerprint is derived from it, never written by hand), its page size and local
//! checks (run once, in [`List::new`], before any request), and how to fetch one page. A new
//! list endpoint is its wire type, its query and one `page` function.

use std::fmt;
use std::future::Future;

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::paginate::{Cursor, ListRequest, Page, PageToken, Paginator};
use crate::retry::Retrier;

/// A vendor client that runs lists: its retry executor, under which a malformed page is
/// fetched again.
pub trait ListClient: Send + Sync + 'static {
    /// The client's retry executor.
    fn retrier(&self) -> &Retrier;
}

impl ListClient for Retrier {
    fn retrier(&self) -> &Retrier {
        self
    }
}

/// One list API of a vendor.
pub trait ListEndpoint: Send + Sync + 'static {
    /// The client that makes the calls (cheap to clone).
    type Client: ListClient;
    /// Everything that selects the records but the page token (ids, filters, window, page
    /// size). Serialised with [`ListEndpoint::NAME`] into the cursor fingerprint, so a saved
    /// cursor resumes only the same query.
    type Query: Serialize + fmt::Debug + Send + Sync + 'static;
    /// A record.
    type Item: Send + 'static;

    /// A stable name (`tencent.participants`).
    const NAME: &'static str;

    /// The page size of `query`: constant along a chain (WeCom refuses a cursor used with
    /// another `limit`); 0 (the default) for server-defined pages.
    fn page_size(query: &Self::Query) -> u32 {
        let _ = query;
        0
    }

    /// Checks `query` locally (ids, page size, window); run once, by [`List::new`]. The
    /// default accepts every query (one checked when it was built).
    fn validate(query: &Self::Query) -> Result<()> {
        let _ = query;
        Ok(())
    }

    /// The vendor's cap on records per query, if any (see [`ListRequest::record_cap`]).
    fn record_cap(client: &Self::Client, query: &Self::Query) -> Option<u64> {
        let _ = (client, query);
        None
    }

    /// Fetches the page at `token` (`None`: the first) and maps it with
    /// [`Page::from_wire`].
    fn page(
        client: &Self::Client,
        query: &Self::Query,
        token: Option<PageToken>,
    ) -> impl Future<Output = Result<Page<Self::Item>>> + Send;
}

/// A checked query of a [`ListEndpoint`] with the client that runs it: a [`ListRequest`].
pub struct List<E: ListEndpoint> {
    client: E::Client,
    query: E::Query,
    fingerprint: String,
}

impl<E: ListEndpoint> List<E> {
    /// Checks `query` ([`ListEndpoint::validate`]) before any request.
    pub fn new(client: E::Client, query: E::Query) -> Result<Self> {
        E::validate(&query)?;
        let fingerprint = serde_json::to_string(&(E::NAME, &query)).map_err(|e| {
            Error::invalid_argument(format!("cannot describe the {} query: {e}", E::NAME))
        })?;
        Ok(Self {
            client,
            query,
            fingerprint,
        })
    }

    /// The query.
    pub fn query(&self) -> &E::Query {
        &self.query
    }

    /// A paginator from the first page.
    pub fn paginate(self) -> Paginator<Self> {
        Paginator::new(self)
    }

    /// A paginator resuming a saved cursor; fails with
    /// [`ErrorKind::CursorMismatch`] before any request if the cursor was saved with another
    /// page size or query.
    pub fn resume(self, cursor: &Cursor) -> Result<Paginator<Self>> {
        Paginator::resume(self, cursor)
    }
}

impl<E: ListEndpoint> fmt::Debug for List<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("endpoint", &E::NAME)
            .field("query", &self.query)
            .finish()
    }
}

impl<E: ListEndpoint> ListRequest for List<E> {
    type Item = E::Item;

    fn page_size(&self) -> u32 {
        E::page_size(&self.query)
    }

    fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    fn record_cap(&self) -> Option<u64> {
        E::record_cap(&self.client, &self.query)
    }

    fn retrier(&self) -> Option<&Retrier> {
        Some(self.client.retrier())
    }

    fn fetch(
        &self,
        token: Option<PageToken>,
    ) -> impl Future<Output = Result<Page<E::Item>>> + Send {
        E::page(&self.client, &self.query, token)
    }
}

impl PageToken {
    /// The position a chain addressed by positions continues at (`None`: the first page);
    /// another kind of token is a [`ErrorKind::CursorMismatch`] naming `list`.
    pub fn position(token: Option<PageToken>, list: &str) -> Result<Option<String>> {
        match token {
            None => Ok(None),
            Some(PageToken::Position(p)) => Ok(Some(p)),
            Some(other) => Err(wrong_token(list, "positions", &other)),
        }
    }

    /// The cursor a chain addressed by cursors continues at (`None`: the first page).
    pub fn cursor(token: Option<PageToken>, list: &str) -> Result<Option<String>> {
        match token {
            None => Ok(None),
            Some(PageToken::Cursor(c)) => Ok(Some(c)),
            Some(other) => Err(wrong_token(list, "cursors", &other)),
        }
    }

    /// The 1-based page number of a numbered chain (the first page: 1).
    pub fn page_number(token: Option<PageToken>, list: &str) -> Result<u32> {
        match token {
            None => Ok(1),
            Some(PageToken::Page(n)) if n >= 1 => Ok(n),
            Some(other) => Err(wrong_token(list, "page numbers from 1", &other)),
        }
    }
}

fn wrong_token(list: &str, kind: &str, token: &PageToken) -> Error {
    Error::new(
        ErrorKind::CursorMismatch,
        format!("{list} pages are addressed by {kind}, not by {token}"),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use futures::TryStreamExt;
    use std::sync::Arc;

    /// Numbers `0..total` in pages of the query's size.
    pub(crate) struct Numbers;

    #[derive(Debug, Serialize)]
    pub(crate) struct NumbersQuery {
        pub(crate) total: u32,
        pub(crate) size: u32,
    }

    impl ListEndpoint for Numbers {
        type Client = Retrier;
        type Query = NumbersQuery;
        type Item = u32;
        const NAME: &'static str = "test.numbers";

        fn page_size(query: &NumbersQuery) -> u32 {
            query.size
        }

        fn validate(query: &NumbersQuery) -> Result<()> {
            if query.size == 0 {
                return Err(Error::invalid_argument("size 0"));
            }
            Ok(())
        }

        async fn page(
            _client: &Retrier,
            query: &NumbersQuery,
            token: Option<PageToken>,
        ) -> Result<Page<u32>> {
            let page = PageToken::page_number(token, Self::NAME)?;
            let start = (page - 1) * query.size;
            let end = (start + query.size).min(query.total);
            let more = end < query.total;
            let next = more.then(|| PageToken::Page(page + 1));
            Page::from_wire(Self::NAME, Some((start..end).collect()), Some(more), next)
        }
    }

    fn retrier() -> Retrier {
        Retrier::new(
            crate::RetryPolicy::default(),
            Arc::new(ManualClock::at_unix(0)),
        )
    }

    #[tokio::test]
    async fn a_declared_list_pages_resumes_and_refuses_other_queries() {
        let list = List::<Numbers>::new(retrier(), NumbersQuery { total: 7, size: 3 }).unwrap();
        let all: Vec<u32> = list.paginate().items().try_collect().await.unwrap();
        assert_eq!(all, (0..7).collect::<Vec<_>>());

        let list = List::<Numbers>::new(retrier(), NumbersQuery { total: 7, size: 3 }).unwrap();
        let mut pages = Box::pin(list.paginate().pages());
        let saved = futures::StreamExt::next(&mut pages)
            .await
            .unwrap()
            .unwrap()
            .resume
            .unwrap();
        let rest: Vec<u32> = List::<Numbers>::new(retrier(), NumbersQuery { total: 7, size: 3 })
            .unwrap()
            .resume(&saved)
            .unwrap()
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rest, vec![3, 4, 5, 6]);
        // Another query: refused, before any request.
        let other = List::<Numbers>::new(retrier(), NumbersQuery { total: 8, size: 3 }).unwrap();
        assert_eq!(
            other.resume(&saved).unwrap_err().kind(),
            ErrorKind::CursorMismatch
        );
        // Checked once, in the constructor.
        let e = List::<Numbers>::new(retrier(), NumbersQuery { total: 7, size: 0 }).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn tokens_of_the_wrong_kind_are_refused() {
        assert_eq!(PageToken::page_number(None, "l").unwrap(), 1);
        assert_eq!(
            PageToken::position(Some(PageToken::Position("5".into())), "l").unwrap(),
            Some("5".into())
        );
        assert_eq!(PageToken::cursor(None, "l").unwrap(), None);
        for e in [
            PageToken::position(Some(PageToken::Page(2)), "l").unwrap_err(),
            PageToken::cursor(Some(PageToken::Position("x".into())), "l").unwrap_err(),
            PageToken::page_number(Some(PageToken::Page(0)), "l").unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::CursorMismatch);
        }
    }
}
