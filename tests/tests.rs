//! Integration tests of the `pnyx` binary: every test runs the real executable on a
//! temporary site (or on the demo site at the repository root) and checks what a user sees.

mod suite;
