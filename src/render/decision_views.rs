//! Views of votes' and budgets' results: counts, outcome in words, charts drawn at build
//! time, every ballot (counted or refused, with its reason), paper batches, and how to vote.

use serde::Serialize;

use crate::content::{Budget, BudgetMethod, Item, Vote, VoteMethod};
use crate::tally::decide::ballot::{Choice, Problem};
use crate::tally::decide::budget::Phase as FundPhase;
use crate::tally::decide::count::{Ballots, BudgetTally, Count, Outcome, Phase};

use crate::tally::paper::PaperProblem;

use super::chart::{self, Bar};
use super::context::Ctx;
use super::format;
use super::trust_views::KeyRef;
use super::views::OptionView;

/// A counted ballot.
#[derive(Debug, Clone, Serialize)]
pub struct BallotView {
    /// Who.
    #[serde(flatten)]
    pub key: KeyRef,
    /// When it arrived, in words.
    pub date: Option<String>,
    /// ISO time.
    pub date_iso: Option<String>,
    /// As written in the statement.
    pub ballot: String,
    /// What it means, in words.
    pub meaning: String,
    /// The statement file.
    pub path: String,
}

/// A refused ballot.
#[derive(Debug, Clone, Serialize)]
pub struct RefusedView {
    /// Who.
    #[serde(flatten)]
    pub key: KeyRef,
    /// When it arrived, in words.
    pub date: Option<String>,
    /// As written.
    pub ballot: String,
    /// Why it is not counted, in words, as HTML: what the voter wrote is shown as code.
    pub reason_html: String,
    /// The statement file.
    pub path: String,
}

/// A batch of paper ballots.
#[derive(Debug, Clone, Serialize)]
pub struct PaperBallotsView {
    /// The batch file.
    pub path: String,
    /// Where.
    pub place: String,
    /// When, in words.
    pub date: String,
    /// How many, formatted.
    pub count: String,
    /// Counted.
    pub counted: bool,
    /// Members who attested it.
    pub attested_by: Vec<KeyRef>,
    /// Why not, when not.
    pub problem: Option<String>,
    /// Each distinct ballot in words, and how many.
    pub lines: Vec<(String, String)>,
}

/// One line of a result table.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// Option id (or project slug).
    pub id: String,
    /// Its label.
    pub label: String,
    /// 1-based rank, ties sharing one (0 when not ranked: majority).
    pub rank: usize,
    /// The score in words ("8 voix", "bien", "3 victoires").
    pub score: String,
    /// Share of counted ballots, in percent, formatted.
    pub share: Option<String>,
    /// In the winning group.
    pub winner: bool,
}

/// The Schulze tables: who beats whom, directly and by the strongest path.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixView {
    /// Option labels, in option order.
    pub labels: Vec<String>,
    /// `cells[i][j]`: ballots preferring i to j, and the strongest path strength.
    pub cells: Vec<Vec<CellView>>,
}

/// One cell of the Schulze tables.
#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    /// Ballots preferring the row to the column (none on the diagonal).
    pub pairwise: Option<u64>,
    /// Strength of the strongest path.
    pub strongest: Option<u64>,
    /// The row beats the column.
    pub beats: bool,
}

/// A judgment's grades per option.
#[derive(Debug, Clone, Serialize)]
pub struct GradesView {
    /// Option label.
    pub label: String,
    /// Its majority grade.
    pub majority_grade: Option<String>,
    /// Counts per grade, best first, formatted.
    pub counts: Vec<String>,
    /// Share of grades better than the majority grade, formatted percent.
    pub better: String,
    /// Share worse.
    pub worse: String,
}

/// How to cast a ballot from the command line.
#[derive(Debug, Clone, Serialize)]
pub struct HowToVote {
    /// An example ballot for this vote.
    pub example: String,
    /// `pnyx vote …`.
    pub pnyx: String,
    /// The stock minisign command.
    pub minisign: String,
}

/// Everything the results block of a vote shows.
#[derive(Debug, Clone, Serialize)]
pub struct VoteResults {
    /// upcoming / open / closed.
    pub phase: &'static str,
    /// open / adopted / rejected / no-quorum / ranked.
    pub outcome: &'static str,
    /// Its name.
    pub outcome_label: String,
    /// The result in one sentence, as HTML: the options it names are marked with the
    /// content's language.
    pub summary_html: String,
    /// Whether the options' labels are content (see `VoteView::labels_content`).
    pub labels_content: bool,
    /// Whether the grades' words are content.
    pub grades_content: bool,
    /// The quorum in a sentence, if there is one.
    pub quorum: Option<String>,
    /// Whether it is met.
    pub quorum_met: bool,
    /// Result lines, best first.
    pub rows: Vec<RowView>,
    /// The SVG chart.
    pub chart: Option<String>,
    /// Schulze tables.
    pub matrix: Option<MatrixView>,
    /// Majority judgment grades.
    pub grades: Vec<GradesView>,
    /// Grade names, best first, for the grades table.
    pub grade_names: Vec<String>,
    /// The counts by origin, every ballot, how to vote.
    #[serde(flatten)]
    pub ballot_box: BallotBoxView,
}

/// What the results of a vote and of a budget show alike.
#[derive(Debug, Clone, Serialize)]
pub struct BallotBoxView {
    /// Counted ballots, formatted.
    pub total: String,
    /// Counted ballots of members.
    pub members: u64,
    /// Of other keys.
    pub others: u64,
    /// Paper ballots counted.
    pub paper: u64,
    /// Counted signed ballots.
    pub ballots: Vec<BallotView>,
    /// Refused ballots.
    pub refused: Vec<RefusedView>,
    /// Paper batches.
    pub paper_batches: Vec<PaperBallotsView>,
    /// How to vote.
    pub how: HowToVote,
}

/// One project's fate under one rule.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Funded by this rule.
    pub funded: bool,
    /// Why, in words.
    pub why: String,
}

/// A project in the results of a budget.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectResult {
    /// Slug.
    pub id: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// Cost, formatted.
    pub cost: String,
    /// Approvals.
    pub approvals: u64,
    /// Share of ballots approving it, formatted percent.
    pub share: String,
    /// Under the greedy rule.
    pub greedy: Verdict,
    /// Under equal shares.
    pub shares: Verdict,
}

/// One rule's selection.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    /// `greedy` or `equal-shares`.
    pub id: &'static str,
    /// Its name.
    pub label: String,
    /// The budget's own rule.
    pub official: bool,
    /// Funded projects, in selection order: title and cost.
    pub funded: Vec<(String, String)>,
    /// Money spent, formatted.
    pub spent: String,
    /// Left, formatted.
    pub left: String,
    /// Share of the budget spent, 0–100.
    pub percent: u64,
    /// A note (equal shares: the per-voter budget reached by the completion).
    pub note: Option<String>,
}

/// Everything the results block of a budget shows.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetResults {
    /// upcoming / open / closed.
    pub phase: &'static str,
    /// Both rules, the budget's own first.
    pub rules: Vec<RuleView>,
    /// The two rules fund different projects.
    pub differ: bool,
    /// Projects by approvals.
    pub projects: Vec<ProjectResult>,
    /// Approvals per project.
    pub chart: Option<String>,
    /// The counts by origin, every ballot, how to vote.
    #[serde(flatten)]
    pub ballot_box: BallotBoxView,
}

impl Ctx<'_> {
    fn s(&self, key: &str) -> String {
        self.theme.t(key)
    }

    pub(super) fn percent(&self, part: u64, whole: u64) -> String {
        if whole == 0 {
            return "0".into();
        }
        let p = part as f64 * 100.0 / whole as f64;
        let text = format!("{p:.1}");
        let text = text.trim_end_matches('0').trim_end_matches('.').to_string();
        match self.settings.config.language {
            crate::config::Language::Fr => text.replace('.', ","),
            crate::config::Language::En => text,
        }
    }

    /// Why a paper batch is not counted, in the site's language.
    pub(super) fn paper_problem_text(&self, p: &PaperProblem) -> String {
        let lang = self.settings.config.language;
        let who = |k: &crate::signatures::keys::KeyId| {
            self.sigs
                .keys
                .get(k)
                .and_then(|f| f.name.clone())
                .unwrap_or_else(|| k.to_string())
        };
        let text = self.s(&format!("paper_problem_{}", p.key()));
        match p {
            PaperProblem::WrongCount { attested, count } => text
                .replace("{attested}", attested)
                .replace("{count}", &format::int(*count, lang)),
            PaperProblem::AttestedLate(k) | PaperProblem::NotMember(k) => text.replace("{key}", &who(k)),
            PaperProblem::Ballot {
                text: ballot,
                problem,
            } => text
                .replace("{ballot}", ballot)
                .replace("{problem}", &self.problem_text(problem)),
            PaperProblem::Sum { sum, count } => text
                .replace("{sum}", &format::int(*sum, lang))
                .replace("{count}", &format::int(*count, lang)),
            PaperProblem::UnknownText(t) => text.replace("{text}", t),
            PaperProblem::NotAttested | PaperProblem::OutsidePeriod => text,
        }
    }

    fn problem_text(&self, p: &Problem) -> String {
        let text = self.s(&format!("ballot_problem_{}", p.key()));
        match p.detail() {
            Some(d) => text.replace("{detail}", &d),
            None => text,
        }
    }

    /// `problem_text` as HTML: the words the voter wrote in quotes (an unknown option or
    /// grade) are the vote's words, marked with the content's language.
    fn problem_html(&self, p: &Problem) -> String {
        let text = tera::escape_html(&self.s(&format!("ballot_problem_{}", p.key())));
        match p.detail() {
            Some(d)
                if matches!(
                    p,
                    Problem::UnknownOption(_)
                        | Problem::UnknownGrade(_)
                        | Problem::Twice(_)
                        | Problem::Syntax(_)
                ) =>
            {
                text.replace("{detail}", &self.theme.content_html(&d))
            }
            Some(d) => text.replace("{detail}", &tera::escape_html(&d)),
            None => text,
        }
    }

    /// A choice in words, with `labels` for the options.
    fn meaning(&self, choice: &Choice, labels: &[String], grades: &[String]) -> String {
        let label = |i: &usize| labels.get(*i).cloned().unwrap_or_default();
        match choice {
            Choice::Single(i) => label(i),
            Choice::Approve(v) => v.iter().map(label).collect::<Vec<_>>().join(", "),
            Choice::Rank(groups) => groups
                .iter()
                .map(|g| g.iter().map(label).collect::<Vec<_>>().join(" = "))
                .collect::<Vec<_>>()
                .join(" > "),
            Choice::Grades(given) => given
                .iter()
                .enumerate()
                .map(|(o, g)| {
                    self.s("option_graded")
                        .replace("{option}", &label(&o))
                        .replace("{grade}", &grades.get(*g).cloned().unwrap_or_default())
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn ballot_box(&self, b: &Ballots, labels: &[String], grades: &[String], how: HowToVote) -> BallotBoxView {
        let lang = self.settings.config.language;
        let when = |t: Option<i64>| t.map(|t| self.time_words(t));
        let ballots = b
            .cast
            .iter()
            .map(|c| {
                let w = when(c.arrived);
                BallotView {
                    key: self.key_ref(c.key),
                    date: w.as_ref().map(|w| w.0.clone()),
                    date_iso: w.map(|w| w.1),
                    ballot: c.text.clone(),
                    meaning: self.meaning(&c.choice, labels, grades),
                    path: c.path.clone(),
                }
            })
            .collect();
        let refused = b
            .refused
            .iter()
            .map(|r| RefusedView {
                key: self.key_ref(r.key),
                date: when(r.arrived).map(|w| w.0),
                ballot: r.text.clone(),
                reason_html: self.problem_html(&r.problem),
                path: r.path.clone(),
            })
            .collect();
        let paper_batches = b
            .paper
            .iter()
            .map(|p| PaperBallotsView {
                path: p.batch.path.clone(),
                place: p.place.clone(),
                date: self.when(&p.date),
                count: format::int(p.batch.count, lang),
                counted: p.batch.counted,
                attested_by: p.batch.attested_by.iter().map(|k| self.key_ref(*k)).collect(),
                problem: p.batch.problem.as_ref().map(|p| self.paper_problem_text(p)),
                lines: p
                    .ballots
                    .iter()
                    .map(|(_, c, n)| (self.meaning(c, labels, grades), format::int(*n, lang)))
                    .collect(),
            })
            .collect();
        BallotBoxView {
            total: format::int(b.total(), lang),
            members: b.members,
            others: b.others,
            paper: b.paper_total,
            ballots,
            refused,
            paper_batches,
            how,
        }
    }

    fn how_to_vote(&self, folder: &str, slug: &str, example: String) -> HowToVote {
        HowToVote {
            pnyx: format!("pnyx vote {folder}/{slug} '{example}'"),
            minisign: format!(
                "minisign -S -s ~/.minisign/minisign.key -m content/{folder}/{slug}.md -x signatures/{folder}/{slug}/KEYID.minisig -t 'pnyx/1 vote content/{folder}/{slug}.md {example}'"
            ),
            example,
        }
    }

    /// The results block of a vote.
    pub fn vote_results(&self, item: &Item<Vote>, options: &[OptionView]) -> Option<VoteResults> {
        let t = self.tallies.votes.get(&item.slug)?;
        let m = &item.meta;
        let labels: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
        let labels = labels.as_slice();
        let labels_content = options.iter().all(|o| o.content);
        let grades_content = m.grades.iter().all(|g| self.grade_is_content(g));
        let label_lang = self.theme.content_lang.as_deref().filter(|_| labels_content);
        let grade_lang = self.theme.content_lang.as_deref().filter(|_| grades_content);
        let lang = self.settings.config.language;
        let total = t.ballots.total();
        let label = |i: usize| labels.get(i).cloned().unwrap_or_default();
        let votes_word = |n: u64| {
            let key = if n == 1 || (n == 0 && lang == crate::config::Language::Fr) {
                "n_votes_one"
            } else {
                "n_votes_many"
            };
            self.s(key).replace("{n}", &format::int(n, lang))
        };
        let mut rows = Vec::new();
        let mut matrix = None;
        let mut grades = Vec::new();
        let grade_words: Vec<String> = m.grades.iter().map(|g| self.grade_words(g)).collect();
        let chart;
        let summary;
        match &t.count {
            Count::Majority {
                yes,
                no,
                abstain,
                threshold,
            } => {
                let expressed = yes + no;
                for (i, o) in m.options.iter().enumerate() {
                    let n = match o.id.as_str() {
                        "yes" => *yes,
                        "no" => *no,
                        _ => *abstain,
                    };
                    rows.push(RowView {
                        id: o.id.clone(),
                        label: label(i),
                        rank: 0,
                        score: votes_word(n),
                        share: (o.id != "abstain").then(|| self.percent(n, expressed)),
                        winner: (o.id == "yes" && t.outcome == Outcome::Adopted)
                            || (o.id == "no" && t.outcome == Outcome::Rejected),
                    });
                }
                let bars: Vec<Bar> = rows
                    .iter()
                    .map(|r| Bar {
                        label: &r.label,
                        value: match r.id.as_str() {
                            "yes" => *yes,
                            "no" => *no,
                            _ => *abstain,
                        },
                        note: &r.score,
                        strong: r.winner,
                    })
                    .collect();
                // The threshold's mark is drawn at its share of the expressed votes.
                let mark = (expressed > 0)
                    .then(|| (expressed as u128 * threshold.num as u128 / threshold.den as u128) as u64);
                chart = chart::bars(&bars, 0, mark, &self.s("results_chart_label"), label_lang);
                summary = tera::escape_html(
                    &self
                        .s(&format!("majority_summary_{}", t.outcome.key().replace('-', "_")))
                        .replace("{yes}", &format::int(*yes, lang))
                        .replace("{expressed}", &format::int(expressed, lang))
                        .replace("{share}", &self.percent(*yes, expressed))
                        .replace("{threshold}", &threshold.percent_text()),
                );
            }
            Count::Approval(approvals) => {
                for &i in &t.order {
                    rows.push(RowView {
                        id: m.options[i].id.clone(),
                        label: label(i),
                        rank: t.ranks[i],
                        score: votes_word(approvals[i]),
                        share: Some(self.percent(approvals[i], total)),
                        winner: t.is_first(i, approvals[i]),
                    });
                }
                let bars: Vec<Bar> = t
                    .order
                    .iter()
                    .zip(&rows)
                    .map(|(&i, r)| Bar {
                        label: &r.label,
                        value: approvals[i],
                        note: &r.score,
                        strong: r.winner,
                    })
                    .collect();
                chart = chart::bars(&bars, total, None, &self.s("results_chart_label"), label_lang);
                summary = self.leaders_summary(&rows, m.method, label_lang.is_some());
            }
            Count::Ranked(s) => {
                for &i in &t.order {
                    rows.push(RowView {
                        id: m.options[i].id.clone(),
                        label: label(i),
                        rank: t.ranks[i],
                        score: self
                            .s(if s.wins[i] == 1 {
                                "n_wins_one"
                            } else {
                                "n_wins_many"
                            })
                            .replace("{n}", &s.wins[i].to_string()),
                        share: None,
                        winner: t.is_first(i, total),
                    });
                }
                let n = m.options.len();
                matrix = Some(MatrixView {
                    labels: (0..n).map(label).collect(),
                    cells: (0..n)
                        .map(|i| {
                            (0..n)
                                .map(|j| CellView {
                                    pairwise: (i != j).then(|| s.pairwise[i][j]),
                                    strongest: (i != j).then(|| s.strongest[i][j]),
                                    beats: i != j && s.strongest[i][j] > s.strongest[j][i],
                                })
                                .collect()
                        })
                        .collect(),
                });
                let bars: Vec<Bar> = t
                    .order
                    .iter()
                    .zip(&rows)
                    .map(|(&i, r)| Bar {
                        label: &r.label,
                        value: s.wins[i] as u64,
                        note: &r.score,
                        strong: r.winner,
                    })
                    .collect();
                chart = chart::bars(
                    &bars,
                    n.saturating_sub(1) as u64,
                    None,
                    &self.s("results_chart_label"),
                    label_lang,
                );
                summary = self.leaders_summary(&rows, m.method, label_lang.is_some());
            }
            Count::Judgment(counts, j) => {
                let grade = |g: Option<usize>| g.and_then(|g| grade_words.get(g).cloned());
                for &i in &t.order {
                    rows.push(RowView {
                        id: m.options[i].id.clone(),
                        label: label(i),
                        rank: t.ranks[i],
                        score: grade(j.majority_grade[i]).unwrap_or_else(|| "—".into()),
                        share: None,
                        winner: t.is_first(i, total),
                    });
                    let n: u64 = counts[i].iter().sum();
                    grades.push(GradesView {
                        label: label(i),
                        majority_grade: grade(j.majority_grade[i]),
                        counts: counts[i].iter().map(|c| format::int(*c, lang)).collect(),
                        better: self.percent(j.better[i], n),
                        worse: self.percent(j.worse[i], n),
                    });
                }
                let profile: Vec<(&str, Vec<u64>)> = t
                    .order
                    .iter()
                    .zip(&rows)
                    .map(|(&i, r)| (r.label.as_str(), counts[i].clone()))
                    .collect();
                chart = chart::merit_profile(
                    &profile,
                    &grade_words,
                    &self.s("merit_chart_label"),
                    (label_lang, grade_lang),
                );
                summary = self.leaders_summary(&rows, m.method, label_lang.is_some());
            }
        }
        let ui = |key: &str| tera::escape_html(&self.s(key));
        let summary_html = match (t.phase, t.outcome) {
            (Phase::Upcoming, _) => ui("results_upcoming"),
            (_, Outcome::NoQuorum) => ui("outcome_no_quorum_summary"),
            (Phase::Open, _) if total == 0 => ui("results_none_yet"),
            (Phase::Open, _) => format!("{} {summary}", ui("results_live")),
            _ => summary,
        };
        let quorum = t.quorum.map(|q| {
            let key = if t.quorum_met {
                "quorum_met"
            } else {
                "quorum_not_met"
            };
            self.s(key)
                .replace("{n}", &format::int(q, lang))
                .replace("{total}", &format::int(total, lang))
        });
        let example = match m.method {
            VoteMethod::Majority => "yes".to_string(),
            VoteMethod::Approval | VoteMethod::Dates => ids(m, 2).join(","),
            VoteMethod::Ranked => ids(m, 3).join(">"),
            VoteMethod::Judgment => ids(m, 2)
                .iter()
                .enumerate()
                .map(|(i, id)| format!("{id}={}", m.grades.get(i).map(String::as_str).unwrap_or("")))
                .collect::<Vec<_>>()
                .join(","),
        };
        Some(VoteResults {
            phase: t.phase.key(),
            outcome: t.outcome.key(),
            outcome_label: self.s(&format!("outcome_{}", t.outcome.key().replace('-', "_"))),
            summary_html,
            labels_content,
            grades_content,
            quorum,
            quorum_met: t.quorum_met,
            rows,
            chart,
            matrix,
            grades,
            grade_names: grade_words.clone(),
            ballot_box: self.ballot_box(
                &t.ballots,
                labels,
                &grade_words,
                self.how_to_vote("votes", &item.slug, example),
            ),
        })
    }

    /// "Mardi 5 janvier arrive en tête" / "Égalité entre …", as HTML, the options marked
    /// with the content's language when they are content.
    fn leaders_summary(&self, rows: &[RowView], method: VoteMethod, content: bool) -> String {
        let leaders: Vec<&str> = rows
            .iter()
            .filter(|r| r.winner)
            .map(|r| r.label.as_str())
            .collect();
        let fill = |key: &str, name: &str, value: &str| {
            if content {
                self.theme.with_content_html(key, &[(name, value)])
            } else {
                tera::escape_html(&self.s(key).replace(&format!("{{{name}}}"), value))
            }
        };
        match leaders.as_slice() {
            [] => tera::escape_html(&self.s("results_none_yet")),
            [one] => fill(&format!("leader_{}", method.key()), "option", one),
            many => fill("leaders_tied", "options", &many.join(", ")),
        }
    }

    /// The results block of a participatory budget.
    pub fn budget_results(&self, item: &Item<Budget>) -> Option<BudgetResults> {
        let t: &BudgetTally = self.tallies.budgets.get(&item.slug)?;
        let m = &item.meta;
        let lang = self.settings.config.language;
        let money = |n: u64| format::money(n, &m.currency, lang);
        let total = t.ballots.total();
        let titles: Vec<String> = t
            .projects
            .iter()
            .map(|p| {
                self.content
                    .initiatives
                    .get(&p.id)
                    .map(|i| i.meta.title.clone())
                    .unwrap_or_else(|| p.id.clone())
            })
            .collect();
        let greedy = &t.greedy;
        let shares = &t.shares.allocation;
        fn funded_by(
            a: &crate::tally::decide::budget::Allocation,
            i: usize,
        ) -> Option<(usize, &crate::tally::decide::budget::Funded)> {
            a.funded.iter().enumerate().find(|(_, f)| f.project == i)
        }
        let mut projects: Vec<ProjectResult> = t
            .projects
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let approvals = greedy.approvals.get(i).copied().unwrap_or(0);
                let none = || Verdict {
                    funded: false,
                    why: self.s("why_no_approval"),
                };
                let no_fit = |a: &crate::tally::decide::budget::Allocation| {
                    a.left_when_considered
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|left| self.s("why_no_fit").replace("{left}", &money(left)))
                };
                let g = if approvals == 0 {
                    none()
                } else if let Some((pos, _)) = funded_by(greedy, i) {
                    Verdict {
                        funded: true,
                        why: self
                            .s("why_greedy_funded")
                            .replace("{nth}", &format::ordinal(pos as u64 + 1, lang)),
                    }
                } else {
                    Verdict {
                        funded: false,
                        why: no_fit(greedy).unwrap_or_default(),
                    }
                };
                let s = if approvals == 0 {
                    none()
                } else if let Some((_, f)) = funded_by(shares, i) {
                    let why = match (&f.phase, &f.max_payment) {
                        (FundPhase::Shares, Some(pay)) => self
                            .s("why_shares_funded")
                            .replace("{pay}", &self.money_rational(pay, &m.currency)),
                        _ => self.s("why_completion_funded"),
                    };
                    Verdict { funded: true, why }
                } else {
                    let left = t.shares.supporters_left.get(i).cloned().flatten();
                    let mut why = left
                        .map(|l| {
                            self.s("why_shares_unaffordable")
                                .replace("{left}", &self.money_rational(&l, &m.currency))
                                .replace("{cost}", &money(p.cost))
                        })
                        .unwrap_or_default();
                    if let Some(fit) = no_fit(shares) {
                        if !why.is_empty() {
                            why.push(' ');
                        }
                        why.push_str(&fit);
                    }
                    Verdict { funded: false, why }
                };
                ProjectResult {
                    id: p.id.clone(),
                    title: titles[i].clone(),
                    url: self.url(crate::content::Kind::Initiatives, &p.id),
                    cost: money(p.cost),
                    approvals,
                    share: self.percent(approvals, total),
                    greedy: g,
                    shares: s,
                }
            })
            .collect();
        projects.sort_by(|a, b| b.approvals.cmp(&a.approvals).then(a.id.cmp(&b.id)));
        let rule =
            |id: &'static str, a: &crate::tally::decide::budget::Allocation, note: Option<String>| RuleView {
                id,
                label: self.s(if id == "greedy" {
                    "budget_greedy"
                } else {
                    "budget_equal_shares"
                }),
                official: (id == "greedy") == (m.method == BudgetMethod::Greedy),
                funded: a
                    .funded
                    .iter()
                    .map(|f| (titles[f.project].clone(), money(t.projects[f.project].cost)))
                    .collect(),
                spent: money(a.spent),
                left: money(m.total.saturating_sub(a.spent)),
                percent: (a.spent * 100).checked_div(m.total).unwrap_or(0).min(100),
                note,
            };
        let shares_note = (total > 0).then(|| {
            self.s("shares_note")
                .replace(
                    "{per_voter}",
                    &self.money_rational(&t.shares.per_voter, &m.currency),
                )
                .replace("{n}", &t.shares.increments.to_string())
        });
        let mut rules = vec![
            rule("greedy", greedy, None),
            rule("equal-shares", shares, shares_note),
        ];
        rules.sort_by_key(|r| !r.official);
        let set = |a: &crate::tally::decide::budget::Allocation| {
            let mut v: Vec<usize> = a.funded.iter().map(|f| f.project).collect();
            v.sort_unstable();
            v
        };
        let labels: Vec<String> = projects.iter().map(|p| p.title.clone()).collect();
        let notes: Vec<String> = projects
            .iter()
            .map(|p| {
                if lang == crate::config::Language::Fr || p.approvals != 1 {
                    self.s("n_votes_many").replace("{n}", &p.approvals.to_string())
                } else {
                    self.s("n_votes_one").replace("{n}", "1")
                }
            })
            .collect();
        let bars: Vec<Bar> = projects
            .iter()
            .enumerate()
            .map(|(k, p)| Bar {
                label: &labels[k],
                value: p.approvals,
                note: &notes[k],
                strong: if m.method == BudgetMethod::Greedy {
                    p.greedy.funded
                } else {
                    p.shares.funded
                },
            })
            .collect();
        let example = t
            .projects
            .iter()
            .take(2)
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        Some(BudgetResults {
            phase: t.phase.key(),
            differ: set(greedy) != set(shares),
            rules,
            chart: chart::bars(
                &bars,
                total,
                None,
                &self.s("budget_chart_label"),
                self.theme.content_lang.as_deref(),
            ),
            projects,
            ballot_box: self.ballot_box(
                &t.ballots,
                &titles,
                &[],
                self.how_to_vote("budgets", &item.slug, example),
            ),
        })
    }

    /// An exact amount of money, rounded to the cent for display.
    fn money_rational(&self, r: &num_rational::BigRational, currency: &str) -> String {
        use num_traits::ToPrimitive;
        let value = r.to_f64().unwrap_or(0.0);
        let lang = self.settings.config.language;
        let whole = value.trunc() as u64;
        let cents = ((value - value.trunc()) * 100.0).round() as u64;
        let (whole, cents) = if cents == 100 {
            (whole + 1, 0)
        } else {
            (whole, cents)
        };
        if cents == 0 {
            return format::money(whole, currency, lang);
        }
        let text = format::money(whole, currency, lang);
        let int = format::int(whole, lang);
        let sep = match lang {
            crate::config::Language::Fr => ",",
            crate::config::Language::En => ".",
        };
        text.replacen(&int, &format!("{int}{sep}{cents:02}"), 1)
    }
}

/// The first `n` option ids of a vote.
fn ids(m: &Vote, n: usize) -> Vec<&str> {
    m.options.iter().take(n).map(|o| o.id.as_str()).collect()
}
