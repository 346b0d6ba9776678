//! `pnyx build`: the whole pipeline, then the output folder replaced atomically.

use std::path::{Path, PathBuf};

use crate::pipeline::{self, BuildOptions};

use super::Outcome;

/// Builds the site at `root` into `out` (default `ROOT/public`) and says what was written.
pub fn run(root: &Path, out: Option<PathBuf>) -> Outcome {
    let mut opts = BuildOptions::new(root);
    if let Some(out) = out {
        opts.out = out;
    }
    let report = pipeline::build(&opts)?;
    eprintln!(
        "built {} pages ({} files) in {} ms → {}",
        report.pages,
        report.files,
        report.elapsed.as_millis(),
        opts.out.display()
    );
    Ok(())
}
