//! The two draw algorithms of SPEC §6, as pure functions from a seed and a pool to the
//! selection and every step that led to it, so that anyone can follow and recompute a draw.
//! docs/sortition.md specifies both precisely; `tests/sortition_reference.py` reimplements them
//! from that text and is compared with this module.
//!
//! Both start from the same pool: candidate ids sorted by their UTF-8 bytes, duplicates
//! removed. Draw `i` picks among the candidates still eligible, in that order; with strata,
//! the candidates whose stratum is full are removed before each draw.

use std::collections::BTreeMap;

use md5::Md5;
use num_bigint::BigUint;
use num_traits::{One, Zero};
use sha2::{Digest, Sha256};

/// One candidate of a pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its id: a key id, a slug, a name.
    pub id: String,
    /// Its value of the stratifying attribute, if the draw has strata.
    pub stratum: Option<String>,
}

/// Which algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// SHA-256 of `seed/i/j` with rejection sampling (pnyx's own, the default).
    PnyxSha256,
    /// RFC 3797: MD5 of the index around the key string, modulo the remaining pool.
    Rfc3797,
}

/// One hash computed during a draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Try {
    /// `j` for pnyx-sha256 (0, 1, … until a hash is accepted); 0 for RFC 3797.
    pub j: u32,
    /// The hash, in upper-case hexadecimal.
    pub hash: String,
    /// Whether it was used (pnyx-sha256 rejects hashes above the largest multiple of n).
    pub accepted: bool,
}

/// One draw: which candidates were eligible, the hashes, the pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The draw's number, from 0.
    pub index: usize,
    /// Candidates removed just before this draw because their stratum was full.
    pub removed: Vec<String>,
    /// How many candidates were eligible.
    pub eligible: usize,
    /// The hashes computed.
    pub tries: Vec<Try>,
    /// The picked candidate's position among the eligible ones, from 0.
    pub position: usize,
    /// The picked candidate's id.
    pub pick: String,
}

/// A whole draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    /// The pool as drawn from: sorted, without duplicates.
    pub pool: Vec<Candidate>,
    /// Every step.
    pub steps: Vec<Step>,
}

impl Draw {
    /// The selected ids, in draw order.
    pub fn selected(&self) -> Vec<&str> {
        self.steps.iter().map(|s| s.pick.as_str()).collect()
    }
}

/// The pool sorted by the UTF-8 bytes of the ids, duplicates (same id) removed: the first one
/// is kept.
pub fn normalise(pool: &[Candidate]) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = pool.to_vec();
    out.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    out.dedup_by(|b, a| a.id == b.id);
    out
}

/// Draws `seats` candidates from `pool` with `seed` (the seed value's bytes for pnyx-sha256,
/// the key string for RFC 3797). `quotas` caps the seats per stratum value; under quotas a
/// candidate whose stratum has no quota cannot be drawn.
pub fn draw(
    method: Method,
    seed: &[u8],
    pool: &[Candidate],
    seats: usize,
    quotas: Option<&BTreeMap<String, u32>>,
) -> Draw {
    let pool = normalise(pool);
    let mut remaining: Vec<&Candidate> = pool.iter().collect();
    let mut filled: BTreeMap<&str, u32> = BTreeMap::new();
    let mut steps = Vec::new();
    let mut index = 0usize;
    while steps.len() < seats {
        let mut removed = Vec::new();
        if let Some(quotas) = quotas {
            remaining.retain(|c| {
                let room = c.stratum.as_deref().is_some_and(|s| {
                    quotas.get(s).copied().unwrap_or(0) > filled.get(s).copied().unwrap_or(0)
                });
                if !room {
                    removed.push(c.id.clone());
                }
                room
            });
        }
        let n = remaining.len();
        if n == 0 {
            break;
        }
        let (tries, position) = match method {
            Method::PnyxSha256 => pnyx_sha256_pick(seed, index, n),
            Method::Rfc3797 => rfc3797_pick(seed, index, n),
        };
        let picked = remaining.remove(position);
        if let Some(s) = &picked.stratum {
            *filled.entry(s.as_str()).or_default() += 1;
        }
        steps.push(Step {
            index,
            removed,
            eligible: n,
            tries,
            position,
            pick: picked.id.clone(),
        });
        index += 1;
    }
    Draw { pool, steps }
}

/// pnyx-sha256, draw `i` among `n`: `h = SHA-256(seed "/" i "/" j)` for j = 0, 1, … until
/// `h < 2^256 − (2^256 mod n)`; the pick is `h mod n`.
fn pnyx_sha256_pick(seed: &[u8], i: usize, n: usize) -> (Vec<Try>, usize) {
    let n_big = BigUint::from(n);
    let space = BigUint::one() << 256u32;
    let limit = &space - (&space % &n_big);
    let mut tries = Vec::new();
    for j in 0u32.. {
        let mut hasher = Sha256::new();
        hasher.update(seed);
        hasher.update(format!("/{i}/{j}").as_bytes());
        let digest = hasher.finalize();
        let h = BigUint::from_bytes_be(&digest);
        let accepted = h < limit;
        tries.push(Try {
            j,
            hash: hex_upper(&digest),
            accepted,
        });
        if accepted {
            let pick = (h % &n_big).to_u64_digits().first().copied().unwrap_or(0);
            return (tries, pick as usize);
        }
    }
    unreachable!("the probability of rejecting every hash is 0")
}

/// RFC 3797, selection `i` among `n`: MD5 of `i` as two big-endian bytes, the key string, and
/// `i` again; the 128-bit big-endian value modulo `n` is the pick.
fn rfc3797_pick(key: &[u8], i: usize, n: usize) -> (Vec<Try>, usize) {
    let index = (i as u16).to_be_bytes();
    let mut hasher = Md5::new();
    hasher.update(index);
    hasher.update(key);
    hasher.update(index);
    let digest = hasher.finalize();
    let h = BigUint::from_bytes_be(&digest);
    let r = h % BigUint::from(n);
    let pick = if r.is_zero() {
        0
    } else {
        r.to_u64_digits()[0] as usize
    };
    (
        vec![Try {
            j: 0,
            hash: hex_upper(&digest),
            accepted: true,
        }],
        pick,
    )
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The RFC 3797 key string of a seed value written as its sources separated by `/`, each a
/// list of whole numbers (separated by spaces, dots or commas): each source's numbers in
/// ascending order, each followed by `.`, and each source followed by `/`. So
/// `9319 / 2 5 8 10 12 / 9 18 26 34 41 45` and the key itself both give
/// `9319./2.5.8.10.12./9.18.26.34.41.45./`.
pub fn rfc3797_key(value: &str) -> Result<String, String> {
    let mut key = String::new();
    let sources: Vec<&str> = value.trim().trim_end_matches('/').split('/').collect();
    for (n, source) in sources.iter().enumerate() {
        let mut numbers = Vec::new();
        for word in source.split(|c: char| c.is_whitespace() || c == '.' || c == ',') {
            if word.is_empty() {
                continue;
            }
            if !word.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`{word}` in source {} is not a whole number: RFC 3797 draws from numbers only",
                    n + 1
                ));
            }
            // Leading zeros are dropped, as the RFC writes numbers in decimal.
            let digits = word.trim_start_matches('0');
            numbers.push(if digits.is_empty() {
                "0".to_string()
            } else {
                digits.to_string()
            });
        }
        if numbers.is_empty() {
            return Err(format!("source {} has no number", n + 1));
        }
        numbers.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        for x in numbers {
            key.push_str(&x);
            key.push('.');
        }
        key.push('/');
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates 1..=n, as RFC 3797 numbers them. Their ids are zero-padded so that sorting
    /// by bytes keeps the numeric order.
    fn numbered(n: usize) -> Vec<Candidate> {
        (1..=n)
            .map(|i| Candidate {
                id: format!("{i:03}"),
                stratum: None,
            })
            .collect()
    }

    fn picks(d: &Draw) -> Vec<usize> {
        d.selected().iter().map(|s| s.parse().unwrap()).collect()
    }

    /// RFC 3797 §6: its key, a pool of 25, sixteen selections.
    #[test]
    fn reproduces_the_rfc_3797_worked_example() {
        let key = rfc3797_key("9319 / 2 5 8 10 12 / 9 18 26 34 41 45").unwrap();
        assert_eq!(key, "9319./2.5.8.10.12./9.18.26.34.41.45./");
        assert_eq!(rfc3797_key(&key).unwrap(), key, "the key reads as itself");
        let d = draw(Method::Rfc3797, key.as_bytes(), &numbered(25), 16, None);
        assert_eq!(
            picks(&d),
            vec![17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22, 5, 18, 9, 1, 4]
        );
        assert_eq!(d.steps[0].eligible, 25);
        assert_eq!(d.steps[15].eligible, 10);
    }

    /// The IETF NomCom 2012 selection (the chair's published test case): four sources, two of
    /// them lottery draws given in drawing order, a pool of 134, twelve selected.
    #[test]
    fn reproduces_the_nomcom_2012_selection() {
        let key = rfc3797_key("17 20 22 35 38 48 36 / 90193202 / 55598744 / 11 17 21 48 50 9 10").unwrap();
        assert_eq!(
            key,
            "17.20.22.35.36.38.48./90193202./55598744./9.10.11.17.21.48.50./"
        );
        let d = draw(Method::Rfc3797, key.as_bytes(), &numbered(134), 12, None);
        assert_eq!(picks(&d), vec![90, 25, 92, 126, 24, 31, 122, 96, 81, 132, 2, 41]);
        assert!(
            d.steps[0].tries[0].hash.starts_with("CA30D599"),
            "{}",
            d.steps[0].tries[0].hash
        );
        assert!(d.steps[0].tries[0].hash.ends_with("4159"));
    }

    /// NomCom 2013: leading zeros of a source are dropped (08285182 is 8285182).
    #[test]
    fn reproduces_the_nomcom_2013_selection() {
        let key = rfc3797_key("7 8 11 17 19 25 46 / 08285182 / 60115701 / 2 3 18 26 32 33 42").unwrap();
        assert_eq!(key, "7.8.11.17.19.25.46./8285182./60115701./2.3.18.26.32.33.42./");
        let d = draw(Method::Rfc3797, key.as_bytes(), &numbered(154), 12, None);
        assert_eq!(
            picks(&d),
            vec![138, 151, 89, 112, 117, 145, 118, 143, 144, 122, 95, 139]
        );
    }

    #[test]
    fn a_key_needs_numbers() {
        assert!(rfc3797_key("12 / abc").unwrap_err().contains("`abc` in source 2"));
        assert!(rfc3797_key("12 //3")
            .unwrap_err()
            .contains("source 2 has no number"));
    }

    /// pnyx-sha256 by hand: with 3 candidates, draw 0 hashes `seed/0/0`, and so on.
    #[test]
    fn pnyx_sha256_follows_the_spec_by_hand() {
        let pool: Vec<Candidate> = ["carol", "alice", "bob", "alice"]
            .iter()
            .map(|id| Candidate {
                id: id.to_string(),
                stratum: None,
            })
            .collect();
        let d = draw(Method::PnyxSha256, b"graine", &pool, 2, None);
        assert_eq!(
            d.pool.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["alice", "bob", "carol"],
            "sorted, duplicates removed"
        );
        let h0 = Sha256::digest(b"graine/0/0");
        let first = (BigUint::from_bytes_be(&h0) % 3u32)
            .to_u64_digits()
            .first()
            .copied()
            .unwrap_or(0) as usize;
        assert_eq!(d.steps[0].tries[0].hash, hex_upper(&h0));
        assert_eq!(d.steps[0].pick, ["alice", "bob", "carol"][first]);
        let mut left = vec!["alice", "bob", "carol"];
        left.remove(first);
        let h1 = Sha256::digest(b"graine/1/0");
        let second = (BigUint::from_bytes_be(&h1) % 2u32)
            .to_u64_digits()
            .first()
            .copied()
            .unwrap_or(0) as usize;
        assert_eq!(d.steps[1].pick, left[second]);
        assert_eq!(d.steps[1].eligible, 2);
    }

    /// The rejection rule: with n = 2^k every hash is accepted; the limit excludes exactly the
    /// top `2^256 mod n` values.
    #[test]
    fn rejection_keeps_picks_uniform() {
        let d = draw(Method::PnyxSha256, b"x", &numbered(4), 4, None);
        assert!(d.steps.iter().all(|s| s.tries.len() == 1 && s.tries[0].accepted));
        assert_eq!(d.steps.len(), 4);
        let mut sorted = picks(&d);
        sorted.sort_unstable();
        assert_eq!(sorted, vec![1, 2, 3, 4], "everyone once");
    }

    #[test]
    fn quotas_are_never_exceeded_and_unlisted_strata_are_not_drawn() {
        let pool: Vec<Candidate> = (0..30)
            .map(|i| Candidate {
                id: format!("c{i:02}"),
                stratum: Some(["nord", "sud", "est", "ouest"][i % 4].to_string()),
            })
            .collect();
        let quotas: BTreeMap<String, u32> = [("nord", 2), ("sud", 1), ("est", 3)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        for seed in 0..50 {
            let seed = format!("seed-{seed}");
            for method in [Method::PnyxSha256, Method::Rfc3797] {
                let d = draw(method, seed.as_bytes(), &pool, 10, Some(&quotas));
                assert_eq!(d.steps.len(), 6, "only 2 + 1 + 3 seats can be filled");
                let mut per: BTreeMap<String, u32> = BTreeMap::new();
                for s in &d.steps {
                    let c = d.pool.iter().find(|c| c.id == s.pick).unwrap();
                    *per.entry(c.stratum.clone().unwrap()).or_default() += 1;
                }
                assert_eq!(per.get("nord"), Some(&2));
                assert_eq!(per.get("sud"), Some(&1));
                assert_eq!(per.get("est"), Some(&3));
                assert_eq!(per.get("ouest"), None);
                assert!(
                    d.steps[0].removed.len() == 7,
                    "the 7 `ouest` go before the first draw"
                );
            }
        }
    }

    #[test]
    fn more_seats_than_candidates_draws_everyone() {
        let d = draw(Method::PnyxSha256, b"s", &numbered(3), 10, None);
        assert_eq!(d.steps.len(), 3);
        let d = draw(Method::Rfc3797, b"s", &[], 2, None);
        assert!(d.steps.is_empty());
    }
}
