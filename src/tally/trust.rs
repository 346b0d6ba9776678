//! The web of trust (SPEC §4): the roots are members; a key certified, and not revoked, by at
//! least `trust.certifications` members is a member. Computed as a fixpoint, so a
//! certification by a non-member counts as soon as its author becomes a member, and a ring of
//! non-members certifying each other creates no member.

use std::collections::{BTreeMap, BTreeSet};

use crate::signatures::keys::KeyId;

/// One key's certification of another: its latest statement about that key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certification {
    /// Who certifies.
    pub by: KeyId,
    /// Whom.
    pub subject: KeyId,
    /// `false` for a revocation.
    pub active: bool,
    /// When it arrived (`None`: not committed yet).
    pub arrived: Option<i64>,
}

/// Who is a member, since when, and who certified whom.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Members; `since` is `None` for roots, else when the last needed certification arrived.
    pub members: BTreeMap<KeyId, Option<i64>>,
    /// The roots.
    pub roots: BTreeSet<KeyId>,
    /// Active certifications by subject.
    pub certified_by: BTreeMap<KeyId, Vec<Certification>>,
    /// Revocations by subject.
    pub revoked_by: BTreeMap<KeyId, Vec<Certification>>,
}

impl Trust {
    /// True when `key` is a member.
    pub fn is_member(&self, key: &KeyId) -> bool {
        self.members.contains_key(key)
    }
}

/// Computes the members from the roots and every key's latest certification statements.
/// `now` stands for statements not committed yet.
pub fn compute(roots: &[KeyId], certifications: &[Certification], needed: u32, now: i64) -> Trust {
    let mut trust = Trust {
        roots: roots.iter().copied().collect(),
        ..Default::default()
    };
    for c in certifications {
        if c.by == c.subject {
            continue; // certifying oneself proves nothing
        }
        let map = if c.active {
            &mut trust.certified_by
        } else {
            &mut trust.revoked_by
        };
        map.entry(c.subject).or_default().push(*c);
    }
    let mut members: BTreeSet<KeyId> = trust.roots.clone();
    loop {
        let before = members.len();
        for (subject, certs) in &trust.certified_by {
            if members.contains(subject) {
                continue;
            }
            let by_members = certs.iter().filter(|c| members.contains(&c.by)).count();
            if by_members >= needed as usize {
                members.insert(*subject);
            }
        }
        if members.len() == before {
            break;
        }
    }
    for m in &members {
        let since = if trust.roots.contains(m) {
            None
        } else {
            // When the last certification it needed (by a member) arrived.
            let mut times: Vec<i64> = trust.certified_by[m]
                .iter()
                .filter(|c| members.contains(&c.by))
                .map(|c| c.arrived.unwrap_or(now))
                .collect();
            times.sort_unstable();
            times.get((needed as usize).saturating_sub(1)).copied()
        };
        trust.members.insert(*m, since);
    }
    trust
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(n: u64) -> KeyId {
        KeyId(n)
    }

    fn cert(by: u64, subject: u64) -> Certification {
        Certification {
            by: k(by),
            subject: k(subject),
            active: true,
            arrived: Some(by as i64),
        }
    }

    #[test]
    fn three_members_make_a_member_and_the_fixpoint_propagates() {
        let roots = [k(1), k(2), k(3)];
        // 4 is certified by the roots; 5 by 1, 2 and 4 (a member once 4 is).
        let certs = [
            cert(1, 4),
            cert(2, 4),
            cert(3, 4),
            cert(1, 5),
            cert(2, 5),
            cert(4, 5),
            cert(1, 6),
            cert(2, 6),
        ];
        let t = compute(&roots, &certs, 3, 100);
        assert!(t.is_member(&k(4)) && t.is_member(&k(5)));
        assert!(!t.is_member(&k(6)), "two certifications are not enough");
    }

    #[test]
    fn a_ring_of_non_members_creates_no_member() {
        let roots = [k(1), k(2), k(3)];
        let certs = [
            cert(7, 8),
            cert(8, 9),
            cert(9, 7),
            cert(8, 7),
            cert(9, 8),
            cert(7, 9),
            cert(1, 7),
        ];
        let t = compute(&roots, &certs, 3, 100);
        assert_eq!(t.members.len(), 3);
    }

    #[test]
    fn a_revocation_removes_a_certification_and_self_certification_counts_for_nothing() {
        let roots = [k(1), k(2), k(3)];
        let mut certs = vec![cert(1, 4), cert(2, 4), cert(3, 4)];
        assert!(compute(&roots, &certs, 3, 100).is_member(&k(4)));
        certs[2].active = false;
        assert!(!compute(&roots, &certs, 3, 100).is_member(&k(4)));
        certs.push(cert(4, 4));
        assert!(!compute(&roots, &certs, 3, 100).is_member(&k(4)));
    }
}
