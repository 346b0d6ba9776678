//! Reading a site from disk: `pnyx.yaml` and every file under `content/`.
//!
//! This is the only stage of the pipeline that reads the site's files (and git history); the
//! rest works on the [`Site`] it returns.

pub mod git_index;
pub mod history;
pub mod history_cache;
pub mod names;
pub mod revisions;
pub mod roles;
pub mod signatures;
pub mod statement_cache;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::config::{Settings, CONFIG_FILE};
use crate::content::{Content, ContributionMeta, Item, Items, Kind};
use crate::error::{Diagnostic, Diagnostics};
use crate::limits::Limits;

/// A site as read from disk.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site's folder.
    pub root: PathBuf,
    /// `pnyx.yaml`, checked.
    pub settings: Settings,
    /// Everything under `content/`.
    pub content: Content,
    /// Keys, statements, paper batches, and the versions of the files they sign.
    pub signatures: signatures::Signatures,
    /// Admins' and moderators' terms (`roles.yaml`).
    pub roles: crate::load::roles::Roles,
    /// The text of every version of each item's file, for the history pages.
    pub revisions: revisions::Revisions,
}

/// A content file read from disk, before parsing.
struct Source {
    /// Path from the root, `/`-separated.
    rel: PathBuf,
    kind: Kind,
    /// For a contribution, the slug of the item it belongs to.
    owner: Option<String>,
    text: String,
}

/// Reads `pnyx.yaml` and parses it.
pub fn load_settings(root: &Path) -> Result<Settings, Diagnostics> {
    let rel = Path::new(CONFIG_FILE);
    if let Some(d) = names::file_problem(root, rel) {
        return Err(Diagnostics(vec![d]));
    }
    // The configuration sets the limits, so its own is fixed.
    let limit = crate::limits::Limits::default().file_size;
    let elsewhere = || {
        format!(
            "run pnyx in the site's folder (the one with pnyx.yaml) or pass `--root DIR`; `{}` has none",
            root.display()
        )
    };
    let text = match crate::limits::read_bounded(&root.join(rel), limit) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_column(e.as_bytes(), e.utf8_error().valid_up_to());
            Diagnostic::new(rel, line, column, "the configuration is not valid UTF-8 text")
                .hint("save pnyx.yaml as UTF-8 in your editor")
        }),
        Err(crate::limits::ReadError::TooLarge(_)) => Err(crate::limits::too_large(rel, limit, "file_size")
            .hint("pnyx.yaml holds a few settings: keep text and data in content/")),
        Err(crate::limits::ReadError::Io(e)) => {
            Err(Diagnostic::new(rel, 1, 1, format!("cannot read the configuration: {e}")).hint(elsewhere()))
        }
    };
    let text = text.map_err(|d| Diagnostics(vec![d]))?;
    Settings::parse(rel, &text).map_err(Diagnostics)
}

/// Reads and checks the whole site, reporting every problem at once. `now` is the build's
/// reference time: no commit counts as later than it.
pub fn load(root: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<Site, Diagnostics> {
    load_parts(root, None, now)?.into_site()
}

/// A site read as far as it could be, with every problem found. `pnyx check` judges the
/// statements of a change even when its content is broken.
#[derive(Debug, Clone)]
pub struct Parts {
    /// The site's folder.
    pub root: PathBuf,
    /// `pnyx.yaml`, checked.
    pub settings: Settings,
    /// What could be parsed under `content/`.
    pub content: Content,
    /// Keys, statements, paper batches, and the versions of the files they sign.
    pub signatures: signatures::Signatures,
    /// The text of every version of each item's file, for the history pages.
    pub revisions: revisions::Revisions,
    /// Admins' and moderators' terms (`roles.yaml`).
    pub roles: crate::load::roles::Roles,
    /// Every problem, sorted.
    pub diagnostics: Diagnostics,
}

impl Parts {
    /// The site, when nothing is wrong with it.
    pub fn into_site(self) -> Result<Site, Diagnostics> {
        let (site, diagnostics) = self.split();
        if diagnostics.is_empty() {
            Ok(site)
        } else {
            Err(diagnostics)
        }
    }

    /// The site as far as it could be read, and its problems (`pnyx check` uses both).
    pub fn split(self) -> (Site, Diagnostics) {
        let site = Site {
            root: self.root,
            settings: self.settings,
            content: self.content,
            signatures: self.signatures,
            revisions: self.revisions,
            roles: self.roles,
        };
        (site, self.diagnostics)
    }
}

/// Reads and checks `content/` alone, nothing of `signatures/` or git: what `pnyx new` needs
/// to suggest poles and groups. Items that do not parse are left out and reported.
pub fn load_content(root: &Path) -> (Content, Diagnostics) {
    let mut diags = Diagnostics::default();
    // `pnyx new` and `pnyx sign` read content even when pnyx.yaml is broken.
    let limits = load_settings(root).map(|s| s.config.limits).unwrap_or_default();
    let mut listed = BTreeSet::new();
    let sources = read_sources(root, &limits, &mut listed, &mut diags);
    let content = checked_content(root, sources, listed, &limits, &mut diags);
    (content, diags)
}

fn checked_content(
    root: &Path,
    sources: Vec<Source>,
    listed: BTreeSet<(Kind, String)>,
    limits: &Limits,
    diags: &mut Diagnostics,
) -> Content {
    let mut content = parse_content(sources, limits, diags);
    content.unreadable = listed
        .into_iter()
        .filter(|(kind, slug)| !content.contains(*kind, slug))
        .collect();
    read_pool_lists(root, &mut content, limits, diags);
    crate::content::references::check_content(&content, root, diags);
    content
}

/// Reads the whole site as [`load`] does, and keeps what could be read along with the
/// problems. Statements are dated from `history`, by default from the branch of `pnyx.yaml`
/// settled against `now`. Fails only when `pnyx.yaml` cannot be read.
pub fn load_parts(
    root: &Path,
    history: Option<signatures::HistorySource<'_>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Parts, Diagnostics> {
    let mut clock = crate::timing::Clock::start();
    let settings = load_settings(root)?;
    let mut diags = Diagnostics::default();
    let limits = &settings.config.limits;
    let mut listed = BTreeSet::new();
    let sources = read_sources(root, limits, &mut listed, &mut diags);
    let working = revisions::working_blobs(&sources);
    let content = checked_content(root, sources, listed, limits, &mut diags);
    clock.lap("load: content");
    let history = history.unwrap_or(signatures::HistorySource::Branch(
        crate::load::history::BranchAt {
            name: &settings.config.branch,
            now: now.timestamp(),
        },
    ));
    let signatures = signatures::read_from(root, history, limits, &mut diags);
    let revisions = revisions::read(root, working, &signatures, limits, &mut diags);
    let roles = crate::load::roles::Roles::load(root, limits).unwrap_or_else(|problems| {
        diags.0.extend(problems);
        crate::load::roles::Roles::default()
    });
    diags.sort();
    Ok(Parts {
        root: root.to_path_buf(),
        settings,
        content,
        signatures,
        revisions,
        roles,
        diagnostics: diags,
    })
}

/// Lists and reads every markdown file under `content/`. Item files that are listed but
/// cannot be read are recorded in `listed` too, so that [`checked_content`] knows them.
fn read_sources(
    root: &Path,
    limits: &Limits,
    listed: &mut BTreeSet<(Kind, String)>,
    diags: &mut Diagnostics,
) -> Vec<Source> {
    let mut paths = Vec::new();
    let mut refused = Vec::new();
    let entries = names::walk(root, Path::new("content"), usize::MAX, &mut refused);
    diags.0.extend(refused);
    for entry in entries {
        let rel = relative(root, entry.path());
        let parts: Vec<String> = rel
            .iter()
            .skip(1)
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let is_dir = entry.file_type().is_dir();
        let is_md = !is_dir && rel.extension().is_some_and(|e| e == "md");
        if !is_dir {
            if let Some(d) = markdown_name_problem(&rel) {
                diags.push(d);
                continue;
            }
        }
        match *parts.as_slice() {
            [dir] if is_dir && Kind::from_dir(dir).is_none() => {
                let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.dir()).collect();
                diags.push(
                    Diagnostic::new(&rel, 1, 1, format!("`{dir}` is not a kind of content"))
                        .hint(format!("content folders are: {}", kinds.join(", "))),
                );
            }
            [_] if is_md => diags.push(
                Diagnostic::new(&rel, 1, 1, "a content file must sit in the folder of its kind")
                    .hint("move it to content/pages/ for a free page, or to the folder of its kind"),
            ),
            [dir, file] if is_md => {
                if let Some(kind) = Kind::from_dir(dir) {
                    listed.insert((kind, file.trim_end_matches(".md").to_string()));
                    paths.push((rel, kind, None));
                }
            }
            [dir, owner, _] if is_md => match Kind::from_dir(dir) {
                Some(kind) if kind.takes_contributions() => paths.push((rel, kind, Some(owner.to_string()))),
                Some(_) => {
                    let allowed: Vec<String> = Kind::DISCUSSED
                        .iter()
                        .map(|k| format!("content/{}/<slug>/", k.dir()))
                        .collect();
                    diags.push(
                        Diagnostic::new(
                            &rel,
                            1,
                            1,
                            format!("{dir} take no contributions: this file would be published nowhere"),
                        )
                        .hint(format!(
                            "contributions go under {}; to discuss `{owner}`, open a debate about it in content/debates/",
                            allowed.join(", ")
                        )),
                    );
                }
                None => {}
            },
            [dir, _, _, _, ..] if is_md && Kind::from_dir(dir).is_some() => diags.push(
                Diagnostic::new(&rel, 1, 1, "this file is too deep in its folder: it would be published nowhere")
                    .hint(format!(
                        "an item is content/{dir}/<slug>.md and a contribution content/{dir}/<slug>/<name>.md: move it up"
                    )),
            ),
            _ => {} // other files (images, pool lists) are data, not items
        }
    }
    let read: Vec<Result<Source, Diagnostic>> = paths
        .into_par_iter()
        .map(|(rel, kind, owner)| {
            let bytes = crate::limits::read_bounded(&root.join(&rel), limits.file_size)
                .map_err(|e| e.diagnostic(&rel, limits.file_size, "file_size"))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let (line, column) = line_column(e.as_bytes(), e.utf8_error().valid_up_to());
                Diagnostic::new(&rel, line, column, "the file is not valid UTF-8 text")
                    .hint("save the file as UTF-8 in your editor")
            })?;
            Ok(Source {
                rel,
                kind,
                owner,
                text,
            })
        })
        .collect();
    let mut sources = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(s) => sources.push(s),
            Err(d) => diags.push(d),
        }
    }
    sources
}

/// Parses every source into the typed model.
fn parse_content(sources: Vec<Source>, limits: &Limits, diags: &mut Diagnostics) -> Content {
    let mut by_kind: BTreeMap<Kind, Vec<Source>> = BTreeMap::new();
    for s in sources {
        by_kind.entry(s.kind).or_default().push(s);
    }
    let mut take = |k: Kind| by_kind.remove(&k).unwrap_or_default();
    Content {
        poles: parse_kind(take(Kind::Poles), limits, diags),
        groups: parse_kind(take(Kind::Groups), limits, diags),
        initiatives: parse_kind(take(Kind::Initiatives), limits, diags),
        debates: parse_kind(take(Kind::Debates), limits, diags),
        meetings: parse_kind(take(Kind::Meetings), limits, diags),
        minutes: parse_kind(take(Kind::Minutes), limits, diags),
        votes: parse_kind(take(Kind::Votes), limits, diags),
        budgets: parse_kind(take(Kind::Budgets), limits, diags),
        sortitions: parse_kind(take(Kind::Sortitions), limits, diags),
        moderation: parse_kind(take(Kind::Moderation), limits, diags),
        pages: parse_kind(take(Kind::Pages), limits, diags),
        newsletters: parse_kind(take(Kind::Newsletters), limits, diags),
        progress: parse_kind(take(Kind::Progress), limits, diags),
        pool_lists: BTreeMap::new(),
        unreadable: BTreeSet::new(),
    }
}

/// Reads the pool lists the sortitions name (`pool: {list: PATH}`), each once.
fn read_pool_lists(root: &Path, content: &mut Content, limits: &Limits, diags: &mut Diagnostics) {
    use crate::content::Pool;
    for s in content.sortitions.values() {
        let Pool::List(list) = &s.meta.pool else {
            continue;
        };
        if content.pool_lists.contains_key(list) {
            continue;
        }
        if !crate::content::pool::safe_path(list) {
            diags.push(
                s.error_at(
                    "pool",
                    format!("the pool list `{list}` is not a file under content/"),
                )
                .hint("give its path from the site's root, e.g. `content/sortitions/jury.yaml`"),
            );
            continue;
        }
        if let Some(d) = names::file_problem(root, Path::new(list)) {
            diags.push(d);
            continue;
        }
        let text = match crate::limits::read_bounded(&root.join(list), limits.pool_list_size) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    diags.push(
                        s.error_at("pool", format!("the pool list `{list}` is not valid UTF-8 text"))
                            .hint("save the list as UTF-8 in your editor or spreadsheet's export"),
                    );
                    continue;
                }
            },
            Err(crate::limits::ReadError::TooLarge(limit)) => {
                diags.push(crate::limits::too_large(Path::new(list), limit, "pool_list_size"));
                continue;
            }
            Err(crate::limits::ReadError::Io(e)) => {
                diags.push(
                    s.error_at("pool", format!("cannot read the pool list `{list}`: {e}"))
                        .hint("give the path of a YAML file from the site's root, e.g. `content/sortitions/jury.yaml`"),
                );
                continue;
            }
        };
        // A pool list is long by nature; only its aliases are bounded, by its own size limit.
        let walk = Limits {
            file_size: limits.pool_list_size,
            list_length: usize::MAX,
            ..limits.clone()
        };
        if let Err(d) = crate::limits::check_front_matter(Path::new(list), &text, 0, &walk) {
            diags.push(d);
            continue;
        }
        match crate::content::pool::parse_list(Path::new(list), &text) {
            Ok(entries) => {
                content.pool_lists.insert(list.clone(), entries);
            }
            Err(problems) => diags.0.extend(problems),
        }
    }
}

/// Parses the items and contributions of one kind in parallel, and attaches contributions.
fn parse_kind<M: DeserializeOwned + Send>(
    sources: Vec<Source>,
    limits: &Limits,
    diags: &mut Diagnostics,
) -> Items<M> {
    let (items, contributions): (Vec<Source>, Vec<Source>) =
        sources.into_iter().partition(|s| s.owner.is_none());
    let parsed: Vec<Result<Item<M>, Diagnostic>> = items
        .par_iter()
        .map(|s| Item::parse_within(&s.rel, &s.text, limits))
        .collect();
    let mut map = Items::new();
    for r in parsed {
        match r {
            Ok(item) => {
                map.insert(item.slug.clone(), item);
            }
            Err(d) => diags.push(d),
        }
    }
    let parsed: Vec<(String, Result<Item<ContributionMeta>, Diagnostic>)> = contributions
        .par_iter()
        .map(|s| {
            let owner = s.owner.clone().unwrap_or_default();
            (owner, Item::parse_within(&s.rel, &s.text, limits))
        })
        .collect();
    for (owner, r) in parsed {
        match r {
            Ok(c) => match map.get_mut(&owner) {
                Some(item) => item.contributions.push(c),
                None => {
                    let parent = c.path.parent().map(Path::to_path_buf).unwrap_or_default();
                    diags.push(
                        Diagnostic::new(
                            &c.path,
                            1,
                            1,
                            format!("this contribution belongs to `{owner}`, which does not exist"),
                        )
                        .hint(format!(
                            "create `{}.md`, or move the contribution to an existing item's folder",
                            parent.display()
                        )),
                    );
                }
            },
            Err(d) => diags.push(d),
        }
    }
    for item in map.values_mut() {
        item.contributions
            .sort_by_key(|c| (c.meta.date.start(&chrono::Utc), c.slug.clone()));
    }
    map
}

/// A file under `content/` that looks like markdown but would not be read as such: an
/// extension in capitals (`x.MD`), or a name that is only the extension (`.md`).
fn markdown_name_problem(rel: &Path) -> Option<Diagnostic> {
    let name = rel.file_name()?.to_str()?;
    if name.eq_ignore_ascii_case(".md") {
        return Some(
            Diagnostic::new(rel, 1, 1, "this file has no name before `.md`")
                .hint("name it after its title, in lower-case letters, digits and hyphens: `a-propos.md`"),
        );
    }
    let (stem, ext) = name.rsplit_once('.')?;
    if ext != "md" && ext.eq_ignore_ascii_case("md") {
        return Some(
            Diagnostic::new(
                rel,
                1,
                1,
                format!("the extension `.{ext}` is not read: pnyx reads `.md`"),
            )
            .hint(match crate::slug::slugify(stem) {
                s if s.is_empty() => {
                    "rename the file in lower-case letters, digits and hyphens, ending in `.md`".to_string()
                }
                s => format!("rename the file `{s}.md`"),
            }),
        );
    }
    None
}

/// `path` relative to `root`, for messages.
fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// 1-based line and column of byte `offset`.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}
