//! What happened on the site, and when: the entries of the Atom feeds and of the newsletter.
//! Every date comes from git (the commit that brought a file on the branch) or from the
//! content's own dates (a vote opens and closes when its file says); nothing reads the clock,
//! so two builds of one commit give the same news. What moderation hid is in no news: hidden
//! items are gone from `ctx.content`, hidden contributions are skipped here.

use std::collections::HashMap;

use serde::Serialize;

use crate::content::{Item, Kind};

use super::context::Ctx;
use super::views::Views;

/// The share of an initiative's goal whose crossing is news.
const MILESTONES: [u64; 4] = [25, 50, 75, 100];

/// What kind of thing happened: the newsletter groups by it, the feeds file it as a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NewsKind {
    /// A new initiative.
    Initiative,
    /// A new debate, working group, vote, budget or draw announced.
    NewItem,
    /// A meeting announced.
    Meeting,
    /// Someone contributed to a discussion.
    Contribution,
    /// An initiative passed a quarter of its goal.
    Milestone,
    /// An initiative reached its goal.
    GoalReached,
    /// A vote or budget opened.
    VoteOpened,
    /// A vote closed, with its result.
    VoteClosed,
    /// A participatory budget closed: the projects it funds.
    BudgetDecided,
    /// A sortition was drawn.
    DrawDone,
    /// Minutes were published.
    Minutes,
    /// A moderator hid or restored something.
    Moderation,
    /// A step of a decision's follow-up.
    Progress,
}

impl NewsKind {
    /// Its key, in ids and as the feed entry's category.
    pub fn key(self) -> &'static str {
        match self {
            NewsKind::Initiative => "initiative",
            NewsKind::NewItem => "new-item",
            NewsKind::Meeting => "meeting",
            NewsKind::Contribution => "contribution",
            NewsKind::Milestone => "milestone",
            NewsKind::GoalReached => "goal-reached",
            NewsKind::VoteOpened => "vote-opened",
            NewsKind::VoteClosed => "vote-closed",
            NewsKind::BudgetDecided => "budget-decided",
            NewsKind::DrawDone => "draw-done",
            NewsKind::Minutes => "minutes",
            NewsKind::Moderation => "moderation",
            NewsKind::Progress => "progress",
        }
    }
}

/// One piece of news.
#[derive(Debug, Clone, Serialize)]
pub struct News {
    /// Stable id: the absolute URL of its page and a fragment naming the event.
    pub id: String,
    /// When, seconds since the epoch.
    pub at: i64,
    /// What kind.
    pub kind: NewsKind,
    /// One line, in the site's words.
    pub title: String,
    /// A few sentences of plain text (may be empty).
    pub text: String,
    /// The absolute URL to read more.
    pub url: String,
    /// The pole it belongs to (slug), for the pole's feed.
    pub pole: Option<String>,
    /// The working group (slug), for the group's feed.
    pub group: Option<String>,
    /// The initiative it is about (slug), for the initiative's feed.
    pub initiative: Option<String>,
}

/// Every piece of news of the site, newest first (then by id, so the order never depends on
/// anything but the content).
pub fn all(ctx: &Ctx<'_>, v: &Views) -> Vec<News> {
    let mut out = Vec::new();
    items(ctx, v, &mut out);
    contributions(ctx, &mut out);
    milestones(ctx, v, &mut out);
    decisions(ctx, v, &mut out);
    moderation(ctx, &mut out);
    progress(ctx, &mut out);
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Where an item belongs: pole and group, from the item or its group.
#[derive(Default, Clone)]
struct Place {
    pole: Option<String>,
    group: Option<String>,
    initiative: Option<String>,
}

impl Place {
    fn of(ctx: &Ctx<'_>, pole: Option<&String>, group: Option<&String>) -> Place {
        let group_pole = group
            .and_then(|g| ctx.content.groups.get(g))
            .map(|g| g.meta.pole.clone());
        Place {
            pole: pole.cloned().or(group_pole),
            group: group.cloned(),
            initiative: None,
        }
    }

    fn of_initiative(ctx: &Ctx<'_>, slug: &str) -> Place {
        ctx.content
            .initiatives
            .get(slug)
            .map(|i| Place {
                initiative: Some(slug.to_string()),
                ..Place::of(ctx, Some(&i.meta.pole), i.meta.group.as_ref())
            })
            .unwrap_or_default()
    }
}

struct Builder<'c, 'a> {
    ctx: &'c Ctx<'a>,
}

impl Builder<'_, '_> {
    /// When `path` came on the branch; outside git, the build's reference time.
    fn created(&self, path: &str) -> i64 {
        self.ctx
            .file_times(path)
            .map_or(self.ctx.now.timestamp(), |t| t.created)
    }

    #[allow(clippy::too_many_arguments)]
    fn news(
        &self,
        kind: NewsKind,
        page: &str,
        event: &str,
        at: i64,
        title: String,
        text: String,
        place: &Place,
    ) -> News {
        let url = self.ctx.absolute(page);
        News {
            id: format!("{url}#{event}"),
            at,
            kind,
            title,
            text,
            url,
            pole: place.pole.clone(),
            group: place.group.clone(),
            initiative: place.initiative.clone(),
        }
    }

    /// A UI string with `{title}` (and other placeholders) filled.
    fn say(&self, key: &str, title: &str) -> String {
        self.ctx.t(key).replace("{title}", title)
    }
}

fn path_of<M>(item: &Item<M>) -> String {
    item.path.to_string_lossy().replace('\\', "/")
}

/// Each item's first paragraph, as its view already rendered it: the markdown is not
/// rendered a second time for the news.
fn summaries(v: &Views) -> HashMap<(Kind, &str), &str> {
    let mut out = HashMap::new();
    macro_rules! each {
        ($($field:ident => $kind:expr),*) => {
            $( for x in &v.$field { out.insert(($kind, x.slug.as_str()), x.summary.as_str()); } )*
        };
    }
    each!(
        initiatives => Kind::Initiatives,
        debates => Kind::Debates,
        meetings => Kind::Meetings,
        groups => Kind::Groups,
        votes => Kind::Votes,
        budgets => Kind::Budgets,
        sortitions => Kind::Sortitions,
        minutes => Kind::Minutes
    );
    out
}

/// New initiatives, debates, meetings, votes, budgets, draws, groups and minutes.
fn items(ctx: &Ctx<'_>, v: &Views, out: &mut Vec<News>) {
    let b = Builder { ctx };
    let c = ctx.content;
    let summaries = summaries(v);
    let mut add =
        |kind: NewsKind, key: &str, k: Kind, slug: &str, path: String, title: &str, place: Place| {
            let text = summaries
                .get(&(k, slug))
                .map_or_else(String::new, |s| s.to_string());
            out.push(b.news(
                kind,
                &ctx.url(k, slug),
                "published",
                b.created(&path),
                b.say(key, title),
                text,
                &place,
            ));
        };
    for i in c.initiatives.values() {
        let place = Place::of_initiative(ctx, &i.slug);
        add(
            NewsKind::Initiative,
            "news_new_initiative",
            Kind::Initiatives,
            &i.slug,
            path_of(i),
            &i.meta.title,
            place,
        );
    }
    for d in c.debates.values() {
        let mut place = Place::of(ctx, Some(&d.meta.pole), d.meta.group.as_ref());
        place.initiative = d.meta.initiative.clone();
        add(
            NewsKind::NewItem,
            "news_new_debate",
            Kind::Debates,
            &d.slug,
            path_of(d),
            &d.meta.title,
            place,
        );
    }
    for m in c.meetings.values() {
        let place = Place::of(ctx, m.meta.pole.as_ref(), m.meta.group.as_ref());
        add(
            NewsKind::Meeting,
            "news_new_meeting",
            Kind::Meetings,
            &m.slug,
            path_of(m),
            &m.meta.title,
            place,
        );
    }
    for g in c.groups.values() {
        let place = Place::of(ctx, Some(&g.meta.pole), Some(&g.slug));
        add(
            NewsKind::NewItem,
            "news_new_group",
            Kind::Groups,
            &g.slug,
            path_of(g),
            &g.meta.title,
            place,
        );
    }
    for v in c.votes.values() {
        let place = v
            .meta
            .initiative
            .as_deref()
            .map(|i| Place::of_initiative(ctx, i))
            .unwrap_or_default();
        add(
            NewsKind::NewItem,
            "news_new_vote",
            Kind::Votes,
            &v.slug,
            path_of(v),
            &v.meta.title,
            place,
        );
    }
    for x in c.budgets.values() {
        add(
            NewsKind::NewItem,
            "news_new_budget",
            Kind::Budgets,
            &x.slug,
            path_of(x),
            &x.meta.title,
            Place::default(),
        );
    }
    for s in c.sortitions.values() {
        add(
            NewsKind::NewItem,
            "news_new_sortition",
            Kind::Sortitions,
            &s.slug,
            path_of(s),
            &s.meta.title,
            Place::default(),
        );
    }
    for m in c.minutes.values() {
        let place = Place::of(ctx, m.meta.pole.as_ref(), m.meta.group.as_ref());
        add(
            NewsKind::Minutes,
            "news_minutes",
            Kind::Minutes,
            &m.slug,
            path_of(m),
            &m.meta.title,
            place,
        );
    }
}

/// Each contribution to a discussion, as it came.
fn contributions(ctx: &Ctx<'_>, out: &mut Vec<News>) {
    let b = Builder { ctx };
    let c = ctx.content;
    let mut add =
        |k: Kind, slug: &str, title: &str, list: &[Item<crate::content::ContributionMeta>], place: Place| {
            // A hidden contribution stays a notice on its page, and is no news at all.
            for x in list
                .iter()
                .filter(|x| !ctx.tallies.moderation.hidden.contains_key(&path_of(*x)))
            {
                let title = b
                    .say("news_contribution", title)
                    .replace("{author}", &x.meta.author);
                out.push(b.news(
                    NewsKind::Contribution,
                    &ctx.url(k, slug),
                    &format!("c-{}", x.slug),
                    b.created(&path_of(x)),
                    title,
                    ctx.md(&x.body).summary,
                    &place,
                ));
            }
        };
    for i in c.initiatives.values() {
        add(
            Kind::Initiatives,
            &i.slug,
            &i.meta.title,
            &i.contributions,
            Place::of_initiative(ctx, &i.slug),
        );
    }
    for d in c.debates.values() {
        let mut place = Place::of(ctx, Some(&d.meta.pole), d.meta.group.as_ref());
        place.initiative = d.meta.initiative.clone();
        add(Kind::Debates, &d.slug, &d.meta.title, &d.contributions, place);
    }
    for m in c.meetings.values() {
        let place = Place::of(ctx, m.meta.pole.as_ref(), m.meta.group.as_ref());
        add(Kind::Meetings, &m.slug, &m.meta.title, &m.contributions, place);
    }
    for v in c.votes.values() {
        add(
            Kind::Votes,
            &v.slug,
            &v.meta.title,
            &v.contributions,
            Place::default(),
        );
    }
    for x in c.budgets.values() {
        add(
            Kind::Budgets,
            &x.slug,
            &x.meta.title,
            &x.contributions,
            Place::default(),
        );
    }
}

/// An initiative passing 25, 50, 75 % of its goal, and reaching it: at the arrival of the
/// signature that made the count (paper signatures count from the start, as on its chart).
fn milestones(ctx: &Ctx<'_>, v: &Views, out: &mut Vec<News>) {
    let b = Builder { ctx };
    let lang = ctx.settings.config.language;
    for view in &v.initiatives {
        let (Some(goal), Some(t)) = (view.goal, ctx.tallies.initiatives.get(&view.slug)) else {
            continue;
        };
        if goal == 0 || view.project.is_some() {
            continue;
        }
        let mut times: Vec<i64> = t
            .supporters
            .iter()
            .map(|s| s.arrived.unwrap_or(ctx.tallies.now))
            .collect();
        times.sort_unstable();
        let place = Place::of_initiative(ctx, &view.slug);
        for p in MILESTONES {
            let needed = (goal * p).div_ceil(100);
            let online = needed.saturating_sub(t.paper_total);
            let at = match online {
                0 => times.first().copied().unwrap_or(ctx.tallies.now),
                n => match times.get(n as usize - 1) {
                    Some(at) => *at,
                    None => break,
                },
            };
            let n = super::format::int(needed, lang);
            let goal_text = super::format::int(goal, lang);
            let (kind, title, text) = if p == 100 {
                (
                    NewsKind::GoalReached,
                    b.say("news_goal", &view.title),
                    ctx.t("news_goal_text").replace("{goal}", &goal_text),
                )
            } else {
                (
                    NewsKind::Milestone,
                    b.say("news_milestone", &view.title)
                        .replace("{p}", &p.to_string()),
                    ctx.t("news_milestone_text")
                        .replace("{n}", &n)
                        .replace("{goal}", &goal_text),
                )
            };
            out.push(b.news(kind, &view.url, &format!("goal-{p}"), at, title, text, &place));
        }
    }
}

/// Votes and budgets opened and closed, draws done.
fn decisions(ctx: &Ctx<'_>, v: &Views, out: &mut Vec<News>) {
    let b = Builder { ctx };
    let now = ctx.tallies.now;
    let tz = ctx.tz();
    let c = ctx.content;
    for view in &v.votes {
        let Some(item) = c.votes.get(&view.slug) else {
            continue;
        };
        let place = item
            .meta
            .initiative
            .as_deref()
            .map(|i| Place::of_initiative(ctx, i))
            .unwrap_or_default();
        let opens = item.meta.opens.start(tz).timestamp();
        let closes = item.meta.closes.end(tz).timestamp();
        if opens <= now {
            let title = b.say("news_vote_opened", &view.title);
            out.push(b.news(
                NewsKind::VoteOpened,
                &view.url,
                "opened",
                opens,
                title,
                view.summary.clone(),
                &place,
            ));
        }
        if closes <= now {
            let mut text = ctx.t("news_result").replace("{outcome}", &view.outcome_label);
            if !view.winners.is_empty() {
                text.push(' ');
                text.push_str(&ctx.t("news_leaders").replace("{list}", &view.winners.join(", ")));
            }
            let title = b.say("news_vote_closed", &view.title);
            out.push(b.news(
                NewsKind::VoteClosed,
                &view.url,
                "closed",
                closes,
                title,
                text,
                &place,
            ));
        }
    }
    for view in &v.budgets {
        let Some(item) = c.budgets.get(&view.slug) else {
            continue;
        };
        let opens = item.meta.opens.start(tz).timestamp();
        let closes = item.meta.closes.end(tz).timestamp();
        if opens <= now {
            let title = b.say("news_budget_opened", &view.title);
            out.push(b.news(
                NewsKind::VoteOpened,
                &view.url,
                "opened",
                opens,
                title,
                view.summary.clone(),
                &Place::default(),
            ));
        }
        if closes <= now {
            let funded: Vec<&str> = v
                .initiatives
                .iter()
                .filter(|i| i.budget.as_ref().is_some_and(|l| l.url == view.url))
                .filter(|i| i.project.as_ref().is_some_and(|p| p.funded))
                .map(|i| i.title.as_str())
                .collect();
            let text = if funded.is_empty() {
                ctx.t("news_none_funded")
            } else {
                ctx.t("news_funded").replace("{list}", &funded.join(", "))
            };
            let title = b.say("news_budget_decided", &view.title);
            out.push(b.news(
                NewsKind::BudgetDecided,
                &view.url,
                "decided",
                closes,
                title,
                text,
                &Place::default(),
            ));
        }
    }
    for view in v.sortitions.iter().filter(|s| !s.pending) {
        let Some(item) = c.sortitions.get(&view.slug) else {
            continue;
        };
        // The draw is done once its seed is known, which the last change of its file brings.
        let at = ctx.file_times(&path_of(item)).map_or(now, |t| t.modified);
        let text = ctx.t("news_drawn").replace("{list}", &view.drawn.join(", "));
        let title = b.say("news_draw_done", &view.title);
        out.push(b.news(
            NewsKind::DrawDone,
            &view.url,
            "drawn",
            at,
            title,
            text,
            &Place::default(),
        ));
    }
}

/// Moderation decisions that took effect: what was done and why, never what was hidden.
fn moderation(ctx: &Ctx<'_>, out: &mut Vec<News>) {
    let b = Builder { ctx };
    let page = ctx.moderation_page();
    for d in page.decisions.iter().filter(|d| d.effective) {
        let at = ctx
            .content
            .moderation
            .get(d.id.trim_start_matches("m-"))
            .map_or(ctx.now.timestamp(), |item| b.created(&path_of(item)));
        let title = ctx.t("news_moderation").replace("{action}", &d.action_label);
        out.push(b.news(
            NewsKind::Moderation,
            &ctx.path("moderation/"),
            &d.id,
            at,
            title,
            d.reason.clone(),
            &Place::default(),
        ));
    }
}

/// Each step of a decision's follow-up once done: at its date, else when its file last changed.
fn progress(ctx: &Ctx<'_>, out: &mut Vec<News>) {
    let b = Builder { ctx };
    let now = ctx.now.timestamp();
    for p in ctx.content.progress.values() {
        let Some(initiative) = ctx.content.initiatives.get(&p.slug) else {
            continue;
        };
        let place = Place::of_initiative(ctx, &p.slug);
        let changed = ctx.file_times(&path_of(p)).map_or(now, |t| t.modified);
        for step in p
            .meta
            .steps
            .iter()
            .filter(|s| s.status == crate::content::StepStatus::Done)
        {
            let at = step
                .date
                .as_ref()
                .map_or(changed, |d| d.start(ctx.tz()).timestamp());
            if at > now {
                continue;
            }
            let title = b
                .say("news_progress", &initiative.meta.title)
                .replace("{step}", &step.title);
            // The step as it was: its minutes, if any; the percentage and the latest news are
            // the follow-up's state now, which an older step did not know.
            let text = step
                .minutes
                .as_ref()
                .and_then(|m| ctx.content.minutes.get(m))
                .map(|m| ctx.t("news_progress_minutes").replace("{title}", &m.meta.title))
                .unwrap_or_default();
            out.push(b.news(
                NewsKind::Progress,
                &ctx.url(Kind::Initiatives, &p.slug),
                &format!("etape-{}", crate::slug::slugify(&step.title)),
                at,
                title,
                text,
                &place,
            ));
        }
    }
}
