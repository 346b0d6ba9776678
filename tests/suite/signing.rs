//! The signing commands — `pnyx keygen`, `sign`, `withdraw`, `register`, `certify`, `revoke`,
//! `attest` — and their interoperability with the stock `minisign` command line, both ways:
//! what pnyx signs, `minisign -V` verifies; what `minisign -G` and `minisign -S` make, pnyx
//! accepts. Tests that need the `minisign` program print a line and return when it is missing.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pnyx::load::signatures::{FileVersion, StatementFile};
use pnyx::signatures::keys::{self, KeyId, PublicKey};
use pnyx::signatures::statement::{self, Verb};
use pnyx::signatures::verdict::{self, Reason};
use tempfile::TempDir;

use super::fixture::{pnyx_env, read_tree, Run, Site};

const BUS: &str = "content/initiatives/gratuite-des-bus.md";
const MEETING: &str = "content/meetings/pleniere.md";
const BATCH: &str = "signatures/paper/initiatives/gratuite-des-bus/marche-2026-11-28.yaml";

/// A citizen's machine: a home folder of their own, so that no test sees the real one's keys.
struct Citizen {
    home: TempDir,
}

impl Citizen {
    fn new() -> Citizen {
        Citizen {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    /// `$PNYX_HOME`.
    fn pnyx_home(&self) -> PathBuf {
        self.home().join("pnyx")
    }

    /// Runs `pnyx ARGS --root SITE` with this home, then `extra` variables.
    fn run_with(&self, site: &Path, args: &[&str], extra: &[(&str, Option<&OsStr>)]) -> Run {
        let pnyx_home = self.pnyx_home();
        let mut env: Vec<(&str, Option<&OsStr>)> = vec![
            ("HOME", Some(self.home().as_os_str())),
            ("PNYX_HOME", Some(pnyx_home.as_os_str())),
            ("XDG_CONFIG_HOME", None),
            ("USERPROFILE", None),
            ("PNYX_SECRET_KEY", None),
            ("PNYX_PASSWORD", None),
        ];
        env.extend_from_slice(extra);
        let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        all.extend([OsStr::new("--root"), site.as_os_str()]);
        pnyx_env(all, &env)
    }

    fn run(&self, site: &Site, args: &[&str]) -> Run {
        self.run_with(site.root(), args, &[])
    }

    /// `pnyx keygen --no-password --name NAME`, and the new key's id.
    fn keygen(&self, site: &Site, name: &str) -> KeyId {
        let run = self.run(site, &["keygen", "--no-password", "--name", name]);
        run.assert_ok();
        key_id_printed(&run)
    }
}

/// The id in the `key id:` line that `pnyx keygen` prints.
fn key_id_printed(run: &Run) -> KeyId {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("key id:"))
        .unwrap_or_else(|| panic!("no `key id:` line\n{run}"));
    let id = line.split_whitespace().last().unwrap();
    KeyId::parse(id).unwrap_or_else(|| panic!("`{id}` is not a key id\n{run}"))
}

/// Every public key of the site, read from the payloads.
fn site_keys(site: &Site) -> BTreeMap<KeyId, PublicKey> {
    read_tree(site.root())
        .into_iter()
        .filter(|(rel, _)| rel.starts_with("signatures/keys/") && rel.ends_with(".pub"))
        .map(|(_, bytes)| {
            let k = keys::parse_public_key(&String::from_utf8(bytes).unwrap()).unwrap();
            (k.id, k)
        })
        .collect()
}

/// Verifies one statement of the site with the library, against the current signed file.
fn library_verify(site: &Site, statement_path: &str) -> verdict::Verdict {
    let place = statement::place(statement_path).unwrap();
    let signed = place.signed_file();
    let bytes = std::fs::read(site.path(&signed)).unwrap();
    let versions = BTreeMap::from([(
        signed,
        vec![FileVersion {
            blob: pnyx::load::history::blob_id(&bytes),
            bytes,
            commit: None,
        }],
    )]);
    let st = StatementFile {
        path: statement_path.to_string(),
        text: site.read(statement_path),
    };
    verdict::verify(&st, &site_keys(site), &versions)
}

// ---------------------------------------------------------------------------------------------
// The stock minisign program.

pub fn minisign_installed() -> bool {
    Command::new("minisign")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Returns from the test, saying so, when `minisign` is not installed.
macro_rules! require_minisign {
    () => {
        if super::fixture::missing_tool(minisign_installed(), "minisign", "apt-get install minisign") {
            return;
        }
    };
}

/// Runs `minisign ARGS` in `cwd` with `stdin` as its input (a password, or nothing).
fn minisign(cwd: &Path, args: &[&OsStr], stdin: &str) -> std::process::Output {
    let mut child = Command::new("minisign")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run minisign");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// `minisign -S [extra] -s SECRET -m SIGNED -x STATEMENT -t COMMENT` in the site, the
/// statement's folder made first; `stdin` answers a password prompt.
fn stock_sign(
    site: &Site,
    secret: &Path,
    signed: &str,
    statement: &str,
    comment: &str,
    extra: &[&str],
    stdin: &str,
) -> std::process::Output {
    std::fs::create_dir_all(site.path(statement).parent().unwrap()).unwrap();
    let mut args: Vec<&OsStr> = vec![OsStr::new("-S")];
    args.extend(extra.iter().map(OsStr::new));
    args.extend([
        OsStr::new("-s"),
        secret.as_os_str(),
        OsStr::new("-m"),
        OsStr::new(signed),
        OsStr::new("-x"),
        OsStr::new(statement),
        OsStr::new("-t"),
        OsStr::new(comment),
    ]);
    minisign(site.root(), &args, stdin)
}

fn text(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `minisign -Vm SIGNED -x MINISIG -p PUB` (and again with `-H`, prehashed only) in the site;
/// checks that it verifies and prints `Trusted comment: COMMENT`.
#[track_caller]
fn stock_verifies(site: &Site, signed: &str, minisig: &str, key: KeyId, comment: &str) {
    let public = format!("signatures/keys/{key}.pub");
    for prehashed_only in [false, true] {
        let mut args = vec!["-V", "-m", signed, "-x", minisig, "-p", &public];
        if prehashed_only {
            args.push("-H");
        }
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = minisign(site.root(), &args, "");
        let shown = text(&out);
        assert!(
            out.status.success(),
            "minisign does not verify {minisig}\n{shown}"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.lines().any(|l| l == format!("Trusted comment: {comment}")),
            "minisign shows another trusted comment for {minisig}\n{shown}"
        );
    }
}

/// A key pair made by `minisign -G` in `dir` (`-W`: no password), with its id.
fn stock_keygen(dir: &Path, password: Option<&str>) -> Result<(PathBuf, PathBuf, KeyId), String> {
    let (public, secret) = (dir.join("stock.pub"), dir.join("stock.key"));
    let mut args = vec![
        OsStr::new("-G"),
        OsStr::new("-p"),
        public.as_os_str(),
        OsStr::new("-s"),
        secret.as_os_str(),
    ];
    let stdin = match password {
        None => {
            args.push(OsStr::new("-W"));
            String::new()
        }
        Some(p) => format!("{p}\n{p}\n"),
    };
    let out = minisign(dir, &args, &stdin);
    if !out.status.success() || !secret.is_file() {
        return Err(text(&out));
    }
    let id = keys::read_public_key(&public).map_err(|e| e.to_string())?.id;
    Ok((public, secret, id))
}

// ---------------------------------------------------------------------------------------------
// keygen.

#[test]
fn keygen_puts_the_public_key_in_the_site_and_the_secret_key_outside() {
    let site = Site::small();
    let me = Citizen::new();
    let name = "Béatrice «B» : \"oui\"";
    let run = me.run(&site, &["keygen", "--no-password", "--name", name]);
    run.assert_ok();
    let id = key_id_printed(&run);

    // The public key, named after the id in its payload (not the comment line).
    let public_rel = format!("signatures/keys/{id}.pub");
    let public_text = site.read(&public_rel);
    assert!(public_text.starts_with("untrusted comment: "), "{public_text}");
    assert_eq!(public_text.lines().count(), 2, "{public_text}");
    assert_eq!(keys::parse_public_key(&public_text).unwrap().id, id);

    // The profile, quoted, reads back as the name.
    let profile = site.read(&format!("signatures/keys/{id}.yaml"));
    assert!(profile.starts_with("name: \""), "{profile}");
    let back: BTreeMap<String, String> = serde_yaml::from_str(&profile).unwrap();
    assert_eq!(back.get("name").map(String::as_str), Some(name), "{profile}");

    // The secret key, in $PNYX_HOME/keys/, readable by its owner only, and nowhere in the site.
    let secret = me.pnyx_home().join("keys").join(format!("{id}.key"));
    let secret_text = std::fs::read_to_string(&secret).unwrap();
    assert!(!keys::secret_key_needs_password(&secret_text).unwrap());
    let sk = keys::load_secret_key(&secret_text, None).unwrap();
    keys::check_pair(&keys::parse_public_key(&public_text).unwrap().key, &sk).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key is readable by others");
    }
    let secret_line = secret_text.lines().nth(1).unwrap();
    for (rel, bytes) in read_tree(site.root()) {
        assert!(!rel.ends_with(".key"), "{rel} in the site");
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret_line),
            "the secret key is in {rel}"
        );
    }

    // What it printed: where each file went, and what to do next.
    assert!(run.stdout.contains(&secret.display().to_string()), "{run}");
    assert!(run.stdout.contains(&public_rel), "{run}");
    assert!(
        run.stdout.contains(&format!("commit signatures/keys/{id}.pub")),
        "{run}"
    );
    assert!(run.stdout.contains("ask three members to certify it"), "{run}");
}

#[test]
fn keygen_never_writes_a_secret_key_inside_the_site_nor_over_a_file() {
    let site = Site::small();
    let me = Citizen::new();
    let outside = tempfile::tempdir().unwrap();
    let root = site.root().display().to_string();
    let mut inside = vec![
        format!("{root}/my.key"),
        format!("{root}/content/../signatures/my.key"),
        format!("{root}/no-such-folder/my.key"),
    ];
    #[cfg(unix)]
    {
        // Through a symbolic link from outside: canonical paths are compared.
        let link = outside.path().join("link");
        std::os::unix::fs::symlink(site.root(), &link).unwrap();
        inside.push(link.join("my.key").display().to_string());
    }
    let before = read_tree(site.root());
    for path in &inside {
        let run = me.run(&site, &["keygen", "--no-password", "--secret-key", path]);
        assert_eq!(run.code, Some(1), "{path}\n{run}");
        assert!(run.stderr.contains("inside the site"), "{run}");
        assert!(run.stderr.contains("hint:"), "{run}");
    }
    // $PNYX_HOME inside the site is refused too.
    let home_inside = site.path("private");
    let run = me.run_with(
        site.root(),
        &["keygen", "--no-password"],
        &[("PNYX_HOME", Some(home_inside.as_os_str()))],
    );
    assert_eq!(run.code, Some(1), "{run}");
    assert_eq!(
        read_tree(site.root()),
        before,
        "a refused keygen wrote in the site"
    );

    // An existing file is never overwritten.
    let existing = outside.path().join("taken.key");
    std::fs::write(&existing, "precious").unwrap();
    let run = me.run(
        &site,
        &[
            "keygen",
            "--no-password",
            "--secret-key",
            existing.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("already exists"), "{run}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "precious");
    assert_eq!(
        read_tree(site.root()),
        before,
        "a refused keygen wrote in the site"
    );

    // A path outside is fine.
    let chosen = outside.path().join("keys/mine.key");
    let run = me.run(
        &site,
        &[
            "keygen",
            "--no-password",
            "--secret-key",
            chosen.to_str().unwrap(),
        ],
    );
    run.assert_ok();
    assert!(chosen.is_file(), "{run}");
}

#[test]
fn a_key_with_a_password_asks_for_it_and_refuses_a_wrong_one() {
    let site = Site::small();
    let me = Citizen::new();
    let password = [("PNYX_PASSWORD", Some(OsStr::new("correct horse")))];
    let run = me.run_with(site.root(), &["keygen"], &password);
    run.assert_ok();
    let id = key_id_printed(&run);
    let secret = me.pnyx_home().join("keys").join(format!("{id}.key"));
    let secret_text = std::fs::read_to_string(&secret).unwrap();
    assert!(keys::secret_key_needs_password(&secret_text).unwrap());
    assert!(run.stdout.contains("protected by your password"), "{run}");

    let wrong = [("PNYX_PASSWORD", Some(OsStr::new("wrong")))];
    let run = me.run_with(site.root(), &["sign", "gratuite-des-bus"], &wrong);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("password"), "{run}");
    assert!(!site.path("signatures/initiatives").exists());

    let run = me.run_with(site.root(), &["sign", "gratuite-des-bus"], &password);
    run.assert_ok();
    let statement = format!("signatures/initiatives/gratuite-des-bus/{id}.minisig");
    assert!(library_verify(&site, &statement).is_ok());

    // Stock minisign signs with pnyx's key (password on its standard input) and verifies.
    require_minisign!();
    let out = stock_sign(
        &site,
        &secret,
        MEETING,
        &format!("signatures/meetings/pleniere/{id}.minisig"),
        "pnyx/1 register",
        &[],
        "correct horse\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    let statement = format!("signatures/meetings/pleniere/{id}.minisig");
    assert_eq!(
        library_verify(&site, &statement).unwrap().said.verb,
        Verb::Register
    );
}

// ---------------------------------------------------------------------------------------------
// The statements.

#[test]
fn every_verb_writes_its_statement_where_it_belongs_and_stock_minisign_verifies_it() {
    let site = Site::small();
    site.write(
        BATCH,
        "place: Marché Saint-Aubin\ndate: 2026-11-28\ncollector: Alice\ncount: 12\n",
    );
    let (alice, bob) = (Citizen::new(), Citizen::new());
    let a = alice.keygen(&site, "Alice");
    let b = bob.keygen(&site, "Bob");
    let stock = minisign_installed();
    if !stock {
        eprintln!("minisign is not installed: checking with the library only");
    }

    // (arguments, statement path, signed file, trusted comment, --for)
    type Case<'a> = (Vec<String>, String, &'a str, String, Option<&'a str>);
    let cases: Vec<Case<'_>> = vec![
        (
            vec!["sign".into(), "gratuite-des-bus".into()],
            format!("signatures/initiatives/gratuite-des-bus/{a}.minisig"),
            BUS,
            "pnyx/1 support".into(),
            None,
        ),
        (
            vec!["withdraw".into(), "gratuite-des-bus".into()],
            format!("signatures/initiatives/gratuite-des-bus/{a}.minisig"),
            BUS,
            "pnyx/1 withdraw".into(),
            Some("replaces your earlier support"),
        ),
        (
            vec!["sign".into(), "gratuite-des-bus".into()],
            format!("signatures/initiatives/gratuite-des-bus/{a}.minisig"),
            BUS,
            "pnyx/1 support".into(),
            Some("replaces your earlier withdraw"),
        ),
        (
            vec!["register".into(), "pleniere".into()],
            format!("signatures/meetings/pleniere/{a}.minisig"),
            MEETING,
            "pnyx/1 register".into(),
            None,
        ),
        (
            vec!["certify".into(), b.to_string()],
            format!("signatures/certifications/{b}/{a}.minisig"),
            "",
            "pnyx/1 certify".into(),
            None,
        ),
        (
            vec!["revoke".into(), b.to_string().to_lowercase()],
            format!("signatures/certifications/{b}/{a}.minisig"),
            "",
            "pnyx/1 revoke".into(),
            Some("replaces your earlier certify"),
        ),
        (
            vec![
                "attest".into(),
                "initiatives/gratuite-des-bus/marche-2026-11-28".into(),
                "12".into(),
            ],
            format!("signatures/paper/initiatives/gratuite-des-bus/marche-2026-11-28.{a}.minisig"),
            BATCH,
            "pnyx/1 attest 12".into(),
            None,
        ),
    ];
    let b_pub = format!("signatures/keys/{b}.pub");
    for (args, path, signed, comment, replaces) in &cases {
        let signed = if signed.is_empty() { b_pub.as_str() } else { signed };
        // pnyx names the signed file in the trusted comment, after the verb.
        let (verb, argument) = comment["pnyx/1 ".len()..]
            .split_once(' ')
            .map_or((&comment["pnyx/1 ".len()..], None), |(v, a)| (v, Some(a)));
        let comment = &match argument {
            Some(a) => format!("pnyx/1 {verb} {signed} {a}"),
            None => format!("pnyx/1 {verb} {signed}"),
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = alice.run(&site, &args);
        run.assert_ok();
        assert_eq!(run.stdout.trim(), path, "{run}");
        match replaces {
            Some(r) => assert!(run.stderr.contains(r), "{run}"),
            None => assert!(!run.stderr.contains("replaces"), "{run}"),
        }
        let text = site.read(path);
        assert!(
            text.contains(&format!("\ntrusted comment: {comment}\n")),
            "{text}"
        );
        assert!(
            text.starts_with(&format!("untrusted comment: signature from pnyx key {a}\n")),
            "{text}"
        );
        let valid = library_verify(&site, path).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        assert_eq!(valid.place.signed_file(), signed);
        assert_eq!(
            statement::comment(valid.said.verb, signed, valid.said.argument.as_deref()),
            *comment
        );
        if stock {
            stock_verifies(&site, signed, path, a, comment);
        }
    }

    // The same statement about the same version again: nothing to do, nothing rewritten.
    let path = format!("signatures/initiatives/gratuite-des-bus/{a}.minisig");
    let before = site.read(&path);
    let run = alice.run(&site, &["sign", "gratuite-des-bus"]);
    run.assert_ok();
    assert!(run.stderr.contains("nothing to do"), "{run}");
    assert_eq!(site.read(&path), before);

    // A new version of the initiative: signing again signs the new bytes.
    site.write(BUS, format!("{}Une phrase de plus.\n", site.read(BUS)));
    let run = alice.run(&site, &["sign", "gratuite-des-bus"]);
    run.assert_ok();
    assert!(run.stderr.contains("replaces your earlier support"), "{run}");
    assert!(library_verify(&site, &path).is_ok());

    // Bob certifies Alice; one file per key and target.
    let run = bob.run(&site, &["certify", &a.to_string()]);
    run.assert_ok();
    assert!(site
        .path(&format!("signatures/certifications/{a}/{b}.minisig"))
        .is_file());

    // What pnyx wrote, the build accepts.
    site.build().assert_ok();
}

#[test]
fn mistakes_exit_1_and_say_what_to_do() {
    let site = Site::small();
    let me = Citizen::new();

    // No key anywhere.
    let run = me.run(&site, &["sign", "gratuite-des-bus"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("pnyx keygen"), "{run}");

    let id = me.keygen(&site, "Moi");
    let before = read_tree(site.root());
    let refused: [(&[&str], &[&str]); 9] = [
        (&["sign", "gratuite"], &["did you mean `gratuite-des-bus`?"]),
        (
            &["sign", "Gratuité des bus !"],
            &["did you mean `gratuite-des-bus`?"],
        ),
        (&["register", "assemblee"], &["pleniere"]),
        (&["certify", &id.to_string()], &["cannot certify itself"]),
        (
            &["certify", "0123456789ABCDEF"],
            &["no signatures/keys/0123456789ABCDEF.pub"],
        ),
        (&["revoke", "bob"], &["not a key id"]),
        (&["attest", "gratuite-des-bus", "3"], &["<kind>/<slug>/<batch>"]),
        (
            &["attest", "initiatives/gratuite-des-bus/marche", "3"],
            &["signatures/paper/initiatives/gratuite-des-bus/marche.yaml does not exist"],
        ),
        (&["attest", "polls/x/y", "3"], &["initiatives, votes and budgets"]),
    ];
    for (args, says) in refused {
        let run = me.run(&site, args);
        assert_eq!(run.code, Some(1), "{args:?}\n{run}");
        assert!(run.stderr.contains("hint:"), "{args:?}\n{run}");
        for s in says {
            assert!(run.stderr.contains(s), "{args:?} does not say {s:?}\n{run}");
        }
    }
    assert_eq!(
        read_tree(site.root()),
        before,
        "a refused command wrote in the site"
    );

    // Not a site.
    let empty = tempfile::tempdir().unwrap();
    let run = me.run_with(empty.path(), &["sign", "gratuite-des-bus"], &[]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("pnyx.yaml"), "{run}");

    // A key whose public key is not in this site.
    let other = Site::small();
    let stranger = Citizen::new();
    let sid = stranger.keygen(&other, "Ailleurs");
    let run = stranger.run(&site, &["sign", "gratuite-des-bus"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stderr.contains(&format!("signatures/keys/{sid}.pub")),
        "{run}"
    );
    assert!(run.stderr.contains("pnyx keygen"), "{run}");

    // A public key that is not the secret key's other half.
    site.write(
        &format!("signatures/keys/{sid}.pub"),
        site.read(&format!("signatures/keys/{id}.pub")),
    );
    let run = stranger.run(&site, &["sign", "gratuite-des-bus"]);
    assert_eq!(run.code, Some(1), "{run}");
    site.remove(&format!("signatures/keys/{sid}.pub"));

    // An attestation must agree with the count the batch states.
    site.write(
        BATCH,
        "place: Marché\ndate: 2026-11-28\ncollector: Alice\ncount: 12\n",
    );
    let run = me.run(
        &site,
        &["attest", "initiatives/gratuite-des-bus/marche-2026-11-28", "11"],
    );
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("count: 12"), "{run}");
}

#[test]
fn the_secret_key_is_found_or_chosen() {
    let site = Site::small();
    let me = Citizen::new();
    let first = me.keygen(&site, "Un");
    let second = me.keygen(&site, "Deux");

    // Two keys in $PNYX_HOME/keys: which one?
    let run = me.run(&site, &["sign", "gratuite-des-bus"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains(&format!("{first}.key")), "{run}");
    assert!(run.stderr.contains(&format!("{second}.key")), "{run}");
    assert!(run.stderr.contains("--secret-key"), "{run}");

    // PNYX_SECRET_KEY chooses; --secret-key wins over it.
    let keys_dir = me.pnyx_home().join("keys");
    let second_key = keys_dir.join(format!("{second}.key"));
    let first_key = keys_dir.join(format!("{first}.key"));
    let run = me.run_with(
        site.root(),
        &["register", "pleniere"],
        &[("PNYX_SECRET_KEY", Some(second_key.as_os_str()))],
    );
    run.assert_ok();
    assert_eq!(
        run.stdout.trim(),
        format!("signatures/meetings/pleniere/{second}.minisig")
    );
    let run = me.run_with(
        site.root(),
        &[
            "register",
            "pleniere",
            "--secret-key",
            first_key.to_str().unwrap(),
        ],
        &[("PNYX_SECRET_KEY", Some(second_key.as_os_str()))],
    );
    run.assert_ok();
    assert_eq!(
        run.stdout.trim(),
        format!("signatures/meetings/pleniere/{first}.minisig")
    );

    // With no key in $PNYX_HOME, stock minisign's default ~/.minisign/minisign.key is used.
    let stock_dir = me.home().join(".minisign");
    std::fs::create_dir_all(&stock_dir).unwrap();
    std::fs::rename(&first_key, stock_dir.join("minisign.key")).unwrap();
    std::fs::remove_file(&second_key).unwrap();
    let run = me.run(&site, &["sign", "gratuite-des-bus"]);
    run.assert_ok();
    assert_eq!(
        run.stdout.trim(),
        format!("signatures/initiatives/gratuite-des-bus/{first}.minisig")
    );
}

// ---------------------------------------------------------------------------------------------
// minisign → pnyx.

#[test]
fn a_stock_key_and_a_stock_statement_are_accepted() {
    require_minisign!();
    let site = Site::small();
    let me = Citizen::new();
    let (public, secret, id) = stock_keygen(me.home(), None).unwrap();
    site.write(
        &format!("signatures/keys/{id}.pub"),
        std::fs::read(&public).unwrap(),
    );

    // A support made with the stock command line alone, as docs/signing.md says.
    let path = format!("signatures/initiatives/gratuite-des-bus/{id}.minisig");
    let comment = format!("pnyx/1 support {BUS}");
    let out = stock_sign(&site, &secret, BUS, &path, &comment, &[], "");
    assert!(out.status.success(), "{}", text(&out));
    let valid = library_verify(&site, &path).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(valid.said.verb, Verb::Support);
    assert_eq!(valid.place.key, id);

    // pnyx signs with the stock key (no password: its checksum is all zeros).
    let key = secret.to_str().unwrap();
    let run = me.run(&site, &["register", "pleniere", "--secret-key", key]);
    run.assert_ok();
    let registered = format!("signatures/meetings/pleniere/{id}.minisig");
    assert_eq!(run.stdout.trim(), registered);
    stock_verifies(
        &site,
        MEETING,
        &registered,
        id,
        &format!("pnyx/1 register {MEETING}"),
    );

    // The stock support is recognised as the same statement; a withdrawal replaces it.
    let run = me.run(&site, &["sign", "gratuite-des-bus", "--secret-key", key]);
    run.assert_ok();
    assert!(run.stderr.contains("nothing to do"), "{run}");
    let run = me.run(&site, &["withdraw", "gratuite-des-bus", "--secret-key", key]);
    run.assert_ok();
    assert!(run.stderr.contains("replaces your earlier support"), "{run}");
    stock_verifies(&site, BUS, &path, id, &format!("pnyx/1 withdraw {BUS}"));
}

#[test]
fn a_stock_key_with_a_password_is_accepted() {
    require_minisign!();
    let site = Site::small();
    let me = Citizen::new();
    let (public, secret, id) = match stock_keygen(me.home(), Some("s3cret pass")) {
        Ok(k) => k,
        Err(out) => {
            eprintln!("skipped: this minisign does not read a password from its standard input\n{out}");
            return;
        }
    };
    site.write(
        &format!("signatures/keys/{id}.pub"),
        std::fs::read(&public).unwrap(),
    );
    let key = secret.to_str().unwrap();
    let run = me.run_with(
        site.root(),
        &["sign", "gratuite-des-bus", "--secret-key", key],
        &[("PNYX_PASSWORD", Some(OsStr::new("s3cret pass")))],
    );
    run.assert_ok();
    let path = format!("signatures/initiatives/gratuite-des-bus/{id}.minisig");
    stock_verifies(&site, BUS, &path, id, &format!("pnyx/1 support {BUS}"));
    assert!(library_verify(&site, &path).is_ok());
}

#[test]
fn a_legacy_stock_signature_is_rejected_as_legacy() {
    require_minisign!();
    let site = Site::small();
    let me = Citizen::new();
    let (public, secret, id) = stock_keygen(me.home(), None).unwrap();
    site.write(
        &format!("signatures/keys/{id}.pub"),
        std::fs::read(&public).unwrap(),
    );
    let path = format!("signatures/initiatives/gratuite-des-bus/{id}.minisig");
    let out = stock_sign(&site, &secret, BUS, &path, "pnyx/1 support", &["-l"], "");
    if !out.status.success() {
        eprintln!(
            "skipped: this minisign cannot make legacy signatures (-l)\n{}",
            text(&out)
        );
        return;
    }
    assert!(
        site.read(&path).lines().nth(1).unwrap().starts_with("RW"),
        "not a legacy `Ed` signature"
    );
    let (key, reason) = library_verify(&site, &path).unwrap_err();
    assert_eq!(key, Some(id));
    assert_eq!(reason, Reason::Legacy);
}

// ---------------------------------------------------------------------------------------------
// key-id.

/// A stock public key file whose id starts with zeros: minisign's comment line then shows
/// fewer than 16 digits, and only the key itself tells the id.
fn public_key_with_leading_zeros(dir: &Path) -> (PathBuf, String) {
    use base64::Engine as _;
    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode(kp.pk.to_base64())
        .unwrap();
    // Bytes 2..10 are the id, little-endian: its two highest bytes become zero.
    bytes[8] = 0;
    bytes[9] = 0;
    let id = u64::from_le_bytes(bytes[2..10].try_into().unwrap());
    let path = dir.join("mykey.pub");
    let text = format!(
        "untrusted comment: minisign public key {id:X}\n{}\n",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    );
    std::fs::write(&path, text).unwrap();
    (path, format!("{id:016X}"))
}

#[test]
fn key_id_prints_all_sixteen_digits_read_from_the_key() {
    let dir = TempDir::new().unwrap();
    let (path, id) = public_key_with_leading_zeros(dir.path());
    assert!(id.starts_with("0000"), "{id}");
    let run = super::fixture::pnyx([OsStr::new("key-id"), path.as_os_str()]);
    run.assert_ok();
    assert_eq!(run.stdout, format!("{id}\n"), "{run}");
    assert!(run.stderr.contains(&format!("signatures/keys/{id}.pub")), "{run}");
}

#[test]
fn key_id_of_a_stock_minisign_key_names_its_file() {
    require_minisign!();
    let dir = TempDir::new().unwrap();
    let (public, secret, id) = stock_keygen(dir.path(), None).unwrap();
    let run = super::fixture::pnyx([OsStr::new("key-id"), public.as_os_str()]);
    run.assert_ok();
    assert_eq!(run.stdout.trim(), id.to_string(), "{run}");
    // The secret key is not a public key: a mistake, with what to give instead.
    let run = super::fixture::pnyx([OsStr::new("key-id"), secret.as_os_str()]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("not a minisign public key"), "{run}");
    assert!(run.stderr.contains("not the secret key"), "{run}");
}

// ---------------------------------------------------------------------------------------------
// Signing in the page: themes/default/static/js/minisign.js, run under Node.js.

/// Runs `body` as an ES module in `dir` with `m` bound to the page's signing library and `fs`
/// to node:fs; returns its stdout, or `None` (saying so) when Node.js is not installed.
fn page_library(dir: &Path, body: &str) -> Option<String> {
    if super::fixture::missing_tool(super::fixture::node_installed(), "node", "apt-get install nodejs") {
        return None;
    }
    let library = super::fixture::demo_root().join("themes/default/static/js/minisign.js");
    let script = format!(
        "import * as m from 'file://{}';\nimport fs from 'node:fs';\n{body}\n",
        library.display()
    );
    std::fs::write(dir.join("page.mjs"), script).unwrap();
    let out = Command::new("node")
        .arg("page.mjs")
        .current_dir(dir)
        .output()
        .expect("cannot run node");
    assert!(out.status.success(), "the page's library failed:\n{}", text(&out));
    Some(String::from_utf8(out.stdout).unwrap())
}

/// `minisign -V -H` of `statement` against `public` and the site's `signed` file.
fn minisign_verifies_with(site: &Site, public: &Path, signed: &str, statement: &Path) -> String {
    let args = [
        OsStr::new("-V"),
        OsStr::new("-H"),
        OsStr::new("-p"),
        public.as_os_str(),
        OsStr::new("-m"),
        OsStr::new(signed),
        OsStr::new("-x"),
        statement.as_os_str(),
    ];
    let out = minisign(site.root(), &args, "");
    assert!(out.status.success(), "minisign does not verify:\n{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_key_made_in_the_page_signs_a_support_that_stock_minisign_and_pnyx_accept() {
    require_minisign!();
    let site = Site::small();
    let dir = TempDir::new().unwrap();
    let body = format!(
        "const {{ key, secretKeyText }} = await m.generateKey('mot de passe');
         fs.writeFileSync('page.key', secretKeyText);
         fs.writeFileSync('page.pub', m.publicKeyText(key));
         const opened = await m.openSecretKey(secretKeyText, 'mot de passe');
         const bytes = fs.readFileSync('{root}/{BUS}');
         fs.writeFileSync('support.minisig', m.sign(opened, bytes, 'pnyx/1 support {BUS}'));
         let refused = '';
         try {{ await m.openSecretKey(secretKeyText, 'faux'); }} catch (e) {{ refused = e.message; }}
         console.log(opened.id + ' ' + refused);",
        root = site.root().display()
    );
    let Some(out) = page_library(dir.path(), &body) else {
        return;
    };
    let (id, refused) = out.trim().split_once(' ').unwrap();
    assert_eq!(refused, "wrong password");
    assert_eq!(id.len(), 16, "{out}");
    let public = dir.path().join("page.pub");
    let statement = dir.path().join("support.minisig");

    // Stock minisign verifies the statement, and signs with the page's secret key.
    let shown = minisign_verifies_with(&site, &public, BUS, &statement);
    assert!(
        shown.contains(&format!("Trusted comment: pnyx/1 support {BUS}")),
        "{shown}"
    );
    let secret = dir.path().join("page.key");
    let again = dir.path().join("again.minisig");
    let args = [
        OsStr::new("-S"),
        OsStr::new("-s"),
        secret.as_os_str(),
        OsStr::new("-m"),
        OsStr::new(BUS),
        OsStr::new("-x"),
        again.as_os_str(),
    ];
    let out = minisign(site.root(), &args, "mot de passe\n");
    assert!(out.status.success(), "{}", text(&out));

    // Published with its key, the support counts in the next build.
    site.write(
        &format!("signatures/keys/{id}.pub"),
        std::fs::read(&public).unwrap(),
    );
    site.write(
        &format!("signatures/initiatives/gratuite-des-bus/{id}.minisig"),
        std::fs::read(&statement).unwrap(),
    );
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/initiatives.json")).unwrap()).unwrap();
    let row = super::fixture::row(&data, "gratuite-des-bus");
    assert_eq!(row["supporters"]["total"], 1, "{row}");
}

#[test]
fn the_page_opens_keys_made_by_stock_minisign_and_by_pnyx_keygen() {
    require_minisign!();
    let site = Site::small();
    let me = Citizen::new();
    let run = me.run_with(
        site.root(),
        &["keygen", "--name", "Gigi"],
        &[("PNYX_PASSWORD", Some(OsStr::new("clé de pnyx")))],
    );
    run.assert_ok();
    let pnyx_id = key_id_printed(&run);
    let pnyx_secret = me.pnyx_home().join(format!("keys/{pnyx_id}.key"));
    let pnyx_public = site.path(&format!("signatures/keys/{pnyx_id}.pub"));

    let dirs: Vec<TempDir> = (0..2).map(|_| TempDir::new().unwrap()).collect();
    let (bare_public, bare_secret, _) = stock_keygen(dirs[0].path(), None).unwrap();
    let (sealed_public, sealed_secret, _) = stock_keygen(dirs[1].path(), Some("clé de minisign")).unwrap();
    let work = TempDir::new().unwrap();
    for (name, secret, password, public) in [
        ("bare", &bare_secret, "", &bare_public),
        ("sealed", &sealed_secret, "clé de minisign", &sealed_public),
        ("pnyx", &pnyx_secret, "clé de pnyx", &pnyx_public),
    ] {
        let body = format!(
            "const key = await m.openSecretKey(fs.readFileSync('{secret}', 'utf8'), '{password}');
             const bytes = fs.readFileSync('{root}/{MEETING}');
             fs.writeFileSync('{name}.minisig', m.sign(key, bytes, 'pnyx/1 register {MEETING}'));",
            secret = secret.display(),
            root = site.root().display()
        );
        if page_library(work.path(), &body).is_none() {
            return;
        }
        let shown = minisign_verifies_with(
            &site,
            public,
            MEETING,
            &work.path().join(format!("{name}.minisig")),
        );
        assert!(
            shown.contains("Trusted comment: pnyx/1 register"),
            "{name}: {shown}"
        );
    }
}

#[test]
fn the_files_to_sign_are_published_byte_for_byte() {
    let site = Site::small();
    // A contributor on Windows: a byte-order mark and CRLF line endings.
    let crlf = "\u{feff}---\r\ntitle: Bancs\r\nkind: project\r\npole: logement\r\n---\r\nDes bancs.\r\n";
    site.write("content/initiatives/bancs.md", crlf);
    // A key as stock minisign writes it: its comment line drops the id's leading zeros.
    let dir = TempDir::new().unwrap();
    let (public, id) = public_key_with_leading_zeros(dir.path());
    let key_text = std::fs::read(&public).unwrap();
    site.write(&format!("signatures/keys/{id}.pub"), &key_text);
    let out = TempDir::new().unwrap();
    site.build_to(out.path()).assert_ok();
    let published = |path: &str| std::fs::read(out.path().join("sources").join(path)).ok();
    assert_eq!(
        published("content/initiatives/bancs.md").as_deref(),
        Some(crlf.as_bytes())
    );
    for path in [BUS, MEETING] {
        assert_eq!(published(path), Some(site.read(path).into_bytes()), "{path}");
    }
    assert_eq!(published(&format!("signatures/keys/{id}.pub")), Some(key_text));
    // Pages, groups and debates are signed by no one: not published there.
    assert_eq!(published("content/pages/a-propos.md"), None);
    assert_eq!(published("content/debates/d.md"), None);
}
