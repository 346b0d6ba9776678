//! Markdown rendering and sanitising: whatever a contribution says, no live code reaches a
//! page.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let rendered = pnyx::markdown::render(text, "/debates/d/");
    for html in [rendered.html.as_str(), &pnyx::markdown::sanitize(text)] {
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{html}");
        assert!(!lower.contains("javascript:"), "{html}");
        assert!(!lower.contains(" onerror="), "{html}");
        assert!(!lower.contains("<svg"), "{html}");
    }
    let _ = pnyx::markdown::shorten(text, 40);
});
