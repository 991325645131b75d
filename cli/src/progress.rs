//! Progress of a replay: a bar on a terminal, plain periodic lines on stderr otherwise (a
//! log file or CI keeps readable lines, not carriage returns).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How often the plain lines come when stderr is not a terminal.
const EVERY: Duration = Duration::from_secs(2);

pub struct Reporter {
    label: String,
    bar: ProgressBar,
    plain: bool,
    started: Instant,
    printed: Instant,
}

impl Reporter {
    pub fn new(label: String) -> Reporter {
        let plain = !std::io::stderr().is_terminal();
        // Styled while hidden, shown from the first real count (not a "0/0" frame).
        let bar = ProgressBar::hidden();
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} events, {rate}, ETA {eta}")
            .map(|s| {
                s.progress_chars("=> ").with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} events/s", state.per_sec());
                })
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(label.clone());
        if !plain {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        let now = Instant::now();
        Reporter { label, bar, plain, started: now, printed: now }
    }

    /// Clears the bar, or prints the last plain line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if self.plain {
            let done = self.bar.position();
            eprintln!("{}: {done} events in {:.1}s", self.label, self.started.elapsed().as_secs_f64());
        }
    }
}

impl projections::Progress for Reporter {
    fn replayed(&mut self, done: u64, total: u64) {
        self.bar.set_length(total);
        self.bar.set_position(done);
        if self.plain && self.printed.elapsed() >= EVERY {
            self.printed = Instant::now();
            let elapsed = self.started.elapsed().as_secs_f64().max(0.001);
            let rate = done as f64 / elapsed;
            let eta = if rate > 0.0 { total.saturating_sub(done) as f64 / rate } else { 0.0 };
            eprintln!("{}: {done}/{total} events, {rate:.0} events/s, ETA {eta:.0}s", self.label);
        }
    }
}
