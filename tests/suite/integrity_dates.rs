//! "Dates do not go back" (SPEC §4 "Integrity"): whoever pushes to the branch writes the
//! committer dates, so a commit dated before its parent takes its parent's date and one dated
//! after the build's reference time takes that time. Each test is named after the attack it
//! stops, on a real repository with real signatures; builds run on 2026-11-18
//! (`SOURCE_DATE_EPOCH`).

use std::ffi::OsStr;
use std::path::PathBuf;

use serde_json::Value;

use super::fixture::{build, decode_entities, location, pnyx, read_tree, Run};
use super::repo::{council, day, GitSite, Key};

const BUS: &str = "content/initiatives/bus.md";

/// `bus` closes on 2026-10-10 (day 9), goal 3.
const CLOSES_OCTOBER_10: &str =
    "---\ntitle: Bus gratuits\nkind: project\npole: logement\ncloses: 2026-10-10\ngoal: 3\n---\nDes bus gratuits.\n";

/// 2026-11-18 11:06:40 UTC, the builds' reference time, as notes print it.
const REFERENCE: &str = "2026-11-18 11:06:40 UTC";

/// A site with the initiative `bus` (`text`) and three keys, not committed yet.
struct Initiative {
    site: GitSite,
    keys: Vec<Key>,
}

impl std::ops::Deref for Initiative {
    type Target = GitSite;
    fn deref(&self) -> &GitSite {
        &self.site
    }
}

impl Initiative {
    fn new(text: &str) -> Initiative {
        let site = GitSite::new("");
        site.write(BUS, text);
        let keys: Vec<Key> = (0..3).map(|_| Key::new()).collect();
        for k in &keys {
            site.add_key(k, "");
        }
        Initiative { site, keys }
    }

    fn support(&self, i: usize) {
        let k = &self.keys[i];
        self.sign(
            k,
            BUS,
            "pnyx/1 support",
            &format!("signatures/initiatives/bus/{}.minisig", k.id),
        );
    }

    /// A free page, to have a commit that changes something else.
    fn page(&self, slug: &str) {
        self.write(
            &format!("content/pages/{slug}.md"),
            &format!("---\ntitle: {slug}\n---\nTexte.\n"),
        );
    }
}

/// Builds into `public/`, which must succeed.
fn built(site: &GitSite) -> (Run, PathBuf) {
    let out = site.root().join("public");
    let run = build(site.root(), &out);
    run.assert_ok();
    (run, out)
}

fn data(out: &std::path::Path, file: &str, slug: &str) -> Value {
    let all: Value = serde_json::from_slice(&std::fs::read(out.join("data").join(file)).unwrap()).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} is not in {all}"))
        .clone()
}

fn short(id: git2::Oid) -> String {
    id.to_string()[..7].to_string()
}

/// 2026-10-01 + `n` days at noon UTC, as notes print it.
fn utc(n: i64) -> String {
    chrono::DateTime::from_timestamp(day(n), 0)
        .unwrap()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// The build's note on the commit `id` with summary `summary`.
#[track_caller]
fn assert_note(run: &Run, id: git2::Oid, summary: &str, says: &str) {
    let start = format!("note: commit {} (\"{summary}\") is dated ", short(id));
    let line = run.stderr.lines().find(|l| l.starts_with(&start));
    let line = line.unwrap_or_else(|| panic!("no note on {summary:?}:\n{run}"));
    assert!(line.contains(says), "{line}");
}

#[test]
fn a_backdated_direct_push_cannot_count_a_late_support() {
    let s = Initiative::new(CLOSES_OCTOBER_10);
    s.commit(day(0), "the initiative");
    s.support(0);
    s.support(1);
    s.commit(day(5), "two supports before the close");
    s.page("apres");
    s.commit(day(12), "a page, after the close");
    // Pushed straight to main after the close, with a committer date before it.
    s.support(2);
    s.commit(day(6), "a late support dated before the close");
    let late = s.tip();

    let (run, out) = built(&s);
    let bus = data(&out, "initiatives.json", "bus");
    assert_eq!(
        bus["supporters"]["total"], 2,
        "the late support is not counted: {bus}"
    );
    assert_eq!(bus["reached"], false);
    assert_note(
        &run,
        late,
        "a late support dated before the close",
        &format!(
            "is dated {}, before its parent ({}): its files count from {}",
            utc(6),
            utc(12),
            utc(12)
        ),
    );
    assert_eq!(run.stderr.matches("note: commit").count(), 1, "{run}");
    let page = std::fs::read_to_string(out.join("initiatives/bus/index.html")).unwrap();
    assert!(
        page.contains(&s.keys[2].id.to_string()),
        "the late support is listed: {page}"
    );
}

#[test]
fn a_fast_forwarded_backdated_commit_cannot_count_a_late_ballot() {
    let (site, m, _) = council(0);
    site.write(
        "content/votes/charte.md",
        "---\ntitle: Adopter la charte ?\nmethod: majority\noptions: [yes, no, abstain]\nopens: 2026-10-05\ncloses: 2026-10-20\n---\nLa charte.\n",
    );
    site.commit(day(1), "the council and the vote");
    let vote = |k: &Key, choice: &str| {
        site.sign(
            k,
            "content/votes/charte.md",
            &format!("pnyx/1 vote {choice}"),
            &format!("signatures/votes/charte/{}.minisig", k.id),
        )
    };
    vote(&m[0], "yes");
    vote(&m[1], "yes");
    site.commit(day(10), "two ballots");
    site.write("content/pages/apres.md", "---\ntitle: Après\n---\nTexte.\n");
    site.commit(day(25), "a page, after the close");
    // A side branch whose commit is dated before the close, then main fast-forwarded to it.
    site.branch("late");
    vote(&m[2], "no");
    site.commit(day(15), "a late ballot dated before the close");
    let late = site.tip();
    site.fast_forward("main", "late");

    let (run, out) = built(&site);
    let v = data(&out, "votes.json", "charte");
    assert_eq!(v["phase"], "closed", "{v}");
    assert_eq!(v["ballots"]["members"], 2, "{v}");
    assert_eq!(v["scores"]["no"], 0, "{v}");
    assert_eq!(v["refused"], 1, "the late ballot: {v}");
    assert_eq!(v["outcome"], "adopted", "{v}");
    assert_note(
        &run,
        late,
        "a late ballot dated before the close",
        &format!(
            "before its parent ({}): its files count from {}",
            utc(25),
            utc(25)
        ),
    );
}

#[test]
fn a_backdated_merge_commit_cannot_count_a_late_support() {
    let s = Initiative::new(CLOSES_OCTOBER_10);
    s.commit(day(0), "the initiative");
    s.support(0);
    s.support(1);
    s.commit(day(5), "two supports before the close");
    s.branch("side");
    s.support(2);
    s.commit(day(6), "a support on a branch");
    s.switch("main");
    s.page("apres");
    s.commit(day(12), "a page, after the close");
    // Merged after the close by someone who dated the merge commit before it.
    let merge = s.merge("side", day(8), "Merge branch 'side'");

    let (run, out) = built(&s);
    let bus = data(&out, "initiatives.json", "bus");
    assert_eq!(bus["supporters"]["total"], 2, "{bus}");
    assert_note(
        &run,
        merge,
        "Merge branch 'side'",
        &format!("is dated {}, before its parent ({})", utc(8), utc(12)),
    );
}

#[test]
fn a_commit_dated_in_the_future_takes_the_reference_time() {
    let s = Initiative::new(&CLOSES_OCTOBER_10.replace("closes: 2026-10-10", "closes: 2026-12-31"));
    s.commit(day(0), "the initiative");
    // Dated 2027-03-01, after the close: it would be late, and so would everything after it.
    s.support(0);
    s.commit(day(151), "a support from a clock ahead");
    let ahead = s.tip();
    s.support(1);
    s.commit(day(20), "a support on 2026-10-21");
    let after = s.tip();

    let (run, out) = built(&s);
    let bus = data(&out, "initiatives.json", "bus");
    assert_eq!(
        bus["supporters"]["total"], 2,
        "both count from the reference time: {bus}"
    );
    assert_note(
        &run,
        ahead,
        "a support from a clock ahead",
        &format!(
            "is dated 2027-03-01 12:00:00 UTC, after the reference time ({REFERENCE}): its files count from {REFERENCE}"
        ),
    );
    assert_note(
        &run,
        after,
        "a support on 2026-10-21",
        &format!("before its parent ({REFERENCE}): its files count from {REFERENCE}"),
    );
    // Both supports are shown at the settled time (12:06:40 in Paris).
    let page = std::fs::read_to_string(out.join("initiatives/bus/index.html")).unwrap();
    assert_eq!(
        page.matches("signer-when\"><time datetime=\"2026-11-18T12:06:40+01:00\"")
            .count(),
        2,
        "{page}"
    );
    // Two builds of the same commit with the same SOURCE_DATE_EPOCH are byte-identical.
    let again = s.root().join("again");
    build(s.root(), &again).assert_ok();
    let (a, b) = (read_tree(&out), read_tree(&again));
    let differ: Vec<&String> = a.keys().filter(|k| b.get(*k) != Some(&a[*k])).collect();
    assert!(
        differ.is_empty() && a.len() == b.len(),
        "files that differ: {differ:?}"
    );
}

#[test]
fn a_forge_merge_commit_still_dates_by_the_merge() {
    let s = Initiative::new(CLOSES_OCTOBER_10);
    s.commit(day(0), "the initiative");
    s.branch("side");
    s.support(0);
    s.commit(day(2), "a support on a branch");
    s.switch("main");
    s.page("avant");
    s.commit(day(3), "a page");
    // The forge merges on day 7, before the close: the support counts, from the merge.
    s.merge("side", day(7), "Merge pull request #1");

    let (run, out) = built(&s);
    assert!(!run.stderr.contains("note: commit"), "no date corrected:\n{run}");
    let bus = data(&out, "initiatives.json", "bus");
    assert_eq!(bus["supporters"]["total"], 1, "{bus}");
    let page = std::fs::read_to_string(out.join("initiatives/bus/index.html")).unwrap();
    assert!(
        page.contains("datetime=\"2026-10-08T14:00:00+02:00\""),
        "dated by the merge: {page}"
    );
    assert!(
        !page.contains("datetime=\"2026-10-03T14:00:00+02:00\""),
        "not by its branch: {page}"
    );
}

/// `pnyx check --root ROOT ARGS…`, outside GitHub Actions.
fn check(site: &GitSite, args: &[&str]) -> Run {
    let mut all = vec!["check".to_string(), "--root".to_string()];
    all.push(site.root().to_string_lossy().into_owned());
    all.extend(args.iter().map(|a| a.to_string()));
    super::fixture::pnyx_env(all, &[("GITHUB_ACTIONS", None), ("GITHUB_STEP_SUMMARY", None)])
}

/// The gate's diagnostics that name commit `id`.
fn about(run: &Run, id: git2::Oid) -> Vec<String> {
    run.diagnostics()
        .into_iter()
        .filter(|l| l.contains(&format!("commit {} (", short(id))))
        .map(String::from)
        .collect()
}

#[test]
fn pnyx_check_flags_pull_request_commits_dated_before_their_parent() {
    let s = Initiative::new(&CLOSES_OCTOBER_10.replace("closes: 2026-10-10", "closes: 2026-12-31"));
    s.commit(day(0), "the initiative");
    s.branch("pr");
    s.page("une-page");
    s.commit(day(3), "a page");
    let parent = s.tip();
    s.support(0);
    s.commit(day(1), "a support dated before its parent");
    let backdated = s.tip();
    s.support(1);
    s.commit(day(4), "another support");

    for run in [
        check(&s, &["--base", "main", "--head", "pr"]),
        check(&s, &["--base", "main"]),
    ] {
        assert_eq!(run.code, Some(1), "{run}");
        let lines = about(&run, backdated);
        assert_eq!(lines.len(), 1, "{run}");
        assert_eq!(location(&lines[0]), Some(".:1:1"), "{run}");
        assert!(
            lines[0].contains(&format!(
                "is dated {}, before its parent {} ({})",
                utc(1),
                short(parent),
                utc(3)
            )),
            "{run}"
        );
        assert!(
            run.stderr.contains(
                "hint: give the change's commits the time of now with `git rebase --ignore-date main`"
            ),
            "{run}"
        );
        assert_eq!(run.diagnostics().len(), 1, "only that commit: {run}");
    }

    // The last commit alone dated back: amending it is enough.
    s.switch("main");
    s.branch("last");
    s.support(2);
    s.commit(day(2), "a support");
    s.page("autre");
    s.commit(day(1), "a page dated before its parent");
    let last = s.tip();
    let run = check(&s, &["--base", "main", "--head", "last"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert_eq!(about(&run, last).len(), 1, "{run}");
    assert!(
        run.stderr.contains("git commit --amend --reset-author --no-edit"),
        "{run}"
    );

    // The same change with its dates in order passes, in both modes.
    s.switch("main");
    s.branch("in-order");
    s.page("une-page");
    s.commit(day(3), "a page");
    s.support(0);
    s.commit(day(3), "a support at the same second");
    s.support(1);
    s.commit(day(4), "another support");
    for run in [
        check(&s, &["--base", "main", "--head", "in-order"]),
        check(&s, &["--base", "main"]),
    ] {
        assert_eq!(run.code, Some(0), "{run}");
        assert!(run.diagnostics().is_empty(), "{run}");
    }
}

#[test]
fn pnyx_check_notes_a_corrected_commit_of_the_base() {
    let s = Initiative::new(CLOSES_OCTOBER_10);
    s.commit(day(0), "the initiative");
    s.page("une-page");
    s.commit(day(5), "a page");
    s.page("autre");
    s.commit(day(2), "pushed with an old date");
    let old = s.tip();
    s.branch("pr");
    s.page("troisieme");
    s.commit(day(6), "a third page");
    let run = check(&s, &["--base", "main", "--head", "pr"]);
    assert_eq!(
        run.code,
        Some(0),
        "the base's history is not the change's fault: {run}"
    );
    assert!(
        run.stdout.contains(&format!(
            "note: commit {} (\"pushed with an old date\") is dated {}, before its parent ({})",
            short(old),
            utc(2),
            utc(5)
        )),
        "{run}"
    );
}

#[test]
fn the_history_page_says_in_french_that_a_date_was_corrected() {
    let s = Initiative::new(CLOSES_OCTOBER_10);
    s.commit(day(0), "Proposer les bus gratuits");
    s.write(
        BUS,
        &CLOSES_OCTOBER_10.replace("Des bus gratuits.", "Des bus gratuits le dimanche."),
    );
    s.commit(day(3), "Le dimanche");
    s.write(
        BUS,
        &CLOSES_OCTOBER_10.replace("Des bus gratuits.", "Des bus gratuits tous les jours."),
    );
    s.commit(day(1), "Tous les jours");
    let (_, out) = built(&s);
    let page =
        decode_entities(&std::fs::read_to_string(out.join("initiatives/bus/history/index.html")).unwrap());
    let said = "Date corrigée\u{a0}: inscrite le vendredi 2 octobre 2026, 14\u{a0}h, comptée le dimanche 4 octobre 2026, 14\u{a0}h, car une date ne peut pas précéder celle de l’enregistrement précédent sur la branche.";
    // Only the newest version is marked, and it is shown at its settled date.
    let versions: Vec<&str> = page.split("<li class=\"history-version").skip(1).collect();
    assert_eq!(versions.len(), 3, "{page}");
    assert!(versions[0].contains(said), "{}", versions[0]);
    assert!(
        versions[0].contains(">dimanche 4 octobre 2026</time>"),
        "{}",
        versions[0]
    );
    assert!(
        versions[1..].iter().all(|v| !v.contains("Date corrigée")),
        "{page}"
    );
    assert!(!page.contains("before its parent") && !page.contains("BeforeParent"));

    // In English too.
    let config = String::from_utf8(s.read("pnyx.yaml")).unwrap();
    s.write("pnyx.yaml", &format!("{config}language: en\n"));
    let out_en = s.root().join("public-en");
    let en = pnyx([
        OsStr::new("build"),
        OsStr::new("--root"),
        s.root().as_os_str(),
        OsStr::new("--out"),
        out_en.as_os_str(),
    ]);
    en.assert_ok();
    let page = decode_entities(
        &std::fs::read_to_string(s.root().join("public-en/initiatives/bus/history/index.html")).unwrap(),
    );
    assert!(
        page.contains("Date corrected: recorded as Friday 2 October 2026, 2\u{a0}pm, counted from Sunday 4 October 2026, 2\u{a0}pm"),
        "{page}"
    );
}
