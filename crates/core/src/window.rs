//! Time windows: WeCom and Tencent accept attendee queries over at most 31 days, so longer
//! ranges are split, queried one window after another or a few at a time, and joined back in
//! time order.

use std::collections::VecDeque;
use std::hash::Hash;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::stream::{self, BoxStream, Stream, StreamExt};
use time::{Duration, OffsetDateTime};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::paginate::PageObserver;

/// The longest window WeCom and Tencent accept: 31 days (2,678,400 s).
pub const MAX_WINDOW: Duration = Duration::days(31);

/// A half-open time range `[start, end)`, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Window {
    /// First second included.
    pub start: OffsetDateTime,
    /// First second excluded.
    pub end: OffsetDateTime,
}

impl Window {
    /// The vendor form of the window: Unix seconds `(start, end)` with both ends **inclusive**,
    /// as WeCom and Tencent filter (`start ≤ join_time ≤ end`). Consecutive windows therefore
    /// never overlap.
    pub fn inclusive_unix_bounds(&self) -> (i64, i64) {
        (self.start.unix_timestamp(), self.end.unix_timestamp() - 1)
    }

    /// The window's length.
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// Whether `t` falls inside the window.
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// Splits `[start, end)` into consecutive windows of at most `max`.
///
/// Times are rounded outwards to whole seconds. An empty range gives no windows; a reversed
/// range or a non-positive `max` is [`crate::ErrorKind::InvalidArgument`].
pub fn split_windows(
    start: OffsetDateTime,
    end: OffsetDateTime,
    max: Duration,
) -> Result<Vec<Window>> {
    if end < start {
        return Err(Error::invalid_argument(format!(
            "the time range is reversed: from {start} is after to {end}"
        )));
    }
    if max < Duration::SECOND {
        return Err(Error::invalid_argument(
            "the window length must be at least one second",
        ));
    }
    let start = floor_second(start);
    let end = ceil_second(end);
    let mut windows = Vec::new();
    let mut from = start;
    while from < end {
        // Near the end of what a date can hold, `from + max` overflows: that window is the last.
        let to = from.checked_add(max).map_or(end, |t| t.min(end));
        windows.push(Window {
            start: from,
            end: to,
        });
        from = to;
    }
    Ok(windows)
}

fn floor_second(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

fn ceil_second(t: OffsetDateTime) -> OffsetDateTime {
    if t.nanosecond() == 0 {
        t
    } else {
        floor_second(t) + Duration::SECOND
    }
}

/// How to run windowed queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WindowOptions {
    /// Windows queried at once (1: one after another).
    pub concurrency: usize,
    /// Records a window queried ahead of the one being read may buffer before it pauses.
    pub prefetch: usize,
}

impl Default for WindowOptions {
    fn default() -> Self {
        Self {
            concurrency: 1,
            prefetch: 2_000,
        }
    }
}

impl WindowOptions {
    /// One window after another.
    pub fn sequential() -> Self {
        Self::default()
    }

    /// Up to `n` windows at once.
    pub fn concurrent(n: usize) -> Self {
        Self {
            concurrency: n.max(1),
            ..Self::default()
        }
    }

    /// Sets how many records a window ahead may buffer.
    pub fn with_prefetch(mut self, records: usize) -> Self {
        self.prefetch = records.max(1);
        self
    }
}

/// [`windowed`], telling `observer` each time a window's records are all delivered
/// ([`PageObserver::on_window`]: windows done and in all), for progress by windows.
pub fn windowed_observed<T, F, S>(
    windows: Vec<Window>,
    options: WindowOptions,
    observer: Option<Arc<dyn PageObserver>>,
    mut make: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: FnMut(Window) -> S + Send + 'static,
    S: Stream<Item = Result<T>> + Send + 'static,
{
    let Some(observer) = observer else {
        return windowed(windows, options, make);
    };
    let total = windows.len();
    let done = Arc::new(AtomicUsize::new(0));
    windowed(windows, options, move |w| {
        let (observer, done) = (observer.clone(), done.clone());
        make(w)
            .map(Some)
            .chain(stream::once(async move {
                observer.on_window(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                None
            }))
            .filter_map(std::future::ready)
    })
}

/// Runs one stream per window and yields their records in window order, ending after the first
/// error.
///
/// With `concurrency > 1`, up to that many windows are fetched at once on tokio tasks; windows
/// ahead of the one being read buffer at most `prefetch` records each, so memory stays bounded.
/// Dropping the stream stops every task.
pub fn windowed<T, F, S>(
    windows: Vec<Window>,
    options: WindowOptions,
    make: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: FnMut(Window) -> S + Send + 'static,
    S: Stream<Item = Result<T>> + Send + 'static,
{
    let joined: BoxStream<'static, Result<T>> = if options.concurrency <= 1 || windows.len() <= 1 {
        stream::iter(windows).map(make).flatten().boxed()
    } else {
        let state = Concurrent {
            pending: windows.into(),
            active: VecDeque::new(),
            concurrency: options.concurrency,
            prefetch: options.prefetch.max(1),
        };
        stream::unfold((state, make), |(mut st, mut make)| async move {
            loop {
                st.fill(&mut make);
                let front = st.active.front_mut()?;
                match front.rx.recv().await {
                    Some(item) => return Some((item, (st, make))),
                    None => {
                        st.active.pop_front();
                    }
                }
            }
        })
        .boxed()
    };
    stop_after_error(joined)
}

/// Ends a stream after its first error (every list and export does).
pub fn stop_after_error<T: Send + 'static>(
    s: BoxStream<'static, Result<T>>,
) -> BoxStream<'static, Result<T>> {
    s.scan(false, |failed, item| {
        let out = if *failed {
            None
        } else {
            *failed = item.is_err();
            Some(item)
        };
        std::future::ready(out)
    })
    .boxed()
}

struct Concurrent<T> {
    pending: VecDeque<Window>,
    active: VecDeque<Running<T>>,
    concurrency: usize,
    prefetch: usize,
}

struct Running<T> {
    rx: mpsc::Receiver<Result<T>>,
    task: JoinHandle<()>,
}

impl<T> Drop for Running<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<T: Send + 'static> Concurrent<T> {
    fn fill<F, S>(&mut self, make: &mut F)
    where
        F: FnMut(Window) -> S,
        S: Stream<Item = Result<T>> + Send + 'static,
    {
        while self.active.len() < self.concurrency {
            let Some(window) = self.pending.pop_front() else {
                return;
            };
            let (tx, rx) = mpsc::channel(self.prefetch);
            let source = make(window);
            let task = tokio::spawn(async move {
                let mut source = pin!(source);
                while let Some(item) = source.next().await {
                    let failed = item.is_err();
                    if tx.send(item).await.is_err() || failed {
                        return;
                    }
                }
            });
            self.active.push_back(Running { rx, task });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use futures::TryStreamExt;
    use std::sync::Mutex;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 00:00:00 UTC);

    #[test]
    fn exactly_31_days_is_one_window() {
        let w = split_windows(T0, T0 + MAX_WINDOW, MAX_WINDOW).unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].duration(), MAX_WINDOW);
        let (s, e) = w[0].inclusive_unix_bounds();
        assert_eq!(e - s, 2_678_399);
        assert!(e - s <= 2_678_400);
    }

    #[test]
    fn one_second_over_is_two_windows() {
        let w = split_windows(T0, T0 + MAX_WINDOW + Duration::SECOND, MAX_WINDOW).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].end, w[1].start);
        assert_eq!(w[1].duration(), Duration::SECOND);
        let (s1, e1) = w[1].inclusive_unix_bounds();
        assert_eq!(s1, e1, "a one-second window is one inclusive second");
        assert_eq!(w[0].inclusive_unix_bounds().1 + 1, s1, "no overlap, no gap");
    }

    #[test]
    fn ninety_days_is_three_windows_covering_the_range() {
        let w = split_windows(T0, T0 + Duration::days(90), MAX_WINDOW).unwrap();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].start, T0);
        assert_eq!(w[2].end, T0 + Duration::days(90));
        assert!(w.windows(2).all(|p| p[0].end == p[1].start));
    }

    #[test]
    fn empty_and_reversed_ranges() {
        assert!(split_windows(T0, T0, MAX_WINDOW).unwrap().is_empty());
        let err = split_windows(T0 + Duration::SECOND, T0, MAX_WINDOW).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            split_windows(T0, T0 + Duration::DAY, Duration::ZERO)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn a_huge_window_length_does_not_overflow() {
        let w = split_windows(T0, T0 + Duration::DAY, Duration::MAX).unwrap();
        assert_eq!(
            w,
            vec![Window {
                start: T0,
                end: T0 + Duration::DAY
            }]
        );
    }

    #[test]
    fn sub_second_bounds_round_outwards() {
        let w = split_windows(
            T0 + Duration::milliseconds(300),
            T0 + Duration::milliseconds(1200),
            MAX_WINDOW,
        )
        .unwrap();
        assert_eq!(
            w,
            vec![Window {
                start: T0,
                end: T0 + Duration::seconds(2)
            }]
        );
    }

    fn numbered(w: Window, per_window: u32) -> impl Stream<Item = Result<(i64, u32)>> + Send {
        let start = w.start.unix_timestamp();
        stream::iter((0..per_window).map(move |i| Ok((start, i))))
    }

    #[tokio::test]
    async fn results_come_in_window_order_at_any_concurrency() {
        let windows = split_windows(T0, T0 + Duration::days(200), MAX_WINDOW).unwrap();
        let sequential: Vec<(i64, u32)> =
            windowed(windows.clone(), WindowOptions::sequential(), |w| {
                numbered(w, 50)
            })
            .try_collect()
            .await
            .unwrap();
        for concurrency in [2, 3, 10] {
            let concurrent: Vec<(i64, u32)> = windowed(
                windows.clone(),
                WindowOptions::concurrent(concurrency).with_prefetch(7),
                |w| numbered(w, 50),
            )
            .try_collect()
            .await
            .unwrap();
            assert_eq!(concurrent, sequential, "concurrency {concurrency}");
        }
        assert_eq!(sequential.len(), windows.len() * 50);
    }

    #[tokio::test]
    async fn concurrency_is_bounded() {
        let windows = split_windows(T0, T0 + Duration::days(310), MAX_WINDOW).unwrap();
        let live = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (l, p) = (live.clone(), peak.clone());
        let out: Vec<u32> = windowed(windows, WindowOptions::concurrent(3), move |_w| {
            let (l, p) = (l.clone(), p.clone());
            stream::once(async move {
                let now = l.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                l.fetch_sub(1, Ordering::SeqCst);
                Ok(1u32)
            })
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(out.len(), 10);
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[tokio::test]
    async fn the_stream_ends_after_the_first_error() {
        let windows = split_windows(T0, T0 + Duration::days(100), MAX_WINDOW).unwrap();
        for options in [WindowOptions::sequential(), WindowOptions::concurrent(4)] {
            let out: Vec<Result<u32>> = windowed(windows.clone(), options, |w| {
                let fail = w.start != T0;
                stream::iter(vec![
                    Ok(1),
                    if fail {
                        Err(Error::invalid_argument("boom"))
                    } else {
                        Ok(2)
                    },
                ])
            })
            .collect()
            .await;
            // Window 1 fully, then window 2's first record and its error; nothing after.
            assert_eq!(out.len(), 4, "{options:?}");
            assert!(out[3].is_err());
        }
    }

    #[tokio::test]
    async fn windows_done_are_reported_in_order() {
        struct Seen(Mutex<Vec<(usize, usize)>>);
        impl PageObserver for Seen {
            fn on_page(&self, _: usize, _: Option<u64>) {}
            fn on_window(&self, done: usize, total: usize) {
                self.0.lock().unwrap().push((done, total));
            }
        }
        let t = datetime!(2026-01-01 0:00 UTC);
        let windows = split_windows(t, t + Duration::days(90), MAX_WINDOW).unwrap();
        let seen = Arc::new(Seen(Mutex::new(Vec::new())));
        for options in [WindowOptions::sequential(), WindowOptions::concurrent(3)] {
            seen.0.lock().unwrap().clear();
            let items: Vec<i64> =
                windowed_observed(windows.clone(), options, Some(seen.clone()), |w| {
                    stream::iter(vec![Ok(w.start.unix_timestamp())])
                })
                .try_collect()
                .await
                .unwrap();
            assert_eq!(items.len(), 3);
            assert_eq!(*seen.0.lock().unwrap(), vec![(1, 3), (2, 3), (3, 3)]);
        }
    }
}
