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

/// Runs the script `tests/e2e/NAME` under node with `args` and `env`, and returns the JSON it
/// prints; `None` when a tool is missing (said on stderr).
pub(super) fn run_e2e(name: &str, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Option<Value> {
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
    let out = Command::new("node")
        .envs(env.iter().copied())
        .arg(e2e.join(name))
        .args(args)
        .output()
        .expect("cannot run node");
    assert!(
        out.status.success(),
        "{name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{name} prints JSON: {e}")))
}

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
    // A key file with a password is first tried with a wrong one.
    let wrong = if mode == "file" && !password.is_empty() {
        "pas le bon"
    } else {
        ""
    };
    let shots = shots_dir();
    let args: Vec<&std::ffi::OsStr> = vec![
        public.as_os_str(),
        page.as_ref(),
        shots.as_os_str(),
        mode.as_ref(),
        password.as_ref(),
        extra.as_ref(),
        subject.as_ref(),
    ];
    run_e2e(
        "sign.mjs",
        &args,
        &[("BALLOT", ballot), ("WRONG_PASSWORD", wrong)],
    )
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
    assert_stays_on_site(made);
}

/// Every request the page made went to the site itself.
fn assert_stays_on_site(made: &Value) {
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

/// The titles a search showed, all groups together, and the groups' headings.
fn found(shown: &Value) -> (Vec<String>, Vec<String>) {
    let groups = shown["groups"].as_array().unwrap();
    let titles = groups
        .iter()
        .flat_map(|g| g["titles"].as_array().unwrap())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let headings = groups
        .iter()
        .map(|g| g["heading"].as_str().unwrap().to_string())
        .collect();
    (titles, headings)
}

#[test]
fn a_reader_finds_gratuite_des_bus_by_typing_gratuite_without_its_accent() {
    let public = tempfile::tempdir().unwrap();
    super::fixture::build(demo_root(), public.path()).assert_ok();
    let shots = shots_dir();
    let Some(seen) = run_e2e(
        "search.mjs",
        &[public.path().as_os_str(), shots.as_os_str()],
        &[("KIND", "Initiative")],
    ) else {
        return;
    };
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");
    assert_stays_on_site(&seen);

    // From a shared address, without its accent: the initiative, its debate, its meeting and
    // its minutes, grouped by kind, with the word marked in the excerpts.
    let (titles, headings) = found(&seen["from_address"]);
    for title in [
        "Gratuité des bus",
        "Faut-il rendre les bus gratuits\u{202f}?",
        "Atelier «\u{a0}gratuité des bus\u{a0}» à la Daurade",
    ] {
        assert!(
            titles.iter().any(|t| t == title),
            "{title} not found in {titles:?}"
        );
    }
    for kind in ["Initiative", "Débat", "Rencontre", "Compte rendu"] {
        assert!(
            headings.iter().any(|h| h.starts_with(kind)),
            "no {kind} group in {headings:?}"
        );
    }
    let marks = seen["from_address"]["groups"][0]["marks"].as_array().unwrap();
    assert!(!marks.is_empty(), "nothing marked in the excerpts");

    // The filters offer what the index holds, and narrow the results to one kind.
    for (filter, value) in [
        ("kind", "Initiative"),
        ("pole", "Transports et mobilité"),
        ("status", "Ouvert"),
    ] {
        let values = seen["filters"][filter].as_array().unwrap();
        assert!(
            values.iter().any(|v| v == value),
            "{filter} lacks {value}: {values:?}"
        );
    }
    let (titles, headings) = found(&seen["by_kind"]);
    assert_eq!(headings.len(), 1, "{headings:?}");
    assert!(headings[0].starts_with("Initiative"), "{headings:?}");
    assert!(titles.iter().any(|t| t == "Gratuité des bus"), "{titles:?}");
    assert!(
        seen["address_after_filter"]
            .as_str()
            .unwrap()
            .ends_with("?q=gratuite&kind=Initiative"),
        "the address does not keep the search: {}",
        seen["address_after_filter"]
    );

    // Typed in capitals with the accent, the same initiative.
    let (titles, _) = found(&seen["typed"]);
    assert!(titles.iter().any(|t| t == "Gratuité des bus"), "{titles:?}");
    // Nothing found says so and suggests what to do.
    assert!(seen["nothing"]["groups"].as_array().unwrap().is_empty());
    assert!(
        seen["nothing"]["state"].as_str().unwrap().contains("zzqxwv"),
        "{}",
        seen["nothing"]
    );

    // Accessible in light, dark and on a 320 px phone, with nothing off screen.
    for run in ["axe", "axe_dark", "axe_phone"] {
        assert_eq!(
            seen[run],
            serde_json::json!([]),
            "{run}: accessibility violations (axe-core)"
        );
    }
    assert_eq!(seen["overflow"], 0, "the results are wider than a 320 px screen");
    // Without JavaScript the page sends the reader to the lists.
    let links = seen["without_script"].as_array().unwrap();
    assert!(links.iter().any(|l| l == "/initiatives/"), "{links:?}");
}

/// One page of each kind the demo publishes, with the variants that change a page's layout
/// (a project of a budget, a task list, a hidden contribution, every vote method, a draw done
/// and one pending, a history page).
const PAGE_TYPES: &[&str] = &[
    "/",
    "/initiatives/",
    "/initiatives/gratuite-des-bus/",
    "/initiatives/gym-douce-dans-les-parcs/",
    "/initiatives/jardins-partages/",
    "/debates/",
    "/debates/faut-il-rendre-les-bus-gratuits/",
    "/debates/le-maire-peut-il-interdire-le-lbd/",
    "/meetings/",
    "/meetings/assemblee-pleniere-de-decembre/",
    "/meetings/atelier-creer-sa-cle-a-saint-cyprien/",
    "/initiatives/gratuite-des-bus/feuille/",
    "/groups/se-deplacer-sans-voiture/carton/",
    "/meetings/atelier-gratuite-des-bus-a-la-daurade/history/",
    "/minutes/",
    "/minutes/atelier-gratuite-des-bus-du-15-septembre-2026/",
    "/decisions/",
    "/votes/",
    "/votes/adhesion-au-reseau-national-des-conseils-citoyens/",
    "/votes/adoption-de-la-charte-des-debats/",
    "/votes/jour-de-la-reunion-hebdomadaire/",
    "/votes/nom-de-la-lettre-d-information/",
    "/votes/priorites-transports-2027/",
    "/budgets/",
    "/budgets/budget-participatif-2027/",
    "/sortitions/",
    "/sortitions/tirage-au-sort-des-moderateurs-et-moderatrices/",
    "/sortitions/ordre-de-presentation-des-projets/",
    "/poles/",
    "/poles/transports-et-mobilite/",
    "/groups/",
    "/groups/se-deplacer-sans-voiture/",
    "/pages/",
    "/pages/signer/",
    "/pages/donnees-personnelles/",
    "/members/",
    "/statements/",
    "/moderation/",
    "/search/",
    "/404.html",
];

#[test]
fn every_page_type_reads_on_a_phone_and_in_the_dark_with_no_accessibility_violation() {
    let public = tempfile::tempdir().unwrap();
    super::reading::demo_built(public.path());
    for path in PAGE_TYPES {
        let file = public.path().join(path.trim_start_matches('/'));
        let file = if path.ends_with('/') {
            file.join("index.html")
        } else {
            file
        };
        assert!(file.is_file(), "the demo has no page {path}");
    }
    let mut args = vec![public.path().as_os_str()];
    args.extend(PAGE_TYPES.iter().map(|p| std::ffi::OsStr::new(*p)));
    let Some(seen) = run_e2e("pages.mjs", &args, &[]) else {
        return;
    };
    // Every page on a computer and on a 320 px phone, light and dark: no axe-core violation
    // (WCAG 2.1 A and AA), nothing wider than the screen, chart text of 12 px or more, no
    // script error, no request to another host.
    assert_eq!(seen["problems"], serde_json::json!([]), "{:#}", seen["problems"]);
    assert_eq!(seen["foreign"], serde_json::json!([]));
    assert_eq!(seen["pages"], PAGE_TYPES.len());
}

#[test]
fn a_name_typed_then_withdrawn_for_the_key_id_is_published_nowhere() {
    let site = site_with_forge();
    let public = tempfile::tempdir().unwrap();
    site.build_to(public.path()).assert_ok();
    let shots = shots_dir();
    let args: Vec<&std::ffi::OsStr> = vec![
        public.path().as_os_str(),
        "/initiatives/gratuite-des-bus/".as_ref(),
        shots.as_os_str(),
        "new".as_ref(),
        "mot de passe".as_ref(),
        "Béatrice Secrète".as_ref(),
        "".as_ref(),
    ];
    let Some(made) = run_e2e("sign.mjs", &args, &[("KEY_ONLY", "1")]) else {
        return;
    };
    assert_private_and_optional(&made);
    // The statement and the key are offered, but no profile: the key's id is all that shows.
    assert!(made["forge_statement"].is_string() && made["forge_key"].is_string());
    assert!(
        made["forge_profile"].is_null(),
        "a profile is offered: {}",
        made["forge_profile"]
    );
    assert!(
        !made.to_string().contains("Secr"),
        "the name went somewhere: {made}"
    );
}
