//! The verify stage: every statement of the site checked, in parallel, into accepted and
//! rejected ones. A statement's time is the commit time of the first commit that brought it
//! (its identity, whatever its file's encoding) to its path.
//!
//! Beyond each signature, two rules read the history (SPEC §4, "Integrity"):
//! - **no restore**: a statement that stood at its path before and was replaced by a newer
//!   statement of the same key never counts again there;
//! - **bound to one target**: a statement whose trusted comment names its target counts for
//!   that file only; one in the older form (`pnyx/1 support`) counts only at the path where
//!   the bytes it signs first stood, so a copy of a text cannot take its signatures along.

use std::collections::{HashMap, HashSet};

use git2::Oid;
use rayon::prelude::*;

use crate::load::signatures::{Signatures, Statement};
use crate::signatures::cache::Cache;
use crate::signatures::keys::KeyId;
use crate::signatures::verdict::{self as check, Reason, Valid, Verdict};

/// A statement that verifies.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// What it is and says.
    pub valid: Valid,
    /// Its path.
    pub path: String,
    /// Commit time of its arrival on the branch; `None` when not committed yet (or no history).
    pub arrived: Option<i64>,
}

/// A statement that does not, with its reason.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// Its path.
    pub path: String,
    /// The key its path names, when it names one.
    pub key: Option<KeyId>,
    /// Why it is not counted.
    pub reason: Reason,
}

/// The outcome of the verify stage.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// Statements that verify, sorted by path.
    pub accepted: Vec<Accepted>,
    /// Statements that do not, sorted by path.
    pub rejected: Vec<Rejected>,
    /// The statements that history shows at the path of a current one and that verify
    /// (`Signatures::earlier`, and a restored statement's first stay): the commitments that
    /// sortition reveals answer, the certifications that revocations replaced.
    pub earlier: Vec<Accepted>,
}

/// Verifies every statement, in parallel; signature checks already made with the same bytes
/// are taken from `cache`.
pub fn verify_all(sigs: &Signatures, cache: Option<&Cache>) -> Verified {
    let keys = sigs.keys.iter().map(|(id, k)| (*id, k.key.clone())).collect();
    let key_blobs = sigs.keys.iter().map(|(id, k)| (*id, k.blob)).collect();
    let address = cache.map(|cache| check::CacheRef {
        cache,
        key_blobs: &key_blobs,
    });
    let run = |list: &[Statement]| -> Vec<Verdict> {
        list.par_iter()
            .map(|st| check::verify_cached(&st.file, &keys, &sigs.versions, address.as_ref()))
            .collect()
    };
    let current = run(&sigs.statements);
    let earlier = run(&sigs.earlier);
    let origins = Origins::of(sigs, current.iter().chain(&earlier));

    let mut out = Verified::default();
    // The other statements history shows at each path: (first arrival, genuine — the key
    // did sign a version of this target here —, the verdict once bound).
    let mut at_path: HashMap<&str, Vec<(usize, bool, Verdict)>> = HashMap::new();
    for (st, verdict) in sigs.earlier.iter().zip(earlier) {
        let genuine = matches!(&verdict, Ok(_) | Err((_, Reason::Outdated(_))));
        let bound = origins.bind(verdict, sigs);
        at_path
            .entry(st.file.path.as_str())
            .or_default()
            .push((st.arrived_at.unwrap_or(0), genuine, bound));
    }
    let arrival = |at: usize| {
        sigs.history
            .as_ref()
            .and_then(|h| h.commits.get(at))
            .map(|c| c.time)
    };
    for (st, verdict) in sigs.statements.iter().zip(current) {
        let path = st.file.path.clone();
        let others = at_path.remove(st.file.path.as_str()).unwrap_or_default();
        let replaced = others
            .iter()
            .filter(|(_, genuine, _)| *genuine)
            .map(|(at, ..)| *at)
            .max();
        let restored = st
            .arrived_at
            .zip(replaced)
            .is_some_and(|(first, last)| last > first);
        let mut earlier: Vec<(usize, Valid)> = others
            .into_iter()
            .filter_map(|(at, _, v)| Some((at, v.ok()?)))
            .collect();
        let verdict = match origins.bind(verdict, sigs) {
            Ok(valid) if restored => {
                // Its first stay still belongs to the history (a commitment, a certification
                // of the past); put back, it does not count.
                earlier.push((st.arrived_at.unwrap_or(0), valid.clone()));
                Err((Some(valid.place.key), Reason::Restored))
            }
            other => other,
        };
        match verdict {
            Ok(valid) => out.accepted.push(Accepted {
                valid,
                path: path.clone(),
                arrived: st.arrived,
            }),
            Err((key, reason)) => {
                out.rejected.push(Rejected {
                    path: path.clone(),
                    key,
                    reason,
                });
                // Only a new statement of the key replaces its statement: what stands here
                // instead (a restored, edited or foreign file) leaves the key's latest valid
                // statement counted.
                if let Some(i) = (0..earlier.len()).max_by_key(|&i| earlier[i].0) {
                    let (at, valid) = earlier.swap_remove(i);
                    out.accepted.push(Accepted {
                        valid,
                        path: path.clone(),
                        arrived: arrival(at),
                    });
                }
            }
        }
        out.earlier
            .extend(earlier.into_iter().map(|(at, valid)| Accepted {
                valid,
                path: path.clone(),
                arrived: arrival(at),
            }));
    }
    out.earlier
        .sort_by(|a, b| (&a.path, a.arrived).cmp(&(&b.path, b.arrived)));
    out
}

/// Where each signed text first stood: the blob's earliest commit on the branch and the
/// paths it had there, or, for bytes not committed anywhere, every path of the working tree
/// that holds them. Only the blobs signed by statements in the older form are looked up.
struct Origins {
    first: HashMap<Oid, Vec<String>>,
}

impl Origins {
    fn of<'a>(sigs: &Signatures, verdicts: impl Iterator<Item = &'a Verdict>) -> Origins {
        let mut wanted: HashSet<Oid> = HashSet::new();
        for valid in verdicts.filter_map(|v| v.as_ref().ok()) {
            if valid.said.target.is_none() {
                if let Some(blob) = signed_blob(valid, sigs) {
                    wanted.insert(blob);
                }
            }
        }
        let mut earliest: HashMap<Oid, (usize, Vec<String>)> = HashMap::new();
        if let (false, Some(h)) = (wanted.is_empty(), &sigs.history) {
            for (path, versions) in &h.files {
                if path.ends_with(".minisig") {
                    continue;
                }
                for v in versions.iter().filter(|v| wanted.contains(&v.blob)) {
                    let slot = earliest.entry(v.blob).or_insert((v.commit, Vec::new()));
                    if v.commit < slot.0 {
                        *slot = (v.commit, Vec::new());
                    }
                    if v.commit == slot.0 && !slot.1.contains(path) {
                        slot.1.push(path.clone());
                    }
                }
            }
        }
        // Bytes that no commit brought first stood, together, at every path of the working
        // tree that holds them.
        let mut first: HashMap<Oid, Vec<String>> = earliest
            .into_iter()
            .map(|(blob, (_, paths))| (blob, paths))
            .collect();
        let mut uncommitted: HashMap<Oid, Vec<String>> = HashMap::new();
        for (path, versions) in &sigs.versions {
            for v in versions
                .iter()
                .filter(|v| v.commit.is_none() && wanted.contains(&v.blob))
            {
                if !first.contains_key(&v.blob) {
                    uncommitted.entry(v.blob).or_default().push(path.clone());
                }
            }
        }
        first.extend(uncommitted);
        Origins { first }
    }

    /// A statement in the older form counts only at the one path where its bytes first
    /// stood; `Copied` elsewhere, or when two paths brought them at once.
    fn bind(&self, verdict: Verdict, sigs: &Signatures) -> Verdict {
        let valid = verdict?;
        if valid.said.target.is_some() {
            return Ok(valid);
        }
        let target = valid.place.signed_file();
        let paths = signed_blob(&valid, sigs).and_then(|b| self.first.get(&b));
        match paths.map(Vec::as_slice) {
            Some([only]) if *only == target => Ok(valid),
            Some(paths) => {
                let mut others: Vec<&String> = paths.iter().filter(|p| **p != target).collect();
                others.sort();
                let other = others.first().map_or(target.clone(), |p| p.to_string());
                Err((Some(valid.place.key), Reason::Copied(other)))
            }
            None => Ok(valid),
        }
    }
}

/// The blob of the version of its target that a valid statement signs.
fn signed_blob(valid: &Valid, sigs: &Signatures) -> Option<Oid> {
    let versions = sigs.versions.get(&valid.place.signed_file())?;
    versions.get(valid.version).map(|v| v.blob)
}
