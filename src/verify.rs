//! The verify stage: every statement of the site checked, in parallel, into accepted and
//! rejected ones. A statement's time is the commit time of the version that brought it.

use rayon::prelude::*;

use crate::load::signatures::Signatures;
use crate::signatures::cache::Cache;
use crate::signatures::keys::KeyId;
use crate::signatures::verify::{self as check, Reason, Valid};

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
    /// Earlier versions of statements that verify (`Signatures::earlier`): the commitments
    /// that sortition reveals answer, the certifications that revocations replaced.
    pub earlier: Vec<Accepted>,
}

/// Verifies every statement, in parallel; signature checks already made with the same bytes
/// are taken from `cache`.
pub fn verify_all(sigs: &Signatures, cache: Option<&Cache>) -> Verified {
    let keys = sigs.keys.iter().map(|(id, k)| (*id, k.key.clone())).collect();
    let key_blobs = sigs.keys.iter().map(|(id, k)| (*id, k.blob)).collect();
    let outcomes: Vec<_> = sigs
        .statements
        .par_iter()
        .map(|st| {
            let address = cache.map(|cache| check::CacheRef {
                cache,
                statement: st.blob,
                key_blobs: &key_blobs,
            });
            (
                st,
                check::verify_cached(&st.file, &keys, &sigs.versions, address.as_ref()),
            )
        })
        .collect();
    let mut out = Verified::default();
    // Earlier versions are few (one per replaced commitment or certification): checked
    // without the cache.
    for st in &sigs.earlier {
        if let Ok(valid) = check::verify(&st.file, &keys, &sigs.versions) {
            out.earlier.push(Accepted {
                valid,
                path: st.file.path.clone(),
                arrived: st.arrived,
            });
        }
    }
    for (st, outcome) in outcomes {
        match outcome {
            Ok(valid) => out.accepted.push(Accepted {
                valid,
                path: st.file.path.clone(),
                arrived: st.arrived,
            }),
            Err((key, reason)) => out.rejected.push(Rejected {
                path: st.file.path.clone(),
                key,
                reason,
            }),
        }
    }
    out
}
