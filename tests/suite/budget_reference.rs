//! The participatory-budget rules against the reference implementation: hundreds of random
//! instances (and a few hand-made edge cases) counted by pnyx and by pabutools, through
//! tests/budget_reference.py, must fund the same projects in the same order. Without python3 and
//! pabutools the test prints a line and returns, unless `PNYX_REQUIRE_TOOLS` is set.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::process::Command;

use pnyx::tally::decide::budget::{self, Ballot, Project};
use serde_json::{json, Value};

use super::fixture::{missing_tool, Rng};

/// One instance, as pnyx takes it and as the script reads it.
struct Instance {
    total: u64,
    projects: Vec<Project>,
    ballots: Vec<Ballot>,
}

impl Instance {
    fn to_json(&self) -> Value {
        json!({
            "total": self.total,
            "projects": self.projects.iter().map(|p| json!({"id": p.id, "cost": p.cost})).collect::<Vec<_>>(),
            "ballots": self.ballots.iter().map(|b| json!({"approvals": b.approvals, "weight": b.weight})).collect::<Vec<_>>(),
        })
    }
}

/// A random instance. Small totals and few distinct costs make ties frequent; some projects
/// cost the whole budget, some are approved by nobody, some ballots repeat or carry a weight.
fn random_instance(rng: &mut Rng) -> Instance {
    let total = match rng.range(0, 9) {
        0..=5 => rng.range(1, 20),
        6..=8 => rng.range(20, 100),
        _ => rng.range(100, 600),
    };
    let count = rng.range(1, 12) as usize;
    let prefixes = ["p", "park-", "a", "b", "z", "school-", "p1", "lib"];
    let mut ids = HashSet::new();
    let palette: Vec<u64> = (0..rng.range(1, 4)).map(|_| rng.range(1, total)).collect();
    let projects: Vec<Project> = (0..count)
        .map(|j| {
            let mut id = format!("{}{}", prefixes[rng.index(prefixes.len())], rng.range(0, 30));
            if !ids.insert(id.clone()) {
                id = format!("{id}-{j}");
                ids.insert(id.clone());
            }
            let cost = match rng.range(0, 9) {
                0 | 1 => total,
                2..=5 => palette[rng.index(palette.len())],
                _ => rng.range(1, total),
            };
            Project { id, cost }
        })
        .collect();
    let ignored: Vec<bool> = (0..count).map(|_| rng.chance(15)).collect();
    let density = rng.range(10, 70);
    let mut ballots: Vec<Ballot> = Vec::new();
    for _ in 0..rng.range(0, 40) {
        if !ballots.is_empty() && rng.chance(20) {
            let copy = ballots[rng.index(ballots.len())].clone();
            ballots.push(copy);
            continue;
        }
        let approvals = (0..count)
            .filter(|&j| !ignored[j] && rng.chance(density))
            .collect();
        let weight = if rng.chance(15) { rng.range(2, 4) } else { 1 };
        ballots.push(Ballot { approvals, weight });
    }
    Instance {
        total,
        projects,
        ballots,
    }
}

/// Hand-made edge cases: the whole budget in one project, no ballots, everything tied.
fn edge_instances() -> Vec<Instance> {
    let p = |list: &[(&str, u64)]| -> Vec<Project> {
        list.iter()
            .map(|(id, cost)| Project {
                id: id.to_string(),
                cost: *cost,
            })
            .collect()
    };
    let b = |list: &[(&[usize], u64)]| -> Vec<Ballot> {
        list.iter()
            .map(|(a, w)| Ballot {
                approvals: a.to_vec(),
                weight: *w,
            })
            .collect()
    };
    vec![
        // One project costs the whole budget and everyone wants it.
        Instance {
            total: 12,
            projects: p(&[("all", 12), ("part", 4)]),
            ballots: b(&[(&[0], 3), (&[1], 1)]),
        },
        Instance {
            total: 12,
            projects: p(&[("all", 12)]),
            ballots: b(&[(&[0], 4)]),
        },
        // The classic case where the two rules differ.
        Instance {
            total: 100,
            projects: p(&[("big", 100), ("x", 50), ("y", 50)]),
            ballots: b(&[(&[0], 6), (&[1, 2], 4)]),
        },
        // No ballots; ballots that approve nothing.
        Instance {
            total: 10,
            projects: p(&[("a", 1), ("b", 2)]),
            ballots: vec![],
        },
        Instance {
            total: 10,
            projects: p(&[("a", 1), ("b", 2)]),
            ballots: b(&[(&[], 3)]),
        },
        // All ties: equal costs, equal approvals, ids out of index order.
        Instance {
            total: 3,
            projects: p(&[("p9", 1), ("p10", 1), ("a", 1), ("Z", 1)]),
            ballots: b(&[(&[0, 1, 2, 3], 2)]),
        },
        Instance {
            total: 10,
            projects: p(&[("c", 5), ("b", 5), ("a", 5)]),
            ballots: b(&[(&[0], 1), (&[1], 1), (&[2], 1)]),
        },
        // Supporters of unequal wealth: the poor pay what they have.
        Instance {
            total: 40,
            projects: p(&[("p", 27), ("q", 10), ("r", 5)]),
            ballots: b(&[(&[0, 1], 1), (&[0, 2], 2), (&[1], 1)]),
        },
    ]
}

fn pabutools_installed() -> bool {
    Command::new("python3")
        .args(["-c", "import pabutools"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn ids(projects: &[Project], allocation: &budget::Allocation) -> Vec<String> {
    allocation
        .funded
        .iter()
        .map(|f| projects[f.project].id.clone())
        .collect()
}

/// Compares one rule's selection with pabutools's: as sets, then in order.
fn check(rule: &str, instance: &Instance, ours: &[String], theirs: &Value) -> Result<(), String> {
    let theirs: Vec<String> = theirs
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<String>>();
    let what = if set(ours) != set(&theirs) {
        "funds other projects than"
    } else if ours != theirs.as_slice() {
        "funds the same projects in another order than"
    } else {
        return Ok(());
    };
    Err(format!(
        "{rule}: pnyx {what} pabutools\n  pnyx:      {ours:?}\n  pabutools: {theirs:?}\n  instance:  {}",
        instance.to_json()
    ))
}

#[test]
fn budget_rules_match_pabutools() {
    if missing_tool(
        pabutools_installed(),
        "python3 with pabutools",
        "pip install pabutools",
    ) {
        return;
    }

    let mut rng = Rng(0x0000_5eed_0fb0_d6e7);
    let mut instances = edge_instances();
    instances.extend((0..240).map(|_| random_instance(&mut rng)));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("instances.json");
    let all: Vec<Value> = instances.iter().map(Instance::to_json).collect();
    std::fs::write(&file, serde_json::to_string(&all).unwrap()).unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/budget_reference.py");
    let out = Command::new("python3").arg(&script).arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "budget_reference.py failed\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), instances.len(), "one result per instance");

    let mut ties = 0;
    for (instance, result) in instances.iter().zip(&results) {
        let greedy = budget::greedy(instance.total, &instance.projects, &instance.ballots);
        let shares = budget::equal_shares(instance.total, &instance.projects, &instance.ballots);
        let verdicts = [
            check(
                "greedy",
                instance,
                &ids(&instance.projects, &greedy),
                &result["greedy"],
            ),
            check(
                "equal shares",
                instance,
                &ids(&instance.projects, &shares.allocation),
                &result["equal_shares"],
            ),
        ];
        for verdict in verdicts {
            if let Err(mismatch) = verdict {
                panic!("{mismatch}");
            }
        }
        let mut approvals = greedy.approvals.clone();
        approvals.retain(|&a| a > 0);
        approvals.sort_unstable();
        ties += usize::from(approvals.windows(2).any(|w| w[0] == w[1]));
    }
    // The generator is meant to make ties common; make sure it still does.
    assert!(
        ties > instances.len() / 4,
        "only {ties} instances with tied approvals"
    );
}
