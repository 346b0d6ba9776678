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
