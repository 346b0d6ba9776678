//! Markdown rendering and sanitising: whatever a contribution says, no live code reaches a
//! page. The property reads the output's tags, not its text: words like `onerror=` or
//! `javascript:` in a sentence are escaped text, and harmless.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Elements that run code or hide markup, never allowed in what a contribution renders to.
const FORBIDDEN: [&str; 7] = ["script", "svg", "math", "iframe", "object", "embed", "style"];

/// The inside of every tag of `html` (between `<` and its `>`, quotes respected). In
/// sanitised output a `<` that is text is written `&lt;`, so each `<` opens a tag.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = html.chars();
    while let Some(c) = chars.next() {
        if c != '<' {
            continue;
        }
        let mut tag = String::new();
        let mut quote = None;
        for c in chars.by_ref() {
            match (quote, c) {
                (None, '>') => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            tag.push(c);
        }
        out.push(tag);
    }
    out
}

/// A tag's name and its attributes' names and values, lower-cased.
fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let tag = tag.to_ascii_lowercase();
    let mut rest = tag.trim_start_matches('/').chars().peekable();
    let name: String = rest.by_ref().take_while(|c| !c.is_whitespace() && *c != '/').collect();
    let mut attributes = Vec::new();
    loop {
        while rest.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
            rest.next();
        }
        let attr: String = std::iter::from_fn(|| rest.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if attr.is_empty() {
            break;
        }
        let mut value = String::new();
        if rest.next_if_eq(&'=').is_some() {
            match rest.peek().copied() {
                Some(q @ ('"' | '\'')) => {
                    rest.next();
                    value = std::iter::from_fn(|| rest.next_if(|c| *c != q)).collect();
                    rest.next();
                }
                _ => value = std::iter::from_fn(|| rest.next_if(|c| !c.is_whitespace())).collect(),
            }
        }
        attributes.push((attr, value));
    }
    (name, attributes)
}

fuzz_target!(|text: &str| {
    let rendered = pnyx::markdown::render(text, "/debates/d/");
    for html in [rendered.html.as_str(), &pnyx::markdown::sanitize(text)] {
        for tag in tags(html) {
            let (name, attributes) = parse_tag(&tag);
            assert!(!FORBIDDEN.contains(&name.as_str()), "<{tag}> in {html}");
            for (attr, value) in attributes {
                assert!(!attr.starts_with("on"), "event handler <{tag}> in {html}");
                let decoded = value.replace("&#x3a;", ":").replace("&colon;", ":");
                let squeezed: String = decoded.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
                assert!(!squeezed.starts_with("javascript:"), "<{tag}> in {html}");
            }
        }
    }
    let _ = pnyx::markdown::shorten(text, 40);
});
