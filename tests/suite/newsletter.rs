//! `pnyx newsletter` in a real repository: the letter since a commit lists exactly what came
//! after it, its `.eml` reads with Python's `email` package into a plain-text and an HTML part,
//! its copy goes to the site's archive, and a revision that is not on the branch is refused.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::fixture::{missing_tool, pnyx_env};
use super::repo::{day, GitSite};

fn initiative(title: &str) -> String {
    format!("---\ntitle: {title}\nkind: regulation\npole: logement\ngoal: 100\nopens: 2026-10-01\ncloses: 2026-12-31\n---\nLe texte de {title}.\n")
}

/// A site where the initiatives Alpha, Bravo and Charlie came on days 1, 3 and 5, minutes on
/// day 5 and a meeting ahead; returns it and the id of the day-3 commit.
fn council() -> (GitSite, String) {
    let site = GitSite::new("email: conseil@example.org\ntimezone: Europe/Paris\n");
    site.write("content/initiatives/alpha.md", &initiative("Alpha"));
    site.commit(day(1), "Alpha");
    site.write("content/initiatives/bravo.md", &initiative("Bravo"));
    site.commit(day(3), "Bravo");
    let rev = site.tip().to_string();
    site.write(
        "content/initiatives/charlie.md",
        &initiative("Charlie <i>libre</i>"),
    );
    site.write(
        "content/minutes/reunion.md",
        "---\ntitle: Compte rendu de la réunion\ndate: 2026-10-05\n---\nOn a parlé.\n",
    );
    site.write(
        "content/meetings/assemblee.md",
        "---\ntitle: Assemblée de fin novembre\nstart: 2026-11-28T14:00:00+01:00\nplace:\n  name: Salle A\npole: logement\n---\nVenez.\n",
    );
    site.commit(day(5), "Charlie, minutes, a meeting");
    (site, rev)
}

fn newsletter(site: &GitSite, args: &[&str], out: &Path) -> super::fixture::Run {
    let mut all: Vec<&OsStr> = vec![OsStr::new("newsletter")];
    all.extend(args.iter().map(OsStr::new));
    all.extend([
        OsStr::new("--root"),
        site.root().as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    pnyx_env(all, &[])
}

/// What Python's email package reads in `eml`; `None` when python3 is missing.
fn read_eml(eml: &Path) -> Option<Value> {
    let available = Command::new("python3").arg("--version").output().is_ok();
    if missing_tool(available, "python3", "apt-get install python3") {
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eml_check.py");
    let run = Command::new("python3").arg(script).arg(eml).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    Some(serde_json::from_slice(&run.stdout).unwrap())
}

#[test]
fn the_newsletter_since_a_commit_lists_exactly_what_came_after_it() {
    let (site, rev) = council();
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("lettre.eml");
    let run = newsletter(&site, &["--since", &rev], &eml);
    run.assert_ok();
    assert!(run.stderr.contains("next: send"), "{run}");
    let archive = String::from_utf8(site.read("content/newsletters/2026-11-18.md")).unwrap();
    assert!(archive.contains("Charlie"), "{archive}");
    assert!(archive.contains("Compte rendu de la réunion"), "{archive}");
    assert!(
        archive.contains("Assemblée de fin novembre"),
        "the coming meeting: {archive}"
    );
    assert!(
        !archive.contains("Alpha") && !archive.contains("Bravo"),
        "nothing before the commit: {archive}"
    );
    assert!(archive.contains(&format!("since: \"{rev}\"")));
    // Markup in a title stays text in the archive's markdown.
    assert!(archive.contains("\\<i\\>libre\\</i\\>"), "{archive}");
    let Some(mail) = read_eml(&eml) else {
        return;
    };
    assert_eq!(mail["type"], "multipart/alternative");
    assert_eq!(mail["mime_version"], "1.0");
    assert_eq!(mail["defects"], serde_json::json!([]));
    let types: Vec<&str> = mail["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["multipart/alternative", "text/plain", "text/html"]);
    assert!(mail["parts"][1]["charset"] == "utf-8" && mail["parts"][2]["charset"] == "utf-8");
    assert_eq!(mail["subject"], "T\u{a0}: la lettre du mercredi 18 novembre 2026");
    assert_eq!(mail["from"], "T <conseil@example.org>");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("Nouvelle initiative\u{a0}: Charlie <i>libre</i>"),
        "{text}"
    );
    assert!(text.contains("https://example.org/initiatives/charlie/"));
    assert!(!text.contains("Bravo"));
    let html = mail["html"].as_str().unwrap();
    assert!(
        html.contains("Charlie &lt;i&gt;libre&lt;&#x2F;i&gt;"),
        "escaped in the HTML part: {html}"
    );
    assert!(!html.contains("<i>libre"));
    // The archive copy is published with the site.
    let out = site.build();
    let page = std::fs::read_to_string(out.join("newsletters/2026-11-18/index.html")).unwrap();
    assert!(page.contains("Charlie"));
    assert!(std::fs::read_to_string(out.join("newsletters/index.html"))
        .unwrap()
        .contains("2026-11-18"));
}

#[test]
fn a_newsletter_since_a_date_starts_at_its_midnight() {
    let (site, _) = council();
    let dir = tempfile::tempdir().unwrap();
    newsletter(&site, &["--since", "2026-10-04"], &dir.path().join("l.eml")).assert_ok();
    let archive = String::from_utf8(site.read("content/newsletters/2026-11-18.md")).unwrap();
    assert!(
        archive.contains("Bravo") && archive.contains("Charlie") && !archive.contains("Alpha"),
        "{archive}"
    );
}

#[test]
fn a_newsletter_since_a_commit_off_the_branch_is_refused_with_what_to_give() {
    let (site, _) = council();
    site.branch("side");
    site.write("content/initiatives/delta.md", &initiative("Delta"));
    site.commit(day(6), "on a side branch");
    let side = site.tip().to_string();
    site.switch("main");
    let dir = tempfile::tempdir().unwrap();
    let run = newsletter(&site, &["--since", &side], &dir.path().join("l.eml"));
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("not on the first-parent history"), "{run}");
    let run = newsletter(&site, &["--since", "hier"], &dir.path().join("l.eml"));
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("YYYY-MM-DD"), "{run}");
    assert!(!dir.path().join("l.eml").exists(), "nothing written");
}

#[test]
fn pnyx_new_newsletter_says_which_command_writes_one() {
    let (site, _) = council();
    let run = pnyx_env(
        [
            OsStr::new("new"),
            OsStr::new("newsletter"),
            OsStr::new("Lettre"),
            OsStr::new("--root"),
            site.root().as_os_str(),
        ],
        &[],
    );
    assert_eq!(run.code, Some(1), "a mistake, not a failure to run: {run}");
    assert!(run.stderr.contains("pnyx newsletter --since"), "{run}");
    assert!(
        !site.root().join("content/newsletters").exists(),
        "nothing written"
    );
}
