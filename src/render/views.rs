//! View types handed to the templates: borrowed-free, ready to print (dates in words,
//! URLs resolved, markdown rendered). `docs/theming.md` lists them for theme authors.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;

use crate::content::values::Moment;
use crate::content::*;
use crate::markdown::{self, Rendered};

use super::context::{Ctx, GroupLink, Link, PoleRef, Status};
use super::format;

/// A pole's card and page.
#[derive(Debug, Clone, Serialize)]
pub struct PoleView {
    /// Badge data.
    #[serde(flatten)]
    pub pole: PoleRef,
    /// One sentence.
    pub summary: String,
    /// Rendered body.
    pub html: String,
    /// Counts for the card.
    pub counts: BTreeMap<&'static str, usize>,
}

/// A working group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// Slug.
    pub slug: String,
    /// Name.
    pub title: String,
    /// Page.
    pub url: String,
    /// Card number.
    pub number: u32,
    /// Pole.
    pub pole: Option<PoleRef>,
    /// Organiser.
    pub organizer: Option<String>,
    /// One sentence.
    pub summary: String,
    /// Rendered body.
    pub html: String,
}

/// A contribution, with its replies nested.
#[derive(Debug, Clone, Serialize)]
pub struct ContributionView {
    /// Anchor id, `c-<stem>`.
    pub id: String,
    /// Author.
    pub author: String,
    /// Date in words.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// `for`, `against`, `neutral` or empty.
    pub position: String,
    /// Its label.
    pub position_label: String,
    /// Rendered text (empty when hidden).
    pub html: String,
    /// The moderation notice shown instead of the text, when a moderator hid it.
    pub hidden: Option<super::moderation_views::HiddenView>,
    /// The contribution it answers, for a reply.
    pub reply_to: Option<ReplyToView>,
    /// Deeper than the thread nests: listed flat, so it names and links what it answers.
    pub flattened: bool,
    /// Answers, oldest first (past the deepest level, every later answer of the branch).
    pub replies: Vec<ContributionView>,
}

/// The contribution a reply answers.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyToView {
    /// Its anchor id, `c-<stem>`.
    pub id: String,
    /// Its author, unless a moderator hid it.
    pub author: Option<String>,
}

/// Counts of contributions by position.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PositionCounts {
    /// All contributions.
    pub total: usize,
    /// For.
    pub r#for: usize,
    /// Against.
    pub against: usize,
    /// Neutral or unsaid.
    pub neutral: usize,
}

/// An initiative.
#[derive(Debug, Clone, Serialize)]
pub struct InitiativeView {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// project, budget, regulation.
    pub kind: &'static str,
    /// Its label.
    pub kind_label: String,
    /// Pole.
    pub pole: Option<PoleRef>,
    /// Group.
    pub group: Option<GroupLink>,
    /// Participatory budget.
    pub budget: Option<Link>,
    /// Cost, formatted.
    pub cost: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Opening date in words.
    pub opens: Option<String>,
    /// ISO opening date.
    pub opens_iso: Option<String>,
    /// Closing date in words.
    pub closes: Option<String>,
    /// ISO closing instant.
    pub closes_iso: Option<String>,
    /// open / closed / upcoming.
    pub status: Status,
    /// Its label.
    pub status_label: String,
    /// Days until closing, when open.
    pub days_left: Option<i64>,
    /// Signatures needed.
    pub goal: Option<u64>,
    /// Goal, formatted.
    pub goal_text: Option<String>,
    /// First paragraph.
    pub summary: String,
    /// Rendered body.
    pub html: String,
    /// Level-2 headings.
    pub toc: Vec<(String, String)>,
    /// Where to sign on paper.
    pub collection_points: Vec<super::agenda::PointView>,
    /// Debates about it.
    pub debates: Vec<Link>,
    /// Votes deciding it.
    pub votes: Vec<Link>,
    /// Threaded contributions.
    pub contributions: Vec<ContributionView>,
    /// Counts by position.
    pub positions: PositionCounts,
    /// Supporters, paper batches, progress.
    pub support: super::trust_views::SupportView,
    /// How the project stands in its participatory budget, for a project of one: chosen by
    /// the budget's ballots, not by signatures.
    pub project: Option<ProjectStanding>,
    /// The follow-up of the decision, once the council reports one (`content/progress/`).
    pub progress: Option<ProgressView>,
}

/// The follow-up of an adopted initiative or a funded project.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressView {
    /// How far it is done, 0 to 100.
    pub percent: Option<u8>,
    /// The latest news, rendered.
    pub html: String,
    /// The steps, in order.
    pub steps: Vec<StepView>,
}

/// One step of a follow-up.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// Anchor: `etape-<slug of its title>`.
    pub id: String,
    /// What.
    pub title: String,
    /// `done`, `doing` or `planned`.
    pub status: &'static str,
    /// In words.
    pub status_label: String,
    /// When, in words.
    pub date: Option<String>,
    /// ISO date.
    pub date_iso: Option<String>,
    /// The minutes that record it.
    pub minutes: Option<Link>,
}

/// The follow-up of initiative `slug`, if the council reports one.
pub fn progress_view(ctx: &Ctx<'_>, slug: &str) -> Option<ProgressView> {
    let p = ctx.content.progress.get(slug)?;
    Some(ProgressView {
        percent: p.meta.percent,
        html: ctx.md(&p.body).html,
        steps: p
            .meta
            .steps
            .iter()
            .map(|s| StepView {
                id: format!("etape-{}", crate::slug::slugify(&s.title)),
                title: s.title.clone(),
                status: s.status.key(),
                status_label: ctx.t(&format!("step_{}", s.status.key())),
                date: s.date.as_ref().map(|d| ctx.when(d)),
                date_iso: s.date.as_ref().map(|d| d.start(ctx.tz()).to_rfc3339()),
                minutes: ctx.link(Kind::Minutes, &ctx.content.minutes, s.minutes.as_ref(), |m| {
                    m.title.clone()
                }),
            })
            .collect(),
    })
}

/// A budget project's approvals and, once the budget is closed, whether its rule funded it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectStanding {
    /// Ballots that approve it.
    pub approvals: u64,
    /// Formatted.
    pub approvals_text: String,
    /// Share of the budget's ballots, in percent, formatted.
    pub share: String,
    /// upcoming, open or closed: the budget's phase.
    pub phase: &'static str,
    /// Funded by the budget's own rule (meaningful once closed).
    pub funded: bool,
}

/// A debate.
#[derive(Debug, Clone, Serialize)]
pub struct DebateView {
    /// Slug.
    pub slug: String,
    /// The question.
    pub title: String,
    /// Page.
    pub url: String,
    /// Pole.
    pub pole: Option<PoleRef>,
    /// Group.
    pub group: Option<GroupLink>,
    /// Initiative debated.
    pub initiative: Option<Link>,
    /// Opening date in words.
    pub opens: Option<String>,
    /// ISO opening date.
    pub opens_iso: Option<String>,
    /// Closing date in words.
    pub closes: Option<String>,
    /// ISO closing date.
    pub closes_iso: Option<String>,
    /// open / closed / upcoming.
    pub status: Status,
    /// Its label.
    pub status_label: String,
    /// Days until closing, when open.
    pub days_left: Option<i64>,
    /// Date of the latest contribution in words.
    pub last_activity: Option<String>,
    /// ISO date of the latest contribution.
    pub last_activity_iso: Option<String>,
    /// First paragraph.
    pub summary: String,
    /// Rendered body.
    pub html: String,
    /// Threaded contributions.
    pub contributions: Vec<ContributionView>,
    /// Counts by position.
    pub positions: PositionCounts,
    #[serde(skip)]
    last_activity_at: Option<DateTime<Utc>>,
}

/// A meeting.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// "mardi 15 septembre 2026, 14 h – 17 h".
    pub when: String,
    /// ISO start.
    pub start_iso: String,
    /// Day of month, for the calendar badge.
    pub day: u32,
    /// Short month.
    pub month: String,
    /// Year.
    pub year: i32,
    /// Place name.
    pub place: String,
    /// Address.
    pub address: Option<String>,
    /// OpenStreetMap link.
    pub map_url: Option<String>,
    /// Pole.
    pub pole: Option<PoleRef>,
    /// Group.
    pub group: Option<GroupLink>,
    /// Seats.
    pub capacity: Option<u32>,
    /// open / closed.
    pub registration: Option<&'static str>,
    /// Online link.
    pub online: Option<String>,
    /// Already happened.
    pub past: bool,
    /// First paragraph.
    pub summary: String,
    /// Rendered body.
    pub html: String,
    /// Minutes of this meeting.
    pub minutes: Vec<Link>,
    /// Keys registered with a signed statement: seated, waiting, late.
    pub registered: super::trust_views::RegistrationsView,
    /// Every seat is taken: new registrations go to the waiting list.
    pub full: bool,
    /// Seats still free, when there is a capacity.
    pub seats_left: Option<u32>,
    /// Whether one may register now: registration open and the meeting not started.
    pub can_register: bool,
    /// Threaded contributions.
    pub contributions: Vec<ContributionView>,
    /// Their positions.
    pub positions: PositionCounts,
    /// Its calendar file, to add it to one's agenda.
    pub ics_url: String,
    #[serde(skip)]
    start_at: DateTime<Utc>,
}

impl MeetingView {
    /// When it starts.
    pub fn start_at(&self) -> DateTime<Utc> {
        self.start_at
    }
}

/// Minutes.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesView {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// Date in words.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// The meeting.
    pub meeting: Option<Link>,
    /// Group.
    pub group: Option<GroupLink>,
    /// Pole.
    pub pole: Option<PoleRef>,
    /// Present.
    pub attendees: Vec<String>,
    /// Decisions.
    pub decisions: Vec<String>,
    /// First paragraph.
    pub summary: String,
    /// Rendered body.
    pub html: String,
}

/// A vote option.
#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    /// Id written in ballots.
    pub id: String,
    /// Label.
    pub label: String,
    /// Whether the label is not the id itself, so the id must be told to those who vote with
    /// a command.
    pub named: bool,
    /// Whether the label is the content's words (marked with the content's language), not
    /// the interface's (yes/no, a date in words).
    pub content: bool,
}

impl OptionView {
    fn new(id: &str, label: String, content: bool) -> OptionView {
        OptionView {
            named: label != id,
            id: id.to_string(),
            label,
            content,
        }
    }
}

/// A vote.
#[derive(Debug, Clone, Serialize)]
pub struct VoteView {
    /// Slug.
    pub slug: String,
    /// Question.
    pub title: String,
    /// Page.
    pub url: String,
    /// majority, approval, dates, ranked, judgment.
    pub method: &'static str,
    /// Its name.
    pub method_label: String,
    /// How to fill a ballot, in words.
    pub method_help: String,
    /// Options.
    pub options: Vec<OptionView>,
    /// Grades, best first: the id written in a ballot and the grade in words.
    pub grades: Vec<OptionView>,
    /// Opening in words.
    pub opens: String,
    /// ISO opening.
    pub opens_iso: String,
    /// Closing in words.
    pub closes: String,
    /// ISO closing.
    pub closes_iso: String,
    /// open / closed / upcoming.
    pub status: Status,
    /// Its label.
    pub status_label: String,
    /// Days until closing, when open.
    pub days_left: Option<i64>,
    /// Who may vote, in words.
    pub electorate: String,
    /// Quorum in words.
    pub quorum: Option<String>,
    /// Threshold in words.
    pub threshold: Option<String>,
    /// Initiative decided.
    pub initiative: Option<Link>,
    /// Ballots counted so far.
    pub ballots: u64,
    /// `adopted`, `rejected`, `no-quorum`, `ranked` once closed; `open` before.
    pub outcome: &'static str,
    /// The outcome's name.
    pub outcome_label: String,
    /// The options ranked first once a multi-option vote is closed (several when tied).
    pub winners: Vec<String>,
    /// Whether the options' labels are content (marked with the content's language), not
    /// words of the interface (yes/no, dates).
    pub labels_content: bool,
    /// First paragraph.
    pub summary: String,
    /// Rendered body.
    pub html: String,
    /// Threaded contributions.
    pub contributions: Vec<ContributionView>,
    /// Their positions.
    pub positions: PositionCounts,
}

/// A project of a participatory budget.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    /// Slug, as written in a ballot.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// Cost, formatted.
    pub cost: String,
    /// Pole.
    pub pole: Option<PoleRef>,
    /// How far its follow-up says it is done, once the council reports one.
    pub progress: Option<u8>,
}

/// A participatory budget.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetView {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// Total, formatted.
    pub total: String,
    /// Rule.
    pub method_label: String,
    /// Opening in words.
    pub opens: String,
    /// ISO opening.
    pub opens_iso: String,
    /// Closing in words.
    pub closes: String,
    /// ISO closing.
    pub closes_iso: String,
    /// open / closed / upcoming.
    pub status: Status,
    /// Its label.
    pub status_label: String,
    /// Days until closing, when open.
    pub days_left: Option<i64>,
    /// Who may vote.
    pub electorate: String,
    /// Projects, by slug.
    pub projects: Vec<ProjectView>,
    /// Sum of all projects' costs, formatted.
    pub requested: String,
    /// Once closed: how many projects its own rule funds.
    pub funded: Option<usize>,
    /// First paragraph.
    pub summary: String,
    /// Rendered body.
    pub html: String,
    /// Threaded contributions.
    pub contributions: Vec<ContributionView>,
    /// Their positions.
    pub positions: PositionCounts,
}

/// A sortition.
#[derive(Debug, Clone, Serialize)]
pub struct SortitionView {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// Seats.
    pub seats: u32,
    /// Purpose.
    pub purpose: Option<String>,
    /// Role given.
    pub role: Option<String>,
    /// Term in words.
    pub term: Option<String>,
    /// ISO first and last day of the term.
    pub term_iso: Option<(String, String)>,
    /// Pool in words, as HTML (a budget's or a pole's name marked as content).
    pub pool_html: String,
    /// Algorithm id.
    pub algorithm: &'static str,
    /// Whether it draws an order among initiatives (places in a running order) rather than
    /// people for seats.
    pub places: bool,
    /// The algorithm in words, with what makes it checkable.
    pub algorithm_label: String,
    /// Announced seed sources.
    pub sources: Vec<String>,
    /// When they were announced, in words.
    pub announced: Option<String>,
    /// ISO date of the announcement.
    pub announced_iso: Option<String>,
    /// The seed, once public.
    pub seed: Option<String>,
    /// No seed yet.
    pub pending: bool,
    /// Who or what was drawn, by name, in draw order.
    pub drawn: Vec<String>,
    /// Attribute of the strata.
    pub strata_by: Option<String>,
    /// Quotas.
    pub quotas: Vec<(String, u32)>,
    /// The command that recomputes the draw.
    pub command: String,
    /// First paragraph.
    pub summary: String,
    /// Rendered body.
    pub html: String,
}

/// A free page.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Page.
    pub url: String,
    /// Summary.
    pub summary: String,
    /// Rendered body.
    pub html: String,
    /// Level-2 headings.
    pub toc: Vec<(String, String)>,
    /// Menu order.
    #[serde(skip)]
    pub weight: i32,
}

/// Every view of the site, built once and shared by all pages.
pub struct Views {
    /// Poles by slug.
    pub poles: Vec<PoleView>,
    /// Groups by number.
    pub groups: Vec<GroupView>,
    /// Initiatives: open first, soonest closing first.
    pub initiatives: Vec<InitiativeView>,
    /// Debates: latest activity first.
    pub debates: Vec<DebateView>,
    /// Meetings: chronological.
    pub meetings: Vec<MeetingView>,
    /// Minutes: latest first.
    pub minutes: Vec<MinutesView>,
    /// Votes: open first.
    pub votes: Vec<VoteView>,
    /// Budgets.
    pub budgets: Vec<BudgetView>,
    /// Sortitions.
    pub sortitions: Vec<SortitionView>,
    /// Free pages by weight.
    pub pages: Vec<PageView>,
}

impl Ctx<'_> {
    /// Markdown of an item, rendered with the site's base path.
    pub(super) fn md(&self, body: &str) -> Rendered {
        markdown::render(body, &self.settings.base_path)
    }
}

impl Views {
    /// Builds every view, the items of each kind on every core (a kind's list keeps its items'
    /// order whatever the core that made each: the output does not depend on the threads).
    pub fn build(ctx: &Ctx<'_>) -> Views {
        let c = ctx.content;
        let mut groups: Vec<_> = c.groups.par_iter().map(|(_, g)| group_view(ctx, g)).collect();
        groups.sort_by_key(|g| g.number);
        Views {
            poles: c.poles.par_iter().map(|(_, p)| pole_view(ctx, p)).collect(),
            groups,
            initiatives: initiatives(ctx),
            debates: debates(ctx),
            meetings: meetings(ctx),
            minutes: minutes(ctx),
            votes: votes(ctx),
            budgets: c.budgets.par_iter().map(|(_, b)| budget_view(ctx, b)).collect(),
            sortitions: c
                .sortitions
                .par_iter()
                .map(|(_, s)| sortition_view(ctx, s))
                .collect(),
            pages: pages(ctx),
        }
    }
}

fn pole_view(ctx: &Ctx<'_>, p: &Item<Pole>) -> PoleView {
    let c = ctx.content;
    let r = ctx.md(&p.body);
    let mut counts = BTreeMap::new();
    counts.insert(
        "groups",
        c.groups.values().filter(|g| g.meta.pole == p.slug).count(),
    );
    counts.insert(
        "initiatives",
        c.initiatives.values().filter(|i| i.meta.pole == p.slug).count(),
    );
    counts.insert(
        "debates",
        c.debates.values().filter(|d| d.meta.pole == p.slug).count(),
    );
    let group_pole = |g: Option<&String>| g.and_then(|g| c.groups.get(g)).map(|g| &g.meta.pole);
    counts.insert(
        "meetings",
        c.meetings
            .values()
            .filter(|m| m.meta.pole.as_ref().or(group_pole(m.meta.group.as_ref())) == Some(&p.slug))
            .count(),
    );
    PoleView {
        pole: ctx.pole(&p.slug).expect("pole exists"),
        summary: p.meta.summary.clone().unwrap_or(r.summary),
        html: r.html,
        counts,
    }
}

fn group_view(ctx: &Ctx<'_>, g: &Item<Group>) -> GroupView {
    let r = ctx.md(&g.body);
    GroupView {
        slug: g.slug.clone(),
        title: g.meta.title.clone(),
        url: ctx.url(Kind::Groups, &g.slug),
        number: g.meta.number,
        pole: ctx.pole(&g.meta.pole),
        organizer: g.meta.organizer.clone(),
        summary: g.meta.summary.clone().unwrap_or(r.summary),
        html: r.html,
    }
}

/// How many levels a thread nests before replies are listed flat in the deepest one, each
/// naming the contribution it answers: deep chains stay readable and never recurse.
pub const MAX_NESTING: usize = 6;

/// Threads contributions: roots in date order, each with its replies. Built without
/// recursion, so that a chain of any length cannot overflow the stack; replies deeper than
/// [`MAX_NESTING`] are listed, in date order, under their ancestor of the level above it.
fn contributions(ctx: &Ctx<'_>, items: &[Item<ContributionMeta>]) -> (Vec<ContributionView>, PositionCounts) {
    let mut counts = PositionCounts::default();
    // What a moderator hid is not counted among the positions (its notice stays in the thread).
    let hidden: Vec<Option<super::moderation_views::HiddenView>> = items
        .iter()
        .map(|c| ctx.hidden_notice(&c.path.to_string_lossy().replace('\\', "/")))
        .collect();
    for (c, h) in items.iter().zip(&hidden) {
        if h.is_some() {
            continue;
        }
        counts.total += 1;
        match c.meta.position {
            Some(Position::For) => counts.r#for += 1,
            Some(Position::Against) => counts.against += 1,
            _ => counts.neutral += 1,
        }
    }
    let index: BTreeMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.as_str(), i))
        .collect();
    // A reply to a missing stem, or to itself, is shown as a root (`pnyx check` reports it).
    let parent: Vec<Option<usize>> = items
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.meta
                .reply_to
                .as_deref()
                .and_then(|to| index.get(to).copied())
                .filter(|&p| p != i)
        })
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut roots = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    // Breadth first from the roots: each contribution's depth (1 for a root) and the one
    // whose `replies` list shows it. Contributions in a loop are unreachable and left out.
    let mut depth = vec![0usize; items.len()];
    let mut holder: Vec<Option<usize>> = vec![None; items.len()];
    let mut queue: std::collections::VecDeque<usize> = roots.iter().copied().collect();
    for &r in &roots {
        depth[r] = 1;
    }
    while let Some(i) = queue.pop_front() {
        for &k in &children[i] {
            depth[k] = depth[i] + 1;
            holder[k] = if depth[k] <= MAX_NESTING {
                Some(i)
            } else {
                holder[i]
            };
            queue.push_back(k);
        }
    }
    let mut shown: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (i, h) in holder.iter().enumerate() {
        if let Some(h) = h {
            shown[*h].push(i);
        }
    }
    let view = |i: usize| -> ContributionView {
        let c = &items[i];
        let reply_to = parent[i].map(|p| ReplyToView {
            id: format!("c-{}", items[p].slug),
            author: if hidden[p].is_some() {
                None
            } else {
                Some(items[p].meta.author.clone())
            },
        });
        let hidden = hidden[i].clone();
        ContributionView {
            id: format!("c-{}", c.slug),
            author: if hidden.is_some() {
                String::new()
            } else {
                c.meta.author.clone()
            },
            date: ctx.when(&c.meta.date),
            date_iso: c.meta.date.start(ctx.tz()).to_rfc3339(),
            position: c.meta.position.map(|p| p.key().to_string()).unwrap_or_default(),
            position_label: c
                .meta
                .position
                .map(|p| ctx.t(&format!("position_{}", p.key())))
                .unwrap_or_default(),
            html: if hidden.is_some() {
                String::new()
            } else {
                ctx.md(&c.body).html
            },
            hidden,
            reply_to,
            flattened: depth[i] > MAX_NESTING,
            replies: Vec::new(),
        }
    };
    // Children are attached after their own replies are complete: deepest views first.
    let mut order: Vec<usize> = (0..items.len()).filter(|&i| depth[i] > 0).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(depth[i]));
    let mut views: Vec<Option<ContributionView>> = (0..items.len()).map(|_| None).collect();
    for &i in &order {
        let mut v = view(i);
        v.replies = shown[i].iter().filter_map(|&k| views[k].take()).collect();
        views[i] = Some(v);
    }
    let top = roots.iter().filter_map(|&r| views[r].take()).collect();
    (top, counts)
}

fn initiatives(ctx: &Ctx<'_>) -> Vec<InitiativeView> {
    let c = ctx.content;
    let mut out: Vec<InitiativeView> = c
        .initiatives
        .par_iter()
        .map(|(_, item)| item)
        .map(|i| {
            let m = &i.meta;
            let r = ctx.md(&i.body);
            let status = ctx.status(m.opens.as_ref(), m.closes.as_ref());
            let (contributions, positions) = contributions(ctx, &i.contributions);
            let lang = ctx.settings.config.language;
            let currency = m
                .budget
                .as_ref()
                .and_then(|b| c.budgets.get(b))
                .map(|b| b.meta.currency.clone())
                .unwrap_or_else(|| "EUR".into());
            InitiativeView {
                slug: i.slug.clone(),
                title: m.title.clone(),
                url: ctx.url(Kind::Initiatives, &i.slug),
                kind: m.kind.key(),
                kind_label: ctx.t(&format!("kind_{}", m.kind.key())),
                pole: ctx.pole(&m.pole),
                group: ctx.group_link(m.group.as_ref()),
                budget: ctx.link(Kind::Budgets, &c.budgets, m.budget.as_ref(), |b| b.title.clone()),
                cost: m.cost.map(|x| format::money(x, &currency, lang)),
                authors: m.authors.clone(),
                opens: ctx.when_opt(m.opens.as_ref()),
                opens_iso: ctx.iso_opt(m.opens.as_ref()),
                closes: ctx.when_opt(m.closes.as_ref()),
                closes_iso: m.closes.as_ref().map(|x| x.end(ctx.tz()).to_rfc3339()),
                status,
                status_label: ctx.t(status.key()),
                days_left: if status == Status::Open {
                    ctx.days_left(m.closes.as_ref())
                } else {
                    None
                },
                goal: m.goal,
                goal_text: m.goal.map(|g| format::int(g, lang)),
                summary: r.summary,
                html: r.html,
                toc: r.toc,
                collection_points: super::agenda::points(ctx, i),
                debates: c
                    .debates
                    .values()
                    .filter(|d| d.meta.initiative.as_ref() == Some(&i.slug))
                    .map(|d| Link {
                        title: d.meta.title.clone(),
                        url: ctx.url(Kind::Debates, &d.slug),
                    })
                    .collect(),
                votes: c
                    .votes
                    .values()
                    .filter(|v| v.meta.initiative.as_ref() == Some(&i.slug))
                    .map(|v| Link {
                        title: v.meta.title.clone(),
                        url: ctx.url(Kind::Votes, &v.slug),
                    })
                    .collect(),
                contributions,
                positions,
                support: ctx.support(&i.slug, m),
                project: project_standing(ctx, &i.slug, m.budget.as_ref()),
                progress: progress_view(ctx, &i.slug),
            }
        })
        .collect();
    let rank = |s: Status| match s {
        Status::Open => 0,
        Status::Upcoming => 1,
        Status::Closed => 2,
    };
    out.sort_by(|a, b| {
        (rank(a.status), a.closes_iso.is_none(), &a.closes_iso, &a.slug).cmp(&(
            rank(b.status),
            b.closes_iso.is_none(),
            &b.closes_iso,
            &b.slug,
        ))
    });
    out
}

/// Where the project `slug` of budget `budget` stands in that budget's tally.
fn project_standing(ctx: &Ctx<'_>, slug: &str, budget: Option<&String>) -> Option<ProjectStanding> {
    let budget = budget?;
    let tally = ctx.tallies.budgets.get(budget)?;
    let method = ctx.content.budgets.get(budget)?.meta.method;
    let index = tally.projects.iter().position(|p| p.id == slug)?;
    let approvals = tally.greedy.approvals.get(index).copied().unwrap_or(0);
    let lang = ctx.settings.config.language;
    Some(ProjectStanding {
        approvals,
        approvals_text: format::int(approvals, lang),
        share: ctx.percent(approvals, tally.ballots.total()),
        phase: tally.phase.key(),
        funded: tally.chosen(method).funded.iter().any(|f| f.project == index),
    })
}

fn debates(ctx: &Ctx<'_>) -> Vec<DebateView> {
    let c = ctx.content;
    let mut out: Vec<DebateView> = c
        .debates
        .par_iter()
        .map(|(_, item)| item)
        .map(|d| {
            let m = &d.meta;
            let r = ctx.md(&d.body);
            let status = ctx.status(m.opens.as_ref(), m.closes.as_ref());
            let (contributions, positions) = contributions(ctx, &d.contributions);
            let last = d
                .contributions
                .iter()
                .map(|x| (x.meta.date.start(&Utc), &x.meta.date))
                .max_by_key(|x| x.0);
            let last_activity_at = last
                .map(|x| x.0)
                .or_else(|| m.opens.as_ref().map(|o| o.start(&Utc)));
            DebateView {
                slug: d.slug.clone(),
                title: m.title.clone(),
                url: ctx.url(Kind::Debates, &d.slug),
                pole: ctx.pole(&m.pole),
                group: ctx.group_link(m.group.as_ref()),
                initiative: ctx.link(Kind::Initiatives, &c.initiatives, m.initiative.as_ref(), |i| {
                    i.title.clone()
                }),
                opens: ctx.when_opt(m.opens.as_ref()),
                opens_iso: ctx.iso_opt(m.opens.as_ref()),
                closes: ctx.when_opt(m.closes.as_ref()),
                closes_iso: ctx.iso_opt(m.closes.as_ref()),
                status,
                status_label: ctx.t(status.key()),
                days_left: if status == Status::Open {
                    ctx.days_left(m.closes.as_ref())
                } else {
                    None
                },
                last_activity: last.map(|x| ctx.when(x.1)),
                last_activity_iso: last.map(|x| ctx.iso(x.1)),
                summary: r.summary,
                html: r.html,
                contributions,
                positions,
                last_activity_at,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.last_activity_at
            .cmp(&a.last_activity_at)
            .then(a.slug.cmp(&b.slug))
    });
    out
}

fn meetings(ctx: &Ctx<'_>) -> Vec<MeetingView> {
    let c = ctx.content;
    let mut out: Vec<MeetingView> = c
        .meetings
        .par_iter()
        .map(|(_, item)| item)
        .map(|mt| {
            let m = &mt.meta;
            let r = ctx.md(&mt.body);
            let start = m.start.start(ctx.tz());
            let end = m
                .end
                .as_ref()
                .map(|e| e.start(ctx.tz()))
                .unwrap_or_else(|| start + chrono::Duration::hours(2));
            let d = start.date_naive();
            let (contributions, positions) = contributions(ctx, &mt.contributions);
            let registered = ctx.registrations(&mt.slug);
            MeetingView {
                slug: mt.slug.clone(),
                title: m.title.clone(),
                url: ctx.url(Kind::Meetings, &mt.slug),
                when: ctx.theme.calendar.span(&m.start, m.end.as_ref(), ctx.tz()),
                start_iso: start.to_rfc3339(),
                day: chrono::Datelike::day(&d),
                month: ctx.theme.calendar.short_month(d),
                year: chrono::Datelike::year(&d),
                place: m.place.name.clone(),
                address: m.place.address.clone(),
                map_url: Ctx::map_url(m.geo),
                pole: m.pole.as_deref().and_then(|p| ctx.pole(p)).or_else(|| {
                    m.group
                        .as_ref()
                        .and_then(|g| c.groups.get(g))
                        .and_then(|g| ctx.pole(&g.meta.pole))
                }),
                group: ctx.group_link(m.group.as_ref()),
                capacity: m.capacity,
                registration: m.registration.map(|r| match r {
                    Registration::Open => "open",
                    Registration::Closed => "closed",
                }),
                online: m.online.as_ref().map(|u| u.0.clone()),
                past: end < ctx.now.with_timezone(ctx.tz()),
                summary: r.summary,
                html: r.html,
                full: registered.seated.len() >= m.capacity.map_or(usize::MAX, |c| c as usize),
                seats_left: m
                    .capacity
                    .map(|c| c.saturating_sub(registered.seated.len() as u32)),
                can_register: m.registration == Some(Registration::Open)
                    && start > ctx.now.with_timezone(ctx.tz()),
                registered,
                contributions,
                positions,
                minutes: c
                    .minutes
                    .values()
                    .filter(|x| x.meta.meeting.as_ref() == Some(&mt.slug))
                    .map(|x| Link {
                        title: x.meta.title.clone(),
                        url: ctx.url(Kind::Minutes, &x.slug),
                    })
                    .collect(),
                ics_url: ctx.path(&super::agenda::meeting_ics(&mt.slug)),
                start_at: start.with_timezone(&Utc),
            }
        })
        .collect();
    out.sort_by(|a, b| a.start_at.cmp(&b.start_at).then(a.slug.cmp(&b.slug)));
    out
}

fn minutes(ctx: &Ctx<'_>) -> Vec<MinutesView> {
    let c = ctx.content;
    let mut out: Vec<MinutesView> = c
        .minutes
        .par_iter()
        .map(|(_, item)| item)
        .map(|mn| {
            let m = &mn.meta;
            let r = ctx.md(&mn.body);
            let pole = m.pole.as_deref().and_then(|p| ctx.pole(p)).or_else(|| {
                m.group
                    .as_ref()
                    .and_then(|g| c.groups.get(g))
                    .and_then(|g| ctx.pole(&g.meta.pole))
            });
            MinutesView {
                slug: mn.slug.clone(),
                title: m.title.clone(),
                url: ctx.url(Kind::Minutes, &mn.slug),
                date: ctx.when(&m.date),
                date_iso: m.date.date(ctx.tz()).to_string(),
                meeting: ctx.link(Kind::Meetings, &c.meetings, m.meeting.as_ref(), |x| {
                    x.title.clone()
                }),
                group: ctx.group_link(m.group.as_ref()),
                pole,
                attendees: m.attendees.clone(),
                decisions: m.decisions.clone(),
                summary: r.summary,
                html: r.html,
            }
        })
        .collect();
    out.sort_by(|a, b| b.date_iso.cmp(&a.date_iso).then(a.slug.cmp(&b.slug)));
    out
}

fn electorate(ctx: &Ctx<'_>, e: Electorate) -> String {
    ctx.t(match e {
        Electorate::Members => "electorate_members",
        Electorate::Anyone => "electorate_anyone",
    })
}

fn votes(ctx: &Ctx<'_>) -> Vec<VoteView> {
    let c = ctx.content;
    let lang = ctx.settings.config.language;
    let mut out: Vec<VoteView> = c
        .votes
        .par_iter()
        .map(|(_, item)| item)
        .map(|v| {
            let m = &v.meta;
            let r = ctx.md(&v.body);
            let status = ctx.status(Some(&m.opens), Some(&m.closes));
            let tally = ctx.tallies.votes.get(&v.slug);
            let (contributions, positions) = contributions(ctx, &v.contributions);
            let options: Vec<OptionView> = m
                .options
                .iter()
                .map(|o| {
                    // Options of a scheduling poll are dates: show them in words.
                    let ui_key = format!("option_{}", o.id);
                    match (m.method, Moment::parse(&o.label)) {
                        (VoteMethod::Dates, Ok(d)) if o.label == o.id => {
                            OptionView::new(&o.id, ctx.when(&d), false)
                        }
                        _ if o.label == o.id && ctx.theme.strings.contains_key(&ui_key) => {
                            OptionView::new(&o.id, ctx.t(&ui_key), false)
                        }
                        _ => OptionView::new(&o.id, o.label.clone(), true),
                    }
                })
                .collect();
            let winners = match tally {
                Some(t) if t.outcome == crate::tally::decide::count::Outcome::Ranked => options
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| t.is_first(*i, t.ballots.total()))
                    .map(|(_, o)| o.label.clone())
                    .collect(),
                _ => Vec::new(),
            };
            let labels_content = options.iter().all(|o| o.content);
            VoteView {
                slug: v.slug.clone(),
                title: m.title.clone(),
                url: ctx.url(Kind::Votes, &v.slug),
                method: m.method.key(),
                method_label: ctx.t(&format!("method_{}", m.method.key())),
                method_help: ctx.t(&format!("method_{}_help", m.method.key())),
                options,
                grades: m
                    .grades
                    .iter()
                    .map(|g| OptionView::new(g, ctx.grade_words(g), ctx.grade_is_content(g)))
                    .collect(),
                opens: ctx.when(&m.opens),
                opens_iso: ctx.iso(&m.opens),
                closes: ctx.when(&m.closes),
                closes_iso: ctx.iso(&m.closes),
                status,
                status_label: ctx.t(status.key()),
                days_left: if status == Status::Open {
                    ctx.days_left(Some(&m.closes))
                } else {
                    None
                },
                electorate: electorate(ctx, m.electorate),
                quorum: m.quorum.map(|q| match q {
                    Quorum::Ballots(n) => ctx.t("quorum_ballots").replace("{n}", &format::int(n, lang)),
                    Quorum::Share(r) => ctx.t("quorum_share").replace("{p}", &r.percent_text()),
                }),
                threshold: (m.method == VoteMethod::Majority).then(|| {
                    let p = m
                        .threshold
                        .map(|t| t.percent_text())
                        .unwrap_or_else(|| "50".into());
                    ctx.t("threshold_text").replace("{p}", &p)
                }),
                initiative: ctx.link(Kind::Initiatives, &c.initiatives, m.initiative.as_ref(), |i| {
                    i.title.clone()
                }),
                ballots: tally.map_or(0, |t| t.ballots.total()),
                outcome: tally.map_or("open", |t| t.outcome.key()),
                outcome_label: ctx.t(&format!(
                    "outcome_{}",
                    tally.map_or("open", |t| t.outcome.key()).replace('-', "_")
                )),
                winners,
                labels_content,
                summary: r.summary,
                html: r.html,
                contributions,
                positions,
            }
        })
        .collect();
    let rank = |s: Status| match s {
        Status::Open => 0,
        Status::Upcoming => 1,
        Status::Closed => 2,
    };
    out.sort_by(|a, b| rank(a.status).cmp(&rank(b.status)).then(a.slug.cmp(&b.slug)));
    out
}

use crate::content::values::Quorum;

impl Ctx<'_> {
    /// A UI string when the theme has one, else `fallback`.
    fn strings_or(&self, key: &str, fallback: &str) -> String {
        self.theme
            .strings
            .get(key)
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    }
}

fn budget_view(ctx: &Ctx<'_>, b: &Item<Budget>) -> BudgetView {
    let m = &b.meta;
    let lang = ctx.settings.config.language;
    let r = ctx.md(&b.body);
    let status = ctx.status(Some(&m.opens), Some(&m.closes));
    let projects: Vec<&Item<Initiative>> = ctx
        .content
        .initiatives
        .values()
        .filter(|i| i.meta.budget.as_ref() == Some(&b.slug))
        .collect();
    let requested: u64 = projects.iter().filter_map(|p| p.meta.cost).sum();
    let (contributions, positions) = contributions(ctx, &b.contributions);
    BudgetView {
        slug: b.slug.clone(),
        title: m.title.clone(),
        url: ctx.url(Kind::Budgets, &b.slug),
        total: format::money(m.total, &m.currency, lang),
        method_label: ctx.t(match m.method {
            BudgetMethod::Greedy => "budget_greedy",
            BudgetMethod::EqualShares => "budget_equal_shares",
        }),
        opens: ctx.when(&m.opens),
        opens_iso: ctx.iso(&m.opens),
        closes: ctx.when(&m.closes),
        closes_iso: ctx.iso(&m.closes),
        status,
        status_label: ctx.t(status.key()),
        days_left: if status == Status::Open {
            ctx.days_left(Some(&m.closes))
        } else {
            None
        },
        electorate: electorate(ctx, m.electorate),
        projects: projects
            .iter()
            .map(|p| ProjectView {
                slug: p.slug.clone(),
                title: p.meta.title.clone(),
                url: ctx.url(Kind::Initiatives, &p.slug),
                cost: format::money(p.meta.cost.unwrap_or(0), &m.currency, lang),
                pole: ctx.pole(&p.meta.pole),
                progress: ctx
                    .content
                    .progress
                    .get(&p.slug)
                    .map(|x| x.meta.percent.unwrap_or(0)),
            })
            .collect(),
        requested: format::money(requested, &m.currency, lang),
        funded: ctx
            .tallies
            .budgets
            .get(&b.slug)
            .filter(|t| t.phase == crate::tally::decide::count::Phase::Closed)
            .map(|t| t.chosen(m.method).funded.len()),
        summary: r.summary,
        html: r.html,
        contributions,
        positions,
    }
}

fn sortition_view(ctx: &Ctx<'_>, s: &Item<Sortition>) -> SortitionView {
    let m = &s.meta;
    let tally = ctx.tallies.sortitions.get(&s.slug);
    let r = ctx.md(&s.body);
    let c = ctx.content;
    let ui = |key: &str| tera::escape_html(&ctx.t(key));
    let pool_html = match &m.pool {
        Pool::Members => ui("pool_members"),
        Pool::List(_) => ui("pool_list"),
        Pool::Initiatives(f) => {
            let mut parts = Vec::new();
            if let Some(b) = f.budget.as_ref().and_then(|b| c.budgets.get(b)) {
                parts.push(ctx.theme.content_html(&b.meta.title));
            }
            if let Some(p) = f.pole.as_ref().and_then(|p| c.poles.get(p)) {
                parts.push(ctx.theme.content_html(&p.meta.title));
            }
            if let Some(k) = f.kind {
                parts.push(ui(&format!("kind_{}", k.key())));
            }
            format!("{} {}", ui("pool_initiatives"), parts.join(" · "))
        }
    };
    SortitionView {
        slug: s.slug.clone(),
        title: m.title.clone(),
        url: ctx.url(Kind::Sortitions, &s.slug),
        seats: m.seats,
        purpose: m.purpose.clone(),
        role: m.role.as_ref().map(|r| ctx.strings_or(&format!("role_{r}"), r)),
        term: m
            .term
            .as_ref()
            .map(|t| format!("{} – {}", ctx.when(&t.from), ctx.when(&t.to))),
        term_iso: m.term.as_ref().map(|t| (ctx.iso(&t.from), ctx.iso(&t.to))),
        pool_html,
        places: matches!(m.pool, Pool::Initiatives(_)),
        algorithm: match m.algorithm {
            Algorithm::PnyxSha256 => "pnyx-sha256",
            Algorithm::Rfc3797 => "rfc3797",
        },
        algorithm_label: ctx.t(match m.algorithm {
            Algorithm::PnyxSha256 => "algorithm_pnyx_sha256",
            Algorithm::Rfc3797 => "algorithm_rfc3797",
        }),
        sources: m.seed.sources.clone(),
        announced: ctx.when_opt(m.seed.announced.as_ref()),
        announced_iso: ctx.iso_opt(m.seed.announced.as_ref()),
        seed: m.seed.value.clone(),
        pending: tally.is_none_or(|t| t.draw.is_none()),
        drawn: tally
            .map(|t| {
                t.selected()
                    .iter()
                    .map(|id| {
                        let c = ctx.candidate(id, None);
                        c.label.unwrap_or(c.id)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        strata_by: m.strata.as_ref().map(|x| x.by.clone()),
        quotas: m
            .strata
            .as_ref()
            .map(|x| x.quotas.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default(),
        command: format!("pnyx draw {} --verify", s.slug),
        summary: r.summary,
        html: r.html,
    }
}

fn pages(ctx: &Ctx<'_>) -> Vec<PageView> {
    let mut out: Vec<PageView> = ctx
        .content
        .pages
        .par_iter()
        .map(|(_, page)| page)
        .map(|p| {
            let r = ctx.md(&p.body);
            PageView {
                slug: p.slug.clone(),
                title: p.meta.title.clone(),
                url: ctx.url(Kind::Pages, &p.slug),
                summary: p.meta.summary.clone().unwrap_or(r.summary),
                html: r.html,
                toc: r.toc,
                weight: p.meta.weight.unwrap_or(0),
            }
        })
        .collect();
    out.sort_by(|a, b| a.weight.cmp(&b.weight).then(a.slug.cmp(&b.slug)));
    out
}

/// One line of the agenda: a meeting or a collection point.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaEntry {
    /// The meeting, when it is one.
    pub meeting: Option<MeetingView>,
    /// The collection point, when it is one.
    pub point: Option<super::agenda::PointView>,
}

/// Past meetings of one month.
#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    /// "Novembre 2026".
    pub label: String,
    /// Anchor: `2026-11`.
    pub id: String,
    /// Its meetings, latest first.
    pub meetings: Vec<MeetingView>,
}

/// The meetings page.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaView {
    /// Coming meetings and collection points, soonest first.
    pub coming: Vec<AgendaEntry>,
    /// Past meetings by month, latest first.
    pub past: Vec<MonthView>,
    /// The calendar of everything, to subscribe to.
    pub ics_url: String,
}

/// The agenda of the whole site from the views (meetings are sorted by start).
pub fn agenda(ctx: &Ctx<'_>, v: &Views) -> AgendaView {
    let now = ctx.now;
    let mut coming: Vec<(DateTime<Utc>, AgendaEntry)> = v
        .meetings
        .iter()
        .filter(|m| !m.past)
        .map(|m| {
            (
                m.start_at(),
                AgendaEntry {
                    meeting: Some(m.clone()),
                    point: None,
                },
            )
        })
        .collect();
    for item in ctx.content.initiatives.values() {
        for p in super::agenda::points(ctx, item) {
            if p.end_at >= now {
                coming.push((
                    p.start_at,
                    AgendaEntry {
                        meeting: None,
                        point: Some(p),
                    },
                ));
            }
        }
    }
    // Sorted by start; a stable sort keeps meetings (in slug order) before points at one time.
    coming.sort_by_key(|(start, _)| *start);
    let mut past: Vec<MonthView> = Vec::new();
    for m in v.meetings.iter().rev().filter(|m| m.past) {
        let d = m.start_at().with_timezone(ctx.tz()).date_naive();
        let id = d.format("%Y-%m").to_string();
        match past.last_mut() {
            Some(month) if month.id == id => month.meetings.push(m.clone()),
            _ => past.push(MonthView {
                label: ctx.theme.calendar.month_year(d),
                id,
                meetings: vec![m.clone()],
            }),
        }
    }
    AgendaView {
        coming: coming.into_iter().map(|(_, e)| e).collect(),
        past,
        ics_url: ctx.path(super::agenda::ALL_ICS),
    }
}

/// A newsletter of the archive.
#[derive(Debug, Clone, Serialize)]
pub struct NewsletterView {
    /// Slug: its date (and pole).
    pub slug: String,
    /// Subject.
    pub title: String,
    /// Page.
    pub url: String,
    /// When it was written, in words.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// Its pole, when it covered one.
    pub pole: Option<PoleRef>,
    /// Rendered body.
    pub html: String,
}

/// The newsletters of the archive, latest first.
pub fn newsletters(ctx: &Ctx<'_>) -> Vec<NewsletterView> {
    let mut out: Vec<(DateTime<Utc>, NewsletterView)> = ctx
        .content
        .newsletters
        .values()
        .map(|n| {
            let date = n.meta.date.start(ctx.tz());
            (
                date.with_timezone(&Utc),
                NewsletterView {
                    slug: n.slug.clone(),
                    title: n.meta.title.clone(),
                    url: ctx.url(Kind::Newsletters, &n.slug),
                    date: ctx.when(&n.meta.date),
                    date_iso: date.to_rfc3339(),
                    pole: n.meta.pole.as_deref().and_then(|p| ctx.pole(p)),
                    html: ctx.md(&n.body).html,
                },
            )
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.slug.cmp(&b.1.slug)));
    out.into_iter().map(|(_, n)| n).collect()
}
