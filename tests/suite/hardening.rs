//! What a pull request or a bad moment can bring to `pnyx build`: a build killed at any
//! point leaves the previous `public/` whole, and the folders of killed builds do not pile
//! up.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::fixture::{read_tree, test_home, Site, SOURCE_DATE_EPOCH};

/// The minimal site with `n` pages, so that a build takes a little while.
fn big_site(n: usize) -> Site {
    let site = Site::minimal();
    let body = "Un paragraphe assez long pour que la page pèse un peu. ".repeat(40);
    for i in 0..n {
        site.write(
            &format!("content/pages/page-{i:04}.md"),
            format!("---\ntitle: Page {i}\n---\n{body}\n"),
        );
    }
    site
}

/// The `.public.*` entries beside `public/`.
fn build_folders(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".public."))
        .collect();
    names.sort();
    names
}

fn spawn_build(root: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_pnyx"))
        .args(["build", "--root"])
        .arg(root)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env("PNYX_HOME", test_home())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pnyx build starts")
}

#[test]
fn a_killed_build_leaves_the_previous_public_whole() {
    let site = big_site(150);
    let started = Instant::now();
    site.build().assert_ok();
    let took = started.elapsed();
    let public = site.path("public");
    let reference: Vec<String> = read_tree(&public).into_keys().collect();
    assert!(reference.contains(&"pages/page-0149/index.html".to_string()));
    let limit = Instant::now() + Duration::from_secs(40);
    let kills = 20u32;
    for i in 0..kills {
        if Instant::now() > limit {
            break;
        }
        // From at once to a little past a whole build: every phase gets killed.
        let delay = took.mul_f64(1.2 * f64::from(i) / f64::from(kills));
        let mut child = spawn_build(site.root());
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        assert!(public.is_dir(), "kill {i} after {delay:?} left no public/");
        let files: Vec<String> = read_tree(&public).into_keys().collect();
        assert_eq!(
            files, reference,
            "kill {i} after {delay:?} left a partial public/"
        );
    }
    site.build().assert_ok();
    assert!(public.is_dir());
    assert_eq!(
        build_folders(site.root()),
        Vec::<String>::new(),
        "stray build folders"
    );
    let files: Vec<String> = read_tree(&public).into_keys().collect();
    assert_eq!(files, reference);
}

#[test]
fn stale_build_folders_are_cleaned_by_the_next_build() {
    let site = Site::small();
    site.build().assert_ok();
    // What killed builds leave: a half-written new site and an old site set aside.
    for stale in [".public.new-4000000", ".public.old-4000001"] {
        site.write(&format!("{stale}/index.html"), "<p>stale</p>");
    }
    site.write(".public.new-4000002/deep/er/page.html", "x");
    site.write("content/pages/nouvelle.md", "---\ntitle: Nouvelle\n---\nTexte.\n");
    site.build().assert_ok();
    assert_eq!(build_folders(site.root()), Vec::<String>::new());
    assert!(site.path("public/pages/nouvelle/index.html").is_file());
    assert!(
        site.path("content/pages/nouvelle.md").is_file(),
        "the site is untouched"
    );
}
