//! What a run tells the operator while it goes: an [`Observer`].
//!
//! The binary's [`Console`] writes plain lines to stderr, and for backfills an indicatif bar
//! (rows, rate, ETA) when stderr is a terminal, or a plain progress line at most once a second
//! otherwise (CI logs). stdout stays free for machine-readable output.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_core::plan::{Step, TransactionMode};

/// Receives a run's events.
pub(crate) trait Observer {
    /// A free-form line (a resume, a reconnection, Django's output).
    fn note(&mut self, line: &str);
    /// A step begins (`resumed`: the journal had it started).
    fn step_start(&mut self, step: &Step, position: usize, total: usize, resumed: bool);
    /// A step is not run (done before, or Django applied its migration).
    fn step_skipped(&mut self, step: &Step, position: usize, total: usize, why: &str);
    /// An attempt failed on a lock timeout; `wait` before the next (zero: no next).
    fn attempt_failed(&mut self, step: &Step, attempt: u32, max: u32, error: &str, wait: Duration);
    /// A backfill starts: rows in total when known, rows already done (resumed).
    fn backfill_start(&mut self, step: &Step, total: Option<u64>, done: u64);
    /// A batch committed: rows done so far, the batch size used.
    fn backfill_rows(&mut self, step: &Step, done: u64, batch_size: u32);
    /// The backfill is complete.
    fn backfill_done(&mut self, step: &Step, done: u64);
    /// A step finished.
    fn step_done(&mut self, step: &Step, how: &str, elapsed_ms: i64);
}

/// Says nothing (for work whose attempts need no narration).
pub(crate) struct Silent;

impl Observer for Silent {
    fn note(&mut self, _: &str) {}
    fn step_start(&mut self, _: &Step, _: usize, _: usize, _: bool) {}
    fn step_skipped(&mut self, _: &Step, _: usize, _: usize, _: &str) {}
    fn attempt_failed(&mut self, _: &Step, _: u32, _: u32, _: &str, _: Duration) {}
    fn backfill_start(&mut self, _: &Step, _: Option<u64>, _: u64) {}
    fn backfill_rows(&mut self, _: &Step, _: u64, _: u32) {}
    fn backfill_done(&mut self, _: &Step, _: u64) {}
    fn step_done(&mut self, _: &Step, _: &str, _: i64) {}
}

/// Lines on stderr, a progress bar on a terminal.
pub(crate) struct Console {
    terminal: bool,
    bar: Option<ProgressBar>,
    backfill: Option<BackfillLine>,
}

/// Plain progress of a backfill when stderr is not a terminal.
struct BackfillLine {
    started: Instant,
    start_rows: u64,
    total: Option<u64>,
    last_print: Instant,
}

impl Console {
    pub(crate) fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            bar: None,
            backfill: None,
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => {
                #[allow(clippy::print_stderr, reason = "the console reporter's output")]
                {
                    eprintln!("{text}");
                }
            }
        }
    }
}

impl Observer for Console {
    fn note(&mut self, line: &str) {
        self.line(line);
    }

    fn step_start(&mut self, step: &Step, position: usize, total: usize, resumed: bool) {
        let mode = match step.transaction {
            TransactionMode::Transaction => "transaction",
            TransactionMode::Autocommit => "autocommit",
        };
        self.line(&format!(
            "[{}/{total}] {} ({}, {mode}, lock_timeout {} ms){}",
            position + 1,
            step.id,
            super::kind_name(step.kind),
            step.lock_timeout_ms,
            if resumed { ", resuming" } else { "" }
        ));
    }

    fn step_skipped(&mut self, step: &Step, position: usize, total: usize, why: &str) {
        self.line(&format!("[{}/{total}] {}: {why}", position + 1, step.id));
    }

    fn attempt_failed(&mut self, step: &Step, attempt: u32, max: u32, error: &str, wait: Duration) {
        let next = if wait.is_zero() {
            "giving up".to_owned()
        } else {
            format!("retrying in {} ms", wait.as_millis())
        };
        self.line(&format!(
            "  step `{}`: attempt {attempt}/{max} hit the lock timeout ({error}); {next}",
            step.id
        ));
    }

    fn backfill_start(&mut self, step: &Step, total: Option<u64>, done: u64) {
        if self.terminal {
            let bar = total.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
            bar.set_draw_target(ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "  {msg} [{bar:30}] {human_pos}/{human_len} rows, {per_sec}, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(step.id.clone());
            bar.set_position(done);
            bar.reset_eta();
            self.bar = Some(bar);
        } else {
            let now = Instant::now();
            self.backfill = Some(BackfillLine {
                started: now,
                start_rows: done,
                total,
                last_print: now,
            });
            self.line(&format!(
                "  backfill: {} rows to update{}",
                total.map_or_else(|| "an unknown number of".to_owned(), |t| t.to_string()),
                if done > 0 {
                    format!(", {done} done before")
                } else {
                    String::new()
                }
            ));
        }
    }

    fn backfill_rows(&mut self, _: &Step, done: u64, batch_size: u32) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            return;
        }
        let Some(progress) = &mut self.backfill else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(progress.last_print) < Duration::from_secs(1) {
            return;
        }
        progress.last_print = now;
        let line = progress_line(progress, done, batch_size, now);
        self.line(&line);
    }

    fn backfill_done(&mut self, _: &Step, done: u64) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if let Some(progress) = self.backfill.take() {
            let secs = progress.started.elapsed().as_secs_f64();
            self.line(&format!("  backfill: {done} rows in {secs:.1} s"));
        }
    }

    fn step_done(&mut self, step: &Step, how: &str, elapsed_ms: i64) {
        self.line(&format!("  {} {how} in {elapsed_ms} ms", step.id));
    }
}

fn progress_line(progress: &BackfillLine, done: u64, batch_size: u32, now: Instant) -> String {
    let secs = now
        .duration_since(progress.started)
        .as_secs_f64()
        .max(0.001);
    let rows = done.saturating_sub(progress.start_rows);
    #[allow(clippy::cast_precision_loss, reason = "a rate for people")]
    let rate = rows as f64 / secs;
    let total = progress.total.map_or_else(String::new, |t| format!("/{t}"));
    let eta = match progress.total {
        #[allow(clippy::cast_precision_loss, reason = "an estimate for people")]
        Some(t) if rate > 0.0 => format!(", ETA {:.0} s", t.saturating_sub(done) as f64 / rate),
        _ => String::new(),
    };
    format!("  backfill: {done}{total} rows, {rate:.0} rows/s{eta}, batch size {batch_size}")
}
