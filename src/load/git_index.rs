//! Which files of the working tree git's index already knows: their blob ids, without reading
//! them.
//!
//! git's index records, for every tracked file, its blob id and the file's stat data when git
//! last read it (times to the nanosecond, inode, owner, size). A file whose stat data are still
//! the same has the same bytes: that is how `git status` avoids reading a million files, and
//! pnyx trusts it for the same reason. As git does, an entry is not trusted when the file was
//! modified in the same instant as the index was written ("racy git": a later change within
//! that instant would not show in the times), nor when it is a conflict, a symbolic link,
//! marked intent-to-add or skip-worktree. A file in doubt is simply read.
//!
//! In CI, every build starts from a fresh checkout: its index, written by the checkout, knows
//! every file, which stat data of pnyx's own could not.

use std::fs::Metadata;
use std::path::Path;

use git2::{IndexEntry, IndexTime, Oid, Repository};

/// The entries of git's index under a site, by path from the site's root.
#[derive(Debug, Default)]
pub struct GitIndex {
    /// Sorted by path, as git sorts them.
    entries: Vec<(String, Stat, Oid)>,
    /// When the index file was written (seconds, nanoseconds).
    written: (i64, u32),
}

/// What git compares of a file's stat data, truncated to 32 bits as the index stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    ctime: (u32, u32),
    mtime: (u32, u32),
    ino: u32,
    uid: u32,
    gid: u32,
    size: u32,
}

/// `S_IFMT` and `S_IFREG`: an entry for a regular file.
const FILE_TYPE: u32 = 0o170_000;
const REGULAR: u32 = 0o100_000;
/// Extended flags of an entry git does not vouch for: intent-to-add, skip-worktree.
const DOUBTFUL: u16 = (1 << 13) | (1 << 14);

impl GitIndex {
    /// The index of the repository around the site at `root`, keeping the entries whose path
    /// from the site's root `wanted` accepts; `None` outside a repository or when the index
    /// cannot be read. Whether git tracks pnyx's caches is answered from the same reading
    /// ([`crate::sealed::read_index`]).
    pub fn read(root: &Path, wanted: impl Fn(&str) -> bool) -> Option<GitIndex> {
        let repo = Repository::discover(root).ok()?;
        let prefix = crate::sealed::site_prefix(repo.workdir()?, root).ok()?;
        let index = crate::sealed::read_index(root, &repo)?;
        let written = std::fs::metadata(repo.path().join("index"))
            .ok()
            .map(|m| modified(&m))?;
        let lead = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        let entries = index
            .iter()
            .filter_map(|e| {
                let trusted = e.mode & FILE_TYPE == REGULAR
                    && (e.flags >> 12) & 3 == 0
                    && e.flags_extended & DOUBTFUL == 0
                    && e.path.starts_with(lead.as_bytes());
                if !trusted {
                    return None;
                }
                let (stat, id) = (Stat::of_entry(&e), e.id);
                // The entry's own copy of its path becomes the kept one: a city has a million.
                let mut path = String::from_utf8(e.path).ok()?;
                path.drain(..lead.len());
                wanted(&path).then_some((path, stat, id))
            })
            .collect();
        Some(GitIndex { entries, written })
    }

    /// The blob id of the file at `rel` (from the site's root) whose metadata (not following
    /// links) are `file`, when the index vouches for it.
    pub fn unchanged(&self, rel: &str, file: &FileStat) -> Option<Oid> {
        self.unchanged_after(rel, file, &mut 0)
    }

    /// [`GitIndex::unchanged`] for files asked for in the index's order, mostly: `next` is
    /// where the entry after the last one found is, and the search starts there (a city's
    /// million lookups then compare one path each, not twenty).
    pub fn unchanged_after(&self, rel: &str, file: &FileStat, next: &mut usize) -> Option<Oid> {
        let i = match self.entries.get(*next) {
            Some((path, ..)) if path == rel => *next,
            _ => self
                .entries
                .binary_search_by(|(path, ..)| path.as_str().cmp(rel))
                .ok()?,
        };
        *next = i + 1;
        let (_, recorded, id) = &self.entries[i];
        let now = file.stat?;
        // Modified in the instant the index was written: a later change in that instant would
        // leave the same times.
        let racy = (i64::from(recorded.mtime.0), recorded.mtime.1) >= self.written;
        (now == *recorded && !racy && file.regular).then_some(*id)
    }

    /// How many entries it keeps.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it keeps none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What the load keeps of a file's metadata (not following links), taken as its folder is
/// walked ([`super::names::walk_files`]): a million of them are held at once, so not the whole
/// `Metadata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// What git's index compares; `None` where the system does not tell it all.
    stat: Option<Stat>,
    /// Its length in bytes.
    pub len: u64,
    /// Whether it is a regular file.
    regular: bool,
}

impl FileStat {
    /// What the load keeps of `meta`.
    pub fn of(meta: &Metadata) -> FileStat {
        FileStat {
            stat: Stat::of_file(meta),
            len: meta.len(),
            regular: meta.file_type().is_file(),
        }
    }
}

impl Stat {
    fn of_entry(e: &IndexEntry) -> Stat {
        let t = |t: IndexTime| (t.seconds() as u32, t.nanoseconds());
        Stat {
            ctime: t(e.ctime),
            mtime: t(e.mtime),
            ino: e.ino,
            uid: e.uid,
            gid: e.gid,
            size: e.file_size,
        }
    }

    #[cfg(unix)]
    fn of_file(m: &Metadata) -> Option<Stat> {
        use std::os::unix::fs::MetadataExt as _;
        Some(Stat {
            ctime: (m.ctime() as u32, m.ctime_nsec() as u32),
            mtime: (m.mtime() as u32, m.mtime_nsec() as u32),
            ino: m.ino() as u32,
            uid: m.uid(),
            gid: m.gid(),
            size: m.size() as u32,
        })
    }

    /// Elsewhere the stat data git records are not all known: every file is read.
    #[cfg(not(unix))]
    fn of_file(_m: &Metadata) -> Option<Stat> {
        None
    }
}

/// A file's modification time (seconds, nanoseconds).
fn modified(m: &Metadata) -> (i64, u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        (m.mtime(), m.mtime_nsec() as u32)
    }
    #[cfg(not(unix))]
    {
        let t = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .unwrap_or_default();
        (t.as_secs() as i64, t.subsec_nanos())
    }
}

/// Whether a path from the site's root is a statement file (what the index is read for).
pub fn is_statement(rel: &str) -> bool {
    rel.ends_with(".minisig")
        && (rel.starts_with("content/")
            || (rel.starts_with("signatures/") && !rel.starts_with("signatures/keys/")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const REL: &str = "signatures/initiatives/a/K.minisig";

    /// A repository whose index holds `REL` (and a key file), written a moment after the files.
    fn site() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        for (rel, text) in [(REL, "statement"), ("signatures/keys/K.pub", "key")] {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
        let mut index = repo.index().unwrap();
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
        index.write().unwrap();
        let path = dir.path().join(REL);
        (dir, path)
    }

    fn unchanged(dir: &tempfile::TempDir, path: &Path) -> Option<Oid> {
        let index = GitIndex::read(dir.path(), is_statement).unwrap();
        assert_eq!(index.len(), 1, "only statements are kept");
        index.unchanged(REL, &FileStat::of(&std::fs::symlink_metadata(path).unwrap()))
    }

    #[cfg(unix)]
    #[test]
    fn the_index_vouches_only_for_files_whose_stat_data_are_unchanged_and_not_racy() {
        let (dir, path) = site();
        assert_eq!(
            unchanged(&dir, &path),
            Some(Oid::hash_object(git2::ObjectType::Blob, b"statement").unwrap())
        );

        // The same size, and the modification time put back: the change time differs.
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, "statemenT").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert_eq!(unchanged(&dir, &path), None, "changed in place, time put back");

        // Racily clean: the index written in the instant the file was last modified (a later
        // change in that instant would leave the same times).
        let (dir, path) = site();
        let file_time = std::fs::metadata(&path).unwrap().modified().unwrap();
        let index_file = Repository::open(dir.path()).unwrap().path().join("index");
        std::fs::File::options()
            .write(true)
            .open(&index_file)
            .unwrap()
            .set_modified(file_time)
            .unwrap();
        assert_eq!(unchanged(&dir, &path), None, "racily clean");

        // A symbolic link in place of the file is never vouched for.
        let (dir, path) = site();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", &path).unwrap();
        assert_eq!(unchanged(&dir, &path), None, "a link");
    }
}
