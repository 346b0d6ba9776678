//! The theme as a reader meets it: French by default with dates in words, English on demand,
//! and a site's own templates taking over file by file.

use super::fixture::Site;

#[test]
fn speaks_french_by_default_with_dates_in_words() {
    let site = Site::small();
    site.build().assert_ok();
    let meeting = site.read("public/meetings/pleniere/index.html");
    assert!(meeting.contains("lang=\"fr\""));
    assert!(
        meeting.contains("mardi 1er décembre 2026, 18\u{a0}h\u{a0}30"),
        "the start in words, in the site's zone"
    );
    assert!(meeting.contains("Rencontres"), "French navigation");
    let home = site.read("public/index.html");
    assert!(home.contains("Initiatives ouvertes"), "French headings");
}

#[test]
fn speaks_english_when_configured() {
    let site = Site::small();
    site.write(
        "pnyx.yaml",
        "title: Test council\nbase_url: https://example.org/\nlanguage: en\n",
    );
    site.build().assert_ok();
    let meeting = site.read("public/meetings/pleniere/index.html");
    assert!(meeting.contains("lang=\"en\""));
    assert!(
        meeting.contains("Tuesday 1 December 2026, 6:30\u{a0}pm"),
        "English dates"
    );
    assert!(meeting.contains("Meetings"));
    assert!(
        !meeting.contains("Rencontres"),
        "no French left in the navigation"
    );
}

#[test]
fn a_site_template_overrides_the_embedded_one_file_by_file() {
    let site = Site::small();
    site.write(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}{% block main %}<p class=\"custom\">Gabarit local : {{ page.title }}</p>{% endblock main %}",
    );
    let run = site.build();
    run.assert_ok();
    let page = site.read("public/pages/a-propos/index.html");
    assert!(
        page.contains("Gabarit local : À propos"),
        "the site's template is used: {page}"
    );
    assert!(
        page.contains("assets/style.css"),
        "the embedded base.html is still used around it"
    );
    let home = site.read("public/index.html");
    assert!(
        home.contains("Initiatives ouvertes"),
        "other pages keep the embedded templates"
    );
}

#[test]
fn a_broken_site_template_is_reported_at_its_file() {
    let site = Site::small();
    site.write("themes/default/templates/page.html", "<p>\n{% if %}\n");
    let run = site.build();
    assert!(!run.succeeded());
    assert!(
        run.stderr.contains("themes/default/templates/page.html:2:7: "),
        "{run}"
    );
}

/// The build's time left the footer of every page for the home page's (so that pages stay the
/// same from one build to the next): a theme copied before says what to write instead.
#[test]
fn a_theme_with_the_old_build_time_is_told_its_new_name() {
    let site = Site::small();
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .unwrap();
    site.write(
        "themes/default/templates/base.html",
        base.replace("</footer>", "<p>{{ site.now }}</p></footer>"),
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stderr
            .contains("`site.now` and `site.now_iso` are `build_time`"),
        "{run}"
    );
    site.write("themes/default/templates/base.html", &base);
    site.build().assert_ok();
    assert!(site.read("public/index.html").contains("Site généré le"));
    assert!(!site
        .read("public/meetings/pleniere/index.html")
        .contains("Site généré le"));
}

/// The browser libraries under themes/default/static/vendor/ are byte for byte those
/// scripts/vendor-js.sh took from the npm registry (docs/third-party.md): a change to one of
/// them by hand, or a file added beside them, fails here.
#[test]
fn the_vendored_browser_libraries_are_the_pinned_ones() {
    use sha2::{Digest, Sha256};
    let dir = super::fixture::demo_root().join("themes/default/static/vendor");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut listed = std::collections::BTreeSet::new();
    for line in sums.lines() {
        let (sum, file) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("bad line {line:?}"));
        let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(actual, sum, "{file} is not the vendored file");
        listed.insert(file.to_string());
    }
    for entry in walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok) {
        if entry.file_type().is_file() && entry.file_name() != "SHA256SUMS" {
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            assert!(listed.contains(&rel), "{rel} is not in SHA256SUMS");
        }
    }
    assert!(listed.contains("noble-ed25519/index.js") && listed.contains("noble-hashes/scrypt.js"));
}
