//! Decisions (SPEC §5): votes counted at build time with quorum and thresholds, and
//! participatory budgets. The counting methods are pure functions over ballots, so that
//! anyone can check them against the published ballots.

pub mod ballot;
pub mod budget;
pub mod count;
pub mod judgment;
pub mod rows;
pub mod schulze;
