//! Windows split while a vendor's per-query record cap would truncate them: a window that
//! holds more records than one query returns is read as two halves, recursively, with the
//! records on the edges between halves delivered once (see [`capped_windows`]).

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;
use std::sync::Arc;

use futures::stream::{self, BoxStream, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::error::{ErrorKind, Result};
use crate::paginate::{Cursor, Page, PageObserver};
use crate::resume::{ExportPosition, Rest, Resumable};
use crate::window::Window;

/// A window still to query, with the sessions already delivered for an enclosing window that
/// was truncated (they are skipped when the halves return them again), and where to continue
/// (a resumed window).
struct Pending<K> {
    window: Window,
    exclude: Option<Arc<HashSet<K>>>,
    cursor: Option<Cursor>,
}

struct Chain<T, K> {
    window: Window,
    pages: BoxStream<'static, Result<Page<T>>>,
    first: bool,
    /// Keys delivered so far, kept only while a cap hit could still be recovered by splitting
    /// (the vendor did not report a total on the first page).
    track: Option<HashSet<K>>,
    exclude: Option<Arc<HashSet<K>>>,
}

struct SplitState<T, K, P, I, J> {
    pages: P,
    identity: I,
    joined: J,
    cap: u64,
    min_window: Duration,
    observer: Option<Arc<dyn PageObserver>>,
    queue: VecDeque<Pending<K>>,
    chain: Option<Chain<T, K>>,
    edge_seen: HashSet<K>,
    done: bool,
}

/// Whether both halves of `w` would still be at least `min_window` long.
fn splittable(w: &Window, min_window: Duration) -> bool {
    w.duration() >= min_window * 2
}

fn halves(w: &Window) -> (Window, Window) {
    let mid = w.start + Duration::seconds(w.duration().whole_seconds() / 2);
    (
        Window {
            start: w.start,
            end: mid,
        },
        Window {
            start: mid,
            end: w.end,
        },
    )
}

fn near(t: OffsetDateTime, edge: OffsetDateTime) -> bool {
    (t - edge).abs() <= Duration::SECOND
}

/// The records of `window`, read with `pages` (one paginated chain per window), respecting a
/// vendor's per-query record `cap` (Tencent participants: 50,000):
///
/// - if the first page of a window reports a total over the cap and the window is at least
///   twice `min_window`, the window is split in halves (each read the same way) before anything
///   is delivered;
/// - if the vendor reports no total and a chain ends at the cap ([`crate::ErrorKind::Truncated`]
///   from the paginator), the halves are read and the records already delivered (by
///   `identity`) are skipped;
/// - a window too short to split that is still capped delivers its records, then
///   `Truncated`.
///
/// Records reported twice at the edge between two halves (bounds are inclusive: a record
/// whose `joined` time is within a second of an edge) are delivered once, compared by
/// `identity`. The stream ends after the first error.
///
/// After each page comes the position after it ([`crate::resume`]: the rest of this window as
/// the current half from its cursor and the halves still queued, with the identities delivered
/// near the halves' edges), except while halves are re-read without a total (the records
/// already delivered must then be remembered, which a position does not carry). `cursor` and
/// `edge_keys` continue from such a position: the window is read from `cursor` (no split is
/// decided again), and records near an edge compare with `edge_keys`.
#[allow(clippy::too_many_arguments)]
pub fn capped_windows<T, K, P, I, J>(
    window: Window,
    cursor: Option<Cursor>,
    edge_keys: &[Value],
    cap: u64,
    min_window: Duration,
    observer: Option<Arc<dyn PageObserver>>,
    pages: P,
    identity: I,
    joined: J,
) -> BoxStream<'static, Result<Resumable<T>>>
where
    T: Send + 'static,
    K: Hash + Eq + Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    P: Fn(Window, Option<Cursor>) -> Result<BoxStream<'static, Result<Page<T>>>> + Send + 'static,
    I: Fn(&T) -> K + Send + 'static,
    J: Fn(&T) -> Option<OffsetDateTime> + Send + 'static,
{
    let edge_seen = edge_keys
        .iter()
        .filter_map(|v| serde_json::from_value(v.clone()).ok())
        .collect();
    let state = SplitState {
        pages,
        identity,
        joined,
        cap,
        min_window,
        observer,
        queue: VecDeque::from([Pending {
            window,
            exclude: None,
            cursor,
        }]),
        chain: None,
        edge_seen,
        done: false,
    };
    stream::unfold(state, |mut st| async move {
        let batch = st.next_batch().await?;
        Some((stream::iter(batch), st))
    })
    .flatten()
    .boxed()
}

impl<T, K, P, I, J> SplitState<T, K, P, I, J>
where
    K: Hash + Eq + Clone + Serialize,
    P: Fn(Window, Option<Cursor>) -> Result<BoxStream<'static, Result<Page<T>>>>,
    I: Fn(&T) -> K,
    J: Fn(&T) -> Option<OffsetDateTime>,
{
    fn start_chain(&self, p: Pending<K>) -> Result<Chain<T, K>> {
        Ok(Chain {
            window: p.window,
            // A resumed chain was not split when it started: that stays decided.
            first: p.cursor.is_none(),
            pages: (self.pages)(p.window, p.cursor)?,
            track: None,
            exclude: p.exclude,
        })
    }

    fn push_halves(&mut self, w: &Window, exclude: Option<Arc<HashSet<K>>>) {
        let (a, b) = halves(w);
        tracing::debug!(
            from = w.start.unix_timestamp(),
            to = w.end.unix_timestamp(),
            cap = self.cap,
            "window capped; splitting it in halves"
        );
        self.queue.push_front(Pending {
            window: b,
            exclude: exclude.clone(),
            cursor: None,
        });
        self.queue.push_front(Pending {
            window: a,
            exclude,
            cursor: None,
        });
    }

    /// The position after a page of the current chain (`resume`: its cursor, if more follow),
    /// unless records already delivered would have to be remembered.
    fn position(&self, chain: &Chain<T, K>, resume: Option<Cursor>) -> Option<ExportPosition> {
        if chain.exclude.is_some()
            || chain.track.is_some()
            || self.queue.iter().any(|p| p.exclude.is_some())
        {
            return None;
        }
        let mut windows: Vec<Window> = resume.iter().map(|_| chain.window).collect();
        windows.extend(self.queue.iter().map(|p| p.window));
        Some(ExportPosition {
            rest: Rest::Windows { windows },
            cursor: resume,
            edge_keys: self
                .edge_seen
                .iter()
                .filter_map(|k| serde_json::to_value(k).ok())
                .collect(),
        })
    }

    /// The next batch of results (one page and the position after it, or one error), or `None`
    /// at the end.
    async fn next_batch(&mut self) -> Option<Vec<Result<Resumable<T>>>> {
        loop {
            if self.done {
                return None;
            }
            if self.chain.is_none() {
                let pending = self.queue.pop_front()?;
                match self.start_chain(pending) {
                    Ok(c) => self.chain = Some(c),
                    Err(e) => {
                        self.done = true;
                        return Some(vec![Err(e)]);
                    }
                }
            }
            let chain = self.chain.as_mut()?;
            match chain.pages.next().await {
                None => {
                    self.chain = None;
                }
                Some(Ok(page)) => {
                    if chain.first {
                        chain.first = false;
                        let can_split = splittable(&chain.window, self.min_window);
                        if can_split && page.total_hint.is_some_and(|t| t > self.cap) {
                            let (w, ex) = (chain.window, chain.exclude.clone());
                            self.chain = None;
                            self.push_halves(&w, ex);
                            continue;
                        }
                        if can_split && page.total_hint.is_none() {
                            chain.track = Some(HashSet::new());
                        }
                    }
                    if let Some(o) = &self.observer {
                        o.on_page(page.items.len(), page.total_hint);
                    }
                    let (start, last) = (chain.window.start, chain.window.end - Duration::SECOND);
                    let mut out = Vec::with_capacity(page.items.len());
                    for a in page.items {
                        let near_edge =
                            (self.joined)(&a).is_some_and(|t| near(t, start) || near(t, last));
                        if !near_edge && chain.exclude.is_none() && chain.track.is_none() {
                            // The common case: nothing to compare, so no key to build.
                            out.push(Ok(Resumable::Record(a)));
                            continue;
                        }
                        let key = (self.identity)(&a);
                        if chain.exclude.as_ref().is_some_and(|x| x.contains(&key)) {
                            continue;
                        }
                        if near_edge && !self.edge_seen.insert(key.clone()) {
                            continue;
                        }
                        if let Some(track) = &mut chain.track {
                            track.insert(key);
                        }
                        out.push(Ok(Resumable::Record(a)));
                    }
                    let resume = if page.has_more { page.resume } else { None };
                    let chain = self.chain.as_ref()?;
                    if let Some(p) = self.position(chain, resume) {
                        out.push(Ok(Resumable::Position(p)));
                    }
                    return Some(out);
                }
                Some(Err(e)) => {
                    if e.kind() == ErrorKind::Truncated && chain.track.is_some() {
                        let mut delivered = chain.track.take().unwrap_or_default();
                        if let Some(parent) = &chain.exclude {
                            delivered.extend(parent.iter().cloned());
                        }
                        let w = chain.window;
                        self.chain = None;
                        self.push_halves(&w, Some(Arc::new(delivered)));
                        continue;
                    }
                    self.done = true;
                    self.chain = None;
                    return Some(vec![Err(e)]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use std::sync::Mutex;
    use time::macros::datetime;

    #[test]
    fn halving() {
        let w = Window {
            start: datetime!(2026-01-01 0:00 UTC),
            end: datetime!(2026-01-01 3:00:01 UTC),
        };
        let (a, b) = halves(&w);
        assert_eq!(a.start, w.start);
        assert_eq!(a.end, b.start);
        assert_eq!(b.end, w.end);
        assert_eq!(a.duration(), Duration::seconds(5400));
        assert!(splittable(&w, Duration::HOUR));
        assert!(splittable(
            &Window {
                start: w.start,
                end: w.start + Duration::HOUR * 2
            },
            Duration::HOUR
        ));
        assert!(!splittable(
            &Window {
                start: w.start,
                end: w.start + Duration::HOUR * 2 - Duration::SECOND
            },
            Duration::HOUR
        ));
    }

    /// Records are join times (Unix seconds) at every minute of a day; a "vendor" answers a
    /// window with the records inside it (inclusive bounds), at most `cap`, in one page with
    /// the total (or without it: then the paginator's cap rule says Truncated).
    fn vendor(
        cap: usize,
        with_total: bool,
        log: Arc<Mutex<Vec<Window>>>,
    ) -> impl Fn(Window, Option<Cursor>) -> Result<BoxStream<'static, Result<Page<i64>>>> + Send + 'static
    {
        move |w: Window, _cursor| {
            log.lock().unwrap().push(w);
            let all: Vec<i64> = (0..1440)
                .map(|m| datetime!(2026-01-01 0:00 UTC).unix_timestamp() + m * 60)
                .filter(|t| *t >= w.start.unix_timestamp() && *t < w.end.unix_timestamp())
                .collect();
            let total = all.len() as u64;
            let served: Vec<i64> = all.into_iter().take(cap).collect();
            let page = Page::last(served).with_total(with_total.then_some(total));
            let cut = total > cap as u64;
            let mut out = vec![Ok(page)];
            if cut && !with_total {
                out.push(Err(crate::Error::new(ErrorKind::Truncated, "cap")));
            }
            Ok(stream::iter(out).boxed())
        }
    }

    fn at(t: &i64) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(*t).ok()
    }

    #[tokio::test]
    async fn a_capped_window_is_read_in_halves_and_every_record_once() {
        let day = Window {
            start: datetime!(2026-01-01 0:00 UTC),
            end: datetime!(2026-01-02 0:00 UTC),
        };
        for with_total in [true, false] {
            let log = Arc::new(Mutex::new(Vec::new()));
            let got: Vec<i64> = crate::resume::records(capped_windows(
                day,
                None,
                &[],
                500,
                Duration::HOUR,
                None,
                vendor(500, with_total, log.clone()),
                |t: &i64| *t,
                at,
            ))
            .try_collect()
            .await
            .unwrap();
            let mut sorted = got.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 1440, "with_total {with_total}");
            assert_eq!(got.len(), 1440, "no record twice (with_total {with_total})");
            assert!(log.lock().unwrap().len() > 1, "split");
        }
    }

    /// Pages of 50 of the minute records of a window, with the total, the cursor a paginator
    /// would give, and one failure at the `fail_at`-th page served.
    fn paged_vendor(
        served: Arc<Mutex<usize>>,
        fail_at: usize,
    ) -> impl Fn(Window, Option<Cursor>) -> Result<BoxStream<'static, Result<Page<i64>>>> + Send + 'static
    {
        move |w: Window, cursor: Option<Cursor>| {
            let all: Vec<i64> = (0..1440)
                .map(|m| datetime!(2026-01-01 0:00 UTC).unix_timestamp() + m * 60)
                .filter(|t| *t >= w.start.unix_timestamp() && *t < w.end.unix_timestamp())
                .collect();
            let total = all.len() as u64;
            let pages: Vec<Vec<i64>> = all.chunks(50).map(<[i64]>::to_vec).collect();
            let first = match cursor.map(|c| c.token) {
                Some(crate::PageToken::Page(n)) => n as usize,
                _ => 0,
            };
            let served = served.clone();
            let n = pages.len();
            let out = stream::iter(first..n).map(move |i| {
                // Counted when served, not when the chain is built.
                let mut count = served.lock().unwrap();
                *count += 1;
                if *count == fail_at {
                    return Err(crate::Error::new(ErrorKind::Transport, "cut"));
                }
                let more = i + 1 < n;
                let next = crate::PageToken::Page(i as u32 + 1);
                let mut page = Page::new(pages[i].clone(), more, more.then(|| next.clone()))
                    .with_total(Some(total));
                page.resume = more.then(|| Cursor {
                    token: next,
                    page_size: 50,
                    fingerprint: format!("{w:?}"),
                    received: 0,
                    total: None,
                });
                Ok(page)
            });
            Ok(out.boxed())
        }
    }

    #[tokio::test]
    async fn a_split_window_resumes_from_its_last_position_with_every_record_once() {
        let day = Window {
            start: datetime!(2026-01-01 0:00 UTC),
            end: datetime!(2026-01-02 0:00 UTC),
        };
        for fail_at in [4, 5, 11, 12, 20, 30] {
            let served = Arc::new(Mutex::new(0));
            let s = capped_windows(
                day,
                None,
                &[],
                500,
                Duration::HOUR,
                None,
                paged_vendor(served.clone(), fail_at),
                |t: &i64| *t,
                at,
            );
            let (mut delivered, position) = crate::resume::kept_until_failure(s).await;
            let p = position.expect("a position before the failure");
            let Rest::Windows { windows } = &p.rest else {
                panic!("windows remain")
            };
            assert!(!p.is_done(), "the rest is in the position");
            if fail_at < 12 {
                assert!(windows.len() > 1, "the quarters still to read are in it");
            }
            // The rest, window by window, as a resumed export reads it.
            let mut cursor = p.cursor.clone();
            for w in windows.clone() {
                let rest: Vec<i64> = crate::resume::records(capped_windows(
                    w,
                    cursor.take(),
                    &p.edge_keys,
                    500,
                    Duration::HOUR,
                    None,
                    paged_vendor(Arc::new(Mutex::new(0)), usize::MAX),
                    |t: &i64| *t,
                    at,
                ))
                .try_collect()
                .await
                .unwrap();
                delivered.extend(rest);
            }
            let mut sorted = delivered.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), 1440, "fail at {fail_at}");
            assert_eq!(delivered.len(), 1440, "no record twice (fail at {fail_at})");
        }
    }

    #[tokio::test]
    async fn a_window_too_short_to_split_ends_truncated() {
        let hour = Window {
            start: datetime!(2026-01-01 0:00 UTC),
            end: datetime!(2026-01-01 1:30 UTC),
        };
        let log = Arc::new(Mutex::new(Vec::new()));
        let results: Vec<Result<i64>> = crate::resume::records(capped_windows(
            hour,
            None,
            &[],
            10,
            Duration::HOUR,
            None,
            vendor(10, false, log.clone()),
            |t: &i64| *t,
            at,
        ))
        .collect()
        .await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 10);
        assert_eq!(
            results.last().unwrap().as_ref().unwrap_err().kind(),
            ErrorKind::Truncated
        );
        assert_eq!(log.lock().unwrap().len(), 1);
    }
}
