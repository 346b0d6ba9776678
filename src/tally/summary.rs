//! The tallies in short: what `pnyx tally` prints (a table, or JSON with `--json`) and what
//! `pnyx check` compares between the base of a change and its head ("+12 supporters for
//! gratuite-des-bus (300/300), goal reached").
//!
//! Built from the tally stage's result, so the numbers are the site's numbers; the commands
//! print it (`crate::cmd::tally`, `crate::cmd::check`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::load::Site;
use crate::tally::decide::rows::{self, BudgetRow, VoteRow};
use crate::tally::Tallies;

/// Everything counted, flat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The reference time ("now") of the count, RFC 3339.
    pub reference_time: String,
    /// Whether statements were dated from git history (late supports need it).
    pub dated: bool,
    /// Initiatives, by slug.
    pub initiatives: Vec<InitiativeSummary>,
    /// Members of the web of trust, by key.
    pub members: Vec<MemberSummary>,
    /// Meetings with their registrations, by slug.
    pub meetings: Vec<MeetingSummary>,
    /// Votes, as in `data/votes.json`.
    pub votes: Vec<VoteRow>,
    /// Participatory budgets, as in `data/budgets.json`.
    pub budgets: Vec<BudgetRow>,
}

/// One initiative's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitiativeSummary {
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Signatures needed, if set.
    pub goal: Option<u64>,
    /// When the collection closes, as written.
    pub closes: Option<String>,
    /// Counted supporters.
    pub supporters: Supporters,
    /// `total >= goal`.
    pub reached: bool,
    /// Supports that arrived after `closes`: shown on the site, not counted.
    pub late: usize,
    /// Keys whose statement is a withdrawal.
    pub withdrawn: usize,
}

/// Counted supporters of an initiative, as in `data/initiatives.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Supporters {
    /// Keys that are members.
    pub members: u64,
    /// Other keys.
    pub others: u64,
    /// Signatures on paper, from attested batches.
    pub paper: u64,
    /// All of them.
    pub total: u64,
}

/// A member of the web of trust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberSummary {
    /// Key id.
    pub key: String,
    /// Name from the key's profile.
    pub name: Option<String>,
    /// A trust root.
    pub root: bool,
}

impl MemberSummary {
    /// `Alice (2F3240DF3C8A9906)`, or the bare key id without a name.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.key),
            None => self.key.clone(),
        }
    }
}

/// A meeting's registrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingSummary {
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Keys registered.
    pub registrations: usize,
    /// Seats, if limited.
    pub capacity: Option<u32>,
}

/// Sums up the tallies of a loaded site.
pub fn summarise(site: &Site, tallies: &Tallies) -> Summary {
    let initiatives = site
        .content
        .initiatives
        .iter()
        .map(|(slug, item)| {
            let t = tallies.initiatives.get(slug).cloned().unwrap_or_default();
            let total = t.total();
            InitiativeSummary {
                slug: slug.clone(),
                title: item.meta.title.clone(),
                goal: item.meta.goal,
                closes: item.meta.closes.map(|c| c.to_string()),
                supporters: Supporters {
                    members: t.members,
                    others: t.others,
                    paper: t.paper_total,
                    total,
                },
                reached: item.meta.goal.is_some_and(|g| total >= g),
                late: t.late.len(),
                withdrawn: t.withdrawn,
            }
        })
        .collect();
    let members = tallies
        .trust
        .members
        .keys()
        .map(|k| MemberSummary {
            key: k.to_string(),
            name: site.signatures.keys.get(k).and_then(|f| f.name.clone()),
            root: tallies.trust.roots.contains(k),
        })
        .collect();
    let meetings = site
        .content
        .meetings
        .iter()
        .map(|(slug, item)| MeetingSummary {
            slug: slug.clone(),
            title: item.meta.title.clone(),
            registrations: tallies.registrations.get(slug).map_or(0, |r| r.registered()),
            capacity: item.meta.capacity,
        })
        .collect();
    Summary {
        reference_time: chrono::DateTime::from_timestamp(tallies.now, 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        dated: site.signatures.history.is_some(),
        initiatives,
        members,
        meetings,
        votes: rows::vote_rows(&site.content, &tallies.votes),
        budgets: rows::budget_rows(&site.content, &tallies.budgets),
    }
}

/// `n word` with an `s` when `n` is not 1 (`1 supporter`, `12 supporters`).
fn count(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `+12 word` / `-1 word`.
fn signed(d: i128, word: &str) -> String {
    let sign = if d < 0 { '-' } else { '+' };
    format!("{sign}{}", count(d.unsigned_abs() as u64, word))
}

/// `290/300`, or `290` without a goal.
fn progress(total: u64, goal: Option<u64>) -> String {
    match goal {
        Some(g) => format!("{total}/{g}"),
        None => total.to_string(),
    }
}

/// What changes from `base` to `head`, one line each; empty when nothing does.
pub fn delta(base: &Summary, head: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let before: BTreeMap<&str, &InitiativeSummary> =
        base.initiatives.iter().map(|i| (i.slug.as_str(), i)).collect();
    let after: BTreeMap<&str, &InitiativeSummary> =
        head.initiatives.iter().map(|i| (i.slug.as_str(), i)).collect();
    for (slug, h) in &after {
        let Some(b) = before.get(slug) else {
            out.push(format!(
                "new initiative {slug}: {} ({})",
                count(h.supporters.total, "supporter"),
                progress(h.supporters.total, h.goal)
            ));
            continue;
        };
        let d = h.supporters.total as i128 - b.supporters.total as i128;
        let goal_changed = h.goal != b.goal;
        if d != 0 || goal_changed || h.reached != b.reached {
            let mut line = if d != 0 {
                format!(
                    "{} for {slug} ({})",
                    signed(d, "supporter"),
                    progress(h.supporters.total, h.goal)
                )
            } else {
                format!(
                    "goal of {slug} changed: {} ({})",
                    b.goal.map_or("none".into(), |g| g.to_string()),
                    progress(h.supporters.total, h.goal)
                )
            };
            if h.reached && !b.reached {
                line.push_str(", goal reached");
            } else if b.reached && !h.reached {
                line.push_str(", goal no longer reached");
            }
            out.push(line);
        }
        let late = h.late as i128 - b.late as i128;
        if late != 0 {
            out.push(format!(
                "{} for {slug} (arrived after it closed: shown, not counted)",
                signed(late, "late support")
            ));
        }
        let withdrawn = h.withdrawn as i128 - b.withdrawn as i128;
        if withdrawn != 0 {
            out.push(format!("{} for {slug}", signed(withdrawn, "withdrawal")));
        }
    }
    for (slug, b) in &before {
        if !after.contains_key(slug) {
            out.push(format!(
                "initiative {slug} removed (it had {})",
                count(b.supporters.total, "supporter")
            ));
        }
    }
    let old: BTreeMap<&str, &MemberSummary> = base.members.iter().map(|m| (m.key.as_str(), m)).collect();
    let new: BTreeMap<&str, &MemberSummary> = head.members.iter().map(|m| (m.key.as_str(), m)).collect();
    for (k, m) in &new {
        if !old.contains_key(k) {
            out.push(format!("+1 member: {}", m.label()));
        }
    }
    for (k, m) in &old {
        if !new.contains_key(k) {
            out.push(format!("-1 member: {}", m.label()));
        }
    }
    let old: BTreeMap<&str, &MeetingSummary> = base.meetings.iter().map(|m| (m.slug.as_str(), m)).collect();
    for m in &head.meetings {
        let was = old.get(m.slug.as_str()).map_or(0, |b| b.registrations);
        let d = m.registrations as i128 - was as i128;
        if d != 0 {
            out.push(format!(
                "{} for {} ({})",
                signed(d, "registration"),
                m.slug,
                progress(m.registrations as u64, m.capacity.map(u64::from))
            ));
        }
    }
    vote_delta(base, head, &mut out);
    out
}

/// What changes in the votes and budgets: ballots counted or refused, outcomes, the leader,
/// the projects funded.
fn vote_delta(base: &Summary, head: &Summary, out: &mut Vec<String>) {
    let total = rows::BallotCounts::total;
    let old: BTreeMap<&str, &VoteRow> = base.votes.iter().map(|v| (v.slug.as_str(), v)).collect();
    for v in &head.votes {
        let Some(b) = old.get(v.slug.as_str()) else {
            out.push(format!(
                "new vote {}: {}",
                v.slug,
                count(total(&v.ballots), "ballot")
            ));
            continue;
        };
        let d = total(&v.ballots) as i128 - total(&b.ballots) as i128;
        if d != 0 {
            out.push(format!(
                "{} for vote {} ({})",
                signed(d, "ballot"),
                v.slug,
                total(&v.ballots)
            ));
        }
        let refused = v.refused as i128 - b.refused as i128;
        if refused != 0 {
            out.push(format!(
                "{} for vote {} (shown with the reason, not counted)",
                signed(refused, "refused ballot"),
                v.slug
            ));
        }
        if v.outcome != b.outcome {
            out.push(format!(
                "outcome of vote {}: {} → {}",
                v.slug, b.outcome, v.outcome
            ));
        } else if v.ranking.first() != b.ranking.first() {
            if let Some(first) = v.ranking.first() {
                out.push(format!("vote {}: {first} now comes first", v.slug));
            }
        }
    }
    let old: BTreeMap<&str, &BudgetRow> = base.budgets.iter().map(|b| (b.slug.as_str(), b)).collect();
    for h in &head.budgets {
        let Some(b) = old.get(h.slug.as_str()) else {
            out.push(format!(
                "new budget {}: {}",
                h.slug,
                count(total(&h.ballots), "ballot")
            ));
            continue;
        };
        let d = total(&h.ballots) as i128 - total(&b.ballots) as i128;
        if d != 0 {
            out.push(format!(
                "{} for budget {} ({})",
                signed(d, "ballot"),
                h.slug,
                total(&h.ballots)
            ));
        }
        if h.selected != b.selected {
            out.push(format!(
                "budget {} now funds: {} ({} of {})",
                h.slug,
                if h.selected.is_empty() {
                    "nothing".to_string()
                } else {
                    h.selected.join(", ")
                },
                h.spent,
                h.total
            ));
        }
    }
}

/// Left-aligns the first column and right-aligns the others.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The summary as `pnyx tally` prints it on a terminal.
pub fn text(s: &Summary) -> String {
    let mut out = String::new();
    if s.initiatives.is_empty() {
        out.push_str("No initiatives.\n");
    } else {
        let mut rows = vec![[
            "initiative",
            "members",
            "others",
            "paper",
            "total",
            "goal",
            "reached",
            "late",
            "withdrawn",
        ]
        .map(String::from)
        .to_vec()];
        for i in &s.initiatives {
            rows.push(vec![
                i.slug.clone(),
                i.supporters.members.to_string(),
                i.supporters.others.to_string(),
                i.supporters.paper.to_string(),
                i.supporters.total.to_string(),
                i.goal.map_or("-".into(), |g| g.to_string()),
                if i.reached { "yes" } else { "no" }.into(),
                i.late.to_string(),
                i.withdrawn.to_string(),
            ]);
        }
        out.push_str(&table(&rows));
    }
    let roots = s.members.iter().filter(|m| m.root).count();
    let _ = writeln!(
        out,
        "\n{} ({roots} root{})",
        count(s.members.len() as u64, "member"),
        if roots == 1 { "" } else { "s" }
    );
    for m in &s.members {
        let _ = writeln!(out, "  {}{}", m.label(), if m.root { ", root" } else { "" });
    }
    if !s.meetings.is_empty() {
        out.push('\n');
        let mut rows = vec![vec![
            "meeting".to_string(),
            "registrations".into(),
            "capacity".into(),
        ]];
        for m in &s.meetings {
            rows.push(vec![
                m.slug.clone(),
                m.registrations.to_string(),
                m.capacity.map_or("-".into(), |c| c.to_string()),
            ]);
        }
        out.push_str(&table(&rows));
    }
    if !s.votes.is_empty() {
        out.push('\n');
        let mut rows = vec![[
            "vote", "method", "phase", "members", "others", "paper", "refused", "quorum", "outcome", "first",
        ]
        .map(String::from)
        .to_vec()];
        for v in &s.votes {
            rows.push(vec![
                v.slug.clone(),
                v.method.into(),
                v.phase.into(),
                v.ballots.members.to_string(),
                v.ballots.others.to_string(),
                v.ballots.paper.to_string(),
                v.refused.to_string(),
                match v.quorum {
                    Some(q) => format!("{q}{}", if v.quorum_met { " (met)" } else { "" }),
                    None => "-".into(),
                },
                v.outcome.into(),
                v.ranking.first().cloned().unwrap_or_else(|| "-".into()),
            ]);
        }
        out.push_str(&table(&rows));
    }
    for b in &s.budgets {
        let _ = writeln!(
            out,
            "\nbudget {} ({}, {}): {} ballots counted ({} members, {} others, {} paper); {} spent of {}",
            b.slug,
            b.method,
            b.phase,
            b.ballots.total(),
            b.ballots.members,
            b.ballots.others,
            b.ballots.paper,
            b.spent,
            b.total
        );
        for (rule, funded) in &b.rules {
            let mark = if *rule == b.method { " (its rule)" } else { "" };
            let _ = writeln!(
                out,
                "  {rule}{mark}: {}",
                if funded.is_empty() {
                    "nothing".to_string()
                } else {
                    funded.join(", ")
                }
            );
        }
    }
    let _ = write!(
        out,
        "\ncounted at {}; {}",
        s.reference_time,
        if s.dated {
            "statements dated from git history"
        } else {
            "no git history found: every statement counts, none is late"
        }
    );
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn initiative(slug: &str, total: u64, goal: Option<u64>) -> InitiativeSummary {
        InitiativeSummary {
            slug: slug.into(),
            title: slug.into(),
            goal,
            closes: None,
            supporters: Supporters {
                members: 0,
                others: total,
                paper: 0,
                total,
            },
            reached: goal.is_some_and(|g| total >= g),
            late: 0,
            withdrawn: 0,
        }
    }

    fn summary(initiatives: Vec<InitiativeSummary>, members: Vec<MemberSummary>) -> Summary {
        Summary {
            reference_time: "2026-11-18T00:00:00Z".into(),
            dated: true,
            initiatives,
            members,
            meetings: Vec::new(),
            votes: Vec::new(),
            budgets: Vec::new(),
        }
    }

    #[test]
    fn says_what_changes_in_a_line_each() {
        let alice = MemberSummary {
            key: "2F3240DF3C8A9906".into(),
            name: Some("Alice".into()),
            root: false,
        };
        let base = summary(
            vec![initiative("bus", 288, Some(300)), initiative("velo", 2, None)],
            vec![],
        );
        let head = summary(
            vec![
                initiative("bus", 300, Some(300)),
                initiative("velo", 1, None),
                initiative("tram", 0, Some(50)),
            ],
            vec![alice],
        );
        assert_eq!(
            delta(&base, &head),
            vec![
                "+12 supporters for bus (300/300), goal reached",
                "new initiative tram: 0 supporters (0/50)",
                "-1 supporter for velo (1)",
                "+1 member: Alice (2F3240DF3C8A9906)",
            ]
        );
        assert!(delta(&head, &head).is_empty());
    }

    fn vote(ballots: u64, refused: usize, outcome: &'static str) -> VoteRow {
        VoteRow {
            slug: "charte".into(),
            method: "majority",
            phase: if outcome == "open" { "open" } else { "closed" },
            ballots: rows::BallotCounts {
                members: ballots,
                others: 0,
                paper: 0,
            },
            refused,
            quorum: Some(10),
            quorum_met: ballots >= 10,
            outcome,
            ranking: Vec::new(),
            ranks: BTreeMap::new(),
            scores: BTreeMap::new(),
        }
    }

    #[test]
    fn says_what_a_change_does_to_votes_and_budgets() {
        let mut base = summary(vec![], vec![]);
        base.votes = vec![vote(9, 0, "open")];
        base.budgets = vec![BudgetRow {
            slug: "bp".into(),
            method: "equal-shares",
            phase: "open",
            total: 100,
            currency: "EUR".into(),
            ballots: rows::BallotCounts {
                members: 2,
                others: 0,
                paper: 0,
            },
            spent: 50,
            selected: vec!["a".into()],
            rules: BTreeMap::new(),
            approvals: BTreeMap::new(),
        }];
        let mut head = base.clone();
        head.votes = vec![vote(10, 1, "adopted")];
        head.budgets[0].ballots.others = 1;
        head.budgets[0].selected = vec!["a".into(), "b".into()];
        head.budgets[0].spent = 90;
        assert_eq!(
            delta(&base, &head),
            vec![
                "+1 ballot for vote charte (10)",
                "+1 refused ballot for vote charte (shown with the reason, not counted)",
                "outcome of vote charte: open → adopted",
                "+1 ballot for budget bp (3)",
                "budget bp now funds: a, b (90 of 100)",
            ]
        );
        let t = text(&head);
        assert!(
            t.contains("charte  majority  closed       10       0      0        1  10 (met)  adopted      -"),
            "{t}"
        );
        assert!(
            t.contains("budget bp (equal-shares, open): 3 ballots counted"),
            "{t}"
        );
    }

    #[test]
    fn prints_a_table() {
        let s = summary(vec![initiative("bus", 12, Some(300))], vec![]);
        let t = text(&s);
        assert!(t.contains("initiative  members  others  paper  total  goal  reached  late  withdrawn"));
        assert!(
            t.contains("bus               0      12      0     12   300       no"),
            "{t}"
        );
    }
}
