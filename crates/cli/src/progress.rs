//! The progress bar on stderr: records, pages, rate and elapsed time, shown only while stderr
//! is a terminal and `--quiet` is not given.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use roster_core::PageObserver;

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

#[cfg(test)]
mod tests {
    use super::*;

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
