//! Issue 4, "History from git": every item has a history page listing its versions from the
//! first-parent history of the branch, with dates, commit summaries and what changed; the
//! item page says when it was last updated and links to it.

use super::fixture::Site;
use super::repo::{self, day};

const BUS: &str = "content/initiatives/bus.md";

fn bus(body: &str) -> String {
    format!("---\ntitle: Bus gratuits\nkind: project\npole: logement\n---\n{body}")
}

/// The shared git fixture with the initiative `bus`; commits are Alice Martin's.
struct GitSite(repo::GitSite);

impl std::ops::Deref for GitSite {
    type Target = repo::GitSite;
    fn deref(&self) -> &repo::GitSite {
        &self.0
    }
}

impl GitSite {
    /// `pnyx.yaml`, pole `logement` and initiative `bus`, not committed yet.
    fn new(body: &str) -> GitSite {
        let site = repo::GitSite::new("");
        site.write(BUS, &bus(body));
        GitSite(site)
    }

    fn commit(&self, time: i64, msg: &str) {
        self.0.commit_as("Alice Martin", time, msg);
    }
}

/// The texts inside every `<tag>…</tag>` (or `<tag class="…">…</tag>`) of `html`.
fn marked(html: &str, tag: &str) -> Vec<String> {
    let close = format!("</{tag}>");
    html.split(&format!("<{tag}"))
        .skip(1)
        .filter(|rest| rest.starts_with(['>', ' ']))
        .filter_map(|rest| {
            let (_, inside) = rest.split_once('>')?;
            inside.split_once(&close).map(|(text, _)| text.to_string())
        })
        .collect()
}

/// The site with `bus` proposed on day 0, then amended on day 3.
fn amended() -> GitSite {
    let s = GitSite::new("Les bus sont gratuits le dimanche.\n");
    s.commit(day(0), "Proposer la gratuité des bus");
    s.write(BUS, &bus("Les bus sont gratuits tous les jours.\n"));
    s.commit(day(3), "Étendre la gratuité à toute la semaine");
    s
}

#[test]
fn an_edited_initiative_shows_both_versions_newest_first_with_what_changed() {
    let s = amended();
    let page = s.page("initiatives/bus/history/index.html");
    let newest = page
        .find("Étendre la gratuité à toute la semaine")
        .expect("the second commit's summary");
    let oldest = page
        .find("Proposer la gratuité des bus")
        .expect("the first commit's summary");
    assert!(newest < oldest, "newest first");
    assert!(page.contains(">dimanche 4 octobre 2026</time>"), "{page}");
    assert!(page.contains(">jeudi 1er octobre 2026</time>"), "{page}");
    assert!(page.contains("Alice Martin"));
    assert!(page.contains("Création"), "the first version is the creation");
    assert!(page.contains("enregistrement non signé"));
    assert!(
        marked(&page, "del").iter().any(|t| t.contains("dimanche")),
        "removed words are marked: {:?}",
        marked(&page, "del")
    );
    assert!(
        marked(&page, "ins").iter().any(|t| t.contains("tous les jours")),
        "added words are marked: {:?}",
        marked(&page, "ins")
    );
    assert!(
        page.contains("Supprimé\u{a0}:") && page.contains("Ajouté\u{a0}:"),
        "said to screen readers"
    );
}

#[test]
fn the_item_page_says_when_it_was_last_updated_and_links_to_its_history() {
    let s = amended();
    let page = s.page("initiatives/bus/index.html");
    assert!(
        page.contains("Mis à jour le <time datetime=\"2026-10-04T14:00:00+02:00\">4 octobre 2026</time>"),
        "{page}"
    );
    assert!(
        page.contains(
            "<a href=\"&#x2F;initiatives&#x2F;bus&#x2F;history&#x2F;\">Historique (2 versions)</a>"
        ),
        "{page}"
    );
}

#[test]
fn a_hostile_script_in_an_edit_is_escaped_in_the_diff() {
    let s = GitSite::new("Un texte sage.\n");
    s.commit(day(0), "Proposer");
    s.write(
        BUS,
        &bus("Un texte sage.\n\nPuis <script>alert('pwned')</script> <img src=x onerror=alert(1)>\n"),
    );
    s.commit(day(1), "Modifier <b>le</b> texte");
    let page = s.page("initiatives/bus/history/index.html");
    let lower = page.to_lowercase();
    assert!(!lower.contains("<script"), "{page}");
    assert!(!lower.contains("<img"), "{page}");
    assert!(!lower.contains("<b>le</b>"), "the commit summary is escaped too");
    assert!(
        page.contains("&lt;script&gt;alert("),
        "the text is shown, escaped: {page}"
    );
    assert!(
        marked(&page, "ins").iter().any(|t| t.contains("&lt;script&gt;")),
        "{page}"
    );
}

#[test]
fn uncommitted_changes_come_first_as_not_yet_published() {
    let s = amended();
    s.write(BUS, &bus("Les bus et les trams sont gratuits tous les jours.\n"));
    let page = s.page("initiatives/bus/history/index.html");
    let draft = page.find("Pas encore publiée").expect("the uncommitted version");
    assert!(draft < page.find("Étendre la gratuité").unwrap());
    assert!(
        marked(&page, "ins").iter().any(|t| t.contains("et les trams")),
        "{page}"
    );
    let item = s.page("initiatives/bus/index.html");
    assert!(item.contains("Historique (3 versions)"));
    assert!(
        item.contains("4 octobre 2026</time>"),
        "last updated stays the last commit"
    );
}

#[test]
fn outside_git_the_history_page_says_no_history_was_found() {
    let site = Site::small();
    site.build().assert_ok();
    for item in [
        "initiatives/gratuite-des-bus",
        "groups/velo",
        "debates/d",
        "meetings/pleniere",
        "pages/a-propos",
        "poles/logement",
    ] {
        let page = site.read(&format!("public/{item}/history/index.html"));
        assert!(page.contains("Aucun historique trouvé"), "{item}: {page}");
        let own = site.read(&format!("public/{item}/index.html"));
        let link = format!(
            "href=\"&#x2F;{}&#x2F;history&#x2F;\"",
            item.replace('/', "&#x2F;")
        );
        assert!(own.contains(&link), "{item} links to its history");
        assert!(!own.contains("Mis à jour le"), "{item}: no date without history");
    }
}
