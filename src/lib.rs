//! pnyx: a civic-participation platform built as a static-site generator with git-based
//! moderation. The pipeline is load → verify → tally → render → write; see `build`.

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod dates;
pub mod decide;
pub mod error;
pub mod gate;
pub mod history;
pub mod limits;
pub mod load;
pub mod markdown;
pub mod moderate;
pub mod moderation;
pub mod new;
pub mod render;
pub mod roles;
pub mod serve;
pub mod sign;
pub mod signatures;
pub mod slug;
pub mod sortition;
pub mod summary;
pub mod tally;
pub mod theme;
pub mod timing;
pub mod trust;
pub mod verify;
pub mod write;
