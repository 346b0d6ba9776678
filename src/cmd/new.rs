//! `pnyx new <kind> "<title>"`: a new item with valid front matter, named after its title.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use chrono::NaiveDate;

use crate::content::templates::{template_with, Hints};
use crate::content::Kind;

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
        // Both are written by their own command, which gets them right.
        return Err(if kind == crate::content::Kind::Newsletters {
            crate::error::mistake(
                "newsletters are not written by hand",
                "run `pnyx newsletter --since REV|DATE`: it writes the e-mail and its archive copy",
            )
        } else {
            crate::error::mistake(
                "moderation entries are not written by hand",
                "run `pnyx moderate hide|restore <path> --reason \"…\"`: it writes and signs the decision",
            )
        });
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
            .filter(|k| *k != "moderation" && *k != "newsletters")
            .collect();
        anyhow::anyhow!("unknown kind `{name}`; choose one of: {}", kinds.join(", "))
    })
}

/// `pnyx new KIND TITLE`: writes the new item, prints its path, and says what to do next.
pub fn run(root: &Path, kind: &str, title: &str) -> super::Outcome {
    let settings = crate::load::load_settings(root).map_err(|d| super::Failure::Content(d.to_string()))?;
    let hints = Hints::from_content(&crate::load::load_content(root).0);
    let today = crate::dates::today(&settings.tz);
    let path = create(root, kind, title, &today, &hints)?;
    println!("{}", path.display());
    eprintln!(
        "created {}; edit it, then run `pnyx build` to check it",
        path.display()
    );
    Ok(())
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
                Kind::Progress => {
                    crate::content::front_matter::parse::<crate::content::Progress>(&path, &split).map(|_| ())
                }
                Kind::Moderation | Kind::Newsletters => unreachable!(),
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
