//! Bad content: each mistake is reported at its file, line and column, with a message that
//! names it, exit code 1, and nothing written.

use super::fixture::{location, Run, Site};

/// One bad input and what the build must say about it.
struct Case {
    /// The file written into an otherwise valid site.
    file: &'static str,
    /// Its contents (bytes, so that a file can be invalid UTF-8).
    text: &'static [u8],
    /// The expected `path:line:column`.
    at: &'static str,
    /// A part of the expected message.
    message: &'static str,
    /// A part of the expected hint, when the case is about the hint too.
    hint: Option<&'static str>,
}

/// The valid site every case starts from: pole `logement`, group `velo` (number 3), debate
/// `d` with contribution `01-a`.
fn base_site() -> Site {
    let site = Site::minimal();
    site.write(
        "content/groups/velo.md",
        "---\ntitle: Vélo\nnumber: 3\npole: logement\n---\n",
    )
    .write("content/debates/d.md", "---\ntitle: D\npole: logement\n---\nQ\n")
    .write(
        "content/debates/d/01-a.md",
        "---\nauthor: A\ndate: 2026-01-01\n---\nx\n",
    );
    site
}

const CASES: &[Case] = &[
    Case {
        // broken YAML syntax: an unquoted `: ` inside a value
        file: "content/poles/transports.md",
        text: b"---\ntitle: Transports: et mobilite\ncolor: \"#1f5f8b\"\n---\n",
        at: "content/poles/transports.md:2:18",
        message: "mapping values are not allowed",
        hint: Some("not valid YAML"),
    },
    Case {
        // broken YAML syntax: a key indented under a scalar
        file: "content/poles/transports.md",
        text: b"---\ntitle: Transports\n  color: \"#1f5f8b\"\n---\n",
        at: "content/poles/transports.md:3:8",
        message: "mapping values are not allowed",
        hint: Some("check indentation"),
    },
    Case {
        // missing required key: placed at the start of the front matter
        file: "content/poles/transports.md",
        text: b"---\ncolor: \"#1f5f8b\"\n---\n",
        at: "content/poles/transports.md:2:1",
        message: "missing field `title`",
        hint: Some("add a line `title: "),
    },
    Case {
        // unknown key
        file: "content/poles/transports.md",
        text: b"---\ntitle: Transports\ncolour: \"#1f5f8b\"\n---\n",
        at: "content/poles/transports.md:3:1",
        message: "unknown field `colour`",
        hint: Some("fix its spelling"),
    },
    Case {
        // wrong type
        file: "content/groups/tram.md",
        text: b"---\ntitle: Tram\nnumber: x\npole: logement\n---\n",
        at: "content/groups/tram.md:3:9",
        message: "number: invalid type: string \"x\", expected u32",
        hint: None,
    },
    Case {
        // bad date: month 13
        file: "content/initiatives/bus.md",
        text: b"---\ntitle: Bus\nkind: project\npole: logement\ncloses: 2026-13-01\n---\n",
        at: "content/initiatives/bus.md:5:9",
        message: "invalid date `2026-13-01`",
        hint: None,
    },
    Case {
        // bad date: not ISO 8601
        file: "content/initiatives/bus.md",
        text: b"---\ntitle: Bus\nkind: project\npole: logement\ncloses: 01/12/2026\n---\n",
        at: "content/initiatives/bus.md:5:9",
        message: "invalid date `01/12/2026`",
        hint: None,
    },
    Case {
        // bad color
        file: "content/poles/transports.md",
        text: b"---\ntitle: Transports\ncolor: red\n---\n",
        at: "content/poles/transports.md:3:8",
        message: "invalid color `red`",
        hint: None,
    },
    Case {
        // duplicate group number: groups are checked in slug order, so the later file
        // (`zones-apaisees` after `velo`) is the one reported, on its `number:` line
        file: "content/groups/zones-apaisees.md",
        text: b"---\ntitle: Zones\nnumber: 3\npole: logement\n---\n",
        at: "content/groups/zones-apaisees.md:3:9",
        message: "group number 3 is already used by `velo`",
        hint: Some("free number"),
    },
    Case {
        // a pole that does not exist, close to one that does
        file: "content/groups/zones-apaisees.md",
        text: b"---\ntitle: Zones\nnumber: 4\npole: logemnt\n---\n",
        at: "content/groups/zones-apaisees.md:4:7",
        message: "pole `logemnt` does not exist",
        hint: Some("did you mean `logement`?"),
    },
    Case {
        // a group that does not exist
        file: "content/debates/tram.md",
        text: b"---\ntitle: Tram\npole: logement\ngroup: tramway\n---\n",
        at: "content/debates/tram.md:4:8",
        message: "working group `tramway` does not exist",
        hint: Some("`velo`"),
    },
    Case {
        // a reply to a contribution that does not exist
        file: "content/debates/d/02-b.md",
        text: b"---\nauthor: B\ndate: 2026-01-02\nreply_to: 07-zoe\n---\ny\n",
        at: "content/debates/d/02-b.md:4:11",
        message: "`07-zoe` is not a contribution of `d`",
        hint: Some("`01-a`"),
    },
    Case {
        // a file name that is not a slug
        file: "content/pages/Gratuit\u{e9}.md",
        text: b"---\ntitle: G\n---\n",
        at: "content/pages/Gratuit\u{e9}.md:1:1",
        message: "is not a valid slug",
        hint: Some("gratuite.md"),
    },
    Case {
        // a slug of a hyphen alone: no address anyone can read
        file: "content/pages/-.md",
        text: b"---\ntitle: G\n---\n",
        at: "content/pages/-.md:1:1",
        message: "is not a valid slug",
        hint: Some("name the file after its title"),
    },
    Case {
        // no front matter
        file: "content/pages/charte.md",
        text: b"# Charte\n\nTexte\n",
        at: "content/pages/charte.md:1:1",
        message: "does not start with front matter",
        hint: Some("`---`"),
    },
    Case {
        // unclosed front matter: reported at the last line
        file: "content/pages/charte.md",
        text: b"---\ntitle: Charte\n\nTexte\n",
        at: "content/pages/charte.md:4:1",
        message: "front matter is never closed",
        hint: Some("add a line `---`"),
    },
    Case {
        // unknown enum value
        file: "content/initiatives/bus.md",
        text: b"---\ntitle: Bus\nkind: petition\npole: logement\n---\n",
        at: "content/initiatives/bus.md:3:7",
        message: "unknown variant `petition`",
        hint: None,
    },
    Case {
        // a script link where an http(s) address is expected
        file: "content/meetings/m.md",
        text: b"---\ntitle: M\nstart: 2026-12-01T18:30\nplace:\n  name: Cafe\nonline: javascript:alert(1)\n---\n",
        at: "content/meetings/m.md:6:9",
        message: "invalid address `javascript:alert(1)`",
        hint: None,
    },
    Case {
        // a contribution folder without its item
        file: "content/debates/tramway/01-a.md",
        text: b"---\nauthor: A\ndate: 2026-01-01\n---\nx\n",
        at: "content/debates/tramway/01-a.md:1:1",
        message: "belongs to `tramway`, which does not exist",
        hint: Some("content/debates/tramway.md"),
    },
    Case {
        // a folder that is not a kind of content
        file: "content/petitions/p.md",
        text: b"---\ntitle: P\n---\n",
        at: "content/petitions:1:1",
        message: "`petitions` is not a kind of content",
        hint: Some("initiatives"),
    },
    Case {
        // not UTF-8 (Latin-1 `é`): placed at the bad byte
        file: "content/poles/transports.md",
        text: b"---\ntitle: Caf\xe9\ncolor: \"#1f5f8b\"\n---\n",
        at: "content/poles/transports.md:2:11",
        message: "not valid UTF-8",
        hint: Some("UTF-8"),
    },
    Case {
        // closes before opens: placed on `closes`
        file: "content/initiatives/bus.md",
        text: b"---\ntitle: Bus\nkind: project\npole: logement\nopens: 2026-12-01\ncloses: 2026-11-01\n---\n",
        at: "content/initiatives/bus.md:6:9",
        message: "`closes` (2026-11-01) comes before `opens` (2026-12-01)",
        hint: Some("check the two dates"),
    },
    Case {
        // a site link in markdown to a page that does not exist: placed in the body
        file: "content/pages/charte.md",
        text: b"---\ntitle: Charte\n---\nIntro.\n\nVoir [le bus](/initiatives/bus/).\n",
        at: "content/pages/charte.md:6:15",
        message: "broken link `/initiatives/bus/`",
        hint: Some("existing page"),
    },
    Case {
        // a vote with a repeated option
        file: "content/votes/v.md",
        text: b"---\ntitle: V\nmethod: approval\noptions: [a, b, a]\nopens: 2026-11-01\ncloses: 2026-12-01\n---\n",
        at: "content/votes/v.md:4:10",
        message: "option `a` is listed twice",
        hint: Some("unique"),
    },
    Case {
        // bad configuration: unknown time zone
        file: "pnyx.yaml",
        text: b"title: T\nbase_url: https://example.org/\ntimezone: Europe/Toulouse\n",
        at: "pnyx.yaml:3:11",
        message: "unknown time zone `Europe/Toulouse`",
        hint: Some("IANA"),
    },
    Case {
        // bad configuration: a base_url that is not a URL
        file: "pnyx.yaml",
        text: b"title: T\nbase_url: example.org\n",
        at: "pnyx.yaml:2:11",
        message: "base_url `example.org` is not an http(s) URL",
        hint: Some("https://example.org/"),
    },
];

/// Builds `site` and returns what is wrong with the run for `case`, if anything.
fn problems(case: &Case, site: &Site, run: &Run) -> Vec<String> {
    let mut out = Vec::new();
    if run.code != Some(1) {
        out.push(format!("exit code {:?}, expected 1", run.code));
    }
    let diags = run.diagnostics();
    if diags.len() != 1 {
        out.push(format!("{} diagnostics, expected exactly 1", diags.len()));
    }
    let lines: Vec<&str> = run.stderr.lines().collect();
    match lines.iter().position(|l| location(l) == Some(case.at)) {
        None => out.push(format!("no diagnostic at `{}`", case.at)),
        Some(i) => {
            if !lines[i].contains(case.message) {
                out.push(format!("the message does not contain `{}`", case.message));
            }
            if let Some(hint) = case.hint {
                let next = lines.get(i + 1).copied().unwrap_or("");
                if !(next.starts_with("  hint: ") && next.contains(hint)) {
                    out.push(format!("the next line is not a hint containing `{hint}`"));
                }
            }
        }
    }
    if site.path("public").exists() {
        out.push("a public/ folder was written".into());
    }
    out
}

#[test]
fn the_base_site_of_the_error_cases_builds() {
    let site = base_site();
    site.build().assert_ok();
}

/// Runs every case in its own copy of the base site, in parallel, and returns a report for
/// each case that `check` finds fault with.
fn failing_cases(check: impl Fn(&Case, &Site, &Run) -> Vec<String> + Sync) -> Vec<String> {
    let check = &check;
    std::thread::scope(|s| {
        let handles: Vec<_> = CASES
            .iter()
            .map(|case| {
                s.spawn(move || {
                    let site = base_site();
                    site.write(case.file, case.text);
                    let run = site.build();
                    let p = check(case, &site, &run);
                    (!p.is_empty())
                        .then(|| format!("{} ({}):\n  {}\n{run}", case.at, case.message, p.join("\n  ")))
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn reports_each_content_error_at_its_place() {
    assert!(CASES.len() >= 18);
    let failures = failing_cases(problems);
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_error_comes_with_a_hint() {
    let failures = failing_cases(|_, _, run| {
        let lines: Vec<&str> = run.stderr.lines().collect();
        let diags = lines.iter().enumerate().filter(|(_, l)| location(l).is_some());
        let mut out: Vec<String> = diags
            .filter(|(i, _)| !lines.get(i + 1).is_some_and(|n| n.starts_with("  hint: ")))
            .map(|(_, l)| format!("no hint after `{l}`"))
            .collect();
        if run.diagnostics().is_empty() {
            out.push("no diagnostic at all".into());
        }
        out
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases have an error without a hint:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

/// A site with seven broken files, each with one independent mistake.
fn site_with_many_errors() -> Site {
    let site = base_site();
    site.write(
        "content/poles/transports.md",
        "---\ntitle: Transports\ncolour: \"#1f5f8b\"\n---\n",
    )
    .write(
        "content/groups/tram.md",
        "---\ntitle: Tram\nnumber: 4\npole: transports-et-mobilite\n---\n",
    )
    .write(
        "content/initiatives/bus.md",
        "---\ntitle: Bus\nkind: project\npole: logement\nopens: 2026-12-01\ncloses: 2026-11-01\n---\n",
    )
    .write("content/debates/sans-titre.md", "---\npole: logement\n---\n")
    .write(
        "content/meetings/m.md",
        "---\ntitle: M\nstart: 2026-12-01T18:30\nplace:\n  name: Cafe\nonline: javascript:alert(1)\n---\n",
    )
    .write("content/pages/\u{c0}-propos.md", "---\ntitle: A\n---\n")
    .write("content/votes/v.md", b"---\ntitle: Caf\xe9\n---\n" as &[u8]);
    site
}

#[test]
fn reports_every_error_of_a_site_in_one_run() {
    let site = site_with_many_errors();
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let content_errors: Vec<&str> = run
        .diagnostics()
        .into_iter()
        .filter(|l| l.starts_with("content/"))
        .collect();
    assert_eq!(content_errors.len(), 7, "{run}");
    for file in [
        "content/poles/transports.md:",
        "content/groups/tram.md:",
        "content/initiatives/bus.md:",
        "content/debates/sans-titre.md:",
        "content/meetings/m.md:",
        "content/pages/\u{c0}-propos.md:",
        "content/votes/v.md:",
    ] {
        assert!(
            content_errors.iter().any(|l| l.starts_with(file)),
            "no error for {file}\n{run}"
        );
    }
    assert!(run.stderr.contains("7 errors found"), "{run}");
    assert!(!site.path("public").exists(), "a public/ folder was written");
}

#[test]
fn places_a_duplicate_key_on_its_second_occurrence() {
    let site = base_site();
    site.write(
        "content/poles/transports.md",
        "---\ntitle: Transports\ncolor: \"#1f5f8b\"\ntitle: Mobilite\n---\n",
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let diags = run.diagnostics();
    assert_eq!(diags.len(), 1, "{run}");
    assert!(diags[0].contains("duplicate field `title`"), "{run}");
    assert_eq!(
        location(diags[0]),
        Some("content/poles/transports.md:4:1"),
        "{run}"
    );
}

#[test]
fn reports_a_duplicate_key() {
    let site = base_site();
    site.write(
        "content/poles/transports.md",
        "---\ntitle: Transports\ncolor: \"#1f5f8b\"\ntitle: Mobilite\n---\n",
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let diags = run.diagnostics();
    assert_eq!(diags.len(), 1, "{run}");
    assert!(diags[0].starts_with("content/poles/transports.md:"), "{run}");
    assert!(diags[0].contains("duplicate field `title`"), "{run}");
}

#[test]
fn an_unclosed_quote_is_reported_without_a_contradicting_position() {
    let site = base_site();
    site.write(
        "content/poles/transports.md",
        "---\ntitle: Transports\ncolor: \"#1f5f8b\n---\nTexte\n",
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let diags = run.diagnostics();
    assert_eq!(diags.len(), 1, "{run}");
    // The quote opens on file line 3 and the stream ends on line 4: the message must not add
    // a position counted from the start of the front matter (`at line 3 column 1`), which
    // contradicts the `path:line:column` in front of it.
    assert!(diags[0].starts_with("content/poles/transports.md:"), "{run}");
    assert!(!diags[0].contains(" at line "), "{run}");
    assert!(run.stderr.contains("  hint: "), "{run}");
}
