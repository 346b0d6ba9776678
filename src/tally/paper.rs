//! Paper signatures and ballots: a batch collected in person counts once a member attests
//! its exact count (SPEC §4, verb `attest`).

use std::collections::BTreeMap;

use crate::signatures::keys::KeyId;

/// A paper batch and whether it counts.
#[derive(Debug, Clone)]
pub struct PaperTally {
    /// The batch file.
    pub path: String,
    /// Signatures (or ballots) it holds.
    pub count: u64,
    /// Members who attested it with the right number.
    pub attested_by: Vec<KeyId>,
    /// Counted: at least one member attested exactly `count`.
    pub counted: bool,
    /// Why not, when not.
    pub problem: Option<PaperProblem>,
}

/// Why a paper batch is not counted. Words for each are the theme's (`paper_problem_*`), in
/// the site's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaperProblem {
    /// An attestation names another number than the batch's `count`.
    WrongCount {
        /// The number the attestation names (as written).
        attested: String,
        /// The batch's count.
        count: u64,
    },
    /// The only attestations arrived after the vote closed.
    AttestedLate(KeyId),
    /// Attested by a key that is not a member.
    NotMember(KeyId),
    /// No member attested it.
    NotAttested,
    /// A paper ballot of the batch is not a valid ballot of the vote.
    Ballot {
        /// The ballot as written in the batch.
        text: String,
        /// What is wrong with it.
        problem: crate::tally::decide::ballot::Problem,
    },
    /// Its ballots do not add up to its count.
    Sum {
        /// What the ballots add up to.
        sum: u64,
        /// The batch's count.
        count: u64,
    },
    /// Collected before the vote opened or after it closed.
    OutsidePeriod,
    /// The sheets carried a text (`text:`, as printed on the sheet) that is no version of the
    /// initiative.
    UnknownText(String),
}

impl PaperProblem {
    /// The theme string's suffix, `paper_problem_<key>`.
    pub fn key(&self) -> &'static str {
        match self {
            PaperProblem::WrongCount { .. } => "wrong_count",
            PaperProblem::AttestedLate(_) => "late",
            PaperProblem::NotMember(_) => "not_member",
            PaperProblem::NotAttested => "not_attested",
            PaperProblem::Ballot { .. } => "ballot",
            PaperProblem::Sum { .. } => "sum",
            PaperProblem::OutsidePeriod => "outside_period",
            PaperProblem::UnknownText(_) => "unknown_text",
        }
    }
}

/// Attestations of paper batches: batch path → (attesting key, the number it attests, arrival).
pub type Attestations = BTreeMap<String, Vec<(KeyId, Option<String>, Option<i64>)>>;

/// Whether a paper batch counts: at least one member attested exactly its count (and, with
/// `deadline`, their attestation arrived by then; `None` arrival means not committed yet).
pub fn paper_tally(
    batch: &crate::load::signatures::PaperBatch,
    attestations: &Attestations,
    is_member: impl Fn(&KeyId) -> bool,
    deadline: Option<(i64, i64)>,
) -> PaperTally {
    let mut p = PaperTally {
        path: batch.path.clone(),
        count: batch.meta.count,
        attested_by: Vec::new(),
        counted: false,
        problem: None,
    };
    for (key, n, arrived) in attestations.get(&batch.path).map(Vec::as_slice).unwrap_or(&[]) {
        let n_ok = n.as_deref().and_then(|n| n.parse::<u64>().ok()) == Some(batch.meta.count);
        let late = deadline.is_some_and(|(closes, now)| arrived.unwrap_or(now) > closes);
        if !n_ok {
            p.problem = Some(PaperProblem::WrongCount {
                attested: n.clone().unwrap_or_else(|| "?".into()),
                count: batch.meta.count,
            });
        } else if late {
            p.problem = Some(PaperProblem::AttestedLate(*key));
        } else if is_member(key) {
            p.attested_by.push(*key);
        } else if p.problem.is_none() {
            p.problem = Some(PaperProblem::NotMember(*key));
        }
    }
    p.counted = !p.attested_by.is_empty();
    if p.counted {
        p.problem = None;
    } else if p.problem.is_none() {
        p.problem = Some(PaperProblem::NotAttested);
    }
    p
}
