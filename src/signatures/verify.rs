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

use std::collections::BTreeMap;

use base64::Engine as _;
use blake2::{Blake2b512, Digest as _};
use git2::Oid;
use rayon::prelude::*;

use crate::load::signatures::{FileVersion, Signatures, Statement};
use crate::signatures::batch;
use crate::signatures::cache::{Cache, Key as CacheKey, Outcome};
use crate::signatures::keys::{KeyId, PublicKey};
use crate::signatures::statement;
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
    /// How many statements the batch pass verified (each then found in the cache).
    pub batched: usize,
}

/// Verifies every statement, in parallel; signature checks already made with the same bytes
/// are taken from `cache`.
///
/// Three passes. Each statement is first judged from the cache alone ([`check::verify_known`]):
/// a warm build judges nearly all of them so. The checks the cache does not know are then
/// verified in batches ([`verify_in_batches`]), which can only accept; the statements left go
/// through the one-by-one verdict, which finds those in the cache and checks the rest with
/// minisign. Without a cache, a scratch one carries the batches' results.
pub fn verify_all<'a>(sigs: &'a Signatures, cache: Option<&Cache>) -> Verified {
    let scratch = Cache::default();
    let cache = cache.unwrap_or(&scratch);
    let keys = sigs.keys.iter().map(|(id, k)| (*id, k.key.clone())).collect();
    let key_blobs = sigs.keys.iter().map(|(id, k)| (*id, k.blob)).collect();
    let address = check::CacheRef {
        cache,
        key_blobs: &key_blobs,
    };
    let mut clock = crate::timing::Clock::start();
    // Each statement's verdict in its place; a statement the cache cannot judge holds a
    // placeholder until it is checked, and its place is kept in the list left to check.
    let known = |list: &[Statement]| -> (Vec<Verdict>, Vec<bool>) {
        list.par_iter()
            .map(|st| {
                match check::verify_known(&st.file.path, &st.decoded, &keys, &sigs.versions, &address) {
                    Some(verdict) => (verdict, true),
                    None => (Err((None, Reason::Malformed(String::new()))), false),
                }
            })
            .unzip()
    };
    let ((mut current, current_known), (mut earlier, earlier_known)) =
        (known(&sigs.statements), known(&sigs.earlier));
    let left = |list: &'a [Statement], judged: &[bool]| -> Vec<(usize, &'a Statement)> {
        list.iter()
            .enumerate()
            .zip(judged)
            .filter(|(_, judged)| !**judged)
            .map(|(at, _)| at)
            .collect()
    };
    let left_current = left(&sigs.statements, &current_known);
    let left_earlier = left(&sigs.earlier, &earlier_known);
    crate::timing::note(&format!(
        "verify: {} statements judged from the cache, {} left to check",
        sigs.statements.len() + sigs.earlier.len() - left_current.len() - left_earlier.len(),
        left_current.len() + left_earlier.len()
    ));
    clock.lap("  judged from the cache");
    let to_check: Vec<&Statement> = left_current
        .iter()
        .chain(&left_earlier)
        .map(|(_, st)| *st)
        .collect();
    let batched = verify_in_batches(&to_check, sigs, &keys, &address);
    clock.lap("  verify in batches");
    let git_dir = sigs.history.as_ref().and_then(|h| h.git_dir.as_deref());
    let run = |left: &[(usize, &Statement)], verdicts: &mut [Verdict]| {
        let checked: Vec<Verdict> = left
            .par_iter()
            .map(|(_, st)| {
                check::verify_decoded(
                    &st.file.path,
                    &st.decoded,
                    &|| st.text(&sigs.root, git_dir),
                    &keys,
                    &sigs.versions,
                    Some(&address),
                )
            })
            .collect();
        for ((at, _), verdict) in left.iter().zip(checked) {
            verdicts[*at] = verdict;
        }
    };
    run(&left_current, &mut current);
    run(&left_earlier, &mut earlier);
    clock.lap("  verify one by one");
    let origins = Origins::of(sigs, current.iter().chain(&earlier));
    clock.lap("  origins");

    let mut out = Verified {
        batched,
        ..Verified::default()
    };
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
    // One accepted statement or one rejected per current statement, nearly always the first:
    // room for a city's million is made once.
    out.accepted.reserve(sigs.statements.len());
    for (st, verdict) in sigs.statements.iter().zip(current) {
        let path = &st.file.path;
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
    clock.lap("  verdicts bound");
    out
}

/// Statements per batch: the larger the batch, the cheaper each point of its multiscalar
/// multiplication; a bad statement costs a few smaller batches (see [`batch::verified`]).
const BATCH: usize = 1024;

/// The batch pass: each of `statements` whose check the cache does not know is verified, in
/// batches on all cores, against the newest version of the file it signs (what nearly every
/// statement signs). Each one shown valid is recorded in the cache as
/// [`Outcome::Verified`], exactly what minisign would have found; anything else (a bad
/// signature, an older version, an unusual encoding) is left to the one-by-one pass, which
/// checks it with minisign and says why. Returns how many statements it verified.
fn verify_in_batches(
    statements: &[&Statement],
    sigs: &Signatures,
    keys: &BTreeMap<KeyId, PublicKey>,
    address: &check::CacheRef<'_>,
) -> usize {
    let mut clock = crate::timing::Clock::start();
    let mut items: Vec<Pending> = statements
        .par_iter()
        .filter_map(|st| Pending::of(st, sigs, keys, address))
        .collect();
    // A key's statements side by side: a batch adds up the terms of one key before its
    // multiplication, so a batch of a few keys multiplies fewer points.
    items.par_sort_by(|a, b| a.key.cmp(&b.key));
    clock.lap("    read for batches");
    // Each version is hashed once, however many statements sign it.
    let mut versions: HashMap<Oid, &FileVersion> = HashMap::new();
    for item in &items {
        versions.entry(item.version.blob).or_insert(item.version);
    }
    let prehashes: HashMap<Oid, [u8; 64]> = versions
        .into_par_iter()
        .map(|(blob, v)| (blob, Blake2b512::digest(&v.bytes).into()))
        .collect();
    clock.lap("    prehash");
    items
        .par_chunks(BATCH)
        .map(|chunk| {
            let checks: Vec<batch::Check<'_>> = chunk
                .iter()
                .flat_map(|item| {
                    [
                        batch::Check {
                            key: &item.key,
                            signature: &item.signature,
                            message: [&prehashes[&item.version.blob], b""],
                        },
                        batch::Check {
                            key: &item.key,
                            signature: &item.comment_signature,
                            message: [&item.signature, item.comment.as_bytes()],
                        },
                    ]
                })
                .collect();
            let valid = batch::verified(&checks);
            let mut verified = 0;
            for (item, both) in chunk.iter().zip(valid.chunks_exact(2)) {
                if both[0] && both[1] {
                    address.cache.insert(item.address, Outcome::Verified);
                    verified += 1;
                }
            }
            verified
        })
        .sum()
}

/// A statement the batch pass checks: its two signatures as minisign reads them.
struct Pending<'a> {
    /// Where its outcome goes in the cache.
    address: CacheKey,
    /// The key's 32 bytes.
    key: [u8; 32],
    /// The signature of the prehashed (BLAKE2b-512) file.
    signature: [u8; 64],
    /// The trusted comment, trimmed as minisign trims it.
    comment: String,
    /// The signature of (signature ‖ trusted comment).
    comment_signature: [u8; 64],
    /// The newest version of the file it signs.
    version: &'a FileVersion,
}

impl<'a> Pending<'a> {
    /// `None` for a statement the cache already knows, or that is not a well-formed
    /// prehashed statement of a known key about an existing file: the one-by-one pass deals
    /// with those.
    fn of(
        st: &Statement,
        sigs: &'a Signatures,
        keys: &BTreeMap<KeyId, PublicKey>,
        address: &check::CacheRef<'_>,
    ) -> Option<Pending<'a>> {
        // The cache is asked first, with the identity the load stage read: a warm build
        // reads and parses nothing here.
        let versions = &sigs.versions;
        let place = statement::place(&st.file.path).ok()?;
        let version = versions.get(&place.signed_file())?.first()?;
        let statement_address = Oid::from_bytes(&st.identity?[..20]).ok()?;
        let cache_key = CacheKey::new(
            statement_address,
            *address.key_blobs.get(&place.key)?,
            version.blob,
        )?;
        if address.cache.knows(&cache_key) {
            return None;
        }
        let public = keys.get(&place.key)?.key.to_bytes();
        let git_dir = sigs.history.as_ref().and_then(|h| h.git_dir.as_deref());
        let parsed = statement::parse_file(&st.text(&sigs.root, git_dir)?).ok()?;
        if Some(parsed.identity) != st.identity {
            return None;
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut lines = parsed.canonical.lines().skip(1);
        let line = b64.decode(lines.next()?.trim()).ok()?;
        let comment = lines
            .next()?
            .strip_prefix("trusted comment: ")?
            .trim()
            .to_string();
        let comment_signature = b64.decode(lines.next()?.trim()).ok()?.try_into().ok()?;
        // Prehashed (`ED`), by the key of its place: what minisign requires before any check.
        if line.len() != 74 || &line[..2] != b"ED" || line[2..10] != public[2..10] {
            return None;
        }
        Some(Pending {
            address: cache_key,
            key: public[10..42].try_into().ok()?,
            signature: line[10..74].try_into().ok()?,
            comment,
            comment_signature,
            version,
        })
    }
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
