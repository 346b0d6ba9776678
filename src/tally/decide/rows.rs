//! The decisions as open data (SPEC §9): the rows of `data/votes.json` and `data/budgets.json`,
//! which `pnyx tally` prints and `pnyx check` compares, so the three always agree.

use std::collections::BTreeMap;

use serde::Serialize;

use super::count::{BudgetTally, Count, VoteTally};
use crate::content::{BudgetMethod, Content};

/// Ballots counted, by origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BallotCounts {
    /// Of members.
    pub members: u64,
    /// Of other keys.
    pub others: u64,
    /// On paper.
    pub paper: u64,
}

impl BallotCounts {
    /// Every counted ballot.
    pub fn total(&self) -> u64 {
        self.members + self.others + self.paper
    }
}

/// A vote in `votes.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteRow {
    /// Slug.
    pub slug: String,
    /// Method.
    pub method: &'static str,
    /// upcoming / open / closed.
    pub phase: &'static str,
    /// Ballots counted.
    pub ballots: BallotCounts,
    /// Ballots refused.
    pub refused: usize,
    /// Ballots needed, if there is a quorum.
    pub quorum: Option<u64>,
    /// Whether the quorum is met.
    pub quorum_met: bool,
    /// open / adopted / rejected / no-quorum / ranked.
    pub outcome: &'static str,
    /// Option ids, best first (ties in option order); empty for `majority`.
    pub ranking: Vec<String>,
    /// 1-based rank per option, ties sharing one.
    pub ranks: BTreeMap<String, usize>,
    /// Per option: votes (majority), approvals (approval, dates), Schulze wins (ranked),
    /// majority grade (judgment).
    pub scores: BTreeMap<String, serde_json::Value>,
}

/// A budget in `budgets.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetRow {
    /// Slug.
    pub slug: String,
    /// The budget's own rule.
    pub method: &'static str,
    /// upcoming / open / closed.
    pub phase: &'static str,
    /// Money to spend.
    pub total: u64,
    /// Currency.
    pub currency: String,
    /// Ballots counted.
    pub ballots: BallotCounts,
    /// Spent by the budget's rule.
    pub spent: u64,
    /// Project slugs funded by the budget's rule, in selection order.
    pub selected: Vec<String>,
    /// Both rules' selections, for comparison.
    pub rules: BTreeMap<&'static str, Vec<String>>,
    /// Approvals per project.
    pub approvals: BTreeMap<String, u64>,
}

/// Every vote's row of `votes.json`.
pub fn vote_rows(content: &Content, tallies: &BTreeMap<String, VoteTally>) -> Vec<VoteRow> {
    use serde_json::json;
    content
        .votes
        .values()
        .filter_map(|v| {
            let t: &VoteTally = tallies.get(&v.slug)?;
            let id = |i: usize| v.meta.options[i].id.clone();
            let scores = match &t.count {
                Count::Majority { yes, no, abstain, .. } => v
                    .meta
                    .options
                    .iter()
                    .map(|o| {
                        let n = match o.id.as_str() {
                            "yes" => *yes,
                            "no" => *no,
                            _ => *abstain,
                        };
                        (o.id.clone(), json!(n))
                    })
                    .collect(),
                Count::Approval(a) => (0..a.len()).map(|i| (id(i), json!(a[i]))).collect(),
                Count::Ranked(s) => (0..s.wins.len()).map(|i| (id(i), json!(s.wins[i]))).collect(),
                Count::Judgment(_, j) => (0..j.majority_grade.len())
                    .map(|i| {
                        let g = j.majority_grade[i].and_then(|g| v.meta.grades.get(g));
                        (id(i), json!(g))
                    })
                    .collect(),
            };
            let decided = t.decided_order();
            Some(VoteRow {
                slug: v.slug.clone(),
                method: v.meta.method.key(),
                phase: t.phase.key(),
                ballots: BallotCounts {
                    members: t.ballots.members,
                    others: t.ballots.others,
                    paper: t.ballots.paper_total,
                },
                refused: t.ballots.refused.len(),
                quorum: t.quorum,
                quorum_met: t.quorum_met,
                outcome: t.outcome.key(),
                // A vote that missed its quorum decided nothing: no ranking is published.
                ranking: decided.iter().map(|&i| id(i)).collect(),
                ranks: decided.iter().map(|&i| (id(i), t.ranks[i])).collect(),
                scores,
            })
        })
        .collect()
}

/// Every budget's row of `budgets.json`.
pub fn budget_rows(content: &Content, tallies: &BTreeMap<String, BudgetTally>) -> Vec<BudgetRow> {
    content
        .budgets
        .values()
        .filter_map(|b| {
            let t = tallies.get(&b.slug)?;
            let ids = |a: &crate::tally::decide::budget::Allocation| {
                a.funded
                    .iter()
                    .map(|f| t.projects[f.project].id.clone())
                    .collect::<Vec<_>>()
            };
            let chosen = t.chosen(b.meta.method);
            let mut rules = std::collections::BTreeMap::new();
            rules.insert("greedy", ids(&t.greedy));
            rules.insert("equal-shares", ids(&t.shares.allocation));
            Some(BudgetRow {
                slug: b.slug.clone(),
                method: match b.meta.method {
                    BudgetMethod::Greedy => "greedy",
                    BudgetMethod::EqualShares => "equal-shares",
                },
                phase: t.phase.key(),
                total: b.meta.total,
                currency: b.meta.currency.clone(),
                ballots: BallotCounts {
                    members: t.ballots.members,
                    others: t.ballots.others,
                    paper: t.ballots.paper_total,
                },
                spent: chosen.spent,
                selected: ids(chosen),
                rules,
                approvals: t
                    .projects
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.id.clone(), t.greedy.approvals.get(i).copied().unwrap_or(0)))
                    .collect(),
            })
        })
        .collect()
}
