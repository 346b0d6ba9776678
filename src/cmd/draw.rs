//! `pnyx draw S [--verify]`: the draw recomputed from the repository, printed step by step on
//! the terminal, and the verdict on the published `result`.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::tally::sortition::algorithm::Method;
use crate::tally::sortition::count::{SecretStatus, SortitionTally, Waiting};

/// What `--verify` concludes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The published result is the recomputed selection.
    Matches,
    /// It is not.
    Differs {
        /// As published.
        published: Vec<String>,
        /// As recomputed.
        computed: Vec<String>,
    },
    /// The draw is computed, but no `result` is published to compare with.
    NothingPublished,
    /// The seed is not complete yet.
    Pending,
}

impl Verdict {
    /// The message `--verify` fails with.
    pub fn explain(&self, slug: &str) -> String {
        match self {
            Verdict::Matches => String::new(),
            Verdict::Differs { published, computed } => format!(
                "content/sortitions/{slug}.md: the published result differs from the draw\n  published:  {}\n  recomputed: {}\n  hint: do not trust the published result; if the seed and the pool are right, publish the recomputed selection as `result`",
                published.join(", "),
                computed.join(", ")
            ),
            Verdict::NothingPublished => format!(
                "content/sortitions/{slug}.md: no `result` is published, so there is nothing to verify\n  hint: copy the selection above into `result: [..]`, in draw order"
            ),
            Verdict::Pending => format!(
                "content/sortitions/{slug}.md: the seed is not complete yet: nothing can be verified\n  hint: come back once the seed is published"
            ),
        }
    }
}

/// The printed draw and the verdict.
pub struct Report {
    /// What to print.
    pub text: String,
    /// What `--verify` concludes.
    pub verdict: Verdict,
}

/// Loads, verifies and tallies the site as the build does, then reports on sortition `typed`.
pub fn draw(root: &Path, typed: &str, now: DateTime<Utc>) -> anyhow::Result<Report> {
    let slug = typed
        .trim()
        .trim_start_matches("content/sortitions/")
        .trim_end_matches(".md")
        .to_string();
    let site = crate::load::load(root, now).map_err(|d| {
        crate::error::mistake(
            format!("the site has problems:\n{d}"),
            "fix them first (`pnyx build` lists them)",
        )
    })?;
    let Some(item) = site.content.sortitions.get(&slug) else {
        let known: Vec<&str> = site.content.sortitions.keys().map(String::as_str).collect();
        return Err(crate::error::mistake(
            format!("there is no sortition `{typed}` (no content/sortitions/{slug}.md)"),
            if known.is_empty() {
                "`pnyx new sortitions \"Title\"` makes one".to_string()
            } else {
                format!("the sortitions are: {}", known.join(", "))
            },
        ));
    };
    let verified = crate::pipeline::verify_site(root, &site);
    let tallies = crate::pipeline::tally_site(&site, &verified, now);
    let t = &tallies.sortitions[&slug];
    let names = |id: &str| -> String {
        crate::signatures::keys::KeyId::parse(id)
            .and_then(|k| site.signatures.keys.get(&k))
            .and_then(|k| k.name.clone())
            .or_else(|| site.content.initiatives.get(id).map(|i| i.meta.title.clone()))
            .map_or_else(|| id.to_string(), |n| format!("{id} ({n})"))
    };
    let text = print(&slug, &item.meta, t, &names, &site.settings.tz);
    let computed: Option<Vec<String>> = t
        .draw
        .as_ref()
        .map(|d| d.selected().iter().map(|s| s.to_string()).collect());
    let verdict = match (&item.meta.result, computed) {
        (_, None) => Verdict::Pending,
        (None, Some(_)) => Verdict::NothingPublished,
        (Some(p), Some(c)) if *p == c => Verdict::Matches,
        (Some(p), Some(c)) => Verdict::Differs {
            published: p.clone(),
            computed: c,
        },
    };
    Ok(Report { text, verdict })
}

fn print(
    slug: &str,
    m: &crate::content::Sortition,
    t: &SortitionTally,
    name: &dyn Fn(&str) -> String,
    tz: &chrono_tz::Tz,
) -> String {
    let mut out = String::new();
    let algorithm = match t.method {
        Method::PnyxSha256 => "pnyx-sha256",
        Method::Rfc3797 => "rfc3797",
    };
    let _ = writeln!(
        out,
        "sortition {slug}: {} ({algorithm}, {} seats)",
        m.title, m.seats
    );
    let _ = writeln!(
        out,
        "pool: {} candidates, in the order the algorithm uses",
        t.pool.len()
    );
    for (n, c) in t.pool.iter().enumerate() {
        let stratum = c
            .stratum
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {:>3}. {}{stratum}", n + 1, name(&c.id));
    }
    for e in &t.excluded {
        let _ = writeln!(
            out,
            "  left out: {} ({} during the term)",
            name(&e.id),
            e.holds.as_str()
        );
    }
    for s in &t.secrets {
        let status = match s.status {
            SecretStatus::Counted => "counted",
            SecretStatus::Committed => "committed, not revealed",
            other => other.key(),
        };
        let _ = writeln!(out, "secret of {}: {status}", name(&s.key.to_string()));
    }
    let Some(seed) = &t.seed else {
        let _ = writeln!(out, "pending: the seed is not complete");
        for w in &t.waiting {
            match w {
                Waiting::Value => {
                    let _ = writeln!(
                        out,
                        "  waiting for the value of the announced sources (seed.value):"
                    );
                    for s in &m.seed.sources {
                        let _ = writeln!(out, "    - {s}");
                    }
                }
                Waiting::NoSecret => {
                    let _ = writeln!(
                        out,
                        "  no secret was revealed in time and no public value was announced: this draw cannot be made; announce a new one"
                    );
                }
                Waiting::Reveals(until) => {
                    let when = chrono::DateTime::from_timestamp(*until, 0)
                        .map(|d| d.with_timezone(tz).to_rfc3339())
                        .unwrap_or_default();
                    let _ = writeln!(out, "  waiting for members' reveals, until {when}");
                }
            }
        }
        let _ = writeln!(out, "run `pnyx draw {slug}` again once the seed is published");
        return out;
    };
    let _ = writeln!(
        out,
        "seed{}: {seed}",
        if t.method == Method::Rfc3797 {
            " (RFC 3797 key)"
        } else {
            ""
        }
    );
    let Some(d) = &t.draw else {
        return out;
    };
    for (rank, st) in d.steps.iter().enumerate() {
        if !st.removed.is_empty() {
            let _ = writeln!(
                out,
                "  removed before draw {} (stratum full): {}",
                st.index,
                st.removed.join(", ")
            );
        }
        for x in &st.tries {
            let label = if t.method == Method::PnyxSha256 {
                format!(
                    "  draw {} among {}: j={} sha256={}",
                    st.index, st.eligible, x.j, x.hash
                )
            } else {
                format!("  draw {} among {}: md5={}", st.index, st.eligible, x.hash)
            };
            let _ = writeln!(out, "{label}{}", if x.accepted { "" } else { " rejected" });
        }
        let _ = writeln!(
            out,
            "    → position {}: {}. {}",
            st.position,
            rank + 1,
            name(&st.pick)
        );
    }
    let _ = writeln!(out, "selected, in draw order:");
    for (n, id) in d.selected().iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", n + 1, name(id));
    }
    out
}

/// `pnyx draw S [--verify]`: prints the draw and how to recompute it; with `verify`, fails
/// when the published result is not what the draw gives.
pub fn run(root: &Path, sortition: &str, verify: bool) -> super::Outcome {
    let now = crate::dates::reference_now()?;
    let report = draw(root, sortition, now)?;
    print!("{}", report.text);
    if !verify {
        return Ok(());
    }
    match report.verdict {
        Verdict::Matches => {
            eprintln!("verified: the published result is what the draw gives");
            Ok(())
        }
        v => Err(super::Failure::Content(v.explain(sortition))),
    }
}
