//! Git history, read with git2: when each version of each file arrived on the configured
//! branch. Signed statements take their time from here (SPEC §4), and items their history.
//!
//! Only the first-parent history counts: a statement merged on `main` arrives with the merge
//! commit, whatever the dates of the side branch. The walk compares each commit's tree with
//! its first parent's and skips equal subtrees by object id, so its cost follows what
//! changed, not the size of the tree. No rename detection: a moved file is a new file.
//!
//! Dates never go back (SPEC §4 "Integrity"): anyone who pushes can write any committer date,
//! so a commit dated before its parent takes its parent's date, and one dated after the
//! build's reference time takes that time. Both dates are kept, and the corrections reported.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context as _};
use git2::{ObjectType, Oid, Repository, Tree};
use rayon::prelude::*;

/// One commit of the first-parent history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Commit id.
    pub id: Oid,
    /// Settled time, seconds since the epoch: the committer time, but never before the
    /// parent's settled time nor after the reference time. Everything dates by this one.
    pub time: i64,
    /// Committer time as written in the commit.
    pub recorded: i64,
    /// First line of the message.
    pub summary: String,
    /// Author's name.
    pub author: String,
    /// Whether the commit carries a signature (GPG, SSH…); not verified here.
    pub signed: bool,
}

impl CommitInfo {
    /// Why its recorded date was not kept, if it was not.
    pub fn correction(&self) -> Option<Correction> {
        match self.recorded.cmp(&self.time) {
            std::cmp::Ordering::Less => Some(Correction::BeforeParent),
            std::cmp::Ordering::Greater => Some(Correction::AfterReference),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// `1a2b3c4`.
    pub fn short_id(&self) -> String {
        short(self.id)
    }

    /// The build's note on a corrected commit, without the `note: ` prefix.
    pub fn correction_note(&self) -> Option<String> {
        let why = self.correction()?;
        let advice = match why {
            Correction::BeforeParent => {
                "whoever pushes sets the date: protect the branch against direct pushes (pnyx's docs/moderation.md, \"Trust model\")"
            }
            Correction::AfterReference => {
                "the committer's clock was ahead, or SOURCE_DATE_EPOCH is earlier than the branch's last commit"
            }
        };
        Some(format!(
            "commit {} (\"{}\") is dated {}, {} ({}): its files count from {}; {advice}",
            self.short_id(),
            self.summary,
            utc(self.recorded),
            why.words(),
            utc(self.time),
            utc(self.time),
        ))
    }
}

/// Why a commit's recorded date was replaced by its settled date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// Dated before its parent: it takes the parent's settled date.
    BeforeParent,
    /// Dated after the build's reference time: it takes that time.
    AfterReference,
}

impl Correction {
    /// `before its parent`, `after the reference time`.
    pub fn words(self) -> &'static str {
        match self {
            Correction::BeforeParent => "before its parent",
            Correction::AfterReference => "after the reference time",
        }
    }
}

/// `2026-10-05 12:00:00 UTC`: dates in notes and in the gate's messages.
pub fn utc(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("{ts} seconds after 1970"))
}

fn short(id: Oid) -> String {
    let id = id.to_string();
    id[..7.min(id.len())].to_string()
}

/// One version of a file: its blob, and the commit that brought it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// Git blob id of the file's bytes.
    pub blob: Oid,
    /// Index into [`History::commits`].
    pub commit: usize,
}

/// The history of the files under the watched folders, oldest first.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Commits of the first-parent history, oldest first.
    pub commits: Vec<CommitInfo>,
    /// Path from the site root (`content/initiatives/x.md`) → its successive versions, one
    /// per commit that changed it (a blob appears again when a file is put back as it was).
    pub files: HashMap<String, Vec<Version>>,
    /// Which reference was read (`refs/heads/main`).
    pub reference: String,
    /// The repository's git folder, where earlier versions of files are read.
    pub git_dir: Option<std::path::PathBuf>,
}

impl History {
    /// The commit that first brought `blob` at `path`, if it is in the history: a text put
    /// back as it was keeps the date it first arrived.
    pub fn arrival(&self, path: &str, blob: Oid) -> Option<&CommitInfo> {
        let v = self.files.get(path)?.iter().find(|v| v.blob == blob)?;
        self.commits.get(v.commit)
    }

    /// Every version of `path`, oldest first.
    pub fn versions(&self, path: &str) -> &[Version] {
        self.files.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The commits whose recorded date was not kept, oldest first, and why.
    pub fn corrections(&self) -> impl Iterator<Item = (&CommitInfo, Correction)> {
        self.commits
            .iter()
            .filter_map(|c| c.correction().map(|why| (c, why)))
    }

    /// One note per corrected commit, as `pnyx build` and `pnyx check` print them.
    pub fn correction_notes(&self) -> Vec<String> {
        self.commits
            .iter()
            .filter_map(CommitInfo::correction_note)
            .collect()
    }
}

/// A blob's bytes, `None` past the size limit, or git's error.
pub type BlobRead = Result<Option<Vec<u8>>, String>;

/// Reads the bytes of `blobs` from the repository of the site at `root`, in parallel, in the
/// order given. Each thread opens its own handle: a git2 repository cannot be shared. A blob
/// larger than `limit` bytes is not read: `Ok(None)`.
pub fn read_blobs(root: &Path, blobs: &[Oid], limit: u64) -> Vec<(Oid, BlobRead)> {
    blobs
        .par_iter()
        .map_init(
            || Repository::discover(root).map_err(|e| e.message().to_string()),
            |repo, &id| {
                let bytes = match repo {
                    Ok(repo) => blob_within(repo, id, limit).map_err(|e| e.message().to_string()),
                    Err(e) => Err(e.clone()),
                };
                (id, bytes)
            },
        )
        .collect()
}

/// The bytes of one blob, or `None` when it is larger than `limit`: its size is read from
/// the object's header first, so that a huge version in the history costs nothing.
pub fn blob_within(repo: &Repository, id: Oid, limit: u64) -> Result<Option<Vec<u8>>, git2::Error> {
    let (size, _) = repo.odb()?.read_header(id)?;
    if size as u64 > limit {
        return Ok(None);
    }
    repo.find_blob(id).map(|b| Some(b.content().to_vec()))
}

/// The git blob id of `bytes`, as git would store the file.
pub fn blob_id(bytes: &[u8]) -> Oid {
    Oid::hash_object(ObjectType::Blob, bytes).unwrap_or(Oid::ZERO_SHA1)
}

/// A branch to read, and the reference time its dates are settled against.
#[derive(Debug, Clone, Copy)]
pub struct BranchAt<'a> {
    /// Its name, as in `pnyx.yaml` (`main`).
    pub name: &'a str,
    /// The build's reference time, seconds since the epoch: no commit counts as later.
    pub now: i64,
}

/// Reads the history of `folders` (e.g. `["content", "signatures"]`) on `branch` for the site
/// at `root`, with dates settled against `branch.now`.
///
/// Returns `Ok(None)` outside a git repository or in one without commits. A shallow clone is
/// an error: every statement would seem to arrive with its last commit.
pub fn read(root: &Path, branch: BranchAt<'_>, folders: &[&str]) -> anyhow::Result<Option<History>> {
    let Some(branch_tip) = locate(root, branch)? else {
        return Ok(None);
    };
    let BranchTip {
        repo,
        prefix,
        reference,
        tip,
    } = branch_tip;
    walk(&repo, reference, tip, &prefix, folders, branch.now, None).map(Some)
}

/// Where a branch's history is: the repository, the site's folder in it, the branch's tip.
pub struct BranchTip {
    /// The repository around the site.
    pub repo: Repository,
    /// The site's folder in it (see [`site_prefix`]).
    pub prefix: String,
    /// The reference read (`refs/heads/main`).
    pub reference: String,
    /// Its commit.
    pub tip: Oid,
}

/// The repository and tip of `branch` for the site at `root`; `Ok(None)` outside a git
/// repository or in one without commits. A shallow clone is an error: every statement would
/// seem to arrive with its last commit.
pub fn locate(root: &Path, branch: BranchAt<'_>) -> anyhow::Result<Option<BranchTip>> {
    let repo = match Repository::discover(root) {
        Ok(r) => r,
        Err(_) => return Ok(None),
    };
    if repo.is_shallow() {
        bail!(
            "the repository is a shallow clone, so the dates of signatures cannot be known; run `git fetch --unshallow` (in GitHub Actions: actions/checkout with `fetch-depth: 0`)"
        );
    }
    let Some(workdir) = repo.workdir() else {
        return Ok(None);
    };
    let prefix = site_prefix(workdir, root)?;
    let Some((reference, tip)) = find_tip(&repo, branch.name) else {
        return Ok(None);
    };
    Ok(Some(BranchTip {
        repo,
        prefix,
        reference,
        tip,
    }))
}

/// Reads the history of `folders` on the first-parent history of commit `tip` (called
/// `reference`), for the site at `prefix` in the repository (see [`site_prefix`]), with dates
/// settled against `now`. `pnyx check` reads it at the revision it compares with, whatever the
/// branches are called.
pub fn read_commit(
    repo: &Repository,
    reference: String,
    tip: Oid,
    prefix: &str,
    folders: &[&str],
    now: i64,
) -> anyhow::Result<History> {
    walk(repo, reference, tip, prefix, folders, now, None)
}

/// The walk of [`read_commit`], resuming `earlier` (a walk of the same folders) from its last
/// commit that is on `tip`'s first-parent chain: only the commits after it are read. A commit's
/// first-parent chain is that of its parent and itself, so the earlier walk up to that commit
/// is the walk of the same commits. A branch that grew resumes from its last walked commit; a
/// branch rewritten after its N-th commit, or moved back, from that commit; one with no commit
/// in common is walked from its first commit.
pub fn walk(
    repo: &Repository,
    reference: String,
    tip: Oid,
    prefix: &str,
    folders: &[&str],
    now: i64,
    earlier: Option<History>,
) -> anyhow::Result<History> {
    // Where each commit of the earlier walk stands in it.
    let known: HashMap<Oid, usize> = earlier
        .iter()
        .flat_map(|h| h.commits.iter().enumerate().map(|(i, c)| (c.id, i)))
        .collect();
    let mut chain = Vec::new();
    let mut cur = Some(
        repo.find_commit(tip)
            .context("cannot read the branch's last commit")?,
    );
    let mut shared = None;
    while let Some(c) = cur {
        if let Some(&at) = known.get(&c.id()) {
            shared = Some((at, c.id()));
            break;
        }
        cur = c.parents().next();
        chain.push(c);
    }
    chain.reverse();
    let (mut history, mut previous) = match (shared, earlier) {
        (Some((at, id)), Some(earlier)) => {
            let tree = repo
                .find_commit(id)
                .and_then(|c| c.tree())
                .context("cannot read a commit's tree")?;
            (truncated(earlier, at), subtree(repo, &tree, prefix))
        }
        _ => (History::default(), None),
    };
    history.reference = reference;
    history.git_dir = Some(repo.path().to_path_buf());
    // The dates of the commits walked before are settled again: the reference time may differ.
    let mut parent_time = i64::MIN;
    for c in &mut history.commits {
        c.time = settle(c.recorded, parent_time, now);
        parent_time = c.time;
    }
    for commit in &chain {
        let index = history.commits.len();
        let recorded = commit.time().seconds();
        let time = settle(recorded, parent_time, now);
        parent_time = time;
        history.commits.push(CommitInfo {
            id: commit.id(),
            time,
            recorded,
            summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            author: commit.author().name().unwrap_or("").to_string(),
            signed: repo.extract_signature(&commit.id(), None).is_ok(),
        });
        let tree = commit.tree().context("cannot read a commit's tree")?;
        let site = subtree(repo, &tree, prefix);
        for folder in folders {
            let new = site.as_ref().and_then(|t| subtree(repo, t, folder));
            let old = previous.as_ref().and_then(|t| subtree(repo, t, folder));
            if let Some(new) = new {
                if old.as_ref().map(|o| o.id()) != Some(new.id()) {
                    record(repo, old.as_ref(), &new, folder, index, &mut history.files)?;
                }
            }
        }
        previous = site;
    }
    Ok(history)
}

/// The walk `history` cut after its commit `last`: what walking only up to it records, since
/// a commit's versions are recorded with its index and never depend on later commits.
fn truncated(mut history: History, last: usize) -> History {
    history.commits.truncate(last + 1);
    history.files.retain(|_, versions| {
        versions.retain(|v| v.commit <= last);
        !versions.is_empty()
    });
    history
}

/// The settled date of a commit recorded at `recorded` whose parent settled at `parent` (itself
/// never after `now`): not before the parent, not after `now`.
fn settle(recorded: i64, parent: i64, now: i64) -> i64 {
    recorded.min(now).max(parent)
}

/// A commit of a change dated before one of its parents (`pnyx check` refuses it).
#[derive(Debug, Clone)]
pub struct Backdated {
    /// The commit.
    pub id: Oid,
    /// First line of its message.
    pub summary: String,
    /// Its committer time.
    pub time: i64,
    /// The latest of its parents.
    pub parent: Oid,
    /// That parent's committer time.
    pub parent_time: i64,
}

impl Backdated {
    /// `1a2b3c4`.
    pub fn short_id(&self) -> String {
        short(self.id)
    }

    /// The parent's `1a2b3c4`.
    pub fn parent_short_id(&self) -> String {
        short(self.parent)
    }
}

/// The commits reachable from `head` and from none of `hidden` whose committer time is before
/// one of their parents', newest first: once merged by fast-forward or rebase they would land
/// on the branch backdated.
pub fn backdated(repo: &Repository, head: Oid, hidden: &[Oid]) -> anyhow::Result<Vec<Backdated>> {
    let mut walk = repo.revwalk().context("cannot walk the change's commits")?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL)?;
    walk.push(head).context("cannot walk the change's commits")?;
    for id in hidden {
        walk.hide(*id).context("cannot walk the change's commits")?;
    }
    let mut out = Vec::new();
    for id in walk {
        let commit = repo
            .find_commit(id.context("cannot walk the change's commits")?)
            .context("cannot read a commit of the change")?;
        let time = commit.time().seconds();
        let latest = commit.parents().max_by_key(|p| p.time().seconds());
        if let Some(p) = latest.filter(|p| p.time().seconds() > time) {
            out.push(Backdated {
                id: commit.id(),
                summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
                time,
                parent: p.id(),
                parent_time: p.time().seconds(),
            });
        }
    }
    Ok(out)
}

pub use crate::sealed::site_prefix;

/// The branch's tip: the local branch, else the remote one, else HEAD.
fn find_tip(repo: &Repository, branch: &str) -> Option<(String, Oid)> {
    for name in [
        format!("refs/heads/{branch}"),
        format!("refs/remotes/origin/{branch}"),
        "HEAD".to_string(),
    ] {
        if let Ok(r) = repo.find_reference(&name) {
            if let Ok(c) = r.peel_to_commit() {
                return Some((name, c.id()));
            }
        }
    }
    None
}

/// The subtree at `path` (`""` is the tree itself).
fn subtree<'r>(repo: &'r Repository, tree: &Tree<'r>, path: &str) -> Option<Tree<'r>> {
    if path.is_empty() {
        return Some(tree.clone());
    }
    let entry = tree.get_path(Path::new(path)).ok()?;
    repo.find_tree(entry.id()).ok()
}

/// Records the blobs of `new` that differ from `old`, recursing only into changed subtrees.
fn record(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    path: &str,
    commit: usize,
    files: &mut HashMap<String, Vec<Version>>,
) -> anyhow::Result<()> {
    for entry in new.iter() {
        let Ok(name) = entry.name() else { continue };
        let old_entry = old.and_then(|o| o.get_name(name));
        if old_entry.as_ref().map(|e| e.id()) == Some(entry.id()) {
            continue;
        }
        let full = format!("{path}/{name}");
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let sub = repo.find_tree(entry.id())?;
                let old_sub = old_entry
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .and_then(|e| repo.find_tree(e.id()).ok());
                record(repo, old_sub.as_ref(), &sub, &full, commit, files)?;
            }
            Some(ObjectType::Blob) => {
                let versions = files.entry(full).or_default();
                // A file put back as it was is a new version of the file (its history page
                // shows the change), but its blob keeps its first arrival: see `arrival`. A
                // file deleted and added again unchanged is no new version.
                if versions.last().map(|v| v.blob) != Some(entry.id()) {
                    versions.push(Version {
                        blob: entry.id(),
                        commit,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Signature, Time};

    /// The reference time of these tests, after every commit unless a test says otherwise.
    const NOW: i64 = 100_000;

    fn main(now: i64) -> BranchAt<'static> {
        BranchAt { name: "main", now }
    }

    /// Writes `files` into the work tree and commits them at `time` on HEAD's branch.
    pub(crate) fn commit(repo: &Repository, files: &[(&str, &str)], time: i64, msg: &str) -> Oid {
        let root = repo.workdir().unwrap();
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let mut index = repo.index().unwrap();
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::new("Test", "test@example.org", &Time::new(time, 0)).unwrap();
        let parents: Vec<_> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
            .unwrap()
    }

    fn init() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        repo.set_head("refs/heads/main").unwrap();
        (dir, repo)
    }

    #[test]
    fn dates_each_version_by_its_first_commit() {
        let (dir, repo) = init();
        commit(&repo, &[("content/initiatives/a.md", "v1")], 1_000, "add a");
        commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "s1"), ("README", "x")],
            2_000,
            "sign a",
        );
        commit(&repo, &[("README", "y")], 3_000, "unrelated");
        commit(&repo, &[("content/initiatives/a.md", "v2")], 4_000, "edit a");
        let h = read(dir.path(), main(NOW), &["content", "signatures"])
            .unwrap()
            .unwrap();
        let v = h.versions("content/initiatives/a.md");
        assert_eq!(v.len(), 2);
        assert_eq!(h.commits[v[0].commit].time, 1_000);
        assert_eq!(h.commits[v[1].commit].time, 4_000);
        assert_eq!(
            h.arrival("signatures/initiatives/a/K.minisig", blob_id(b"s1"))
                .unwrap()
                .time,
            2_000
        );
        assert!(
            h.files.keys().all(|k| !k.starts_with("README")),
            "only watched folders"
        );
    }

    #[test]
    fn a_text_put_back_is_a_new_version_dated_by_its_first_arrival() {
        let (dir, repo) = init();
        commit(&repo, &[("content/pages/p.md", "v1")], 1_000, "one");
        commit(&repo, &[("content/pages/p.md", "v2")], 2_000, "two");
        commit(&repo, &[("content/pages/p.md", "v1")], 3_000, "back to one");
        let h = read(dir.path(), main(NOW), &["content"]).unwrap().unwrap();
        let v = h.versions("content/pages/p.md");
        assert_eq!(v.len(), 3);
        assert_eq!(v[2].blob, blob_id(b"v1"));
        assert_eq!(h.commits[v[2].commit].time, 3_000);
        assert_eq!(
            h.arrival("content/pages/p.md", blob_id(b"v1")).unwrap().time,
            1_000
        );
        let read: Vec<_> = read_blobs(dir.path(), &[v[1].blob, v[0].blob], u64::MAX)
            .into_iter()
            .map(|(_, b)| b.unwrap())
            .collect();
        assert_eq!(read, vec![Some(b"v2".to_vec()), Some(b"v1".to_vec())]);
        let bounded = read_blobs(dir.path(), &[v[1].blob], 1);
        assert_eq!(bounded[0].1, Ok(None), "a version past the limit is not read");
    }

    #[test]
    fn a_merged_statement_arrives_with_the_merge() {
        let (dir, repo) = init();
        let base = commit(&repo, &[("content/initiatives/a.md", "v1")], 1_000, "base");
        // A side branch signed early (time 1 500), merged late (time 9 000).
        repo.branch("side", &repo.find_commit(base).unwrap(), false)
            .unwrap();
        repo.set_head("refs/heads/side").unwrap();
        let side = commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "s")],
            1_500,
            "sign",
        );
        repo.set_head("refs/heads/main").unwrap();
        repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
        let main_tip = commit(&repo, &[("content/pages/p.md", "p")], 2_000, "page");
        let mut index = repo
            .merge_commits(
                &repo.find_commit(main_tip).unwrap(),
                &repo.find_commit(side).unwrap(),
                None,
            )
            .unwrap();
        let tree = repo.find_tree(index.write_tree_to(&repo).unwrap()).unwrap();
        let sig = Signature::new("M", "m@example.org", &Time::new(9_000, 0)).unwrap();
        let parents = [
            &repo.find_commit(main_tip).unwrap(),
            &repo.find_commit(side).unwrap(),
        ];
        repo.commit(Some("HEAD"), &sig, &sig, "merge", &tree, &parents)
            .unwrap();
        let h = read(dir.path(), main(NOW), &["content", "signatures"])
            .unwrap()
            .unwrap();
        assert_eq!(
            h.arrival("signatures/initiatives/a/K.minisig", blob_id(b"s"))
                .unwrap()
                .time,
            9_000
        );
        assert_eq!(h.commits.len(), 3, "first-parent only");
    }

    #[test]
    fn dates_never_go_back_and_never_pass_the_reference_time() {
        let (dir, repo) = init();
        commit(&repo, &[("content/pages/p.md", "v1")], 1_000, "one");
        commit(&repo, &[("content/pages/p.md", "v2")], 3_000, "two");
        commit(&repo, &[("content/pages/p.md", "v3")], 2_000, "backdated");
        commit(&repo, &[("content/pages/p.md", "v4")], 2_500, "still behind");
        commit(&repo, &[("content/pages/p.md", "v5")], 9_000, "from the future");
        commit(
            &repo,
            &[("content/pages/p.md", "v6")],
            4_000,
            "behind the clamped one",
        );
        let h = read(dir.path(), main(5_000), &["content"]).unwrap().unwrap();
        let settled: Vec<i64> = h.commits.iter().map(|c| c.time).collect();
        assert_eq!(settled, [1_000, 3_000, 3_000, 3_000, 5_000, 5_000]);
        let recorded: Vec<i64> = h.commits.iter().map(|c| c.recorded).collect();
        assert_eq!(recorded, [1_000, 3_000, 2_000, 2_500, 9_000, 4_000]);
        let corrected: Vec<(&str, Correction)> = h
            .corrections()
            .map(|(c, why)| (c.summary.as_str(), why))
            .collect();
        assert_eq!(
            corrected,
            [
                ("backdated", Correction::BeforeParent),
                ("still behind", Correction::BeforeParent),
                ("from the future", Correction::AfterReference),
                ("behind the clamped one", Correction::BeforeParent),
            ]
        );
        let v3 = h.versions("content/pages/p.md")[2];
        assert_eq!(
            h.commits[v3.commit].time, 3_000,
            "its file counts from its parent's date"
        );
        let note = h.commits[2].correction_note().unwrap();
        assert!(
            note.contains("is dated 1970-01-01 00:33:20 UTC, before its parent (1970-01-01 00:50:00 UTC): its files count from 1970-01-01 00:50:00 UTC"),
            "{note}"
        );
        assert_eq!(h.correction_notes().len(), 4);
    }

    #[test]
    fn finds_the_commits_of_a_change_dated_before_their_parent() {
        let (_dir, repo) = init();
        let base = commit(&repo, &[("content/pages/p.md", "v1")], 1_000, "base");
        let ok = commit(&repo, &[("content/pages/p.md", "v2")], 2_000, "in order");
        let bad = commit(&repo, &[("content/pages/p.md", "v3")], 1_500, "backdated");
        let head = commit(
            &repo,
            &[("content/pages/p.md", "v4")],
            1_600,
            "after the backdated one",
        );
        let found = backdated(&repo, head, &[base]).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].id, found[0].parent), (bad, ok));
        assert_eq!((found[0].time, found[0].parent_time), (1_500, 2_000));
        assert!(backdated(&repo, head, &[bad]).unwrap().is_empty());
    }

    #[test]
    fn reads_a_site_in_a_subfolder_and_reports_no_repository() {
        let (dir, repo) = init();
        commit(&repo, &[("site/content/pages/p.md", "p")], 1_000, "add");
        let h = read(&dir.path().join("site"), main(NOW), &["content"])
            .unwrap()
            .unwrap();
        assert!(h.files.contains_key("content/pages/p.md"));
        let plain = tempfile::tempdir().unwrap();
        assert!(read(plain.path(), main(NOW), &["content"]).unwrap().is_none());
    }

    #[test]
    fn refuses_a_shallow_clone() {
        let (dir, repo) = init();
        commit(&repo, &[("content/pages/p.md", "p")], 1_000, "one");
        commit(&repo, &[("content/pages/p.md", "q")], 2_000, "two");
        let clone = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        let status = std::process::Command::new("git")
            .args(["clone", "-q", "--depth", "1", &url])
            .arg(clone.path().join("c"))
            .status();
        let Ok(status) = status else {
            eprintln!("skipped: the git command line is not installed");
            return;
        };
        assert!(status.success());
        let err = read(&clone.path().join("c"), main(NOW), &["content"]).unwrap_err();
        assert!(err.to_string().contains("fetch-depth: 0"), "{err}");
    }

    const FOLDERS: &[&str] = &["content", "signatures"];

    /// The first-parent walk of `main` from its first commit.
    fn fresh(repo: &Repository, now: i64) -> History {
        let tip = repo.refname_to_id("refs/heads/main").unwrap();
        read_commit(repo, "refs/heads/main".into(), tip, "", FOLDERS, now).unwrap()
    }

    /// The walk of `main` resuming `earlier`, after a round trip through the cache's encoding.
    fn resumed(repo: &Repository, earlier: &History, now: i64) -> History {
        let bytes = super::super::history_cache::encode(earlier, "", FOLDERS);
        let back = super::super::history_cache::decode(&bytes[8..], "", FOLDERS).expect("decodes");
        let tip = repo.refname_to_id("refs/heads/main").unwrap();
        walk(repo, "refs/heads/main".into(), tip, "", FOLDERS, now, Some(back)).unwrap()
    }

    fn assert_same(a: &History, b: &History, what: &str) {
        assert_eq!(a.commits, b.commits, "{what}: commits");
        assert_eq!(a.files, b.files, "{what}: files");
    }

    #[test]
    fn a_resumed_walk_is_the_walk_from_the_first_commit() {
        let (_dir, repo) = init();
        let mut walks = Vec::new();
        let step = |files: &[(&str, &str)], time: i64, walks: &mut Vec<History>| {
            commit(&repo, files, time, "step");
            let full = fresh(&repo, NOW);
            for (n, earlier) in walks.iter().enumerate() {
                assert_same(&resumed(&repo, earlier, NOW), &full, &format!("from walk {n}"));
            }
            walks.push(full);
        };
        step(&[("content/initiatives/a.md", "v1")], 1_000, &mut walks);
        step(&[("signatures/initiatives/a/K.minisig", "s1")], 2_000, &mut walks);
        step(&[("content/initiatives/a.md", "v2")], 3_000, &mut walks);
        // Put back as it was, and a commit dated before its parent.
        step(&[("content/initiatives/a.md", "v1")], 2_500, &mut walks);
        step(&[("other/x.md", "outside the folders")], 4_000, &mut walks);
        // A merge: only its first parent is walked.
        let base = repo.head().unwrap().peel_to_commit().unwrap();
        repo.branch("side", &base, false).unwrap();
        repo.set_head("refs/heads/side").unwrap();
        let side = commit(
            &repo,
            &[("signatures/initiatives/a/L.minisig", "s2")],
            4_500,
            "side",
        );
        repo.set_head("refs/heads/main").unwrap();
        repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
        let mut index = repo
            .merge_commits(&base, &repo.find_commit(side).unwrap(), None)
            .unwrap();
        let tree = repo.find_tree(index.write_tree_to(&repo).unwrap()).unwrap();
        let sig = Signature::new("M", "m@example.org", &Time::new(5_000, 0)).unwrap();
        repo.commit(
            Some("HEAD"),
            &sig,
            &sig,
            "merge",
            &tree,
            &[&base, &repo.find_commit(side).unwrap()],
        )
        .unwrap();
        let full = fresh(&repo, NOW);
        for (n, earlier) in walks.iter().enumerate() {
            assert_same(
                &resumed(&repo, earlier, NOW),
                &full,
                &format!("merge, from walk {n}"),
            );
        }
        assert_same(&resumed(&repo, &full, NOW), &full, "nothing new");
    }

    #[test]
    fn a_branch_rewritten_after_its_first_commit_keeps_nothing_of_the_rest() {
        let (_dir, repo) = init();
        let first = commit(&repo, &[("content/initiatives/a.md", "v1")], 1_000, "a");
        commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "early")],
            2_000,
            "sign",
        );
        let before = fresh(&repo, NOW);
        // Force-pushed: the branch starts again from its first commit, and the statement
        // arrives later, with other bytes.
        repo.reference("refs/heads/main", first, true, "rewrite").unwrap();
        repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
        let _ = std::fs::remove_file(repo.workdir().unwrap().join("signatures/initiatives/a/K.minisig"));
        commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "late")],
            9_000,
            "sign late",
        );
        let after = resumed(&repo, &before, NOW);
        assert_same(&after, &fresh(&repo, NOW), "rewritten");
        assert!(after
            .arrival("signatures/initiatives/a/K.minisig", blob_id(b"early"))
            .is_none());
        assert_eq!(
            after
                .arrival("signatures/initiatives/a/K.minisig", blob_id(b"late"))
                .unwrap()
                .time,
            9_000
        );
    }

    #[test]
    fn a_branch_moved_back_or_rewritten_after_a_commit_resumes_from_that_commit() {
        let (_dir, repo) = init();
        commit(&repo, &[("content/initiatives/a.md", "v1")], 1_000, "a");
        let second = commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "s1")],
            2_000,
            "sign",
        );
        commit(&repo, &[("content/initiatives/a.md", "v2")], 3_000, "edit");
        commit(
            &repo,
            &[("signatures/initiatives/a/L.minisig", "s2")],
            4_000,
            "sign again",
        );
        let before = fresh(&repo, NOW);
        // Moved back to the second commit: the walk of the first two commits.
        repo.reference("refs/heads/main", second, true, "reset").unwrap();
        repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
        let back = resumed(&repo, &before, NOW);
        assert_same(&back, &fresh(&repo, NOW), "moved back");
        assert_eq!(back.commits.len(), 2);
        assert!(back.versions("signatures/initiatives/a/L.minisig").is_empty());
        assert_eq!(back.versions("content/initiatives/a.md").len(), 1);
        // Rewritten after the second commit: other third and fourth commits.
        let root = repo.workdir().unwrap().to_path_buf();
        let _ = std::fs::remove_file(root.join("signatures/initiatives/a/L.minisig"));
        commit(&repo, &[("content/initiatives/a.md", "v3")], 5_000, "other edit");
        commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "s3")],
            6_000,
            "sign v3",
        );
        let rewritten = resumed(&repo, &before, NOW);
        assert_same(&rewritten, &fresh(&repo, NOW), "rewritten");
        assert!(rewritten
            .arrival("content/initiatives/a.md", blob_id(b"v2"))
            .is_none());
    }

    #[test]
    fn a_resumed_walk_settles_its_dates_by_this_builds_reference_time() {
        let (_dir, repo) = init();
        commit(&repo, &[("content/initiatives/a.md", "v1")], 1_000, "a");
        commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "s")],
            5_000,
            "sign",
        );
        let later = fresh(&repo, NOW);
        // A build whose reference time is before the second commit (SOURCE_DATE_EPOCH).
        let earlier_now = resumed(&repo, &later, 3_000);
        assert_same(&earlier_now, &fresh(&repo, 3_000), "reference time");
        assert_eq!(earlier_now.commits[1].time, 3_000);
    }

    #[test]
    fn a_saved_walk_is_resumed_only_for_its_site_folder_and_folders_and_only_whole() {
        let (_dir, repo) = init();
        commit(&repo, &[("content/initiatives/a.md", "v1")], 1_000, "a");
        commit(
            &repo,
            &[("signatures/initiatives/a/K.minisig", "s")],
            2_000,
            "sign",
        );
        let h = fresh(&repo, NOW);
        let bytes = super::super::history_cache::encode(&h, "", FOLDERS);
        let decode = |body: &[u8], prefix: &str, folders: &[&str]| {
            super::super::history_cache::decode(body, prefix, folders)
        };
        assert!(decode(&bytes[8..], "", FOLDERS).is_some());
        assert!(decode(&bytes[8..], "site", FOLDERS).is_none());
        assert!(decode(&bytes[8..], "", &["content"]).is_none());
        for cut in 8..bytes.len() {
            assert!(decode(&bytes[8..cut], "", FOLDERS).is_none(), "cut at {cut}");
        }
    }
}
