//! Participatory budgets: which approved projects a budget funds, by the greedy rule (most
//! approved first) or by the method of equal shares (every voter holds an equal part of the
//! budget and projects are bought by the voters who want them).
//!
//! Both rules give exactly the selections of the reference implementation, pabutools 1.2.3
//! (`greedy_utilitarian_welfare` with `Cost_Sat`; `method_of_equal_shares` with `Cost_Sat` and
//! `voter_budget_increment = 1`, completed by the greedy rule), on the instance restricted to the
//! projects somebody approved — pnyx never funds a project nobody asked for. Money in equal
//! shares is exact (`BigRational`): a decision never rests on a rounded value. Floating point
//! only serves as a filter: it settles comparisons that are far from a tie, with a margin
//! thousands of times its worst error, and anything closer is decided exactly.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

/// A project on the ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Unique slug; ties are broken by it, in byte order (Python's order for ASCII slugs).
    pub id: String,
    /// Cost, at least 1 (callers ensure it).
    pub cost: u64,
}

/// A ballot: indices of the approved projects, and its weight (identical ballots may be merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub approvals: Vec<usize>,
    pub weight: u64,
}

/// How a project was funded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Bought by its supporters in the method of equal shares.
    Shares,
    /// Added by the greedy completion of equal shares, with the money the shares left over.
    Completion,
    /// Funded by the greedy rule.
    Greedy,
}

/// One funded project.
#[derive(Debug, Clone, PartialEq)]
pub struct Funded {
    pub project: usize,
    pub phase: Phase,
    /// Shares only: the most any supporter paid (rho × cost), exact.
    pub max_payment: Option<BigRational>,
    /// The same, rounded, for display.
    pub max_payment_f64: Option<f64>,
}

/// What a rule funds, with what a result page needs to explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Funded projects in selection order.
    pub funded: Vec<Funded>,
    /// Money spent (sum of funded costs).
    pub spent: u64,
    /// Per project: approvals (weighted).
    pub approvals: Vec<u64>,
    /// Per project not funded: the money left in the budget when it was considered by the
    /// greedy pass (greedy rule, or the completion of equal shares) — to explain "it no longer
    /// fit". None for funded projects and for projects nobody approved.
    pub left_when_considered: Vec<Option<u64>>,
}

impl Allocation {
    /// The funded project indices, in selection order.
    pub fn projects(&self) -> Vec<usize> {
        self.funded.iter().map(|f| f.project).collect()
    }
}

/// The method of equal shares, and how it got there.
#[derive(Debug, Clone, PartialEq)]
pub struct EqualShares {
    pub allocation: Allocation,
    /// The per-voter budget of the run that was kept (total / voters, plus the add-one
    /// increments); 0 without voters.
    pub per_voter: BigRational,
    /// How many one-unit increments were added.
    pub increments: u64,
    /// Per project not funded in the shares phase: the money its supporters had left at the
    /// end of the kept shares run (to explain "its supporters could not afford it"); None for
    /// funded ones or ones without supporters.
    pub supporters_left: Vec<Option<BigRational>>,
}

/// The greedy rule: projects by approvals, most first (ties by id); each one that still fits in
/// what is left of the budget is funded. Projects nobody approved are never funded.
pub fn greedy(total: u64, projects: &[Project], ballots: &[Ballot]) -> Allocation {
    let profile = Profile::new(projects.len(), ballots);
    let pass = greedy_pass(total, projects, &profile, &vec![false; projects.len()], 0);
    Allocation {
        funded: pass
            .funded
            .into_iter()
            .map(|project| Funded {
                project,
                phase: Phase::Greedy,
                max_payment: None,
                max_payment_f64: None,
            })
            .collect(),
        spent: clamp(pass.spent),
        approvals: profile.approvals.iter().map(|&a| clamp(a)).collect(),
        left_when_considered: pass.left,
    }
}

/// The method of equal shares with cost utilities, then greedy completion.
///
/// Every voter gets `total / voters`; round after round the project its supporters can buy with
/// the smallest "affordability" rho (each supporter pays min(their money, rho × cost)) is
/// bought, ties by id. Since that usually leaves money unspent, the whole run is repeated with
/// one more unit per voter until its outcome would overspend the real budget (the previous
/// outcome is kept) or no approved project could still be added (this one is kept); the greedy
/// rule then spends what is left.
pub fn equal_shares(total: u64, projects: &[Project], ballots: &[Ballot]) -> EqualShares {
    let profile = Profile::new(projects.len(), ballots);
    let mut allocation = Allocation {
        funded: Vec::new(),
        spent: 0,
        approvals: profile.approvals.iter().map(|&a| clamp(a)).collect(),
        left_when_considered: vec![None; projects.len()],
    };
    if profile.voters == 0 {
        return EqualShares {
            allocation,
            per_voter: BigRational::zero(),
            increments: 0,
            supporters_left: vec![None; projects.len()],
        };
    }

    let mes = Mes::new(projects, &profile);
    let base = ratio(u128::from(total), profile.voters);
    let budget = u128::from(total);
    let mut kept: Option<(u64, Run)> = None;
    let mut k = 0u64;
    loop {
        let run = mes.run(&base + BigRational::from_integer(BigInt::from(k)));
        if run.cost > budget {
            break;
        }
        let exhaustive = mes
            .candidates
            .iter()
            .all(|&p| run.share[p].is_some() || run.cost + u128::from(projects[p].cost) > budget);
        kept = Some((k, run));
        if exhaustive || k == u64::MAX {
            break;
        }
        k += 1;
    }
    // The first run never overspends (its voters hold exactly the budget); should it, nothing
    // is bought, as in pabutools.
    let (increments, run) = kept.unwrap_or_else(|| (0, mes.start(base.clone())));

    let mut in_shares = vec![false; projects.len()];
    for &p in &run.order {
        in_shares[p] = true;
        let share = run.share[p].as_ref();
        allocation.funded.push(Funded {
            project: p,
            phase: Phase::Shares,
            max_payment: share.map(|s| s.0.clone()),
            max_payment_f64: share.map(|s| s.1),
        });
    }
    let supporters_left = (0..projects.len())
        .map(|p| {
            (!in_shares[p] && profile.approvals[p] > 0)
                .then(|| run.money_of(&profile, &profile.supporters[p], projects.len()))
        })
        .collect();

    let completion = greedy_pass(total, projects, &profile, &in_shares, run.cost);
    allocation
        .funded
        .extend(completion.funded.into_iter().map(|project| Funded {
            project,
            phase: Phase::Completion,
            max_payment: None,
            max_payment_f64: None,
        }));
    allocation.spent = clamp(completion.spent);
    allocation.left_when_considered = completion.left;

    EqualShares {
        allocation,
        per_voter: run.b0,
        increments,
        supporters_left,
    }
}

fn clamp(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

fn ratio(numer: u128, denom: u128) -> BigRational {
    BigRational::new(BigInt::from(numer), BigInt::from(denom))
}

fn int(x: u128) -> BigRational {
    BigRational::from_integer(BigInt::from(x))
}

fn float(x: &BigRational) -> f64 {
    x.to_f64().unwrap_or(f64::INFINITY)
}

/// The ballots, cleaned and merged: identical approval sets become one group, since their
/// holders always keep equal budgets.
struct Profile {
    /// (approved projects, sorted and distinct; total weight), for ballots approving something.
    groups: Vec<(Vec<usize>, u128)>,
    /// Total weight of all ballots, including those approving nothing: they hold money too.
    voters: u128,
    /// Per project: weighted approvals.
    approvals: Vec<u128>,
    /// Per project: the groups approving it.
    supporters: Vec<Vec<usize>>,
}

impl Profile {
    /// Ignores ballots of weight 0, and indices out of range or repeated (callers validate).
    fn new(projects: usize, ballots: &[Ballot]) -> Profile {
        let mut merged: BTreeMap<Vec<usize>, u128> = BTreeMap::new();
        let mut voters = 0u128;
        for ballot in ballots.iter().filter(|b| b.weight > 0) {
            voters += u128::from(ballot.weight);
            let mut approved: Vec<usize> = ballot
                .approvals
                .iter()
                .copied()
                .filter(|&p| p < projects)
                .collect();
            approved.sort_unstable();
            approved.dedup();
            if !approved.is_empty() {
                *merged.entry(approved).or_insert(0) += u128::from(ballot.weight);
            }
        }
        let groups: Vec<(Vec<usize>, u128)> = merged.into_iter().collect();
        let mut approvals = vec![0u128; projects];
        let mut supporters = vec![Vec::new(); projects];
        for (g, (approved, weight)) in groups.iter().enumerate() {
            for &p in approved {
                approvals[p] += weight;
                supporters[p].push(g);
            }
        }
        Profile {
            groups,
            voters,
            approvals,
            supporters,
        }
    }
}

/// What a greedy pass funded and what it saw.
struct Pass {
    funded: Vec<usize>,
    spent: u128,
    left: Vec<Option<u64>>,
}

/// The greedy rule after `already` was bought for `spent`: approved projects by approvals, most
/// first, ties by id; each that fits is funded. A project costing nothing has, in pabutools's
/// cost satisfaction, a welfare density of 0, so it comes last.
fn greedy_pass(total: u64, projects: &[Project], profile: &Profile, already: &[bool], spent: u128) -> Pass {
    let density = |p: usize| {
        if projects[p].cost == 0 {
            0
        } else {
            profile.approvals[p]
        }
    };
    let mut order: Vec<usize> = (0..projects.len())
        .filter(|&p| profile.approvals[p] > 0 && !already[p])
        .collect();
    order.sort_by(|&a, &b| density(b).cmp(&density(a)).then_with(|| by_id(projects, a, b)));

    let mut pass = Pass {
        funded: Vec::new(),
        spent,
        left: vec![None; projects.len()],
    };
    let mut left = u128::from(total).saturating_sub(spent);
    for p in order {
        let cost = u128::from(projects[p].cost);
        if cost <= left {
            left -= cost;
            pass.spent += cost;
            pass.funded.push(p);
        } else {
            pass.left[p] = Some(clamp(left));
        }
    }
    pass
}

/// Tie-breaking: by id, then (should ids repeat) by index.
fn by_id(projects: &[Project], a: usize, b: usize) -> Ordering {
    projects[a].id.cmp(&projects[b].id).then(a.cmp(&b))
}

/// The method of equal shares over one profile, run as often as the add-one loop needs.
struct Mes<'a> {
    projects: &'a [Project],
    profile: &'a Profile,
    /// The projects it may buy: approved, and not free (with cost utilities a free project
    /// brings no satisfaction, so pabutools leaves it to the completion).
    candidates: Vec<usize>,
}

/// The state of one run.
struct Run {
    /// Each voter's starting money.
    b0: BigRational,
    b0f: f64,
    /// Per group: each member's money, approximately (the exact value is rebuilt on demand).
    money: Vec<f64>,
    /// Per group: whether it spent everything while buying a project it could not fully pay
    /// its share of. A group that is not exhausted paid the full share of every bought project
    /// it approves, so its money is exactly b0 minus those shares.
    exhausted: Vec<bool>,
    /// Per project, once bought: the share each supporter paid if they could (exact, f64).
    share: Vec<Option<(BigRational, f64)>>,
    /// Bought projects, in order.
    order: Vec<usize>,
    /// Their total cost.
    cost: u128,
}

/// A project's affordability in the current round: the full share `t` (rho × cost) and the
/// supporter groups too poor to pay it (they pay all they have).
struct Afford {
    t: BigRational,
    poor: Vec<usize>,
}

impl<'a> Mes<'a> {
    fn new(projects: &'a [Project], profile: &'a Profile) -> Mes<'a> {
        let candidates = (0..projects.len())
            .filter(|&p| profile.approvals[p] > 0 && projects[p].cost > 0)
            .collect();
        Mes {
            projects,
            profile,
            candidates,
        }
    }

    fn start(&self, b0: BigRational) -> Run {
        let b0f = float(&b0);
        Run {
            b0,
            b0f,
            money: vec![b0f; self.profile.groups.len()],
            exhausted: vec![false; self.profile.groups.len()],
            share: vec![None; self.projects.len()],
            order: Vec::new(),
            cost: 0,
        }
    }

    /// One run from scratch with `b0` per voter. Like pabutools, each round examines projects
    /// by their last known rho, a lower bound of the current one (rho only grows as money is
    /// spent), and stops once that bound is beyond the best rho found this round.
    fn run(&self, b0: BigRational) -> Run {
        let mut run = self.start(b0);
        let mut remaining = self.candidates.clone();
        // Initially rho = cost / (supporters × cost).
        let mut bound: Vec<f64> = self
            .profile
            .approvals
            .iter()
            .map(|&a| if a == 0 { f64::INFINITY } else { 1.0 / a as f64 })
            .collect();
        loop {
            remaining.sort_by(|&a, &b| bound[a].total_cmp(&bound[b]));
            let mut best: Option<(BigRational, f64)> = None;
            let mut tied: Vec<(usize, Afford)> = Vec::new();
            let mut unaffordable = Vec::new();
            for &q in &remaining {
                if let Some((_, best_f)) = &best {
                    // Far enough beyond the best that rounding cannot matter: neither this
                    // project nor the next ones (sorted by bound) can match it.
                    if bound[q] > best_f * (1.0 + 1e-9) {
                        break;
                    }
                }
                let Some(afford) = self.afford(&run, q) else {
                    // Money only shrinks: it stays unaffordable for the rest of this run.
                    unaffordable.push(q);
                    continue;
                };
                let rho = &afford.t / int(u128::from(self.projects[q].cost));
                let rho_f = float(&rho);
                bound[q] = rho_f;
                match best.as_ref().map(|(b, _)| rho.cmp(b)) {
                    None | Some(Ordering::Less) => {
                        best = Some((rho, rho_f));
                        tied.clear();
                        tied.push((q, afford));
                    }
                    Some(Ordering::Equal) => tied.push((q, afford)),
                    Some(Ordering::Greater) => {}
                }
            }
            remaining.retain(|q| !unaffordable.contains(q));
            let Some((p, afford)) = tied.into_iter().min_by(|a, b| by_id(self.projects, a.0, b.0)) else {
                return run;
            };
            remaining.retain(|&q| q != p);
            self.buy(&mut run, p, afford);
        }
    }

    /// Charges the supporters of `p`: the poor pay all they have, the others the full share.
    fn buy(&self, run: &mut Run, p: usize, afford: Afford) {
        for &g in &afford.poor {
            run.exhausted[g] = true;
            run.money[g] = 0.0;
        }
        let tf = float(&afford.t);
        for &g in &self.profile.supporters[p] {
            if !run.exhausted[g] {
                run.money[g] -= tf;
            }
        }
        run.share[p] = Some((afford.t, tf));
        run.order.push(p);
        run.cost += u128::from(self.projects[p].cost);
    }

    /// The smallest full share t such that the supporters of `q`, each paying min(money, t),
    /// raise its cost; None when all their money is not enough. Found by the poor/rich
    /// iteration: start with everyone paying cost / supporters, move those who cannot pay to
    /// "poor" (they give all they have), share the rest among the others, until nobody moves.
    /// t grows at each step, so whoever moved stays poor, and the result is pabutools's rho.
    fn afford(&self, run: &Run, q: usize) -> Option<Afford> {
        let groups = &self.profile.groups;
        let cost = u128::from(self.projects[q].cost);
        let live: Vec<usize> = self.profile.supporters[q]
            .iter()
            .copied()
            .filter(|&g| !run.exhausted[g])
            .collect();
        let w_live: u128 = live.iter().map(|&g| groups[g].1).sum();
        if w_live == 0 {
            return None;
        }

        // Can they pay at all? The f64 sum errs by far less than the slack; closer calls are
        // decided exactly.
        let have: f64 = live.iter().map(|&g| groups[g].1 as f64 * run.money[g]).sum();
        let cost_f = cost as f64;
        let slack = 1e-12 * (run.order.len() + live.len() + 2) as f64 * (w_live as f64 * run.b0f + cost_f);
        if have < cost_f - slack {
            return None;
        }
        if have <= cost_f + slack && run.money_of(self.profile, &live, self.projects.len()) < int(cost) {
            return None;
        }

        let mut rich = live;
        let mut poor: Vec<usize> = Vec::new();
        let (mut w_rich, mut w_poor) = (w_live, 0u128);
        // Per bought project: the weight of poor groups that paid its share.
        let mut paid: Vec<u128> = vec![0; self.projects.len()];
        let mut t = ratio(cost, w_live);
        loop {
            let tf = float(&t);
            let margin = 1e-12 * (run.order.len() + 2) as f64 * (run.b0f + tf);
            let before = poor.len();
            rich.retain(|&g| {
                if !run.below(self.profile, g, &t, tf, margin) {
                    return true;
                }
                let (approved, weight) = &groups[g];
                w_poor += weight;
                w_rich -= weight;
                for &p in approved {
                    if run.share[p].is_some() {
                        paid[p] += weight;
                    }
                }
                poor.push(g);
                false
            });
            if poor.len() == before {
                return Some(Afford { t, poor });
            }
            if w_rich == 0 {
                // Cannot happen once they can pay; kept so that no input divides by zero.
                return None;
            }
            let poor_money = run.total_money(w_poor, &paid);
            t = (int(cost) - poor_money) / int(w_rich);
        }
    }
}

impl Run {
    /// Whether group `g`'s money is below `t`: by the f64 values when they are more than
    /// `margin` apart, exactly otherwise.
    fn below(&self, profile: &Profile, g: usize, t: &BigRational, tf: f64, margin: f64) -> bool {
        let m = self.money[g];
        if m < tf - margin {
            true
        } else if m > tf + margin {
            false
        } else {
            self.exact_money(profile, g) < *t
        }
    }

    /// Group `g`'s money per member, exactly.
    fn exact_money(&self, profile: &Profile, g: usize) -> BigRational {
        if self.exhausted[g] {
            return BigRational::zero();
        }
        let mut m = self.b0.clone();
        for &p in &profile.groups[g].0 {
            if let Some((t, _)) = &self.share[p] {
                m -= t;
            }
        }
        m
    }

    /// The money of groups of total weight `weight` that are not exhausted, where `paid[p]` is
    /// the weight among them that paid project p's share: weight × b0 − Σ paid[p] × share[p].
    fn total_money(&self, weight: u128, paid: &[u128]) -> BigRational {
        let mut total = &self.b0 * int(weight);
        for (p, &w) in paid.iter().enumerate() {
            if let (true, Some((t, _))) = (w > 0, &self.share[p]) {
                total -= t * int(w);
            }
        }
        total
    }

    /// The exact money held by `groups` (all their members).
    fn money_of(&self, profile: &Profile, groups: &[usize], projects: usize) -> BigRational {
        let mut weight = 0u128;
        let mut paid = vec![0u128; projects];
        for &g in groups.iter().filter(|&&g| !self.exhausted[g]) {
            let (approved, w) = &profile.groups[g];
            weight += w;
            for &p in approved {
                if self.share[p].is_some() {
                    paid[p] += w;
                }
            }
        }
        self.total_money(weight, &paid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projects(list: &[(&str, u64)]) -> Vec<Project> {
        list.iter()
            .map(|(id, cost)| Project {
                id: id.to_string(),
                cost: *cost,
            })
            .collect()
    }

    fn ballots(list: &[(&[usize], u64)]) -> Vec<Ballot> {
        list.iter()
            .map(|(a, w)| Ballot {
                approvals: a.to_vec(),
                weight: *w,
            })
            .collect()
    }

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(BigInt::from(n), BigInt::from(d))
    }

    fn phases(a: &Allocation) -> Vec<(usize, Phase)> {
        a.funded.iter().map(|f| (f.project, f.phase)).collect()
    }

    /// Greedy and equal shares differ, and the add-one loop changes the outcome. 10 voters,
    /// budget 100: six want "big" (100), four want "x" and "y" (50 each).
    ///
    /// Greedy: big has the most approvals and takes everything.
    /// Equal shares: with 10 each nobody can buy anything. At 13 each (3 increments) the four
    /// buy x (12.5 each; x before y by id) and cannot afford y with the 0.5 they keep. Up to 16
    /// each nothing more changes; at 17 each the six can buy big (rho 1/6 < 1/4, first), then x:
    /// 150 > 100, too much, so the run at 16 is kept. The completion adds y with the 50 left;
    /// big no longer fits.
    #[test]
    fn greedy_and_equal_shares_differ() {
        let p = projects(&[("big", 100), ("x", 50), ("y", 50)]);
        let b = ballots(&[(&[0], 6), (&[1, 2], 4)]);

        let g = greedy(100, &p, &b);
        assert_eq!(phases(&g), vec![(0, Phase::Greedy)]);
        assert_eq!(g.spent, 100);
        assert_eq!(g.approvals, vec![6, 4, 4]);
        assert_eq!(g.left_when_considered, vec![None, Some(0), Some(0)]);

        let s = equal_shares(100, &p, &b);
        assert_eq!(
            phases(&s.allocation),
            vec![(1, Phase::Shares), (2, Phase::Completion)]
        );
        assert_eq!(s.allocation.spent, 100);
        assert_eq!(s.increments, 6);
        assert_eq!(s.per_voter, q(16, 1));
        assert_eq!(s.allocation.funded[0].max_payment, Some(q(25, 2)));
        assert_eq!(s.allocation.funded[0].max_payment_f64, Some(12.5));
        assert_eq!(s.allocation.funded[1].max_payment, None);
        assert_eq!(s.allocation.left_when_considered, vec![Some(50), None, None]);
        // Big's six kept their 16; y's four kept 3.5 each after x.
        assert_eq!(s.supporters_left, vec![Some(q(96, 1)), None, Some(q(14, 1))]);
    }

    /// A project costing the whole budget. Budget 12, 4 voters (3 each): three want "a" (12),
    /// one wants "b" (4). Nobody can buy anything at 3 each; at 4 each a is bought (4 each), then
    /// b (4): 16 > 12, so the empty first run is kept and the completion funds a, after which b
    /// no longer fits.
    #[test]
    fn project_costing_the_whole_budget() {
        let p = projects(&[("a", 12), ("b", 4)]);
        let b = ballots(&[(&[0], 3), (&[1], 1)]);
        let s = equal_shares(12, &p, &b);
        assert_eq!(phases(&s.allocation), vec![(0, Phase::Completion)]);
        assert_eq!(s.increments, 0);
        assert_eq!(s.per_voter, q(3, 1));
        assert_eq!(s.supporters_left, vec![Some(q(9, 1)), Some(q(3, 1))]);
        assert_eq!(s.allocation.left_when_considered, vec![None, Some(0)]);
        let g = greedy(12, &p, &b);
        assert_eq!(phases(&g), vec![(0, Phase::Greedy)]);
        assert_eq!(g.left_when_considered, vec![None, Some(0)]);

        // Alone and wanted by everyone, it is bought in the shares phase at once.
        let s = equal_shares(12, &p[..1], &ballots(&[(&[0], 4)]));
        assert_eq!(phases(&s.allocation), vec![(0, Phase::Shares)]);
        assert_eq!(s.allocation.funded[0].max_payment, Some(q(3, 1)));
        assert_eq!(s.allocation.spent, 12);
    }

    /// Equal approvals and equal rho: the smaller id wins, whatever the index order.
    #[test]
    fn ties_broken_by_id() {
        let p = projects(&[("beta", 5), ("alpha", 5), ("gamma", 5)]);
        let b = ballots(&[(&[0, 1, 2], 1)]);
        let g = greedy(10, &p, &b);
        assert_eq!(g.projects(), vec![1, 0]);
        assert_eq!(g.left_when_considered, vec![None, None, Some(0)]);
        let s = equal_shares(10, &p, &b);
        assert_eq!(
            phases(&s.allocation),
            vec![(1, Phase::Shares), (0, Phase::Shares)]
        );
        assert_eq!(s.increments, 0);
        // Byte order: "p10" < "p9", "Z" < "a".
        let p = projects(&[("p9", 1), ("p10", 1), ("a", 1), ("Z", 1)]);
        let b = ballots(&[(&[0, 1, 2, 3], 2)]);
        assert_eq!(greedy(3, &p, &b).projects(), vec![3, 2, 1]);
        assert_eq!(equal_shares(3, &p, &b).allocation.projects(), vec![3, 2, 1]);
    }

    /// Supporters with unequal money: the poor pay all they have. 4 voters, budget 40 (10
    /// each): v1 wants p and q, v2 and v3 want p and r, v4 wants q. p (27) goes first (rho 1/3)
    /// at 9 each. q (10): v1 has 1, too little for 5, so v1 pays 1 and v4 pays 9 (rho 9/10).
    /// r (5) is out of reach of v2 and v3 (1 each), and 37 + 5 > 40: no increment.
    #[test]
    fn poor_supporters_pay_what_they_have() {
        let p = projects(&[("p", 27), ("q", 10), ("r", 5)]);
        let b = ballots(&[(&[0, 1], 1), (&[0, 2], 2), (&[1], 1)]);
        let s = equal_shares(40, &p, &b);
        assert_eq!(
            phases(&s.allocation),
            vec![(0, Phase::Shares), (1, Phase::Shares)]
        );
        assert_eq!(s.allocation.funded[0].max_payment, Some(q(9, 1)));
        assert_eq!(s.allocation.funded[1].max_payment, Some(q(9, 1)));
        assert_eq!(s.increments, 0);
        assert_eq!(s.supporters_left, vec![None, None, Some(q(2, 1))]);
        assert_eq!(s.allocation.left_when_considered, vec![None, None, Some(3)]);
        // Greedy: p (3 approvals), then q before r (2 each, by id); r no longer fits.
        let g = greedy(40, &p, &b);
        assert_eq!(g.projects(), vec![0, 1]);
        assert_eq!(g.left_when_considered, vec![None, None, Some(3)]);
    }

    /// No ballots, ballots of weight 0, ballots approving nothing valid: nothing is funded.
    #[test]
    fn no_ballots() {
        let p = projects(&[("a", 1), ("b", 2)]);
        for b in [vec![], ballots(&[(&[0, 1], 0)])] {
            let g = greedy(10, &p, &b);
            assert!(g.funded.is_empty());
            assert_eq!(g.approvals, vec![0, 0]);
            assert_eq!(g.left_when_considered, vec![None, None]);
            let s = equal_shares(10, &p, &b);
            assert!(s.allocation.funded.is_empty());
            assert_eq!(s.per_voter, BigRational::zero());
            assert_eq!(s.supporters_left, vec![None, None]);
        }
        // Voters who approve nothing still hold (and keep) their share of the budget.
        let s = equal_shares(10, &p, &ballots(&[(&[7], 5), (&[], 5)]));
        assert!(s.allocation.funded.is_empty());
        assert_eq!(s.per_voter, q(1, 1));
        // No projects at all.
        assert!(equal_shares(10, &[], &ballots(&[(&[0], 1)]))
            .allocation
            .funded
            .is_empty());
        assert!(greedy(10, &[], &[]).funded.is_empty());
    }

    /// Projects nobody approved are never funded, even when money is left.
    #[test]
    fn unapproved_projects_never_funded() {
        let p = projects(&[("a", 1), ("nobody", 1)]);
        let b = ballots(&[(&[0], 1)]);
        assert_eq!(greedy(10, &p, &b).projects(), vec![0]);
        let s = equal_shares(10, &p, &b);
        assert_eq!(s.allocation.projects(), vec![0]);
        assert_eq!(s.allocation.left_when_considered, vec![None, None]);
        assert_eq!(s.supporters_left, vec![None, None]);
    }

    /// Duplicate and out-of-range approvals are ignored; merged and split ballots agree.
    #[test]
    fn messy_ballots() {
        let p = projects(&[("a", 3), ("b", 4)]);
        let clean = ballots(&[(&[0], 2), (&[0, 1], 1)]);
        let messy = ballots(&[(&[0, 0, 9], 1), (&[0], 1), (&[1, 0, 1], 1)]);
        assert_eq!(greedy(7, &p, &clean), greedy(7, &p, &messy));
        assert_eq!(equal_shares(7, &p, &clean), equal_shares(7, &p, &messy));
    }

    /// The add-one loop stops at the first exhaustive outcome. 2 voters, budget 10 (5 each): v1
    /// wants a (4) and c (6), v2 wants b (5) and c. c goes first (3 each, rho 1/2); then v1 has 2
    /// for a and v2 has 2 for b: nothing more, and a would still fit (6 + 4 <= 10). At 6 each the
    /// same. At 7 each v1 keeps exactly 4 after c and buys a (rho 1); v2's 4 cannot buy b, and
    /// b no longer fits (10 + 5 > 10): exhaustive, kept after 2 increments.
    #[test]
    fn add_one_until_exhaustive() {
        let p = projects(&[("a", 4), ("b", 5), ("c", 6)]);
        let b = ballots(&[(&[0, 2], 1), (&[1, 2], 1)]);
        let s = equal_shares(10, &p, &b);
        assert_eq!(
            phases(&s.allocation),
            vec![(2, Phase::Shares), (0, Phase::Shares)]
        );
        assert_eq!(s.increments, 2);
        assert_eq!(s.per_voter, q(7, 1));
        assert_eq!(s.allocation.funded[1].max_payment, Some(q(4, 1)));
        assert_eq!(s.supporters_left, vec![None, Some(q(4, 1)), None]);
        assert_eq!(s.allocation.left_when_considered, vec![None, Some(0), None]);
        // Greedy: c (2 approvals), then a fits, b does not.
        assert_eq!(greedy(10, &p, &b).projects(), vec![2, 0]);
    }

    /// A free project (which callers exclude) brings no cost satisfaction: equal shares leaves
    /// it to the completion and greedy takes it last, as pabutools does.
    #[test]
    fn free_project() {
        let p = projects(&[("a", 0), ("b", 5)]);
        let b = ballots(&[(&[0, 1], 1)]);
        assert_eq!(greedy(5, &p, &b).projects(), vec![1, 0]);
        let s = equal_shares(5, &p, &b);
        assert_eq!(
            phases(&s.allocation),
            vec![(1, Phase::Shares), (0, Phase::Completion)]
        );
    }

    /// Large numbers: costs and weights near the limits, no overflow and no panic.
    #[test]
    fn large_numbers() {
        let p = projects(&[("a", u64::MAX), ("b", u64::MAX / 3)]);
        let b = ballots(&[(&[0], u64::MAX), (&[1], u64::MAX), (&[0, 1], 7)]);
        let g = greedy(u64::MAX, &p, &b);
        assert_eq!(g.projects(), vec![0]);
        let s = equal_shares(u64::MAX, &p, &b);
        assert_eq!(s.allocation.projects(), vec![1]);
        assert_eq!(s.increments, 0);
    }

    // -----------------------------------------------------------------------------------------
    // A plain transcription of pabutools's algorithm, one voter at a time, every rho computed
    // every round, all exact: the optimised code must agree with it everywhere.

    fn reference(total: u64, p: &[Project], b: &[Ballot]) -> (Vec<usize>, u64) {
        let n = p.len();
        let mut voters: Vec<Vec<bool>> = Vec::new();
        for ballot in b {
            let mut approves = vec![false; n];
            for &a in &ballot.approvals {
                if a < n {
                    approves[a] = true;
                }
            }
            for _ in 0..ballot.weight {
                voters.push(approves.clone());
            }
        }
        let approvals: Vec<usize> = (0..n).map(|j| voters.iter().filter(|v| v[j]).count()).collect();
        if voters.is_empty() {
            return (Vec::new(), 0);
        }
        let mes_projects: Vec<usize> = (0..n).filter(|&j| approvals[j] > 0 && p[j].cost > 0).collect();
        let run = |b0: &BigRational| -> Vec<usize> {
            let mut budget = vec![b0.clone(); voters.len()];
            let mut left = mes_projects.clone();
            let mut out = Vec::new();
            loop {
                let mut best: Option<(BigRational, usize)> = None;
                for &j in &left {
                    let cost = q(p[j].cost as i64, 1);
                    let mut sup: Vec<usize> = (0..voters.len()).filter(|&i| voters[i][j]).collect();
                    let have: BigRational = sup.iter().map(|&i| budget[i].clone()).sum();
                    if have < cost {
                        continue;
                    }
                    sup.sort_by(|&x, &y| budget[x].cmp(&budget[y]));
                    let mut paid = BigRational::zero();
                    let mut count = sup.len() as i64;
                    for &i in &sup {
                        let t = (&cost - &paid) / q(count, 1);
                        if t <= budget[i] {
                            let rho = t / &cost;
                            let better = match &best {
                                None => true,
                                Some((r, k)) => rho < *r || (rho == *r && p[j].id < p[*k].id),
                            };
                            if better {
                                best = Some((rho, j));
                            }
                            break;
                        }
                        paid += &budget[i];
                        count -= 1;
                    }
                }
                let Some((rho, j)) = best else { return out };
                let t = rho * q(p[j].cost as i64, 1);
                for i in 0..voters.len() {
                    if voters[i][j] {
                        let pay = std::cmp::min(budget[i].clone(), t.clone());
                        budget[i] -= pay;
                    }
                }
                out.push(j);
                left.retain(|&x| x != j);
            }
        };
        let cost_of = |s: &[usize]| s.iter().map(|&j| p[j].cost).sum::<u64>();
        let base = q(total as i64, voters.len() as i64);
        let mut previous: Vec<usize> = Vec::new();
        let mut k = 0;
        let (chosen, kept) = loop {
            let out = run(&(&base + q(k, 1)));
            let spent = cost_of(&out);
            if spent > total {
                break (previous, k - 1);
            }
            if mes_projects
                .iter()
                .all(|j| out.contains(j) || spent + p[*j].cost > total)
            {
                break (out, k);
            }
            previous = out;
            k += 1;
        };
        let mut all = chosen.clone();
        let mut spent = cost_of(&chosen);
        let mut rest: Vec<usize> = (0..n)
            .filter(|j| approvals[*j] > 0 && !chosen.contains(j))
            .collect();
        rest.sort_by(|&x, &y| approvals[y].cmp(&approvals[x]).then(p[x].id.cmp(&p[y].id)));
        for j in rest {
            if spent + p[j].cost <= total {
                spent += p[j].cost;
                all.push(j);
            }
        }
        (all, kept as u64)
    }

    #[test]
    fn agrees_with_plain_transcription() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound.max(1)
        };
        for round in 0..300 {
            let total = 1 + next([10, 30, 100][round % 3]);
            let n = 1 + next(7) as usize;
            let p: Vec<Project> = (0..n)
                .map(|j| Project {
                    id: format!("p{}", next(20) * 10 + j as u64),
                    cost: 1 + next(total),
                })
                .collect();
            let b: Vec<Ballot> = (0..next(12))
                .map(|_| Ballot {
                    approvals: (0..n).filter(|_| next(3) == 0).collect(),
                    weight: 1 + next(3) * next(2),
                })
                .collect();
            let (expected, increments) = reference(total, &p, &b);
            let s = equal_shares(total, &p, &b);
            assert_eq!(s.allocation.projects(), expected, "{total} {p:?} {b:?}");
            if !expected.is_empty() {
                assert_eq!(s.increments, increments, "{total} {p:?} {b:?}");
            }
        }
    }
}
