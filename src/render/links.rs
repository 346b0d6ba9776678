//! Internal links must never break: after rendering, every site link of every page is
//! resolved against the output. A broken link written in content is reported at its line in
//! the markdown file; one made by a template is reported at the template.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::content::Content;
use crate::error::Diagnostic;

use rayon::prelude::*;

use super::Output;

/// The values of `href="…"` and `src="…"` attributes in `html`.
pub fn attribute_urls(html: &str) -> Vec<&str> {
    use std::sync::LazyLock;
    // A city's pages hold millions of links: the attributes are found with SIMD searchers.
    static FINDERS: LazyLock<[memchr::memmem::Finder<'static>; 2]> = LazyLock::new(|| {
        [
            memchr::memmem::Finder::new("href=\""),
            memchr::memmem::Finder::new("src=\""),
        ]
    });
    let mut urls = Vec::new();
    for finder in FINDERS.iter() {
        let len = finder.needle().len();
        let mut rest = html;
        while let Some(i) = finder.find(rest.as_bytes()) {
            // Only a real attribute: preceded by whitespace, not `data-href="`.
            let ok = rest[..i].ends_with(|c: char| c.is_ascii_whitespace());
            rest = &rest[i + len..];
            let Some(end) = memchr::memchr(b'"', rest.as_bytes()) else {
                break;
            };
            if ok {
                urls.push(&rest[..end]);
            }
            rest = &rest[end..];
        }
    }
    urls
}

/// Decodes the character references found in attribute values.
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The `id="…"` values of a page.
fn ids(html: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            out.insert(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// The file a site URL designates among `files` (the output's, by path), if it exists: `/x/` →
/// `x/index.html`.
fn target<'o>(files: &HashMap<&'o str, &'o [u8]>, base_path: &str, url: &str) -> Option<(&'o str, &'o [u8])> {
    let path = url.strip_prefix(base_path)?;
    let path = path.split(['?', '#']).next().unwrap_or("");
    let get = |c: &str| files.get_key_value(c).map(|(k, v)| (*k, *v));
    if path.is_empty() || path.ends_with('/') {
        get(&format!("{path}index.html"))
    } else {
        get(path).or_else(|| get(&format!("{path}/index.html")))
    }
}

/// Checks every internal link of every HTML page, reporting each broken one once per place.
/// The pages are read on all cores.
pub fn check(output: &Output, base_path: &str, content: &Content) -> Vec<Diagnostic> {
    let pages: Vec<(&str, &[u8])> = output
        .files
        .iter()
        .filter(|(page, _)| page.ends_with(".html") && *page != "404.html")
        .map(|(page, bytes)| (page.as_str(), bytes.as_slice()))
        .collect();
    let files: HashMap<&str, &[u8]> = output
        .files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect();
    let found = pages
        .par_iter()
        .fold(
            || (Seen::default(), Vec::new()),
            |(mut seen, mut broken), &(page, bytes)| {
                broken_links(&files, base_path, page, bytes, &mut seen, &mut broken);
                (seen, broken)
            },
        )
        .map(|(_, broken)| broken)
        .collect::<Vec<_>>();
    let mut broken: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (url, page) in found.into_iter().flatten() {
        broken.entry(url).or_default().insert(page);
    }
    let bodies = content.bodies();
    let mut diags = Vec::new();
    for (url, pages) in broken {
        // The link as written in markdown: without the base path, with a leading slash.
        let written = match url.strip_prefix(base_path) {
            Some(rest) if !url.starts_with('#') => format!("/{rest}"),
            _ => url.clone(),
        };
        let mut placed = false;
        for body in &bodies {
            for (n, line) in body.text.lines().enumerate() {
                if let Some(col) = line.find(&format!("({written}")).map(|c| c + 2) {
                    placed = true;
                    diags.push(
                        Diagnostic::new(body.path, body.first_line + n, col, format!("broken link `{written}`: no such page on the site"))
                            .hint("link to an existing page, e.g. `/initiatives/<slug>/`; check the slug in content/"),
                    );
                }
            }
        }
        if !placed {
            let on: Vec<&str> = pages.iter().take(3).copied().collect();
            diags.push(
                Diagnostic::new(
                    Path::new("themes/default/templates"),
                    1,
                    1,
                    format!("broken link `{url}` on {}", on.join(", ")),
                )
                .hint("a template builds this link; check it against docs/theming.md"),
            );
        }
    }
    diags
}

/// What one core learnt of the output while checking its pages: the ids of the pages already
/// looked into, and the links already found to lead somewhere (a city's pages link the same
/// members and items thousands of times).
#[derive(Default)]
struct Seen<'o> {
    ids: BTreeMap<&'o str, BTreeSet<&'o str>>,
    good: std::collections::HashSet<&'o str>,
}

/// Adds to `broken` each internal link of `page` (whose HTML is `bytes`) that leads nowhere:
/// to none of the output's `files`, or to no element of the `id` it names.
fn broken_links<'o>(
    files: &HashMap<&'o str, &'o [u8]>,
    base_path: &str,
    page: &'o str,
    bytes: &'o [u8],
    seen: &mut Seen<'o>,
    broken: &mut Vec<(String, &'o str)>,
) {
    let html = std::str::from_utf8(bytes).unwrap_or("");
    for raw in attribute_urls(html) {
        if seen.good.contains(raw) {
            continue;
        }
        // Tera escapes `/` as `&#x2F;` in attributes; browsers decode it, so do we.
        let url = decode_entities(raw);
        let internal = url.starts_with(base_path) && !url.starts_with("//");
        let same_page = url.starts_with('#');
        if !internal && !same_page {
            continue;
        }
        let found = if same_page {
            Some((page, bytes))
        } else {
            target(files, base_path, &url)
        };
        let ok = match found {
            None => false,
            Some((key, target_bytes)) => match url.split_once('#') {
                Some((_, frag)) if !frag.is_empty() && key.ends_with(".html") => seen
                    .ids
                    .entry(key)
                    .or_insert_with(|| ids(std::str::from_utf8(target_bytes).unwrap_or("")))
                    .contains(frag),
                _ => true,
            },
        };
        match ok {
            // What a link to the same page finds depends on the page.
            true if !same_page => {
                seen.good.insert(raw);
            }
            true => {}
            false => broken.push((url.into_owned(), page)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attributes_and_resolves_targets() {
        assert_eq!(decode_entities("&#x2F;a&#x2F;?x=1&amp;y=2&#47;"), "/a/?x=1&y=2/");
        let html = r#"<a href="/a/">x</a> <img src="/i.png"> <a data-href="/no/">"#;
        assert_eq!(attribute_urls(html), vec!["/a/", "/i.png"]);
        let files = HashMap::from([("a/index.html", &b"<h2 id=\"s\">"[..])]);
        assert!(target(&files, "/", "/a/").is_some());
        assert!(target(&files, "/", "/a").is_some());
        assert!(target(&files, "/", "/b/").is_none());
    }

    #[test]
    fn reports_a_broken_content_link_at_its_line() {
        let mut o = Output::default();
        o.files.insert(
            "a/index.html".into(),
            br#"<h2 id="s"></h2><a href="/b/">b</a><a href="/a/#s">ok</a><a href="/a/#t">no</a>"#.to_vec(),
        );
        let mut c = Content::default();
        let item = crate::content::Item::<crate::content::Page>::parse(
            Path::new("content/pages/a.md"),
            "---\ntitle: A\n---\nIntro\n\nVoir [b](/b/) et [t](/a/#t).\n",
        )
        .unwrap();
        c.pages.insert("a".into(), item);
        let d = check(&o, "/", &c);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].location(), "content/pages/a.md:6:22");
        assert_eq!(d[1].location(), "content/pages/a.md:6:10");
    }

    /// Each core remembers the links it found good, to check a city's millions of links once:
    /// a fragment of the page itself is not one of them, and a broken link is named on every page.
    #[test]
    fn a_link_found_good_on_one_page_is_judged_again_where_it_depends_on_the_page() {
        let pages = [
            (
                "a/index.html",
                r##"<h2 id="s"></h2><a href="#s">s</a><a href="/b/">b</a><a href="/x/">x</a>"##,
            ),
            (
                "b/index.html",
                r##"<a href="#s">s</a><a href="/b/">b</a><a href="/x/">x</a>"##,
            ),
        ];
        let files: HashMap<&str, &[u8]> = pages.iter().map(|(p, h)| (*p, h.as_bytes())).collect();
        // One core, as `check` gives each its share of the pages: page a, then page b.
        let (mut seen, mut broken) = (Seen::default(), Vec::new());
        for (page, html) in pages {
            broken_links(&files, "/", page, html.as_bytes(), &mut seen, &mut broken);
        }
        let expected = [
            ("/x/", "a/index.html"),
            ("#s", "b/index.html"),
            ("/x/", "b/index.html"),
        ];
        let broken: Vec<(&str, &str)> = broken.iter().map(|(u, p)| (u.as_str(), *p)).collect();
        assert_eq!(broken, expected);
        assert!(seen.good.contains("/b/"));
    }
}
