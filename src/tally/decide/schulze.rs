//! The Schulze method (winning votes) over ranked ballots that may tie options or leave some
//! out. Pure counting: the same ballots always give the same matrices and ranking, so that
//! anyone can recount a published vote.

/// One ballot: groups of option indices, best first; options in one group are tied; options not
/// listed rank below every listed one, tied among themselves.
pub type Ranking = Vec<Vec<usize>>;

/// The full count, with the intermediate matrices kept so that a result page can show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schulze {
    /// d[i][j]: weight of ballots that rank i strictly above j.
    pub pairwise: Vec<Vec<u64>>,
    /// p[i][j]: strength of the strongest path from i to j (widest path over links
    /// d[i][j] > d[j][i] with strength d[i][j]; 0 otherwise).
    pub strongest: Vec<Vec<u64>>,
    /// Number of options j with p[i][j] > p[j][i].
    pub wins: Vec<usize>,
    /// Options best first; options not better than each other are tied and kept in index order.
    pub order: Vec<usize>,
    /// 1-based rank of each option; tied options share a rank (1, 2, 2, 4 style: "competition
    /// ranking").
    pub ranks: Vec<usize>,
}

impl Schulze {
    /// Whether option `i` beats option `j` in the Schulze sense (a stronger path from i to j
    /// than back).
    pub fn beats(&self, i: usize, j: usize) -> bool {
        match (self.strongest.get(i), self.strongest.get(j)) {
            (Some(pi), Some(pj)) => pi.get(j).copied().unwrap_or(0) > pj.get(i).copied().unwrap_or(0),
            _ => false,
        }
    }
}

/// Counts `ballots` (each with its weight: how many identical ballots) over `options` options.
///
/// Indices out of range, or repeated within a ballot, are ignored (callers validate ballots; the
/// count must not fail on a bad one). The final order ranks options by their number of wins:
/// the Schulze relation is transitive, so an option that beats another always has more wins,
/// and options with equal wins never beat each other — they are tied.
pub fn schulze(options: usize, ballots: &[(Ranking, u64)]) -> Schulze {
    let n = options;
    let pairwise = pairwise(n, ballots);
    let strongest = strongest_paths(&pairwise);

    let wins: Vec<usize> = (0..n)
        .map(|i| (0..n).filter(|&j| strongest[i][j] > strongest[j][i]).count())
        .collect();

    // A stable sort keeps tied options in index order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| wins[b].cmp(&wins[a]));

    let mut ranks = vec![0; n];
    for (pos, &o) in order.iter().enumerate() {
        ranks[o] = match pos.checked_sub(1).map(|p| order[p]) {
            Some(prev) if wins[prev] == wins[o] => ranks[prev],
            _ => pos + 1,
        };
    }

    Schulze {
        pairwise,
        strongest,
        wins,
        order,
        ranks,
    }
}

/// d[i][j] from the ballots: each ballot gives every option a level (its group, or one level
/// below all groups when unlisted) and counts for i over j when i's level is better.
fn pairwise(n: usize, ballots: &[(Ranking, u64)]) -> Vec<Vec<u64>> {
    let mut d = vec![vec![0u64; n]; n];
    let mut level = vec![usize::MAX; n];
    for (ranking, weight) in ballots {
        if *weight == 0 {
            continue;
        }
        level.iter_mut().for_each(|l| *l = usize::MAX);
        for (g, group) in ranking.iter().enumerate() {
            for &o in group {
                // The first mention counts; a repeated index is ignored.
                if o < n && level[o] == usize::MAX {
                    level[o] = g;
                }
            }
        }
        for i in 0..n {
            for j in 0..n {
                if level[i] < level[j] {
                    d[i][j] = d[i][j].saturating_add(*weight);
                }
            }
        }
    }
    d
}

/// The widest paths (Floyd–Warshall with max-min), over the links that win their duel.
fn strongest_paths(d: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let n = d.len();
    let mut p = vec![vec![0u64; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i != j && d[i][j] > d[j][i] {
                p[i][j] = d[i][j];
            }
        }
    }
    for k in 0..n {
        // Row k does not change while k is the intermediate (only rows i != k are updated).
        let through_k = p[k].clone();
        for (i, row) in p.iter_mut().enumerate() {
            let pik = row[k];
            if i == k || pik == 0 {
                continue;
            }
            for (j, (pij, &pkj)) in row.iter_mut().zip(&through_k).enumerate() {
                if j != i && j != k {
                    *pij = (*pij).max(pik.min(pkj));
                }
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ballots written as letters ("ACBED" = A > C > B > E > D), with their weights.
    fn letters(list: &[(u64, &str)]) -> Vec<(Ranking, u64)> {
        list.iter()
            .map(|(w, s)| {
                let ranking = s.bytes().map(|b| vec![usize::from(b - b'A')]).collect();
                (ranking, *w)
            })
            .collect()
    }

    /// Reads a matrix whose diagonal is written as 0.
    fn matrix(rows: &[&[u64]]) -> Vec<Vec<u64>> {
        rows.iter().map(|r| r.to_vec()).collect()
    }

    const A: usize = 0;
    const B: usize = 1;
    const C: usize = 2;
    const D: usize = 3;
    const E: usize = 4;

    /// The example of the Wikipedia article (and of Schulze's paper, example 1): 45 voters.
    #[test]
    fn wikipedia_example() {
        let ballots = letters(&[
            (5, "ACBED"),
            (5, "ADECB"),
            (8, "BEDAC"),
            (3, "CABED"),
            (7, "CAEBD"),
            (2, "CBADE"),
            (7, "DCEBA"),
            (8, "EBADC"),
        ]);
        let s = schulze(5, &ballots);
        assert_eq!(
            s.pairwise,
            matrix(&[
                &[0, 20, 26, 30, 22],
                &[25, 0, 16, 33, 18],
                &[19, 29, 0, 17, 24],
                &[15, 12, 28, 0, 14],
                &[23, 27, 21, 31, 0],
            ])
        );
        assert_eq!(
            s.strongest,
            matrix(&[
                &[0, 28, 28, 30, 24],
                &[25, 0, 28, 33, 24],
                &[25, 29, 0, 29, 24],
                &[25, 28, 28, 0, 24],
                &[25, 28, 28, 31, 0],
            ])
        );
        assert_eq!(s.order, vec![E, A, C, B, D]);
        assert_eq!(s.ranks, vec![2, 4, 3, 5, 1]);
        assert_eq!(s.wins, vec![3, 1, 2, 0, 4]);
        assert!(s.beats(E, A) && !s.beats(A, E));
    }

    /// Schulze's example 2 (30 voters, 4 options): the strongest paths and the ranking
    /// D > A > C > B as published in the paper (and on electowiki's "Schulze method" page).
    #[test]
    fn schulze_example_2() {
        let ballots = letters(&[
            (5, "ACBD"),
            (2, "ACDB"),
            (3, "ADCB"),
            (4, "BACD"),
            (3, "CBDA"),
            (3, "CDBA"),
            (1, "DACB"),
            (5, "DBAC"),
            (4, "DCBA"),
        ]);
        let s = schulze(4, &ballots);
        assert_eq!(
            s.pairwise,
            matrix(&[
                &[0, 11, 20, 14],
                &[19, 0, 9, 12],
                &[10, 21, 0, 17],
                &[16, 18, 13, 0]
            ])
        );
        assert_eq!(
            s.strongest,
            matrix(&[
                &[0, 20, 20, 17],
                &[19, 0, 19, 17],
                &[19, 21, 0, 17],
                &[18, 18, 18, 0]
            ])
        );
        assert_eq!(s.order, vec![D, A, C, B]);
        assert_eq!(s.ranks, vec![2, 4, 3, 1]);
    }

    /// Schulze's example 3 (30 voters, 5 options): published ranking B > A > D > E > C.
    #[test]
    fn schulze_example_3() {
        let ballots = letters(&[
            (3, "ABDEC"),
            (5, "ADEBC"),
            (1, "ADECB"),
            (2, "BADEC"),
            (2, "BDECA"),
            (4, "CABDE"),
            (6, "CBADE"),
            (2, "DBECA"),
            (5, "DECAB"),
        ]);
        let s = schulze(5, &ballots);
        assert_eq!(
            s.strongest,
            matrix(&[
                &[0, 18, 20, 21, 21],
                &[19, 0, 19, 19, 19],
                &[19, 18, 0, 19, 19],
                &[19, 18, 20, 0, 30],
                &[19, 18, 20, 19, 0],
            ])
        );
        assert_eq!(
            s.pairwise,
            matrix(&[
                &[0, 18, 11, 21, 21],
                &[12, 0, 14, 17, 19],
                &[19, 16, 0, 10, 10],
                &[9, 13, 20, 0, 30],
                &[9, 11, 20, 0, 0],
            ])
        );
        assert_eq!(s.order, vec![B, A, D, E, C]);
        assert_eq!(s.ranks, vec![2, 1, 5, 3, 4]);
    }

    /// Schulze's example 4 (9 voters): only "B beats C" and "D beats A" hold, every other pair is
    /// a tie of strongest paths. B and D (one win each) share the first rank, A and C the third.
    #[test]
    fn schulze_example_4_partial_order() {
        let ballots = letters(&[(3, "ABCD"), (2, "DABC"), (2, "DBCA"), (2, "CBDA")]);
        let s = schulze(4, &ballots);
        assert_eq!(
            s.strongest,
            matrix(&[&[0, 5, 5, 5], &[5, 0, 7, 5], &[5, 5, 0, 5], &[6, 5, 5, 0]])
        );
        assert!(s.beats(B, C) && s.beats(D, A));
        assert!(!s.beats(B, D) && !s.beats(D, B) && !s.beats(A, C) && !s.beats(C, A));
        assert_eq!(s.wins, vec![0, 1, 0, 1]);
        assert_eq!(s.order, vec![B, D, A, C]);
        assert_eq!(s.ranks, vec![3, 1, 3, 1]);
    }

    /// Everyone ties: one ballot each way cancels out.
    #[test]
    fn full_tie() {
        let ballots = letters(&[(1, "ABC"), (1, "CBA")]);
        let s = schulze(3, &ballots);
        assert_eq!(s.strongest, vec![vec![0; 3]; 3]);
        assert_eq!(s.order, vec![0, 1, 2]);
        assert_eq!(s.ranks, vec![1, 1, 1]);
        // A single ballot that ties everything counts nothing either.
        let s = schulze(3, &[(vec![vec![2, 0, 1]], 7)]);
        assert_eq!(s.pairwise, vec![vec![0; 3]; 3]);
        assert_eq!(s.ranks, vec![1, 1, 1]);
    }

    /// A Condorcet cycle A > B (7:2), B > C (6:3), C > A (5:4): the weakest link C > A breaks.
    /// Hand-worked: p[A][C] = min(7, 6) = 6 > p[C][A] = 5, so A > B > C.
    #[test]
    fn cycle_broken_by_strength() {
        let ballots = letters(&[(4, "ABC"), (3, "BCA"), (2, "CAB")]);
        let s = schulze(3, &ballots);
        assert_eq!(s.pairwise, matrix(&[&[0, 6, 4], &[3, 0, 7], &[5, 2, 0]]));
        // Links: A>B 6, B>C 7, C>A 5.
        assert_eq!(s.strongest, matrix(&[&[0, 6, 6], &[5, 0, 7], &[5, 5, 0]]));
        assert_eq!(s.order, vec![A, B, C]);
        assert_eq!(s.ranks, vec![1, 2, 3]);
    }

    /// Ties inside a ballot, and options left out (below every listed one, tied together).
    #[test]
    fn partial_rankings_and_ties() {
        // 3 voters: {A, B} > C, D unlisted. 2 voters: D > A, B and C unlisted.
        let ballots = vec![(vec![vec![A, B], vec![C]], 3), (vec![vec![D], vec![A]], 2)];
        let s = schulze(4, &ballots);
        assert_eq!(
            s.pairwise,
            matrix(&[&[0, 2, 5, 3], &[0, 0, 3, 3], &[0, 0, 0, 3], &[2, 2, 2, 0]])
        );
        // A beats everyone directly; B > C 3:0, B > D 3:2, C > D 3:2.
        assert_eq!(s.order, vec![A, B, C, D]);
        assert_eq!(s.ranks, vec![1, 2, 3, 4]);
    }

    /// Bad indices are ignored: out of range, repeated (the first mention counts), empty groups.
    #[test]
    fn bad_indices_ignored() {
        let messy = vec![(vec![vec![], vec![1, 9], vec![1, 0], vec![0]], 1)];
        let clean = vec![(vec![vec![1], vec![0]], 1)];
        assert_eq!(schulze(3, &messy), schulze(3, &clean));
        // Weight zero counts nothing.
        assert_eq!(schulze(2, &[(vec![vec![0]], 0)]), schulze(2, &[]));
    }

    /// No ballots: everyone is tied first; no options: nothing at all.
    #[test]
    fn no_ballots_no_options() {
        let s = schulze(4, &[]);
        assert_eq!(s.order, vec![0, 1, 2, 3]);
        assert_eq!(s.ranks, vec![1, 1, 1, 1]);
        assert_eq!(s.wins, vec![0; 4]);
        let s = schulze(0, &letters(&[(1, "AB")]));
        assert!(s.order.is_empty() && s.ranks.is_empty() && s.pairwise.is_empty());
    }

    /// Weights saturate instead of overflowing.
    #[test]
    fn huge_weights_saturate() {
        let s = schulze(2, &[(vec![vec![0]], u64::MAX), (vec![vec![0]], 5)]);
        assert_eq!(s.pairwise[0][1], u64::MAX);
        assert_eq!(s.order, vec![0, 1]);
    }
}
