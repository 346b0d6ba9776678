//! What every view of the render stage starts from: the build's settings, theme, content and
//! the outcomes of the earlier stages ([`Ctx`]), and the small shared view types (a link, a
//! pole badge, whether something is open).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::Settings;
use crate::content::values::Moment;
use crate::content::*;
use crate::theme::Theme;

/// What the views need to know about the build: settings, strings, now.
pub struct Ctx<'a> {
    /// Site settings.
    pub settings: &'a Settings,
    /// Theme, for strings and calendar.
    pub theme: &'a Theme,
    /// The build's reference time.
    pub now: DateTime<Utc>,
    /// Loaded content, for cross references.
    pub content: &'a Content,
    /// Keys, statements and paper batches.
    pub sigs: &'a crate::load::signatures::Signatures,
    /// The verify stage's outcome.
    pub verified: &'a crate::signatures::verify::Verified,
    /// The tally stage's outcome.
    pub tallies: &'a crate::tally::Tallies,
    /// Admins' and moderators' terms.
    pub roles: &'a crate::load::roles::Roles,
}

impl<'a> Ctx<'a> {
    /// The context of a render of `site`, whose `content` is what moderation left visible.
    pub(super) fn new(
        site: &'a crate::load::Site,
        theme: &'a Theme,
        now: DateTime<Utc>,
        verified: &'a crate::signatures::verify::Verified,
        tallies: &'a crate::tally::Tallies,
        content: &'a Content,
    ) -> Ctx<'a> {
        Ctx {
            settings: &site.settings,
            theme,
            now,
            content,
            sigs: &site.signatures,
            verified,
            tallies,
            roles: &tallies.roles,
        }
    }

    pub(super) fn tz(&self) -> &Tz {
        &self.settings.tz
    }

    /// `/base/kind/slug/`.
    pub fn url(&self, kind: Kind, slug: &str) -> String {
        format!("{}{}/{}/", self.settings.base_path, kind.dir(), slug)
    }

    /// `/base/path`.
    pub fn path(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_path, path)
    }

    pub(super) fn t(&self, key: &str) -> String {
        self.theme.t(key)
    }

    /// The absolute URL of `path` (a path with the site's prefix, as [`Ctx::url`] gives):
    /// what feeds, calendars and QR codes link to.
    pub fn absolute(&self, path: &str) -> String {
        let rel = path
            .strip_prefix(self.settings.base_path.as_str())
            .unwrap_or(path);
        format!("{}{}", self.settings.base_url, rel.trim_start_matches('/'))
    }

    /// The host of `base_url`, for the ids of calendar events.
    pub fn host(&self) -> &str {
        let url = self.settings.base_url.as_str();
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }

    /// When a file of the site was first committed and last changed on the branch, and how many
    /// times it changed since (`None` outside git or before its first commit).
    pub fn file_times(&self, path: &str) -> Option<FileTimes> {
        let history = self.sigs.history.as_ref()?;
        let versions = history.versions(path);
        let time = |v: &crate::load::history::Version| history.commits.get(v.commit).map(|c| c.time);
        Some(FileTimes {
            created: time(versions.first()?)?,
            modified: time(versions.last()?)?,
            changes: versions.len() - 1,
        })
    }

    pub(super) fn when(&self, m: &Moment) -> String {
        self.theme.calendar.moment(m, self.tz())
    }

    pub(super) fn when_opt(&self, m: Option<&Moment>) -> Option<String> {
        m.map(|m| self.when(m))
    }

    /// ISO 8601 for `<time datetime>`: the day for a whole day, else the instant.
    pub(super) fn iso(&self, m: &Moment) -> String {
        if m.has_time() {
            m.start(self.tz()).to_rfc3339()
        } else {
            m.date(self.tz()).to_string()
        }
    }

    pub(super) fn iso_opt(&self, m: Option<&Moment>) -> Option<String> {
        m.map(|m| self.iso(m))
    }

    /// Open, closed or upcoming, from `opens`/`closes` and now.
    pub(super) fn status(&self, opens: Option<&Moment>, closes: Option<&Moment>) -> Status {
        let now = self.now.with_timezone(self.tz());
        if opens.is_some_and(|o| now < o.start(self.tz())) {
            return Status::Upcoming;
        }
        if closes.is_some_and(|c| now > c.end(self.tz())) {
            return Status::Closed;
        }
        Status::Open
    }

    pub(super) fn days_left(&self, closes: Option<&Moment>) -> Option<i64> {
        let c = closes?;
        let end = c.end(self.tz());
        let now = self.now.with_timezone(self.tz());
        (end >= now).then(|| (end.date_naive() - now.date_naive()).num_days())
    }

    /// Whether a grade's words are the vote's own (its id), not a UI string.
    pub fn grade_is_content(&self, id: &str) -> bool {
        !self.theme.strings.contains_key(&format!("grade_{id}"))
    }

    /// A grade of a judgment vote in words: the theme's `grade_<id>` when it has one, else the
    /// id with spaces for hyphens and a capital ("très-bien" → "Très bien").
    pub fn grade_words(&self, id: &str) -> String {
        if let Some(words) = self.theme.strings.get(&format!("grade_{id}")) {
            return words.clone();
        }
        let spaced = id.replace('-', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => spaced,
        }
    }

    /// A link to a pole with its colors.
    pub fn pole(&self, slug: &str) -> Option<PoleRef> {
        self.content.poles.get(slug).map(|p| PoleRef {
            slug: p.slug.clone(),
            title: p.meta.title.clone(),
            color: p.meta.color.0.clone(),
            text_color: p.meta.color.text_color().to_string(),
            url: self.url(Kind::Poles, &p.slug),
        })
    }

    pub(super) fn link<M>(
        &self,
        kind: Kind,
        items: &Items<M>,
        slug: Option<&String>,
        title: impl Fn(&M) -> String,
    ) -> Option<Link> {
        let item = items.get(slug?)?;
        Some(Link {
            title: title(&item.meta),
            url: self.url(kind, &item.slug),
        })
    }

    pub(super) fn group_link(&self, slug: Option<&String>) -> Option<GroupLink> {
        let group = self.content.groups.get(slug?)?;
        Some(GroupLink {
            number: group.meta.number,
            title: group.meta.title.clone(),
            url: self.url(Kind::Groups, &group.slug),
        })
    }

    pub(super) fn map_url(geo: Option<[f64; 2]>) -> Option<String> {
        geo.map(|[lat, lon]| {
            format!("https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}")
        })
    }
}

/// Whether something can be acted on now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not yet open.
    Upcoming,
    /// Open now.
    Open,
    /// Closed.
    Closed,
}

impl Status {
    pub(super) fn key(self) -> &'static str {
        match self {
            Status::Upcoming => "status_upcoming",
            Status::Open => "status_open",
            Status::Closed => "status_closed",
        }
    }
}

/// A title and a URL.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Text of the link.
    pub title: String,
    /// Absolute path.
    pub url: String,
}

/// When a file was first committed and last changed, from the branch's first-parent history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileTimes {
    /// Seconds since the epoch of the commit that added it.
    pub created: i64,
    /// Of the commit that last changed it.
    pub modified: i64,
    /// How many commits changed it after the first.
    pub changes: usize,
}

/// A link to a working group: "Groupe n° 1 · Se déplacer sans voiture", its number said in
/// the interface's words and its name in the content's.
#[derive(Debug, Clone, Serialize)]
pub struct GroupLink {
    /// The number of its table card.
    pub number: u32,
    /// Its name.
    pub title: String,
    /// Absolute path.
    pub url: String,
}

/// A pole as shown in badges: its name and colors.
#[derive(Debug, Clone, Serialize)]
pub struct PoleRef {
    /// Slug.
    pub slug: String,
    /// Name.
    pub title: String,
    /// Background color.
    pub color: String,
    /// Readable text color on it.
    pub text_color: String,
    /// Its page.
    pub url: String,
}
