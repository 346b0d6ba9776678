//! The command line, with clap: each flag's doc comment is its help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// pnyx: a civic-participation platform. Everything the council produces lives in a git
/// repository; pnyx turns it into a website with live tallies that anyone can recompute.
#[derive(Debug, Parser)]
#[command(name = "pnyx", version, about, long_about = None)]
pub struct Cli {
    /// The site's folder (the one with pnyx.yaml).
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the content, then write the site to the output folder (replaced atomically).
    Build {
        /// Output folder [default: ROOT/public].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build in memory, serve on 127.0.0.1, rebuild on every change and reload the open
    /// pages. `public/` is not touched: run `pnyx build` to publish.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 8000)]
        port: u16,
    },
    /// Create a new item from a template: `pnyx new initiative "Gratuité des bus"`.
    New {
        /// poles, groups, initiatives, debates, meetings, minutes, votes, budgets, sortitions, pages.
        kind: String,
        /// The title; the file name is made from it.
        title: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
