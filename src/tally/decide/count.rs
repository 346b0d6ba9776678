//! Counting votes and participatory budgets: which ballots count (time, electorate, rules),
//! paper ballots beside signed ones, the quorum, and the result of each method.

use std::collections::BTreeMap;

use chrono_tz::Tz;

use super::ballot::{self, Choice, Form, Problem};
use super::budget::{self, Allocation, EqualShares};
use super::judgment::{self, Judgment};
use super::schulze::{self, Schulze};
use crate::content::values::{Moment, Quorum, Ratio};
use crate::content::{Budget, Content, Electorate, Item, Vote, VoteMethod};
use crate::load::signatures::PaperBatch;
use crate::signatures::keys::KeyId;
use crate::signatures::verify::Accepted;
use crate::tally::paper::{paper_tally, Attestations, PaperProblem, PaperTally};
use crate::tally::trust::{self, Certification, Trust};

/// What the counting needs to know besides the ballots.
pub struct Context<'a> {
    /// The build's reference time.
    pub now: i64,
    /// Whether statements are dated by git history.
    pub dated: bool,
    /// The site's time zone, for whole-day dates.
    pub tz: &'a Tz,
    /// The web of trust now.
    pub trust: &'a Trust,
    /// Every version of every certification file (the current statements and the earlier ones
    /// that history keeps), to recompute the members at a past moment.
    pub certifications: &'a [Certification],
    /// Trust roots.
    pub roots: &'a [KeyId],
    /// Certifications needed.
    pub needed: u32,
}

impl Context<'_> {
    /// The web of trust as it stood at `at` (a vote's close, a draw's announcement): each
    /// certifier's file is taken in the version it had then, so a certification that arrived
    /// later makes no new member, and a revocation that arrived later takes nothing away.
    pub fn trust_at(&self, at: i64) -> Trust {
        if !self.dated || at >= self.now {
            return self.trust.clone();
        }
        let mut then: BTreeMap<(KeyId, KeyId), Certification> = BTreeMap::new();
        for c in self.certifications {
            let Some(arrived) = c.arrived.filter(|&t| t <= at) else {
                continue;
            };
            let slot = then.entry((c.subject, c.by)).or_insert(*c);
            if slot.arrived.is_some_and(|t| t <= arrived) {
                *slot = *c;
            }
        }
        let before: Vec<Certification> = then.into_values().collect();
        trust::compute(self.roots, &before, self.needed, self.now)
    }
}

/// Where a vote stands at the build's reference time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not open yet.
    Upcoming,
    /// Ballots are being cast.
    Open,
    /// Closed: the result is final.
    Closed,
}

impl Phase {
    /// The key of its name in the UI strings and the data.
    pub fn key(self) -> &'static str {
        match self {
            Phase::Upcoming => "upcoming",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
    }
}

/// A counted signed ballot.
#[derive(Debug, Clone)]
pub struct Cast {
    /// The voter's key.
    pub key: KeyId,
    /// Member of the web of trust (at the close, for a closed vote).
    pub member: bool,
    /// Arrival time (`None`: not committed yet).
    pub arrived: Option<i64>,
    /// The ballot as written.
    pub text: String,
    /// What it means.
    pub choice: Choice,
    /// The statement file.
    pub path: String,
}

/// A signed ballot that verifies but is not counted, and why.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The voter's key.
    pub key: KeyId,
    /// Arrival time.
    pub arrived: Option<i64>,
    /// The ballot as written.
    pub text: String,
    /// Why it is not counted.
    pub problem: Problem,
    /// The statement file.
    pub path: String,
}

/// A batch of paper ballots and what they say.
#[derive(Debug, Clone)]
pub struct PaperBallots {
    /// Whether it counts, who attested it.
    pub batch: PaperTally,
    /// Where and when it was collected.
    pub place: String,
    /// When.
    pub date: Moment,
    /// Each distinct ballot with how many said it.
    pub ballots: Vec<(String, Choice, u64)>,
}

/// Every ballot of one vote or budget.
#[derive(Debug, Clone, Default)]
pub struct Ballots {
    /// Counted signed ballots, oldest first.
    pub cast: Vec<Cast>,
    /// Refused ballots, oldest first.
    pub refused: Vec<Refused>,
    /// Paper batches.
    pub paper: Vec<PaperBallots>,
    /// Counted ballots of members.
    pub members: u64,
    /// Counted ballots of other keys.
    pub others: u64,
    /// Counted paper ballots.
    pub paper_total: u64,
}

impl Ballots {
    /// Every counted ballot.
    pub fn total(&self) -> u64 {
        self.members + self.others + self.paper_total
    }

    /// Counted choices with their weight: signed ballots count 1, paper ones their number.
    pub fn weighted(&self) -> Vec<(&Choice, u64)> {
        let signed = self.cast.iter().map(|c| (&c.choice, 1));
        let paper = self
            .paper
            .iter()
            .filter(|p| p.batch.counted)
            .flat_map(|p| p.ballots.iter().map(|(_, c, n)| (c, *n)));
        signed.chain(paper).collect()
    }
}

/// The rules of a ballot box, from a vote or a budget.
struct BoxRules<'a> {
    form: Form<'a>,
    options: Vec<&'a str>,
    opens: i64,
    closes: i64,
    electorate: Electorate,
}

/// Sorts a vote's or budget's signed ballots and paper batches into counted and refused.
fn collect(
    rules: &BoxRules<'_>,
    ctx: &Context<'_>,
    trust: &Trust,
    statements: &[&Accepted],
    batches: &[&PaperBatch],
    attestations: &Attestations,
) -> Ballots {
    let mut out = Ballots::default();
    for a in statements {
        let key = a.valid.place.key;
        let text = a.valid.said.argument.clone().unwrap_or_default();
        let when = a.arrived.unwrap_or(ctx.now);
        let member = trust.is_member(&key);
        let checked = if ctx.dated && when < rules.opens {
            Err(Problem::Early)
        } else if ctx.dated && when > rules.closes {
            Err(Problem::Late)
        } else if rules.electorate == Electorate::Members && !member {
            Err(Problem::NotMember)
        } else {
            ballot::parse(rules.form, &rules.options, &text)
        };
        match checked {
            Ok(choice) => out.cast.push(Cast {
                key,
                member,
                arrived: a.arrived,
                text,
                choice,
                path: a.path.clone(),
            }),
            Err(problem) => out.refused.push(Refused {
                key,
                arrived: a.arrived,
                text,
                problem,
                path: a.path.clone(),
            }),
        }
    }
    let by_time = |t: Option<i64>, k: KeyId| (t.unwrap_or(ctx.now), k);
    out.cast.sort_by_key(|c| by_time(c.arrived, c.key));
    out.refused.sort_by_key(|r| by_time(r.arrived, r.key));
    out.members = out.cast.iter().filter(|c| c.member).count() as u64;
    out.others = out.cast.len() as u64 - out.members;
    for batch in batches {
        let deadline = ctx.dated.then_some((rules.closes, ctx.now));
        let mut tally = paper_tally(batch, attestations, |k| trust.is_member(k), deadline);
        let mut ballots = Vec::new();
        let mut sum = 0u64;
        for (text, n) in &batch.meta.ballots {
            match ballot::parse(rules.form, &rules.options, text) {
                Ok(choice) => ballots.push((text.clone(), choice, *n)),
                Err(problem) => {
                    tally.counted = false;
                    tally.problem = Some(PaperProblem::Ballot {
                        text: text.clone(),
                        problem,
                    });
                }
            }
            sum = sum.saturating_add(*n);
        }
        let date = batch.meta.date;
        if sum != batch.meta.count {
            tally.counted = false;
            tally.problem = Some(PaperProblem::Sum {
                sum,
                count: batch.meta.count,
            });
        } else if date.end(ctx.tz).timestamp() < rules.opens || date.start(ctx.tz).timestamp() > rules.closes
        {
            tally.counted = false;
            tally.problem = Some(PaperProblem::OutsidePeriod);
        }
        if tally.counted {
            out.paper_total += tally.count;
        }
        out.paper.push(PaperBallots {
            batch: tally,
            place: batch.meta.place.clone(),
            date,
            ballots,
        });
    }
    out
}

/// The phase at `now` of a period.
fn phase(now: i64, opens: i64, closes: i64) -> Phase {
    if now < opens {
        Phase::Upcoming
    } else if now > closes {
        Phase::Closed
    } else {
        Phase::Open
    }
}

/// What a vote decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Not closed yet.
    Open,
    /// A majority vote that reached its threshold.
    Adopted,
    /// A majority vote that did not.
    Rejected,
    /// Too few ballots.
    NoQuorum,
    /// A multi-option vote: see the ranking.
    Ranked,
}

impl Outcome {
    /// As written in the data and the UI string keys.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Adopted => "adopted",
            Outcome::Rejected => "rejected",
            Outcome::NoQuorum => "no-quorum",
            Outcome::Ranked => "ranked",
        }
    }
}

/// The count of one method.
#[derive(Debug, Clone)]
pub enum Count {
    /// Yes, no, abstain, and the share of expressed votes needed.
    Majority {
        /// Ballots for `yes`.
        yes: u64,
        /// For `no`.
        no: u64,
        /// For `abstain` (count for the quorum, not the majority).
        abstain: u64,
        /// `yes` must exceed this share of `yes + no`.
        threshold: Ratio,
    },
    /// Approvals per option (approval and dates).
    Approval(Vec<u64>),
    /// Schulze.
    Ranked(Schulze),
    /// Majority judgment: counts per option and grade, and the result.
    Judgment(Vec<Vec<u64>>, Judgment),
}

/// One vote's count.
#[derive(Debug, Clone)]
pub struct VoteTally {
    /// Upcoming, open or closed.
    pub phase: Phase,
    /// Every ballot.
    pub ballots: Ballots,
    /// Members of the web of trust (at the close, for a closed vote).
    pub members: u64,
    /// Ballots needed for the quorum, if there is one.
    pub quorum: Option<u64>,
    /// Whether it is met (so far, while open).
    pub quorum_met: bool,
    /// The method's count.
    pub count: Count,
    /// What was decided.
    pub outcome: Outcome,
    /// Options best first (ties in option order); empty for `majority`.
    pub order: Vec<usize>,
    /// 1-based rank of each option, tied options sharing one; empty for `majority`.
    pub ranks: Vec<usize>,
}

/// Counts every vote of the site. `statements` holds the accepted ballots per slug.
pub fn tally_votes(
    content: &Content,
    ctx: &Context<'_>,
    statements: &BTreeMap<String, Vec<&Accepted>>,
    paper: &[&PaperBatch],
    attestations: &Attestations,
) -> BTreeMap<String, VoteTally> {
    content
        .votes
        .values()
        .map(|item| {
            let ballots = statements.get(&item.slug).map(Vec::as_slice).unwrap_or(&[]);
            let batches: Vec<&PaperBatch> = paper
                .iter()
                .filter(|b| b.folder == "votes" && b.slug == item.slug)
                .copied()
                .collect();
            (
                item.slug.clone(),
                tally_vote(item, ctx, ballots, &batches, attestations),
            )
        })
        .collect()
}

fn tally_vote(
    item: &Item<Vote>,
    ctx: &Context<'_>,
    statements: &[&Accepted],
    batches: &[&PaperBatch],
    attestations: &Attestations,
) -> VoteTally {
    let m = &item.meta;
    let opens = m.opens.start(ctx.tz).timestamp();
    let closes = m.closes.end(ctx.tz).timestamp();
    let trust = ctx.trust_at(closes);
    let form = match m.method {
        VoteMethod::Majority => Form::Single,
        VoteMethod::Approval | VoteMethod::Dates => Form::Approval,
        VoteMethod::Ranked => Form::Ranked,
        VoteMethod::Judgment => Form::Graded { grades: &m.grades },
    };
    let rules = BoxRules {
        form,
        options: m.options.iter().map(|o| o.id.as_str()).collect(),
        opens,
        closes,
        electorate: m.electorate,
    };
    let ballots = collect(&rules, ctx, &trust, statements, batches, attestations);
    let members = trust.members.len() as u64;
    let quorum = m.quorum.map(|q| match q {
        Quorum::Ballots(n) => n,
        Quorum::Share(r) => ceil_share(r, members),
    });
    let total = ballots.total();
    let quorum_met = quorum.is_none_or(|q| total >= q);
    let phase = phase(ctx.now, opens, closes);
    let n = m.options.len();
    let weighted = ballots.weighted();
    let (count, order, ranks) = match m.method {
        VoteMethod::Majority => {
            let id = |i: usize| m.options.get(i).map(|o| o.id.as_str());
            let (mut yes, mut no, mut abstain) = (0, 0, 0);
            for (c, w) in &weighted {
                if let Choice::Single(i) = c {
                    match id(*i) {
                        Some("yes") => yes += w,
                        Some("no") => no += w,
                        _ => abstain += w,
                    }
                }
            }
            let threshold = m.threshold.unwrap_or(Ratio { num: 1, den: 2 });
            (
                Count::Majority {
                    yes,
                    no,
                    abstain,
                    threshold,
                },
                Vec::new(),
                Vec::new(),
            )
        }
        VoteMethod::Approval | VoteMethod::Dates => {
            let mut approvals = vec![0u64; n];
            for (c, w) in &weighted {
                if let Choice::Approve(chosen) = c {
                    for &i in chosen {
                        if let Some(a) = approvals.get_mut(i) {
                            *a += w;
                        }
                    }
                }
            }
            let (order, ranks) = rank_by(&approvals);
            (Count::Approval(approvals), order, ranks)
        }
        VoteMethod::Ranked => {
            let rankings: Vec<(schulze::Ranking, u64)> = weighted
                .iter()
                .filter_map(|(c, w)| match c {
                    Choice::Rank(r) => Some((r.clone(), *w)),
                    _ => None,
                })
                .collect();
            let s = schulze::schulze(n, &rankings);
            let (order, ranks) = (s.order.clone(), s.ranks.clone());
            (Count::Ranked(s), order, ranks)
        }
        VoteMethod::Judgment => {
            let grades = m.grades.len();
            let mut counts = vec![vec![0u64; grades]; n];
            for (c, w) in &weighted {
                if let Choice::Grades(given) = c {
                    for (o, &g) in given.iter().enumerate() {
                        if let Some(slot) = counts.get_mut(o).and_then(|row| row.get_mut(g)) {
                            *slot += w;
                        }
                    }
                }
            }
            let j = judgment::majority_judgment(grades, &counts);
            let (order, ranks) = (j.order.clone(), j.ranks.clone());
            (Count::Judgment(counts, j), order, ranks)
        }
    };
    let outcome = if phase != Phase::Closed {
        Outcome::Open
    } else if !quorum_met {
        Outcome::NoQuorum
    } else if let Count::Majority {
        yes, no, threshold, ..
    } = &count
    {
        if passes(*yes, *no, *threshold) {
            Outcome::Adopted
        } else {
            Outcome::Rejected
        }
    } else {
        Outcome::Ranked
    };
    VoteTally {
        phase,
        ballots,
        members,
        quorum,
        quorum_met,
        count,
        outcome,
        order,
        ranks,
    }
}

impl VoteTally {
    /// Whether the count decided a ranking that may be published as such: not before a
    /// vote is counted, and never when it missed its quorum (it then decided nothing, though
    /// its count is shown).
    pub fn ranks_count(&self) -> bool {
        self.outcome != Outcome::NoQuorum
    }

    /// The ranking to publish: the options best first, or nothing for a vote that missed its
    /// quorum.
    pub fn decided_order(&self) -> &[usize] {
        if self.ranks_count() {
            &self.order
        } else {
            &[]
        }
    }

    /// Whether option `i` is shown as first: ranked first by a count that counts, with at
    /// least one ballot for it (`support`).
    pub fn is_first(&self, i: usize, support: u64) -> bool {
        self.ranks_count() && self.ranks.get(i) == Some(&1) && support > 0
    }
}

/// `yes > threshold × (yes + no)`, exactly.
pub fn passes(yes: u64, no: u64, threshold: Ratio) -> bool {
    (yes as u128) * (threshold.den as u128) > (threshold.num as u128) * ((yes + no) as u128)
}

/// The smallest whole number of ballots that is at least `share` of `members`.
fn ceil_share(share: Ratio, members: u64) -> u64 {
    let num = share.num as u128 * members as u128;
    num.div_ceil(share.den as u128) as u64
}

/// Options by score, highest first (ties in option order), and competition ranks.
fn rank_by(scores: &[u64]) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(scores[i]), i));
    let mut ranks = vec![0; scores.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = match pos.checked_sub(1).map(|p| order[p]) {
            Some(prev) if scores[prev] == scores[i] => ranks[prev],
            _ => pos + 1,
        };
    }
    (order, ranks)
}

/// One participatory budget's count.
#[derive(Debug, Clone)]
pub struct BudgetTally {
    /// Upcoming, open or closed.
    pub phase: Phase,
    /// The projects: initiatives with `budget:` this slug and a cost, by slug.
    pub projects: Vec<budget::Project>,
    /// Every ballot.
    pub ballots: Ballots,
    /// What the greedy rule funds.
    pub greedy: Allocation,
    /// What the Method of Equal Shares funds.
    pub shares: EqualShares,
}

impl BudgetTally {
    /// The allocation of the budget's own rule.
    pub fn chosen(&self, method: crate::content::BudgetMethod) -> &Allocation {
        match method {
            crate::content::BudgetMethod::Greedy => &self.greedy,
            crate::content::BudgetMethod::EqualShares => &self.shares.allocation,
        }
    }
}

/// Counts every participatory budget of the site.
pub fn tally_budgets(
    content: &Content,
    ctx: &Context<'_>,
    statements: &BTreeMap<String, Vec<&Accepted>>,
    paper: &[&PaperBatch],
    attestations: &Attestations,
) -> BTreeMap<String, BudgetTally> {
    content
        .budgets
        .values()
        .map(|item| {
            let ballots = statements.get(&item.slug).map(Vec::as_slice).unwrap_or(&[]);
            let batches: Vec<&PaperBatch> = paper
                .iter()
                .filter(|b| b.folder == "budgets" && b.slug == item.slug)
                .copied()
                .collect();
            let projects: Vec<budget::Project> = content
                .initiatives
                .values()
                .filter(|i| i.meta.budget.as_deref() == Some(&item.slug))
                .filter_map(|i| {
                    Some(budget::Project {
                        id: i.slug.clone(),
                        cost: i.meta.cost?,
                    })
                })
                .collect();
            (
                item.slug.clone(),
                tally_budget(item, ctx, projects, ballots, &batches, attestations),
            )
        })
        .collect()
}

fn tally_budget(
    item: &Item<Budget>,
    ctx: &Context<'_>,
    projects: Vec<budget::Project>,
    statements: &[&Accepted],
    batches: &[&PaperBatch],
    attestations: &Attestations,
) -> BudgetTally {
    let m = &item.meta;
    let opens = m.opens.start(ctx.tz).timestamp();
    let closes = m.closes.end(ctx.tz).timestamp();
    let trust = ctx.trust_at(closes);
    let costs: Vec<u64> = projects.iter().map(|p| p.cost).collect();
    let rules = BoxRules {
        form: Form::Projects {
            costs: &costs,
            max_projects: m.max_projects,
            max_cost: m.max_cost,
        },
        options: projects.iter().map(|p| p.id.as_str()).collect(),
        opens,
        closes,
        electorate: m.electorate,
    };
    let ballots = collect(&rules, ctx, &trust, statements, batches, attestations);
    let mut merged: BTreeMap<Vec<usize>, u64> = BTreeMap::new();
    for (c, w) in ballots.weighted() {
        if let Choice::Approve(chosen) = c {
            *merged.entry(chosen.clone()).or_default() += w;
        }
    }
    let profile: Vec<budget::Ballot> = merged
        .into_iter()
        .map(|(approvals, weight)| budget::Ballot { approvals, weight })
        .collect();
    let greedy = budget::greedy(m.total, &projects, &profile);
    let shares = budget::equal_shares(m.total, &projects, &profile);
    BudgetTally {
        phase: phase(ctx.now, opens, closes),
        projects,
        ballots,
        greedy,
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_strict_and_exact() {
        let half = Ratio { num: 1, den: 2 };
        assert!(passes(6, 5, half));
        assert!(!passes(5, 5, half), "a tie is not a majority");
        assert!(!passes(0, 0, half), "no expressed vote adopts nothing");
        let two_thirds = Ratio { num: 2, den: 3 };
        assert!(!passes(10, 5, two_thirds), "exactly 2/3 is not more than 2/3");
        assert!(passes(11, 5, two_thirds));
    }

    #[test]
    fn a_quorum_share_rounds_up() {
        let fifth = Ratio { num: 1, den: 5 };
        assert_eq!(ceil_share(fifth, 11), 3);
        assert_eq!(ceil_share(fifth, 10), 2);
        assert_eq!(ceil_share(fifth, 0), 0);
    }

    #[test]
    fn approval_ranks_share_ties() {
        let (order, ranks) = rank_by(&[3, 5, 3, 1]);
        assert_eq!(order, vec![1, 0, 2, 3]);
        assert_eq!(ranks, vec![2, 1, 2, 4]);
    }
}
