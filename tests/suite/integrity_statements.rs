//! Integrity of statements (SPEC §4): each attack a contributor with no keys could bring
//! through a pull request, on a real git repository with real signatures — stock `minisign`
//! where the citizens would use it. Each test is named after the attack it stops; each checks
//! that the gate refuses the change, naming the file and the attack, and that a build after a
//! forced merge does not count it.

use std::ffi::OsStr;
use std::path::Path;

use serde_json::Value;

use super::fixture::{assert_rejected, html_escape, missing_tool, pnyx_env, row, Run};
use super::repo::{day, GitSite, Key};

const BUS: &str = "content/initiatives/bus.md";
const CHARTER: &str = "content/votes/charte.md";
/// A vote of the members, closed on 2026-10-20 (day 19), quorum 4.
const CHARTER_TEXT: &str = "---\ntitle: Adopter la charte ?\nmethod: majority\noptions: [yes, no, abstain]\nopens: 2026-10-05\ncloses: 2026-10-20\nelectorate: members\nquorum: 4\n---\nLa charte.\n";

/// Three roots and a fourth member, an initiative `bus` (open until 2027) and the vote
/// `charte`, committed on day 1.
struct Council {
    site: GitSite,
    members: Vec<Key>,
}

impl std::ops::Deref for Council {
    type Target = GitSite;
    fn deref(&self) -> &GitSite {
        &self.site
    }
}

impl Council {
    fn new() -> Council {
        let (site, members, _) = super::repo::council(0);
        site.write(
            BUS,
            "---\ntitle: Bus gratuits\nkind: project\npole: logement\ncloses: 2027-02-01\ngoal: 10\n---\nDes bus gratuits.\n",
        );
        site.write(CHARTER, CHARTER_TEXT);
        site.commit(day(1), "the council");
        Council { site, members }
    }

    fn support_path(&self, k: &Key, slug: &str) -> String {
        format!("signatures/initiatives/{slug}/{}.minisig", k.id)
    }

    fn ballot_path(&self, k: &Key) -> String {
        format!("signatures/votes/charte/{}.minisig", k.id)
    }

    /// `k` says `verb` about the initiative `bus`, in the bound form pnyx writes.
    fn support(&self, k: &Key, verb: &str) -> String {
        let path = self.support_path(k, "bus");
        self.sign(k, BUS, &format!("pnyx/1 {verb} {BUS}"), &path);
        self.text(&path)
    }

    fn ballot(&self, k: &Key, choice: &str) -> String {
        let path = self.ballot_path(k);
        self.sign(k, CHARTER, &format!("pnyx/1 vote {CHARTER} {choice}"), &path);
        self.text(&path)
    }

    fn text(&self, rel: &str) -> String {
        String::from_utf8(self.read(rel)).unwrap()
    }

    /// `pnyx check --root ROOT --base main`, outside GitHub Actions.
    fn check(&self) -> Run {
        pnyx_env(
            [
                OsStr::new("check"),
                OsStr::new("--root"),
                self.root().as_os_str(),
                OsStr::new("--base"),
                OsStr::new("main"),
            ],
            &[("GITHUB_ACTIONS", None), ("GITHUB_STEP_SUMMARY", None)],
        )
    }

    /// What an admin's forced merge does: `main` moves to the attacker's branch.
    fn force_merge(&self) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo
            .find_reference("refs/heads/main")
            .unwrap()
            .set_target(head.id(), "forced merge")
            .unwrap();
        self.repo.set_head("refs/heads/main").unwrap();
    }

    fn data(&self, file: &str) -> Value {
        let out = self.build();
        let text = std::fs::read_to_string(out.join("data").join(file)).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

#[test]
fn a_restored_support_cannot_undo_a_withdrawal() {
    let c = Council::new();
    let alice = &c.members[0];
    let support = c.support(alice, "support");
    c.commit(day(2), "Alice supports");
    c.support(alice, "withdraw");
    c.commit(day(3), "Alice withdraws");
    assert_eq!(row(&c.data("initiatives.json"), "bus")["supporters"]["total"], 0);

    // The attacker copies Alice's support back from history.
    c.branch("restore");
    let path = c.support_path(alice, "bus");
    c.write(&path, &support);
    c.commit(day(4), "restore a support");
    assert_rejected(&c.check(), &path, "restored");

    c.force_merge();
    let data = c.data("initiatives.json");
    assert_eq!(
        row(&data, "bus")["supporters"]["total"],
        0,
        "the withdrawal still stands: {data}"
    );
    let page = std::fs::read_to_string(c.root().join("public/statements/index.html")).unwrap();
    assert!(
        page.contains(&html_escape(&path)),
        "the restored file is listed as rejected"
    );
    assert!(page.contains("Remise en place"), "with its reason, in French");
}

#[test]
fn a_restored_ballot_cannot_flip_a_closed_vote() {
    let c = Council::new();
    let m = &c.members;
    c.ballot(&m[0], "yes");
    let yes = c.ballot(&m[1], "yes");
    c.ballot(&m[2], "no");
    c.ballot(&m[3], "no");
    c.commit(day(6), "four ballots");
    c.ballot(&m[1], "no");
    c.commit(day(7), "m1 changes their mind");
    let before = c.data("votes.json");
    assert_eq!(row(&before, "charte")["outcome"], "rejected", "{before}");

    // After the close, the attacker puts m1's first ballot back.
    c.branch("flip");
    c.write(&c.ballot_path(&m[1]), &yes);
    c.commit(day(25), "restore a ballot");
    assert_rejected(&c.check(), &c.ballot_path(&m[1]), "restored");

    c.force_merge();
    let after = c.data("votes.json");
    let v = row(&after, "charte");
    assert_eq!(v["outcome"], "rejected", "{v}");
    assert_eq!(v["scores"]["no"], 3, "m1's last ballot still counts: {v}");
    assert_eq!(v["scores"]["yes"], 1, "{v}");
}

#[test]
fn one_byte_appended_to_a_ballot_cannot_cancel_it() {
    let c = Council::new();
    let m = &c.members;
    for k in m {
        c.ballot(k, "yes");
    }
    c.commit(day(6), "four ballots");
    assert_eq!(row(&c.data("votes.json"), "charte")["outcome"], "adopted");

    // After the close, a newline appended to one ballot, CRLF endings on another: the same
    // statements in other bytes.
    c.branch("re-encode");
    let (lf, crlf) = (c.ballot_path(&m[0]), c.ballot_path(&m[1]));
    c.write(&lf, &format!("{}\n", c.text(&lf)));
    c.write(&crlf, &c.text(&crlf).replace('\n', "\r\n"));
    c.commit(day(25), "touch two ballots");
    let run = c.check();
    assert_rejected(&run, &lf, "re-encodes the statement");
    assert_rejected(&run, &crlf, "re-encodes the statement");

    c.force_merge();
    let v = c.data("votes.json");
    let v = row(&v, "charte");
    assert_eq!(v["outcome"], "adopted", "{v}");
    assert_eq!(
        v["ballots"]["members"], 4,
        "still dated by their signature's arrival: {v}"
    );
}

#[test]
fn junk_appended_to_a_statement_is_not_the_statement() {
    let c = Council::new();
    let (alice, bea) = (&c.members[0], &c.members[1]);
    c.support(alice, "support");
    c.commit(day(2), "Alice supports");

    // A new statement with junk after it, and junk appended to Alice's.
    c.branch("junk");
    let junk: String = "junk line\n".repeat(100_000);
    let new = c.support_path(bea, "bus");
    let fresh = c.support(bea, "support");
    c.write(&new, &format!("{fresh}{junk}"));
    let old = c.support_path(alice, "bus");
    c.write(&old, &format!("{}{junk}", c.text(&old)));
    c.commit(day(3), "junk");
    let run = c.check();
    assert_rejected(&run, &new, "malformed");
    assert_rejected(&run, &old, "belongs to Personne 0");

    c.force_merge();
    let data = c.data("initiatives.json");
    let bus = &row(&data, "bus")["supporters"];
    assert_eq!(
        bus["total"], 1,
        "Bea's file with junk does not count; Alice's support, as she sent it, still does: {data}"
    );
}

#[test]
fn a_copy_of_an_initiative_does_not_take_its_signatures_along() {
    let c = Council::new();
    let (alice, bea) = (&c.members[0], &c.members[1]);
    // Alice's support in the bound form pnyx writes; Bea's in the older form, with stock
    // minisign as citizens signed before statements named their target.
    c.support(alice, "support");
    let bea_path = c.support_path(bea, "bus");
    if !stock_sign(&c, bea, BUS, &bea_path, "pnyx/1 support") {
        c.sign(bea, BUS, "pnyx/1 support", &bea_path);
    }
    c.commit(day(2), "two supports");
    assert_eq!(row(&c.data("initiatives.json"), "bus")["supporters"]["total"], 2);

    // The attacker copies the initiative byte for byte, and its statements with it.
    c.branch("copy");
    c.write("content/initiatives/bus2.md", &c.text(BUS));
    for k in [alice, bea] {
        c.write(&c.support_path(k, "bus2"), &c.text(&c.support_path(k, "bus")));
    }
    c.commit(day(3), "a copy");
    let run = c.check();
    assert_rejected(
        &run,
        &c.support_path(alice, "bus2"),
        "names content/initiatives/bus.md as its target",
    );
    assert_rejected(
        &run,
        &c.support_path(bea, "bus2"),
        "first stood at content/initiatives/bus.md",
    );

    c.force_merge();
    let data = c.data("initiatives.json");
    assert_eq!(row(&data, "bus2")["supporters"]["total"], 0, "{data}");
    assert_eq!(
        row(&data, "bus")["supporters"]["total"],
        2,
        "the original keeps both, the older form included: {data}"
    );
}

#[test]
fn bytes_brought_by_two_paths_at_once_bind_no_statement_in_the_older_form() {
    let c = Council::new();
    let alice = &c.members[0];
    // Two identical texts arrive together: a statement that does not name its target
    // cannot say which one it signs.
    let text = "---\ntitle: Vélos\nkind: project\npole: logement\n---\nDes vélos.\n";
    c.write("content/initiatives/velo.md", text);
    c.write("content/initiatives/velo-bis.md", text);
    for slug in ["velo", "velo-bis"] {
        c.sign(
            alice,
            &format!("content/initiatives/{slug}.md"),
            "pnyx/1 support",
            &c.support_path(alice, slug),
        );
    }
    c.sign(
        &c.members[1],
        "content/initiatives/velo.md",
        "pnyx/1 support content/initiatives/velo.md",
        &c.support_path(&c.members[1], "velo"),
    );
    c.commit(day(2), "twins");
    let data = c.data("initiatives.json");
    assert_eq!(
        row(&data, "velo")["supporters"]["total"],
        1,
        "only the bound one: {data}"
    );
    assert_eq!(row(&data, "velo-bis")["supporters"]["total"], 0, "{data}");
}

#[test]
fn a_statement_naming_another_target_is_misplaced() {
    let c = Council::new();
    let alice = &c.members[0];
    let path = c.support_path(alice, "bus");
    c.sign(alice, BUS, "pnyx/1 support content/initiatives/tram.md", &path);
    c.commit(day(2), "a statement about another file");
    assert_eq!(row(&c.data("initiatives.json"), "bus")["supporters"]["total"], 0);
    c.branch("fix");
    c.support(alice, "support");
    c.commit(day(3), "signed again");
    let run = c.check();
    assert_eq!(
        run.code,
        Some(0),
        "a key replacing its own statement passes:\n{run}"
    );
}

#[test]
fn stock_minisign_statements_as_the_docs_write_them_count() {
    let c = Council::new();
    let m = &c.members;
    if !stock_sign(
        &c,
        &m[0],
        BUS,
        &c.support_path(&m[0], "bus"),
        &format!("pnyx/1 support {BUS}"),
    ) {
        return;
    }
    stock_sign(
        &c,
        &m[1],
        CHARTER,
        &c.ballot_path(&m[1]),
        &format!("pnyx/1 vote {CHARTER} yes"),
    );
    c.commit(day(6), "stock statements");
    assert_eq!(row(&c.data("initiatives.json"), "bus")["supporters"]["total"], 1);
    assert_eq!(row(&c.data("votes.json"), "charte")["scores"]["yes"], 1);
}

/// Signs with the stock `minisign` command, as docs/signing.md says; false (with a printed
/// reason) when minisign is not installed.
fn stock_sign(c: &Council, k: &Key, file: &str, at: &str, comment: &str) -> bool {
    let found = std::process::Command::new("minisign").arg("-v").output().is_ok();
    if missing_tool(found, "minisign", "apt-get install minisign") {
        return false;
    }
    let home = tempfile::tempdir().unwrap();
    let secret = k.secret_file(home.path());
    std::fs::create_dir_all(c.root().join(at).parent().unwrap()).unwrap();
    let out = std::process::Command::new("minisign")
        .current_dir(c.root())
        .args(["-S", "-s"])
        .arg(&secret)
        .args(["-m", file, "-x", at, "-t", comment])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "minisign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(Path::new(&c.root().join(at)).is_file());
    true
}
