//! The test modules, one per area, and the fixtures they share.

mod build;
mod errors;
mod fixture;
mod links;
mod new;
mod sanitize;
mod serve;
mod signing;
mod theme;
mod verification;
