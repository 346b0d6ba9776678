//! pnyx: a civic-participation platform built as a static-site generator with git-based
//! moderation. The pipeline is load → verify → tally → render → write; see [`pipeline`], and
//! `docs/architecture.md` for where each part lives.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod dates;
pub mod error;
pub mod home;
pub mod kept_pages;
pub mod limits;
pub mod load;
pub mod markdown;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod sealed;
pub mod search;
pub mod signatures;
pub mod signing;
pub mod slug;
pub mod tally;
pub mod theme;
pub mod timing;
pub mod write;
