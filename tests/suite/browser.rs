//! Taking part with nothing but a browser: the published site, served on 127.0.0.1 and driven
//! in headless Chromium (Debian's `chromium`, through playwright-core from tests/e2e/), signs
//! as a citizen would; what the page produces verifies with stock minisign and counts in the
//! next `pnyx build`. These tests need node, chromium and `npm ci --prefix tests/e2e`, which
//! `.ci/run` installs; elsewhere they say so and return.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::fixture::{demo_root, missing_tool, node_installed, row, Site};

const BUS: &str = "content/initiatives/gratuite-des-bus.md";
const REPOSITORY: &str = "https://github.com/conseil/toulouse";

/// Runs tests/e2e/sign.mjs on the site built in `public`, and returns what the page made;
/// `None` when a tool is missing (said on stderr).
fn sign_in_page(
    public: &Path,
    page: &str,
    mode: &str,
    password: &str,
    extra: &str,
    subject: &str,
    ballot: &str,
) -> Option<Value> {
    if missing_tool(node_installed(), "node", "apt-get install nodejs") {
        return None;
    }
    let chromium = Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some();
    if missing_tool(chromium, "chromium", "apt-get install chromium") {
        return None;
    }
    let e2e = demo_root().join("tests/e2e");
    let installed = e2e.join("node_modules/playwright-core").is_dir();
    if missing_tool(installed, "playwright-core", "npm ci --prefix tests/e2e") {
        return None;
    }
    // A key file with a password is first tried with a wrong one.
    let wrong = if mode == "file" && !password.is_empty() {
        "pas le bon"
    } else {
        ""
    };
    let out = Command::new("node")
        .env("BALLOT", ballot)
        .env("WRONG_PASSWORD", wrong)
        .arg(e2e.join("sign.mjs"))
        .args([public.as_os_str(), page.as_ref(), shots_dir().as_os_str()])
        .args([mode, password, extra, subject])
        .output()
        .expect("cannot run node");
    assert!(
        out.status.success(),
        "the page did not sign:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("sign.mjs prints JSON"))
}

/// The `filename` and `value` of a forge's pre-filled "new file" link.
fn forge_file(link: &str) -> (String, String) {
    let (base, query) = link.split_once('?').unwrap();
    assert_eq!(base, format!("{REPOSITORY}/new/main"), "{link}");
    let mut filename = String::new();
    let mut value = String::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap();
        let decoded = percent_decode(v);
        match k {
            "filename" => filename = decoded,
            "value" => value = decoded,
            _ => panic!("unexpected parameter {k} in {link}"),
        }
    }
    (filename, value)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// What the page proposed on the forge, merged as moderators would: the statement, and the new
/// key when the page made one.
struct Merged {
    /// The statement's path.
    at: String,
    /// Its text.
    statement: String,
    /// The id of the key the page made, if it made one.
    new_key: Option<String>,
}

fn merge(site: &Site, made: &Value) -> Merged {
    let (at, statement) = forge_file(made["forge_statement"].as_str().unwrap());
    let new_key = made["forge_key"].as_str().map(|link| {
        let (key_path, key) = forge_file(link);
        site.write(&key_path, &key);
        key_path
            .trim_start_matches("signatures/keys/")
            .trim_end_matches(".pub")
            .to_string()
    });
    site.write(&at, &statement);
    Merged {
        at,
        statement,
        new_key,
    }
}

/// What every run of the page must show: no script error, no request to another host, and
/// nothing of the form without JavaScript.
fn assert_private_and_optional(made: &Value) {
    assert_eq!(made["errors"], serde_json::json!([]), "{made}");
    assert_eq!(
        made["axe"],
        serde_json::json!([]),
        "accessibility violations (axe-core)"
    );
    assert_eq!(
        made["hidden_without_script"], true,
        "the form shows without JavaScript"
    );
    let origin = made["origin"].as_str().unwrap();
    for r in made["requests"].as_array().unwrap() {
        let r = r.as_str().unwrap();
        assert!(
            r.starts_with(&format!("{origin}/")) || r.starts_with("blob:"),
            "a request left the site: {r}"
        );
    }
}

fn site_with_forge() -> Site {
    let site = Site::small();
    let config = site.read("pnyx.yaml");
    site.write(
        "pnyx.yaml",
        format!("{config}repository: {REPOSITORY}\nemail: conseil@example.org\n"),
    );
    site
}

/// Builds `site` into a new folder and returns the row of the initiative.
fn supporters(site: &Site) -> Value {
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let text = std::fs::read(out.path().join("data/initiatives.json")).unwrap();
    let data: Value = serde_json::from_slice(&text).unwrap();
    row(&data, "gratuite-des-bus")["supporters"].clone()
}

fn shots_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("pnyx-browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_citizen_signs_an_initiative_in_the_page_with_a_key_made_there() {
    let site = site_with_forge();
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let Some(made) = sign_in_page(
        public.path(),
        "/initiatives/gratuite-des-bus/",
        "new",
        "mot de passe",
        "Béa",
        "",
        "",
    ) else {
        return;
    };
    assert_private_and_optional(&made);
    let statement = made["statement"].as_str().unwrap();
    assert!(
        statement.contains(&format!("\ntrusted comment: pnyx/1 support {BUS}\n")),
        "{statement}"
    );
    let public_key = made["public"]["text"].as_str().unwrap();
    let id = made["public"]["name"]
        .as_str()
        .unwrap()
        .trim_end_matches(".pub")
        .to_string();
    assert_eq!(made["download"]["text"].as_str(), Some(statement));
    assert!(made["secret"]["text"]
        .as_str()
        .unwrap()
        .contains("encrypted secret key"));

    // The forge pages are pre-filled with each file at its path.
    let at = format!("signatures/initiatives/gratuite-des-bus/{id}.minisig");
    assert_eq!(
        forge_file(made["forge_statement"].as_str().unwrap()),
        (at.clone(), statement.to_string())
    );
    let key_path = format!("signatures/keys/{id}.pub");
    assert_eq!(
        forge_file(made["forge_key"].as_str().unwrap()),
        (key_path.clone(), public_key.to_string())
    );
    let (profile_path, profile) = forge_file(made["forge_profile"].as_str().unwrap());
    assert_eq!(profile_path, format!("signatures/keys/{id}.yaml"));
    assert_eq!(profile, "name: \"Béa\"\n");

    // Or by e-mail to the council: the statement and the new key, each with its path.
    let mail = made["mail"].as_str().unwrap();
    let (to, query) = mail.split_once('?').unwrap();
    assert_eq!(to, "mailto:conseil@example.org");
    let body = query
        .split('&')
        .find_map(|p| p.strip_prefix("body="))
        .map(percent_decode)
        .unwrap();
    assert!(body.contains(&format!("{at}\n{statement}")), "{body}");
    assert!(body.contains(&format!("{key_path}\n{public_key}")), "{body}");

    // Stock minisign verifies what the page made.
    if super::signing::minisign_installed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("k.pub"), public_key).unwrap();
        std::fs::write(dir.path().join("s.minisig"), statement).unwrap();
        let out = Command::new("minisign")
            .args(["-V", "-H", "-p"])
            .arg(dir.path().join("k.pub"))
            .arg("-m")
            .arg(site.path(BUS))
            .arg("-x")
            .arg(dir.path().join("s.minisig"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    } else {
        missing_tool(false, "minisign", "apt-get install minisign");
    }

    // Merged, the three files make a supporter named Béa.
    assert_eq!(supporters(&site)["total"], 0);
    site.write(&key_path, public_key);
    site.write(&profile_path, &profile);
    site.write(&at, statement);
    assert_eq!(supporters(&site)["total"], 1);
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let members = std::fs::read_to_string(out.path().join("members/index.html")).unwrap();
    assert!(members.contains("Béa"), "the chosen name is shown");
}

#[test]
fn a_citizen_signs_in_the_page_with_a_key_made_by_pnyx_keygen() {
    let site = site_with_forge();
    let home = tempfile::tempdir().unwrap();
    let run = super::fixture::pnyx_env(
        [
            "keygen".as_ref(),
            "--name".as_ref(),
            "Gigi".as_ref(),
            "--root".as_ref(),
            site.root().as_os_str(),
        ],
        &[
            ("PNYX_HOME", Some(home.path().as_os_str())),
            ("PNYX_PASSWORD", Some("clé de pnyx".as_ref())),
            ("PNYX_SECRET_KEY", None),
        ],
    );
    run.assert_ok();
    let secret = std::fs::read_dir(home.path().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "key"))
        .expect("pnyx keygen wrote a secret key");
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let Some(made) = sign_in_page(
        public.path(),
        "/initiatives/gratuite-des-bus/",
        "file",
        "clé de pnyx",
        secret.to_str().unwrap(),
        "",
        "",
    ) else {
        return;
    };
    assert_private_and_optional(&made);
    // The wrong password tried first was refused in words, with nothing signed.
    let refused = &made["refused"];
    assert!(
        refused["status"]
            .as_str()
            .unwrap()
            .contains("mot de passe incorrect"),
        "{refused}"
    );
    assert_eq!(refused["result_shown"], false, "{refused}");
    assert!(made["public"].is_null(), "no new key to publish: {made}");
    let Merged { at, new_key, .. } = merge(&site, &made);
    assert!(new_key.is_none(), "no new key to publish: {made}");
    assert_eq!(supporters(&site)["total"], 1, "{at}");
}

#[test]
fn a_citizen_registers_for_a_meeting_in_the_page() {
    let site = site_with_forge();
    site.write(
        "content/meetings/juin.md",
        "---\ntitle: Plénière de juin\nstart: 2027-06-01T18:30:00\nplace:\n  name: Salle du quartier\nregistration: open\ncapacity: 40\n---\nOrdre du jour.\n",
    );
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let Some(made) = sign_in_page(
        public.path(),
        "/meetings/juin/",
        "new",
        "mot de passe",
        "",
        "",
        "",
    ) else {
        return;
    };
    assert_private_and_optional(&made);
    assert!(
        made["forge_profile"].is_null(),
        "no name chosen, no profile: {made}"
    );
    let Merged {
        at,
        statement,
        new_key,
    } = merge(&site, &made);
    let key_id = new_key.expect("the page made a key");
    assert!(at.starts_with("signatures/meetings/juin/"), "{at}");
    assert!(statement.contains("\ntrusted comment: pnyx/1 register content/meetings/juin.md\n"));
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let page = std::fs::read_to_string(out.path().join("meetings/juin/index.html")).unwrap();
    let id = key_id.as_str();
    assert!(
        page.contains(id),
        "the registration is listed on the meeting's page"
    );
}

#[test]
fn a_citizen_certifies_a_key_on_the_members_page() {
    let site = site_with_forge();
    let subject = super::repo::Key::new();
    let subject_path = format!("signatures/keys/{}.pub", subject.id);
    site.write(
        &subject_path,
        pnyx::signatures::keys::public_key_text(&subject.pk),
    );
    site.write(&format!("signatures/keys/{}.yaml", subject.id), "name: Odile\n");
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let id = subject.id.to_string();
    let Some(made) = sign_in_page(public.path(), "/members/", "new", "mot de passe", "", &id, "") else {
        return;
    };
    assert_private_and_optional(&made);
    let Merged {
        at,
        statement,
        new_key,
    } = merge(&site, &made);
    let key_id = new_key.expect("the page made a key");
    assert!(
        at.starts_with(&format!("signatures/certifications/{id}/")),
        "{at}"
    );
    assert!(
        statement.contains(&format!("\ntrusted comment: pnyx/1 certify {subject_path}\n")),
        "{statement}"
    );
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let members: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/members.json")).unwrap()).unwrap();
    let certifier = key_id.as_str();
    let odile = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == id.as_str())
        .unwrap_or_else(|| panic!("{members}"));
    assert_eq!(odile["certified_by"], serde_json::json!([certifier]), "{odile}");
}

/// Casts `ballot` (sign.mjs's BALLOT) in the page of vote `slug` with a new key, and writes the
/// key and the statement into the site, as their merged pull requests would.
fn vote_in_page(site: &Site, public: &Path, slug: &str, ballot: &str) -> Option<String> {
    let page = format!("/votes/{slug}/");
    let made = sign_in_page(public, &page, "new", "mot de passe", "", "", ballot)?;
    assert_private_and_optional(&made);
    let Merged { statement, .. } = merge(site, &made);
    let comment = statement.lines().nth(2).unwrap().to_string();
    Some(comment)
}

#[test]
fn a_citizen_votes_in_the_page_with_the_ballot_of_each_method() {
    let site = site_with_forge();
    let vote = |slug: &str, rest: &str| {
        site.write(
            &format!("content/votes/{slug}.md"),
            format!("---\ntitle: {slug}\n{rest}opens: 2026-11-01\ncloses: 2027-06-01\nelectorate: anyone\n---\nLa question.\n"),
        );
    };
    vote("charte", "method: majority\noptions: [yes, no, abstain]\n");
    vote(
        "jours",
        "method: dates\noptions: [\"2027-01-05\", \"2027-01-06\", \"2027-01-07\"]\n",
    );
    vote("nom", "method: ranked\noptions: [a, b, c]\n");
    vote(
        "priorites",
        "method: judgment\noptions: [bus, velo]\ngrades: [bien, passable, insuffisant]\n",
    );
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let cases = [
        ("charte", r#"{"choice": ["no"]}"#, "no"),
        (
            "jours",
            r#"{"choice": ["2027-01-05", "2027-01-07"]}"#,
            "2027-01-05,2027-01-07",
        ),
        ("nom", r#"{"rank": {"b": 1, "a": 2, "c": 2}}"#, "b>a=c"),
        (
            "priorites",
            r#"{"grade": {"bus": "bien", "velo": "insuffisant"}}"#,
            "bus=bien,velo=insuffisant",
        ),
    ];
    for (slug, ballot, argument) in cases {
        let Some(comment) = vote_in_page(&site, public.path(), slug, ballot) else {
            return;
        };
        assert_eq!(
            comment,
            format!("trusted comment: pnyx/1 vote content/votes/{slug}.md {argument}")
        );
    }
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let data: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/votes.json")).unwrap()).unwrap();
    let ballots = |slug: &str| row(&data, slug)["ballots"]["others"].clone();
    for (slug, ..) in cases {
        assert_eq!(ballots(slug), 1, "{slug}: {}", row(&data, slug));
    }
    assert_eq!(row(&data, "charte")["scores"]["no"], 1);
    assert_eq!(row(&data, "jours")["scores"]["2027-01-07"], 1);
    assert_eq!(row(&data, "nom")["ranking"][0], "b");
}

#[test]
fn a_citizen_votes_in_the_page_on_a_participatory_budget() {
    let site = site_with_forge();
    site.write(
        "content/budgets/quartiers.md",
        "---\ntitle: Budget des quartiers\ntotal: 10000\nopens: 2026-11-01\ncloses: 2027-06-01\nelectorate: anyone\n---\nLes règles.\n",
    );
    for (slug, cost) in [("bancs", 3000), ("arbres", 5000), ("fontaine", 4000)] {
        site.write(
            &format!("content/initiatives/{slug}.md"),
            format!("---\ntitle: {slug}\nkind: budget\npole: logement\nbudget: quartiers\ncost: {cost}\n---\nLe projet.\n"),
        );
    }
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let Some(made) = sign_in_page(
        public.path(),
        "/budgets/quartiers/",
        "new",
        "mot de passe",
        "",
        "",
        r#"{"choice": ["bancs", "fontaine"]}"#,
    ) else {
        return;
    };
    assert_private_and_optional(&made);
    let Merged {
        at,
        statement,
        new_key,
    } = merge(&site, &made);
    assert!(new_key.is_some(), "the page made a key");
    assert!(at.starts_with("signatures/budgets/quartiers/"), "{at}");
    assert!(
        statement.contains("\ntrusted comment: pnyx/1 vote content/budgets/quartiers.md bancs,fontaine\n")
    );
    let out = tempfile::tempdir().unwrap();
    site.build_to(out.path()).assert_ok();
    let data: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("data/budgets.json")).unwrap()).unwrap();
    let b = row(&data, "quartiers");
    assert_eq!(b["approvals"]["bancs"], 1, "{b}");
    assert_eq!(b["approvals"]["fontaine"], 1, "{b}");
}

#[test]
fn a_citizen_signs_in_the_page_with_a_key_made_by_stock_minisign_without_password() {
    if missing_tool(
        super::signing::minisign_installed(),
        "minisign",
        "apt-get install minisign",
    ) {
        return;
    }
    let site = site_with_forge();
    let dir = tempfile::tempdir().unwrap();
    let (public_key, secret) = (dir.path().join("stock.pub"), dir.path().join("stock.key"));
    let made = Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(&public_key)
        .arg("-s")
        .arg(&secret)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let run = super::fixture::pnyx([std::ffi::OsStr::new("key-id"), public_key.as_os_str()]);
    run.assert_ok();
    let id = run.stdout.trim().to_string();
    site.write(
        &format!("signatures/keys/{id}.pub"),
        std::fs::read(&public_key).unwrap(),
    );
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let Some(made) = sign_in_page(
        public.path(),
        "/initiatives/gratuite-des-bus/",
        "file",
        "",
        secret.to_str().unwrap(),
        "",
        "",
    ) else {
        return;
    };
    assert_private_and_optional(&made);
    let Merged { at, new_key, .. } = merge(&site, &made);
    assert!(new_key.is_none(), "no new key to publish: {made}");
    assert_eq!(
        at,
        format!("signatures/initiatives/gratuite-des-bus/{id}.minisig")
    );
    assert_eq!(supporters(&site)["total"], 1);
}
