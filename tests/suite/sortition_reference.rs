//! The draw algorithms against their reference: tests/sortition_reference.py reimplements
//! pnyx-sha256 and RFC 3797 from docs/sortition.md alone, and hundreds of random draws
//! (mixed-length and non-ASCII ids, duplicates, strata, RFC 3797 seeds with leading zeros) must
//! select the same candidates in the same order, from the same key string. Without python3
//! that test prints a line and returns, unless `PNYX_REQUIRE_TOOLS` is set. The worked examples
//! of docs/sortition.md are checked against pnyx too, so the page cannot drift.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pnyx::tally::sortition::algorithm::{draw, rfc3797_key, Candidate, Draw, Method};
use pnyx::tally::sortition::count::hex_sha256;
use serde_json::{json, Value};

use super::fixture::{missing_tool, Rng};

/// One draw, as pnyx takes it and as the script reads it.
struct Instance {
    method: Method,
    /// For RFC 3797, the seed's `value`, from which both build the key string.
    seed: String,
    seats: usize,
    pool: Vec<Candidate>,
    quotas: Option<BTreeMap<String, u32>>,
}

impl Instance {
    fn algorithm(&self) -> &'static str {
        match self.method {
            Method::PnyxSha256 => "pnyx-sha256",
            Method::Rfc3797 => "rfc3797",
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "algorithm": self.algorithm(),
            "seed": self.seed,
            "seats": self.seats,
            "pool": self.pool.iter().map(|c| json!({"id": c.id, "stratum": c.stratum})).collect::<Vec<_>>(),
            "quotas": self.quotas,
        })
    }

    /// The string the algorithm is fed: the seed, or the RFC 3797 key string.
    fn key(&self) -> String {
        match self.method {
            Method::PnyxSha256 => self.seed.clone(),
            Method::Rfc3797 => rfc3797_key(&self.seed).unwrap(),
        }
    }

    fn draw(&self) -> Draw {
        draw(
            self.method,
            self.key().as_bytes(),
            &self.pool,
            self.seats,
            self.quotas.as_ref(),
        )
    }
}

const NAMES: [&str; 24] = [
    "alice",
    "bob",
    "carol",
    "dave",
    "élodie",
    "Zoé",
    "zoé",
    "Émile",
    "ALICE",
    "a",
    "ab",
    "b",
    "7",
    "07",
    "0001",
    "x-1",
    "李",
    "ñ",
    "Ω",
    "a b",
    "marie-claire-de-la-fontaine",
    "06DF2FE9DCAB9483",
    "2F3240DF3C8A9906",
    "😀",
];
const STRATA: [&str; 5] = ["nord", "sud", "est", "ouest", "centre-é"];

/// A random id: a name, sometimes with a number or a suffix, so that lengths vary.
fn random_id(rng: &mut Rng) -> String {
    let name = rng.pick(&NAMES);
    match rng.range(0, 5) {
        0 => format!("{name}{}", rng.range(0, 120)),
        1 => format!("{name}-{}", rng.pick(&["é", "x", "2", "Zz"])),
        _ => name.to_string(),
    }
}

/// A pnyx-sha256 seed: any text, `/` and `:` included.
fn random_seed(rng: &mut Rng) -> String {
    const PIECES: [&str; 12] = [
        "a",
        "Z",
        "7",
        "42",
        "/",
        ":",
        " ",
        "é",
        "Ω",
        "loto-2027-01-20",
        ".",
        "06DF2FE9DCAB9483:",
    ];
    (0..rng.range(0, 12)).map(|_| rng.pick(&PIECES)).collect()
}

/// An RFC 3797 value: 1 to 4 sources of 1 to 7 numbers, some with leading zeros, written with
/// the separators a person would use.
fn random_value(rng: &mut Rng) -> String {
    let sources: Vec<String> = (0..rng.range(1, 4))
        .map(|_| {
            let sep = rng.pick(&[" ", ".", ",", ", ", "  "]);
            (0..rng.range(1, 7))
                .map(|_| {
                    let n = if rng.chance(25) {
                        rng.range(0, 99_999_999)
                    } else {
                        rng.range(0, 60)
                    };
                    let zeros = if rng.chance(20) {
                        rng.range(1, 3) as usize
                    } else {
                        0
                    };
                    format!("{}{n}", "0".repeat(zeros))
                })
                .collect::<Vec<_>>()
                .join(sep)
        })
        .collect();
    let mut value = sources.join(rng.pick(&[" / ", "/", " /"]));
    if rng.chance(20) {
        value.push('/');
    }
    value
}

fn random_instance(rng: &mut Rng) -> Instance {
    let method = if rng.chance(50) {
        Method::PnyxSha256
    } else {
        Method::Rfc3797
    };
    let seed = match method {
        Method::PnyxSha256 => random_seed(rng),
        Method::Rfc3797 => random_value(rng),
    };
    let stratified = rng.chance(40);
    let mut pool: Vec<Candidate> = Vec::new();
    for _ in 0..rng.range(0, 40) {
        let id = if !pool.is_empty() && rng.chance(10) {
            // A duplicate, perhaps with another stratum: the first one given is kept.
            pool[rng.range(0, pool.len() as u64 - 1) as usize].id.clone()
        } else {
            random_id(rng)
        };
        let stratum = (rng.chance(85)).then(|| rng.pick(&STRATA).to_string());
        pool.push(Candidate { id, stratum });
    }
    let quotas = stratified.then(|| {
        // Some values get no quota, so that their candidates cannot be drawn.
        let mut quotas = BTreeMap::new();
        for s in STRATA {
            if rng.chance(60) {
                quotas.insert(s.to_string(), rng.range(0, 3) as u32);
            }
        }
        quotas
    });
    Instance {
        method,
        seed,
        seats: rng.range(0, 12) as usize,
        pool,
        quotas,
    }
}

/// Candidates `001` … `n`: RFC 3797's numbering, in byte order.
fn numbered(n: usize) -> Vec<Candidate> {
    (1..=n)
        .map(|i| Candidate {
            id: format!("{i:03}"),
            stratum: None,
        })
        .collect()
}

fn plain(ids: &[&str]) -> Vec<Candidate> {
    ids.iter()
        .map(|id| Candidate {
            id: id.to_string(),
            stratum: None,
        })
        .collect()
}

/// The published RFC 3797 cases, then the docs' examples.
fn known_instances() -> Vec<Instance> {
    vec![
        Instance {
            method: Method::Rfc3797,
            seed: "9319 / 2 5 8 10 12 / 9 18 26 34 41 45".into(),
            seats: 16,
            pool: numbered(25),
            quotas: None,
        },
        Instance {
            method: Method::Rfc3797,
            seed: "17 20 22 35 38 48 36 / 90193202 / 55598744 / 11 17 21 48 50 9 10".into(),
            seats: 12,
            pool: numbered(134),
            quotas: None,
        },
        Instance {
            method: Method::PnyxSha256,
            seed: "exemple".into(),
            seats: 2,
            pool: plain(&["alice", "bob", "carol", "dave"]),
            quotas: None,
        },
        strata_example(),
    ]
}

/// The stratified example of docs/sortition.md.
fn strata_example() -> Instance {
    let pool = [
        ("ana", Some("nord")),
        ("bruno", Some("sud")),
        ("chloé", Some("nord")),
        ("dimitri", Some("est")),
        ("emma", Some("sud")),
        ("farid", None),
    ]
    .iter()
    .map(|(id, s)| Candidate {
        id: id.to_string(),
        stratum: s.map(str::to_string),
    })
    .collect();
    Instance {
        method: Method::PnyxSha256,
        seed: "exemple".into(),
        seats: 3,
        pool,
        quotas: Some([("nord".to_string(), 1), ("sud".to_string(), 2)].into()),
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sortition_reference.py")
}

fn python3_installed() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn reference_script_agrees_with_pnyx_on_random_pools() {
    if missing_tool(python3_installed(), "python3", "apt-get install python3") {
        return;
    }

    let mut rng = Rng(0x5047_7e5a_50d1_7a1e);
    let mut instances = known_instances();
    instances.extend((0..400).map(|_| random_instance(&mut rng)));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("instances.json");
    let all: Vec<Value> = instances.iter().map(Instance::to_json).collect();
    std::fs::write(&file, serde_json::to_string(&all).unwrap()).unwrap();
    let out = Command::new("python3").arg(script()).arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "sortition_reference.py failed\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), instances.len(), "one result per instance");

    let (mut stopped_by_quotas, mut non_ascii, mut duplicates) = (0, 0, 0);
    for (instance, result) in instances.iter().zip(&results) {
        let d = instance.draw();
        let theirs: Vec<&str> = result["selected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            d.selected(),
            theirs,
            "{}: pnyx and the reference script select differently\n  instance: {}",
            instance.algorithm(),
            instance.to_json()
        );
        assert_eq!(
            result["key"].as_str(),
            Some(instance.key().as_str()),
            "the key string differs\n  instance: {}",
            instance.to_json()
        );
        stopped_by_quotas += usize::from(d.steps.len() < instance.seats.min(d.pool.len()));
        non_ascii += usize::from(d.selected().iter().any(|id| !id.is_ascii()));
        duplicates += usize::from(d.pool.len() < instance.pool.len() && !d.steps.is_empty());
    }
    // The generator is meant to reach these cases; make sure it still does.
    for (what, count) in [
        ("draws cut short by quotas", stopped_by_quotas),
        ("draws selecting a non-ASCII id", non_ascii),
        ("draws from a pool with duplicates", duplicates),
    ] {
        assert!(count > 20, "only {count} {what}");
    }

    // The command-line form, as the docs show it.
    let out = Command::new("python3")
        .arg(script())
        .args(["pnyx-sha256", "exemple", "2", "alice", "bob", "carol", "dave"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines, known_instances()[2].draw().selected());
}

/// The numbers docs/sortition.md shows are what pnyx computes: each table row, selection and
/// console output is rebuilt from `draw` and must appear in the page word for word.
#[test]
fn the_docs_worked_example_is_what_pnyx_computes() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sortition.md")).unwrap();
    let has = |text: &str| assert!(doc.contains(text), "docs/sortition.md should contain\n{text}");
    // Prose is compared with its white space collapsed, so that rewrapping does not matter.
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let prose = words(&doc);
    let says = |text: &str| {
        assert!(
            prose.contains(&words(text)),
            "docs/sortition.md should say\n{text}"
        )
    };
    let known = known_instances();

    // pnyx-sha256, 4 candidates, 2 seats.
    let d = known[2].draw();
    assert_eq!(d.selected(), ["carol", "alice"]);
    for s in &d.steps {
        assert_eq!(s.tries.len(), 1, "no hash refused");
        has(&format!(
            "| {i} | {n} | `exemple/{i}/0` | `{h}` | {p} | {pick} |",
            i = s.index,
            n = s.eligible,
            h = s.tries[0].hash,
            p = s.position,
            pick = s.pick
        ));
    }
    says(&format!("Selection: **{}**.", d.selected().join(", ")));
    has(&format!(
        "$ python3 tests/sortition_reference.py pnyx-sha256 exemple 2 alice bob carol dave\n{}\n```",
        d.selected().join("\n")
    ));

    // With strata: the eligible candidates are rebuilt from the pool and each step's removals.
    let d = strata_example().draw();
    let mut eligible: Vec<&str> = d.pool.iter().map(|c| c.id.as_str()).collect();
    for s in &d.steps {
        eligible.retain(|id| !s.removed.iter().any(|r| r == id));
        assert_eq!(eligible.len(), s.eligible);
        assert_eq!(eligible[s.position], s.pick);
        let removed = if s.removed.is_empty() {
            "–".to_string()
        } else {
            s.removed.join(", ")
        };
        has(&format!(
            "| {} | {removed} | {} | {} | `{}` | {} | {} |",
            s.index,
            eligible.join(", "),
            s.eligible,
            s.tries[0].hash,
            s.position,
            s.pick
        ));
        eligible.remove(s.position);
    }
    assert_eq!(d.selected(), ["chloé", "bruno", "emma"]);

    // RFC 3797: the key, the first steps, the whole selections.
    let numbers = |d: &Draw| -> String {
        d.selected()
            .iter()
            .map(|id| id.parse::<u32>().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rfc = &known[0];
    says(&format!("`{}` gives `{}`", rfc.seed, rfc.key()));
    let d = rfc.draw();
    for s in &d.steps[..3] {
        has(&format!(
            "| {} | {} | `{}` | {} | {} |",
            s.index, s.eligible, s.tries[0].hash, s.position, s.pick
        ));
    }
    says(&format!("whole selection is {}, as in the RFC", numbers(&d)));
    has(&format!(
        "$ python3 tests/sortition_reference.py rfc3797 '{}' 3 $(seq -f %03g 1 25)\n{}\n```",
        rfc.seed,
        d.selected()[..3].join("\n")
    ));
    let nomcom = &known[1];
    assert_eq!(
        nomcom.key(),
        "17.20.22.35.36.38.48./90193202./55598744./9.10.11.17.21.48.50./"
    );
    says(&format!("value `{}`, key `{}`", nomcom.seed, nomcom.key()));
    says(&format!(
        "gives {}, the published result",
        numbers(&nomcom.draw())
    ));

    // The commit–reveal seed and commitment.
    let value = "euromillions-2027-01-19:3.17.25.38.44.2.9";
    let secrets = [
        ("06DF2FE9DCAB9483", "lune-verte-42"),
        ("2F3240DF3C8A9906", "k9x2m-pivoine"),
    ];
    says(&format!(
        "For `{}` the commitment is `{}`",
        secrets[0].1,
        hex_sha256(secrets[0].1)
    ));
    let mut seed = value.to_string();
    for (key, secret) in secrets {
        says(&format!("`{secret}` from key `{key}`"));
        seed.push_str(&format!("/{key}:{secret}"));
    }
    has(&format!("```\n{seed}\n```"));
}
