//! Votes and participatory budgets in a real repository: ballots signed with real keys and
//! dated by commits, counted or refused with their reason, quorum and thresholds, paper
//! ballots, the open data, and `pnyx vote`.

use std::ffi::OsStr;

use serde_json::Value;

use super::fixture::{decode_entities, pnyx_env, row};
use super::repo::{day, GitSite, Key};

/// Three roots and a fourth member (certified by the roots on day 1), and two keys that are
/// not members. Builds run on 2026-11-17 (`SOURCE_DATE_EPOCH`).
struct Council {
    site: GitSite,
    members: Vec<Key>,
    outsiders: Vec<Key>,
}

impl Council {
    fn new() -> Council {
        let (site, members, outsiders) = super::repo::council(2);
        Council {
            site,
            members,
            outsiders,
        }
    }

    fn vote(&self, folder: &str, slug: &str, k: &Key, choice: &str) {
        self.site.sign(
            k,
            &format!("content/{folder}/{slug}.md"),
            &format!("pnyx/1 vote {choice}"),
            &format!("signatures/{folder}/{slug}/{}.minisig", k.id),
        );
    }

    fn data(&self, file: &str) -> Value {
        let out = self.site.build();
        let text = std::fs::read_to_string(out.join("data").join(file)).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

const CHARTER: &str = "---\ntitle: Adopter la charte ?\nmethod: majority\noptions: [yes, no, abstain]\nopens: 2026-10-05\ncloses: 2026-10-20\nelectorate: members\nquorum: 4\n---\nLa charte.\n";

#[test]
fn a_closed_majority_vote_is_adopted_and_refused_ballots_say_why() {
    let c = Council::new();
    c.site.write("content/votes/charte.md", CHARTER);
    c.site.commit(day(1), "the vote");
    // Before the opening (October 3rd).
    c.vote("votes", "charte", &c.members[2], "no");
    c.site.commit(day(2), "an early ballot");
    let m = &c.members;
    c.vote("votes", "charte", &m[0], "yes");
    c.vote("votes", "charte", &m[1], "yes");
    c.vote("votes", "charte", &m[2], "no");
    c.vote("votes", "charte", &m[3], "abstain");
    c.vote("votes", "charte", &c.outsiders[0], "yes");
    c.site.commit(day(10), "ballots");
    // After the close (October 26th): refused, listed.
    c.vote("votes", "charte", &c.outsiders[1], "yes");
    c.site.commit(day(25), "a late ballot");

    let data = c.data("votes.json");
    let v = row(&data, "charte");
    assert_eq!(v["outcome"], "adopted", "{v}");
    assert_eq!(v["phase"], "closed");
    assert_eq!(v["quorum"], 4);
    assert_eq!(v["quorum_met"], true);
    assert_eq!(v["ballots"]["members"], 4);
    assert_eq!(v["ballots"]["others"], 0);
    assert_eq!(v["scores"]["yes"], 2);
    assert_eq!(v["scores"]["no"], 1);
    assert_eq!(v["scores"]["abstain"], 1);
    assert_eq!(v["refused"], 2, "the outsider's and the late ballot");

    let page = decode_entities(&c.site.page("votes/charte/index.html"));
    assert!(page.contains("Adopté"), "the outcome is on the page");
    assert!(page.contains("clé non membre de la toile de confiance"));
    assert!(page.contains("arrivé après la clôture du vote"));
    assert!(page.contains("<svg"), "results drawn as a chart");
}

#[test]
fn a_tie_is_not_a_majority_and_two_thirds_is_exact() {
    let c = Council::new();
    c.site.write("content/votes/charte.md", CHARTER);
    c.site.write(
        "content/votes/statuts.md",
        &CHARTER
            .replace("Adopter la charte", "Changer les statuts")
            .replace("quorum: 4\n", "threshold: \"2/3\"\n"),
    );
    c.site.commit(day(1), "two votes");
    let m = &c.members;
    for (k, choice) in [(&m[0], "yes"), (&m[1], "no")] {
        c.vote("votes", "charte", k, choice);
    }
    // 2 yes, 1 no: exactly 2/3 of the votes cast, which is not *more* than 2/3.
    for (k, choice) in [(&m[0], "yes"), (&m[1], "yes"), (&m[2], "no")] {
        c.vote("votes", "statuts", k, choice);
    }
    c.site.commit(day(10), "ballots");
    let data = c.data("votes.json");
    assert_eq!(
        row(&data, "charte")["outcome"],
        "no-quorum",
        "2 ballots of the 4 needed"
    );
    assert_eq!(row(&data, "statuts")["outcome"], "rejected");
}

#[test]
fn a_quorum_share_counts_members_at_the_close() {
    let c = Council::new();
    c.site.write(
        "content/votes/charte.md",
        &CHARTER.replace("quorum: 4", "quorum: \"50 %\""),
    );
    c.site.commit(day(1), "the vote");
    c.vote("votes", "charte", &c.members[0], "yes");
    c.vote("votes", "charte", &c.members[1], "yes");
    c.site.commit(day(10), "two ballots: half of the four members");
    let data = c.data("votes.json");
    let v = row(&data, "charte");
    assert_eq!(v["quorum"], 2, "{v}");
    assert_eq!(v["outcome"], "adopted");
    // A member certified after the close changes neither the electorate nor the quorum.
    for r in &c.members[..3] {
        c.site.certify(r, &c.outsiders[0], "certify");
    }
    c.site.commit(day(30), "a fifth member, after the close");
    let data = c.data("votes.json");
    assert_eq!(row(&data, "charte")["quorum"], 2);
    assert_eq!(row(&data, "charte")["outcome"], "adopted");
}

#[test]
fn voting_again_replaces_the_ballot() {
    let c = Council::new();
    c.site.write(
        "content/votes/charte.md",
        CHARTER.replace("quorum: 4\n", "").as_str(),
    );
    c.site.commit(day(1), "the vote");
    c.vote("votes", "charte", &c.members[0], "no");
    c.site.commit(day(8), "a ballot");
    c.vote("votes", "charte", &c.members[0], "yes");
    c.site.commit(day(9), "changed my mind");
    let data = c.data("votes.json");
    let v = row(&data, "charte");
    assert_eq!(v["scores"]["yes"], 1, "{v}");
    assert_eq!(v["scores"]["no"], 0);
    assert_eq!(v["ballots"]["members"], 1);
}

#[test]
fn paper_ballots_count_once_a_member_attests_them() {
    let c = Council::new();
    c.site.write(
        "content/votes/jour.md",
        "---\ntitle: Quel jour ?\nmethod: dates\noptions: [\"2027-01-05\", \"2027-01-06\"]\nopens: 2026-10-05\ncloses: 2026-10-20\n---\nCochez.\n",
    );
    c.site.commit(day(1), "a poll");
    c.vote("votes", "jour", &c.outsiders[0], "2027-01-05,2027-01-06");
    c.vote("votes", "jour", &c.members[0], "2027-01-06");
    let batch = "signatures/paper/votes/jour/pleniere.yaml";
    c.site.write(
        batch,
        "place: \"Plénière\"\ndate: 2026-10-10\ncollector: \"Gigi\"\ncount: 5\nballots:\n  \"2027-01-05\": 3\n  \"2027-01-05,2027-01-06\": 2\n",
    );
    // A batch whose lines do not add up to its count is not counted, even attested.
    let wrong = "signatures/paper/votes/jour/marche.yaml";
    c.site.write(
        wrong,
        "place: \"Marché\"\ndate: 2026-10-11\ncollector: \"Gigi\"\ncount: 4\nballots:\n  \"2027-01-06\": 3\n",
    );
    c.site.commit(day(10), "ballots and paper");
    let data = c.data("votes.json");
    assert_eq!(row(&data, "jour")["ballots"]["paper"], 0, "not attested yet");

    for (b, n) in [(batch, 5), (wrong, 4)] {
        let at = b.replace(".yaml", &format!(".{}.minisig", c.members[1].id));
        c.site.sign(&c.members[1], b, &format!("pnyx/1 attest {n}"), &at);
    }
    c.site.commit(day(12), "attested");
    let data = c.data("votes.json");
    let v = row(&data, "jour");
    assert_eq!(v["ballots"]["paper"], 5, "{v}");
    assert_eq!(v["ballots"]["members"], 1);
    assert_eq!(v["ballots"]["others"], 1);
    assert_eq!(v["scores"]["2027-01-05"], 6);
    assert_eq!(v["scores"]["2027-01-06"], 4);
    assert_eq!(v["ranking"], serde_json::json!(["2027-01-05", "2027-01-06"]));
    let page = decode_entities(&c.site.page("votes/jour/index.html"));
    assert!(
        page.contains("ses bulletins font 3 en tout, mais elle en compte 4"),
        "{page}"
    );
}

#[test]
fn ranked_and_judgment_votes_publish_their_ranking() {
    let c = Council::new();
    c.site.write(
        "content/votes/nom.md",
        "---\ntitle: Quel nom ?\nmethod: ranked\noptions: [a, b, c]\nopens: 2026-10-05\ncloses: 2026-10-20\n---\nClassez.\n",
    );
    c.site.write(
        "content/votes/priorites.md",
        "---\ntitle: Priorités\nmethod: judgment\noptions: [bus, velo]\ngrades: [bien, passable, insuffisant]\nopens: 2026-10-05\ncloses: 2026-10-20\n---\nJugez.\n",
    );
    c.site.commit(day(1), "two votes");
    let keys: Vec<&Key> = c.members.iter().chain(&c.outsiders).collect();
    // b is everyone's second choice but beats a and c head to head.
    let rankings = ["a>b>c", "a>b>c", "c>b>a", "c>b>a", "b>a=c", "b"];
    for (k, r) in keys.iter().zip(rankings) {
        c.vote("votes", "nom", k, r);
    }
    // bus: bien, bien, passable, insuffisant → majority grade passable (lower median).
    // velo: bien, passable, passable, insuffisant → passable too; after removing one
    // passable each, bus has {bien, bien, insuffisant} (median bien) and velo
    // {bien, passable, insuffisant} (median passable): bus wins the tie-break.
    let grades = [
        "bus=bien,velo=bien",
        "bus=bien,velo=passable",
        "bus=passable,velo=passable",
        "bus=insuffisant,velo=insuffisant",
        "bus=mauvais",
    ];
    for (k, g) in keys.iter().zip(grades) {
        c.vote("votes", "priorites", k, g);
    }
    c.site.commit(day(10), "ballots");
    let data = c.data("votes.json");
    let nom = row(&data, "nom");
    assert_eq!(nom["outcome"], "ranked");
    assert_eq!(nom["ranking"][0], "b", "{nom}");
    let p = row(&data, "priorites");
    assert_eq!(p["ranking"], serde_json::json!(["bus", "velo"]), "{p}");
    assert_eq!(p["scores"]["bus"], "passable");
    assert_eq!(p["refused"], 1, "an unknown grade");
    let page = decode_entities(&c.site.page("votes/priorites/index.html"));
    assert!(page.contains("«\u{a0}mauvais\u{a0}» n’est pas une mention de ce vote"));
}

#[test]
fn a_vote_that_misses_its_quorum_names_no_winner() {
    let c = Council::new();
    c.site.write(
        "content/votes/nom.md",
        "---\ntitle: Quel nom ?\nmethod: ranked\noptions: [a, b, c]\nopens: 2026-10-05\ncloses: 2026-10-20\nquorum: 10\n---\nClassez.\n",
    );
    c.site.commit(day(1), "a vote");
    for k in c.members.iter().take(3) {
        c.vote("votes", "nom", k, "a>b>c");
    }
    c.site.commit(day(10), "ballots");
    let data = c.data("votes.json");
    let nom = row(&data, "nom");
    assert_eq!(nom["outcome"], "no-quorum");
    // The count is published, so anyone can check the quorum was missed…
    assert_eq!(nom["ballots"]["members"], 3);
    assert_eq!(nom["scores"]["a"], 2, "a beats b and c");
    // …but no ranking, and no option is shown as the winner.
    assert_eq!(nom["ranking"], serde_json::json!([]), "{nom}");
    assert_eq!(nom["ranks"], serde_json::json!({}), "{nom}");
    let page = c.site.page("votes/nom/index.html");
    assert!(!page.contains("class=\"is-winner\""), "a winner is highlighted");
    let decisions = c.site.page("decisions/index.html");
    assert!(
        !decisions.contains("En tête"),
        "the decisions card names a winner"
    );
}

const BUDGET: &str = "---\ntitle: Budget 2027\ntotal: 100\nopens: 2026-10-05\ncloses: 2026-10-20\nelectorate: anyone\n---\nChoisissez.\n";

fn project(slug: &str, cost: u64) -> (String, String) {
    (
        format!("content/initiatives/{slug}.md"),
        format!("---\ntitle: Projet {slug}\nkind: project\npole: logement\nbudget: b\ncost: {cost}\n---\nTexte.\n"),
    )
}

#[test]
fn a_budget_shows_both_rules_and_they_differ_where_a_majority_would_take_all() {
    let c = Council::new();
    c.site.write("content/budgets/b.md", BUDGET);
    for (path, text) in [
        project("grand-a", 50),
        project("grand-b", 50),
        project("petit", 40),
    ] {
        c.site.write(&path, &text);
    }
    c.site.commit(day(1), "a budget");
    // Four voters want the two big projects, two want the small one.
    let keys: Vec<&Key> = c.members.iter().chain(&c.outsiders).collect();
    for k in &keys[..4] {
        c.vote("budgets", "b", k, "grand-a,grand-b");
    }
    for k in &keys[4..] {
        c.vote("budgets", "b", k, "petit");
    }
    c.site.commit(day(10), "ballots");
    let data = c.data("budgets.json");
    let b = row(&data, "b");
    assert_eq!(
        b["rules"]["greedy"],
        serde_json::json!(["grand-a", "grand-b"]),
        "{b}"
    );
    // Equal shares: 100/6 each. The four pay 50 for grand-a (12.5 each) and have 4.17 each
    // left, not enough for grand-b; the two pay 33.33 < 40 for petit... until the add-one
    // completion raises each share one unit at a time: at 20.67 each, the two can pay for petit.
    assert_eq!(
        b["rules"]["equal-shares"],
        serde_json::json!(["grand-a", "petit"]),
        "{b}"
    );
    assert_eq!(
        b["selected"], b["rules"]["equal-shares"],
        "equal shares is the default rule"
    );
    assert_eq!(b["spent"], 90);
    // The decisions card of the closed budget says what it decided.
    let decisions = c.site.page("decisions/index.html");
    assert!(
        decisions.contains("<strong>2 projets financés</strong>"),
        "{decisions}"
    );
    // Each project's page says where it stands, not how many signed it.
    let petit = decode_entities(&c.site.page("initiatives/petit/index.html"));
    assert!(
        petit.contains("Financé") && petit.contains("approbations"),
        "{petit}"
    );
    let page = decode_entities(&c.site.page("budgets/b/index.html"));
    assert!(page.contains("Les deux règles ne financent pas les mêmes projets"));
    assert!(page.contains("Ses soutiens ont pu le payer ensemble"));
}

#[test]
fn a_budget_ballot_over_its_limits_is_refused() {
    let c = Council::new();
    c.site.write(
        "content/budgets/b.md",
        &BUDGET.replace("electorate: anyone\n", "max_projects: 1\n"),
    );
    for (path, text) in [project("un", 10), project("deux", 20)] {
        c.site.write(&path, &text);
    }
    c.site.commit(day(1), "a budget");
    c.vote("budgets", "b", &c.members[0], "un,deux");
    c.vote("budgets", "b", &c.members[1], "trois");
    c.vote("budgets", "b", &c.members[2], "deux");
    c.site.commit(day(10), "ballots");
    let data = c.data("budgets.json");
    let b = row(&data, "b");
    assert_eq!(b["ballots"]["members"], 1, "{b}");
    let page = decode_entities(&c.site.page("budgets/b/index.html"));
    assert!(page.contains("plus de 1 projets"), "too many projects");
    assert!(page.contains("«\u{a0}trois\u{a0}» n’est pas une option de ce vote"));
}

/// `pnyx vote` with a key file, at the build's reference time.
fn pnyx_vote(c: &Council, k: &Key, args: &[&str]) -> super::fixture::Run {
    let keys = tempfile::tempdir().unwrap();
    let secret = k.secret_file(keys.path());
    let mut all: Vec<&OsStr> = vec![OsStr::new("vote")];
    all.extend(args.iter().map(OsStr::new));
    all.extend([
        OsStr::new("--root"),
        c.site.root().as_os_str(),
        OsStr::new("--secret-key"),
        secret.as_os_str(),
    ]);
    pnyx_env(all, &[])
}

#[test]
fn pnyx_vote_writes_a_ballot_that_counts_and_refuses_one_that_would_not() {
    let c = Council::new();
    c.site.write(
        "content/votes/charte.md",
        &CHARTER.replace("closes: 2026-10-20", "closes: 2026-12-20"),
    );
    c.site.commit(day(1), "an open vote");
    let run = pnyx_vote(&c, &c.members[0], &["charte", "oui"]);
    assert!(!run.succeeded(), "{run}");
    assert!(run.stderr.contains("`oui` is not one of the options"), "{run}");
    assert!(
        run.stderr.contains("yes, no, abstain"),
        "the hint lists the choices: {run}"
    );
    let run = pnyx_vote(&c, &c.members[0], &["charte", "yes,no"]);
    assert!(run.stderr.contains("exactly one choice"), "{run}");

    pnyx_vote(&c, &c.members[0], &["votes/charte", "yes"]).assert_ok();
    let path = format!("signatures/votes/charte/{}.minisig", c.members[0].id);
    let text = String::from_utf8(c.site.read(&path)).unwrap();
    assert!(
        text.contains("trusted comment: pnyx/1 vote content/votes/charte.md yes"),
        "{text}"
    );
    let data = c.data("votes.json");
    let v = row(&data, "charte");
    assert_eq!(v["scores"]["yes"], 1, "{v}");
    assert_eq!(v["outcome"], "open");

    // A closed vote takes no ballot.
    c.site.write("content/votes/close.md", CHARTER);
    c.site.commit(day(2), "a closed vote");
    let run = pnyx_vote(&c, &c.members[0], &["close", "yes"]);
    assert!(run.stderr.contains("a ballot cast now would not count"), "{run}");
}
