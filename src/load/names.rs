//! Which files pnyx agrees to read: names without control characters, in UTF-8, and no
//! symbolic links.
//!
//! A name is printed in logs and in the gate's output, where a newline could forge a line
//! (a GitHub workflow command); a link can publish a file from outside the site, or one the
//! moderators never saw in the change. Every link is refused, even one that stays inside the
//! site: checking where it leads is harder to get right than asking for the file itself.

use std::path::{Path, PathBuf};

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
    let named = entry
        .file_name()
        .to_str()
        .is_some_and(|name| !name.chars().any(char::is_control));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_control_characters() {
        assert_eq!(visible("a\nb\r\u{1b}"), "a\\u{a}b\\u{d}\\u{1b}");
        assert_eq!(visible("été"), "été");
    }

    #[test]
    fn refuses_control_characters_in_names() {
        assert!(name_problem(Path::new("content/pages/x\n::warning::y.md")).is_some());
        assert!(name_problem(Path::new("content/pages/été.md")).is_none());
    }
}
