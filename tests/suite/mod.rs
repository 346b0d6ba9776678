//! The test modules, one per area, and the fixtures they share.

mod budget_reference;
mod build;
mod decisions;
mod errors;
mod fixture;
mod gate;
mod hardening;
mod hardening_content;
mod hardening_errors;
mod hardening_limits;
mod hardening_names;
mod history;
mod integrity_cache;
mod integrity_dates;
mod integrity_statements;
mod links;
mod moderation;
mod new;
mod repo;
mod sanitize;
mod serve;
mod signing;
mod sortition;
mod sortition_reference;
mod theme;
mod verification;
