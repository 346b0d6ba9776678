//! Sortition (SPEC §6): draws that nobody has to trust whoever runs them. The pool is fixed
//! before the seed can be known, the seed comes from public sources announced in advance and
//! from members' secrets (commit–reveal), and the algorithms are specified so that anyone can
//! recompute the selection from the repository alone (docs/sortition.md).

pub mod algorithm;
pub mod count;
