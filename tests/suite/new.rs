//! `pnyx new <kind> "<title>"`: a new item named after its title, valid at once, never
//! overwriting an existing file.

use super::fixture::{read_tree, Site};

/// Every kind `pnyx new` makes, as its folder name.
const KINDS: [&str; 10] = [
    "poles",
    "groups",
    "initiatives",
    "debates",
    "meetings",
    "minutes",
    "votes",
    "budgets",
    "sortitions",
    "pages",
];

#[test]
fn creates_an_initiative_named_after_its_title_that_builds() {
    let site = Site::minimal();
    let run = site.new_item("initiative", "Gratuité des bus");
    run.assert_ok();
    let rel = "content/initiatives/gratuite-des-bus.md";
    assert_eq!(run.stdout.trim(), rel, "{run}");
    let text = site.read(rel);
    assert!(text.starts_with("---\n"), "{text}");
    assert!(text.contains("title: \"Gratuité des bus\""), "{text}");
    assert!(
        text.contains("pole: logement"),
        "the new item does not use the site's pole\n{text}"
    );

    site.build().assert_ok();
    let page = std::fs::read_to_string(site.path("public/initiatives/gratuite-des-bus/index.html")).unwrap();
    assert!(page.contains("Gratuité des bus"));
}

#[test]
fn refuses_to_overwrite_an_existing_item() {
    let site = Site::minimal();
    site.new_item("initiative", "Gratuité des bus").assert_ok();
    let rel = "content/initiatives/gratuite-des-bus.md";
    let edited = format!("{}\nTexte écrit à la main.\n", site.read(rel));
    site.write(rel, &edited);

    let run = site.new_item("initiative", "Gratuité des bus");
    assert!(!run.succeeded(), "{run}");
    assert!(run.stderr.contains("already exists"), "{run}");
    assert!(
        run.stderr.contains(rel),
        "the message does not name the file\n{run}"
    );
    assert_eq!(site.read(rel), edited, "the existing file was changed");

    // The same slug from another spelling of the title is refused too.
    let run = site.new_item("initiatives", "GRATUITÉ  des bus !");
    assert!(!run.succeeded(), "{run}");
    assert_eq!(site.read(rel), edited, "the existing file was changed");
}

#[test]
fn every_kind_creates_an_item_that_builds() {
    let site = Site::minimal();
    let mut made = Vec::new();
    for kind in KINDS {
        let title = format!("Nouveau {kind} «test» : l'été");
        let run = site.new_item(kind, &title);
        run.assert_ok();
        let rel = format!("content/{kind}/nouveau-{kind}-test-l-ete.md");
        assert_eq!(run.stdout.trim(), rel, "{run}");
        assert!(site.path(&rel).is_file(), "{rel} was not written");
        made.push((kind, title));
    }
    let run = site.build();
    run.assert_ok();
    for (kind, title) in made {
        let page = format!("public/{kind}/nouveau-{kind}-test-l-ete/index.html");
        let html =
            std::fs::read_to_string(site.path(&page)).unwrap_or_else(|_| panic!("{page} was not built"));
        assert!(
            html.contains("Nouveau"),
            "{page} does not show its title `{title}`"
        );
    }
}

#[test]
fn each_kind_alone_builds_in_a_fresh_site() {
    for kind in KINDS {
        let site = Site::minimal();
        site.new_item(kind, "Essai").assert_ok();
        let run = site.build();
        assert!(run.succeeded(), "a new {kind} does not build:\n{run}");
    }
}

#[test]
fn new_groups_get_the_next_free_number() {
    let site = Site::minimal();
    site.new_item("group", "Vélo").assert_ok();
    site.new_item("group", "Tram").assert_ok();
    let velo = site.read("content/groups/velo.md");
    let tram = site.read("content/groups/tram.md");
    assert!(velo.contains("number: 1\n"), "{velo}");
    assert!(tram.contains("number: 2\n"), "{tram}");
    site.build().assert_ok();
}

#[test]
fn errors_on_an_unknown_kind() {
    let site = Site::minimal();
    let before = read_tree(site.root());
    let run = site.new_item("petition", "Gratuité des bus");
    assert!(!run.succeeded(), "{run}");
    assert!(run.stderr.contains("unknown kind"), "{run}");
    assert!(
        run.stderr.contains("initiatives") && run.stderr.contains("debates"),
        "the message does not list the kinds\n{run}"
    );
    assert!(read_tree(site.root()) == before, "files were written");
}

#[test]
fn an_unknown_kind_is_named_as_typed() {
    let site = Site::minimal();
    let run = site.new_item("petition", "X");
    assert!(!run.succeeded(), "{run}");
    assert!(run.stderr.contains("`petition`"), "{run}");
}

#[test]
fn refuses_moderation_entries() {
    let site = Site::minimal();
    let run = site.new_item("moderation", "Cacher");
    assert!(!run.succeeded(), "{run}");
    assert!(!site.path("content/moderation").exists());
}

#[test]
fn refuses_a_title_without_letters_or_digits() {
    let site = Site::minimal();
    let before = read_tree(site.root());
    let run = site.new_item("page", "« ! »");
    assert!(!run.succeeded(), "{run}");
    assert!(run.stderr.contains("empty file name"), "{run}");
    assert!(read_tree(site.root()) == before, "files were written");
}

#[test]
fn a_title_with_quotes_and_backslashes_is_kept_as_written() {
    let site = Site::minimal();
    let title = r#"Le "bus" \ gratuit: #1"#;
    site.new_item("page", title).assert_ok();
    site.build().assert_ok();
    let page = std::fs::read_to_string(site.path("public/pages/le-bus-gratuit-1/index.html")).unwrap();
    assert!(
        page.contains(r#"Le &quot;bus&quot; \ gratuit: #1"#),
        "the title was not kept"
    );
}
