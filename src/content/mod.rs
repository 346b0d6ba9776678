//! The content model: every item of the council, typed, keyed by slug.
//!
//! [`Item::parse`] turns one file's text into an item (pure); `crate::load` reads the files.

pub mod front_matter;
pub mod kinds;
pub mod pool;
pub mod references;
pub mod templates;
pub mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

pub use kinds::*;

use crate::error::Diagnostic;

/// The kinds of content, one folder each under `content/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Thematic poles.
    Poles,
    /// Working groups.
    Groups,
    /// Citizens' initiatives.
    Initiatives,
    /// Debates.
    Debates,
    /// Meetings.
    Meetings,
    /// Minutes of meetings.
    Minutes,
    /// Votes.
    Votes,
    /// Participatory budgets.
    Budgets,
    /// Sortitions.
    Sortitions,
    /// Moderation decisions.
    Moderation,
    /// Free pages.
    Pages,
    /// Newsletters as sent.
    Newsletters,
    /// Follow-up of decisions, one file per initiative.
    Progress,
}

impl Kind {
    /// Every kind, in the order pages are listed.
    pub const ALL: [Kind; 13] = [
        Kind::Poles,
        Kind::Groups,
        Kind::Initiatives,
        Kind::Debates,
        Kind::Meetings,
        Kind::Minutes,
        Kind::Votes,
        Kind::Budgets,
        Kind::Sortitions,
        Kind::Moderation,
        Kind::Pages,
        Kind::Newsletters,
        Kind::Progress,
    ];

    /// The folder name under `content/`, also the URL segment.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Poles => "poles",
            Kind::Groups => "groups",
            Kind::Initiatives => "initiatives",
            Kind::Debates => "debates",
            Kind::Meetings => "meetings",
            Kind::Minutes => "minutes",
            Kind::Votes => "votes",
            Kind::Budgets => "budgets",
            Kind::Sortitions => "sortitions",
            Kind::Moderation => "moderation",
            Kind::Pages => "pages",
            Kind::Newsletters => "newsletters",
            Kind::Progress => "progress",
        }
    }

    /// The kind whose folder is `dir`.
    pub fn from_dir(dir: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.dir() == dir)
    }

    /// The kinds whose pages show a discussion: a contribution folder anywhere else would be
    /// published nowhere, so it is refused rather than silently dropped.
    pub const DISCUSSED: [Kind; 5] = [
        Kind::Initiatives,
        Kind::Debates,
        Kind::Meetings,
        Kind::Votes,
        Kind::Budgets,
    ];

    /// Whether items of this kind take contributions (`content/<kind>/<slug>/*.md`).
    pub fn takes_contributions(self) -> bool {
        Kind::DISCUSSED.contains(&self)
    }
}

/// One content file: its slug, where it is, its typed front matter and its markdown.
#[derive(Debug, Clone)]
pub struct Item<M> {
    /// The file stem, `[a-z0-9-]+`.
    pub slug: String,
    /// Path from the site root, e.g. `content/initiatives/gratuite-des-bus.md`.
    pub path: PathBuf,
    /// The front matter.
    pub meta: M,
    /// The markdown after the front matter.
    pub body: String,
    /// The front matter text, kept to place later diagnostics on the right line.
    pub yaml: String,
    /// File lines before the front matter.
    pub yaml_offset: usize,
    /// The file's text exactly as it is (the bytes a statement about it signs).
    pub source: String,
    /// Contributions from the folder `content/<kind>/<slug>/`, sorted by date then stem.
    pub contributions: Vec<Item<ContributionMeta>>,
}

impl<M: DeserializeOwned> Item<M> {
    /// Parses one file's text within the default limits. `path` is relative to the site
    /// root and names the slug.
    pub fn parse(path: &Path, text: &str) -> Result<Item<M>, Diagnostic> {
        Item::parse_within(path, text, &crate::limits::Limits::default())
    }

    /// Parses one file's text, refusing a front matter past `limits` before reading it.
    pub fn parse_within(
        path: &Path,
        text: &str,
        limits: &crate::limits::Limits,
    ) -> Result<Item<M>, Diagnostic> {
        let slug = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if !crate::slug::is_valid(&slug) {
            return Err(
                Diagnostic::new(path, 1, 1, format!("the file name `{slug}` is not a valid slug")).hint(
                    match crate::slug::slugify(&slug) {
                        s if s.is_empty() => "name the file after its title, in lower-case letters, digits and inner hyphens (`pnyx new` does it): `gratuite-des-bus.md`".to_string(),
                        s => format!("rename the file `{s}.md`: only a-z, 0-9 and `-` (not first nor last) are allowed"),
                    },
                ),
            );
        }
        if let Some(d) = control_character(path, text) {
            return Err(d);
        }
        let split = front_matter::split(path, text)?;
        crate::limits::check_front_matter(path, split.yaml, split.yaml_offset, limits)?;
        let meta = front_matter::parse(path, &split)?;
        Ok(Item {
            slug,
            path: path.to_path_buf(),
            meta,
            body: split.body.to_string(),
            yaml: split.yaml.to_string(),
            yaml_offset: split.yaml_offset,
            source: text.to_string(),
            contributions: Vec::new(),
        })
    }
}

/// The first control character of `text` other than a tab or a line break, placed: a NUL
/// or an escape in a page is a corrupted file or a trap for the reader's browser, never
/// text anyone meant to write.
fn control_character(path: &Path, text: &str) -> Option<Diagnostic> {
    let (offset, c) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some(
        Diagnostic::new(
            path,
            line,
            column,
            format!("the file holds a control character (U+{:04X}) that no one can see", c as u32),
        )
        .hint("delete it in your editor (it often comes from a copy and paste or a broken export); the text around it stays as it is"),
    )
}

impl<M> Item<M> {
    /// The file line on which the markdown body starts.
    pub fn body_start_line(&self) -> usize {
        self.yaml_offset + self.yaml.lines().count() + 2
    }

    /// This item's body and its contributions' bodies.
    fn push_bodies<'a>(&'a self, out: &mut Vec<Body<'a>>) {
        out.push(Body {
            path: &self.path,
            first_line: self.body_start_line(),
            text: &self.body,
        });
        for c in &self.contributions {
            c.push_bodies(out);
        }
    }

    /// A diagnostic placed on the value of the top-level front matter `key`.
    pub fn error_at(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let (line, column) = front_matter::locate_key(&self.yaml, key).unwrap_or((1, 1));
        Diagnostic::new(&self.path, line + self.yaml_offset, column, message)
    }
}

/// A markdown body and where it starts in its file, to place problems found in it.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    /// The file, from the site root.
    pub path: &'a Path,
    /// The file line of the body's first line.
    pub first_line: usize,
    /// The markdown.
    pub text: &'a str,
}

/// Items of one kind, sorted by slug.
pub type Items<M> = BTreeMap<String, Item<M>>;

/// Everything under `content/`.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Poles.
    pub poles: Items<Pole>,
    /// Working groups.
    pub groups: Items<Group>,
    /// Initiatives.
    pub initiatives: Items<Initiative>,
    /// Debates.
    pub debates: Items<Debate>,
    /// Meetings.
    pub meetings: Items<Meeting>,
    /// Minutes.
    pub minutes: Items<Minutes>,
    /// Votes.
    pub votes: Items<Vote>,
    /// Participatory budgets.
    pub budgets: Items<Budget>,
    /// Sortitions.
    pub sortitions: Items<Sortition>,
    /// Moderation decisions.
    pub moderation: Items<Moderation>,
    /// Free pages.
    pub pages: Items<Page>,
    /// Newsletters as sent.
    pub newsletters: Items<Newsletter>,
    /// Follow-up of decisions, by initiative slug.
    pub progress: Items<Progress>,
    /// The pool lists named by sortitions (`pool: {list: PATH}`), by path.
    pub pool_lists: BTreeMap<String, Vec<crate::content::pool::ListEntry>>,
    /// Items whose file is there but could not be read or parsed (reported at that file),
    /// by kind and file stem: a reference to one of them is not reported a second time.
    pub unreadable: std::collections::BTreeSet<(Kind, String)>,
}

impl Content {
    /// Whether an item of `kind` is called `slug`.
    pub fn contains(&self, kind: Kind, slug: &str) -> bool {
        match kind {
            Kind::Poles => self.poles.contains_key(slug),
            Kind::Groups => self.groups.contains_key(slug),
            Kind::Initiatives => self.initiatives.contains_key(slug),
            Kind::Debates => self.debates.contains_key(slug),
            Kind::Meetings => self.meetings.contains_key(slug),
            Kind::Minutes => self.minutes.contains_key(slug),
            Kind::Votes => self.votes.contains_key(slug),
            Kind::Budgets => self.budgets.contains_key(slug),
            Kind::Sortitions => self.sortitions.contains_key(slug),
            Kind::Moderation => self.moderation.contains_key(slug),
            Kind::Pages => self.pages.contains_key(slug),
            Kind::Newsletters => self.newsletters.contains_key(slug),
            Kind::Progress => self.progress.contains_key(slug),
        }
    }

    /// How many items the site has, contributions not counted.
    pub fn item_count(&self) -> usize {
        self.poles.len()
            + self.groups.len()
            + self.initiatives.len()
            + self.debates.len()
            + self.meetings.len()
            + self.minutes.len()
            + self.votes.len()
            + self.budgets.len()
            + self.sortitions.len()
            + self.moderation.len()
            + self.pages.len()
            + self.newsletters.len()
            + self.progress.len()
    }

    /// Every markdown body of the site, contributions included.
    pub fn bodies(&self) -> Vec<Body<'_>> {
        let mut out = Vec::new();
        macro_rules! each {
            ($($field:ident),*) => { $( for item in self.$field.values() { item.push_bodies(&mut out); } )* };
        }
        each!(
            poles,
            groups,
            initiatives,
            debates,
            meetings,
            minutes,
            votes,
            budgets,
            sortitions,
            moderation,
            pages,
            newsletters,
            progress
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_item_and_its_position() {
        let item: Item<Group> = Item::parse(
            Path::new("content/groups/velo.md"),
            "---\ntitle: Vélo\nnumber: 3\npole: transports\n---\nTexte\n",
        )
        .unwrap();
        assert_eq!(item.slug, "velo");
        assert_eq!(item.meta.number, 3);
        let d = item.error_at("pole", "x");
        assert_eq!((d.line, d.column), (4, 7));
    }

    #[test]
    fn reports_unknown_keys_at_their_line() {
        let e = Item::<Pole>::parse(
            Path::new("content/poles/logement.md"),
            "---\ntitle: Logement\ncolour: '#123456'\n---\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("unknown field `colour`"), "{}", e.message);
    }

    #[test]
    fn rejects_bad_slugs() {
        let e =
            Item::<Page>::parse(Path::new("content/pages/À propos.md"), "---\ntitle: A\n---\n").unwrap_err();
        assert!(e.hint.unwrap().contains("a-propos.md"));
    }
}
