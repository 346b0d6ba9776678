//! The history walk kept between builds (`.pnyx-cache/history.bin`), so that the next build
//! walks only the commits that came since.
//!
//! A walk is a function of its last commit: a commit id names its whole first-parent
//! history, so the walk saved for commit C is the walk of C for any later build. What may
//! differ between builds is the reference time, which only settles dates: the commits are
//! kept with their recorded dates and settled again on every build. A walk is resumed from
//! its last commit that is on the new tip's first-parent chain ([`history::walk`]): a branch
//! that grew, from its last commit; a branch moved back or rewritten, from the last commit it
//! still shares; a branch with nothing in common, from its first commit.
//!
//! The file goes through [`crate::sealed`] like the verification cache: believed only when
//! this machine sealed it, never read when git tracks it or through a symbolic link. A file
//! that is missing, foreign, damaged or for another site folder gives no walk to resume: the
//! build is then slower, never different.
//!
//! Format, integers little-endian, a string is its length (u32) then its UTF-8 bytes:
//!
//! | content |
//! | --- |
//! | magic `PNYXHC01` |
//! | the site's folder in the repository (string), the folders walked (u32 count, strings) |
//! | commits, oldest first (u32 count): id (20 bytes), recorded time (i64), summary, author (strings), signed (u8) |
//! | files (u32 count): path (string), versions (u32 count): blob id (20 bytes), commit index (u32) |
//! | HMAC-SHA256 seal (32 bytes) |

use std::collections::HashMap;
use std::path::Path;

use super::history::{self, BranchAt, CommitInfo, History, Version};
use crate::sealed::{put_str, put_u32, Reader, Store};

/// The file, from the site's root.
pub const HISTORY_FILE: &str = ".pnyx-cache/history.bin";

/// Change the digits when the format changes: older files are then not read.
const MAGIC: &[u8; 8] = b"PNYXHC01";

/// Reads the history of `folders` on `branch` for the site at `root` as
/// [`history::read`] does, resuming the walk of the last build when the branch only grew since,
/// and saves this one for the next: what the build does.
pub fn read(root: &Path, branch: BranchAt<'_>, folders: &[&str]) -> anyhow::Result<Option<History>> {
    let Some(located) = history::locate(root, branch)? else {
        return Ok(None);
    };
    let history::BranchTip {
        repo,
        prefix,
        reference,
        tip,
    } = located;
    let (earlier, store) = open(root, &prefix, folders);
    let earlier_tip = earlier.as_ref().and_then(|h| h.commits.last()).map(|c| c.id);
    let history = history::walk(&repo, reference, tip, &prefix, folders, branch.now, earlier)?;
    if let Some(store) = store.filter(|_| earlier_tip != Some(tip)) {
        if let Err(note) = save(&store, &history, &prefix, folders) {
            crate::sealed::note_once(&note);
        }
    }
    Ok(Some(history))
}

/// The saved walk of the site at `root`, if there is one this machine sealed for the same site
/// folder and folders; with the store to save the next one in (`None` when caches may not be
/// used here: the verification cache's note says why).
fn open(root: &Path, prefix: &str, folders: &[&str]) -> (Option<History>, Option<Store>) {
    let Ok(store) = crate::sealed::open(root, HISTORY_FILE) else {
        return (None, None);
    };
    let walk = match store.read(MAGIC) {
        Ok(Some(body)) => decode(&body[MAGIC.len()..], prefix, folders),
        Ok(None) | Err(_) => None,
    };
    (walk, Some(store))
}

/// Saves `history`, the walk of `folders` in the site at `prefix`. A failure only costs time
/// on the next build: the note to print.
fn save(store: &Store, history: &History, prefix: &str, folders: &[&str]) -> Result<(), String> {
    store.write(encode(history, prefix, folders)).map_err(|e| {
        format!(
            "cannot save the history cache {}: {e} (the next build walks the whole history again)",
            store.path.display()
        )
    })
}

pub(super) fn encode(history: &History, prefix: &str, folders: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * history.files.len() + 128 * history.commits.len());
    out.extend_from_slice(MAGIC);
    put_str(&mut out, prefix);
    put_u32(&mut out, folders.len());
    for f in folders {
        put_str(&mut out, f);
    }
    put_u32(&mut out, history.commits.len());
    for c in &history.commits {
        out.extend_from_slice(c.id.as_bytes());
        out.extend_from_slice(&c.recorded.to_le_bytes());
        put_str(&mut out, &c.summary);
        put_str(&mut out, &c.author);
        out.push(u8::from(c.signed));
    }
    put_u32(&mut out, history.files.len());
    for (path, versions) in &history.files {
        put_str(&mut out, path);
        put_u32(&mut out, versions.len());
        for v in versions {
            out.extend_from_slice(v.blob.as_bytes());
            put_u32(&mut out, v.commit);
        }
    }
    out
}

/// The walk in `body` (after the magic), if it is one of the same site folder and folders.
/// Dates are left to settle: each commit's `time` is its recorded time here.
pub(super) fn decode(body: &[u8], prefix: &str, folders: &[&str]) -> Option<History> {
    let mut r = Reader::new(body);
    if r.str()? != prefix {
        return None;
    }
    let n = r.u32()?;
    if n != folders.len() {
        return None;
    }
    for f in folders {
        if r.str()? != *f {
            return None;
        }
    }
    let n = r.u32()?;
    let mut commits = Vec::with_capacity(n.min(body.len() / 40));
    for _ in 0..n {
        let id = r.oid()?;
        let recorded = i64::from_le_bytes(r.take(8)?.try_into().ok()?);
        commits.push(CommitInfo {
            id,
            time: recorded,
            recorded,
            summary: r.str()?.to_string(),
            author: r.str()?.to_string(),
            signed: r.byte()? != 0,
        });
    }
    let n = r.u32()?;
    let mut files = HashMap::with_capacity(n.min(body.len() / 30));
    for _ in 0..n {
        let path = r.str()?.to_string();
        let count = r.u32()?;
        let mut versions = Vec::with_capacity(count.min(16));
        for _ in 0..count {
            let blob = r.oid()?;
            let commit = r.u32()?;
            if commit >= commits.len() {
                return None;
            }
            versions.push(Version { blob, commit });
        }
        files.insert(path, versions);
    }
    r.is_done().then_some(History {
        commits,
        files,
        ..History::default()
    })
}
