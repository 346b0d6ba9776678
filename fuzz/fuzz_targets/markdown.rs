//! Markdown rendering and sanitising: whatever a contribution says, no live code reaches a
//! page.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let rendered = pnyx::markdown::render(text, "/debates/d/");
    for html in [rendered.html.as_str(), &pnyx::markdown::sanitize(text)] {
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{html}");
        // The words `javascript:` in a sentence are text; as a link or attribute value they
        // would run.
        let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
        for quote in ["=\"javascript:", "='javascript:", "=javascript:"] {
            assert!(!squeezed.contains(quote), "{html}");
        }
        assert!(!lower.contains(" onerror="), "{html}");
        assert!(!lower.contains("<svg"), "{html}");
    }
    let _ = pnyx::markdown::shorten(text, 40);
});
