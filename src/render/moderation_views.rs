//! What moderation changes on the site: hidden content filtered out of every page and list,
//! a notice where it stood, and the public moderation log.

use std::borrow::Cow;

use serde::Serialize;

use crate::content::kinds::ModerationAction;
use crate::content::{Content, Kind};
use crate::load::roles::RoleKind;
use crate::tally::moderation::{Hidden, ModerationLog};

use super::context::Ctx;
use super::trust_views::KeyRef;

/// The notice shown instead of hidden content.
#[derive(Debug, Clone, Serialize)]
pub struct HiddenView {
    /// The date of the decision, in words.
    pub date: String,
    /// ISO date, for `<time>`.
    pub date_iso: String,
    /// The moderators who signed it.
    pub by: Vec<KeyRef>,
    /// Why.
    pub reason: String,
    /// The entry on the moderation log page.
    pub log_url: String,
}

/// One line of the moderation log.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    /// Anchor, `m-<slug>`.
    pub id: String,
    /// `hide` or `restore`.
    pub action: &'static str,
    /// The action in words.
    pub action_label: String,
    /// The content file concerned.
    pub target: String,
    /// Where it stood on the site, if it has a place.
    pub target_url: Option<String>,
    /// Why.
    pub reason: String,
    /// When, in words.
    pub date: String,
    /// ISO date.
    pub date_iso: String,
    /// The moderators in term who signed it.
    pub by: Vec<KeyRef>,
    /// Everyone who signed it.
    pub signed_by: Vec<KeyRef>,
    /// Whether it takes effect.
    pub effective: bool,
    /// Why not (`unsigned`, `not-a-moderator`, `not-a-member`).
    pub problem: Option<&'static str>,
    /// The entry file.
    pub path: String,
}

/// A role holder, on the moderation page.
#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    /// The key.
    pub key: KeyRef,
    /// First day, in words.
    pub from: String,
    /// Last day, in words.
    pub to: Option<String>,
    /// Whether the term covers the build's reference time.
    pub current: bool,
    /// The draw by lot that gave it (its page and title), if it was drawn.
    pub drawn: Option<(String, String)>,
}

/// The moderation log page.
#[derive(Debug, Clone, Serialize)]
pub struct ModerationPage {
    /// Every decision, newest first.
    pub decisions: Vec<DecisionView>,
    /// Moderators, current ones first.
    pub moderators: Vec<RoleView>,
    /// Admins, current ones first.
    pub admins: Vec<RoleView>,
    /// How many contents are hidden now.
    pub hidden_count: usize,
}

/// The content without what moderation hides: hidden items are removed (their pages become
/// notices), hidden contributions stay in their thread (replies keep their place) and are
/// blanked by the views. Borrowed when nothing is hidden.
pub fn visible<'a>(content: &'a Content, log: &ModerationLog) -> Cow<'a, Content> {
    if log.hidden.is_empty() {
        return Cow::Borrowed(content);
    }
    let mut c = content.clone();
    macro_rules! drop_hidden {
        ($($field:ident),*) => { $( c.$field.retain(|_, item| !log.hidden.contains_key(&slashed(&item.path))); )* };
    }
    drop_hidden!(
        poles,
        groups,
        initiatives,
        debates,
        meetings,
        minutes,
        votes,
        budgets,
        sortitions,
        pages,
        newsletters,
        progress
    );
    Cow::Owned(c)
}

fn slashed(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// A content path's place on the site: an item's page, or a contribution's anchor.
pub fn target_url(ctx: &Ctx<'_>, path: &str) -> Option<String> {
    let rest = path.strip_prefix("content/")?.strip_suffix(".md")?;
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [dir, slug] => Kind::from_dir(dir)
            .filter(|k| *k != Kind::Moderation)
            .map(|k| ctx.url(k, slug)),
        [dir, slug, stem] => Kind::from_dir(dir).map(|k| format!("{}#c-{stem}", ctx.url(k, slug))),
        _ => None,
    }
}

impl Ctx<'_> {
    /// The notice for `path` (a content file from the root), if moderation hides it.
    pub fn hidden_notice(&self, path: &str) -> Option<HiddenView> {
        self.tallies.moderation.hidden(path).map(|h| self.hidden_view(h))
    }

    fn hidden_view(&self, h: &Hidden) -> HiddenView {
        HiddenView {
            date: self.when(&h.date),
            date_iso: self.iso(&h.date),
            by: h.by.iter().map(|k| self.key_ref(*k)).collect(),
            reason: h.reason.clone(),
            log_url: format!("{}moderation/#m-{}", self.settings.base_path, h.entry),
        }
    }

    /// Hidden items (not contributions) with the URL their page had: each gets a notice page.
    pub fn hidden_pages(&self) -> Vec<(String, HiddenView)> {
        self.tallies
            .moderation
            .hidden
            .iter()
            .filter(|(path, _)| path.matches('/').count() == 2)
            .filter_map(|(path, h)| {
                let url = target_url(self, path)?;
                let page = url.strip_prefix(&self.settings.base_path)?.to_string();
                Some((format!("{page}index.html"), self.hidden_view(h)))
            })
            .collect()
    }

    /// The moderation log and who holds a role.
    pub fn moderation_page(&self) -> ModerationPage {
        let tz = &self.settings.tz;
        let now = self.tallies.now;
        let decisions = self
            .tallies
            .moderation
            .decisions
            .iter()
            .map(|d| {
                let action = match d.action {
                    ModerationAction::Hide => "hide",
                    ModerationAction::Restore => "restore",
                };
                DecisionView {
                    id: format!("m-{}", d.slug),
                    action,
                    action_label: self.theme.t(&format!("moderation_action_{action}")),
                    target: d.target.clone(),
                    target_url: target_url(self, &d.target),
                    reason: d.reason.clone(),
                    date: self.when(&d.date),
                    date_iso: self.iso(&d.date),
                    by: d.moderators.iter().map(|k| self.key_ref(*k)).collect(),
                    signed_by: d.signed_by.iter().map(|k| self.key_ref(*k)).collect(),
                    effective: d.effective(),
                    problem: d.problem.as_ref().map(|p| p.code()),
                    path: format!("content/moderation/{}.md", d.slug),
                }
            })
            .collect();
        let roles = |kind: RoleKind| {
            let mut v: Vec<RoleView> = self
                .roles
                .terms
                .iter()
                .filter(|t| t.kind == kind)
                .map(|t| RoleView {
                    key: self.key_ref(t.key),
                    from: self.when(&t.from),
                    to: t.to.as_ref().map(|m| self.when(m)),
                    current: t.covers(now, tz),
                    drawn: t.drawn_by.as_ref().map(|slug| {
                        let title = self
                            .content
                            .sortitions
                            .get(slug)
                            .map_or(slug.clone(), |s| s.meta.title.clone());
                        (self.url(crate::content::Kind::Sortitions, slug), title)
                    }),
                })
                .collect();
            v.sort_by_key(|r| !r.current);
            v
        };
        ModerationPage {
            decisions,
            moderators: roles(RoleKind::Moderator),
            admins: roles(RoleKind::Admin),
            hidden_count: self.tallies.moderation.hidden.len(),
        }
    }
}
