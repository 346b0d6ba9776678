//! The git side of the gate: which revisions are compared, which files the change touches
//! (and the first line it changes in each), and revisions written out to temporary folders so
//! that the loader reads them exactly as it reads any site.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Component, Path};

use anyhow::{anyhow, bail, Context as _};
use git2::{Delta, DiffOptions, ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

/// What to do when a revision is missing: the usual cause is a shallow or partial clone.
pub const FETCH_HINT: &str =
    "fetch the whole history: `git fetch --unshallow origin` (in GitHub Actions: actions/checkout with `fetch-depth: 0`)";

/// What pnyx itself writes into a site (the output, the cache, the build folders and lock file
/// beside the output): part of a change only as far as git tracks it.
const OWN_OUTPUT: [&str; 3] = [".pnyx-cache/", "public/", ".public."];

/// What pnyx reads from a site's work tree, ignored by git or not: an ignored file there is
/// still part of the change.
const READ: [&str; 6] = [
    "content/",
    "signatures/",
    "static/",
    "themes/",
    "pnyx.yaml",
    "roles.yaml",
];

/// The repository around a site.
pub struct Repo {
    /// The repository.
    pub repo: Repository,
    /// The site's folder inside the work tree, `/`-separated, empty at the top.
    pub prefix: String,
}

/// A named revision.
#[derive(Debug, Clone)]
pub struct Revision {
    /// As the user named it (`origin/main`), or as found (`refs/remotes/origin/main`).
    pub name: String,
    /// Its commit.
    pub id: Oid,
}

impl Revision {
    /// `origin/main (1a2b3c4)`.
    pub fn label(&self) -> String {
        let id = self.id.to_string();
        format!("{} ({})", self.name, &id[..7.min(id.len())])
    }
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// New in the head.
    Added,
    /// Changed.
    Modified,
    /// Gone from the head.
    Deleted,
}

impl Status {
    /// `added`, `modified`, `deleted`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Modified => "modified",
            Status::Deleted => "deleted",
        }
    }
}

/// A file the change touches, from the repository root.
#[derive(Debug, Clone)]
pub struct RawChange {
    /// Path from the repository root, `/`-separated.
    pub path: String,
    /// What happened to it.
    pub status: Status,
    /// The first changed line in the head (1 for a new, deleted or binary file).
    pub line: usize,
    /// The head's version is a symbolic link (git mode 120000): refused by the gate.
    pub link: bool,
    /// The name is not UTF-8 (`path` shows it lossily): refused by the gate.
    pub raw_name: bool,
}

/// Whether the name of a file in a diff is not UTF-8.
fn raw_name(file: &git2::DiffFile<'_>) -> bool {
    file.path_bytes().is_some_and(|b| std::str::from_utf8(b).is_err())
}

/// Opens the repository around `root`; refuses a shallow clone, whose history would date
/// statements wrongly.
pub fn open(root: &Path) -> anyhow::Result<Repo> {
    let repo = Repository::discover(root).map_err(|_| {
        anyhow!(
            "{} is not in a git repository: pnyx check compares two revisions of the site's repository",
            root.display()
        )
    })?;
    if repo.is_shallow() {
        bail!("the repository is a shallow clone, so the dates of signatures cannot be known; {FETCH_HINT}");
    }
    let workdir = repo
        .workdir()
        .ok_or_else(|| {
            anyhow!("the repository has no work tree (a bare repository): check out the site first")
        })?
        .to_path_buf();
    let prefix = crate::load::history::site_prefix(&workdir, root)?;
    Ok(Repo { repo, prefix })
}

/// Finds `rev` (a branch, a tag, a commit, `origin/main`, `HEAD~2`…); a branch that exists only
/// as `origin/<rev>` (as in a CI checkout) is found too.
pub fn resolve(repo: &Repository, rev: &str) -> anyhow::Result<Revision> {
    let found = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| (rev.to_string(), c.id()))
        .or_else(|_| {
            let remote = format!("refs/remotes/origin/{rev}");
            repo.find_reference(&remote)
                .and_then(|r| r.peel_to_commit())
                .map(|c| (format!("origin/{rev}"), c.id()))
        });
    match found {
        Ok((name, id)) => Ok(Revision { name, id }),
        Err(_) => bail!(
            "cannot find the revision `{rev}` in the repository: name an existing branch, tag or commit, or {FETCH_HINT}"
        ),
    }
}

/// The branch of `pnyx.yaml`: local, else `origin/<branch>` (a CI checkout has no local one).
pub fn default_base(repo: &Repository, branch: &str) -> anyhow::Result<Revision> {
    for (name, reference) in [
        (branch.to_string(), format!("refs/heads/{branch}")),
        (
            format!("origin/{branch}"),
            format!("refs/remotes/origin/{branch}"),
        ),
    ] {
        if let Ok(c) = repo.find_reference(&reference).and_then(|r| r.peel_to_commit()) {
            return Ok(Revision { name, id: c.id() });
        }
    }
    bail!(
        "cannot find the branch `{branch}` (`branch:` in pnyx.yaml), neither as refs/heads/{branch} nor as refs/remotes/origin/{branch}: pass `--base REV`, or {FETCH_HINT}"
    )
}

/// The commit checked out, if any.
pub fn head_commit(repo: &Repository) -> Option<Oid> {
    repo.head().ok()?.peel_to_commit().ok().map(|c| c.id())
}

/// Where the head's branch forked from `base`: a branch that is behind its base is judged on
/// what it changes, not on what happened on the base since (`git diff base...head`).
pub fn fork_point(repo: &Repository, base: Oid, head: Oid) -> Oid {
    repo.merge_base(base, head).unwrap_or(base)
}

/// The files that differ between commit `base` and commit `head`, or the work tree when
/// `head` is `None`: there, every file on disk counts, untracked or ignored, that pnyx reads
/// ([`READ`]) or that git tracks (even an ignored one, force-added or ignored by a
/// `.gitignore` the change brings), and pnyx's own output ([`OWN_OUTPUT`]) only as far as git
/// tracks it.
pub fn changes(
    repo: &Repository,
    base: Oid,
    head: Option<Oid>,
    prefix: &str,
) -> anyhow::Result<Vec<RawChange>> {
    let base_tree = repo
        .find_commit(base)
        .and_then(|c| c.tree())
        .context("cannot read the base revision")?;
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_typechange(true);
    let diff = match head {
        Some(id) => {
            let tree = repo
                .find_commit(id)
                .and_then(|c| c.tree())
                .context("cannot read the head revision")?;
            repo.diff_tree_to_tree(Some(&base_tree), Some(&tree), Some(&mut opts))
        }
        None => repo.diff_tree_to_workdir(Some(&base_tree), Some(&mut opts)),
    }
    .context("cannot compare the revisions")?;
    let in_site = |path: &str| -> Option<String> {
        if prefix.is_empty() {
            Some(path.to_string())
        } else {
            path.strip_prefix(prefix)
                .and_then(|p| p.strip_prefix('/'))
                .map(String::from)
        }
    };
    let own = |path: &str| in_site(path).is_some_and(|p| OWN_OUTPUT.iter().any(|o| p.starts_with(o)));
    // In the work tree, pnyx's own output is judged from the index below: every build and
    // check rewrites it on disk, and only what git tracks of it can be in a change.
    let mut out = listed(&diff, |path| head.is_some() || !own(path))?;
    if head.is_none() {
        let mut seen: BTreeSet<String> = out.iter().map(|c| c.path.clone()).collect();
        // A new file, once (whole files: their first line).
        let add = |seen: &mut BTreeSet<String>,
                   out: &mut Vec<RawChange>,
                   path: String,
                   status: Status,
                   raw_name: bool| {
            if seen.insert(path.clone()) {
                out.push(RawChange {
                    path,
                    status,
                    line: 1,
                    link: false,
                    raw_name,
                });
            }
        };
        // Ignored files that pnyx reads. Each path bounds the walk: ignored folders elsewhere
        // (`target/`) are not visited.
        let site = |p: &str| {
            let p = p.trim_end_matches('/');
            if prefix.is_empty() {
                p.to_string()
            } else {
                format!("{prefix}/{p}")
            }
        };
        let mut ignored = DiffOptions::new();
        ignored
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(true)
            .recurse_ignored_dirs(true)
            .disable_pathspec_match(true)
            .skip_binary_check(true);
        for p in READ {
            ignored.pathspec(site(p));
        }
        let diff = repo
            .diff_tree_to_workdir(Some(&base_tree), Some(&mut ignored))
            .context("cannot compare the revisions")?;
        for d in diff.deltas().filter(|d| d.status() == Delta::Ignored) {
            if let Some(path) = d.new_file().path() {
                let path = path.to_string_lossy().replace('\\', "/");
                if !path.ends_with('/') {
                    add(&mut seen, &mut out, path, Status::Added, raw_name(&d.new_file()));
                }
            }
        }
        // What git tracks and the diffs above missed: files ignored but force-added (or
        // ignored by a `.gitignore` the change brings), and pnyx's own output.
        let index = repo.index().context("cannot read the repository's index")?;
        let workdir = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
        let staged = repo
            .diff_tree_to_index(Some(&base_tree), Some(&index), None)
            .context("cannot compare the revisions")?;
        for d in staged.deltas() {
            let file = if d.status() == Delta::Deleted {
                d.old_file()
            } else {
                d.new_file()
            };
            let Some(path) = file.path().map(|p| p.to_string_lossy().replace('\\', "/")) else {
                continue;
            };
            let status = match d.status() {
                Delta::Added => Status::Added,
                Delta::Deleted => Status::Deleted,
                _ => Status::Modified,
            };
            // Pnyx's own output as git tracks it; anything else only when new and on disk
            // (a file in the base was compared with the disk above).
            let new_on_disk =
                || status == Status::Added && std::fs::symlink_metadata(workdir.join(&path)).is_ok();
            if own(&path) || new_on_disk() {
                add(&mut seen, &mut out, path, status, raw_name(&file));
            }
        }
        // On disk, a link is what the file system says, whatever git last recorded.
        for c in out.iter_mut().filter(|c| c.status != Status::Deleted) {
            c.link |= crate::load::names::is_link(&workdir.join(&c.path));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The files of `diff` that `keep(path)` keeps, each with its status and first changed line;
/// unmodified and ignored entries are not listed.
fn listed(diff: &git2::Diff<'_>, keep: impl Fn(&str) -> bool) -> anyhow::Result<Vec<RawChange>> {
    // The first hunk of each modified file gives its line; `waiting` is the file that waits
    // for it (none for a skipped file, so it cannot take another file's hunks).
    struct State {
        out: Vec<RawChange>,
        waiting: Option<usize>,
    }
    let state = RefCell::new(State {
        out: Vec::new(),
        waiting: None,
    });
    diff.foreach(
        &mut |delta, _| {
            let mut st = state.borrow_mut();
            st.waiting = None;
            let (status, file) = match delta.status() {
                Delta::Added | Delta::Untracked => (Status::Added, delta.new_file()),
                Delta::Deleted => (Status::Deleted, delta.old_file()),
                Delta::Unmodified | Delta::Ignored => return true,
                _ => (Status::Modified, delta.new_file()),
            };
            let Some(path) = file.path().map(|p| p.to_string_lossy().replace('\\', "/")) else {
                return true;
            };
            if !keep(&path) {
                return true;
            }
            if status == Status::Modified {
                st.waiting = Some(st.out.len());
            }
            st.out.push(RawChange {
                path,
                status,
                line: 1,
                link: status != Status::Deleted && file.mode() == git2::FileMode::Link,
                raw_name: raw_name(&file),
            });
            true
        },
        None,
        Some(&mut |_, hunk| {
            let mut st = state.borrow_mut();
            if let Some(i) = st.waiting.take() {
                st.out[i].line = (hunk.new_start() as usize).max(1);
            }
            true
        }),
        None,
    )
    .context("cannot compare the revisions")?;
    Ok(state.into_inner().out)
}

/// Writes the site folder `prefix` of commit `id` into `dest`, byte for byte (no line-ending
/// conversion: statements sign exact bytes). Symbolic links and submodules are skipped.
pub fn write_tree(repo: &Repository, id: Oid, prefix: &str, dest: &Path) -> anyhow::Result<()> {
    let tree = repo
        .find_commit(id)
        .and_then(|c| c.tree())
        .context("cannot read the revision's files")?;
    let tree = if prefix.is_empty() {
        tree
    } else {
        let entry = tree
            .get_path(Path::new(prefix))
            .with_context(|| format!("the revision has no folder `{prefix}`"))?;
        repo.find_tree(entry.id())
            .with_context(|| format!("`{prefix}` is not a folder in the revision"))?
    };
    let mut failure: Option<anyhow::Error> = None;
    let walked = tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
            return TreeWalkResult::Ok;
        }
        let Ok(name) = entry.name() else {
            return TreeWalkResult::Ok;
        };
        let rel = format!("{dir}{name}");
        let result = (|| -> anyhow::Result<()> {
            let path = Path::new(&rel);
            if !path
                .components()
                .all(|c| matches!(c, Component::Normal(n) if n != ".git"))
            {
                bail!("the revision holds a file with an unsafe name: `{rel}`");
            }
            let blob = repo.find_blob(entry.id())?;
            let target = dest.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, blob.content())?;
            Ok(())
        })();
        match result {
            Ok(()) => TreeWalkResult::Ok,
            Err(e) => {
                failure = Some(e.context(format!("cannot write `{rel}` to a temporary folder")));
                TreeWalkResult::Abort
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    walked.context("cannot read the revision's files")?;
    Ok(())
}
