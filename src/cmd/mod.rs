//! The commands: one module per `pnyx` subcommand, each thin — settled options in, a call
//! into the library, what to print out. `main.rs` only dispatches to their `run`.
//!
//! Output conventions: what a script reads (a path written, a table) goes to stdout; what a
//! person reads (what was done, what to do next) to stderr.

pub mod build;
pub mod check;
pub mod draw;
pub mod key_id;
pub mod moderate;
pub mod new;
pub mod newsletter;
pub mod serve;
pub mod sign;
pub mod tally;

use crate::pipeline::BuildError;

/// Why a command did not succeed, which picks the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Problems in the site's content, printed as they are (exit code 1).
    Content(String),
    /// A mistake the user can fix (a wrong name, a missing key), with what to do next (1).
    Mistake(anyhow::Error),
    /// The command could not run (2).
    Other(anyhow::Error),
}

impl Failure {
    /// The process's exit code: 1 for the site's or the user's problems, 2 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Content(_) | Failure::Mistake(_) => 1,
            Failure::Other(_) => 2,
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        if crate::error::is_mistake(&e) {
            Failure::Mistake(e)
        } else {
            Failure::Other(e)
        }
    }
}

impl From<BuildError> for Failure {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Content(d) => Failure::Content(d.to_string()),
            BuildError::Other(e) => Failure::Other(e),
        }
    }
}

/// What every command returns.
pub type Outcome = Result<(), Failure>;
