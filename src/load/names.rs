//! Which files pnyx agrees to read: names without control characters, in UTF-8, and no
//! symbolic links.
//!
//! A name is printed in logs and in the gate's output, where a newline could forge a line
//! (a GitHub workflow command); a link can publish a file from outside the site, or one the
//! moderators never saw in the change. Every link is refused, even one that stays inside the
//! site: checking where it leads is harder to get right than asking for the file itself.

use std::path::{Path, PathBuf};

use super::git_index::FileStat;
use crate::error::Diagnostic;

pub use crate::error::visible;

/// Why the name of `rel` (relative to the site root) is refused, if it is.
pub fn name_problem(rel: &Path) -> Option<Diagnostic> {
    let lossy = rel.to_string_lossy();
    let shown = visible(&lossy);
    let Some(text) = rel.to_str() else {
        // Shown lossily, as git shows it to the gate, so that both report it in one line.
        return Some(
            Diagnostic::new(
                Path::new(&*lossy),
                1,
                1,
                format!("the name `{shown}` is not valid UTF-8"),
            )
            .hint("rename it with letters, digits, `-` and `_` (UTF-8, as every name of the site)"),
        );
    };
    if text.chars().any(char::is_control) {
        return Some(
            Diagnostic::new(
                rel,
                1,
                1,
                format!("the name `{shown}` holds a control character (a line break, a tab…)"),
            )
            .hint("rename it with letters, digits, `-` and `_`: names are printed, and a control character could forge a line of the output"),
        );
    }
    None
}

/// The refusal of the symbolic link `rel`.
pub fn link_problem(rel: &Path) -> Diagnostic {
    let shown = visible(&rel.to_string_lossy());
    Diagnostic::new(
        rel,
        1,
        1,
        format!("`{shown}` is a symbolic link: pnyx reads no link, wherever it leads"),
    )
    .hint("replace the link by the file itself (a link could publish a file from outside the site)")
}

/// Whether `path` is itself a symbolic link (not followed).
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Checks one entry of a walk under `root`: its name, and that it is no link. On a refused
/// folder, the walk should skip what it holds.
///
/// Only the entry's own name is checked: the folders above it were checked when the walk met
/// them, and a refused one is not entered. A city has a million entries, so the path from the
/// root is made only for a message.
pub fn entry_problem(root: &Path, entry: &walkdir::DirEntry) -> Option<Diagnostic> {
    let named = plain_name(entry.file_name()).is_some();
    // The walk does not follow links, so the entry's type is the link's own (from the folder
    // listing, or an lstat where the file system does not say): no second lstat of a million
    // files. A file swapped for a link after the walk is not followed either
    // (`limits::read_bounded` opens with O_NOFOLLOW).
    let link = entry.path_is_symlink() || entry.file_type().is_symlink();
    if named && !link {
        return None;
    }
    let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
    name_problem(rel).or_else(|| link.then(|| link_problem(rel)))
}

/// `name` as text when pnyx accepts it: UTF-8, without control characters ([`name_problem`]
/// says why another is refused).
fn plain_name(name: &std::ffi::OsStr) -> Option<&str> {
    name.to_str().filter(|name| !name.chars().any(char::is_control))
}

/// Checks a file pnyx reads by name (`pnyx.yaml`, `roles.yaml`, a pool list): no link.
pub fn file_problem(root: &Path, rel: &Path) -> Option<Diagnostic> {
    // Any folder on the way counts too: `content/` itself may be the link.
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        if is_link(&at) {
            return Some(link_problem(&rel_of(root, &at)));
        }
    }
    None
}

fn rel_of(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// A walk of `root/dir` that refuses (into `problems`) names and links as [`entry_problem`]
/// does, and yields the plain files and folders that remain. A missing folder yields nothing.
pub fn walk(
    root: &Path,
    dir: &Path,
    max_depth: usize,
    problems: &mut Vec<Diagnostic>,
) -> Vec<walkdir::DirEntry> {
    let mut out = Vec::new();
    walk_each(root, dir, max_depth, problems, |entry| out.push(entry));
    out
}

/// [`walk`], handing each entry to `each` as it comes rather than keeping them all: a city's
/// `signatures/` is a million entries.
pub fn walk_each(
    root: &Path,
    dir: &Path,
    max_depth: usize,
    problems: &mut Vec<Diagnostic>,
    mut each: impl FnMut(walkdir::DirEntry),
) {
    let start = root.join(dir);
    if let Some(d) = file_problem(root, dir) {
        problems.push(d);
        return;
    }
    if !start.exists() {
        return;
    }
    let mut it = walkdir::WalkDir::new(&start)
        .min_depth(1)
        .max_depth(max_depth)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e
                    .path()
                    .map(|p| rel_of(root, p))
                    .unwrap_or_else(|| dir.to_path_buf());
                problems.push(Diagnostic::new(&p, 1, 1, format!("cannot read: {e}")));
                continue;
            }
        };
        if let Some(d) = entry_problem(root, &entry) {
            problems.push(d);
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        each(entry);
    }
}

/// A file kept by [`walk_files`]: its path from the site's root, `/`-separated, and what the
/// load keeps of its metadata when it was asked for.
pub type WalkedFile = (String, Option<FileStat>);

/// The regular files under `root/dir` that `keep` accepts, in [`walk`]'s order (each folder's
/// entries sorted by name, a folder's files where its name sorts), refusing names and links
/// into `problems` as [`entry_problem`] does. `keep` is given a file's path from the root and
/// says whether to leave it (`None`), keep its path (`Some(false)`) or its path and metadata
/// (`Some(true)`).
///
/// [`walk`] is the rule; this is its fast form for `signatures/`, a city's ten thousand folders
/// and million files: the folders are read on all cores, a path is made once per file as a
/// `String` (walkdir sorts by parsing each path's last component again for every comparison),
/// and the metadata is read relative to the open folder (`fstatat`), not through the whole
/// path from the root.
pub fn walk_files(
    root: &Path,
    dir: &str,
    problems: &mut Vec<Diagnostic>,
    keep: &(dyn Fn(&str) -> Option<bool> + Sync),
) -> Vec<WalkedFile> {
    if let Some(d) = file_problem(root, Path::new(dir)) {
        problems.push(d);
        return Vec::new();
    }
    if !root.join(dir).exists() {
        return Vec::new();
    }
    let walked = walk_folder(root, dir, keep);
    problems.extend(walked.problems);
    walked.files
}

/// What [`walk_folder`] found under one folder.
#[derive(Default)]
struct Walked {
    files: Vec<WalkedFile>,
    problems: Vec<Diagnostic>,
}

/// One step of [`walk_folder`]'s listing, in order: files it keeps, or a folder to walk.
enum Step {
    Files(Vec<WalkedFile>),
    Folder(String),
}

/// [`walk_files`] under the folder `rel` (from the root).
fn walk_folder(root: &Path, rel: &str, keep: &(dyn Fn(&str) -> Option<bool> + Sync)) -> Walked {
    use rayon::prelude::*;
    let mut out = Walked::default();
    let cannot_read =
        |at: &Path, e: &dyn std::fmt::Display| Diagnostic::new(at, 1, 1, format!("cannot read: {e}"));
    let listing = match std::fs::read_dir(root.join(rel)) {
        Ok(listing) => listing,
        Err(e) => {
            out.problems.push(cannot_read(Path::new(rel), &e));
            return out;
        }
    };
    let mut entries = Vec::new();
    for entry in listing {
        match entry {
            Ok(entry) => entries.push((entry.file_name(), entry)),
            Err(e) => out.problems.push(cannot_read(Path::new(rel), &e)),
        }
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut steps: Vec<Step> = Vec::new();
    for (name, entry) in entries {
        let Some(name) = plain_name(&name) else {
            out.problems.extend(name_problem(&Path::new(rel).join(&name)));
            continue;
        };
        let child = format!("{rel}/{name}");
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                out.problems.push(cannot_read(Path::new(&child), &e));
                continue;
            }
        };
        if file_type.is_symlink() {
            out.problems.push(link_problem(Path::new(&child)));
        } else if file_type.is_dir() {
            steps.push(Step::Folder(child));
        } else if file_type.is_file() {
            let Some(with_stat) = keep(&child) else {
                continue;
            };
            // A file that cannot be looked at now is read later, and its error told then.
            let stat = with_stat
                .then(|| entry.metadata().ok().map(|m| FileStat::of(&m)))
                .flatten();
            match steps.last_mut() {
                Some(Step::Files(files)) => files.push((child, stat)),
                _ => steps.push(Step::Files(vec![(child, stat)])),
            }
        }
    }
    if steps.iter().all(|step| matches!(step, Step::Files(_))) {
        for step in steps {
            if let Step::Files(files) = step {
                out.files.extend(files);
            }
        }
        return out;
    }
    let walked: Vec<Walked> = steps
        .into_par_iter()
        .map(|step| match step {
            Step::Files(files) => Walked {
                files,
                problems: Vec::new(),
            },
            Step::Folder(rel) => walk_folder(root, &rel, keep),
        })
        .collect();
    for w in walked {
        out.files.extend(w.files);
        out.problems.extend(w.problems);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_control_characters() {
        assert_eq!(visible("a\nb\r\u{1b}"), "a\\u{a}b\\u{d}\\u{1b}");
        assert_eq!(visible("été"), "été");
    }

    /// `walk_files` is `walk`'s fast form for `signatures/`: the same files in the same order
    /// (names that sort differently by component and by whole path among them), the same
    /// names and links refused, and a refused folder not entered.
    #[cfg(unix)]
    #[test]
    fn walk_files_finds_what_walk_finds_in_its_order_and_refuses_the_same() {
        use std::os::unix::ffi::OsStrExt as _;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "signatures/a/K1.minisig",
            "signatures/a-b/K2.minisig",
            "signatures/a.b/K3.minisig",
            "signatures/a/b/K4.minisig",
            "signatures/keys/K1.pub",
            "signatures/bad\nname/K5.minisig",
            "signatures/z.minisig",
        ] {
            let path = root.join(rel.replace("\\n", "\n"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        let odd = std::ffi::OsStr::from_bytes(b"\xff.minisig");
        std::fs::write(root.join("signatures/a").join(odd), "x").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("signatures/a/L.minisig")).unwrap();
        std::os::unix::fs::symlink(root.join("signatures/a"), root.join("signatures/c")).unwrap();

        let mut walk_problems = Vec::new();
        let walked: Vec<String> = walk(root, Path::new("signatures"), usize::MAX, &mut walk_problems)
            .into_iter()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let mut problems = Vec::new();
        let keep = |rel: &str| Some(rel.ends_with(".minisig"));
        let files = walk_files(root, "signatures", &mut problems, &keep);
        let paths: Vec<&str> = files.iter().map(|(rel, _)| rel.as_str()).collect();
        assert_eq!(paths, walked);
        assert_eq!(
            paths,
            [
                "signatures/a/K1.minisig",
                "signatures/a/b/K4.minisig",
                "signatures/a-b/K2.minisig",
                "signatures/a.b/K3.minisig",
                "signatures/keys/K1.pub",
                "signatures/z.minisig",
            ]
        );
        assert!(files
            .iter()
            .all(|(rel, stat)| stat.is_some() == rel.ends_with(".minisig")));
        let shown = |d: &[Diagnostic]| {
            let mut d: Vec<String> = d.iter().map(|d| d.to_string()).collect();
            d.sort();
            d
        };
        assert_eq!(shown(&problems), shown(&walk_problems));
        assert_eq!(problems.len(), 4, "{:?}", shown(&problems));
    }

    #[test]
    fn refuses_control_characters_in_names() {
        assert!(name_problem(Path::new("content/pages/x\n::warning::y.md")).is_some());
        assert!(name_problem(Path::new("content/pages/été.md")).is_none());
    }
}
