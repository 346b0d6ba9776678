//! The pull-request gate, `pnyx check`, on real git repositories: a base commit on `main`, one
//! branch per case, and the verdict of the real binary (exit 0 accepted, 1 rejected, 2 could
//! not run), its messages, the tally delta, GitHub annotations and the step summary.
//! Also the workflows that run it.

use std::ffi::OsStr;

use super::fixture::{assert_rejected, demo_root, pnyx_env, Run, CONFIG};
use super::repo::{day, GitSite, Key};

fn key() -> Key {
    Key::new()
}

const BUS: &str = "content/initiatives/bus.md";
const UNSIGNED: &str = "content/debates/d/01-a.md";
const SIGNED: &str = "content/debates/d/02-b.md";

/// A council in a git repository: `main` holds one commit with Alice (a trust root, one
/// certification makes a member) and Bea; both support the initiative `bus` (goal 3); the
/// debate `d` has an unsigned contribution by Alice and one signed by Bea.
struct Council {
    site: GitSite,
    alice: Key,
    bea: Key,
}

impl std::ops::Deref for Council {
    type Target = GitSite;
    fn deref(&self) -> &GitSite {
        &self.site
    }
}

impl Council {
    fn new() -> Council {
        let (alice, bea) = (key(), key());
        let site = GitSite::new(&format!(
            "trust:\n  roots: [\"{}\"]\n  certifications: 1\n",
            alice.id
        ));
        let c = Council { site, alice, bea };
        c.write(
            "roles.yaml",
            &format!("moderators:\n  - key: \"{}\"\n    from: 2026-09-01\n", c.alice.id),
        );
        c.write(
            BUS,
            "---\ntitle: Bus gratuits\nkind: project\npole: logement\ncloses: 2027-02-01\ngoal: 3\n---\nDes bus gratuits.\n",
        );
        c.write(
            "content/debates/d.md",
            "---\ntitle: Faut-il des bus gratuits ?\npole: logement\n---\nLa question.\n",
        );
        c.write(
            UNSIGNED,
            "---\nauthor: Alice\ndate: 2026-10-01\nposition: for\n---\nOui.\n",
        );
        c.write(
            SIGNED,
            &format!(
                "---\nauthor: \"{}\"\ndate: 2026-10-01\nposition: against\n---\nNon.\n",
                c.bea.id
            ),
        );
        c.write(
            "content/meetings/pleniere.md",
            "---\ntitle: Plénière\nstart: 2026-12-01T18:30:00\ncapacity: 40\nplace:\n  name: Salle du quartier\n---\nOrdre du jour.\n",
        );
        c.add_key(&c.alice, "Alice");
        c.add_key(&c.bea, "Bea");
        c.support(&c.alice, "support");
        c.support(&c.bea, "support");
        c.sign(&c.bea, SIGNED, "pnyx/1 author", &c.author_path(&c.bea));
        c.commit(day(0), "the council");
        c
    }

    fn read(&self, rel: &str) -> String {
        String::from_utf8(self.site.read(rel)).unwrap()
    }

    fn add_key(&self, k: &Key, name: &str) {
        self.site.add_key(k, &format!("name: {name}\n"));
    }

    fn support_path(&self, k: &Key) -> String {
        format!("signatures/initiatives/bus/{}.minisig", k.id)
    }

    fn author_path(&self, k: &Key) -> String {
        format!("content/debates/d/02-b.{}.minisig", k.id)
    }

    fn support(&self, k: &Key, verb: &str) {
        self.sign(k, BUS, &format!("pnyx/1 {verb}"), &self.support_path(k));
    }

    /// `pnyx check --root ROOT ARGS…`, outside GitHub Actions.
    fn check(&self, args: &[&str]) -> Run {
        self.check_env(args, &[("GITHUB_ACTIONS", None), ("GITHUB_STEP_SUMMARY", None)])
    }

    fn check_env(&self, args: &[&str], env: &[(&str, Option<&OsStr>)]) -> Run {
        let mut all: Vec<&OsStr> = vec![OsStr::new("check"), OsStr::new("--root"), self.root().as_os_str()];
        all.extend(args.iter().map(OsStr::new));
        pnyx_env(all, env)
    }
}

#[track_caller]
fn assert_accepted(run: &Run) {
    assert_eq!(run.code, Some(0), "expected the change to pass:\n{run}");
    assert!(run.diagnostics().is_empty(), "{run}");
}

// Rejected changes.

#[test]
fn rejects_a_broken_content_rule_at_its_line() {
    let c = Council::new();
    c.branch("typo");
    c.write(
        "content/initiatives/tram.md",
        "---\ntitle: Tram\nkind: project\npole: logement\ncolour: blue\n---\nUn tram.\n",
    );
    c.commit(day(1), "a new initiative with a typo");
    let run = c.check(&["--base", "main"]);
    assert_rejected(&run, "content/initiatives/tram.md", "unknown field `colour`");
    assert!(
        run.diagnostics()
            .iter()
            .any(|l| l.starts_with("content/initiatives/tram.md:5:")),
        "{run}"
    );
}

/// A published draw result is recomputed: one that is not what the draw gives is refused at
/// its line, with the selection the draw gives; the true one passes.
#[test]
fn rejects_a_sortition_result_that_the_draw_does_not_give() {
    let c = Council::new();
    c.branch("draw");
    let list: String = (1..=25).map(|i| format!("- id: \"{i:03}\"\n")).collect();
    c.write("content/sortitions/candidats.yaml", &list);
    let draw = |result: &str| {
        format!(
            "---\ntitle: Jury\nseats: 3\npool: {{list: content/sortitions/candidats.yaml}}\nalgorithm: rfc3797\nseed:\n  sources: [a, b, c]\n  announced: 2026-10-01\n  value: \"9319 / 2 5 8 10 12 / 9 18 26 34 41 45\"\nresult: [{result}]\n---\nUn jury.\n"
        )
    };
    c.write("content/sortitions/jury.md", &draw("\"017\", \"002\", \"007\""));
    c.commit(day(1), "a draw with a made-up result");
    let run = c.check(&["--base", "main"]);
    assert_rejected(
        &run,
        "content/sortitions/jury.md",
        "differs from the draw, which gives: 017, 007, 002",
    );
    c.write("content/sortitions/jury.md", &draw("\"017\", \"007\", \"002\""));
    c.commit(day(2), "the true result");
    let run = c.check(&["--base", "main"]);
    assert_eq!(run.code, Some(0), "{run}");
}

#[test]
fn rejects_a_forged_statement() {
    let c = Council::new();
    c.branch("forged");
    let chloe = key();
    c.add_key(&chloe, "Chloé");
    let genuine = c.statement(&chloe, BUS, "pnyx/1 support");
    c.write(
        &c.support_path(&chloe),
        &genuine.replace("pnyx/1 support", "pnyx/1 withdraw"),
    );
    c.commit(day(1), "a tampered statement");
    assert_rejected(&c.check(&["--base", "main"]), &c.support_path(&chloe), "forged");
}

#[test]
fn rejects_a_statement_whose_key_is_missing() {
    let c = Council::new();
    c.branch("no-key");
    let chloe = key();
    c.support(&chloe, "support");
    c.commit(day(1), "a support without its key");
    let run = c.check(&["--base", "main"]);
    assert_rejected(&run, &c.support_path(&chloe), "unknown key");
    assert!(
        run.stderr
            .contains(&format!("add the public key signatures/keys/{}.pub", chloe.id)),
        "{run}"
    );
}

#[test]
fn rejects_a_statement_at_the_wrong_place() {
    let c = Council::new();
    c.branch("misplaced");
    let chloe = key();
    c.add_key(&chloe, "Chloé");
    let at = format!("signatures/meetings/pleniere/{}.minisig", chloe.id);
    c.sign(&chloe, BUS, "pnyx/1 support", &at);
    c.commit(day(1), "a support in a meeting's folder");
    assert_rejected(&c.check(&["--base", "main"]), &at, "misplaced");
}

#[test]
fn rejects_a_change_to_another_keys_statement() {
    let c = Council::new();
    c.branch("overwrite");
    let chloe = key();
    c.add_key(&chloe, "Chloé");
    // Chloé's genuine withdrawal, written over Bea's support.
    let text = c.statement(&chloe, BUS, "pnyx/1 withdraw");
    c.write(&c.support_path(&c.bea), &text);
    c.commit(day(1), "withdraw Bea's support");
    assert_rejected(
        &c.check(&["--base", "main"]),
        &c.support_path(&c.bea),
        &format!("belongs to Bea ({})", c.bea.id),
    );
}

#[test]
fn rejects_a_deleted_statement_and_points_to_withdraw() {
    let c = Council::new();
    c.branch("delete");
    c.remove(&c.support_path(&c.bea));
    c.commit(day(1), "remove a support");
    let run = c.check(&["--base", "main"]);
    assert_rejected(&run, &c.support_path(&c.bea), "cannot be deleted");
    assert!(run.stderr.contains("pnyx withdraw"), "{run}");
}

#[test]
fn rejects_an_edit_of_a_signed_contribution_by_someone_else() {
    let c = Council::new();
    c.branch("edit-signed");
    let text = c.read(SIGNED).replace("Non.", "Oui, finalement.");
    c.write(SIGNED, &text);
    c.commit(day(1), "change Bea's words");
    let run = c.check(&["--base", "main"]);
    assert_rejected(&run, SIGNED, &format!("signed by Bea ({})", c.bea.id));
    // Placed on the changed line (the body's first line is line 6).
    assert!(
        run.diagnostics()
            .iter()
            .any(|l| l.starts_with(&format!("{SIGNED}:6:1:"))),
        "{run}"
    );
}

#[test]
fn rejects_an_edit_of_an_unsigned_contribution() {
    let c = Council::new();
    c.branch("edit-unsigned");
    let text = c.read(UNSIGNED).replace("Oui.", "Non.");
    c.write(UNSIGNED, &text);
    c.commit(day(1), "change Alice's words");
    let run = c.check(&["--base", "main"]);
    assert_rejected(&run, UNSIGNED, "no author signature");
    assert!(run.stderr.contains("reply"), "{run}");
}

#[test]
fn rejects_a_signature_claiming_someone_elses_contribution() {
    let c = Council::new();
    c.branch("claim");
    let chloe = key();
    c.add_key(&chloe, "Chloé");
    let at = format!("content/debates/d/01-a.{}.minisig", chloe.id);
    c.sign(&chloe, UNSIGNED, "pnyx/1 author", &at);
    c.commit(day(1), "sign Alice's contribution");
    assert_rejected(&c.check(&["--base", "main"]), &at, "only its author can sign it");
}

#[test]
fn rejects_a_protected_path_without_an_admin_review_and_says_what_to_do() {
    let c = Council::new();
    c.branch("config");
    let text = c.read("pnyx.yaml").replace("title: T", "title: Conseil");
    c.write("pnyx.yaml", &text);
    c.commit(day(1), "rename the council");
    let run = c.check(&["--base", "main"]);
    assert_rejected(&run, "pnyx.yaml", "protected path");
    assert!(
        run.diagnostics().iter().any(|l| l.starts_with("pnyx.yaml:1:1:")),
        "{run}"
    );
    assert!(
        run.stderr.contains("add the label `admin` to the pull request"),
        "{run}"
    );
    assert!(run.stderr.contains("CODEOWNERS"), "{run}");
}

#[test]
fn rejects_a_changed_trust_root_key() {
    let c = Council::new();
    c.branch("root");
    let path = format!("signatures/keys/{}.pub", c.alice.id);
    let text = c.read(&path);
    let (_, rest) = text.split_once('\n').unwrap();
    c.write(&path, &format!("untrusted comment: la clé d'Alice\n{rest}"));
    c.commit(day(1), "reword a root's key file");
    assert_rejected(&c.check(&["--base", "main"]), &path, "trust root");
}

#[test]
fn rejects_a_renamed_profile_or_a_replaced_key_without_an_admin() {
    let c = Council::new();
    c.branch("rename");
    let profile = format!("signatures/keys/{}.yaml", c.bea.id);
    c.write(&profile, "name: Mallory\n");
    let public = format!("signatures/keys/{}.pub", c.bea.id);
    let text = c
        .read(&public)
        .replacen("untrusted comment:", "untrusted comment: Bea,", 1);
    c.write(&public, &text);
    let run = c.check(&[]);
    assert_rejected(&run, &profile, "is not signed");
    assert_rejected(&run, &public, "every statement of that key depends on it");
    assert_accepted(&c.check(&["--admin-review"]));
}

#[test]
fn rejects_every_problem_in_one_run() {
    let c = Council::new();
    c.branch("many");
    c.remove(&c.support_path(&c.bea));
    c.write("README.md", "hello\n");
    c.write(UNSIGNED, &c.read(UNSIGNED).replace("Oui.", "Non."));
    let run = c.check(&["--base", "main"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert_eq!(run.diagnostics().len(), 3, "{run}");
    assert!(run.stderr.contains("3 problems: the change is rejected"), "{run}");
}

// Accepted changes.

#[test]
fn accepts_a_new_initiative() {
    let c = Council::new();
    c.branch("tram");
    c.write(
        "content/initiatives/tram.md",
        "---\ntitle: Un tram\nkind: project\npole: logement\ngoal: 50\n---\nUn tram.\n",
    );
    c.commit(day(1), "a new initiative");
    let run = c.check(&["--base", "main"]);
    assert_accepted(&run);
    assert!(
        run.stdout.contains("new initiative tram: 0 supporters (0/50)"),
        "{run}"
    );
}

#[test]
fn accepts_a_new_signature_with_its_key_and_reports_the_tally_delta() {
    let c = Council::new();
    c.branch("chloe");
    let chloe = key();
    c.add_key(&chloe, "Chloé");
    c.support(&chloe, "support");
    // Alice (a root; one certification makes a member) vouches for Chloé's new key.
    c.sign(
        &c.alice,
        &format!("signatures/keys/{}.pub", chloe.id),
        "pnyx/1 certify",
        &format!("signatures/certifications/{}/{}.minisig", chloe.id, c.alice.id),
    );
    // Not committed: the work tree is the head, untracked files included.
    let run = c.check(&[]);
    assert_accepted(&run);
    assert!(
        run.stdout.contains("+1 supporter for bus (3/3), goal reached"),
        "{run}"
    );
    assert!(
        run.stdout.contains(&format!("+1 member: Chloé ({})", chloe.id)),
        "{run}"
    );
}

#[test]
fn accepts_a_new_contribution() {
    let c = Council::new();
    c.branch("reply");
    c.write(
        "content/debates/d/03-c.md",
        "---\nauthor: Chloé\ndate: 2026-10-02\nreply_to: 01-a\n---\nPlutôt oui.\n",
    );
    c.commit(day(1), "a reply");
    let run = c.check(&["--base", "main"]);
    assert_accepted(&run);
    assert!(run.stdout.contains("tallies: no change"), "{run}");
}

#[test]
fn accepts_a_key_replacing_its_own_support_with_a_withdrawal() {
    let c = Council::new();
    c.branch("withdraw");
    c.support(&c.bea, "withdraw");
    c.commit(day(1), "Bea withdraws");
    let run = c.check(&["--base", "main"]);
    assert_accepted(&run);
    assert!(run.stdout.contains("-1 supporter for bus (1/3)"), "{run}");
    assert!(run.stdout.contains("+1 withdrawal for bus"), "{run}");
}

#[test]
fn accepts_an_author_changing_their_own_signed_contribution() {
    let c = Council::new();
    c.branch("own-words");
    c.write(SIGNED, &c.read(SIGNED).replace("Non.", "Non, trop cher."));
    c.sign(&c.bea, SIGNED, "pnyx/1 author", &c.author_path(&c.bea));
    c.commit(day(1), "Bea rewords her contribution");
    assert_accepted(&c.check(&["--base", "main"]));
}

#[test]
fn accepts_a_protected_path_with_an_admin_review() {
    let c = Council::new();
    c.branch("config");
    c.write(
        "pnyx.yaml",
        &c.read("pnyx.yaml").replace("title: T", "title: Conseil"),
    );
    c.commit(day(1), "rename the council");
    let run = c.check(&["--base", "main", "--admin-review"]);
    assert_accepted(&run);
    assert!(run.stdout.contains("reviewed by an admin"), "{run}");
    assert!(run.stdout.contains("pnyx.yaml:1:1: protected path"), "{run}");
}

// Output, revisions and failures to run.

#[test]
fn writes_github_annotations_and_a_step_summary() {
    let c = Council::new();
    c.branch("config");
    c.write(
        "pnyx.yaml",
        &c.read("pnyx.yaml").replace("title: T", "title: Conseil"),
    );
    c.remove(&c.support_path(&c.bea));
    c.commit(day(1), "two problems");
    let out = tempfile::tempdir().unwrap();
    let summary = out.path().join("summary.md");
    let run = c.check_env(
        &["--base", "main"],
        &[
            ("GITHUB_ACTIONS", Some(OsStr::new("true"))),
            ("GITHUB_STEP_SUMMARY", Some(summary.as_os_str())),
        ],
    );
    assert_eq!(run.code, Some(1), "{run}");
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(annotations.len(), 2, "{run}");
    assert!(
        annotations
            .iter()
            .any(|l| l.starts_with("::error file=pnyx.yaml,line=1,col=1,title=pnyx check::protected path")),
        "{run}"
    );
    let bea = c.support_path(&c.bea);
    assert!(
        annotations
            .iter()
            .any(|l| l.starts_with(&format!("::error file={bea},line=1,col=1,")) && l.contains("%0Ahint: ")),
        "the hint follows on its own line: {run}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("## pnyx check: rejected, 2 problems"), "{md}");
    assert!(md.contains("| `pnyx.yaml` | 1 | protected path"), "{md}");
    assert!(md.contains("### Tallies"), "{md}");
    assert!(md.contains("-1 supporter for bus (1/3)"), "{md}");
    assert!(md.contains("- **signatures** (1): "), "{md}");
    assert!(md.contains("- **protected** (1): `pnyx.yaml` (modified)"), "{md}");
}

#[test]
fn checks_another_revision_with_head() {
    let c = Council::new();
    c.branch("forged");
    let chloe = key();
    c.add_key(&chloe, "Chloé");
    let text = c
        .statement(&chloe, BUS, "pnyx/1 support")
        .replace("pnyx/1 support", "pnyx/1 withdraw");
    c.write(&c.support_path(&chloe), &text);
    c.commit(day(1), "a tampered statement");
    // Back on main: the work tree is clean, the branch is what is checked.
    c.repo.set_head("refs/heads/main").unwrap();
    c.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    assert_accepted(&c.check(&["--base", "main"]));
    let run = c.check(&["--base", "main", "--head", "forged"]);
    assert_rejected(&run, &c.support_path(&chloe), "forged");
    assert!(run.stdout.contains("pnyx check: forged ("), "{run}");
}

#[test]
fn finds_the_base_branch_as_ci_checks_it_out() {
    // actions/checkout of a pull request: no local `main`, only `refs/remotes/origin/main`.
    let c = Council::new();
    let base = c.repo.head().unwrap().peel_to_commit().unwrap().id();
    c.branch("pr");
    c.repo
        .reference("refs/remotes/origin/main", base, true, "fetched")
        .unwrap();
    c.repo
        .find_branch("main", git2::BranchType::Local)
        .unwrap()
        .delete()
        .unwrap();
    let chloe = key();
    c.add_key(&chloe, "Chloé");
    c.support(&chloe, "support");
    c.commit(day(1), "Chloé supports bus");
    for args in [&[][..], &["--base", "main"][..], &["--base", "origin/main"][..]] {
        let run = c.check(args);
        assert_accepted(&run);
        assert!(run.stdout.contains("against origin/main ("), "{run}");
        assert!(
            run.stdout.contains("+1 supporter for bus (3/3), goal reached"),
            "{run}"
        );
    }
}

#[test]
fn exits_2_with_what_to_do_for_an_unknown_revision() {
    let c = Council::new();
    let run = c.check(&["--base", "nope"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("cannot find the revision `nope`"), "{run}");
    assert!(run.stderr.contains("fetch-depth: 0"), "{run}");
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("pnyx.yaml"), CONFIG).unwrap();
    let run = pnyx_env(
        [
            OsStr::new("check"),
            OsStr::new("--root"),
            plain.path().as_os_str(),
        ],
        &[("GITHUB_ACTIONS", None)],
    );
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("not in a git repository"), "{run}");
}

#[test]
fn tally_prints_the_counts_as_a_table_and_as_json() {
    let c = Council::new();
    let root = c.root().as_os_str();
    let run = pnyx_env([OsStr::new("tally"), OsStr::new("--root"), root], &[]);
    run.assert_ok();
    assert!(
        run.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["bus", "1", "1", "0", "2", "3", "no", "0", "0"]),
        "{run}"
    );
    assert!(run.stdout.contains("1 member (1 root)"), "{run}");
    let run = pnyx_env(
        [
            OsStr::new("tally"),
            OsStr::new("--json"),
            OsStr::new("--root"),
            root,
        ],
        &[],
    );
    run.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let bus = &json["initiatives"][0];
    assert_eq!(bus["slug"], "bus");
    assert_eq!(bus["supporters"]["total"], 2);
    assert_eq!(bus["supporters"]["members"], 1);
    assert_eq!(bus["reached"], false);
    assert_eq!(json["members"][0]["name"], "Alice");
    assert_eq!(json["meetings"][0]["registrations"], 0);
    assert_eq!(json["meetings"][0]["capacity"], 40);
}

// The workflows.

fn workflow(name: &str) -> serde_yaml::Value {
    let path = demo_root().join(".github/workflows").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn steps(wf: &serde_yaml::Value) -> Vec<&serde_yaml::Value> {
    wf["jobs"]
        .as_mapping()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_sequence().into_iter().flatten())
        .collect()
}

fn uses(wf: &serde_yaml::Value) -> Vec<&str> {
    steps(wf).iter().filter_map(|s| s["uses"].as_str()).collect()
}

#[track_caller]
fn assert_checkouts_fetch_everything(wf: &serde_yaml::Value, name: &str) {
    let checkouts: Vec<_> = steps(wf)
        .into_iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
        })
        .collect();
    assert!(!checkouts.is_empty(), "{name} checks nothing out");
    // The checkout of the site (not of the gate's own code) takes the whole history.
    assert!(
        checkouts
            .iter()
            .any(|s| s["with"]["fetch-depth"].as_u64() == Some(0)),
        "{name}: fetch-depth: 0"
    );
}

#[test]
fn the_check_workflow_runs_the_gate_on_pull_requests_with_the_whole_history() {
    let wf = workflow("check.yml");
    assert!(wf["on"]["pull_request"].is_mapping(), "on: pull_request");
    let types: Vec<&str> = wf["on"]["pull_request"]["types"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        types.contains(&"labeled") && types.contains(&"unlabeled"),
        "re-run on the label"
    );
    assert_eq!(wf["permissions"]["contents"], "read");
    assert_checkouts_fetch_everything(&wf, "check.yml");
    let runs: Vec<&str> = steps(&wf).iter().filter_map(|s| s["run"].as_str()).collect();
    let gate = runs
        .iter()
        .find(|r| r.contains("pnyx check"))
        .expect("a step runs pnyx check");
    assert!(gate.contains("--base"), "{gate}");
    assert!(gate.contains("--admin-review"), "{gate}");
}

#[test]
fn the_pages_workflow_deploys_on_push_and_on_a_schedule() {
    let wf = workflow("pages.yml");
    assert!(wf["on"]["push"].is_mapping());
    assert!(wf["on"]["schedule"][0]["cron"].is_string());
    assert_eq!(wf["permissions"]["pages"], "write");
    assert_eq!(wf["permissions"]["id-token"], "write");
    assert_checkouts_fetch_everything(&wf, "pages.yml");
    let actions = uses(&wf);
    assert!(
        actions.contains(&"actions/upload-pages-artifact@v5"),
        "{actions:?}"
    );
    assert!(actions.contains(&"actions/deploy-pages@v5"), "{actions:?}");
    let runs: Vec<&str> = steps(&wf).iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("pnyx build")), "{runs:?}");
}

/// The step of `wf` that uses `action`, with the paths it caches.
fn cache_step<'a>(wf: &'a serde_yaml::Value, action: &str) -> Option<(&'a serde_yaml::Value, Vec<&'a str>)> {
    let step = steps(wf)
        .into_iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))?;
    let paths = step["with"]["path"]
        .as_str()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .collect();
    Some((step, paths))
}

#[test]
fn the_branch_saves_its_verification_cache_and_a_pull_request_only_reads_it() {
    // The branch's build restores and saves the cache with the key that seals it, before it
    // builds.
    let pages = workflow("pages.yml");
    let (step, paths) = cache_step(&pages, "actions/cache@").expect("pages.yml keeps the cache");
    assert!(
        paths.contains(&".pnyx-cache") && paths.contains(&"~/.config/pnyx/cache.key"),
        "{paths:?}"
    );
    assert_eq!(step["with"]["restore-keys"], "pnyx-verify-");
    let order: Vec<&str> = steps(&pages)
        .iter()
        .map(|s| s["uses"].as_str().or(s["run"].as_str()).unwrap_or(""))
        .collect();
    let cache_at = order
        .iter()
        .position(|s| s.starts_with("actions/cache@"))
        .unwrap();
    let build_at = order.iter().position(|s| s.contains("pnyx build")).unwrap();
    assert!(cache_at < build_at, "restored before the build");
    // A pull request restores the branch's cache and never saves one.
    let check = workflow("check.yml");
    let (_, paths) = cache_step(&check, "actions/cache/restore@").expect("check.yml reads the cache");
    assert!(
        paths.contains(&"pr/.pnyx-cache") && paths.contains(&"~/.config/pnyx/cache.key"),
        "{paths:?}"
    );
    assert!(
        !uses(&check)
            .iter()
            .any(|u| u.starts_with("actions/cache@") || u.starts_with("actions/cache/save@")),
        "a pull request saves nothing for the next one"
    );
}

#[test]
fn judges_a_branch_behind_its_base_on_its_own_changes() {
    let c = Council::new();
    c.branch("old");
    c.repo.set_head("refs/heads/main").unwrap();
    // main moves on: Bea withdraws.
    c.support(&c.bea, "withdraw");
    c.commit(day(2), "Bea withdraws");
    // The branch, started before, adds an initiative and knows nothing of the withdrawal.
    c.repo.set_head("refs/heads/old").unwrap();
    c.repo
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    c.write(
        "content/initiatives/tram.md",
        "---\ntitle: Un tram\nkind: project\npole: logement\n---\nUn tram.\n",
    );
    c.commit(day(3), "a new initiative");
    let run = c.check(&["--base", "main"]);
    assert_accepted(&run);
    assert!(run.stdout.contains("compared with the fork point"), "{run}");
    assert!(run.stdout.contains("1 file changed"), "{run}");
}

#[test]
fn a_support_the_change_brings_after_the_deadline_is_late() {
    let c = Council::new();
    c.write(
        "content/initiatives/velo.md",
        "---\ntitle: Vélos\nkind: project\npole: logement\ncloses: 2026-10-15\ngoal: 10\n---\nDes vélos.\n",
    );
    c.commit(day(1), "an initiative that closes on 2026-10-15");
    c.branch("late");
    let at = format!("signatures/initiatives/velo/{}.minisig", c.bea.id);
    c.sign(&c.bea, "content/initiatives/velo.md", "pnyx/1 support", &at);
    // Committed on the branch before the deadline, but it arrives on main when merged: now.
    c.commit(day(5), "Bea supports velo");
    let run = c.check(&["--base", "main"]);
    assert_accepted(&run);
    assert!(
        run.stdout
            .contains("+1 late support for velo (arrived after it closed: shown, not counted)"),
        "{run}"
    );
    assert!(!run.stdout.contains("supporter for velo"), "{run}");
}

/// A decision hiding Alice's contribution, signed by `by`, on a new branch.
fn hide_by(c: &Council, by: &Key) {
    c.branch("hide");
    let entry = "content/moderation/masquer-01-a.md";
    c.write(
        entry,
        &format!("---\naction: hide\ntarget: {UNSIGNED}\nreason: \"Hors sujet.\"\ndate: 2026-10-02\n---\n"),
    );
    c.sign(
        by,
        entry,
        "pnyx/1 moderate",
        &format!("signatures/moderation/masquer-01-a/{}.minisig", by.id),
    );
    c.commit(day(2), "hide");
}

#[test]
fn accepts_a_moderators_hide() {
    let c = Council::new();
    hide_by(&c, &c.alice);
    assert_accepted(&c.check(&["--base", "main"]));
}

#[test]
fn rejects_a_hide_that_no_moderator_signed() {
    let c = Council::new();
    hide_by(&c, &c.bea);
    let run = c.check(&["--base", "main"]);
    assert_rejected(&run, "content/moderation/masquer-01-a.md", "would have no effect");
    assert!(run.stderr.contains("pnyx moderate"), "{run}");
}
