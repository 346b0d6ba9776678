//! The serve path normaliser: no URL leads out of the site's output.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|url: &str| {
    if let Ok(path) = pnyx::cmd::serve::resolve(url) {
        assert!(!path.starts_with('/'), "{url} → {path}");
        assert!(!path.contains('\\'), "{url} → {path}");
        assert!(
            path.split('/').all(|part| part != ".." && part != "." && !part.contains('\0')),
            "{url} → {path}"
        );
    }
    let _ = pnyx::cmd::serve::content_type(url);
});
