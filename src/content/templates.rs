//! The text of a new item of each kind: valid front matter at once, and a body that says what
//! to write. `pnyx new` writes it, and the site's "propose" links pre-fill a pull request with it.

use chrono::NaiveDate;

use super::{Content, Kind};

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
        Kind::Progress => "percent: 0\nsteps:\n  - title: \"Première étape\"\n    date: 2027-01-15\n    status: planned    # done, doing ou planned\n---\n\nOù en est la décision.\n".to_string(),
        Kind::Moderation | Kind::Newsletters => return None,
    };
    Some(format!("---\n{body}"))
}

/// The text of a new item with default hints.
pub fn template(kind: Kind, title: &str, today: &NaiveDate) -> Option<String> {
    template_with(kind, title, today, &Hints::default())
}
