//! Windows split while a vendor's per-query record cap would truncate them: a window that
//! holds more records than one query returns is read as two halves, recursively, with the
//! records on the edges between halves delivered once (see [`capped_windows`]).

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;
use std::sync::Arc;

use futures::stream::{self, BoxStream, StreamExt};
use time::{Duration, OffsetDateTime};

use crate::error::{ErrorKind, Result};
use crate::paginate::{Page, PageObserver};
use crate::window::Window;

/// A window still to query, with the sessions already delivered for an enclosing window that
/// was truncated (they are skipped when the halves return them again).
struct Pending<K> {
    window: Window,
    exclude: Option<Arc<HashSet<K>>>,
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
pub fn capped_windows<T, K, P, I, J>(
    window: Window,
    cap: u64,
    min_window: Duration,
    observer: Option<Arc<dyn PageObserver>>,
    pages: P,
    identity: I,
    joined: J,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    K: Hash + Eq + Clone + Send + Sync + 'static,
    P: Fn(Window) -> Result<BoxStream<'static, Result<Page<T>>>> + Send + 'static,
    I: Fn(&T) -> K + Send + 'static,
    J: Fn(&T) -> Option<OffsetDateTime> + Send + 'static,
{
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
        }]),
        chain: None,
        edge_seen: HashSet::new(),
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
    K: Hash + Eq + Clone,
    P: Fn(Window) -> Result<BoxStream<'static, Result<Page<T>>>>,
    I: Fn(&T) -> K,
    J: Fn(&T) -> Option<OffsetDateTime>,
{
    fn start_chain(&self, p: Pending<K>) -> Result<Chain<T, K>> {
        Ok(Chain {
            window: p.window,
            pages: (self.pages)(p.window)?,
            first: true,
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
        });
        self.queue.push_front(Pending { window: a, exclude });
    }

    /// The next batch of results (one page, or one error), or `None` at the end.
    async fn next_batch(&mut self) -> Option<Vec<Result<T>>> {
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
                            out.push(Ok(a));
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
                        out.push(Ok(a));
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
    ) -> impl Fn(Window) -> Result<BoxStream<'static, Result<Page<i64>>>> + Send + 'static {
        move |w: Window| {
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
            let got: Vec<i64> = capped_windows(
                day,
                500,
                Duration::HOUR,
                None,
                vendor(500, with_total, log.clone()),
                |t: &i64| *t,
                at,
            )
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

    #[tokio::test]
    async fn a_window_too_short_to_split_ends_truncated() {
        let hour = Window {
            start: datetime!(2026-01-01 0:00 UTC),
            end: datetime!(2026-01-01 1:30 UTC),
        };
        let log = Arc::new(Mutex::new(Vec::new()));
        let results: Vec<Result<i64>> = capped_windows(
            hour,
            10,
            Duration::HOUR,
            None,
            vendor(10, false, log.clone()),
            |t: &i64| *t,
            at,
        )
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
