//! No broken internal link: after a build, every `href` and `src` that points into the site
//! resolves to a file of the output, and every `#fragment` to an `id` on the target page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::fixture::{attribute_values, build, copy_tree, demo_root, link_targets, read_tree, Site};

/// The path part of a `base_url`, with a slash at both ends, as pnyx computes it.
fn base_path_of(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

/// `base_url` from a `pnyx.yaml`.
fn base_url_in(config: &str) -> String {
    let line = config
        .lines()
        .find_map(|l| l.strip_prefix("base_url:"))
        .expect("pnyx.yaml has no base_url");
    line.trim().trim_matches(['"', '\'']).to_string()
}

/// `%C3%A9` → `é`.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Removes `.` and `..` segments of an absolute URL path.
fn normalize(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').collect();
    for (i, seg) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        match *seg {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if last {
                    segments.push("");
                }
            }
            s => segments.push(s),
        }
    }
    segments.join("/")
}

/// True for `https:`, `mailto:`, `tel:`… and protocol-relative `//host/` links.
fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// What a link check found.
#[derive(Debug, Default)]
struct Report {
    /// Internal links followed.
    links: usize,
    /// Of which with a fragment.
    fragments: usize,
    /// `page: url (why)`.
    broken: Vec<String>,
}

/// Checks every internal link of every HTML page of `files` (an output tree), published
/// under `base_path`.
fn check_links(files: &BTreeMap<String, Vec<u8>>, base_path: &str) -> Report {
    let html: BTreeMap<&str, String> = files
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(k, v)| (k.as_str(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut report = Report::default();
    for (page, text) in &html {
        // The URL of the page's folder, against which relative links resolve.
        let dir = match page.rfind('/') {
            Some(i) => format!("{base_path}{}", &page[..=i]),
            None => base_path.to_string(),
        };
        for raw in link_targets(text) {
            let url = raw.trim();
            if url.is_empty() || is_external(url) {
                continue;
            }
            report.links += 1;
            let (before_frag, frag) = match url.split_once('#') {
                Some((u, f)) => (u, Some(f)),
                None => (url, None),
            };
            let path_part = before_frag.split('?').next().unwrap_or("");
            let target: Option<&str> = if path_part.is_empty() {
                Some(page)
            } else {
                let absolute = if path_part.starts_with('/') {
                    path_part.to_string()
                } else {
                    format!("{dir}{path_part}")
                };
                let absolute = normalize(&percent_decode(&absolute));
                let Some(rel) = absolute.strip_prefix(base_path) else {
                    report
                        .broken
                        .push(format!("{page}: {raw} (outside the base path {base_path})"));
                    continue;
                };
                let candidates = if rel.is_empty() || rel.ends_with('/') {
                    vec![format!("{rel}index.html")]
                } else {
                    vec![rel.to_string(), format!("{rel}/index.html")]
                };
                candidates
                    .iter()
                    .find_map(|c| files.get_key_value(c.as_str()).map(|(k, _)| k.as_str()))
            };
            let Some(target) = target else {
                report.broken.push(format!("{page}: {raw} (no such file)"));
                continue;
            };
            if let Some(frag) = frag.filter(|f| !f.is_empty()) {
                report.fragments += 1;
                let Some(target_html) = html.get(target) else {
                    report
                        .broken
                        .push(format!("{page}: {raw} (a fragment on a file that is not HTML)"));
                    continue;
                };
                let known = ids
                    .entry(target)
                    .or_insert_with(|| attribute_values(target_html, "id").into_iter().collect());
                if !known.contains(&percent_decode(frag)) {
                    report
                        .broken
                        .push(format!("{page}: {raw} (no id=\"{frag}\" on {target})"));
                }
            }
        }
    }
    report
}

#[test]
fn the_link_checker_finds_missing_pages_and_fragments() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    let write = |rel: &str, text: &str| {
        let p = site.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "a/index.html",
        r##"<h2 id="s">S</h2>
        <a href="/c/a/">self</a> <a href="/c/a/#s">ok</a> <a href="#s">ok</a> <a href="../b/x.css">ok</a>
        <a href="&#x2F;c&#x2F;a">ok</a> <a href="https://example.org/nope/">external</a> <a href="mailto:a@b.c">mail</a>
        <a href="/c/b/">missing</a> <a href="/c/a/#t">missing fragment</a> <a href="#u">missing</a>
        <img src="/c/i.png"> <a href="/elsewhere/">outside</a>"##,
    );
    write("b/x.css", "");
    let report = check_links(&read_tree(site), "/c/");
    assert_eq!(report.links, 10, "{report:?}");
    assert_eq!(report.fragments, 4, "{report:?}");
    let broken: Vec<&str> = report
        .broken
        .iter()
        .map(|b| b.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(
        broken,
        vec!["/c/b/", "/c/a/#t", "#u", "/elsewhere/", "/c/i.png"],
        "{report:?}"
    );
}

#[test]
fn every_internal_link_of_the_demo_site_resolves() {
    let config = std::fs::read_to_string(demo_root().join("pnyx.yaml")).unwrap();
    let base_path = base_path_of(&base_url_in(&config));
    let out = tempfile::tempdir().unwrap();
    build(demo_root(), out.path()).assert_ok();
    let report = check_links(&read_tree(out.path()), &base_path);
    assert!(
        report.broken.is_empty(),
        "{} broken links:\n{}",
        report.broken.len(),
        report.broken.join("\n")
    );
    assert!(
        report.links > 1000,
        "only {} internal links were checked",
        report.links
    );
}

#[test]
fn every_internal_link_resolves_under_a_sub_path_base_url() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    for dir in ["content", "themes", "static", "signatures"] {
        if demo_root().join(dir).is_dir() {
            copy_tree(&demo_root().join(dir), &root.join(dir));
        }
    }
    let config = std::fs::read_to_string(demo_root().join("pnyx.yaml")).unwrap();
    let config: String = config
        .lines()
        .map(|l| {
            if l.starts_with("base_url:") {
                "base_url: https://owner.github.io/conseil/\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(root.join("pnyx.yaml"), config).unwrap();
    let out = tmp.path().join("out");
    build(&root, &out).assert_ok();
    let report = check_links(&read_tree(&out), "/conseil/");
    assert!(
        report.broken.is_empty(),
        "{} broken links:\n{}",
        report.broken.len(),
        report.broken.join("\n")
    );
    assert!(
        report.links > 1000,
        "only {} internal links were checked",
        report.links
    );
}

/// A minimal site whose `pages.html` template is replaced by one with a link to a page that
/// does not exist, written with `{{ site.base }}` as templates do.
fn site_with_a_broken_template_link(filter: &str) -> Site {
    let site = Site::minimal();
    site.write(
        "themes/default/templates/pages.html",
        format!("<!doctype html><html><body><a href=\"{{{{ site.base{filter} }}}}pas-ici/\">x</a></body></html>\n"),
    );
    site
}

#[test]
fn the_build_refuses_a_broken_link_made_by_a_template() {
    let site = site_with_a_broken_template_link(" | safe");
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("broken link `/pas-ici/`"), "{run}");
    assert!(!site.path("public").exists());
}

#[test]
fn the_build_refuses_a_broken_autoescaped_template_link() {
    let site = site_with_a_broken_template_link("");
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("broken link"), "{run}");
    assert!(!site.path("public").exists());
}

#[test]
fn reads_the_base_path_of_a_base_url() {
    assert_eq!(base_path_of("https://example.org/"), "/");
    assert_eq!(base_path_of("https://example.org"), "/");
    assert_eq!(base_path_of("https://owner.github.io/conseil"), "/conseil/");
    assert_eq!(
        base_url_in("title: T\nbase_url: \"https://e.org/x/\"\n"),
        "https://e.org/x/"
    );
    assert_eq!(normalize("/c/a/../b/./x"), "/c/b/x");
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("pnyx.yaml").is_file());
}
