//! Majority judgment (Balinski and Laraki): every voter grades every option, an option's
//! majority grade is the lower median of its grades, and ties between equal majority grades are
//! broken by the "majority value" — the successive lower medians once the median grade is
//! removed, again and again. Counted from grade counts, so millions of ballots cost no more than
//! a handful.

use std::cmp::Ordering;

/// The count, with what a result page needs to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgment {
    /// Per option: its majority grade (index into grades, 0 = best); None when it has no grades
    /// at all.
    pub majority_grade: Vec<Option<usize>>,
    /// Per option: weight of grades strictly better than its majority grade (the "p" of the
    /// majority gauge).
    pub better: Vec<u64>,
    /// Per option: weight of grades strictly worse than its majority grade (the "q").
    pub worse: Vec<u64>,
    /// Options best first (ties in index order).
    pub order: Vec<usize>,
    /// 1-based competition ranks (ties share).
    pub ranks: Vec<usize>,
}

/// Ranks the options from `counts[o][g]`, the weight of ballots giving grade g (0 = best) to
/// option o; grades at or beyond `grades` are ignored.
///
/// Two options tie only when their whole grade distributions are equal. Should totals differ
/// (callers give every option the same total, filling ungraded ones with the worst grade), an
/// option whose sequence of medians runs out first, all else equal, ranks below: so an option
/// with no grades at all ranks last.
pub fn majority_judgment(grades: usize, counts: &[Vec<u64>]) -> Judgment {
    let dists: Vec<Distribution> = counts.iter().map(|c| Distribution::new(grades, c)).collect();

    let majority_grade: Vec<Option<usize>> = dists.iter().map(Distribution::majority_grade).collect();
    let (better, worse): (Vec<u64>, Vec<u64>) = dists
        .iter()
        .zip(&majority_grade)
        .map(|(d, mg)| match mg {
            Some(g) => (clamp(d.before(*g)), clamp(d.total() - d.cum[*g])),
            None => (0, 0),
        })
        .unzip();

    // Best first; a stable sort keeps ties in index order.
    let mut order: Vec<usize> = (0..dists.len()).collect();
    order.sort_by(|&a, &b| compare(&dists[b], &dists[a]));

    let mut ranks = vec![0; order.len()];
    for (pos, &o) in order.iter().enumerate() {
        ranks[o] = match pos.checked_sub(1).map(|p| order[p]) {
            Some(prev) if compare(&dists[prev], &dists[o]) == Ordering::Equal => ranks[prev],
            _ => pos + 1,
        };
    }

    Judgment {
        majority_grade,
        better,
        worse,
        order,
        ranks,
    }
}

fn clamp(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// One option's grades as cumulative counts, so that "the grade at sorted position p" is a
/// binary search. Sums are kept in u128: no weight can overflow them.
struct Distribution {
    /// cum[g]: how many grades are g or better.
    cum: Vec<u128>,
}

impl Distribution {
    fn new(grades: usize, counts: &[u64]) -> Distribution {
        let mut cum = Vec::with_capacity(grades);
        let mut sum = 0u128;
        for g in 0..grades {
            sum += u128::from(counts.get(g).copied().unwrap_or(0));
            cum.push(sum);
        }
        Distribution { cum }
    }

    fn total(&self) -> u128 {
        self.cum.last().copied().unwrap_or(0)
    }

    /// How many grades are strictly better than `g`.
    fn before(&self, g: usize) -> u128 {
        g.checked_sub(1).map_or(0, |p| self.cum[p])
    }

    /// The grade at 1-based position `p` of the grades sorted best first (1 <= p <= total).
    fn grade_at(&self, p: u128) -> usize {
        self.cum.partition_point(|&c| c < p)
    }

    /// The lower median: position floor(n/2) + 1.
    fn majority_grade(&self) -> Option<usize> {
        let n = self.total();
        (n > 0).then(|| self.grade_at(n / 2 + 1))
    }

    /// The sorted position whose grade is the median at step `t` (0-based) of the majority
    /// value, i.e. after `t` medians were removed. Removing medians one by one walks outwards
    /// from the middle, alternating sides: for n = 2h the positions are h+1, h, h+2, h-1, …;
    /// for n = 2h+1 they are h+1, h+2, h, h+3, h-1, …
    fn position(&self, t: u128) -> u128 {
        let n = self.total();
        let h = n / 2;
        if n.is_multiple_of(2) {
            if t.is_multiple_of(2) {
                h + 1 + t / 2
            } else {
                h - (t - 1) / 2
            }
        } else if t == 0 {
            h + 1
        } else if t % 2 == 1 {
            h + 2 + (t - 1) / 2
        } else {
            h + 1 - t / 2
        }
    }

    /// Whether step `t` takes its median from the worse half (positions growing) rather than
    /// the better half (positions shrinking).
    fn moves_right(&self, t: u128) -> bool {
        if self.total().is_multiple_of(2) {
            t.is_multiple_of(2)
        } else {
            t % 2 == 1
        }
    }

    /// The median grade at step `t < total`.
    fn value(&self, t: u128) -> usize {
        self.grade_at(self.position(t))
    }

    /// From step `t`, how many steps the sequence stays periodic with period 2 (each step
    /// repeating the grade of the step two before): each half walks through a run of equal
    /// grades one position every other step, so the pattern holds until one half leaves its run.
    fn periodic_from(&self, t: u128) -> u128 {
        let n = self.total();
        let left = n - t;
        if left <= 2 || (n % 2 == 1 && t == 0) {
            // Two steps are trivially "periodic"; the centre of an odd count is on no side.
            return left.min(2);
        }
        let run = |s: u128| -> u128 {
            let p = self.position(s);
            let g = self.grade_at(p);
            if self.moves_right(s) {
                self.cum[g] - p + 1
            } else {
                p - self.before(g)
            }
        };
        (2 * run(t)).min(2 * run(t + 1) + 1).min(left)
    }
}

/// Compares two options by majority value: Greater when `a` is better. Lexicographic over the
/// sequences of successive lower medians (a better grade wins), skipping in one go the stretches
/// where both sequences repeat with period 2 and agree, so the cost grows with the number of
/// grades, not the number of ballots.
fn compare(a: &Distribution, b: &Distribution) -> Ordering {
    let m = a.total().min(b.total());
    let mut t = 0u128;
    while t < m {
        for s in t..(t + 2).min(m) {
            let (va, vb) = (a.value(s), b.value(s));
            if va != vb {
                // A smaller grade index is a better grade.
                return vb.cmp(&va);
            }
        }
        let step = a.periodic_from(t).min(b.periodic_from(t)).min(m - t);
        t += step.max(1);
    }
    // Equal so far: equal distributions tie, otherwise the longer sequence wins.
    a.total().cmp(&b.total())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXCELLENT: usize = 0;
    const GOOD: usize = 1;
    const FAIR: usize = 2;
    const POOR: usize = 3;

    /// The reference: expand every grade, remove lower medians one at a time.
    fn medians_slow(counts: &[u64]) -> Vec<usize> {
        let mut sorted: Vec<usize> = Vec::new();
        for (g, &c) in counts.iter().enumerate() {
            sorted.extend(std::iter::repeat_n(g, c as usize));
        }
        let mut out = Vec::new();
        while !sorted.is_empty() {
            let p = sorted.len() / 2;
            out.push(sorted.remove(p));
        }
        out
    }

    fn compare_slow(a: &[u64], b: &[u64]) -> Ordering {
        let (ma, mb) = (medians_slow(a), medians_slow(b));
        for (x, y) in ma.iter().zip(&mb) {
            if x != y {
                return y.cmp(x);
            }
        }
        ma.len().cmp(&mb.len())
    }

    fn fast(grades: usize, a: &[u64], b: &[u64]) -> Ordering {
        compare(&Distribution::new(grades, a), &Distribution::new(grades, b))
    }

    /// The Tennessee capital example (Wikipedia's "Majority judgment" article): 42 % live near
    /// Memphis, 26 % Nashville, 15 % Chattanooga, 17 % Knoxville; each voter grades the cities
    /// Excellent, Good, Fair, Poor from nearest to farthest. Published result: Nashville and
    /// Chattanooga share the majority grade Good and Nashville wins the tie; then Knoxville
    /// (Fair) and Memphis (Poor).
    #[test]
    fn tennessee_capital() {
        // Options: Memphis, Nashville, Chattanooga, Knoxville.
        let counts = vec![
            vec![42, 0, 0, 58],
            vec![26, 42, 32, 0],
            vec![15, 43, 42, 0],
            vec![17, 15, 26, 42],
        ];
        let j = majority_judgment(4, &counts);
        assert_eq!(
            j.majority_grade,
            vec![Some(POOR), Some(GOOD), Some(GOOD), Some(FAIR)]
        );
        assert_eq!(j.order, vec![1, 2, 3, 0]);
        assert_eq!(j.ranks, vec![4, 1, 2, 3]);
        assert_eq!(j.better, vec![42, 26, 15, 32]);
        assert_eq!(j.worse, vec![0, 32, 42, 42]);
    }

    /// Lower median, odd and even: with 4 grades Good, Good, Fair, Fair the majority grade is the
    /// worse middle one, Fair; with 5 it is the middle one.
    #[test]
    fn lower_median_odd_and_even() {
        let j = majority_judgment(4, &[vec![0, 2, 2, 0], vec![0, 3, 2, 0], vec![1, 1, 1, 1]]);
        assert_eq!(j.majority_grade, vec![Some(FAIR), Some(GOOD), Some(FAIR)]);
        // Position 3 of E G F P is F: p = 2 better, q = 1 worse.
        assert_eq!((j.better[2], j.worse[2]), (2, 1));
        assert_eq!((j.better[0], j.worse[0]), (2, 0));
        assert_eq!((j.better[1], j.worse[1]), (0, 2));
        // Both Fair: G G F F gives F, G, F, G and E G F P gives F, G, P, E.
        assert_eq!(j.order, vec![1, 0, 2]);
    }

    /// Same majority grade Good, separated by the next medians. A: E G G G P, B: G G G G F
    /// (n = 5). Removing medians visits sorted positions 3, 4, 2, 5, 1, giving A = G, G, G, P, E
    /// and B = G, G, G, F, G: at the fourth step B's Fair beats A's Poor.
    #[test]
    fn tie_broken_by_next_medians() {
        let a = vec![1, 3, 0, 1];
        let b = vec![0, 4, 1, 0];
        assert_eq!(medians_slow(&a), vec![GOOD, GOOD, GOOD, POOR, EXCELLENT]);
        assert_eq!(medians_slow(&b), vec![GOOD, GOOD, GOOD, FAIR, GOOD]);
        let j = majority_judgment(4, &[a, b]);
        assert_eq!(j.majority_grade, vec![Some(GOOD), Some(GOOD)]);
        assert_eq!(j.order, vec![1, 0]);
        assert_eq!(j.ranks, vec![2, 1]);
    }

    /// The majority gauge and the majority value agree: both Good; A has p = 4 better grades
    /// against q = 2 worse, B has p = 2, q = 2; the largest of the four is A's p, so A wins, as
    /// the third median (Excellent for A, Good for B) also says.
    #[test]
    fn gauge_and_value_agree() {
        let j = majority_judgment(3, &[vec![2, 5, 2], vec![4, 3, 2]]);
        assert_eq!(j.majority_grade, vec![Some(GOOD), Some(GOOD)]);
        assert_eq!((j.better[1], j.worse[1]), (4, 2));
        assert_eq!((j.better[0], j.worse[0]), (2, 2));
        assert_eq!(j.order, vec![1, 0]);
    }

    /// Equal distributions tie, share a rank, and stay in index order; the next rank skips.
    #[test]
    fn equal_distributions_tie() {
        let j = majority_judgment(3, &[vec![1, 2, 3], vec![3, 2, 1], vec![1, 2, 3], vec![1, 2, 3]]);
        assert_eq!(j.order, vec![1, 0, 2, 3]);
        assert_eq!(j.ranks, vec![2, 1, 2, 2]);
        let j = majority_judgment(2, &[vec![5, 5], vec![5, 5]]);
        assert_eq!(j.ranks, vec![1, 1]);
    }

    /// An option nobody graded has no majority grade and ranks last, even below all-Poor.
    #[test]
    fn no_grades_ranks_last() {
        let j = majority_judgment(3, &[vec![], vec![0, 0, 4], vec![0, 0, 0], vec![1, 0, 0]]);
        assert_eq!(j.majority_grade, vec![None, Some(2), None, Some(0)]);
        assert_eq!(j.order, vec![3, 1, 0, 2]);
        assert_eq!(j.ranks, vec![3, 2, 3, 1]);
        assert_eq!((j.better[0], j.worse[0]), (0, 0));
    }

    /// Nothing to rank, or no grades defined: no panic, everything tied.
    #[test]
    fn empty_inputs() {
        let j = majority_judgment(4, &[]);
        assert!(j.order.is_empty() && j.ranks.is_empty());
        let j = majority_judgment(0, &[vec![3], vec![]]);
        assert_eq!(j.majority_grade, vec![None, None]);
        assert_eq!(j.ranks, vec![1, 1]);
    }

    /// Grades beyond `grades` are ignored.
    #[test]
    fn out_of_range_grades_ignored() {
        let j = majority_judgment(2, &[vec![1, 0, 99], vec![0, 1]]);
        assert_eq!(j.majority_grade, vec![Some(0), Some(1)]);
        assert_eq!(j.order, vec![0, 1]);
    }

    /// Millions of ballots, including a polarised pair whose medians zigzag between two grades
    /// for millions of steps before differing: still instant.
    #[test]
    fn millions_are_fast() {
        let n = 3_000_000u64;
        // Same medians E, P, E, P… until the second runs out of its extra E.
        assert_eq!(fast(3, &[n, 0, n], &[n + 1, 0, n + 1]), Ordering::Less);
        assert_eq!(fast(3, &[n, 0, n], &[n, 0, n]), Ordering::Equal);
        // Equal totals, differing only far from the middle.
        assert_eq!(
            fast(5, &[1, n, 2 * n, n, 1], &[2, n - 1, 2 * n, n, 1]),
            Ordering::Less
        );
        assert_eq!(
            fast(5, &[1, n, 2 * n, n, 1], &[1, n, 2 * n, n - 1, 2]),
            Ordering::Greater
        );
        let counts: Vec<Vec<u64>> = (0..50).map(|i| vec![n + i, n, n - i, n, n]).collect();
        let j = majority_judgment(5, &counts);
        assert_eq!(j.order[0], 49);
        assert_eq!(j.order[49], 0);
    }

    /// Huge weights do not overflow.
    #[test]
    fn huge_weights() {
        let j = majority_judgment(2, &[vec![u64::MAX, u64::MAX], vec![u64::MAX, 1]]);
        assert_eq!(j.majority_grade, vec![Some(1), Some(0)]);
        assert_eq!(j.order, vec![1, 0]);
        assert_eq!(j.better[0], u64::MAX);
    }

    /// The skipping comparison agrees with the one-at-a-time reference on many small random
    /// distributions, equal totals or not.
    #[test]
    fn matches_slow_reference() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        for round in 0..4000 {
            let grades = 1 + next(5) as usize;
            let max = [2, 4, 9, 30][round % 4];
            let a: Vec<u64> = (0..grades).map(|_| next(max)).collect();
            let mut b: Vec<u64> = (0..grades).map(|_| next(max)).collect();
            if round % 3 == 0 {
                // Same total: move one grade of a somewhere else.
                b = a.clone();
                let (from, to) = (next(grades as u64) as usize, next(grades as u64) as usize);
                if b[from] > 0 {
                    b[from] -= 1;
                    b[to] += 1;
                }
            }
            assert_eq!(fast(grades, &a, &b), compare_slow(&a, &b), "{a:?} vs {b:?}");
            assert_eq!(fast(grades, &b, &a), compare_slow(&b, &a), "{b:?} vs {a:?}");
        }
    }
}
