//! `pnyx build`: the demo site builds with every page type, the output folder is replaced
//! atomically (a failed build changes nothing, a rebuild leaves nothing stale), a folder that
//! holds a site is never used as output, and builds are reproducible.

use std::path::Path;

use super::fixture::{build, demo_root, html_escape, link_targets, pnyx_in, read_tree, Site};

/// The title of a content file, from its `title:` line, without quotes.
fn title_of(markdown: &str) -> Option<String> {
    let line = markdown.lines().find_map(|l| l.strip_prefix("title:"))?;
    let t = line.trim();
    let t = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(t);
    Some(t.replace("\\\"", "\""))
}

/// The item files of the demo site, as (kind folder, slug, text).
fn demo_items() -> Vec<(String, String, String)> {
    let mut items = Vec::new();
    for (rel, bytes) in read_tree(&demo_root().join("content")) {
        let parts: Vec<&str> = rel.split('/').collect();
        if let [kind, file] = parts.as_slice() {
            if let Some(slug) = file.strip_suffix(".md") {
                let text = String::from_utf8(bytes).unwrap();
                items.push((kind.to_string(), slug.to_string(), text));
            }
        }
    }
    items
}

#[test]
fn can_build_the_demo_site_with_every_page_type() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    let run = build(demo_root(), &out);
    run.assert_ok();
    assert!(run.stderr.contains("built "), "{run}");
    let pages = [
        "index.html",
        "404.html",
        "poles/index.html",
        "poles/logement/index.html",
        "groups/index.html",
        "groups/se-deplacer-sans-voiture/index.html",
        "initiatives/index.html",
        "initiatives/gratuite-des-bus/index.html",
        "debates/index.html",
        "debates/faut-il-rendre-les-bus-gratuits/index.html",
        "meetings/index.html",
        "meetings/assemblee-pleniere-de-decembre/index.html",
        "minutes/index.html",
        "minutes/atelier-gratuite-des-bus-du-15-septembre-2026/index.html",
        "votes/index.html",
        "votes/adoption-de-la-charte-des-debats/index.html",
        "budgets/index.html",
        "budgets/budget-participatif-2027/index.html",
        "sortitions/index.html",
        "sortitions/tirage-au-sort-des-moderateurs-et-moderatrices/index.html",
        "decisions/index.html",
        "pages/a-propos/index.html",
        "pages/participer/index.html",
    ];
    let missing: Vec<&str> = pages.iter().copied().filter(|p| !out.join(p).is_file()).collect();
    assert!(missing.is_empty(), "pages not written: {missing:?}");
    for page in pages {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(
            html.contains("<html") && html.contains("</html>"),
            "{page} is not a whole HTML page"
        );
    }
}

#[test]
fn every_item_of_the_demo_site_has_a_page_that_shows_its_title() {
    let out = tempfile::tempdir().unwrap();
    build(demo_root(), out.path()).assert_ok();
    let items: Vec<_> = demo_items()
        .into_iter()
        // A moderation entry has its place in the log, a follow-up on its initiative's page.
        .filter(|(kind, _, _)| kind != "moderation" && kind != "progress")
        .collect();
    assert!(items.len() > 30, "the demo site has only {} items", items.len());
    let mut problems = Vec::new();
    for (kind, slug, text) in &items {
        let page = format!("{kind}/{slug}/index.html");
        let Ok(html) = std::fs::read_to_string(out.path().join(&page)) else {
            problems.push(format!("{page}: not written"));
            continue;
        };
        let title = title_of(text).unwrap_or_else(|| panic!("content/{kind}/{slug}.md has no title"));
        if !html.contains(&html_escape(&title)) && !html.contains(&title) {
            problems.push(format!("{page}: does not show its title `{title}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::small();
    let out = site.path("public");
    site.build().assert_ok();
    let before = read_tree(&out);
    assert!(before.contains_key("initiatives/gratuite-des-bus/index.html"));

    // A new page and a changed one, then an error elsewhere: none of it may show.
    site.write("content/pages/charte.md", "---\ntitle: Charte\n---\nNouvelle.\n")
        .write(
            "content/initiatives/gratuite-des-bus.md",
            "---\ntitle: Bus gratuits partout\nkind: project\npole: logement\n---\nChangé.\n",
        )
        .write(
            "content/groups/velo.md",
            "---\ntitle: Vélo\nnumber: 3\npole: logemnt\n---\n",
        );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("content/groups/velo.md:4:7: "), "{run}");
    let after = read_tree(&out);
    assert!(before == after, "the output changed after a failed build");
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left beside the output: {leftovers:?}"
    );
}

#[test]
fn a_rebuild_leaves_no_stale_file() {
    let site = Site::small();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("site");
    site.build_to(&out).assert_ok();
    let page = "initiatives/gratuite-des-bus/index.html";
    assert!(out.join(page).is_file());
    let links = |page: &str| link_targets(&std::fs::read_to_string(out.join(page)).unwrap());
    let item_url = "/initiatives/gratuite-des-bus/".to_string();
    assert!(links("initiatives/index.html").contains(&item_url));

    site.remove("content/initiatives/gratuite-des-bus.md");
    site.build_to(&out).assert_ok();
    assert!(!out.join(page).exists(), "{page} survived the rebuild");
    assert!(
        !out.join("initiatives/gratuite-des-bus").exists(),
        "the folder of the deleted item survived"
    );
    let list = std::fs::read_to_string(out.join("initiatives/index.html")).unwrap();
    assert!(
        !list.contains("/initiatives/gratuite-des-bus/"),
        "the list still links to it"
    );
    let leftovers: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers,
        vec!["site".to_string()],
        "temporary folders left beside the output"
    );
}

/// Checks that building `site` into `out` (as given on the command line, run from `cwd`) is
/// refused and that nothing of the site changed.
fn assert_refused(site: &Site, cwd: &Path, out: &str) {
    let before = read_tree(site.root());
    let run = pnyx_in(
        Some(cwd),
        ["build", "--root", site.root().to_str().unwrap(), "--out", out],
    );
    assert!(!run.succeeded(), "--out {out} was accepted\n{run}");
    assert!(run.stderr.contains("refusing"), "{run}");
    assert!(
        run.stderr.contains("--out"),
        "the message does not say what to change\n{run}"
    );
    assert!(
        read_tree(site.root()) == before,
        "--out {out} changed the site's files"
    );
}

#[test]
fn refuses_an_output_folder_that_holds_the_site() {
    let site = Site::small();
    assert_refused(&site, site.root(), ".");
    assert_refused(&site, site.root(), site.root().to_str().unwrap());
    assert!(site.path("pnyx.yaml").is_file());
    assert!(site.path("content/poles/logement.md").is_file());
}

#[test]
fn refuses_an_output_folder_that_holds_another_site() {
    let site = Site::small();
    let other = Site::minimal();
    let before = read_tree(other.root());
    let run = site.build_to(other.root());
    assert!(!run.succeeded(), "{run}");
    assert!(run.stderr.contains("pnyx.yaml"), "{run}");
    assert!(read_tree(other.root()) == before, "the other site changed");
}

#[test]
fn two_builds_with_the_same_source_date_epoch_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(demo_root(), &a).assert_ok();
    build(demo_root(), &b).assert_ok();
    let (a, b) = (read_tree(&a), read_tree(&b));
    assert!(a.len() > 50, "only {} files", a.len());
    let names_a: Vec<&String> = a.keys().collect();
    let names_b: Vec<&String> = b.keys().collect();
    assert_eq!(names_a, names_b, "the two builds wrote different files");
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "files that differ: {differ:?}");
}

#[test]
fn the_reference_time_comes_from_source_date_epoch() {
    // Same content, two reference times: the pages say which "now" they were built at.
    let site = Site::small();
    let tmp = tempfile::tempdir().unwrap();
    let run = |epoch: &str, out: &str| {
        let out = tmp.path().join(out);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_pnyx"))
            .args(["build", "--root"])
            .arg(site.root())
            .arg("--out")
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", epoch)
            .env("PNYX_HOME", super::fixture::test_home())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out.join("index.html")).unwrap()
    };
    let early = run("1795000000", "early");
    let late = run("1800000000", "late");
    assert_ne!(early, late, "the home page does not depend on SOURCE_DATE_EPOCH");
    assert_eq!(early, run("1795000000", "again"));
}

#[test]
fn refuses_a_source_date_epoch_that_is_not_a_number() {
    let site = Site::minimal();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pnyx"))
        .args(["build", "--root"])
        .arg(site.root())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("SOURCE_DATE_EPOCH"));
    assert!(!site.path("public").exists());
}

#[test]
fn refuses_to_build_without_pnyx_yaml_and_says_to_use_root() {
    let empty = Site::empty();
    let run = pnyx_in(Some(empty.root()), ["build"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("pnyx.yaml"), "{run}");
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("  hint: ") && l.contains("--root")),
        "{run}"
    );
    assert!(read_tree(empty.root()).is_empty(), "something was written");
}

#[test]
fn every_page_names_its_one_address_and_its_link_preview() {
    let site = Site::small();
    let config = site.read("pnyx.yaml");
    site.write(
        "pnyx.yaml",
        config.replace(
            "base_url: https://example.org/",
            "base_url: https://example.org/conseil",
        ),
    );
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    for (file, url) in [
        ("index.html", "https://example.org/conseil/"),
        (
            "initiatives/gratuite-des-bus/index.html",
            "https://example.org/conseil/initiatives/gratuite-des-bus/",
        ),
        (
            "pages/a-propos/index.html",
            "https://example.org/conseil/pages/a-propos/",
        ),
    ] {
        let page = std::fs::read_to_string(out.path().join(file)).unwrap();
        let canonical = format!(
            "<link rel=\"canonical\" href=\"{}\">",
            super::fixture::html_escape(url)
        );
        assert!(page.contains(&canonical), "{file}: no {canonical}");
        assert!(
            page.contains(&format!(
                "<meta property=\"og:url\" content=\"{}\">",
                super::fixture::html_escape(url)
            )),
            "{file}"
        );
        assert!(page.contains("<meta property=\"og:title\""), "{file}");
    }
}

/// `pnyx build` of the small site under `script`, which gives it a terminal; `None` when the
/// machine has no `script` (util-linux).
fn build_on_a_terminal(site: &Site, out: &std::path::Path) -> Option<String> {
    let available = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok();
    if super::fixture::missing_tool(available, "script", "apt-get install util-linux") {
        return None;
    }
    let command = format!(
        "'{}' build --root '{}' --out '{}'",
        env!("CARGO_BIN_EXE_pnyx"),
        site.root().display(),
        out.display()
    );
    let run = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("PNYX_HOME", super::fixture::test_home())
        .env_remove("PNYX_TIMINGS")
        .env_remove("PNYX_PROGRESS")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stdout));
    Some(String::from_utf8_lossy(&run.stdout).to_string())
}

#[test]
fn a_build_on_a_terminal_shows_its_stages_and_clears_them_and_a_pipe_gets_none() {
    let site = Site::small();
    let out = tempfile::tempdir().unwrap();
    // In a pipe (as in CI logs): only the result.
    let run = site.build_to(out.path());
    run.assert_ok();
    assert!(
        !run.stderr.contains("pnyx: ") && !run.stderr.contains('\r'),
        "{run}"
    );
    let Some(shown) = build_on_a_terminal(&site, out.path()) else {
        return;
    };
    for stage in [
        "pnyx: load",
        "statements",
        "verify",
        "render",
        "pages",
        "search index",
        "write",
    ] {
        assert!(shown.contains(stage), "`{stage}` not shown: {shown:?}");
    }
    // Each stage is drawn over the previous one, and the line is cleared before the result.
    assert!(shown.contains("\r\x1b[2K"), "{shown:?}");
    let result = shown.rfind("built ").expect("the result is printed");
    assert!(shown[..result].ends_with("\r\x1b[2K"), "{shown:?}");
}
