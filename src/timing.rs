//! Stage timings on standard error when `PNYX_TIMINGS` is set: how the benchmarks in
//! docs/benchmarks.md see where a build spends its time.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PNYX_TIMINGS").is_some())
}

/// Prints the time since the previous [`Clock::lap`] with its label.
pub struct Clock(Instant);

impl Clock {
    /// Starts a clock.
    pub fn start() -> Clock {
        Clock(Instant::now())
    }

    /// Prints `label` and the time since the last lap, and starts the next one.
    pub fn lap(&mut self, label: &str) {
        if enabled() {
            eprintln!(
                "timing: {label:<24} {:>8.1} ms{}",
                self.0.elapsed().as_secs_f64() * 1e3,
                resident().map_or(String::new(), |mib| format!("  ({mib} MiB resident)"))
            );
        }
        self.0 = Instant::now();
    }
}

/// Prints `timing: TEXT` (what a stage found, such as the cache's hits) when timings are on.
pub fn note(text: &str) {
    if enabled() {
        eprintln!("timing: {text}");
    }
}

/// The process's resident memory in MiB, where the system says it (Linux's `VmRSS`, in kB
/// whatever the page size): what each stage leaves held, for the memory figures of
/// docs/benchmarks.md.
fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib / 1024)
}
