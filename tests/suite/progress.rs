//! The follow-up of decisions (`content/progress/<initiative>.md`): shown on its initiative,
//! its done steps in the feeds, in a file of its own so the text citizens signed never changes;
//! a follow-up of nothing, or past 100 %, is an error at its line.

use serde_json::Value;

use super::fixture::{assert_rejected, decode_entities};
use super::repo::day;

const INITIATIVE: &str = "---\ntitle: Bus gratuits\nkind: regulation\npole: logement\ngoal: 1\n\
    opens: 2026-10-01\ncloses: 2026-12-31\n---\nLe texte.\n";

const FOLLOW_UP: &str = "---\npercent: 40\nsteps:\n  - title: Vote du conseil municipal\n    date: 2026-10-20\n    status: done\n    minutes: conseil\n  - title: Premières lignes gratuites\n    date: 2027-01-15\n    status: planned\n---\nLe conseil municipal a voté le vœu.\n";

#[test]
fn a_follow_up_shows_on_its_initiative_and_its_done_steps_are_news_without_touching_the_signed_text() {
    let (site, members, _) = super::repo::council(0);
    site.write("content/initiatives/bus.md", INITIATIVE);
    site.write(
        "content/minutes/conseil.md",
        "---\ntitle: Conseil municipal du 20 octobre\ndate: 2026-10-20\n---\nLe vœu est voté.\n",
    );
    site.commit(day(1), "an initiative");
    site.sign(
        &members[0],
        "content/initiatives/bus.md",
        "pnyx/1 support",
        &format!("signatures/initiatives/bus/{}.minisig", members[0].id),
    );
    site.commit(day(2), "a signature: the goal is reached");
    site.write("content/progress/bus.md", FOLLOW_UP);
    site.commit(day(25), "the follow-up");
    let out = site.build();
    let page = decode_entities(&std::fs::read_to_string(out.join("initiatives/bus/index.html")).unwrap());
    assert!(
        page.contains("Suivi de la décision") && page.contains("Réalisé à 40\u{202f}%"),
        "{page}"
    );
    assert!(page.contains("Vote du conseil municipal") && page.contains("Premières lignes gratuites"));
    assert!(page.contains("/minutes/conseil/"), "the step links its minutes");
    // The signature still counts for the current text: the follow-up is not in the signed file.
    let data: Value =
        serde_json::from_slice(&std::fs::read(out.join("data/initiatives.json")).unwrap()).unwrap();
    assert_eq!(super::fixture::row(&data, "bus")["supporters"]["total"], 1);
    // The done step is news at its date; the planned one is not news yet.
    let feed = std::fs::read_to_string(out.join("feeds/initiatives/bus.atom")).unwrap();
    assert!(feed.contains("https://example.org/initiatives/bus/#etape-vote-du-conseil-municipal"));
    assert!(
        feed.contains("<updated>2026-10-19T22:00:00+00:00</updated>"),
        "{feed}"
    );
    assert!(!feed.contains("etape-premieres-lignes-gratuites"));
}

#[test]
fn a_follow_up_of_no_initiative_or_past_100_percent_is_an_error_at_its_line() {
    let (site, _, _) = super::repo::council(0);
    site.write("content/initiatives/bus.md", INITIATIVE);
    site.write(
        "content/progress/metro.md",
        &FOLLOW_UP.replace("    minutes: conseil\n", ""),
    );
    site.write(
        "content/progress/bus.md",
        &FOLLOW_UP
            .replace("percent: 40", "percent: 140")
            .replace("    minutes: conseil\n", ""),
    );
    let out = tempfile::tempdir().unwrap();
    let run = super::fixture::build(site.root(), out.path());
    assert_rejected(
        &run,
        "content/progress/metro.md",
        "there is no initiative `metro`",
    );
    assert_rejected(&run, "content/progress/bus.md", "a percentage is at most 100");
    // Both at the value of `percent`, line 2, column 10.
    assert!(run.stderr.contains("content/progress/metro.md:2:10: "), "{run}");
    assert!(run.stderr.contains("content/progress/bus.md:2:10: "), "{run}");
}
