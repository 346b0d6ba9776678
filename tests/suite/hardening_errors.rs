//! Wrong or missing errors on what a pull request can bring: each case gets its
//! `path:line:column` message with a hint.

use pnyx::signatures::keys::public_key_text;

use super::fixture::{decode_entities, location, Site};
use super::repo::Key;

#[test]
fn geo_not_a_number_or_off_the_globe_is_refused_at_its_line() {
    let site = Site::small();
    let meeting = site.read("content/meetings/pleniere.md");
    for (geo, says) in [
        ("[.nan, .inf]", "not finite"),
        ("[91.0, 1.44]", "latitude 91 is not between -90 and 90"),
        ("[43.6, -200]", "longitude -200 is not between -180 and 180"),
    ] {
        site.write(
            "content/meetings/pleniere.md",
            meeting.replacen("---\n", &format!("---\ngeo: {geo}\n"), 1),
        );
        let run = site.build();
        assert_eq!(run.code, Some(1), "{run}");
        let line = run
            .diagnostics()
            .into_iter()
            .find(|l| l.starts_with("content/meetings/pleniere.md:2:"))
            .unwrap_or_else(|| panic!("no error at the geo line for {geo}:\n{run}"));
        assert!(line.contains(says), "{line}");
    }
}

/// The diagnostic lines of `run` about `path`.
fn errors_at<'a>(run: &'a super::fixture::Run, path: &str) -> Vec<&'a str> {
    run.diagnostics()
        .into_iter()
        .filter(|l| l.starts_with(&format!("{path}:")))
        .collect()
}

#[test]
fn a_truncated_key_file_is_reported_at_the_key_not_as_a_profile_without_its_key() {
    let site = Site::small();
    let k = Key::new();
    let text = public_key_text(&k.pk);
    let key_path = format!("signatures/keys/{}.pub", k.id);
    // Cut in the middle of the base64 line.
    site.write(&key_path, &text[..text.len() - 20]);
    site.write(&format!("signatures/keys/{}.yaml", k.id), "name: Gigi\n");
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let at_key = errors_at(&run, &key_path);
    assert_eq!(at_key.len(), 1, "{run}");
    assert_eq!(
        location(at_key[0]),
        Some(format!("{key_path}:2:1").as_str()),
        "{run}"
    );
    assert!(at_key[0].contains("this key file cannot be used"), "{run}");
    assert!(
        run.stderr.contains("`pnyx keygen` or `minisign -G` wrote"),
        "no hint:\n{run}"
    );
    assert!(!run.stderr.contains("a profile without its key"), "{run}");
    assert_eq!(run.diagnostics().len(), 1, "{run}");
}

#[test]
fn key_file_names_in_lower_case_or_without_leading_zeros_are_refused_with_the_right_name() {
    let site = Site::small();
    let k = Key::new();
    let id = k.id.to_string();
    let lower = format!("signatures/keys/{}.pub", id.to_lowercase());
    let short = "signatures/keys/6C0A8CFA4C0C.pub";
    let capital = format!("signatures/keys/{id}.PUB");
    for p in [&lower, short, &capital] {
        site.write(p, public_key_text(&k.pk));
    }
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let has_lower = !id.bytes().all(|b| b.is_ascii_digit());
    if has_lower {
        assert_eq!(errors_at(&run, &lower).len(), 1, "{run}");
        assert!(run.stderr.contains(&format!("rename it `{id}.pub`")), "{run}");
    }
    assert_eq!(errors_at(&run, short).len(), 1, "{run}");
    assert!(run.stderr.contains("rename it `00006C0A8CFA4C0C.pub`"), "{run}");
    assert_eq!(errors_at(&run, &capital).len(), 1, "{run}");
    assert!(
        run.stderr
            .contains(&format!("rename it `{id}.pub`, in lower case")),
        "{run}"
    );
}

#[test]
fn markdown_files_with_a_capital_extension_no_name_or_too_deep_are_not_dropped_silently() {
    let site = Site::small();
    let page = "---\ntitle: Page\n---\nTexte.\n";
    for p in [
        "content/pages/contact.MD",
        "content/pages/.md",
        "content/debates/d/01-a/suite.md",
        "content/initiatives/gratuite-des-bus/x/y/z.md",
    ] {
        site.write(p, page);
    }
    // Data files beside the items are no items, and stay quiet.
    site.write("content/pages/plan.pdf", "%PDF-1.4");
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    for (p, says) in [
        ("content/pages/contact.MD", "rename the file `contact.md`"),
        ("content/pages/.md", "no name before `.md`"),
        ("content/debates/d/01-a/suite.md", "too deep"),
        ("content/initiatives/gratuite-des-bus/x/y/z.md", "too deep"),
    ] {
        let at = errors_at(&run, p);
        assert_eq!(at.len(), 1, "{p}:\n{run}");
        assert!(run.stderr.contains(says), "{p}: {says}\n{run}");
    }
    assert_eq!(run.diagnostics().len(), 4, "{run}");
}

#[test]
fn a_nul_byte_in_a_body_is_refused_at_its_place_and_never_reaches_a_page() {
    let site = Site::small();
    site.write(
        "content/pages/a-propos.md",
        "---\ntitle: À propos\n---\nQui nous\u{0} sommes.\n",
    );
    site.write(
        "content/debates/d/02-b.md",
        "---\nauthor: Bob\ndate: 2026-11-03\n---\nNon\u{1b}[31m.\n",
    );
    let out = tempfile::tempdir().unwrap();
    let run = site.build_to(&out.path().join("public"));
    assert_eq!(run.code, Some(1), "{run}");
    let page = errors_at(&run, "content/pages/a-propos.md");
    assert_eq!(location(page[0]), Some("content/pages/a-propos.md:4:9"), "{run}");
    assert!(page[0].contains("U+0000"), "{run}");
    let reply = errors_at(&run, "content/debates/d/02-b.md");
    assert_eq!(location(reply[0]), Some("content/debates/d/02-b.md:5:4"), "{run}");
    assert!(reply[0].contains("U+001B"), "{run}");
    assert!(!out.path().join("public").exists(), "nothing is written");
}

#[test]
fn a_type_error_is_not_followed_by_the_dangling_references_it_causes() {
    let site = Site::small();
    // The initiative's title is a list: it cannot be read, and the debate names it.
    let initiative = site.read("content/initiatives/gratuite-des-bus.md");
    site.write(
        "content/initiatives/gratuite-des-bus.md",
        initiative.replace("title: Gratuité des bus", "title: [Gratuité, bus]"),
    );
    site.write(
        "content/debates/d.md",
        "---\ntitle: Faut-il des bus gratuits ?\npole: logement\ninitiative: gratuite-des-bus\n---\nLa question.\n",
    );
    // A reference to an initiative that is nowhere is still reported.
    site.write(
        "content/debates/e.md",
        "---\ntitle: Et le tram ?\npole: logement\ninitiative: tram-gratuit\n---\nLa question.\n",
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let lines = run.diagnostics();
    assert_eq!(lines.len(), 2, "{run}");
    assert_eq!(location(lines[0]), Some("content/debates/e.md:4:13"), "{run}");
    assert!(
        lines[0].contains("initiative `tram-gratuit` does not exist"),
        "{run}"
    );
    assert_eq!(
        location(lines[1]),
        Some("content/initiatives/gratuite-des-bus.md:2:8"),
        "{run}"
    );
}

#[test]
fn a_theme_link_is_reported_with_the_content_errors_in_one_run() {
    let site = Site::small();
    site.write("content/pages/a-propos.md", "---\ntitle: [À, propos]\n---\n");
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::fs::create_dir_all(site.path("themes/default/templates")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", site.path("static/hote.txt")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", site.path("themes/default/templates/page.html")).unwrap();
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    for p in [
        "content/pages/a-propos.md",
        "static/hote.txt",
        "themes/default/templates/page.html",
    ] {
        assert_eq!(errors_at(&run, p).len(), 1, "{p}:\n{run}");
    }
}

#[test]
fn an_attested_count_that_does_not_match_is_explained_in_the_sites_language() {
    let (site, members, _) = super::repo::council(0);
    site.write(
        "content/initiatives/bus.md",
        "---\ntitle: Bus\nkind: project\npole: logement\nopens: 2026-10-01\ncloses: 2027-01-31\ngoal: 10\n---\nTexte.\n",
    );
    let batch = "signatures/paper/initiatives/bus/marche.yaml";
    site.write(
        batch,
        "place: Marché\ndate: 2026-10-03\ncollector: Gigi\ncount: 5\n",
    );
    let at = format!(
        "signatures/paper/initiatives/bus/marche.{}.minisig",
        members[0].id
    );
    site.sign(&members[0], batch, "pnyx/1 attest 7", &at);
    site.commit(super::repo::day(4), "a batch, attested with another number");
    let page = decode_entities(&site.page("initiatives/bus/index.html"));
    assert!(
        page.contains("une attestation en compte 7, la feuille en compte 5"),
        "{page}"
    );
    assert!(!page.contains("attested 7"), "English on a French page");

    let config = String::from_utf8(site.read("pnyx.yaml")).unwrap();
    site.write("pnyx.yaml", &format!("{config}language: en\n"));
    let page = decode_entities(&site.page("initiatives/bus/index.html"));
    assert!(
        page.contains("an attestation counts 7, the batch counts 5"),
        "{page}"
    );
}
