//! Signed statements (SPEC §4): keys, statements, their verification, the web of trust.

pub mod batch;
pub mod cache;
pub mod keys;
pub mod statement;
pub mod verdict;
pub mod verify;
