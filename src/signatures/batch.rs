//! Batched Ed25519 verification: thousands of signature checks at once, about twice as fast
//! as one by one. It is a fast path that can only say "valid": whatever it does not show
//! valid is checked again one by one by the reference (the minisign crate), which names the
//! bad ones and says why.
//!
//! It must never accept what single verification rejects. minisign's verification, like
//! libsodium's, is *cofactorless*: it computes R′ = \[S\]B − \[k\]A and compares R′'s encoding
//! with the bytes of R. The plain batch equation Σ zᵢ(\[Sᵢ\]B − Rᵢ − \[kᵢ\]Aᵢ) = 0 disagrees with
//! it on known edge cases ("Taming the many EdDSAs", Chalkias, Garillot and Nikolaenko,
//! 2020; the test vectors of `ed25519-speccheck`):
//! - a scalar S ≥ L, a non-canonical encoding of R or A, a point of small order: left to
//!   single verification, which rejects or reads them its own way ([`decode`]);
//! - a point with a small-order component (of mixed order): its torsion part T survives in
//!   the batch sum as zᵢT, which vanishes whenever the order of T divides zᵢ, so the batch
//!   would accept, one time in two to eight, what single verification always rejects. So
//!   every R and A of a batch is first shown to be torsion-free ([`torsion_free`]).
//!
//! With every point of prime order, a batch holding a bad signature passes the equation with
//! probability at most 2⁻¹²⁸ for random 128-bit zᵢ. The zᵢ and the subsets of the torsion test
//! come from the operating system's random source, so a contributor cannot choose signatures
//! that cancel out.

use std::collections::HashMap;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity as _, IsIdentity as _, VartimeMultiscalarMul as _};
use sha2::{Digest as _, Sha512};

/// One signature check: `signature` (R ‖ S) by `key` over the concatenation of `message`.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// The public key's 32 bytes.
    pub key: &'a [u8; 32],
    /// The signature's 64 bytes.
    pub signature: &'a [u8; 64],
    /// The signed message, in two parts (minisign's comment signature signs the data
    /// signature followed by the comment).
    pub message: [&'a [u8]; 2],
}

/// Below this many checks, a batch that fails is not split further: its checks are left to
/// single verification, which names the bad ones.
const SMALLEST: usize = 16;

/// How many random subset sums [`torsion_free`] checks: a point with a torsion part slips
/// through each with probability at most 1/2.
const ROUNDS: usize = 64;

/// Which of `checks` are valid, as single verification would say. `true` is certain (up to
/// the probabilities above); `false` means "not shown here": check it one by one.
///
/// A batch that fails is split in halves, each tried again with fresh randomness, so one bad
/// signature costs a few more batches, not the single verification of all the others.
pub fn verified(checks: &[Check<'_>]) -> Vec<bool> {
    let mut out = vec![false; checks.len()];
    let mut keys: HashMap<[u8; 32], Option<EdwardsPoint>> = HashMap::new();
    let prepared: Vec<Option<Prepared>> = checks
        .iter()
        .map(|check| {
            let key = (*keys.entry(*check.key).or_insert_with(|| decode(check.key)))?;
            Prepared::new(check, key)
        })
        .collect();
    let candidates: Vec<usize> = (0..checks.len()).filter(|&i| prepared[i].is_some()).collect();
    settle(&prepared, &candidates, &mut out);
    out
}

/// A check whose points and scalar passed the screening, ready for the batch equation.
struct Prepared {
    /// The key's bytes, to merge the terms of one key.
    key_bytes: [u8; 32],
    key: EdwardsPoint,
    r: EdwardsPoint,
    s: Scalar,
    /// k = SHA-512(R ‖ A ‖ message) mod L.
    k: Scalar,
}

impl Prepared {
    fn new(check: &Check<'_>, key: EdwardsPoint) -> Option<Prepared> {
        let r_bytes: &[u8; 32] = check.signature[..32].try_into().ok()?;
        let s_bytes: [u8; 32] = check.signature[32..].try_into().ok()?;
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
        let r = decode(r_bytes)?;
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(check.key);
        h.update(check.message[0]);
        h.update(check.message[1]);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        Some(Prepared {
            key_bytes: *check.key,
            key,
            r,
            s,
            k,
        })
    }
}

/// A point for the batch: canonically encoded (y < p) and not of small order; `None` sends
/// its checks to single verification.
fn decode(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    // y ≥ p = 2²⁵⁵ − 19 is the one non-canonical encoding of y; the other (x = 0 with the sign
    // bit set) only concerns points of small order, refused below.
    let top = bytes[31] & 0x7f;
    if top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed {
        return None;
    }
    let point = CompressedEdwardsY(*bytes).decompress()?;
    (!point.is_small_order()).then_some(point)
}

/// Marks `ids` valid if their batch holds, else splits it.
fn settle(prepared: &[Option<Prepared>], ids: &[usize], out: &mut [bool]) {
    if ids.is_empty() {
        return;
    }
    if holds(prepared, ids) {
        for &i in ids {
            out[i] = true;
        }
        return;
    }
    if ids.len() <= SMALLEST {
        return;
    }
    let (left, right) = ids.split_at(ids.len() / 2);
    settle(prepared, left, out);
    settle(prepared, right, out);
}

/// Whether every check of `ids` is valid: their points torsion-free, then the batch
/// equation Σ zᵢRᵢ + Σ_A (Σ zᵢkᵢ) A − (Σ zᵢSᵢ) B = 0, the terms of one key merged.
fn holds(prepared: &[Option<Prepared>], ids: &[usize]) -> bool {
    let checks: Vec<&Prepared> = ids.iter().filter_map(|&i| prepared[i].as_ref()).collect();
    let Some(z) = random_scalars(checks.len()) else {
        return false;
    };
    let mut keys: HashMap<[u8; 32], (EdwardsPoint, Scalar)> = HashMap::new();
    let mut scalars = Vec::with_capacity(checks.len() + 1);
    let mut points = Vec::with_capacity(checks.len() + 1);
    let mut b = Scalar::ZERO;
    for (check, z) in checks.iter().zip(&z) {
        scalars.push(*z);
        points.push(check.r);
        keys.entry(check.key_bytes).or_insert((check.key, Scalar::ZERO)).1 += z * check.k;
        b -= z * check.s;
    }
    for (point, coefficient) in keys.into_values() {
        points.push(point);
        scalars.push(coefficient);
    }
    if !torsion_free(&points) {
        return false;
    }
    points.push(ED25519_BASEPOINT_POINT);
    scalars.push(b);
    EdwardsPoint::vartime_multiscalar_mul(&scalars, &points).is_identity()
}

/// Whether every point has no small-order component, shown at once for all: for
/// [`ROUNDS`] random subsets, the sum of the subset's points times L must be the identity.
/// If some point has a torsion part T ≠ 0, then, whatever the other choices, adding it or
/// not changes the sum's torsion part by T, so each sum is torsion-free with probability at
/// most 1/2; all of them, at most 2⁻⁶⁴.
pub fn torsion_free(points: &[EdwardsPoint]) -> bool {
    let Some(words) = random_words(points.len()) else {
        return false;
    };
    let sums: Vec<EdwardsPoint> = if points.len() >= 1024 {
        // Eight bits of each word at a time: the points sorted into 256 buckets by those
        // bits, then each bit's sum made from the 128 buckets that have it set.
        let mut sums = Vec::with_capacity(ROUNDS);
        for byte in 0..ROUNDS / 8 {
            let mut buckets = vec![EdwardsPoint::identity(); 256];
            for (point, word) in points.iter().zip(&words) {
                buckets[usize::from((word >> (8 * byte)) as u8)] += point;
            }
            for bit in 0..8 {
                let mut sum = EdwardsPoint::identity();
                for (value, bucket) in buckets.iter().enumerate() {
                    if value >> bit & 1 == 1 {
                        sum += bucket;
                    }
                }
                sums.push(sum);
            }
        }
        sums
    } else {
        (0..ROUNDS)
            .map(|bit| {
                let mut sum = EdwardsPoint::identity();
                for (point, word) in points.iter().zip(&words) {
                    if word >> bit & 1 == 1 {
                        sum += point;
                    }
                }
                sum
            })
            .collect()
    };
    sums.iter().all(EdwardsPoint::is_torsion_free)
}

/// `n` random 128-bit scalars from the operating system.
fn random_scalars(n: usize) -> Option<Vec<Scalar>> {
    let halves: Vec<[u8; 16]> = random(n)?;
    Some(
        halves
            .into_iter()
            .map(|half| {
                let mut wide = [0u8; 32];
                wide[..16].copy_from_slice(&half);
                Scalar::from_bytes_mod_order(wide)
            })
            .collect(),
    )
}

/// `n` random 64-bit words from the operating system.
fn random_words(n: usize) -> Option<Vec<u64>> {
    Some(random(n)?.into_iter().map(u64::from_le_bytes).collect())
}

/// `n` random arrays of `N` bytes from the operating system, in one call.
fn random<const N: usize>(n: usize) -> Option<Vec<[u8; N]>> {
    let mut arrays = vec![[0u8; N]; n];
    getrandom::fill(arrays.as_flattened_mut()).ok()?;
    Some(arrays)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use base64::Engine as _;
    use blake2::Blake2b512;
    use curve25519_dalek::constants::EIGHT_TORSION;

    use super::*;

    /// A key pair made by hand, so that tests can give its public key or its signatures a
    /// small-order part, as a contributor with their own key could.
    struct Signer {
        secret: Scalar,
        /// The public key: \[secret\]B, plus `torsion` when it is of mixed order.
        public: EdwardsPoint,
    }

    fn random_scalar() -> Scalar {
        let mut wide = [0u8; 64];
        getrandom::fill(&mut wide).unwrap();
        Scalar::from_bytes_mod_order_wide(&wide)
    }

    impl Signer {
        fn new(torsion: EdwardsPoint) -> Signer {
            let secret = random_scalar();
            Signer {
                secret,
                public: ED25519_BASEPOINT_POINT * secret + torsion,
            }
        }

        fn key(&self) -> [u8; 32] {
            self.public.compress().0
        }

        fn k(&self, r: &[u8], message: &[u8]) -> Scalar {
            let mut h = Sha512::new();
            h.update(r);
            h.update(self.key());
            h.update(message);
            Scalar::from_bytes_mod_order_wide(&h.finalize().into())
        }

        /// A signature whose R is \[r\]B + `torsion`: valid for single verification only when
        /// `torsion` is the identity.
        fn sign(&self, message: &[u8], torsion: EdwardsPoint) -> [u8; 64] {
            let nonce = random_scalar();
            let r = (ED25519_BASEPOINT_POINT * nonce + torsion).compress().0;
            let s = nonce + self.k(&r, message) * self.secret;
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&r);
            sig[32..].copy_from_slice(s.as_bytes());
            sig
        }
    }

    /// Single cofactorless verification as minisign's code does it (S < L, A decodes and is
    /// not the identity's encoding, then the encoding of \[S\]B − \[k\]A equals R's bytes),
    /// for raw vectors that cannot be wrapped in a minisign signature. Checked against
    /// minisign itself in `the_oracle_agrees_with_minisign_on_crafted_statements`.
    fn single(check: &Check<'_>) -> bool {
        let s_bytes: [u8; 32] = check.signature[32..].try_into().unwrap();
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
            return false;
        };
        let identity = {
            let mut y = *check.key;
            y[31] &= 0x7f;
            y[0] == 1 && y[1..].iter().all(|&b| b == 0)
        };
        let Some(a) = CompressedEdwardsY(*check.key).decompress().filter(|_| !identity) else {
            return false;
        };
        let mut h = Sha512::new();
        h.update(&check.signature[..32]);
        h.update(check.key);
        h.update(check.message[0]);
        h.update(check.message[1]);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let r = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a, &s);
        r.compress().0 == check.signature[..32]
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The edge cases of "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, 2020), as
    /// published in `cases.json` of github.com/novifinancial/ed25519-speccheck: message,
    /// public key, signature. Small-order and mixed-order A and R, S = 0, S ≥ L, and
    /// non-canonical encodings of R and A.
    const TAMING: [(&str, &str, &str); 15] = [
        ("2a66241a42a9ee12994d8068dcf1bb7dfc6637b45450acd43711f637fa5080fc", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000"),
        ("8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000"),
        ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
        ("9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
        ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa182ef1a5b928da07fec769cc8a12db6bcf70dab3f3227fa315e9d5e3e01a3405"),
        ("aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e"),
        ("9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009"),
        ("e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09"),
        ("e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405"),
        ("85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514"),
        ("85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22"),
        ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f"),
        ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908"),
        ("e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
        ("39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
    ];

    /// `n` valid checks by a few honest keys, owned.
    fn honest(n: usize) -> Vec<([u8; 32], [u8; 64], Vec<u8>)> {
        let signers: Vec<Signer> = (0..4).map(|_| Signer::new(EdwardsPoint::identity())).collect();
        (0..n)
            .map(|i| {
                let signer = &signers[i % signers.len()];
                let message = format!("message {i}").into_bytes();
                let sig = signer.sign(&message, EdwardsPoint::identity());
                (signer.key(), sig, message)
            })
            .collect()
    }

    fn checks(owned: &[([u8; 32], [u8; 64], Vec<u8>)]) -> Vec<Check<'_>> {
        owned
            .iter()
            .map(|(key, sig, message)| Check {
                key,
                signature: sig,
                message: [message, b""],
            })
            .collect()
    }

    #[test]
    fn a_batch_accepts_honest_signatures_and_names_a_bad_one() {
        let mut owned = honest(300);
        assert_eq!(verified(&checks(&owned)), vec![true; 300]);
        // One altered message: the others stay accepted, apart from those of its smallest
        // batch, which are left to single verification.
        owned[123].2.push(b'!');
        let out = verified(&checks(&owned));
        assert!(!out[123]);
        assert!(out.iter().filter(|&&v| v).count() >= 300 - SMALLEST);
        for (check, accepted) in checks(&owned).iter().zip(&out) {
            assert!(!accepted || single(check));
        }
    }

    #[test]
    fn the_batch_accepts_none_of_the_published_edge_cases() {
        let vectors: Vec<(Vec<u8>, [u8; 32], [u8; 64])> = TAMING
            .iter()
            .map(|(m, k, s)| (hex(m), hex(k).try_into().unwrap(), hex(s).try_into().unwrap()))
            .collect();
        let background = honest(200);
        for (n, (message, key, sig)) in vectors.iter().enumerate() {
            let case = Check {
                key,
                signature: sig,
                message: [message, b""],
            };
            // Alone and among 200 honest checks, many times over: a random coefficient that
            // hides a torsion part would show up as an acceptance.
            for round in 0..16 {
                let mut batch = checks(&background);
                let at = (round * 7) % batch.len();
                batch.insert(at, case);
                let out = verified(&batch);
                assert!(!out[at], "vector {n} accepted in a batch (round {round})");
                assert!(!verified(&[case])[0], "vector {n} accepted alone");
            }
        }
        // The oracle stands in for minisign here: cofactorless, it accepts the two vectors
        // whose equation holds exactly with canonical encodings (small-order points, which
        // the batch leaves to it) and rejects the cofactored-only ones.
        let accepted: Vec<usize> = (0..vectors.len())
            .filter(|&n| {
                let (message, key, sig) = &vectors[n];
                single(&Check {
                    key,
                    signature: sig,
                    message: [message, b""],
                })
            })
            .collect();
        assert!(
            !accepted.is_empty() && accepted.len() < vectors.len(),
            "{accepted:?}"
        );
    }

    #[test]
    fn a_signature_with_a_small_order_part_is_never_accepted_in_a_batch() {
        let honest_signer = Signer::new(EdwardsPoint::identity());
        let mixed_key = Signer::new(EIGHT_TORSION[1]);
        for round in 0..64 {
            let mut owned = honest(60);
            // R with a part of order 8, of order 2, and two R whose parts of order 2 cancel
            // out in a sum (z₁ + z₂ even one time in two); and a key of mixed order.
            let bad = [
                (
                    honest_signer.key(),
                    honest_signer.sign(b"a", EIGHT_TORSION[1]),
                    b"a".to_vec(),
                ),
                (
                    honest_signer.key(),
                    honest_signer.sign(b"b", EIGHT_TORSION[4]),
                    b"b".to_vec(),
                ),
                (
                    honest_signer.key(),
                    honest_signer.sign(b"c", EIGHT_TORSION[4]),
                    b"c".to_vec(),
                ),
                (
                    mixed_key.key(),
                    mixed_key.sign(b"d", EdwardsPoint::identity()),
                    b"d".to_vec(),
                ),
            ];
            owned.extend(bad.iter().cloned());
            let all = checks(&owned);
            let out = verified(&all);
            for (i, check) in all.iter().enumerate() {
                assert!(
                    !out[i] || single(check),
                    "round {round}: check {i} accepted but invalid"
                );
            }
            assert!(out[60..].iter().all(|v| !v), "round {round}");
        }
    }

    /// A minisign public key and statement built around crafted Ed25519 values.
    fn minisign_statement(
        signer: &Signer,
        data: &[u8],
        torsion: EdwardsPoint,
    ) -> (minisign::PublicKey, String) {
        let keynum = [7u8; 8];
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut pk = b"Ed".to_vec();
        pk.extend_from_slice(&keynum);
        pk.extend_from_slice(&signer.key());
        let public = minisign::PublicKey::from_base64(&b64.encode(&pk)).unwrap();
        let prehash: [u8; 64] = Blake2b512::digest(data).into();
        let sig = signer.sign(&prehash, torsion);
        let comment = "pnyx/1 support";
        let mut global_message = sig.to_vec();
        global_message.extend_from_slice(comment.as_bytes());
        let global = signer.sign(&global_message, EdwardsPoint::identity());
        let mut line = b"ED".to_vec();
        line.extend_from_slice(&keynum);
        line.extend_from_slice(&sig);
        let text = format!(
            "untrusted comment: crafted\n{}\ntrusted comment: {comment}\n{}\n",
            b64.encode(&line),
            b64.encode(global)
        );
        (public, text)
    }

    #[test]
    fn the_oracle_agrees_with_minisign_on_crafted_statements() {
        let cases = [
            (EdwardsPoint::identity(), EdwardsPoint::identity()),
            (EdwardsPoint::identity(), EIGHT_TORSION[1]),
            (EdwardsPoint::identity(), EIGHT_TORSION[4]),
            (EIGHT_TORSION[2], EdwardsPoint::identity()),
            (EIGHT_TORSION[4], EIGHT_TORSION[4]),
        ];
        for (n, (key_torsion, r_torsion)) in cases.into_iter().enumerate() {
            for round in 0..32 {
                let signer = Signer::new(key_torsion);
                let data = format!("texte {n} {round}");
                let (public, text) = minisign_statement(&signer, data.as_bytes(), r_torsion);
                let sigbox = minisign::SignatureBox::from_string(&text).unwrap();
                let by_minisign =
                    minisign::verify(&public, &sigbox, Cursor::new(data.as_bytes()), true, false, false)
                        .is_ok();
                let lines: Vec<&str> = text.lines().collect();
                let b64 = base64::engine::general_purpose::STANDARD;
                let sig: [u8; 64] = b64.decode(lines[1]).unwrap()[10..].try_into().unwrap();
                let prehash: [u8; 64] = Blake2b512::digest(data.as_bytes()).into();
                let key = signer.key();
                let data_check = Check {
                    key: &key,
                    signature: &sig,
                    message: [&prehash, b""],
                };
                let global: [u8; 64] = b64.decode(lines[3]).unwrap().try_into().unwrap();
                let comment = lines[2].strip_prefix("trusted comment: ").unwrap();
                let comment_check = Check {
                    key: &key,
                    signature: &global,
                    message: [&sig, comment.as_bytes()],
                };
                let both = [data_check, comment_check];
                assert_eq!(both.iter().all(single), by_minisign, "case {n}, round {round}");
                assert!(
                    !verified(&both).iter().all(|&v| v) || by_minisign,
                    "case {n}, round {round}"
                );
            }
        }
    }
}
