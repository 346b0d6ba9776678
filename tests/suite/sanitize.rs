//! Whatever a contribution or a title contains, no page of the site runs script: raw HTML,
//! event handlers, `javascript:` and `data:` links and frames are removed or escaped, and
//! the harmless text around them is kept.

use super::fixture::{decode_entities, read_tree, Site};

const HOSTILE_BODY: &str = "\
Texte inoffensif 42, avant les pièges.

<script>alert(1)</script>

<img src=x onerror=alert(2)>

[un lien piégé](javascript:alert(3))

<iframe src=\"https://evil.example/\"></iframe>

<a href=\"data:text/html,<script>alert(5)</script>\">données</a>

<svg onload=alert(6)><circle r=\"4\"/></svg>

<p onclick=\"alert(7)\" style=\"background:url(javascript:alert(8))\">Fin du texte inoffensif.</p>
";

/// A site whose debate has a hostile contribution and whose initiative has a hostile title.
fn hostile_site() -> Site {
    let site = Site::minimal();
    site.write(
        "content/initiatives/piege.md",
        "---\ntitle: \"Piège <script>alert(10)</script> dans le titre\"\nkind: project\npole: logement\nauthors: [\"<img src=x onerror=alert(11)>\"]\n---\nCorps de l'initiative.\n",
    )
    .write(
        "content/debates/piege.md",
        "---\ntitle: Un débat piégé\npole: logement\ninitiative: piege\n---\nLa question du débat.\n",
    )
    .write(
        "content/debates/piege/01-mallory.md",
        format!("---\nauthor: Mallory\ndate: 2026-11-02\nposition: against\n---\n{HOSTILE_BODY}"),
    )
    .write(
        "content/debates/piege/02-eve.md",
        "---\nauthor: \"<script>alert(12)</script>Eve\"\ndate: 2026-11-03\nreply_to: 01-mallory\n---\nRéponse tranquille 43.\n",
    );
    site
}

/// Markup that must not appear anywhere in the output. (Escaped text such as
/// `&lt;img onerror=…&gt;` is harmless and is checked tag by tag below instead.)
const FORBIDDEN: &[&str] = &["<script>alert", "javascript:alert", "<iframe", "data:text/html"];

/// Elements that run script or embed other documents. (`svg` is not among them: the theme
/// draws its icons with inline SVG; an `onload` on one is caught as an event handler.)
const FORBIDDEN_TAGS: &[&str] = &["script", "iframe", "object", "embed", "frame", "base"];

/// The tags of `html` as (lower-case name, [(lower-case attribute, decoded value)]).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"<!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        if b[i] != b'<' || !b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        i += 1;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                if let Some(&q) = b.get(i).filter(|q| **q == b'"' || **q == b'\'') {
                    let end = html[i + 1..].find(q as char).map_or(b.len(), |e| i + 1 + e);
                    value = decode_entities(&html[i + 1..end]);
                    i = end + 1;
                } else {
                    let v = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(&html[v..i]);
                }
            }
            attrs.push((attr, value));
        }
        out.push((name, attrs));
    }
    out
}

/// What is dangerous in one page: forbidden markup, elements, event handlers, script URLs.
fn dangers(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found: Vec<String> = FORBIDDEN
        .iter()
        .filter(|bad| lower.contains(*bad))
        .map(|bad| format!("`{bad}`"))
        .collect();
    for (name, attrs) in tags(html) {
        // The theme's own scripts (signing in the page) are modules served from the site's
        // assets, with no inline code; anything else named `script` is not the theme's.
        let theme_script = name == "script"
            && attrs
                .iter()
                .all(|(a, v)| (a == "type" && v == "module") || (a == "src" && v.starts_with("/assets/js/")))
            && attrs.iter().any(|(a, _)| a == "src");
        if FORBIDDEN_TAGS.contains(&name.as_str()) && !theme_script {
            found.push(format!("a <{name}> element"));
        }
        for (attr, value) in attrs {
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if attr.starts_with("on") {
                found.push(format!("<{name} {attr}=…>"));
            }
            let url_attr = matches!(
                attr.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href" | "srcset" | "poster"
            );
            let script_url = ["javascript:", "vbscript:", "data:"]
                .iter()
                .any(|s| v.starts_with(s));
            if (url_attr && script_url) || (attr == "style" && v.contains("javascript:")) {
                found.push(format!("<{name} {attr}=\"{value}\">"));
            }
        }
    }
    found
}

#[test]
fn the_danger_scanner_sees_live_markup_and_not_escaped_text() {
    let live =
        r#"<p>a</p><IMG SRC=x OnError=alert(1)><a href="&#x6A;avascript:alert(2)">x</a><object></object>"#;
    assert_eq!(dangers(live).len(), 3, "{:?}", dangers(live));
    let escaped =
        "<p title=\"&lt;img onerror=x&gt;\">&lt;img src=x onerror=alert(1)&gt;</p><!-- <img onerror=x> -->";
    assert!(dangers(escaped).is_empty(), "{:?}", dangers(escaped));
}

#[test]
fn no_page_carries_script_from_content() {
    let site = hostile_site();
    site.build().assert_ok();
    let files = read_tree(&site.path("public"));
    assert!(files.contains_key("debates/piege/index.html"));
    let mut found = Vec::new();
    // Markup only runs in documents a browser renders as such; the open data (JSON) keeps a
    // contribution's text as written, which is what a reuser must get.
    let rendered = |p: &str| [".html", ".svg", ".xml"].iter().any(|e| p.ends_with(e));
    for (path, bytes) in files.iter().filter(|(p, _)| rendered(p)) {
        for d in dangers(&String::from_utf8_lossy(bytes)) {
            found.push(format!("{path}: {d}"));
        }
    }
    assert!(
        found.is_empty(),
        "hostile markup reached the site:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_harmless_text_of_a_hostile_contribution_is_shown() {
    let site = hostile_site();
    site.build().assert_ok();
    let page = std::fs::read_to_string(site.path("public/debates/piege/index.html")).unwrap();
    for text in [
        "Texte inoffensif 42",
        "un lien piégé",
        "Fin du texte inoffensif.",
        "Réponse tranquille 43.",
        "Mallory",
    ] {
        assert!(page.contains(text), "`{text}` is missing from the debate page");
    }
}

#[test]
fn a_hostile_title_is_shown_as_text() {
    let site = hostile_site();
    site.build().assert_ok();
    let page = std::fs::read_to_string(site.path("public/initiatives/piege/index.html")).unwrap();
    assert!(
        page.contains("Piège &lt;script&gt;alert(10)&lt;&#x2F;script&gt; dans le titre"),
        "the title is not shown escaped"
    );
    let list = std::fs::read_to_string(site.path("public/initiatives/index.html")).unwrap();
    assert!(
        list.contains("Piège &lt;script&gt;"),
        "the title is not in the list, escaped"
    );
}

/// Found by the `markdown` fuzz target (its first property took escaped text for markup): a
/// sentence that says ` onerror=p`, or a tag with a handler, is shown as words, never made live.
#[test]
fn attribute_words_in_a_sentence_stay_harmless_text() {
    for text in [" onerror=p", "avant <b onerror=x> après"] {
        let html = pnyx::markdown::render(text, "/debates/d/").html;
        assert!(dangers(&html).is_empty(), "{text:?} → {html}");
        let sanitized = pnyx::markdown::sanitize(text);
        assert!(dangers(&sanitized).is_empty(), "{text:?} → {sanitized}");
    }
    let html = pnyx::markdown::render(" onerror=p", "/debates/d/").html;
    assert!(
        decode_entities(&html).contains("onerror=p"),
        "the words are kept: {html}"
    );
}

#[test]
fn a_contribution_cannot_file_itself_under_another_kind_or_pole_in_search() {
    // Pagefind reads `data-pagefind-*` attributes: a contribution that carried them could
    // rename its page in the results, file it under another pole, or pull a list page into
    // the index. The sanitiser keeps no such attribute.
    let site = Site::minimal();
    site.write(
        "content/debates/filtre.md",
        "---\ntitle: Un débat\npole: logement\n---\nLa question.\n\n<div data-pagefind-filter=\"pole:Sécurité\" data-pagefind-meta=\"title:Faux titre\" data-pagefind-body>Texte 44.</div>\n\n<span data-pagefind-filter=\"kind:Vote\">Texte 45.</span>\n",
    );
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let page = std::fs::read_to_string(out.path().join("debates/filtre/index.html")).unwrap();
    assert!(
        page.contains("Texte 44.") && page.contains("Texte 45."),
        "the text is gone"
    );
    let attrs: Vec<(String, String)> = tags(&page).into_iter().flat_map(|(_, attrs)| attrs).collect();
    let values = |name: &str| -> Vec<String> {
        attrs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    assert_eq!(
        values("data-pagefind-filter"),
        ["kind:Débat", "pole:Logement", "status:Ouvert"]
    );
    assert_eq!(
        values("data-pagefind-body").len(),
        1,
        "only the theme marks the page"
    );
    assert!(values("data-pagefind-meta").is_empty());
}
