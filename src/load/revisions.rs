//! The text of every version of each item's file, for its history page (issue 4, "History
//! from git"). Read here, at the edge, so that rendering stays pure.
//!
//! Only the versions that the first-parent history lists are read (`find_blob`, in
//! parallel), and those already read for signed files are reused. The working tree's text is
//! kept when it is not the branch's last version: the page shows it first, as not published.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use git2::Oid;
use rayon::prelude::*;

use crate::content::Kind;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::history;

use super::signatures::Signatures;
use super::Source;

/// One committed version of a file.
#[derive(Debug, Clone)]
pub struct Revision {
    /// Index into [`history::History::commits`] of the commit that brought it.
    pub commit: usize,
    /// The file's text (invalid UTF-8 replaced).
    pub text: String,
}

/// The versions of one item's file.
#[derive(Debug, Clone, Default)]
pub struct FileRevisions {
    /// Committed versions, oldest first: one per commit of the branch that changed the file.
    pub committed: Vec<Revision>,
    /// The working tree's text, when it is not the branch's last version.
    pub uncommitted: Option<String>,
}

/// Item file (`content/initiatives/x.md`) → its versions. Empty outside a git repository.
pub type Revisions = BTreeMap<String, FileRevisions>;

/// The git blob id of each item file of the working tree (not contributions, not moderation
/// entries, which have no page of their own), hashed while its text is at hand.
pub(super) fn working_blobs(sources: &[Source]) -> Vec<(String, Oid)> {
    sources
        .par_iter()
        .filter(|s| s.owner.is_none() && s.kind != Kind::Moderation)
        .map(|s| {
            let path = s.rel.to_string_lossy().replace('\\', "/");
            (path, history::blob_id(s.text.as_bytes()))
        })
        .collect()
}

/// Reads the versions of the files of `working` (see [`working_blobs`]).
pub(super) fn read(
    root: &Path,
    working: Vec<(String, Oid)>,
    sigs: &Signatures,
    limits: &crate::limits::Limits,
    diags: &mut Diagnostics,
) -> Revisions {
    let Some(h) = &sigs.history else {
        return Revisions::new();
    };
    // Signed files (initiatives, votes…) had their versions read to verify statements.
    let known: HashMap<Oid, &[u8]> = sigs
        .versions
        .values()
        .flatten()
        .map(|v| (v.blob, v.bytes.as_slice()))
        .collect();
    let mut wanted: Vec<Oid> = working
        .iter()
        .flat_map(|(path, _)| h.versions(path))
        .map(|v| v.blob)
        .filter(|b| !known.contains_key(b))
        .collect();
    wanted.sort();
    wanted.dedup();
    // A version past the file size limit is left out of the history page: the limit stopped
    // it when it was current (a later commit of the same change may have shrunk it).
    let mut too_large: HashSet<Oid> = HashSet::new();
    let mut texts: HashMap<Oid, Result<String, String>> = HashMap::new();
    for (id, read) in history::read_blobs(h.git_dir.as_deref().unwrap_or(root), &wanted, limits.file_size.0) {
        match read {
            Ok(Some(bytes)) => {
                texts.insert(id, Ok(lossy(bytes)));
            }
            Ok(None) => {
                too_large.insert(id);
            }
            Err(e) => {
                texts.insert(id, Err(e));
            }
        }
    }
    texts.extend(
        known
            .into_iter()
            .map(|(id, bytes)| (id, Ok(String::from_utf8_lossy(bytes).into_owned()))),
    );
    let mut out = Revisions::new();
    for (path, blob) in working {
        let versions = h.versions(&path);
        let mut file = FileRevisions::default();
        for v in versions.iter().filter(|v| !too_large.contains(&v.blob)) {
            match texts.get(&v.blob) {
                Some(Ok(text)) => file.committed.push(Revision {
                    commit: v.commit,
                    text: text.clone(),
                }),
                other => {
                    let e = match other {
                        Some(Err(e)) => e.as_str(),
                        _ => "the object is missing",
                    };
                    diags.push(Diagnostic::new(
                        Path::new(&path),
                        1,
                        1,
                        format!("cannot read an earlier version from git: {e}"),
                    ));
                }
            }
        }
        if versions.last().map(|v| v.blob) != Some(blob) {
            // Rare (a local edit, or a build off the branch): read the file again rather than
            // keep every text of the working tree until now.
            // The loader already reported a file past the limit.
            match crate::limits::read_bounded(&root.join(&path), limits.file_size) {
                Ok(bytes) => file.uncommitted = Some(lossy(bytes)),
                Err(crate::limits::ReadError::TooLarge(_)) => {}
                Err(crate::limits::ReadError::Io(e)) => diags.push(Diagnostic::new(
                    Path::new(&path),
                    1,
                    1,
                    format!("cannot read: {e}"),
                )),
            }
        }
        out.insert(path, file);
    }
    out
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
