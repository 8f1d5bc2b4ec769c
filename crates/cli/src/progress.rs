//! The progress bar on stderr: records, pages, rate and elapsed time, shown only while stderr
//! is a terminal and `--quiet` is not given.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use roster_core::{CallStats, PageObserver, Vendor};

/// Counts pages and records, and draws them when visible.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    pages: Arc<AtomicU64>,
    /// Windows done (high 32 bits) and in all (low 32 bits); 0 before any window finished.
    windows: Arc<AtomicU64>,
    quiet: bool,
}

impl Progress {
    /// A bar on stderr, or a hidden one when `quiet` or stderr is not a terminal.
    pub fn new(label: &str, quiet: bool) -> Self {
        let visible = !quiet && std::io::stderr().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        let style = ProgressStyle::with_template(
            "{spinner} {prefix} {human_pos} records · {msg} · {per_sec} · {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        bar.set_message("0 pages");
        if visible {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Self {
            bar,
            pages: Arc::new(AtomicU64::new(0)),
            windows: Arc::new(AtomicU64::new(0)),
            quiet,
        }
    }

    /// "12 pages" or "12 pages · window 2/5".
    fn message(&self, pages: u64) -> String {
        let windows = self.windows.load(Ordering::Relaxed);
        match (windows >> 32, windows & 0xffff_ffff) {
            (_, 0) => format!("{pages} pages"),
            (done, total) => format!("{pages} pages · window {done}/{total}"),
        }
    }

    /// Windows done and in all, once a window finished.
    pub fn windows(&self) -> Option<(u64, u64)> {
        let windows = self.windows.load(Ordering::Relaxed);
        (windows != 0).then_some((windows >> 32, windows & 0xffff_ffff))
    }

    /// Pages seen so far.
    pub fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }

    /// Records seen so far.
    pub fn records(&self) -> u64 {
        self.bar.position()
    }

    /// The observer to hand to a query.
    pub fn observer(&self) -> Arc<dyn PageObserver> {
        Arc::new(self.clone())
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl PageObserver for Progress {
    fn on_page(&self, items: usize, _total_hint: Option<u64>) {
        let pages = self.pages.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.inc(items as u64);
        self.bar.set_message(self.message(pages));
    }

    /// Windowed exports also show windows done: a long range reads as progress, not a hang.
    fn on_window(&self, done: usize, total: usize) {
        self.windows
            .store(((done as u64) << 32) | total as u64, Ordering::Relaxed);
        self.bar.set_message(self.message(self.pages()));
    }

    /// Decisions the client made for the query go to stderr (above the bar), unless `--quiet`.
    fn on_note(&self, note: &str) {
        if self.quiet {
            return;
        }
        let line = format!("roster: note: {note}");
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }
}

/// The bars of `roster sync`: one line per vendor, drawn together on stderr while it is a
/// terminal and `--quiet` is not given.
#[derive(Clone)]
pub struct SyncBars {
    multi: MultiProgress,
    visible: bool,
}

impl SyncBars {
    /// Bars on stderr, or hidden ones.
    pub fn new(quiet: bool) -> Self {
        let visible = !quiet && std::io::stderr().is_terminal();
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
            visible,
        }
    }

    /// The line of one vendor, which watches `stats` (its client's calls and waits).
    pub fn vendor(&self, vendor: Vendor, stats: Arc<CallStats>) -> SyncProgress {
        let bar = self.multi.add(ProgressBar::no_length());
        let style = ProgressStyle::with_template(
            "{spinner} {prefix:16} {pos}/{len} meetings · {msg} · {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(vendor.to_string());
        bar.set_message("finding meetings");
        if self.visible {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        SyncProgress {
            bar,
            visible: self.visible,
            stats,
            sessions: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// One vendor's sync: meetings done of found, sessions written, the client's call rate and
/// its waits for the vendor's rate limits. Also the page observer of each meeting's export, so
/// the session count moves within a large meeting.
#[derive(Clone)]
pub struct SyncProgress {
    bar: ProgressBar,
    visible: bool,
    stats: Arc<CallStats>,
    sessions: Arc<AtomicU64>,
}

/// "1200 sessions · 85 calls/min · 2 rate-limit waits".
fn sync_message(sessions: u64, calls: u64, waits: u64, elapsed: Duration) -> String {
    let minutes = elapsed.as_secs_f64() / 60.0;
    let rate = if minutes > 0.0 {
        (calls as f64 / minutes).round() as u64
    } else {
        0
    };
    let waits = match waits {
        0 => String::new(),
        1 => " · 1 rate-limit wait".into(),
        n => format!(" · {n} rate-limit waits"),
    };
    format!("{sessions} sessions · {rate} calls/min{waits}")
}

impl SyncProgress {
    /// The meetings to sync are known.
    pub fn found(&self, meetings: u64) {
        self.bar.set_length(meetings);
        self.refresh();
    }

    /// One meeting is done (written or failed).
    pub fn meeting_done(&self) {
        self.bar.inc(1);
        self.refresh();
    }

    /// Sessions counted so far.
    pub fn sessions(&self) -> u64 {
        self.sessions.load(Ordering::Relaxed)
    }

    /// Meetings done so far.
    pub fn meetings_done(&self) -> u64 {
        self.bar.position()
    }

    /// The message now.
    fn message(&self) -> String {
        sync_message(
            self.sessions(),
            self.stats.calls(),
            self.stats.rate_limit_waits(),
            self.bar.elapsed(),
        )
    }

    fn refresh(&self) {
        if self.visible {
            self.bar.set_message(self.message());
        }
    }

    /// A line for stderr, printed above the bars while they are drawn.
    pub fn println(&self, line: impl AsRef<str>) {
        if self.visible {
            self.bar.println(line.as_ref());
        } else {
            eprintln!("{}", line.as_ref());
        }
    }

    /// The observer of one meeting's export.
    pub fn observer(&self) -> Arc<dyn PageObserver> {
        Arc::new(self.clone())
    }

    /// Removes the line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl PageObserver for SyncProgress {
    fn on_page(&self, items: usize, _total_hint: Option<u64>) {
        self.sessions.fetch_add(items as u64, Ordering::Relaxed);
        self.refresh();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_lines_count_meetings_sessions_calls_and_waits() {
        assert_eq!(
            sync_message(1200, 170, 0, Duration::from_secs(120)),
            "1200 sessions · 85 calls/min"
        );
        assert_eq!(
            sync_message(0, 0, 1, Duration::ZERO),
            "0 sessions · 0 calls/min · 1 rate-limit wait"
        );
        assert_eq!(
            sync_message(5, 30, 3, Duration::from_secs(30)),
            "5 sessions · 60 calls/min · 3 rate-limit waits"
        );
        let stats = Arc::new(CallStats::default());
        let p = SyncBars::new(true).vendor(Vendor::WeCom, stats.clone());
        p.found(3);
        p.observer().on_page(100, None);
        p.observer().on_page(20, Some(120));
        p.meeting_done();
        stats.count_call();
        assert_eq!((p.meetings_done(), p.sessions()), (1, 120));
        assert!(
            p.message().starts_with("120 sessions · "),
            "{}",
            p.message()
        );
        p.finish();
    }

    #[test]
    fn counts_pages_and_records_even_when_hidden() {
        let p = Progress::new("x", true);
        let o = p.observer();
        o.on_page(100, None);
        o.on_page(7, Some(107));
        assert_eq!(p.pages(), 2);
        assert_eq!(p.records(), 107);
        p.finish();
    }

    #[test]
    fn windows_done_show_beside_pages() {
        let p = Progress::new("attendees", true);
        p.on_page(100, None);
        assert_eq!(p.message(p.pages()), "1 pages");
        assert_eq!(p.windows(), None);
        p.on_window(2, 5);
        assert_eq!(p.message(p.pages()), "1 pages · window 2/5");
        assert_eq!(p.windows(), Some((2, 5)));
        assert_eq!(p.records(), 100);
    }
}
