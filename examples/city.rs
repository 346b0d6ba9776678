//! Writes a synthetic council the size of a city, for benchmarks:
//! `cargo run --release --example city -- /tmp/city 10000`, then
//! `cargo run --release -- build --root /tmp/city`. See docs/benchmarks.md.

use std::fmt::Write as _;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn body(i: usize) -> String {
    let mut s = String::new();
    for p in 0..4 {
        let _ = writeln!(
            s,
            "## Partie {p}\n\nLe texte numéro {i} explique le constat, la proposition et son coût, avec une [référence](https://example.org/{i}) et une liste :\n\n- premier point\n- second point **important**\n\n| poste | coût |\n|---|--:|\n| étude | {i} € |\n"
        );
    }
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| "city".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let root = Path::new(&root);
    if root.exists() {
        eprintln!("{} exists; remove it first", root.display());
        std::process::exit(2);
    }
    write(
        root,
        "pnyx.yaml",
        "title: Ville de test\nbase_url: https://example.org/\nlanguage: fr\ntimezone: Europe/Paris\n",
    );
    let poles = 12;
    for p in 0..poles {
        write(
            root,
            &format!("content/poles/pole-{p}.md"),
            &format!(
                "---\ntitle: Pôle {p}\ncolor: \"#{:02x}3a5f\"\n---\nLe pôle {p}.\n",
                40 + p * 10
            ),
        );
    }
    let groups = (n / 100).max(1);
    for g in 0..groups {
        write(
            root,
            &format!("content/groups/groupe-{g}.md"),
            &format!(
                "---\ntitle: Groupe {g}\nnumber: {}\npole: pole-{}\n---\nLe groupe {g}.\n",
                g + 1,
                g % poles
            ),
        );
    }
    // Of n items: 60 % initiatives, 10 % debates (10 contributions each), 20 % meetings, 10 % minutes.
    let initiatives = n * 6 / 10;
    for i in 0..initiatives {
        let closes = if i % 3 == 0 { "2026-01-31" } else { "2027-06-30" };
        write(
            root,
            &format!("content/initiatives/initiative-{i}.md"),
            &format!("---\ntitle: Initiative {i}\nkind: project\npole: pole-{}\ngroup: groupe-{}\nopens: 2025-09-01\ncloses: {closes}\ngoal: 1000\n---\n{}", i % poles, i % groups, body(i)),
        );
    }
    for d in 0..n / 10 {
        write(
            root,
            &format!("content/debates/debat-{d}.md"),
            &format!(
                "---\ntitle: Débat {d}\npole: pole-{}\n---\n{}",
                d % poles,
                body(d)
            ),
        );
        for c in 0..10 {
            let reply = if c > 0 {
                format!("reply_to: c{}\n", c - 1)
            } else {
                String::new()
            };
            let position = ["for", "against", "neutral"][c % 3];
            write(
                root,
                &format!("content/debates/debat-{d}/c{c}.md"),
                &format!("---\nauthor: Personne {c}\ndate: 2026-10-{:02}T18:00:00+02:00\nposition: {position}\n{reply}---\nContribution {c} au débat {d}, avec un argument développé sur quelques lignes.\n", c + 1),
            );
        }
    }
    for m in 0..n / 5 {
        write(
            root,
            &format!("content/meetings/reunion-{m}.md"),
            &format!("---\ntitle: Réunion {m}\nstart: 2026-{:02}-{:02}T18:30:00+01:00\nplace:\n  name: Salle {m}\n  address: {m} rue de la Paix\ngroup: groupe-{}\n---\nOrdre du jour de la réunion {m}.\n", m % 12 + 1, m % 28 + 1, m % groups),
        );
    }
    for m in 0..n / 10 {
        write(
            root,
            &format!("content/minutes/cr-{m}.md"),
            &format!(
                "---\ntitle: Compte rendu {m}\ndate: 2026-03-{:02}\nmeeting: reunion-{m}\n---\n{}",
                m % 28 + 1,
                body(m)
            ),
        );
    }
    write(
        root,
        "content/pages/a-propos.md",
        "---\ntitle: À propos\n---\nUne ville de test.\n",
    );
    eprintln!(
        "wrote a council of {n} items ({} contributions) in {}",
        n,
        root.display()
    );
}
