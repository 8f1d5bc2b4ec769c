//! Resumable exports: a record stream with a position after every page, from which a later
//! call continues with exactly the records not yet delivered.
//!
//! A position ([`ExportPosition`]) says what remains of the export's plan (the occurrence, or
//! the windows still to read, the first from a [`Cursor`]) and which records near window edges
//! were already delivered, so that the edge de-duplication of the rest stays exact across the
//! resume. Positions travel in the stream itself ([`Resumable::Position`]), in delivery order:
//! every record before a position has been delivered, none after it. A consumer that saved
//! the records up to a position and the position can stop at any time and continue later
//! ([`crate::AttendeeSource::attendees_from`]) without losing or repeating a record.
//!
//! A position is emitted only where the rest can be described by windows and a cursor: while a
//! capped window is being re-read in halves without a vendor total (rare; the records already
//! delivered must then be remembered), none is, and a resume continues from the last one.

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;

use futures::stream::{self, BoxStream, Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::error::Result;
use crate::paginate::{Cursor, Page, PageObserver};
use crate::window::{Window, WindowOptions, windowed_observed};

/// One element of a resumable stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Resumable<T> {
    /// A record.
    Record(T),
    /// Every record before this point has been delivered, none after it.
    Position(ExportPosition),
}

/// Where an export can continue (see the [module docs](self)). Serialise it with the records
/// written so far; give it back to continue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportPosition {
    /// What remains of the plan.
    pub rest: Rest,
    /// Where the first remaining chain continues (`None`: at its first page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    /// Identities of the records delivered within a second of a window edge (compared again
    /// after the resume, so that none is delivered twice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edge_keys: Vec<Value>,
}

/// What remains of an attendance plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rest {
    /// The chain of one occurrence (sub-meeting).
    Occurrence {
        /// The occurrence id.
        sub_meeting_id: String,
    },
    /// These windows, in order (none: nothing remains).
    Windows {
        /// The windows.
        windows: Vec<Window>,
    },
}

impl ExportPosition {
    /// Whether nothing remains.
    pub fn is_done(&self) -> bool {
        matches!(&self.rest, Rest::Windows { windows } if windows.is_empty())
    }
}

/// The records of a resumable stream, without the positions.
pub fn records<T: Send + 'static>(
    stream: BoxStream<'static, Result<Resumable<T>>>,
) -> BoxStream<'static, Result<T>> {
    stream
        .filter_map(|item| {
            std::future::ready(match item {
                Ok(Resumable::Record(r)) => Some(Ok(r)),
                Ok(Resumable::Position(_)) => None,
                Err(e) => Some(Err(e)),
            })
        })
        .boxed()
}

/// A plain record stream as a resumable one without positions (a source that cannot resume:
/// a failed export starts over).
pub fn without_positions<T: Send + 'static>(
    stream: BoxStream<'static, Result<T>>,
) -> BoxStream<'static, Result<Resumable<T>>> {
    stream.map(|item| item.map(Resumable::Record)).boxed()
}

/// The records of a chain of pages, each page followed by the position after it: `at(cursor)`
/// describes the rest given the page's resume cursor (`None` after the last page).
pub fn positioned_pages<T, S, A>(pages: S, at: A) -> BoxStream<'static, Result<Resumable<T>>>
where
    T: Send + 'static,
    S: Stream<Item = Result<Page<T>>> + Send + 'static,
    A: Fn(Option<Cursor>) -> ExportPosition + Send + 'static,
{
    pages
        .flat_map(move |page| {
            let out: Vec<Result<Resumable<T>>> = match page {
                Ok(page) => {
                    let position = at(if page.has_more { page.resume } else { None });
                    page.items
                        .into_iter()
                        .map(|r| Ok(Resumable::Record(r)))
                        .chain(std::iter::once(Ok(Resumable::Position(position))))
                        .collect()
                }
                Err(e) => vec![Err(e)],
            };
            stream::iter(out)
        })
        .boxed()
}

/// The position inside one window: `window` from `cursor`, or (no cursor) nothing left of it.
pub fn window_position(window: Window, cursor: Option<Cursor>) -> ExportPosition {
    let windows = if cursor.is_some() {
        vec![window]
    } else {
        Vec::new()
    };
    ExportPosition {
        rest: Rest::Windows { windows },
        cursor,
        edge_keys: Vec::new(),
    }
}

/// The position in one occurrence's chain: from `cursor`, or (no cursor) nothing left.
pub fn occurrence_position(sub_meeting_id: &str, cursor: Option<Cursor>) -> ExportPosition {
    let rest = match cursor {
        Some(_) => Rest::Occurrence {
            sub_meeting_id: sub_meeting_id.to_string(),
        },
        None => Rest::Windows {
            windows: Vec::new(),
        },
    };
    ExportPosition {
        rest,
        cursor,
        edge_keys: Vec::new(),
    }
}

/// Where a windowed export starts: the planned windows, or the rest of a saved position.
#[derive(Debug, Clone)]
pub struct WindowsFrom {
    /// The windows still to read, in order.
    pub windows: Vec<Window>,
    /// Where the first one continues.
    pub cursor: Option<Cursor>,
    /// Records delivered near window edges before the resume.
    pub edge_keys: Vec<Value>,
    /// The edge the resume happens at (the first window's start), when one window was already
    /// read before it: records near it are compared with `edge_keys`.
    pub resumed_edge: Option<OffsetDateTime>,
}

impl WindowsFrom {
    /// A fresh start over `windows`.
    pub fn planned(windows: Vec<Window>) -> Self {
        Self {
            windows,
            cursor: None,
            edge_keys: Vec::new(),
            resumed_edge: None,
        }
    }
}

/// The records of `from.windows` in window order, with positions: `make(window, cursor, keys)`
/// streams one window (records, and positions describing what remains *of that window*; its
/// last position says nothing remains), continuing at `cursor` for the first window of a
/// resume; `keys` are the edge keys of the resume, for a window that de-duplicates edges of
/// its own. Windows are fetched up to `options.concurrency` at once; records within a second
/// of an edge between windows are delivered once, compared by `key` (see
/// [`dedup_edges`]); each position carries the keys delivered near edges so far.
pub fn resumable_windows<T, K, F, S, Tm, Kf>(
    from: WindowsFrom,
    options: WindowOptions,
    observer: Option<Arc<dyn PageObserver>>,
    mut make: F,
    time: Tm,
    key: Kf,
) -> BoxStream<'static, Result<Resumable<T>>>
where
    T: Send + 'static,
    K: Eq + Hash + Serialize + DeserializeOwned + Send + 'static,
    F: FnMut(Window, Option<Cursor>, &[Value]) -> S + Send + 'static,
    S: Stream<Item = Result<Resumable<T>>> + Send + 'static,
    Tm: Fn(&T) -> Option<OffsetDateTime> + Send + 'static,
    Kf: Fn(&T) -> K + Send + 'static,
{
    let planned = from.windows.clone();
    let mut edges: Vec<OffsetDateTime> = planned.iter().skip(1).map(|w| w.start).collect();
    edges.extend(from.resumed_edge);
    let mut first = Some((planned.first().copied(), from.cursor));
    let keys = from.edge_keys.clone();
    let joined = windowed_observed(planned.clone(), options, observer, move |w| {
        let cursor = match first.take() {
            Some((Some(first_window), cursor)) if first_window == w => cursor,
            _ => None,
        };
        let later: Vec<Window> = planned
            .iter()
            .filter(|p| p.start >= w.end)
            .copied()
            .collect();
        make(w, cursor, &keys).map(move |item| match item {
            Ok(Resumable::Position(mut p)) => {
                if let Rest::Windows { windows } = &mut p.rest {
                    windows.extend(later.iter().copied());
                }
                Ok(Resumable::Position(p))
            }
            other => other,
        })
    });
    dedup_edges(joined, edges, from.edge_keys, time, key)
}

/// Drops records seen twice at the edges between windows, and gives each position the
/// identities delivered near an edge so far.
///
/// Vendors treat both ends of a window as inclusive (undocumented); with
/// [`Window::inclusive_unix_bounds`] consecutive windows do not overlap, but a record on an
/// edge second is still checked against the records of the neighbouring window's edge. Only
/// records within one second of an edge in `edges` are remembered (starting with `seed`, the
/// keys of a saved position), so memory does not grow with the export, and `key` (the
/// record's identity) is computed only for those: `time` is asked first (records without a
/// time pass).
pub fn dedup_edges<T, K, S, Tm, Kf>(
    source: S,
    edges: Vec<OffsetDateTime>,
    seed: Vec<Value>,
    time: Tm,
    key: Kf,
) -> BoxStream<'static, Result<Resumable<T>>>
where
    T: Send + 'static,
    K: Eq + Hash + Serialize + DeserializeOwned + Send + 'static,
    S: Stream<Item = Result<Resumable<T>>> + Send + 'static,
    Tm: Fn(&T) -> Option<OffsetDateTime> + Send + 'static,
    Kf: Fn(&T) -> K + Send + 'static,
{
    let mut seen: HashSet<K> = seed
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    source
        .filter_map(move |item| {
            let out = match item {
                Ok(Resumable::Record(record)) => match time(&record) {
                    Some(t) if edges.iter().any(|e| (t - *e).abs() <= Duration::SECOND) => seen
                        .insert(key(&record))
                        .then_some(Ok(Resumable::Record(record))),
                    _ => Some(Ok(Resumable::Record(record))),
                },
                Ok(Resumable::Position(mut p)) => {
                    // The window's own edge keys and ours, each once.
                    let mut all: Vec<Value> = seen
                        .iter()
                        .filter_map(|k| serde_json::to_value(k).ok())
                        .collect();
                    for v in p.edge_keys.drain(..) {
                        if !all.contains(&v) {
                            all.push(v);
                        }
                    }
                    p.edge_keys = all;
                    Some(Ok(Resumable::Position(p)))
                }
                Err(e) => Some(Err(e)),
            };
            std::future::ready(out)
        })
        .boxed()
}

/// Test support: what a consumer keeps of a stream that may fail — the records up to the last
/// position, and that position.
#[cfg(test)]
pub(crate) async fn kept_until_failure<T: Send + 'static>(
    mut stream: BoxStream<'static, Result<Resumable<T>>>,
) -> (Vec<T>, Option<ExportPosition>) {
    let (mut kept, mut pending, mut position) = (Vec::new(), Vec::new(), None);
    while let Some(item) = stream.next().await {
        match item {
            Ok(Resumable::Record(r)) => pending.push(r),
            Ok(Resumable::Position(p)) => {
                kept.append(&mut pending);
                position = Some(p);
            }
            Err(_) => break,
        }
    }
    (kept, position)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ErrorKind};
    use crate::paginate::PageToken;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 00:00:00 UTC);

    fn day(n: i64) -> Window {
        Window {
            start: T0 + Duration::days(n),
            end: T0 + Duration::days(n + 1),
        }
    }

    /// A vendor: each window holds one record per hour (its join time, Unix seconds) plus one
    /// on its inclusive end edge (the next window's first second), three records a page; page
    /// `fail_at` of the first window read fails once.
    fn window_stream(
        w: Window,
        cursor: Option<Cursor>,
        fail_at: Option<usize>,
    ) -> BoxStream<'static, Result<Resumable<i64>>> {
        let mut all: Vec<i64> = (0..24)
            .map(|h| (w.start + Duration::hours(h)).unix_timestamp())
            .collect();
        all.push(w.end.unix_timestamp());
        let pages: Vec<Vec<i64>> = all.chunks(3).map(<[i64]>::to_vec).collect();
        let start = match cursor.as_ref().map(|c| &c.token) {
            Some(PageToken::Page(n)) => *n as usize,
            _ => 0,
        };
        let n = pages.len();
        let mut out = Vec::new();
        for (i, items) in pages.into_iter().enumerate().skip(start) {
            if fail_at == Some(i) {
                out.push(Err(Error::new(ErrorKind::Transport, "cut")));
                break;
            }
            let more = i + 1 < n;
            let mut page = Page::new(items, more, more.then(|| PageToken::Page(i as u32 + 1)));
            page.resume = more.then(|| Cursor {
                token: PageToken::Page(i as u32 + 1),
                page_size: 3,
                fingerprint: format!("{}", w.start.unix_timestamp()),
                received: 0,
                total: None,
            });
            out.push(Ok(page));
        }
        positioned_pages(stream::iter(out), move |c| window_position(w, c))
    }

    fn at(t: &i64) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(*t).ok()
    }

    async fn run(
        from: WindowsFrom,
        fail_at: Option<usize>,
    ) -> (Vec<i64>, Option<ExportPosition>, bool) {
        let mut failed_once = fail_at;
        let mut s = resumable_windows(
            from,
            WindowOptions::default(),
            None,
            move |w, c, _keys| window_stream(w, c, failed_once.take()),
            at,
            |t: &i64| *t,
        );
        let (mut got, mut last, mut failed) = (Vec::new(), None, false);
        while let Some(item) = s.next().await {
            match item {
                Ok(Resumable::Record(r)) => got.push(r),
                Ok(Resumable::Position(p)) => last = Some(p),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        (got, last, failed)
    }

    #[tokio::test]
    async fn edge_duplicates_are_dropped_and_nothing_else() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let windows = crate::split_windows(T0, T0 + Duration::days(62), crate::MAX_WINDOW).unwrap();
        let edge = windows[1].start;
        let sent = vec![
            ("a", T0 + Duration::HOUR),
            ("b", edge),
            ("b", edge), // the same session reported by both windows
            ("c", edge),
            ("a", T0 + Duration::HOUR), // far from an edge: a real second session, kept
        ];
        let keyed = Arc::new(AtomicUsize::new(0));
        let k = keyed.clone();
        let out: Vec<(String, i64)> = records(dedup_edges(
            stream::iter(
                sent.into_iter()
                    .map(|(n, t)| Ok(Resumable::Record((n.to_string(), t.unix_timestamp())))),
            ),
            vec![edge],
            vec![serde_json::json!(["c", edge.unix_timestamp()])],
            |r: &(String, i64)| OffsetDateTime::from_unix_timestamp(r.1).ok(),
            move |r: &(String, i64)| {
                k.fetch_add(1, Ordering::SeqCst);
                r.clone()
            },
        ))
        .map(|r| r.unwrap())
        .collect()
        .await;
        let names: Vec<&str> = out.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            names,
            vec!["a", "b", "a"],
            "c was delivered before the resume"
        );
        assert_eq!(
            keyed.load(Ordering::SeqCst),
            3,
            "keys only for the three edge records"
        );
    }

    #[tokio::test]
    async fn a_resumed_export_delivers_exactly_the_rest() {
        let windows = vec![day(0), day(1), day(2)];
        let (whole, _, failed) = run(WindowsFrom::planned(windows.clone()), None).await;
        assert!(!failed);
        assert_eq!(whole.len(), 3 * 24 + 1, "edge records once");

        // Fail in the second window, keep what was delivered up to the last position, resume.
        for fail_at in [0, 1, 4, 8] {
            let mut delivered = Vec::new();
            let s = resumable_windows(
                WindowsFrom::planned(windows.clone()),
                WindowOptions::default(),
                None,
                {
                    let mut n = 0;
                    move |w, c, _k: &[Value]| {
                        n += 1;
                        window_stream(w, c, (n == 2).then_some(fail_at))
                    }
                },
                at,
                |t: &i64| *t,
            );
            let (kept, position) = kept_until_failure(s).await;
            delivered.extend(kept);
            let position = position.expect("a position before the failure");
            let json = serde_json::to_string(&position).unwrap();
            let position: ExportPosition = serde_json::from_str(&json).unwrap();
            let crate::plan::Start::Windows(from) = crate::plan::Start::resumed(&position) else {
                panic!("windows remain")
            };
            let (rest, last, failed) = run(from, None).await;
            assert!(!failed);
            assert!(last.unwrap().is_done());
            delivered.extend(rest);
            assert_eq!(delivered, whole, "fail at page {fail_at} of window 2");
        }
    }
}
