//! `pnyx new <kind> "<title>"`: a new item with valid front matter, named after its title.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use chrono::{NaiveDate, TimeZone};

use crate::content::{Content, Kind};

/// Values a new item borrows from the existing content so that it is valid at once.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// A pole to start with (the first one).
    pub pole: Option<String>,
    /// The next free group number.
    pub next_group_number: u32,
}

impl Hints {
    /// Hints from loaded content.
    pub fn from_content(c: &Content) -> Hints {
        Hints {
            pole: c.poles.keys().next().cloned(),
            next_group_number: c.groups.values().map(|g| g.meta.number).max().unwrap_or(0) + 1,
        }
    }
}

/// Today in the site's time zone.
pub fn today(tz: &chrono_tz::Tz) -> NaiveDate {
    let now = crate::dates::reference_now().unwrap_or_else(|_| chrono::Utc::now());
    tz.from_utc_datetime(&now.naive_utc()).date_naive()
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The text of a new item of `kind`, or `None` for kinds made by other commands.
pub fn template_with(kind: Kind, title: &str, today: &NaiveDate, hints: &Hints) -> Option<String> {
    let title = quote(title);
    let pole = hints.pole.clone().unwrap_or_else(|| "CHANGE-ME".into());
    let in_days = |n| *today + chrono::Duration::days(n);
    let body = match kind {
        Kind::Poles => format!("title: {title}\ncolor: \"#1f5f8b\"\nsummary: \"\"\n---\n\nLes thèmes du pôle.\n"),
        Kind::Groups => format!(
            "title: {title}\nnumber: {}\npole: {pole}\norganizer: \"\"\n---\n\nCe que fait le groupe, où et quand il se réunit.\n",
            hints.next_group_number.max(1)
        ),
        Kind::Initiatives => format!(
            "title: {title}\nkind: project          # project, budget ou regulation\npole: {pole}\nauthors: []\nopens: {today}\ncloses: {}\ngoal: 500\n---\n\n## Constat\n\n## Proposition\n\n## Coût et financement\n",
            in_days(90)
        ),
        Kind::Debates => format!("title: {title}\npole: {pole}\nopens: {today}\ncloses: {}\n---\n\nLa question posée, et ce qu'il faut savoir pour en débattre.\n", in_days(30)),
        Kind::Meetings => {
            let d = in_days(7);
            format!(
                "title: {title}\nstart: {}T18:30:00\nend: {}T20:30:00\nplace:\n  name: \"\"\n  address: \"\"\nregistration: open\n---\n\n## Ordre du jour\n\n1. \n",
                d, d
            )
        }
        Kind::Minutes => format!("title: {title}\ndate: {today}\nattendees: []\ndecisions: []\n---\n\n## I. \n"),
        Kind::Votes => format!(
            "title: {title}\nmethod: majority\noptions: [yes, no, abstain]\nopens: {today}\ncloses: {}\nelectorate: members\nquorum: 10\nthreshold: \"50 %\"\n---\n\nLa question soumise au vote.\n",
            in_days(21)
        ),
        Kind::Budgets => format!("title: {title}\ntotal: 10000\nopens: {today}\ncloses: {}\ncurrency: EUR\nmethod: equal-shares\n---\n\nLes règles du budget.\n", in_days(60)),
        Kind::Sortitions => format!(
            "title: {title}\nseats: 3\npool: members\nseed:\n  sources: [\"\"]\n  announced: {today}\n---\n\nPourquoi ce tirage au sort.\n"
        ),
        Kind::Pages => format!("title: {title}\n---\n\n"),
        Kind::Moderation => return None,
    };
    Some(format!("---\n{body}"))
}

/// The text of a new item with default hints.
pub fn template(kind: Kind, title: &str, today: &NaiveDate) -> Option<String> {
    template_with(kind, title, today, &Hints::default())
}

/// Writes the new item under `root` and returns its path. Refuses to overwrite.
pub fn create(
    root: &Path,
    kind_name: &str,
    title: &str,
    today: &NaiveDate,
    hints: &Hints,
) -> anyhow::Result<PathBuf> {
    let kind = parse_kind(kind_name)?;
    let slug = crate::slug::slugify(title);
    if slug.is_empty() {
        bail!("the title `{title}` gives an empty file name; use letters or digits in it");
    }
    let Some(text) = template_with(kind, title, today, hints) else {
        bail!("moderation entries are written by `pnyx moderate hide|restore <path> --reason \"…\"`");
    };
    let rel = PathBuf::from("content")
        .join(kind.dir())
        .join(format!("{slug}.md"));
    let path = root.join(&rel);
    if path.exists() {
        bail!(
            "{} already exists; choose another title or edit that file",
            rel.display()
        );
    }
    let dir = path.parent().unwrap_or(root);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", rel.display()))?;
    std::io::Write::write_all(&mut f, text.as_bytes())
        .with_context(|| format!("cannot write {}", rel.display()))?;
    Ok(rel)
}

/// `initiative` or `initiatives` → Kind.
pub fn parse_kind(name: &str) -> anyhow::Result<Kind> {
    let plural = match name {
        "minutes" | "moderation" => name.to_string(),
        n if n.ends_with('s') => n.to_string(),
        n => format!("{n}s"),
    };
    Kind::from_dir(&plural).ok_or_else(|| {
        let kinds: Vec<&str> = Kind::ALL
            .iter()
            .map(|k| k.dir())
            .filter(|k| *k != "moderation")
            .collect();
        anyhow::anyhow!("unknown kind `{name}`; choose one of: {}", kinds.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let hints = Hints {
            pole: Some("logement".into()),
            next_group_number: 7,
        };
        for kind in Kind::ALL {
            let Some(text) = template_with(kind, "Gratuité \"des\" bus", &today, &hints) else {
                continue;
            };
            let path = PathBuf::from(format!("content/{}/x.md", kind.dir()));
            let split = crate::content::front_matter::split(&path, &text).unwrap();
            let ok = match kind {
                Kind::Poles => {
                    crate::content::front_matter::parse::<crate::content::Pole>(&path, &split).map(|_| ())
                }
                Kind::Groups => {
                    crate::content::front_matter::parse::<crate::content::Group>(&path, &split).map(|_| ())
                }
                Kind::Initiatives => {
                    crate::content::front_matter::parse::<crate::content::Initiative>(&path, &split)
                        .map(|_| ())
                }
                Kind::Debates => {
                    crate::content::front_matter::parse::<crate::content::Debate>(&path, &split).map(|_| ())
                }
                Kind::Meetings => {
                    crate::content::front_matter::parse::<crate::content::Meeting>(&path, &split).map(|_| ())
                }
                Kind::Minutes => {
                    crate::content::front_matter::parse::<crate::content::Minutes>(&path, &split).map(|_| ())
                }
                Kind::Votes => {
                    crate::content::front_matter::parse::<crate::content::Vote>(&path, &split).map(|_| ())
                }
                Kind::Budgets => {
                    crate::content::front_matter::parse::<crate::content::Budget>(&path, &split).map(|_| ())
                }
                Kind::Sortitions => {
                    crate::content::front_matter::parse::<crate::content::Sortition>(&path, &split)
                        .map(|_| ())
                }
                Kind::Pages => {
                    crate::content::front_matter::parse::<crate::content::Page>(&path, &split).map(|_| ())
                }
                Kind::Moderation => unreachable!(),
            };
            assert!(ok.is_ok(), "{kind:?}: {ok:?}\n{text}");
        }
    }

    #[test]
    fn accepts_singular_kinds() {
        assert_eq!(parse_kind("initiative").unwrap(), Kind::Initiatives);
        assert_eq!(parse_kind("minutes").unwrap(), Kind::Minutes);
        assert!(parse_kind("petition").is_err());
    }
}
