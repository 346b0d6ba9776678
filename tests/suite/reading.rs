//! What a first-time reader sees on the demo council: a closed vote's result before its
//! ballot, the winner named on the decisions page, a budget project's approvals instead of
//! signatures, and option ids kept to the instructions for voting with a command.

use std::ffi::OsStr;
use std::path::Path;

use super::fixture::{demo_root, pnyx_env};

/// The demo built as of 2026-12-07, when some votes are closed and one is open.
fn demo_built(out: &Path) {
    pnyx_env(
        [
            OsStr::new("build"),
            OsStr::new("--root"),
            demo_root().as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        &[("SOURCE_DATE_EPOCH", Some(OsStr::new("1796601600")))],
    )
    .assert_ok();
}

fn page(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path).join("index.html")).unwrap()
}

fn at(html: &str, marker: &str) -> usize {
    html.find(marker)
        .unwrap_or_else(|| panic!("`{marker}` is not on the page"))
}

#[test]
fn a_closed_vote_shows_its_result_first_and_an_open_one_its_ballot_first() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let closed = page(out.path(), "votes/nom-de-la-lettre-d-information");
    assert!(at(&closed, "id=\"results-title\"") < at(&closed, "id=\"ballot-title\""));
    assert!(at(&closed, "id=\"results-title\"") < at(&closed, "<h2 id=\"les-quatre-propositions\""));
    let open = page(out.path(), "votes/jour-de-la-reunion-hebdomadaire");
    assert!(at(&open, "id=\"ballot-title\"") < at(&open, "id=\"results-title\""));
}

#[test]
fn the_decisions_page_names_the_winner_of_a_closed_vote() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let decisions = page(out.path(), "decisions");
    let card = |title: &str| {
        let start = at(&decisions, title);
        let end = start + decisions[start..].find("</article>").unwrap();
        decisions[start..end].to_string()
    };
    let ranked = card("Quel nom pour notre");
    assert!(
        ranked.contains("En tête :") && ranked.contains("<strong>Place publique</strong>"),
        "{ranked}"
    );
    let judged = card("nos priorités pour 2027");
    assert!(
        judged.contains("<strong>Un réseau cyclable continu entre les quartiers</strong>"),
        "{judged}"
    );
    // A yes/no vote keeps its outcome.
    let majority = card("Adoption de la charte des débats");
    assert!(
        majority.contains("Adopté") && !majority.contains("En tête"),
        "{majority}"
    );
}

#[test]
fn a_budget_project_shows_its_approvals_and_not_signatures() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let project = page(out.path(), "initiatives/gym-douce-dans-les-parcs");
    let aside_start = at(&project, "<aside class=\"item-aside\"");
    let aside = &project[aside_start..aside_start + project[aside_start..].find("</aside>").unwrap()];
    assert!(aside.contains("Au budget participatif"), "no budget box");
    assert!(aside.contains("<span class=\"goal-number\">6</span> <span>approbations</span>"));
    assert!(
        !aside.contains("signatures-title") && !aside.contains("0 signature"),
        "a budget project is not signed: {aside}"
    );
    assert!(
        !project.contains("class=\"box browser-sign\""),
        "a budget project offers to sign"
    );
    let list = page(out.path(), "initiatives");
    let start = at(&list, "De la gym douce gratuite dans les parcs");
    let card = &list[start..start + list[start..].find("</article>").unwrap()];
    assert!(
        card.contains("6 approbations") && !card.contains("0 signature"),
        "{card}"
    );
}

#[test]
fn option_ids_appear_only_where_a_ballot_is_written_by_hand() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let open = page(out.path(), "votes/jour-de-la-reunion-hebdomadaire");
    let ballot_start = at(&open, "id=\"ballot-title\"");
    let ballot = &open[ballot_start..ballot_start + open[ballot_start..].find("</section>").unwrap()];
    assert!(!ballot.contains("<code"), "the ballot box shows codes: {ballot}");
    let yes_no = page(out.path(), "votes/adoption-de-la-charte-des-debats");
    let ballot_start = at(&yes_no, "id=\"ballot-title\"");
    let ballot = &yes_no[ballot_start..ballot_start + yes_no[ballot_start..].find("</section>").unwrap()];
    assert!(ballot.contains(">Oui<") && !ballot.contains("yes"), "{ballot}");
}
