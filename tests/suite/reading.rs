//! What a first-time reader sees on the demo council: a closed vote's result before its
//! ballot, the winner named on the decisions page, a budget project's approvals instead of
//! signatures, and option ids kept to the instructions for voting with a command.

use std::ffi::OsStr;
use std::path::Path;

use super::fixture::{demo_root, pnyx_env};

/// The demo built as of 2026-12-07, when some votes are closed and one is open.
pub(super) fn demo_built(out: &Path) {
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

/// The part of `html` from `from` up to the first `until` after it.
fn between<'a>(html: &'a str, from: &str, until: &str) -> &'a str {
    let start = at(html, from);
    let len = html[start..]
        .find(until)
        .unwrap_or_else(|| panic!("no `{until}` after `{from}`"));
    &html[start..start + len]
}

#[test]
fn a_closed_vote_shows_its_result_first_and_an_open_one_its_ballot_first() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let closed = page(out.path(), "votes/nom-de-la-lettre-d-information");
    assert!(at(&closed, "id=\"results-title\"") < at(&closed, "id=\"ballot-title\""));
    assert!(at(&closed, "id=\"results-title\"") < at(&closed, "<h2 id=\"les-quatre-propositions\""));
    // On a phone the page is read in document order: the key facts follow the result.
    assert!(at(&closed, "id=\"results-title\"") < at(&closed, "id=\"facts-title\""));
    let open = page(out.path(), "votes/jour-de-la-reunion-hebdomadaire");
    assert!(at(&open, "id=\"ballot-title\"") < at(&open, "id=\"results-title\""));
    assert!(at(&open, "id=\"facts-title\"") < at(&open, "id=\"ballot-title\""));
}

#[test]
fn the_decisions_page_names_the_winner_of_a_closed_vote() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let decisions = page(out.path(), "decisions");
    let card = |title: &str| between(&decisions, title, "</article>").to_string();
    let ranked = card("Quel nom pour notre");
    assert!(
        ranked.contains("En tête\u{a0}:") && ranked.contains("<strong>Place publique</strong>"),
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
    let aside = between(&project, "<aside class=\"item-aside\"", "</aside>");
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
    let card = between(&list, "De la gym douce gratuite dans les parcs", "</article>");
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
    let ballot = between(&open, "id=\"ballot-title\"", "</section>");
    assert!(!ballot.contains("<code"), "the ballot box shows codes: {ballot}");
    let yes_no = page(out.path(), "votes/adoption-de-la-charte-des-debats");
    let ballot = between(&yes_no, "id=\"ballot-title\"", "</section>");
    assert!(ballot.contains(">Oui<") && !ballot.contains("yes"), "{ballot}");
}

/// The text of the `<main>` of a page, tags removed and entities decoded.
fn main_text(out: &Path, path: &str) -> String {
    let html = page(out, path);
    let main = &html[at(&html, "<main")..at(&html, "</main>")];
    let mut text = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    // No-break spaces are kept: they are part of what is checked.
    super::fixture::decode_entities(&text)
        .split(|c: char| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_french_interface_says_things_in_words_not_codes() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    // Grades in words, on the ballot, in the results and in the chart's legend.
    // (The vote's own text may show how a ballot is written: `velo=très-bien`.)
    let judged = page(out.path(), "votes/priorites-transports-2027");
    assert!(judged.contains("<li>Très bien</li>"), "the ballot's grades");
    assert!(judged.contains(">Très bien</th>"), "the results' grades");
    assert!(judged.contains("</span>Très bien</li>"), "the chart's legend");
    assert!(!judged.contains(">très-bien<"), "a grade id shown as a word");
    // The draw's method explained, its pool named, no algorithm id.
    let draw = page(
        out.path(),
        "sortitions/tirage-au-sort-des-moderateurs-et-moderatrices",
    );
    assert!(!draw.contains("<code>rfc3797</code>"));
    assert!(main_text(
        out.path(),
        "sortitions/tirage-au-sort-des-moderateurs-et-moderatrices"
    )
    .contains("la méthode publique de l’IETF (RFC 3797)"));
    let committee = page(out.path(), "sortitions/comite-de-suivi-du-budget-participatif");
    let pool = between(&committee, "<dt>Parmi</dt><dd>", "</dd>");
    assert!(
        pool.ends_with("la liste des candidatures publiée avec ce tirage"),
        "{pool}"
    );
    // An order is not seats, and a pending draw speaks of the future.
    let order = main_text(out.path(), "sortitions/ordre-de-presentation-des-projets");
    assert!(
        order.contains("places dans l’ordre à tirer") && !order.contains("sièges"),
        "{order}"
    );
    assert!(
        order.contains("Qui peut être tiré au sort") && !order.contains("Qui pouvait"),
        "{order}"
    );
    // Ordinals and agreement.
    let budget = main_text(out.path(), "budgets/budget-participatif-2027");
    assert!(
        budget.contains("1ᵉʳ par le nombre de voix") && !budget.contains("1ᵉ "),
        "{budget}"
    );
    let ranked = main_text(out.path(), "votes/nom-de-la-lettre-d-information");
    assert!(
        ranked.contains("L’option «\u{a0}Place publique\u{a0}» est préférée"),
        "{ranked}"
    );
    // One count of ballots per meaning: the signed list is not called "counted" beside the
    // total that includes paper.
    let dates = main_text(out.path(), "votes/jour-de-la-reunion-hebdomadaire");
    assert_eq!(dates.matches("Bulletins comptés").count(), 1, "{dates}");
    assert!(dates.contains("Bulletins signés en ligne"), "{dates}");
    // French punctuation keeps to its word.
    assert!(
        !page(out.path(), "decisions").contains(" :"),
        "a colon after a breaking space"
    );
}

/// The demo's French content published with the English interface, as a council with
/// an English edition configures it.
fn english_demo_built(out: &Path) {
    let site = tempfile::tempdir().unwrap();
    for part in ["content", "signatures", "roles.yaml"] {
        let from = demo_root().join(part);
        if from.is_dir() {
            super::fixture::copy_tree(&from, &site.path().join(part));
        } else {
            std::fs::copy(&from, site.path().join(part)).unwrap();
        }
    }
    let config = std::fs::read_to_string(demo_root().join("pnyx.yaml"))
        .unwrap()
        .replace("language: fr", "language: en\ncontent_language: fr");
    std::fs::write(site.path().join("pnyx.yaml"), config).unwrap();
    super::fixture::build(site.path(), out).assert_ok();
}

#[test]
fn the_english_build_marks_french_content_and_writes_english_numbers() {
    let out = tempfile::tempdir().unwrap();
    english_demo_built(out.path());
    let vote = page(out.path(), "votes/priorites-transports-2027");
    assert!(vote.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(
        vote.contains("<h1 lang=\"fr\">Transports et mobilité"),
        "the French title is marked"
    );
    assert!(
        vote.contains("<div class=\"prose\" lang=\"fr\">"),
        "the French text is marked"
    );
    assert!(vote.contains(">41.7%<"), "an English percentage");
    assert!(!vote.contains(" %"), "a French percentage in English");
    let list = page(out.path(), "initiatives");
    assert!(
        list.contains("class=\"card-title\" lang=\"fr\""),
        "card titles are marked"
    );
    let budget = page(out.path(), "budgets/budget-participatif-2027");
    assert!(budget.contains("€50,000") && budget.contains("1st by number of votes"));
    // The French build has no such marks: its content is in its own language.
    let fr = tempfile::tempdir().unwrap();
    demo_built(fr.path());
    let fr_vote = page(fr.path(), "votes/priorites-transports-2027");
    assert_eq!(
        fr_vote.matches("lang=\"fr\"").count(),
        1,
        "only <html> says the language"
    );
}

fn data(out: &Path, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("data").join(name)).unwrap()).unwrap()
}

#[test]
fn open_data_has_every_debate_contribution_meeting_minutes_and_moderation_decision() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let count = |dir: &str| {
        std::fs::read_dir(demo_root().join("content").join(dir))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "md"))
            .count()
    };
    for (file, dir) in [
        ("debates.json", "debates"),
        ("meetings.json", "meetings"),
        ("minutes.json", "minutes"),
        ("moderation.json", "moderation"),
    ] {
        assert_eq!(
            data(out.path(), file).as_array().unwrap().len(),
            count(dir),
            "{file}"
        );
    }
    // Contributions: every file of every discussion, the hidden one without its words.
    let contributions = data(out.path(), "contributions.json");
    let debate_dir = demo_root().join("content/debates/le-maire-peut-il-interdire-le-lbd");
    let on_disk = std::fs::read_dir(&debate_dir).unwrap().count();
    let listed: Vec<_> = contributions
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["item"] == "debates/le-maire-peut-il-interdire-le-lbd")
        .collect();
    assert_eq!(listed.len(), on_disk);
    let hidden: Vec<_> = listed.iter().filter(|c| c["hidden"] == true).collect();
    assert_eq!(hidden.len(), 1);
    assert!(hidden[0]["text"].is_null() && hidden[0]["author"].is_null());
    let reply = listed.iter().find(|c| c["id"] == "02-ines").unwrap();
    assert_eq!(reply["reply_to"], "01-patrick");
    assert!(reply["text"].as_str().unwrap().len() > 20);
    // Meetings carry their place and minutes; moderation decisions say whether they count.
    let meetings = data(out.path(), "meetings.json");
    let bus = meetings
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == "atelier-gratuite-des-bus-a-la-daurade")
        .unwrap();
    assert_eq!(
        bus["minutes"],
        serde_json::json!(["atelier-gratuite-des-bus-du-15-septembre-2026"])
    );
    assert!(bus["geo"].is_array() && bus["place"].is_string());
    let decisions = data(out.path(), "moderation.json");
    assert!(decisions
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["effective"] == true));
    assert!(decisions
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["problem"] == "not-a-moderator"));
}

#[test]
fn the_open_data_page_links_every_data_file() {
    let out = tempfile::tempdir().unwrap();
    demo_built(out.path());
    let open_data = page(out.path(), "pages/donnees-ouvertes");
    let files: Vec<String> = std::fs::read_dir(out.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.len() >= 12, "{files:?}");
    let documented = std::fs::read_to_string(demo_root().join("docs/open-data.md")).unwrap();
    for f in files {
        // A folder (one file per initiative) is linked by one of its files.
        let (link, heading) = if out.path().join("data").join(&f).is_dir() {
            (format!("href=\"/data/{f}/"), format!("## {f}/"))
        } else {
            (format!("href=\"/data/{f}\""), format!("## {f}"))
        };
        assert!(open_data.contains(&link), "the open-data page does not link {f}");
        assert!(
            documented.contains(&heading),
            "docs/open-data.md does not describe {f}"
        );
    }
}

#[test]
fn both_published_languages_link_each_page_to_itself_in_the_other() {
    let site = super::fixture::Site::small();
    let config = site.read("pnyx.yaml");
    site.write(
        "pnyx.yaml",
        format!("{config}translations:\n  en: https://example.org/en/\n"),
    );
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let html = super::fixture::decode_entities(
        &std::fs::read_to_string(out.path().join("initiatives/gratuite-des-bus/index.html")).unwrap(),
    );
    let base = {
        let at = at(&html, "<link rel=\"canonical\" href=\"");
        let rest = &html[at + 28..];
        rest[..rest.find('"').unwrap()].to_string()
    };
    assert!(html.contains(&format!(
        "<link rel=\"alternate\" hreflang=\"fr\" href=\"{base}\">"
    )));
    assert!(html.contains(
        "<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/en/initiatives/gratuite-des-bus/\">"
    ));
    assert!(html.contains(
        "<a href=\"https://example.org/en/initiatives/gratuite-des-bus/\" hreflang=\"en\" lang=\"en\">English</a>"
    ));
    // Without translations, no switch and no alternates.
    let plain = tempfile::tempdir().unwrap();
    super::fixture::Site::small().build_to(plain.path()).assert_ok();
    let html = std::fs::read_to_string(plain.path().join("initiatives/gratuite-des-bus/index.html")).unwrap();
    assert!(!html.contains("hreflang"));
}

/// Words of the French interface that its English one never uses ("Initiatives" and
/// "Page" are both; "Rencontres" and "signé" only French).
fn french_only_words() -> std::collections::BTreeSet<String> {
    let strings = |lang: &str| -> Vec<String> {
        let path = demo_root().join(format!("themes/default/i18n/{lang}.yaml"));
        let map: serde_yaml::Mapping = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        map.values()
            .filter_map(|value| value.as_str().map(str::to_owned))
            .collect()
    };
    let words = |texts: Vec<String>| -> std::collections::BTreeSet<String> {
        texts
            .iter()
            .flat_map(|text| text.split(|c: char| !c.is_alphabetic()))
            .filter(|word| word.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    let english = words(strings("en"));
    words(strings("fr"))
        .into_iter()
        .filter(|word| !english.contains(word))
        .collect()
}

#[test]
fn the_english_build_has_no_french_interface_text_outside_french_content() {
    use scraper::{Html, Node};
    let french = french_only_words();
    assert!(
        ["rencontres", "signatures", "comptes", "rendus", "tirage"]
            .iter()
            .filter(|word| french.contains(**word))
            .count()
            >= 3,
        "the word list is made of the French strings"
    );
    let out = tempfile::tempdir().unwrap();
    english_demo_built(out.path());
    let mut leftovers = Vec::new();
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(out.path()) {
        let entry = entry.unwrap();
        if entry.path().extension() != Some(OsStr::new("html")) {
            continue;
        }
        pages += 1;
        let rel = entry
            .path()
            .strip_prefix(out.path())
            .unwrap()
            .display()
            .to_string();
        let document = Html::parse_document(&std::fs::read_to_string(entry.path()).unwrap());
        for node in document.tree.nodes() {
            // The language a reader's screen reader would use for this node.
            let language = node
                .ancestors()
                .chain(std::iter::once(node))
                .filter_map(|n| n.value().as_element())
                .find_map(|element| element.attr("lang"));
            if language.is_some_and(|lang| lang.starts_with("fr")) {
                continue;
            }
            // Code, commands and file paths are the same in every language; the window
            // title and the head's links (a feed's name) say the page's or the site's title,
            // whose language is marked on the page itself.
            let in_code = node.ancestors().any(|n| {
                n.value().as_element().is_some_and(|e| {
                    matches!(
                        e.name(),
                        "script" | "style" | "code" | "pre" | "kbd" | "samp" | "title" | "head"
                    )
                })
            });
            let texts: Vec<String> = match node.value() {
                Node::Text(text) if !in_code => vec![text.to_string()],
                Node::Element(element) if !in_code => ["aria-label", "title", "alt", "placeholder"]
                    .iter()
                    .filter_map(|name| element.attr(name).map(str::to_owned))
                    .collect(),
                _ => continue,
            };
            for text in texts {
                // An address is the same in every language: its words are not counted.
                let words: Vec<&str> = text.split_whitespace().filter(|w| !w.contains("://")).collect();
                let words = words.join(" ");
                let found: Vec<&str> = words
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|word| french.contains(&word.to_lowercase()))
                    .collect();
                if !found.is_empty() {
                    leftovers.push(format!("{rel}: {found:?} in {:?}", text.trim()));
                }
            }
        }
    }
    assert!(pages > 100, "the whole demo was read ({pages} pages)");
    leftovers.sort();
    leftovers.dedup();
    assert!(
        leftovers.is_empty(),
        "French outside French content in the English build:\n{}",
        leftovers.join("\n")
    );
}
