//! Content a pull request can bring that must neither crash a build nor vanish from it: reply
//! chains of any depth, reply loops, and contribution folders under every kind.

use std::ffi::OsStr;

use super::fixture::{location, pnyx_env, Run, Site};
use super::repo::{day, GitSite};

/// `content/debates/d/rNNN.md`, the `n`-th of a chain where each answers the one before.
fn chain_link(n: usize) -> (String, String) {
    let reply = if n == 1 {
        String::new()
    } else {
        format!("reply_to: r{:03}\n", n - 1)
    };
    (
        format!("content/debates/d/r{n:03}.md"),
        format!("---\nauthor: Auteur {n}\ndate: 2026-11-02\n{reply}---\nRéponse numéro {n}.\n"),
    )
}

/// Exit 0, or 1 with diagnostics at `path:line`: never a signal or an abort.
#[track_caller]
fn assert_no_crash(run: &Run) {
    match run.code {
        Some(0) => {}
        Some(1) => assert!(
            !run.diagnostics().is_empty(),
            "exit 1 without a diagnostic:\n{run}"
        ),
        _ => panic!("pnyx crashed:\n{run}"),
    }
}

#[test]
fn a_reply_chain_of_600_renders_without_overflow() {
    let site = Site::small();
    for n in 1..=600 {
        let (path, text) = chain_link(n);
        site.write(&path, text);
    }
    let out = site.path("out");
    let run = site.build_to(&out);
    assert_no_crash(&run);
    run.assert_ok();
    let page = std::fs::read_to_string(out.join("debates/d/index.html")).unwrap();
    assert!(
        page.contains("Réponse numéro 600."),
        "the deepest reply is missing"
    );
    // Past six levels, replies are listed flat, each naming and linking what it answers.
    assert!(
        page.contains(r##"href="#c-r599""##),
        "the deepest reply does not link its parent"
    );
    assert!(
        page.contains("en réponse à Auteur 599"),
        "the deepest reply does not name its parent"
    );
    let depth = page.split("<ol class=\"thread\">").count().saturating_sub(1);
    assert!(depth <= 7, "{depth} nested lists for one chain");

    // The gate reads the same chain brought by a pull request.
    let git = GitSite::new("");
    git.write(
        "content/debates/d.md",
        "---\ntitle: Faut-il des bus gratuits ?\npole: logement\n---\nLa question.\n",
    );
    git.commit(day(0), "the council");
    git.branch("chain");
    for n in 1..=600 {
        let (path, text) = chain_link(n);
        git.write(&path, &text);
    }
    git.commit(day(1), "a long chain");
    let run = pnyx_env(
        [
            OsStr::new("check"),
            OsStr::new("--root"),
            git.root().as_os_str(),
            OsStr::new("--base"),
            OsStr::new("main"),
        ],
        &[("GITHUB_ACTIONS", None), ("GITHUB_STEP_SUMMARY", None)],
    );
    assert_no_crash(&run);
}

#[test]
fn a_reply_cycle_is_an_error_at_its_line() {
    let site = Site::small();
    let reply = |author: &str, to: &str| {
        format!("---\nauthor: {author}\ndate: 2026-11-03\nreply_to: {to}\n---\nTexte.\n")
    };
    site.write("content/debates/d/a.md", reply("Ana", "b"))
        .write("content/debates/d/b.md", reply("Bruno", "a"))
        .write("content/debates/d/c.md", reply("Chloé", "c"))
        .write("content/debates/d/e.md", reply("Émile", "inconnue"))
        // Answers a reply of the loop without being in it: only the loop is reported.
        .write("content/debates/d/f.md", reply("Fanny", "a"));
    let run = site.build_to(&site.path("out"));
    assert_eq!(run.code, Some(1), "{run}");
    let at = |path: &str| -> Vec<&str> {
        run.diagnostics()
            .into_iter()
            .filter(|l| location(l).is_some_and(|loc| loc.starts_with(&format!("{path}:"))))
            .collect()
    };
    for stem in ["a", "b"] {
        let found = at(&format!("content/debates/d/{stem}.md"));
        assert!(
            found
                .iter()
                .any(|l| l.starts_with(&format!("content/debates/d/{stem}.md:4:")) && l.contains("loop")),
            "no loop reported at line 4 of {stem}.md:\n{run}"
        );
    }
    assert!(
        at("content/debates/d/c.md")
            .iter()
            .any(|l| l.contains(":4:") && l.contains("answers itself")),
        "{run}"
    );
    assert!(
        at("content/debates/d/e.md")
            .iter()
            .any(|l| l.contains(":4:") && l.contains("`inconnue`")),
        "{run}"
    );
    assert!(at("content/debates/d/f.md").is_empty(), "{run}");
}

#[test]
fn contributions_under_a_meeting_and_a_vote_are_published() {
    let site = Site::small();
    site.write(
        "content/votes/charte.md",
        "---\ntitle: Adopter la charte ?\nmethod: majority\noptions: [yes, no, abstain]\nopens: 2026-11-05\ncloses: 2026-12-20\nelectorate: members\n---\nLa charte.\n",
    )
    .write(
        "content/budgets/b.md",
        "---\ntitle: Budget 2027\ntotal: 100\nopens: 2026-11-05\ncloses: 2026-12-20\nelectorate: anyone\n---\nChoisissez.\n",
    )
    .write(
        "content/meetings/pleniere/01-ana.md",
        "---\nauthor: Ana\ndate: 2026-11-03\n---\nPeut-on ajouter les cantines à l’ordre du jour ?\n",
    )
    .write(
        "content/meetings/pleniere/02-bruno.md",
        "---\nauthor: Bruno\ndate: 2026-11-04\nreply_to: 01-ana\n---\nBonne idée, en fin de séance.\n",
    )
    .write(
        "content/votes/charte/01-chloe.md",
        "---\nauthor: Chloé\ndate: 2026-11-06\nposition: against\n---\nL’article 3 est trop vague.\n",
    )
    .write(
        "content/budgets/b/01-david.md",
        "---\nauthor: David\ndate: 2026-11-06\nposition: for\n---\nEnfin un budget pour les quartiers.\n",
    );
    let out = site.path("out");
    site.build_to(&out).assert_ok();
    let page = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
    let meeting = page("meetings/pleniere/index.html");
    assert!(
        meeting.contains("Peut-on ajouter les cantines"),
        "meeting thread missing"
    );
    assert!(
        meeting.contains("Bonne idée, en fin de séance."),
        "meeting reply missing"
    );
    assert!(
        meeting.contains(r##"href="#c-01-ana""##),
        "the reply does not link what it answers"
    );
    assert!(meeting.contains(r#"id="c-02-bruno""#));
    let vote = page("votes/charte/index.html");
    assert!(
        vote.contains("L’article 3 est trop vague."),
        "vote thread missing"
    );
    assert!(vote.contains(r#"id="c-01-chloe""#));
    let budget = page("budgets/b/index.html");
    assert!(budget.contains(r#"id="c-01-david""#), "budget thread missing");
}

#[test]
fn a_contribution_folder_where_none_is_allowed_is_refused() {
    let site = Site::small();
    site.write(
        "content/minutes/cr.md",
        "---\ntitle: Compte rendu\ndate: 2026-11-01\n---\nNotes.\n",
    );
    let contribution = "---\nauthor: Ana\ndate: 2026-11-03\n---\nUn avis.\n";
    let refused = [
        "content/poles/logement/01-ana.md",
        "content/groups/velo/01-ana.md",
        "content/minutes/cr/01-ana.md",
        "content/pages/a-propos/01-ana.md",
        "content/sortitions/jury/01-ana.md",
    ];
    for path in refused {
        site.write(path, contribution);
    }
    let run = site.build_to(&site.path("out"));
    assert_eq!(run.code, Some(1), "{run}");
    for path in refused {
        let line = run
            .diagnostics()
            .into_iter()
            .find(|l| l.starts_with(&format!("{path}:1:1: ")))
            .unwrap_or_else(|| panic!("{path} is not refused:\n{run}"));
        assert!(line.contains("no contributions"), "{run}");
    }
    // The hint says where contributions go.
    assert!(run.stderr.contains("content/meetings/<slug>/"), "{run}");
    assert!(run.stderr.contains("content/votes/<slug>/"), "{run}");
    // Images and other files beside an item stay data.
    let site = Site::small();
    site.write("content/pages/a-propos/plan.png", [0u8, 1, 2]);
    site.build_to(&site.path("out")).assert_ok();
}
