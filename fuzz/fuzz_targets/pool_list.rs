//! The sortition pool-list parser: a list is read whole or refused with errors at their line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(problems) = pnyx::content::pool::parse_list(Path::new("content/sortitions/l.yaml"), text) {
        assert!(!problems.is_empty());
        assert!(problems.iter().all(|d| d.line >= 1 && d.column >= 1));
    }
    let _ = pnyx::content::pool::safe_path(text);
});
