//! How long the counting methods take at a city's scale (docs/benchmarks.md): a participatory
//! budget (greedy and equal shares with add-one completion), a ranked vote (Schulze), a
//! majority-judgment vote, and draws by lot, on synthetic ballots made by a fixed generator.
//!
//! ```sh
//! cargo run --release --example decisions -- 100000
//! ```

use std::time::Instant;

use pnyx::tally::decide::budget::{self, Ballot, Project};
use pnyx::tally::decide::judgment::majority_judgment;
use pnyx::tally::decide::schulze::schulze;
use pnyx::tally::sortition::algorithm::{draw, Candidate, Method};

/// xorshift64*: the same ballots on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    println!("{what}: {:.3} s", start.elapsed().as_secs_f64());
    out
}

fn main() {
    let voters: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let mut rng = Rng(0x00c1_7e5e_ed00_0001);

    // A budget of 2 000 000 € over 40 projects of 20 000 € to 400 000 €; each voter approves
    // 1 to 6 projects, the first ten projects twice as often.
    let projects: Vec<Project> = (0..40)
        .map(|i| Project {
            id: format!("projet-{i:02}"),
            cost: 20_000 + rng.below(380) * 1_000,
        })
        .collect();
    let ballots: Vec<Ballot> = (0..voters)
        .map(|_| {
            let n = 1 + rng.below(6) as usize;
            let mut approvals: Vec<usize> = (0..n)
                .map(|_| {
                    let p = rng.below(50) as usize;
                    if p >= 40 {
                        p - 40
                    } else {
                        p
                    }
                })
                .collect();
            approvals.sort_unstable();
            approvals.dedup();
            Ballot { approvals, weight: 1 }
        })
        .collect();
    // Voters with the same approvals count once, with their number (as pnyx tallies them).
    let mut merged: std::collections::BTreeMap<Vec<usize>, u64> = Default::default();
    for b in &ballots {
        *merged.entry(b.approvals.clone()).or_default() += 1;
    }
    let profile: Vec<Ballot> = merged
        .into_iter()
        .map(|(approvals, weight)| Ballot { approvals, weight })
        .collect();
    println!("{voters} voters, {} distinct ballots, 40 projects", profile.len());
    let g = timed("budget, greedy", || {
        budget::greedy(2_000_000, &projects, &profile)
    });
    let s = timed("budget, equal shares with add-one completion", || {
        budget::equal_shares(2_000_000, &projects, &profile)
    });
    println!(
        "  greedy funds {} projects, equal shares {} ({} increments of the per-voter budget)",
        g.funded.len(),
        s.allocation.funded.len(),
        s.increments
    );

    // A ranked vote over 12 options, partial rankings of 1 to 12.
    let rankings: Vec<(pnyx::tally::decide::schulze::Ranking, u64)> = (0..voters)
        .map(|_| {
            let mut order: Vec<usize> = (0..12).collect();
            for i in (1..12).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            order.truncate(1 + rng.below(12) as usize);
            (order.into_iter().map(|o| vec![o]).collect(), 1)
        })
        .collect();
    timed("ranked vote (Schulze), 12 options", || schulze(12, &rankings));

    // Majority judgment over 10 options and 6 grades: counted from grade counts.
    let grades = timed(
        "majority judgment, 10 options, 6 grades (counting the ballots)",
        || {
            let mut counts = vec![vec![0u64; 6]; 10];
            for _ in 0..voters {
                for row in counts.iter_mut() {
                    row[rng.below(6) as usize] += 1;
                }
            }
            counts
        },
    );
    timed("majority judgment, ranking", || majority_judgment(6, &grades));

    // Draws: 12 seats among all the voters, with both algorithms.
    let pool: Vec<Candidate> = (0..voters)
        .map(|i| Candidate {
            id: format!("{:016X}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            stratum: None,
        })
        .collect();
    timed("draw, pnyx-sha256, 12 seats", || {
        draw(Method::PnyxSha256, b"graine", &pool, 12, None)
    });
    timed("draw, rfc3797, 12 seats", || {
        draw(Method::Rfc3797, b"1.2.3./", &pool, 12, None)
    });
}
