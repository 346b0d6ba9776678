//! `pnyx tally`: the tallies on the terminal, as a table or as JSON (`--json`), computed as
//! `pnyx build` computes them (same cache, same reference time).

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::pipeline::BuildError;
use crate::tally::summary::{summarise, text, Summary};

/// Loads, verifies and tallies the site at `root` as `pnyx build` does (same cache, same
/// reference time), and sums it up: `pnyx tally`.
pub fn of_site(root: &Path, now: DateTime<Utc>) -> Result<Summary, BuildError> {
    let site = crate::load::load(root, now)?;
    let verified = crate::pipeline::verify_site(root, &site);
    let tallies = crate::pipeline::tally_site(&site, &verified, now);
    Ok(summarise(&site, &tallies))
}

/// What `pnyx tally` prints: the summary as a table, or as JSON.
pub fn printed(summary: &Summary, json: bool) -> anyhow::Result<String> {
    if json {
        Ok(serde_json::to_string_pretty(summary)? + "\n")
    } else {
        Ok(text(summary))
    }
}

/// `pnyx tally [--json]`: prints the tallies.
pub fn run(root: &Path, json: bool) -> super::Outcome {
    let now = crate::dates::reference_now()?;
    let summary = of_site(root, now)?;
    print!("{}", printed(&summary, json)?);
    Ok(())
}
