//! Size limits: what a pull request can bring is bounded, each limit gives a placed error
//! with a hint, and a council raises a limit in pnyx.yaml.

use super::fixture::{location, Site};

#[test]
fn a_long_title_is_refused_at_its_line() {
    let site = Site::small();
    let title = "é".repeat(201);
    site.write(
        "content/pages/long.md",
        format!("---\ntitle: {title}\n---\nTexte.\n"),
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    let line = run
        .diagnostics()
        .into_iter()
        .find(|l| l.contains("content/pages/long.md"))
        .unwrap_or_else(|| panic!("no error for the long title:\n{run}"));
    assert_eq!(location(line), Some("content/pages/long.md:2:8"), "{line}");
    assert!(
        line.contains("201 characters, more than the limit of 200 (`limits.title_length`)"),
        "{line}"
    );
    assert!(
        run.stderr.contains("limits:"),
        "no hint names the setting:\n{run}"
    );
}

#[test]
fn an_alias_bomb_in_collection_points_is_refused_without_expanding() {
    let site = Site::small();
    let mut yaml = String::from("a: &a [\"Point de collecte, place du Capitole, Toulouse\"]\nb: &b [");
    yaml.push_str(&vec!["*a"; 900].join(", "));
    yaml.push_str("]\ncollection_points: [");
    yaml.push_str(&vec!["*b"; 900].join(", "));
    yaml.push_str("]\n");
    site.write(
        "content/initiatives/bombe.md",
        format!("---\ntitle: Bombe\n{yaml}---\nTexte.\n"),
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.diagnostics()
            .iter()
            .any(|l| l.starts_with("content/initiatives/bombe.md:") && l.contains("aliases")),
        "{run}"
    );
}

#[test]
fn a_file_past_the_size_limit_is_refused_and_a_council_can_raise_it() {
    let site = Site::small();
    let body = "Un long compte rendu.\n".repeat(60_000); // 1.3 MB
    site.write("content/pages/long.md", format!("---\ntitle: Long\n---\n{body}"));
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.diagnostics().iter().any(|l| l.starts_with(
            "content/pages/long.md:1:1: the file is larger than the limit of 1 MiB (`limits.file_size`)"
        )),
        "{run}"
    );
    let config = site.read("pnyx.yaml");
    site.write("pnyx.yaml", format!("{config}limits:\n  file_size: 4 MB\n"));
    site.build().assert_ok();
}

#[test]
fn a_long_list_of_collection_points_is_refused() {
    let site = Site::small();
    let points: Vec<String> = (0..1001).map(|n| format!("  - Point {n}\n")).collect();
    site.write(
        "content/initiatives/liste.md",
        format!(
            "---\ntitle: Liste\ncollection_points:\n{}---\nTexte.\n",
            points.concat()
        ),
    );
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.diagnostics()
            .iter()
            .any(|l| l.starts_with("content/initiatives/liste.md:") && l.contains("more than 1000 entries")),
        "{run}"
    );
}

#[test]
fn a_misspelt_limit_is_refused_at_its_line() {
    let site = Site::small();
    let config = site.read("pnyx.yaml");
    site.write("pnyx.yaml", format!("{config}limits:\n  title_lenght: 400\n"));
    let run = site.build();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.diagnostics()
            .iter()
            .any(|l| l.starts_with("pnyx.yaml:") && l.contains("title_lenght")),
        "{run}"
    );
}
