//! What a pull request can bring in its file names and links: names with control characters
//! (which could forge GitHub workflow commands in the gate's own run) and symbolic links
//! (which could publish a file from outside the site) are refused, by `pnyx build` and by
//! `pnyx check`, and nothing of a change's content can start a line of the gate's output.

use std::ffi::OsStr;
use std::path::Path;

use super::fixture::{pnyx_env, Run, Site};
use super::repo::{day, GitSite};

const PAGE: &str = "---\ntitle: Page\n---\nTexte.\n";

/// `pnyx check --root ROOT ARGS…` with `GITHUB_ACTIONS` set or not.
fn check(site: &GitSite, args: &[&str], github: bool) -> Run {
    let mut all: Vec<&OsStr> = vec![OsStr::new("check"), OsStr::new("--root"), site.root().as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    let actions = github.then(|| OsStr::new("true"));
    pnyx_env(all, &[("GITHUB_ACTIONS", actions), ("GITHUB_STEP_SUMMARY", None)])
}

/// `pnyx build --root ROOT --out TMP`.
fn build(root: &Path) -> Run {
    let out = tempfile::tempdir().unwrap();
    super::fixture::build(root, &out.path().join("public"))
}

/// A site on `main` with one page, and the branch `change` started from it.
fn repository() -> GitSite {
    let site = GitSite::new("");
    site.write("content/pages/a.md", PAGE);
    site.commit(day(0), "the council");
    site.branch("change");
    site
}

/// Every line of both streams that GitHub Actions would run as a workflow command (it trims
/// leading spaces first).
fn commands(run: &Run) -> Vec<&str> {
    run.stdout
        .lines()
        .chain(run.stderr.lines())
        .map(str::trim_start)
        .filter(|l| l.starts_with("::"))
        .collect()
}

#[test]
fn pnyx_check_under_github_actions_prints_no_injected_workflow_command() {
    let site = repository();
    site.write("content/pages/x\n::warning::pwned.md", PAGE);
    site.write(
        "content/pages/key.md",
        "---\ntitle: Clé\n\"k\\n::warning::pwned by a key\\n::stop-commands::t\": 1\n---\nTexte.\n",
    );
    site.write("\n::notice::pwned at the root", "x");
    // No control character: its problem line would start with `::` (a protected path).
    site.write("::warning::pwned-too", "x");
    site.commit(day(1), "hostile names");
    for args in [
        &["--base", "main"][..],
        &["--base", "main", "--head", "change"][..],
    ] {
        let run = check(&site, args, true);
        assert_eq!(run.code, Some(1), "{run}");
        let commands = commands(&run);
        assert!(!commands.is_empty(), "the problems are annotated:\n{run}");
        for line in &commands {
            assert!(
                line.starts_with("::error file="),
                "an injected command: {line:?}\n{run}"
            );
            let message = line.splitn(3, "::").nth(2).unwrap_or_default();
            assert!(!message.contains('\n') && !message.contains('\r'), "{line:?}");
        }
        // Each hostile file and key is reported, its name escaped.
        for shown in [
            "content/pages/x\\u{a}::warning::pwned.md",
            "\\u{a}::notice::pwned at the root",
            "k\\u{a}::warning::pwned by a key",
        ] {
            assert!(
                run.stderr.contains(shown) || run.stdout.contains(shown),
                "{shown}:\n{run}"
            );
        }
        let annotated = "content/pages/x\\u{a}%3A%3Awarning%3A%3Apwned.md";
        assert!(commands.iter().any(|l| l.contains(annotated)), "{run}");
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("\\u{3a}:warning::pwned-too:1:1: ")),
            "a line that would read as a command has its first colon escaped:\n{run}"
        );
    }
    // Outside GitHub Actions the names are shown the same way: no control character either.
    let run = check(&site, &["--base", "main"], false);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("x\\u{a}::warning::pwned.md"), "{run}");
    assert!(
        !run.stdout.contains("x\n::") && !run.stderr.contains("x\n::"),
        "{run}"
    );
}

#[test]
fn a_file_name_with_a_control_character_is_refused() {
    let site = Site::minimal();
    site.write("content/pages/x\n::warning::y.md", PAGE)
        .write("content/pages/tab\there.md", PAGE)
        .write("signatures/keys/k\r.pub", "untrusted comment: x\nRWQ\n");
    let run = build(site.root());
    assert_eq!(run.code, Some(1), "{run}");
    for shown in [
        "content/pages/x\\u{a}::warning::y.md:1:1: ",
        "content/pages/tab\\u{9}here.md:1:1: ",
        "signatures/keys/k\\u{d}.pub:1:1: ",
    ] {
        let line = run.stderr.lines().find(|l| l.starts_with(shown));
        assert!(
            line.is_some_and(|l| l.contains("control character")),
            "{shown}:\n{run}"
        );
    }
    assert!(run.stderr.contains("hint: rename it"), "{run}");
    assert_eq!(
        run.stderr.matches("x\\u{a}::warning::y.md:1:1").count(),
        1,
        "reported once: {run}"
    );
    assert!(!run.stderr.contains("cannot read"), "{run}");
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_refused_once() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::minimal();
    let name = OsStr::from_bytes(b"caf\xe9.md");
    let dir = site.path("content/pages");
    std::fs::create_dir_all(&dir).unwrap();
    if std::fs::write(dir.join(name), PAGE).is_err() {
        return; // a file system that only takes UTF-8 names
    }
    let run = build(site.root());
    assert_eq!(run.code, Some(1), "{run}");
    assert_eq!(run.diagnostics().len(), 1, "one clear error: {run}");
    assert!(run.stderr.contains("is not valid UTF-8"), "{run}");
    assert!(!run.stderr.contains("cannot read"), "{run}");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_site_is_refused_in_every_folder() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(&secret, "---\ntitle: Secret\n---\nLe mot de passe.\n").unwrap();
    let secret_dir = outside.path().join("dir");
    std::fs::create_dir_all(&secret_dir).unwrap();
    std::fs::write(secret_dir.join("a.md"), PAGE).unwrap();

    // One site per folder: a build that fails on its content stops before it copies
    // `static/`.
    for rel in [
        "content/pages/secret.md",
        "content/initiatives",
        "signatures/keys/k.pub",
        "static/secret.txt",
        "static",
        "themes/default/templates/page.html",
        "themes",
        "roles.yaml",
    ] {
        let site = Site::minimal();
        let link = site.path(rel);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        let folder = matches!(rel, "content/initiatives" | "static" | "themes");
        symlink(if folder { &secret_dir } else { &secret }, &link).unwrap();
        let run = build(site.root());
        assert_eq!(run.code, Some(1), "{rel}: {run}");
        let line = run
            .stderr
            .lines()
            .find(|l| l.starts_with(&format!("{rel}:1:1: ")));
        assert!(line.is_some_and(|l| l.contains("symbolic link")), "{rel}:\n{run}");
        assert!(
            run.stderr.contains("hint: replace the link by the file itself"),
            "{run}"
        );
        assert!(!run.stderr.contains("Le mot de passe"), "{run}");
    }

    // The configuration itself, and a link that stays inside the site: refused too.
    let site = Site::minimal();
    site.write("content/pages/a.md", PAGE);
    symlink(site.path("content/pages/a.md"), site.path("content/pages/b.md")).unwrap();
    let run = build(site.root());
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("content/pages/b.md:1:1: "), "{run}");
    let real = site.path("real.yaml");
    std::fs::rename(site.path("pnyx.yaml"), &real).unwrap();
    symlink(&real, site.path("pnyx.yaml")).unwrap();
    let run = build(site.root());
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("pnyx.yaml:1:1: "), "{run}");
    assert!(run.stderr.contains("symbolic link"), "{run}");
}

#[cfg(unix)]
#[test]
fn pnyx_check_refuses_a_symlink_the_change_adds() {
    use std::os::unix::fs::symlink;
    let site = repository();
    symlink("/etc/hostname", site.root().join("content/pages/host.md")).unwrap();
    symlink("a.md", site.root().join("content/pages/b.md")).unwrap();
    site.commit(day(1), "two links");
    for args in [
        &["--base", "main"][..],
        &["--base", "main", "--head", "change"][..],
    ] {
        let run = check(&site, args, false);
        assert_eq!(run.code, Some(1), "{run}");
        for rel in ["content/pages/host.md", "content/pages/b.md"] {
            let lines: Vec<&str> = run
                .diagnostics()
                .into_iter()
                .filter(|l| l.starts_with(&format!("{rel}:1:1: ")))
                .collect();
            assert_eq!(lines.len(), 1, "{rel}, once, as a link:\n{run}");
            assert!(lines[0].contains("symbolic link"), "{run}");
        }
        assert!(
            run.stderr.contains("replace the link by the file itself"),
            "{run}"
        );
    }
    // Even an admin's review lets no link through.
    let run = check(&site, &["--base", "main", "--admin-review"], false);
    assert_eq!(run.code, Some(1), "{run}");
}
