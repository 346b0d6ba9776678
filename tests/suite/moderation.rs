//! Moderation in a real repository: roles with terms, signed decisions, what a hidden
//! contribution or item leaves behind (a notice, nothing else), entries without effect,
//! `pnyx moderate` and `pnyx codeowners`.

use std::ffi::OsStr;

use super::fixture::{decode_entities, pnyx_env, read_tree};
use super::repo::{day, GitSite, Key};

const ATTACK: &str = "Tu ne connais rien et tu ferais mieux de te taire";
const TARGET: &str = "content/debates/d/02-b.md";

/// Roots r0..r2 (members), a moderator `m` certified by them, an admin `a` (a root), and a
/// non-member `x`; a debate `d` with two contributions, one of them a personal attack;
/// an initiative `bus`. Everything committed on day 1.
struct Council {
    site: GitSite,
    roots: Vec<Key>,
    m: Key,
    x: Key,
}

impl Council {
    fn new() -> Council {
        Council::with_roles(|roots, m| {
            format!(
                "admins:\n  - key: {}\n    from: 2026-09-01\n    to: 2027-08-31\nmoderators:\n  - key: {}\n    from: 2026-09-01\n    to: 2027-02-28\n",
                roots[0].id, m.id
            )
        })
    }

    fn with_roles(roles: impl Fn(&[Key], &Key) -> String) -> Council {
        let roots: Vec<Key> = (0..3).map(|_| Key::new()).collect();
        let ids: Vec<String> = roots.iter().map(|k| k.id.to_string()).collect();
        let site = GitSite::new(&format!("trust:\n  roots: [{}]\n", ids.join(", ")));
        let (m, x) = (Key::new(), Key::new());
        site.add_key(&roots[0], "name: Alice\nforge: alice-gh\n");
        site.add_key(&roots[1], "name: Bruno\n");
        site.add_key(&roots[2], "name: Chloé\n");
        site.add_key(&m, "name: Mona\nforge: \"@mona-gh\"\n");
        site.add_key(&x, "name: Xavier\n");
        for r in &roots {
            site.certify(r, &m, "certify");
        }
        site.write("roles.yaml", &roles(&roots, &m));
        site.write(
            "content/debates/d.md",
            "---\ntitle: Un débat\npole: logement\n---\nLa question.\n",
        );
        site.write(
            "content/debates/d/01-a.md",
            "---\nauthor: Anne\ndate: 2026-10-02T10:00:00+02:00\nposition: for\n---\nUn argument posé.\n",
        );
        site.write(
            TARGET,
            &format!("---\nauthor: Bob\ndate: 2026-10-03T10:00:00+02:00\nreply_to: 01-a\nposition: against\n---\n{ATTACK}, Anne.\n"),
        );
        site.write(
            "content/initiatives/bus.md",
            "---\ntitle: Bus gratuits\nkind: project\npole: logement\n---\nLe texte du bus.\n",
        );
        site.write(
            "content/pages/liens.md",
            "---\ntitle: Liens\n---\nVoir [les bus](/initiatives/bus/).\n",
        );
        site.commit(day(1), "council");
        Council { site, roots, m, x }
    }

    /// Writes a decision and has `by` sign it.
    fn decide(&self, slug: &str, action: &str, target: &str, date: &str, by: &Key) {
        let entry = format!("content/moderation/{slug}.md");
        self.site.write(
            &entry,
            &format!("---\naction: {action}\ntarget: {target}\nreason: \"Attaque personnelle (charte, article 2).\"\ndate: {date}\n---\n"),
        );
        self.site.sign(
            by,
            &entry,
            "pnyx/1 moderate",
            &format!("signatures/moderation/{slug}/{}.minisig", by.id),
        );
    }

    /// Every output file that contains `needle`.
    fn files_with(&self, needle: &str) -> Vec<String> {
        let out = self.site.build();
        read_tree(&out)
            .into_iter()
            .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(needle))
            .map(|(path, _)| path)
            .collect()
    }
}

/// Where a visible contribution's text is published: its debate's page, the open data, and
/// the feeds of the site and of the debate's pole.
const SHOWN_IN: [&str; 4] = [
    "data/contributions.json",
    "debates/d/index.html",
    "feeds/all.atom",
    "feeds/poles/logement.atom",
];

#[test]
fn a_moderators_hide_leaves_only_a_notice_where_the_text_stood() {
    let c = Council::new();
    assert_eq!(c.files_with(ATTACK), SHOWN_IN);
    c.decide("2026-10-05-masquer-02-b", "hide", TARGET, "2026-10-05", &c.m);
    c.site.commit(day(5), "hide");
    assert!(
        c.files_with(ATTACK).is_empty(),
        "the hidden text is in no output file"
    );
    let page = c.site.page("debates/d/index.html");
    let notice_at = page
        .find("id=\"c-02-b\"")
        .expect("the contribution keeps its place");
    let notice: String = page[notice_at..].chars().take(800).collect();
    let notice = notice.as_str();
    assert!(
        notice.contains("Masqué le lundi 5 octobre 2026 par Mona"),
        "{notice}"
    );
    assert!(notice.contains("Attaque personnelle (charte, article 2)."));
    assert!(decode_entities(notice).contains("/moderation/#m-2026-10-05-masquer-02-b"));
    assert!(page.contains("Un argument posé."), "the rest of the debate stays");
    let log = c.site.page("moderation/index.html");
    assert!(log.contains("id=\"m-2026-10-05-masquer-02-b\""));
    assert!(decode_entities(&log).contains(TARGET));
    assert!(!log.contains("Sans effet"), "{log}");
    assert!(
        log.contains("Mona") && log.contains("Alice"),
        "moderators and admins are listed"
    );
}

#[test]
fn decisions_without_a_moderator_in_term_have_no_effect_and_say_why() {
    let c = Council::new();
    // Xavier is no moderator; Mona signs a decision dated after her term.
    c.decide("par-xavier", "hide", TARGET, "2026-10-05", &c.x);
    c.decide(
        "hors-mandat",
        "hide",
        "content/debates/d/01-a.md",
        "2027-03-15",
        &c.m,
    );
    c.decide("sans-signature", "hide", TARGET, "2026-10-06", &c.m);
    std::fs::remove_dir_all(c.site.root().join("signatures/moderation/sans-signature")).unwrap();
    c.site.commit(day(5), "entries");
    assert_eq!(c.files_with(ATTACK), SHOWN_IN);
    let log = c.site.page("moderation/index.html");
    for (slug, why) in [
        ("par-xavier", "pas signée par un modérateur en mandat"),
        ("hors-mandat", "pas signée par un modérateur en mandat"),
        ("sans-signature", "aucun modérateur ne l&#x27;a signée"),
    ] {
        let at = log
            .find(&format!("id=\"m-{slug}\""))
            .unwrap_or_else(|| panic!("{slug} listed"));
        let entry = &log[at..at + 1500];
        assert!(
            entry.contains("Sans effet") && entry.contains(why),
            "{slug}: {entry}"
        );
    }
}

#[test]
fn a_decision_backdated_into_an_ended_term_has_no_effect() {
    let c = Council::new();
    // Dated within Mona's term, but its signature reaches the branch after the term ended.
    c.decide("antidatee", "hide", TARGET, "2026-10-05", &c.m);
    c.site.commit(day(170), "late hide");
    // Built after it arrived: no commit counts as later than the build's reference time.
    let out = c.site.root().join("public");
    let epoch = day(175).to_string();
    let root = c.site.root().as_os_str();
    let args = [
        OsStr::new("build"),
        OsStr::new("--root"),
        root,
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    pnyx_env(args, &[("SOURCE_DATE_EPOCH", Some(OsStr::new(&epoch)))]).assert_ok();
    let tree = read_tree(&out);
    let with: Vec<&String> = tree
        .iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(ATTACK))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(with, SHOWN_IN);
    let log = String::from_utf8_lossy(&tree["moderation/index.html"]).into_owned();
    let at = log.find("id=\"m-antidatee\"").unwrap();
    assert!(log[at..at + 1500].contains("Sans effet"));
}

#[test]
fn a_moderator_who_is_not_a_member_has_no_authority() {
    // Mona's term is fine, but nobody certified her: she is not a member.
    let c = Council::with_roles(|_, m| format!("moderators:\n  - key: {}\n    from: 2026-09-01\n", m.id));
    for r in &c.roots {
        std::fs::remove_file(
            c.site
                .root()
                .join(format!("signatures/certifications/{}/{}.minisig", c.m.id, r.id)),
        )
        .unwrap();
    }
    c.decide("h", "hide", TARGET, "2026-10-05", &c.m);
    c.site.commit(day(5), "hide");
    assert!(!c.files_with(ATTACK).is_empty());
    assert!(c
        .site
        .page("moderation/index.html")
        .contains("pas membre de la toile de confiance"));
}

#[test]
fn a_restore_shows_the_text_again_and_the_log_keeps_both() {
    let c = Council::new();
    c.decide("a-masquer", "hide", TARGET, "2026-10-05", &c.m);
    c.decide("b-retablir", "restore", TARGET, "2026-10-07", &c.m);
    c.site.commit(day(7), "hide then restore");
    assert_eq!(c.files_with(ATTACK), SHOWN_IN);
    let log = c.site.page("moderation/index.html");
    let (restore, hide) = (
        log.find("m-b-retablir").unwrap(),
        log.find("m-a-masquer").unwrap(),
    );
    assert!(restore < hide, "newest first");
}

#[test]
fn a_hidden_item_is_gone_from_lists_and_data_and_its_page_is_a_notice() {
    let c = Council::new();
    c.decide("bus", "hide", "content/initiatives/bus.md", "2026-10-05", &c.m);
    c.site.commit(day(5), "hide bus");
    let out = c.site.build();
    let tree = read_tree(&out);
    let with_text: Vec<&String> = tree
        .iter()
        .filter(|(_, b)| String::from_utf8_lossy(b).contains("Le texte du bus"))
        .map(|(p, _)| p)
        .collect();
    assert!(with_text.is_empty(), "{with_text:?}");
    let page = String::from_utf8_lossy(&tree["initiatives/bus/index.html"]).into_owned();
    assert!(
        page.contains("Contenu masqué par la modération") && page.contains("Mona"),
        "{page}"
    );
    assert!(page.contains("noindex"));
    let list = String::from_utf8_lossy(&tree["initiatives/index.html"]).into_owned();
    assert!(!list.contains("Bus gratuits"));
    let data = String::from_utf8_lossy(&tree["data/initiatives.json"]).into_owned();
    assert!(!data.contains("\"bus\""), "{data}");
    // The page that linked to it still builds: the link leads to the notice.
    assert!(tree.contains_key("pages/liens/index.html"));
}

#[test]
fn admin_and_moderator_at_once_is_an_error_in_roles_yaml() {
    let c = Council::with_roles(|roots, _| {
        format!(
            "admins:\n  - key: {0}\n    from: 2026-09-01\nmoderators:\n  - key: {0}\n    from: 2026-10-01\n",
            roots[0].id
        )
    });
    let out = c.site.root().join("public");
    let run = super::fixture::build(c.site.root(), &out);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stderr.contains("roles.yaml:5:") && run.stderr.contains("both admin and moderator"),
        "{run}"
    );
}

fn run_in(c: &Council, args: &[&str]) -> super::fixture::Run {
    let mut all: Vec<&OsStr> = vec![OsStr::new("--root"), c.site.root().as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    pnyx_env(all, &[])
}

#[test]
fn pnyx_moderate_writes_and_signs_a_decision_that_takes_effect() {
    let c = Council::new();
    let keys = tempfile::tempdir().unwrap();
    let secret = c.m.secret_file(keys.path());
    let run = run_in(
        &c,
        &[
            "moderate",
            "hide",
            TARGET,
            "--reason",
            "Attaque: personnelle",
            "--secret-key",
            secret.to_str().unwrap(),
        ],
    );
    run.assert_ok();
    let entry = run.stdout.lines().next().unwrap().to_string();
    assert!(
        entry.starts_with("content/moderation/") && entry.ends_with("-masquer-02-b.md"),
        "{run}"
    );
    let text = String::from_utf8(c.site.read(&entry)).unwrap();
    assert!(
        text.contains("action: hide") && text.contains(TARGET) && text.contains("Attaque: personnelle"),
        "{text}"
    );
    assert!(run.stderr.contains("next: commit"), "{run}");
    assert!(c.files_with(ATTACK).is_empty());

    // Xavier is no moderator: refused, nothing written.
    let secret = c.x.secret_file(keys.path());
    let before = read_tree(&c.site.root().join("content"));
    let run = run_in(
        &c,
        &[
            "moderate",
            "hide",
            "content/debates/d/01-a.md",
            "--reason",
            "non",
            "--secret-key",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("not a moderator"), "{run}");
    assert_eq!(read_tree(&c.site.root().join("content")), before);

    // A path outside content/ is refused.
    let run = run_in(
        &c,
        &[
            "moderate",
            "hide",
            "pnyx.yaml",
            "--reason",
            "x",
            "--secret-key",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("not a content file"), "{run}");
}

#[test]
fn codeowners_gives_content_to_moderators_and_the_rest_to_admins() {
    let c = Council::new();
    run_in(&c, &["codeowners"]).assert_ok();
    let text = String::from_utf8(c.site.read(".github/CODEOWNERS")).unwrap();
    let rules: Vec<(String, Vec<String>)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.split_whitespace().map(String::from);
            (parts.next().unwrap(), parts.collect())
        })
        .collect();
    // The last matching rule wins, as on GitHub.
    let owners = |path: &str| -> Vec<String> {
        rules
            .iter()
            .rev()
            .find(|(pattern, _)| {
                pattern == "*"
                    || path.starts_with(pattern.trim_start_matches('/').trim_end_matches('/'))
                        && (pattern.ends_with('/') || path == pattern.trim_start_matches('/'))
            })
            .map(|(_, o)| o.clone())
            .unwrap_or_default()
    };
    assert_eq!(owners("content/debates/d/02-b.md"), vec!["@mona-gh"]);
    assert_eq!(owners("signatures/initiatives/bus/X.minisig"), vec!["@mona-gh"]);
    assert_eq!(owners("pnyx.yaml"), vec!["@alice-gh"]);
    assert_eq!(owners("roles.yaml"), vec!["@alice-gh"]);
    assert_eq!(owners(".github/workflows/check.yml"), vec!["@alice-gh"]);
    assert_eq!(
        owners(&format!("signatures/keys/{}.pub", c.roots[1].id)),
        vec!["@alice-gh"]
    );
    assert_eq!(
        owners(&format!("signatures/keys/{}.pub", c.m.id)),
        vec!["@mona-gh"]
    );
}

/// A moderator drawn by lot (roles.yaml names only the admin, whom the draw leaves out) reviews
/// content in CODEOWNERS, and her decision takes effect.
#[test]
fn a_moderator_drawn_by_lot_owns_content_and_her_decisions_take_effect() {
    let c = Council::with_roles(|roots, _| {
        format!(
            "admins:\n  - key: {}\n    from: 2026-09-01\n    to: 2027-08-31\n",
            roots[0].id
        )
    });
    c.site.write(
        "content/sortitions/volontaires.yaml",
        &format!("- id: {}\n- id: {}\n", c.roots[0].id, c.m.id),
    );
    c.site.write(
        "content/sortitions/moderation.md",
        "---\ntitle: Modération\nseats: 1\npool: {list: content/sortitions/volontaires.yaml}\nseed:\n  sources: [\"Urne de la réunion du 2 octobre\"]\n  announced: 2026-10-01\n  value: \"12 27 40\"\nrole: moderator\nterm: {from: 2026-10-15, to: 2027-04-30}\nresult: [\"MONA\"]\n---\nTexte.\n"
            .replace("MONA", &c.m.id.to_string())
            .as_str(),
    );
    c.site.commit(day(2), "moderators drawn by lot");
    run_in(&c, &["codeowners"]).assert_ok();
    let text = String::from_utf8(c.site.read(".github/CODEOWNERS")).unwrap();
    let content_rule = text
        .lines()
        .find(|l| l.starts_with("/content/"))
        .unwrap_or_default();
    assert!(content_rule.contains("@mona-gh"), "{text}");
    assert!(
        !content_rule.contains("@alice-gh"),
        "the admin is not a moderator: {text}"
    );

    c.decide("2026-11-01-masquer", "hide", TARGET, "2026-11-01", &c.m);
    c.site.commit(day(32), "Mona hides the attack");
    let page = decode_entities(&c.site.page("debates/d/index.html"));
    assert!(!page.contains(ATTACK), "hidden by the drawn moderator");
}

#[test]
fn codeowners_for_a_site_in_a_subfolder_goes_to_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init(dir.path()).unwrap();
    let admin = Key::new();
    let site = dir.path().join("conseil");
    let write = |rel: &str, text: &str| {
        let p = site.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "pnyx.yaml",
        &format!("{}trust:\n  roots: [\"{}\"]\n", super::fixture::CONFIG, admin.id),
    );
    write("content/poles/logement.md", super::fixture::POLE);
    write(
        &format!("signatures/keys/{}.pub", admin.id),
        &pnyx::signatures::keys::public_key_text(&admin.pk),
    );
    write(
        &format!("signatures/keys/{}.yaml", admin.id),
        "name: Alice\nforge: alice-gh\n",
    );
    write(
        "roles.yaml",
        &format!("admins:\n  - key: \"{}\"\n    from: 2026-01-01\n", admin.id),
    );
    pnyx_env(
        [OsStr::new("--root"), site.as_os_str(), OsStr::new("codeowners")],
        &[],
    )
    .assert_ok();
    assert!(
        !site.join(".github").exists(),
        "the forge reads CODEOWNERS at the repository's root only"
    );
    let text = std::fs::read_to_string(dir.path().join(".github/CODEOWNERS")).unwrap();
    assert!(text.contains("\n/conseil/content/  @alice-gh\n"), "{text}");
    assert!(
        text.contains(&format!(
            "\n/conseil/signatures/keys/{}.pub  @alice-gh\n",
            admin.id
        )),
        "{text}"
    );
}
