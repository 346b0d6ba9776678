//! A council in a real git repository, with throwaway minisign keys and commits at chosen
//! times: the fixture of the tests that need history, statements and roles.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use git2::{Repository, Signature, Time};
use pnyx::signatures::keys::{public_key_text, KeyId};

use super::fixture::{build, CONFIG, POLE};

/// What a site's repository ignores: pnyx's own output.
pub const GITIGNORE: &str = "/public\n/.pnyx-cache\n";

/// A throwaway key pair.
pub struct Key {
    pub pk: minisign::PublicKey,
    pub sk: minisign::SecretKey,
    pub id: KeyId,
}

impl Key {
    /// A new key pair.
    pub fn new() -> Key {
        let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let id = KeyId::from_keynum(kp.pk.keynum()).unwrap();
        Key {
            pk: kp.pk,
            sk: kp.sk,
            id,
        }
    }

    /// The secret key as a file `pnyx --secret-key` reads (no password), in `dir`.
    pub fn secret_file(&self, dir: &Path) -> PathBuf {
        let path = dir.join(format!("{}.key", self.id));
        let text = self.sk.to_box(None).unwrap().to_string();
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// 2026-10-01 and following days, at noon UTC (builds run at 2026-11-18, `SOURCE_DATE_EPOCH`).
pub fn day(n: i64) -> i64 {
    1_790_856_000 + n * 86_400
}

/// A site in a git repository on branch `main`.
pub struct GitSite {
    dir: tempfile::TempDir,
    pub repo: Repository,
}

impl GitSite {
    /// `pnyx.yaml` (with `extra_config` appended), the pole `logement`, and the `.gitignore`
    /// of a real site (pnyx's own output), not committed.
    pub fn new(extra_config: &str) -> GitSite {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        repo.set_head("refs/heads/main").unwrap();
        let site = GitSite { dir, repo };
        site.write(".gitignore", GITIGNORE);
        site.write("pnyx.yaml", &format!("{CONFIG}{extra_config}"));
        site.write("content/poles/logement.md", POLE);
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.root().join(rel)).unwrap()
    }

    /// Commits every change of the working tree at `time`.
    pub fn commit(&self, time: i64, msg: &str) {
        self.commit_as("T", time, msg);
    }

    /// Commits every change of the working tree at `time`, by `author`.
    pub fn commit_as(&self, author: &str, time: i64, msg: &str) {
        let mut index = self.repo.index().unwrap();
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::new(author, "t@example.org", &Time::new(time, 0)).unwrap();
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
            .unwrap();
    }

    /// The commit HEAD points to.
    pub fn tip(&self) -> git2::Oid {
        self.repo.head().unwrap().peel_to_commit().unwrap().id()
    }

    /// Switches to the existing branch `name` and checks its files out.
    pub fn switch(&self, name: &str) {
        let target = self.repo.revparse_single(&format!("refs/heads/{name}")).unwrap();
        let mut force = git2::build::CheckoutBuilder::new();
        force.force();
        self.repo.checkout_tree(&target, Some(&mut force)).unwrap();
        self.repo.set_head(&format!("refs/heads/{name}")).unwrap();
    }

    /// Moves branch `name` to the tip of branch `to`, as `git merge --ff-only` or a push of
    /// commits made elsewhere does, and switches to it.
    pub fn fast_forward(&self, name: &str, to: &str) {
        let tip = self
            .repo
            .revparse_single(&format!("refs/heads/{to}"))
            .unwrap()
            .id();
        self.repo
            .reference(&format!("refs/heads/{name}"), tip, true, "fast-forward")
            .unwrap();
        self.switch(name);
    }

    /// Merges branch `side` into the current branch with a merge commit at `time` (as a
    /// forge's merge button, or someone who sets the date), and checks the result out.
    pub fn merge(&self, side: &str, time: i64, msg: &str) -> git2::Oid {
        let ours = self.repo.head().unwrap().peel_to_commit().unwrap();
        let theirs = self
            .repo
            .revparse_single(&format!("refs/heads/{side}"))
            .unwrap()
            .peel_to_commit()
            .unwrap();
        let mut index = self.repo.merge_commits(&ours, &theirs, None).unwrap();
        assert!(!index.has_conflicts(), "the test's branches conflict");
        let tree = self
            .repo
            .find_tree(index.write_tree_to(&self.repo).unwrap())
            .unwrap();
        let sig = Signature::new("Forge", "forge@example.org", &Time::new(time, 0)).unwrap();
        let id = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, msg, &tree, &[&ours, &theirs])
            .unwrap();
        let mut force = git2::build::CheckoutBuilder::new();
        force.force();
        self.repo.checkout_head(Some(&mut force)).unwrap();
        id
    }

    /// Publishes `k`'s public key, and a profile when `profile` is not empty.
    pub fn add_key(&self, k: &Key, profile: &str) {
        self.write(&format!("signatures/keys/{}.pub", k.id), &public_key_text(&k.pk));
        if !profile.is_empty() {
            self.write(&format!("signatures/keys/{}.yaml", k.id), profile);
        }
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.root().join(rel)).unwrap();
    }

    /// Starts the branch `name` from the current commit and switches to it.
    pub fn branch(&self, name: &str) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo.branch(name, &head, false).unwrap();
        self.repo.set_head(&format!("refs/heads/{name}")).unwrap();
    }

    /// A statement by `k` of the current bytes of `file` saying `comment`.
    pub fn statement(&self, k: &Key, file: &str, comment: &str) -> String {
        minisign::sign(
            Some(&k.pk),
            &k.sk,
            Cursor::new(self.read(file)),
            Some(comment),
            None,
        )
        .unwrap()
        .into_string()
    }

    /// Signs the current bytes of `file` saying `comment`, and stores the statement at `at`.
    pub fn sign(&self, k: &Key, file: &str, comment: &str, at: &str) {
        self.write(at, &self.statement(k, file, comment));
    }

    /// `by` certifies `subject` (or revokes, with `verb`).
    pub fn certify(&self, by: &Key, subject: &Key, verb: &str) {
        self.sign(
            by,
            &format!("signatures/keys/{}.pub", subject.id),
            &format!("pnyx/1 {verb}"),
            &format!("signatures/certifications/{}/{}.minisig", subject.id, by.id),
        );
    }

    /// Builds into `public/`, which must succeed, and returns the output folder.
    pub fn build(&self) -> PathBuf {
        let out = self.root().join("public");
        build(self.root(), &out).assert_ok();
        out
    }

    /// Builds and returns one output file as text.
    pub fn page(&self, rel: &str) -> String {
        let out = self.build();
        std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

/// A council of three trust roots and a fourth member they certify (`members`), and
/// `outsiders` keys that are not members, all with profiles `Personne N`, in the Paris zone;
/// nothing committed yet.
pub fn council(outsiders: usize) -> (GitSite, Vec<Key>, Vec<Key>) {
    let members: Vec<Key> = (0..4).map(|_| Key::new()).collect();
    let ids: Vec<String> = members[..3].iter().map(|k| k.id.to_string()).collect();
    let site = GitSite::new(&format!(
        "timezone: Europe/Paris\ntrust:\n  roots: [{}]\n  certifications: 3\n",
        ids.join(", ")
    ));
    let others: Vec<Key> = (0..outsiders).map(|_| Key::new()).collect();
    for (i, k) in members.iter().chain(&others).enumerate() {
        site.add_key(k, &format!("name: Personne {i}\n"));
    }
    for r in &members[..3] {
        site.certify(r, &members[3], "certify");
    }
    (site, members, others)
}
