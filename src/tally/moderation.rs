//! Moderation decisions: which `content/moderation/*.md` entries take effect, and what is
//! hidden as a result.
//!
//! An entry takes effect when a moderator signs it (`pnyx/1 moderate`, at
//! `signatures/moderation/<slug>/<KEYID>.minisig`) whose term in `roles.yaml` covers both the
//! entry's date and the arrival of the signature on the branch, and who is a member of the
//! web of trust. Entries without such a signature have no effect: the moderation log lists
//! them with the reason, and `pnyx check` refuses them. For each target, effective entries apply in date order: the last one decides whether
//! it is hidden. Nothing is deleted: the text stays in the repository and its history.

use std::collections::BTreeMap;

use crate::content::kinds::ModerationAction;
use crate::content::values::Moment;
use crate::content::Content;
use crate::load::roles::{RoleKind, Roles};
use crate::signatures::keys::KeyId;
use crate::signatures::statement::{Target, Verb};
use crate::signatures::verify::Verified;
use crate::tally::trust::Trust;

/// One entry of the moderation log.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The entry's slug (`content/moderation/<slug>.md`).
    pub slug: String,
    /// Hide or restore.
    pub action: ModerationAction,
    /// The content file concerned, from the root.
    pub target: String,
    /// Why, as the moderator wrote it.
    pub reason: String,
    /// When, as the entry says.
    pub date: Moment,
    /// Unix time of `date`'s start in the site's zone, for ordering.
    pub ts: i64,
    /// Keys whose genuine `moderate` statement signs this entry.
    pub signed_by: Vec<KeyId>,
    /// Those of them who were moderators in term and are members: the entry's authority.
    pub moderators: Vec<KeyId>,
    /// Why the entry has no effect, if it has none.
    pub problem: Option<Problem>,
}

impl Decision {
    /// Whether the entry counts.
    pub fn effective(&self) -> bool {
        self.problem.is_none()
    }
}

/// Why an entry has no effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No genuine signature at all.
    Unsigned,
    /// Signed, but by no key that was a moderator on that date.
    NotAModerator,
    /// Signed by moderators in term who are not members of the web of trust.
    NotAMember,
}

impl Problem {
    /// Stable short code, for data files, templates and CSS.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Unsigned => "unsigned",
            Problem::NotAModerator => "not-a-moderator",
            Problem::NotAMember => "not-a-member",
        }
    }

    /// In words, for the terminal (the site uses the theme's strings).
    pub fn explain(&self) -> &'static str {
        match self {
            Problem::Unsigned => "no moderator signed it",
            Problem::NotAModerator => "it is not signed by a moderator whose term covers its date",
            Problem::NotAMember => "the moderator who signed it is not a member of the web of trust",
        }
    }
}

/// What a hidden file shows instead of itself.
#[derive(Debug, Clone)]
pub struct Hidden {
    /// The entry that hid it.
    pub entry: String,
    /// When.
    pub date: Moment,
    /// By which moderator(s).
    pub by: Vec<KeyId>,
    /// Why.
    pub reason: String,
}

/// The outcome of every moderation entry.
#[derive(Debug, Clone, Default)]
pub struct ModerationLog {
    /// Every entry, newest first.
    pub decisions: Vec<Decision>,
    /// Hidden content files (paths from the root) and why.
    pub hidden: BTreeMap<String, Hidden>,
}

impl ModerationLog {
    /// How `path` (a content file, from the root) is hidden, if it is.
    pub fn hidden(&self, path: &str) -> Option<&Hidden> {
        self.hidden.get(path)
    }
}

/// Decides every entry and what ends up hidden. `now` is when statements not committed yet
/// arrive (`None` without git history, when nothing is dated).
pub fn decide(
    content: &Content,
    verified: &Verified,
    roles: &Roles,
    trust: &Trust,
    tz: &chrono_tz::Tz,
    now: Option<i64>,
) -> ModerationLog {
    // Each signer with the time its signature reached the branch.
    let mut signed: BTreeMap<&str, Vec<(KeyId, Option<i64>)>> = BTreeMap::new();
    for a in &verified.accepted {
        if let (
            Target::Item {
                folder: "moderation",
                slug,
            },
            Verb::Moderate,
        ) = (&a.valid.place.target, a.valid.said.verb)
        {
            // Verification accepts only statements of the entry's current text.
            signed
                .entry(slug.as_str())
                .or_default()
                .push((a.valid.place.key, a.arrived.or(now)));
        }
    }
    let mut decisions: Vec<Decision> = content
        .moderation
        .values()
        .map(|item| {
            let m = &item.meta;
            let ts = m.date.start(tz).timestamp();
            let signers = signed.get(item.slug.as_str()).cloned().unwrap_or_default();
            let signed_by: Vec<KeyId> = signers.iter().map(|(k, _)| *k).collect();
            // The term must cover the decision's date and the arrival of its signature: a
            // former moderator cannot backdate a decision into their old term.
            let in_term: Vec<KeyId> = signers
                .iter()
                .filter(|(k, arrived)| {
                    roles.holds(k, RoleKind::Moderator, ts, tz)
                        && arrived.is_none_or(|t| roles.holds(k, RoleKind::Moderator, t, tz))
                })
                .map(|(k, _)| *k)
                .collect();
            let moderators: Vec<KeyId> = in_term.iter().copied().filter(|k| trust.is_member(k)).collect();
            let problem = if signed_by.is_empty() {
                Some(Problem::Unsigned)
            } else if in_term.is_empty() {
                Some(Problem::NotAModerator)
            } else if moderators.is_empty() {
                Some(Problem::NotAMember)
            } else {
                None
            };
            Decision {
                slug: item.slug.clone(),
                action: m.action,
                target: m.target.clone(),
                reason: m.reason.clone(),
                date: m.date,
                ts,
                signed_by,
                moderators,
                problem,
            }
        })
        .collect();
    // Oldest first to apply them; ties by slug, so the order never depends on the disk.
    decisions.sort_by(|a, b| (a.ts, &a.slug).cmp(&(b.ts, &b.slug)));
    let mut hidden: BTreeMap<String, Hidden> = BTreeMap::new();
    for d in decisions.iter().filter(|d| d.effective()) {
        match d.action {
            ModerationAction::Hide => {
                hidden.insert(
                    d.target.clone(),
                    Hidden {
                        entry: d.slug.clone(),
                        date: d.date,
                        by: d.moderators.clone(),
                        reason: d.reason.clone(),
                    },
                );
            }
            ModerationAction::Restore => {
                hidden.remove(&d.target);
            }
        }
    }
    decisions.reverse();
    ModerationLog { decisions, hidden }
}
