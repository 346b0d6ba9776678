//! Writes a synthetic council the size of a city, for benchmarks:
//! `cargo run --release --example city -- /tmp/city 10000 [STATEMENTS]`, then
//! `cargo run --release -- build --root /tmp/city`. See docs/benchmarks.md.
//!
//! With `STATEMENTS`, the council also gets that many signed supports from throwaway keys
//! (twenty per key), a web of trust of a thousand certified keys, and a git history: the
//! content in one commit, then the statements in ten commits a day apart.

use std::fmt::Write as _;
use std::io::Cursor;
use std::path::Path;

use pnyx::signatures::keys::{public_key_text, KeyId};
use rayon::prelude::*;

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
    let statements: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);
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
    if statements > 0 {
        sign_and_commit(root, initiatives, statements);
    }
}

/// Twenty supports per key, spread over the initiatives; the first three keys are the roots
/// and the next thousand are certified by the three keys before them (a chain: the slowest
/// case for the members' fixpoint). Commits everything with git2.
fn sign_and_commit(root: &Path, initiatives: usize, statements: usize) {
    const PER_KEY: usize = 20;
    let n_keys = statements.div_ceil(PER_KEY).max(4);
    let keys: Vec<(minisign::PublicKey, minisign::SecretKey, KeyId)> = (0..n_keys)
        .into_par_iter()
        .map(|_| {
            let kp = minisign::KeyPair::generate_unencrypted_keypair().expect("key pair");
            let id = KeyId::from_keynum(kp.pk.keynum()).expect("key id");
            (kp.pk, kp.sk, id)
        })
        .collect();
    let roots: Vec<String> = keys[..3].iter().map(|k| k.2.to_string()).collect();
    let config = std::fs::read_to_string(root.join("pnyx.yaml")).expect("pnyx.yaml");
    write(
        root,
        "pnyx.yaml",
        &format!(
            "{config}trust:\n  roots: [{}]\n  certifications: 3\n",
            roots.join(", ")
        ),
    );
    for (pk, _, id) in &keys {
        write(root, &format!("signatures/keys/{id}.pub"), &public_key_text(pk));
    }
    let repo = git2::Repository::init(root).expect("git init");
    repo.set_head("refs/heads/main").expect("HEAD");
    let start = 1_756_800_000; // 2025-09-02
    commit(&repo, start, "council");
    let texts: Vec<Vec<u8>> = (0..initiatives)
        .map(|i| {
            std::fs::read(root.join(format!("content/initiatives/initiative-{i}.md"))).expect("initiative")
        })
        .collect();
    let sign = |k: &(minisign::PublicKey, minisign::SecretKey, KeyId), bytes: &[u8], comment: &str| {
        minisign::sign(Some(&k.0), &k.1, Cursor::new(bytes), Some(comment), None)
            .expect("sign")
            .into_string()
    };
    let batches = 10;
    let mut written = 0;
    for b in 0..batches {
        let range = (n_keys * b / batches)..(n_keys * (b + 1) / batches);
        let files: Vec<(String, String)> = range
            .into_par_iter()
            .flat_map_iter(|k| {
                let key = &keys[k];
                let mut out = Vec::new();
                for j in 0..PER_KEY.min(initiatives) {
                    if k * PER_KEY + j >= statements {
                        break;
                    }
                    let i = (k * 37 + j) % initiatives;
                    out.push((
                        format!("signatures/initiatives/initiative-{i}/{}.minisig", key.2),
                        sign(key, &texts[i], "pnyx/1 support"),
                    ));
                }
                if (3..1003).contains(&k) {
                    let bytes = public_key_text(&key.0).into_bytes();
                    for by in &keys[k - 3..k] {
                        out.push((
                            format!("signatures/certifications/{}/{}.minisig", key.2, by.2),
                            sign(by, &bytes, "pnyx/1 certify"),
                        ));
                    }
                }
                out
            })
            .collect();
        written += files.len();
        for (rel, text) in &files {
            write(root, rel, text);
        }
        commit(
            &repo,
            start + (b as i64 + 1) * 86_400,
            &format!("statements, batch {}", b + 1),
        );
    }
    eprintln!("signed {written} statements by {n_keys} keys in {batches} commits");
}

fn commit(repo: &git2::Repository, time: i64, message: &str) {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("index write");
    let tree = repo.find_tree(index.write_tree().expect("tree")).expect("tree");
    let sig =
        git2::Signature::new("Ville", "ville@example.org", &git2::Time::new(time, 0)).expect("signature");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .expect("commit");
}
