//! Sortitions as a user meets them: commit–reveal secrets signed with real keys and dated by
//! real commits (a bad reveal shown and left out), the pool frozen at the announcement, roles
//! given by a draw and used by moderation, admins left out of a moderator draw, a pending draw,
//! and `pnyx draw --verify` catching a tampered published result.

use std::ffi::OsStr;

use pnyx::tally::sortition::algorithm::{self, Candidate, Method};
use pnyx::tally::sortition::count::hex_sha256;
use serde_json::Value;

use super::fixture::{decode_entities, pnyx, row, Site};
use super::repo::{day, GitSite, Key};

/// Three roots and a fourth member certified by them on day 1; builds run on 2026-11-18.
struct Council {
    site: GitSite,
    members: Vec<Key>,
}

impl Council {
    fn new() -> Council {
        let (site, members, _) = super::repo::council(0);
        Council { site, members }
    }

    /// `k` signs `pnyx/1 VERB ARG` about the sortition `slug`, at its one path.
    fn say(&self, slug: &str, k: &Key, said: &str) {
        self.site.sign(
            k,
            &format!("content/sortitions/{slug}.md"),
            &format!("pnyx/1 {said}"),
            &format!("signatures/sortitions/{slug}/{}.minisig", k.id),
        );
    }

    fn draw(&self, args: &[&str]) -> super::fixture::Run {
        let mut all: Vec<&OsStr> = vec![OsStr::new("draw")];
        all.extend(args.iter().map(OsStr::new));
        all.push(OsStr::new("--root"));
        all.push(self.site.root().as_os_str());
        pnyx(all)
    }
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// Commitments on day 3, reveals on day 6 (after `commit_by`, day 4): two secrets match and
/// make the seed, one does not match its commitment, one reveal has no commitment. The draw
/// then gives its two seats the moderator role for the term, which moderation uses.
#[test]
fn commit_reveal_seeds_a_draw_whose_moderators_moderation_recognises() {
    let c = Council::new();
    let m = &c.members;
    c.site.write(
        "content/sortitions/moderation.md",
        "---\ntitle: Modération\nseats: 2\npool: members\nseed:\n  announced: 2026-10-02\n  commit_reveal:\n    commit_by: 2026-10-05\n    reveal_by: 2026-10-08\nrole: moderator\nterm:\n  from: 2026-11-01\n  to: 2027-04-30\n---\nDeux modérateurs.\n",
    );
    c.site.commit(day(1), "keys, certifications, the draw");
    c.say(
        "moderation",
        &m[0],
        &format!("commit {}", hex_sha256("secret zéro")),
    );
    c.say(
        "moderation",
        &m[1],
        &format!("commit {}", hex_sha256("secret un")),
    );
    c.say(
        "moderation",
        &m[3],
        &format!("commit {}", hex_sha256("secret trois")),
    );
    c.site.commit(day(3), "commitments");
    c.say("moderation", &m[0], "reveal secret zéro");
    c.say("moderation", &m[1], "reveal not what was committed");
    c.say("moderation", &m[2], "reveal out of nowhere");
    c.say("moderation", &m[3], "reveal secret trois");
    c.site.commit(day(6), "reveals");

    let out = c.site.build();
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data/sortitions.json")).unwrap()).unwrap();
    let r = row(&data, "moderation");
    assert_eq!(r["phase"], "drawn");
    assert_eq!(r["pool_size"], 4);
    // The counted secrets, in key-id order, as `KEYID:secret` joined with `/`.
    let mut counted = [
        (m[0].id.to_string(), "secret zéro"),
        (m[3].id.to_string(), "secret trois"),
    ];
    counted.sort();
    let seed: Vec<String> = counted.iter().map(|(k, s)| format!("{k}:{s}")).collect();
    let seed = seed.join("/");
    assert_eq!(r["seed"], seed.as_str());
    let pool: Vec<Candidate> = m
        .iter()
        .map(|k| Candidate {
            id: k.id.to_string(),
            stratum: None,
        })
        .collect();
    let expected = algorithm::draw(Method::PnyxSha256, seed.as_bytes(), &pool, 2, None);
    let selected = ids(&r["selected"]);
    assert_eq!(selected, expected.selected());

    let page =
        decode_entities(&std::fs::read_to_string(out.join("sortitions/moderation/index.html")).unwrap());
    assert!(
        page.contains("le secret ne correspond pas à son engagement"),
        "{page}"
    );
    assert!(page.contains("aucun engagement ne le précède"));
    assert_eq!(page.matches("oui, il entre dans la graine").count(), 2);

    // The drawn moderators hold the role during the term; the others do not.
    let now = chrono::DateTime::from_timestamp(day(47), 0).unwrap();
    let site = pnyx::load::load(c.site.root(), now).unwrap();
    // Without a cache: this process has no PNYX_HOME of its own (see fixture::test_home).
    let verified = pnyx::signatures::verify::verify_all(&site.signatures, None);
    let tallies = pnyx::pipeline::tally_site(&site, &verified, now);
    let tz = chrono_tz::Europe::Paris;
    for k in m {
        let drawn = selected.contains(&k.id.to_string());
        assert_eq!(
            tallies
                .roles
                .holds(&k.id, pnyx::load::roles::RoleKind::Moderator, day(47), &tz),
            drawn,
            "{} drawn: {drawn}",
            k.id
        );
    }

    // `pnyx draw` prints the same selection and every step.
    let run = c.draw(&["moderation"]);
    run.assert_ok();
    for id in &selected {
        assert!(run.stdout.contains(id.as_str()), "{}", run.stdout);
    }
    assert!(
        run.stdout.contains("draw 0 among 4: j=0 sha256="),
        "{}",
        run.stdout
    );
}

/// A commitment that arrives after `commit_by` does not count, and a draw whose only secrets
/// are refused has no seed: the page says it cannot take place.
#[test]
fn a_late_commitment_is_refused() {
    let c = Council::new();
    let m = &c.members;
    c.site.write(
        "content/sortitions/s.md",
        "---\ntitle: S\nseats: 1\npool: members\nseed:\n  announced: 2026-10-02\n  commit_reveal:\n    commit_by: 2026-10-05\n    reveal_by: 2026-10-08\n---\nTexte.\n",
    );
    c.site.commit(day(1), "the draw");
    c.say("s", &m[0], &format!("commit {}", hex_sha256("tard")));
    c.site.commit(day(5), "a commitment on the 6th, after commit_by");
    c.say("s", &m[0], "reveal tard");
    c.site.commit(day(6), "its reveal");
    let page = decode_entities(&c.site.page("sortitions/s/index.html"));
    assert!(
        page.contains("engagement arrivé après la clôture des engagements"),
        "{page}"
    );
    assert!(page.contains("ce tirage ne peut pas avoir lieu"));
}

/// A pool of members is the web of trust as it stood at the announcement: a member certified
/// later cannot be drawn, and a revocation that arrives later (replacing the certification at
/// its path: history keeps it) does not take anyone out.
#[test]
fn the_pool_of_members_is_frozen_at_the_announcement() {
    let c = Council::new();
    let late = Key::new();
    c.site.add_key(&late, "name: Arrivée tardive\n");
    c.site.write(
        "content/sortitions/s.md",
        "---\ntitle: S\nseats: 9\npool: members\nseed:\n  sources: [\"Loto du 10 octobre\"]\n  announced: 2026-10-03\n  value: \"1 2 3 4 5\"\n---\nTexte.\n",
    );
    c.site.commit(day(1), "keys and the draw");
    for r in &c.members[..3] {
        c.site.certify(r, &late, "certify");
    }
    // And one of the fourth member's three certifications revoked, which replaces it.
    c.site.certify(&c.members[0], &c.members[3], "revoke");
    c.site.commit(
        day(5),
        "a member certified, another's certification revoked, after the announcement",
    );
    let out = c.site.build();
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data/sortitions.json")).unwrap()).unwrap();
    let r = row(&data, "s");
    assert_eq!(r["pool_size"], 4, "the four members of the announcement day");
    let selected = ids(&r["selected"]);
    assert_eq!(selected.len(), 4);
    assert!(!selected.contains(&late.id.to_string()));
    assert!(
        selected.contains(&c.members[3].id.to_string()),
        "a member on the announcement day"
    );
    // Today the newcomer is a member and the fourth member is not.
    let members: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data/members.json")).unwrap()).unwrap();
    let is_member = |k: &Key| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == k.id.to_string().as_str())
            .map(|m| m["member"] == true)
    };
    assert_eq!(is_member(&late), Some(true));
    assert_eq!(is_member(&c.members[3]), Some(false));
}

/// The RFC 3797 worked example published as a result: `--verify` accepts it, and catches the
/// same result with two names swapped (exit 1, both selections printed, the page warns).
#[test]
fn verify_catches_a_tampered_result() {
    let site = Site::minimal();
    let list: String = (1..=25).map(|i| format!("- id: \"{i:03}\"\n")).collect();
    site.write("content/sortitions/candidats.yaml", &list);
    let draw = |result: &str| {
        format!(
            "---\ntitle: Jury\nseats: 10\npool: {{list: content/sortitions/candidats.yaml}}\nalgorithm: rfc3797\nseed:\n  sources: [\"Loterie\", \"Indice\", \"Loterie 2\"]\n  announced: 2026-10-01\n  value: \"9319 / 2 5 8 10 12 / 9 18 26 34 41 45\"\nresult: [{result}]\n---\nUn jury.\n"
        )
    };
    let verify = || {
        pnyx([
            OsStr::new("draw"),
            OsStr::new("jury"),
            OsStr::new("--verify"),
            OsStr::new("--root"),
            site.root().as_os_str(),
        ])
    };
    let published =
        "\"017\", \"007\", \"002\", \"016\", \"025\", \"023\", \"008\", \"024\", \"019\", \"013\"";
    site.write("content/sortitions/jury.md", draw(published));
    let run = verify();
    run.assert_ok();
    assert!(
        run.stdout
            .contains("seed (RFC 3797 key): 9319./2.5.8.10.12./9.18.26.34.41.45./"),
        "{}",
        run.stdout
    );

    let tampered = "\"007\", \"017\", \"002\", \"016\", \"025\", \"023\", \"008\", \"024\", \"019\", \"013\"";
    site.write("content/sortitions/jury.md", draw(tampered));
    let run = verify();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("the published result differs from the draw"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("recomputed: 017, 007, 002"), "{}", run.stderr);
    let out = site.root().join("public");
    super::fixture::build(site.root(), &out).assert_ok();
    let page = decode_entities(&std::fs::read_to_string(out.join("sortitions/jury/index.html")).unwrap());
    assert!(
        page.contains("Le résultat publié ne correspond pas au calcul"),
        "{page}"
    );
    let data = std::fs::read_to_string(out.join("data/sortitions.json")).unwrap();
    assert!(data.contains("\"result_matches\": false"), "{data}");
}

/// A moderator draw leaves out whoever is admin during its term (roles.yaml), and a pending
/// draw shows its pool, its sources and the command that will compute it.
#[test]
fn admins_are_left_out_of_a_moderator_draw_and_a_pending_draw_says_what_it_waits_for() {
    let site = Site::minimal();
    let admin = Key::new();
    let others: Vec<Key> = (0..3).map(|_| Key::new()).collect();
    site.write(
        "roles.yaml",
        format!(
            "admins:\n  - key: {}\n    from: 2026-01-01\n    to: 2027-12-31\n",
            admin.id
        ),
    );
    let list: String = std::iter::once(&admin)
        .chain(&others)
        .map(|k| format!("- id: {}\n", k.id))
        .collect();
    site.write("content/sortitions/volontaires.yaml", &list);
    site.write(
        "content/sortitions/moderation.md",
        "---\ntitle: Modération\nseats: 3\npool: {list: content/sortitions/volontaires.yaml}\nseed:\n  sources: [\"Euromillions du 4 décembre\"]\n  announced: 2026-11-01\nrole: moderator\nterm: {from: 2027-01-01, to: 2027-06-30}\n---\nTexte.\n",
    );
    let out = site.root().join("public");
    super::fixture::build(site.root(), &out).assert_ok();
    let page =
        decode_entities(&std::fs::read_to_string(out.join("sortitions/moderation/index.html")).unwrap());
    assert!(page.contains("Tirage en attente"), "{page}");
    assert!(page.contains("Euromillions du 4 décembre"));
    assert!(page.contains("pnyx draw moderation"));
    assert!(page.contains("admin pendant le mandat"));
    let data = std::fs::read_to_string(out.join("data/sortitions.json")).unwrap();
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(row(&data, "moderation")["phase"], "pending");
    assert_eq!(
        row(&data, "moderation")["pool_size"],
        3,
        "the admin is not in the pool"
    );
    let run = pnyx([
        OsStr::new("draw"),
        OsStr::new("moderation"),
        OsStr::new("--verify"),
        OsStr::new("--root"),
        site.root().as_os_str(),
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("the seed is not complete yet"),
        "{}",
        run.stderr
    );

    // Once the value is published, the admin is never drawn, whatever the seed.
    for value in ["1 2 3", "4 5 6", "7 8 9", "10 11 12"] {
        site.write(
            "content/sortitions/moderation.md",
            format!("---\ntitle: Modération\nseats: 3\npool: {{list: content/sortitions/volontaires.yaml}}\nseed:\n  sources: [\"Euromillions du 4 décembre\"]\n  announced: 2026-11-01\n  value: \"{value}\"\nrole: moderator\nterm: {{from: 2027-01-01, to: 2027-06-30}}\n---\nTexte.\n"),
        );
        super::fixture::build(site.root(), &out).assert_ok();
        let data: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("data/sortitions.json")).unwrap())
                .unwrap();
        let selected = ids(&row(&data, "moderation")["selected"]);
        assert_eq!(selected.len(), 3);
        assert!(!selected.contains(&admin.id.to_string()));
    }
}

/// Mistakes in a draw's front matter are reported where they stand, all at once.
#[test]
fn errors_in_a_draw_are_placed() {
    let site = Site::minimal();
    site.write(
        "content/sortitions/s.md",
        "---\ntitle: S\nseats: 2\npool: members\nalgorithm: rfc3797\nseed:\n  value: \"12 / abc\"\n  commit_reveal: {commit_by: 2026-10-05, reveal_by: 2026-10-01}\nstrata: {by: pole, quotas: {a: 1}}\nrole: moderator\n---\nTexte.\n",
    );
    site.write(
        "content/sortitions/t.md",
        "---\ntitle: T\nseats: 1\npool: {list: content/sortitions/absente.yaml}\nseed:\n  sources: [x]\n  announced: 2026-10-01\n---\nTexte.\n",
    );
    let run = site.build();
    assert_eq!(run.code, Some(1));
    let all = run.stderr.clone();
    for needle in [
        "content/sortitions/s.md:6:6: when were the seed's sources announced?",
        "content/sortitions/s.md:7:10: this RFC 3797 seed cannot be read",
        "content/sortitions/s.md:8:53: `reveal_by` (2026-10-01) comes before `commit_by`",
        "a seed `value` without the `sources` it comes from",
        "RFC 3797 draws from public numbers only",
        "this RFC 3797 seed cannot be read",
        "members have no attributes to stratify by",
        "the role `moderator` is given without a term",
        "content/sortitions/t.md:4:",
        "cannot read the pool list `content/sortitions/absente.yaml`",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in\n{all}");
    }
}

/// `pnyx commit` keeps a new secret on the member's computer and signs its SHA-256; committing
/// again keeps the same secret; `pnyx reveal` refuses before `commit_by`, then signs the secret,
/// which hashes to the commitment; the stock minisign verifies both statements.
#[test]
fn pnyx_commit_and_reveal_sign_a_secret_kept_on_the_members_computer() {
    let c = Council::new();
    let k = &c.members[0];
    let home = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let secret_key = k.secret_file(keys.path());
    c.site.write(
        "content/sortitions/s.md",
        "---\ntitle: S\nseats: 1\npool: members\nseed:\n  announced: 2026-11-01\n  commit_reveal:\n    commit_by: 2026-11-25\n    reveal_by: 2026-11-30\n---\nTexte.\n",
    );
    c.site.commit(day(1), "the draw");
    let run_at = |verb: &str, epoch: &str| {
        super::fixture::pnyx_env(
            [
                OsStr::new(verb),
                OsStr::new("s"),
                OsStr::new("--root"),
                c.site.root().as_os_str(),
                OsStr::new("--secret-key"),
                secret_key.as_os_str(),
            ],
            &[
                ("PNYX_HOME", Some(home.path().as_os_str())),
                ("SOURCE_DATE_EPOCH", Some(OsStr::new(epoch))),
            ],
        )
    };
    let statement = format!("signatures/sortitions/s/{}.minisig", k.id);
    let before_commit_by = "1795000000"; // 2026-11-18
    run_at("commit", before_commit_by).assert_ok();
    let first = String::from_utf8(c.site.read(&statement)).unwrap();
    let secret_file = home.path().join(format!("secrets/s.{}.secret", k.id));
    let secret = std::fs::read_to_string(&secret_file).unwrap().trim().to_string();
    assert_eq!(secret.len(), 64, "32 random bytes in hexadecimal");
    assert!(
        first.contains(&format!(
            "trusted comment: pnyx/1 commit content/sortitions/s.md {}",
            hex_sha256(&secret)
        )),
        "{first}"
    );
    run_at("commit", before_commit_by).assert_ok();
    assert_eq!(
        std::fs::read_to_string(&secret_file).unwrap().trim(),
        secret,
        "the same secret"
    );

    let run = run_at("reveal", before_commit_by);
    assert!(!run.succeeded());
    assert!(
        run.stderr.contains("a secret revealed before would not count"),
        "{run}"
    );
    let after_commit_by = "1795800000"; // 2026-11-27
    run_at("reveal", after_commit_by).assert_ok();
    let revealed = String::from_utf8(c.site.read(&statement)).unwrap();
    assert!(
        revealed.contains(&format!(
            "trusted comment: pnyx/1 reveal content/sortitions/s.md {secret}"
        )),
        "{revealed}"
    );
    let run = run_at("commit", after_commit_by);
    assert!(run.stderr.contains("one made now would not count"), "{run}");

    if super::signing::minisign_installed() {
        std::fs::write(
            c.site.root().join("k.pub"),
            pnyx::signatures::keys::public_key_text(&k.pk),
        )
        .unwrap();
        let v = std::process::Command::new("minisign")
            .args([
                "-V",
                "-H",
                "-q",
                "-p",
                "k.pub",
                "-m",
                "content/sortitions/s.md",
                "-x",
                &statement,
            ])
            .current_dir(c.site.root())
            .output()
            .unwrap();
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    } else {
        eprintln!("skipped the minisign check: minisign is not installed");
    }
}
