//! Signed statements in real git repositories: what counts, what is rejected and why, and when
//! a statement arrived (the commit that brought it to the branch).

use std::ops::Deref;

use git2::{Signature, Time};
use pnyx::signatures::keys::public_key_text;

use super::fixture::{build, CONFIG};
use super::repo::{self, day, Key};

fn key() -> Key {
    Key::new()
}

/// The shared git fixture with an initiative `bus` (closes 2026-10-10, goal 3), not committed.
struct GitSite(repo::GitSite);

impl Deref for GitSite {
    type Target = repo::GitSite;
    fn deref(&self) -> &repo::GitSite {
        &self.0
    }
}

impl GitSite {
    fn new() -> GitSite {
        let site = repo::GitSite::new("");
        site.write(
            "content/initiatives/bus.md",
            "---\ntitle: Bus gratuits\nkind: project\npole: logement\ncloses: 2026-10-10\ngoal: 3\n---\nPremière version.\n",
        );
        GitSite(site)
    }

    fn add_key(&self, k: &Key) {
        self.0.add_key(k, "");
    }

    fn support(&self, k: &Key) {
        self.sign(
            k,
            "content/initiatives/bus.md",
            "pnyx/1 support",
            &format!("signatures/initiatives/bus/{}.minisig", k.id),
        );
    }

    /// Builds and returns the parsed open data file `name`.
    fn data(&self, name: &str) -> serde_json::Value {
        let out = self.root().join("public");
        build(self.root(), &out).assert_ok();
        serde_json::from_slice(&std::fs::read(out.join("data").join(name)).unwrap()).unwrap()
    }

    fn bus(&self) -> serde_json::Value {
        let all = self.data("initiatives.json");
        all.as_array()
            .unwrap()
            .iter()
            .find(|i| i["slug"] == "bus")
            .unwrap()
            .clone()
    }
}

#[test]
fn statements_after_the_deadline_are_listed_not_counted() {
    let s = GitSite::new();
    s.commit(day(0), "initiative");
    let (a, b, c) = (key(), key(), key());
    for k in [&a, &b, &c] {
        s.add_key(k);
    }
    s.support(&a);
    s.support(&b);
    s.commit(day(5), "two supports before closing");
    s.support(&c);
    s.commit(day(12), "one support after closing (closes 2026-10-10)");
    let bus = s.bus();
    assert_eq!(bus["supporters"]["total"], 2, "{bus}");
    assert_eq!(bus["reached"], false);
    let page = String::from_utf8(s.read("public/initiatives/bus/index.html")).unwrap();
    assert!(
        page.contains(&c.id.to_string()),
        "the late support is listed on the page"
    );
}

#[test]
fn a_page_lists_the_latest_signers_and_the_open_data_lists_them_all() {
    let s = GitSite::new();
    s.write(
        "content/initiatives/bus.md",
        "---\ntitle: Bus gratuits\nkind: project\npole: logement\ncloses: 2026-10-10\ngoal: 300\n---\nTexte.\n",
    );
    s.commit(day(0), "initiative");
    let keys: Vec<Key> = (0..105).map(|_| key()).collect();
    for (i, k) in keys.iter().enumerate() {
        s.add_key(k);
        s.support(k);
        if i == 4 {
            s.commit(day(1), "the first five supports");
        }
    }
    s.commit(day(3), "a hundred more");
    let bus = s.bus();
    assert_eq!(bus["supporters"]["total"], 105, "{bus}");
    let page = String::from_utf8(s.read("public/initiatives/bus/index.html")).unwrap();
    let listed = keys
        .iter()
        .filter(|k| page.contains(&format!("#k-{}", k.id)))
        .count();
    assert_eq!(listed, 100, "the page lists the latest 100");
    for k in &keys[..5] {
        assert!(
            !page.contains(&format!("#k-{}", k.id)),
            "the earliest five are left to the data"
        );
    }
    assert!(
        page.contains(r#"<span class="count">105</span>"#),
        "the count is the whole list's"
    );
    assert!(
        page.contains("data/signers/bus.json"),
        "the page links to the whole list"
    );
    let data: serde_json::Value = serde_json::from_slice(&s.read("public/data/signers/bus.json")).unwrap();
    let rows = data["signers"].as_array().unwrap();
    assert_eq!(rows.len(), 105);
    let first: std::collections::BTreeSet<String> = rows[..5]
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect();
    let expected: std::collections::BTreeSet<String> = keys[..5].iter().map(|k| k.id.to_string()).collect();
    assert_eq!(first, expected, "oldest first");
    assert_eq!(data["late"].as_array().unwrap().len(), 0);
}

#[test]
fn a_support_merged_late_counts_from_the_merge_not_from_its_branch() {
    let s = GitSite::new();
    s.commit(day(0), "initiative");
    let a = key();
    s.add_key(&a);
    s.support(&a);
    // Signed on day 2 on a side branch, merged on day 15, after the deadline.
    let base = s.repo.head().unwrap().peel_to_commit().unwrap();
    s.repo.branch("side", &base, false).unwrap();
    s.repo.set_head("refs/heads/side").unwrap();
    s.commit(day(2), "sign on a branch");
    let side = s.repo.head().unwrap().peel_to_commit().unwrap();
    s.repo.set_head("refs/heads/main").unwrap();
    let mut index = s.repo.merge_commits(&base, &side, None).unwrap();
    let tree = s.repo.find_tree(index.write_tree_to(&s.repo).unwrap()).unwrap();
    let sig = Signature::new("M", "m@example.org", &Time::new(day(15), 0)).unwrap();
    s.repo
        .commit(Some("HEAD"), &sig, &sig, "merge", &tree, &[&base, &side])
        .unwrap();
    assert_eq!(s.bus()["supporters"]["total"], 0);
}

#[test]
fn a_changed_text_keeps_earlier_signatures_for_the_version_they_signed() {
    let s = GitSite::new();
    s.commit(day(0), "initiative");
    let (a, b) = (key(), key());
    s.add_key(&a);
    s.add_key(&b);
    s.support(&a);
    s.commit(day(1), "a signs version 1");
    let text = String::from_utf8(s.read("content/initiatives/bus.md")).unwrap();
    s.write(
        "content/initiatives/bus.md",
        &text.replace("Première version.", "Deuxième version, amendée."),
    );
    s.commit(day(2), "the text changes");
    s.support(&b);
    s.commit(day(3), "b signs version 2");
    assert_eq!(s.bus()["supporters"]["total"], 2, "both versions count");
    let page = String::from_utf8(s.read("public/initiatives/bus/index.html")).unwrap();
    assert!(
        page.contains("2 octobre 2026"),
        "the earlier version is named by its date"
    );
}

#[test]
fn every_bad_statement_is_rejected_with_its_reason() {
    let s = GitSite::new();
    s.write(
        "content/initiatives/velo.md",
        "---\ntitle: Vélo\nkind: project\npole: logement\n---\nUn autre texte.\n",
    );
    let (a, b, unknown) = (key(), key(), key());
    s.add_key(&a);
    s.add_key(&b);
    // Forged: a's support with its trusted comment edited afterwards.
    s.support(&a);
    let p = format!("signatures/initiatives/bus/{}.minisig", a.id);
    let forged = String::from_utf8(s.read(&p))
        .unwrap()
        .replace("pnyx/1 support", "pnyx/1 withdraw");
    s.write(&p, &forged);
    // Replayed: b's genuine support of `velo` copied to `bus`.
    s.sign(
        &b,
        "content/initiatives/velo.md",
        "pnyx/1 support",
        &format!("signatures/initiatives/bus/{}.minisig", b.id),
    );
    // Misplaced: a's support of velo stored under b's name.
    s.sign(
        &a,
        "content/initiatives/velo.md",
        "pnyx/1 support",
        &format!("signatures/initiatives/velo/{}.minisig", b.id),
    );
    // Unknown key: no .pub for it.
    s.sign(
        &unknown,
        "content/initiatives/velo.md",
        "pnyx/1 support",
        &format!("signatures/initiatives/velo/{}.minisig", unknown.id),
    );
    // Malformed: not a signature at all.
    s.write(
        &format!("signatures/initiatives/velo/{}.minisig", a.id),
        "bonjour\n",
    );
    s.commit(day(1), "all at once");
    let rejected = s.data("rejected.json");
    let reason_of = |path: String| {
        rejected
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"] == path.as_str())
            .map(|r| r["reason"].as_str().unwrap().to_string())
    };
    assert_eq!(
        reason_of(format!("signatures/initiatives/bus/{}.minisig", a.id)).as_deref(),
        Some("forged")
    );
    assert_eq!(
        reason_of(format!("signatures/initiatives/bus/{}.minisig", b.id)).as_deref(),
        Some("replayed")
    );
    assert_eq!(
        reason_of(format!("signatures/initiatives/velo/{}.minisig", b.id)).as_deref(),
        Some("misplaced")
    );
    assert_eq!(
        reason_of(format!("signatures/initiatives/velo/{}.minisig", unknown.id)).as_deref(),
        Some("unknown-key")
    );
    assert_eq!(
        reason_of(format!("signatures/initiatives/velo/{}.minisig", a.id)).as_deref(),
        Some("malformed")
    );
    assert_eq!(s.bus()["supporters"]["total"], 0, "nothing rejected is counted");

    // A key file named after another key signs for nobody, and stops the build at its line:
    // every statement of that key hangs on it.
    let named = "signatures/keys/0000000000000001.pub";
    s.write(named, &public_key_text(&a.pk));
    let run = build(s.root(), &s.root().join("public"));
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stderr.contains(&format!(
            "{named}:2:1: the file is named 0000000000000001 but holds key {}",
            a.id
        )),
        "{run}"
    );
}

#[test]
fn members_come_from_three_certifications_and_a_ring_of_non_members_makes_none() {
    let s = GitSite::new();
    let roots: Vec<Key> = (0..3).map(|_| key()).collect();
    let (m, x, y, z) = (key(), key(), key(), key());
    for k in roots.iter().chain([&m, &x, &y, &z]) {
        s.add_key(k);
    }
    let ids: Vec<String> = roots.iter().map(|k| k.id.to_string()).collect();
    s.write(
        "pnyx.yaml",
        &format!(
            "{CONFIG}trust:\n  roots: [{}]\n  certifications: 3\n",
            ids.join(", ")
        ),
    );
    for r in &roots {
        s.certify(r, &m, "certify");
    }
    // x, y, z certify each other in a ring, and two roots certify x.
    for (by, subject) in [(&x, &y), (&y, &z), (&z, &x), (&y, &x), (&z, &y), (&x, &z)] {
        s.certify(by, subject, "certify");
    }
    s.certify(&roots[0], &x, "certify");
    s.certify(&roots[1], &x, "certify");
    s.commit(day(1), "web of trust");
    let members = s.data("members.json");
    let is_member = |k: &Key| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == k.id.to_string().as_str())
            .unwrap()["member"]
            .as_bool()
            .unwrap()
    };
    assert!(is_member(&m), "three roots make a member");
    assert!(
        !is_member(&x) && !is_member(&y) && !is_member(&z),
        "a ring of non-members makes none"
    );
    // m, now a member, is the third certifier x needed.
    s.certify(&m, &x, "certify");
    s.commit(day(2), "m certifies x");
    let members = s.data("members.json");
    assert!(members
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["key"] == x.id.to_string().as_str() && e["member"] == true));
    // A revocation replaces the certification: x falls back below three.
    s.certify(&roots[0], &x, "revoke");
    s.commit(day(3), "revocation");
    let members = s.data("members.json");
    assert!(members
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["key"] == x.id.to_string().as_str() && e["member"] == false));
}

#[test]
fn a_member_attested_paper_batch_counts_towards_the_goal() {
    let s = GitSite::new();
    let roots: Vec<Key> = (0..3).map(|_| key()).collect();
    for k in &roots {
        s.add_key(k);
    }
    let ids: Vec<String> = roots.iter().map(|k| k.id.to_string()).collect();
    s.write(
        "pnyx.yaml",
        &format!("{CONFIG}trust:\n  roots: [{}]\n", ids.join(", ")),
    );
    s.commit(day(0), "initiative");
    let batch = "signatures/paper/initiatives/bus/marche.yaml";
    s.write(
        batch,
        "place: Marché Victor Hugo\ndate: 2026-10-03\ncollector: Gigi\ncount: 2\n",
    );
    s.sign(
        &roots[0],
        batch,
        "pnyx/1 attest 2",
        &format!("signatures/paper/initiatives/bus/marche.{}.minisig", roots[0].id),
    );
    s.support(&roots[1]);
    s.commit(day(4), "paper batch and one support");
    let bus = s.bus();
    assert_eq!(bus["supporters"]["paper"], 2);
    assert_eq!(bus["supporters"]["members"], 1);
    assert_eq!(bus["supporters"]["total"], 3);
    assert_eq!(bus["reached"], true, "goal 3 reached with paper");
}

#[test]
fn a_changed_key_file_or_batch_loses_the_statements_about_its_old_text() {
    let s = GitSite::new();
    let roots: Vec<Key> = (0..3).map(|_| key()).collect();
    let m = key();
    for k in roots.iter().chain([&m]) {
        s.add_key(k);
    }
    let ids: Vec<String> = roots.iter().map(|k| k.id.to_string()).collect();
    s.write(
        "pnyx.yaml",
        &format!("{CONFIG}trust:\n  roots: [{}]\n", ids.join(", ")),
    );
    for r in &roots {
        s.certify(r, &m, "certify");
    }
    let batch = "signatures/paper/initiatives/bus/marche.yaml";
    s.write(
        batch,
        "place: Marché\ndate: 2026-10-03\ncollector: Gigi\ncount: 2\n",
    );
    s.sign(
        &roots[0],
        batch,
        "pnyx/1 attest 2",
        &format!("signatures/paper/initiatives/bus/marche.{}.minisig", roots[0].id),
    );
    s.commit(day(1), "a member and a batch");
    let is_member = |s: &GitSite| {
        s.data("members.json")
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["key"] == m.id.to_string().as_str() && e["member"] == true)
    };
    assert!(is_member(&s));
    assert_eq!(s.bus()["supporters"]["paper"], 2);
    // Another key file under the same id, and the batch's place edited: what was vouched for
    // is gone, so the old statements no longer count and are listed as outdated.
    let pub_path = format!("signatures/keys/{}.pub", m.id);
    let text = String::from_utf8(s.read(&pub_path)).unwrap();
    s.write(
        &pub_path,
        &text.replacen("untrusted comment:", "untrusted comment: changed", 1),
    );
    s.write(
        batch,
        "place: Ailleurs\ndate: 2026-10-03\ncollector: Gigi\ncount: 2\n",
    );
    s.commit(day(2), "changed");
    assert!(!is_member(&s));
    assert_eq!(s.bus()["supporters"]["paper"], 0);
    let rejected = s.data("rejected.json");
    let outdated = rejected
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reason"] == "outdated")
        .count();
    assert_eq!(outdated, 4, "{rejected}");
}

#[test]
fn outside_git_every_statement_counts_and_the_data_says_so() {
    let s = GitSite::new();
    let a = key();
    s.add_key(&a);
    s.support(&a);
    std::fs::remove_dir_all(s.root().join(".git")).unwrap();
    assert_eq!(s.bus()["supporters"]["total"], 1);
    assert_eq!(s.data("build.json")["history"], false);
}

/// The open data of a build: what a cache must never change.
fn outcome(s: &GitSite) -> Vec<serde_json::Value> {
    ["initiatives.json", "members.json", "rejected.json"]
        .iter()
        .map(|n| s.data(n))
        .collect()
}

#[test]
fn the_cache_gives_the_cold_result_after_any_single_change() {
    let s = GitSite::new();
    let roots: Vec<Key> = (0..3).map(|_| key()).collect();
    let ids: Vec<String> = roots.iter().map(|k| k.id.to_string()).collect();
    s.write(
        "pnyx.yaml",
        &format!("{CONFIG}trust:\n  roots: [{}]\n", ids.join(", ")),
    );
    let (a, b) = (key(), key());
    for k in roots.iter().chain([&a, &b]) {
        s.add_key(k);
        s.support(k);
    }
    for r in &roots {
        s.certify(r, &a, "certify");
    }
    s.commit(day(1), "statements");
    let a_support = format!("signatures/initiatives/bus/{}.minisig", a.id);
    let b_support = format!("signatures/initiatives/bus/{}.minisig", b.id);
    type Change<'a> = Box<dyn Fn(&GitSite) + 'a>;
    let changes: Vec<Change<'_>> = vec![
        // The signed text changes: earlier statements must now match an earlier version.
        Box::new(|s| {
            let t = String::from_utf8(s.read("content/initiatives/bus.md")).unwrap();
            s.write("content/initiatives/bus.md", &t.replace("Première", "Nouvelle"));
        }),
        // A statement is tampered with.
        Box::new(|s| {
            let t = String::from_utf8(s.read(&a_support)).unwrap();
            s.write(&a_support, &t.replace("pnyx/1 support", "pnyx/1 withdraw"));
        }),
        // A statement is replaced by another key's bytes.
        Box::new(|s| {
            let t = s.read(&b_support);
            s.write(&a_support, std::str::from_utf8(&t).unwrap());
        }),
        // A key file is removed: its statements lose their key. (A key file holding another
        // key fails the build: see `every_bad_statement_is_rejected_with_its_reason`.)
        Box::new(|s| s.remove(&format!("signatures/keys/{}.pub", b.id))),
        // A certification is revoked.
        Box::new(|s| s.certify(&roots[2], &a, "revoke")),
    ];
    for (n, change) in changes.iter().enumerate() {
        let _ = outcome(&s); // warm the cache with the current files
        change(&s);
        let warm = outcome(&s);
        std::fs::remove_dir_all(s.root().join(".pnyx-cache")).unwrap();
        let cold = outcome(&s);
        assert_eq!(warm, cold, "change {n}: the cached build differs from a cold one");
    }
    // A corrupt cache is rebuilt, never trusted.
    let before = outcome(&s);
    std::fs::write(s.root().join(".pnyx-cache/verify.bin"), b"PNYXVC01 garbage").unwrap();
    assert_eq!(outcome(&s), before);
}
