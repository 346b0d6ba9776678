//! What a long build is doing, on a terminal: the stage under way and what the previous one
//! did, on one line of standard error rewritten in place ("verify: 1 003 000 statements,
//! 17 400/s"), cleared once the build is done. Silent when standard error is not a terminal
//! (CI logs, pipes, the tests), when `PNYX_TIMINGS` prints its own lines, or with
//! `PNYX_PROGRESS=0`.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// The progress line of one build.
pub struct Progress {
    on: bool,
    stage: Instant,
    /// The line shown, redrawn after a note.
    line: String,
}

impl Progress {
    /// A progress line, shown only where a person watches.
    pub fn start() -> Progress {
        let wanted = std::env::var_os("PNYX_TIMINGS").is_none()
            && std::env::var("PNYX_PROGRESS").map_or(true, |v| v != "0");
        Progress {
            on: wanted && std::io::stderr().is_terminal(),
            stage: Instant::now(),
            line: String::new(),
        }
    }

    /// Says that `stage` begins, after what the previous stage did (`done`, may be empty).
    pub fn stage(&mut self, done: &str, stage: &str) {
        if self.on {
            let line = if done.is_empty() {
                format!("pnyx: {stage}…")
            } else {
                format!("pnyx: {done} · {stage}…")
            };
            show(&line);
            self.line = line;
        }
        self.stage = Instant::now();
    }

    /// Prints a note on a line of its own, the progress line kept below it.
    pub fn note(&mut self, text: &str) {
        if self.on {
            show("");
            eprintln!("{text}");
            show(&self.line);
        } else {
            eprintln!("{text}");
        }
    }

    /// Seconds since the current stage began.
    pub fn elapsed(&self) -> f64 {
        self.stage.elapsed().as_secs_f64()
    }

    /// Clears the line, before the command prints its result.
    pub fn finish(&mut self) {
        if self.on {
            show("");
            self.on = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Writes `line` over the current one: back to its start, the old text erased.
fn show(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K{line}");
    let _ = err.flush();
}

/// "12 345 statements, 17 400/s": a count and its rate over `seconds`.
pub fn rate(count: usize, what: &str, seconds: f64) -> String {
    let per_second = if seconds > 0.0 {
        (count as f64 / seconds).round() as u64
    } else {
        0
    };
    format!("{} {what}, {}/s", grouped(count as u64), grouped(per_second))
}

/// 1003000 → "1 003 000" (a narrow space is not needed on a terminal).
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_groups_its_digits() {
        assert_eq!(
            rate(1_003_000, "statements", 57.5),
            "1 003 000 statements, 17 443/s"
        );
        assert_eq!(rate(0, "statements", 0.0), "0 statements, 0/s");
    }
}
