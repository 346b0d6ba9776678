//! The Atom feeds: read by an independent parser (feedparser), with the same ids build after
//! build, dated from git, each milestone of an initiative at the signature that crossed it,
//! and a contribution's markup reaching a feed reader as text.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::fixture::missing_tool;
use super::repo::{day, GitSite};

/// Runs tests/feeds_check.py on the feeds of `out`. `None` when python3 or feedparser is
/// missing (and allowed to be).
fn read_feeds(out: &Path) -> Option<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/feeds_check.py");
    let available = Command::new("python3")
        .args(["-c", "import feedparser"])
        .output()
        .is_ok_and(|o| o.status.success());
    if missing_tool(available, "python3 with feedparser", "pip install feedparser") {
        return None;
    }
    let run = Command::new("python3").arg(script).arg(out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    Some(serde_json::from_slice(&run.stdout).unwrap())
}

fn titles(feed: &Value) -> Vec<String> {
    feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn feeds_read_with_an_independent_parser_and_keep_their_ids_across_builds() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    super::reading::demo_built(first.path());
    super::reading::demo_built(second.path());
    let Some(read) = read_feeds(first.path()) else {
        return;
    };
    let again = read_feeds(second.path()).unwrap();
    assert_eq!(read["ids"], again["ids"], "entry ids are the same in two builds");
    let feeds = read["feeds"].as_object().unwrap();
    for (path, feed) in feeds {
        assert_eq!(feed["bozo"], false, "{path} is well-formed Atom");
        assert_eq!(feed["version"], "atom10", "{path}");
        for e in feed["entries"].as_array().unwrap() {
            assert!(
                e["link"].as_str().unwrap().starts_with("https://example.org/"),
                "{path}: {e}"
            );
            assert!(
                e["id"].as_str().unwrap().starts_with("https://example.org/"),
                "{path}: {e}"
            );
        }
    }
    // The site, each pole, each group and each initiative has one.
    for path in [
        "feeds/all.atom",
        "feeds/poles/transports-et-mobilite.atom",
        "feeds/groups/se-deplacer-sans-voiture.atom",
        "feeds/initiatives/gratuite-des-bus.atom",
    ] {
        assert!(feeds.contains_key(path), "{path}");
    }
    let site = titles(&feeds["feeds/all.atom"]);
    assert!(site
        .iter()
        .any(|t| t.starts_with("Vote clos\u{a0}: Transports et mobilité")));
    assert!(site.iter().any(|t| t.starts_with("Tirage au sort effectué")));
    assert!(site.iter().any(|t| t.starts_with("Compte rendu publié")));
    assert!(site.iter().any(|t| t.starts_with("Décision de modération")));
    let closed = feeds["feeds/all.atom"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "https://example.org/votes/nom-de-la-lettre-d-information/#closed")
        .expect("the closed vote is news");
    assert!(
        closed["summary"].as_str().unwrap().contains("Place publique"),
        "{closed}"
    );
    // The garden initiative passed its goal (with its paper batch).
    let garden = titles(&feeds["feeds/initiatives/jardins-partages.atom"]);
    assert!(
        garden.iter().any(|t| t.starts_with("Objectif atteint")),
        "{garden:?}"
    );
    assert!(
        garden.iter().any(|t| t.contains("50\u{202f}% de l’objectif")),
        "{garden:?}"
    );
    // The hidden personal attack is in no feed; its moderation decision is.
    let all = serde_json::to_string(&read).unwrap();
    assert!(
        !all.contains("#c-05b-anonyme"),
        "a hidden contribution is in a feed"
    );
    assert!(
        !all.contains("tu ferais mieux de te taire"),
        "a hidden text is in a feed"
    );
    assert!(
        all.contains("moderation/#m-2026-11-10-masquer-05b-anonyme"),
        "the decision is news"
    );
    // The pages say where to follow.
    let page = std::fs::read_to_string(first.path().join("poles/transports-et-mobilite/index.html")).unwrap();
    assert!(page.contains("type=\"application/atom+xml\""));
    assert!(page.contains("feeds&#x2F;poles&#x2F;transports-et-mobilite.atom"));
}

const INITIATIVE: &str = "---\ntitle: Bus <b>gratuits</b>\nkind: project\npole: logement\ngoal: 4\n\
    opens: 2026-10-01\ncloses: 2026-12-31\n---\nLe texte.\n";

#[test]
fn an_initiative_feed_dates_each_milestone_by_the_signature_that_crossed_it() {
    let (site, members, others) = super::repo::council(2);
    site.write("content/initiatives/bus.md", INITIATIVE);
    site.write(
        "content/initiatives/bus/01-a.md",
        "---\nauthor: Anne\ndate: 2026-10-02T10:00:00+02:00\n---\n<script>alert(1)</script> **Oui** & bravo.\n",
    );
    site.commit(day(1), "an initiative with a goal of 4");
    for (n, k) in [&members[0], &others[0], &members[1]].into_iter().enumerate() {
        site.sign(
            k,
            "content/initiatives/bus.md",
            "pnyx/1 support",
            &format!("signatures/initiatives/bus/{}.minisig", k.id),
        );
        site.commit(day(3 + 2 * n as i64), "a signature");
    }
    let out = site.build();
    let Some(read) = read_feeds(&out) else {
        return;
    };
    let feed = &read["feeds"]["feeds/initiatives/bus.atom"];
    let entry = |id: &str| -> Value {
        feed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == format!("https://example.org/initiatives/bus/#{id}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    // 25 % is the first signature (day 3), 50 % the second (day 5), 75 % the third (day 7);
    // the goal is not reached.
    assert_eq!(entry("goal-25")["updated"], "2026-10-04T12:00:00+00:00");
    assert_eq!(entry("goal-50")["updated"], "2026-10-06T12:00:00+00:00");
    assert_eq!(entry("goal-75")["updated"], "2026-10-08T12:00:00+00:00");
    assert_eq!(entry("goal-100"), Value::Null, "not reached");
    assert_eq!(entry("published")["updated"], "2026-10-02T12:00:00+00:00");
    // Titles and contributions are text for a feed reader, never markup.
    assert_eq!(
        entry("published")["title"],
        "Nouvelle initiative\u{a0}: Bus <b>gratuits</b>"
    );
    let contribution = entry("c-01-a");
    assert_eq!(
        contribution["title"],
        "Anne a contribué\u{a0}: Bus <b>gratuits</b>"
    );
    let summary = contribution["summary"].as_str().unwrap();
    assert!(!summary.contains("<script"), "{summary}");
    let raw = std::fs::read_to_string(out.join("feeds/initiatives/bus.atom")).unwrap();
    assert!(!raw.contains("<script") && !raw.contains("<b>"), "{raw}");
}

#[test]
fn feeds_without_git_history_still_parse() {
    let site = GitSite::new("");
    site.write("content/initiatives/bus.md", INITIATIVE);
    let out = tempfile::tempdir().unwrap();
    super::fixture::build(site.root(), out.path()).assert_ok();
    let Some(read) = read_feeds(out.path()) else {
        return;
    };
    assert_eq!(read["feeds"]["feeds/all.atom"]["bozo"], false);
}
