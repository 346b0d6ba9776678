//! `pnyx check`: the pull-request gate (SPEC §8). It runs the real pipeline on both sides of
//! a change, the cross-item content rules (`crate::content::references`) included.
//!
//! The gate compares a base revision with the head of a change (the work tree, or `--head`):
//!
//! 1. both revisions are written out of git into temporary folders (the work tree is read in
//!    place), and each is loaded, verified and tallied with the pipeline's own functions; the
//!    head is also rendered, so whatever would break `pnyx build` breaks the gate;
//! 2. statements of both sides are dated from the first-parent history of the base: what the
//!    change brings is not on the branch yet, so it arrives "now", as it will when merged;
//! 3. each changed file is judged by [`rules`]: statements must verify and may only be replaced
//!    by their own key, signed contributions only by their author, and protected paths need an
//!    admin's review;
//! 4. the tallies of both sides are compared ("+12 supporters for gratuite-des-bus").
//!
//! [`report`] prints the result, as GitHub annotations and a step summary under GitHub Actions.

pub mod git;
pub mod report;
pub mod rules;

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use crate::error::{Diagnostic, Diagnostics};
use crate::load::history::History;
use crate::load::signatures::{HistorySource, Signatures};
use crate::load::{self, Site};
use crate::pipeline::BuildError;
use crate::signatures::cache::{Cache, SiteCache, CACHE_DIR};
use crate::signatures::keys::KeyId;
use crate::signatures::verify::Verified;
use crate::tally::summary::{self, Summary};
use crate::theme::Theme;

pub use git::{Revision, Status};

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site's folder (its work tree is the head unless `head` is given).
    pub root: PathBuf,
    /// The revision to compare with; by default the branch of `pnyx.yaml`.
    pub base: Option<String>,
    /// A revision to check instead of the work tree.
    pub head: Option<String>,
    /// An admin reviews the change: protected paths are allowed.
    pub admin_review: bool,
}

/// Where a changed file belongs, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    /// `content/` and `static/`: what people write.
    Content,
    /// `signatures/` and authorship statements: keys, statements, paper batches.
    Signatures,
    /// Everything else: configuration, roles, theme, workflows, code.
    Protected,
}

impl Area {
    /// `content`, `signatures`, `protected`.
    pub fn word(self) -> &'static str {
        match self {
            Area::Content => "content",
            Area::Signatures => "signatures",
            Area::Protected => "protected",
        }
    }
}

/// A file the change touches.
#[derive(Debug, Clone)]
pub struct Change {
    /// Path from the site root, `/`-separated (`../x` for a file outside the site).
    pub path: String,
    /// What happened to it.
    pub status: Status,
    /// The first changed line in the head.
    pub line: usize,
    /// Where it belongs.
    pub area: Area,
}

/// What the gate found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The revision compared with.
    pub base: Revision,
    /// Set when the head's branch forked from the base earlier: the fork point compared with.
    pub fork_point: Option<Revision>,
    /// `the work tree` or the `--head` revision.
    pub head: String,
    /// The site's folder inside the repository (for annotations, whose paths start there).
    pub prefix: String,
    /// Files changed, sorted by path.
    pub changes: Vec<Change>,
    /// Why the change is rejected, sorted: empty when it passes.
    pub problems: Vec<Diagnostic>,
    /// Changes an admin reviews (`--admin-review`): accepted, and listed.
    pub reviewed: Vec<Diagnostic>,
    /// What the change does to the tallies; `None` when a side does not build.
    pub delta: Option<Vec<String>>,
    /// Anything else worth saying.
    pub notes: Vec<String>,
    /// What a moderator should look at, without rejecting the change: large files.
    pub warnings: Vec<Diagnostic>,
}

impl Report {
    /// No problem: the change may be merged (after a moderator's review).
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// The path of a file of the site from the repository root, as annotations want it.
    pub fn repo_path(&self, site_path: &Path) -> String {
        let mut parts: Vec<String> = self
            .prefix
            .split('/')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        for c in site_path.components() {
            match c {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
                _ => {}
            }
        }
        parts.join("/")
    }
}

/// One side of the comparison, loaded as far as it goes.
pub struct Side {
    /// Its folder.
    pub dir: PathBuf,
    /// The site as far as it could be read; `None` when `pnyx.yaml` cannot be.
    pub site: Option<Site>,
    /// Its statements, verified.
    pub verified: Verified,
    /// Every problem of the pipeline (load, theme, render).
    pub diagnostics: Diagnostics,
    /// Its tallies, when it builds.
    pub summary: Option<Summary>,
    /// Its moderation decisions, when it builds.
    pub moderation: Option<crate::tally::moderation::ModerationLog>,
}

impl Side {
    /// Loads, verifies and tallies the site in `dir` with statements dated from `history`;
    /// with `render`, also renders it to find what would break the build.
    pub fn load(dir: &Path, history: &History, cache: &Cache, now: DateTime<Utc>, render: bool) -> Side {
        let parts = match load::load_parts(dir, Some(HistorySource::Given(Some(history.clone()))), now) {
            Ok(p) => p,
            Err(diagnostics) => {
                return Side {
                    dir: dir.to_path_buf(),
                    site: None,
                    verified: Verified::default(),
                    diagnostics,
                    summary: None,
                    moderation: None,
                }
            }
        };
        let (site, mut diagnostics) = parts.split();
        let verified = crate::signatures::verify::verify_all(&site.signatures, Some(cache));
        let mut summary = None;
        let mut moderation = None;
        if diagnostics.is_empty() {
            let tallies = crate::pipeline::tally_site(&site, &verified, now);
            diagnostics
                .0
                .extend(crate::tally::sortition::count::result_problems(
                    &site.content,
                    &tallies.sortitions,
                ));
            summary = Some(summary::summarise(&site, &tallies));
            moderation = Some(tallies.moderation.clone());
            if render {
                let rendered = Theme::load(dir, &site.settings.config)
                    .map_err(|d| BuildError::Content(Diagnostics(d)))
                    .and_then(|theme| {
                        crate::pipeline::render_site(dir, &site, &theme, now, &verified, &tallies)
                    });
                match rendered {
                    Ok(_) => {}
                    Err(BuildError::Content(mut d)) => {
                        d.sort();
                        diagnostics = d;
                        summary = None;
                    }
                    Err(BuildError::Other(e)) => {
                        diagnostics.push(Diagnostic::new(
                            Path::new("."),
                            1,
                            1,
                            format!("cannot build: {e:#}"),
                        ));
                        summary = None;
                    }
                }
            }
        }
        Side {
            dir: dir.to_path_buf(),
            site: Some(site),
            verified,
            diagnostics,
            summary,
            moderation,
        }
    }

    /// The trust roots of its `pnyx.yaml`.
    pub fn roots(&self) -> BTreeSet<KeyId> {
        self.site
            .as_ref()
            .map(|s| s.settings.roots.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Its keys, statements and paper batches (none when `pnyx.yaml` cannot be read).
    pub fn signatures(&self) -> Option<&Signatures> {
        self.site.as_ref().map(|s| &s.signatures)
    }

    /// Whether the file exists on this side.
    pub fn has(&self, path: &str) -> bool {
        self.dir.join(path).is_file()
    }
}

/// Where a path of the repository belongs, for a site at `prefix`.
fn place_change(raw: &git::RawChange, prefix: &str) -> Change {
    let inside = if prefix.is_empty() {
        Some(raw.path.clone())
    } else {
        raw.path
            .strip_prefix(prefix)
            .and_then(|p| p.strip_prefix('/'))
            .map(String::from)
    };
    let (path, area) = match inside {
        Some(p) => {
            let area =
                if p.ends_with(".minisig") && (p.starts_with("content/") || p.starts_with("signatures/")) {
                    Area::Signatures
                } else if p.starts_with("content/") || p.starts_with("static/") {
                    Area::Content
                } else if p.starts_with("signatures/") {
                    Area::Signatures
                } else {
                    Area::Protected
                };
            (p, area)
        }
        None => {
            let up = "../".repeat(prefix.split('/').filter(|p| !p.is_empty()).count());
            (format!("{up}{}", raw.path), Area::Protected)
        }
    };
    Change {
        path,
        status: raw.status,
        line: raw.line,
        area,
    }
}

/// Whether the change adds or changes a file under a `.pnyx-cache/` folder (any case, anywhere
/// in the repository): a verification cache, which no change may bring. Deleting one is the
/// cure, judged as any protected path.
fn is_committed_cache(c: &Change) -> bool {
    c.status != Status::Deleted && c.path.split('/').any(|part| part.eq_ignore_ascii_case(CACHE_DIR))
}

/// The refusal of a committed verification cache: even an admin's review lets none through.
fn committed_cache(c: &Change) -> Diagnostic {
    Diagnostic::new(
        Path::new(&c.path),
        1,
        1,
        format!(
            "`{}` is a committed verification cache: pnyx never reads one from the repository, and no change may bring one, even with an admin's review",
            c.path
        ),
    )
    .hint(format!(
        "remove it from the change: `git rm -r --cached {CACHE_DIR}` and commit; keep `/{CACHE_DIR}` in .gitignore (each machine keeps its own cache, sealed with its own key)"
    ))
}

/// Why the gate refuses a file the change adds or changes whatever it holds: a symbolic link
/// (pnyx reads none), or a name that is not UTF-8 or holds a control character.
fn refusal(raw: &git::RawChange, c: &Change) -> Option<Diagnostic> {
    use crate::load::names;
    if c.status == Status::Deleted {
        return None;
    }
    let path = Path::new(&c.path);
    if raw.raw_name {
        return Some(
            Diagnostic::new(
                path,
                1,
                1,
                format!("the name `{}` is not valid UTF-8", names::visible(&c.path)),
            )
            .hint("rename it with letters, digits, `-` and `_` (UTF-8, as every name of the site)"),
        );
    }
    if let Some(d) = names::name_problem(path) {
        return Some(d);
    }
    raw.link.then(|| names::link_problem(path))
}

/// Runs the gate. An error means it could not run (exit 2): no repository, an unknown
/// revision, a shallow clone, an unwritable temporary folder.
pub fn check(opts: &Options) -> anyhow::Result<Report> {
    let git::Repo { repo, prefix } = git::open(&opts.root)?;
    let branch = load::load_settings(&opts.root)
        .map(|s| s.config.branch)
        .unwrap_or_else(|_| "main".into());
    let base = match &opts.base {
        Some(rev) => git::resolve(&repo, rev)?,
        None => git::default_base(&repo, &branch)?,
    };
    let head = match &opts.head {
        Some(rev) => Some(git::resolve(&repo, rev)?),
        None => None,
    };
    let head_commit = head.as_ref().map(|h| h.id).or_else(|| git::head_commit(&repo));
    let fork = head_commit
        .map(|h| git::fork_point(&repo, base.id, h))
        .unwrap_or(base.id);
    let fork_point = (fork != base.id).then(|| Revision {
        name: format!("the fork point of {}", base.name),
        id: fork,
    });
    let compared = fork_point.clone().unwrap_or_else(|| base.clone());
    let now = crate::dates::reference_now()?;
    let history = crate::load::history::read_commit(
        &repo,
        compared.name.clone(),
        compared.id,
        &prefix,
        &["content", "signatures"],
        now.timestamp(),
    )
    .context("cannot read the history of the base revision")?;
    let backdated = match head_commit {
        Some(h) => crate::load::history::backdated(&repo, h, &[base.id, compared.id])?,
        None => Vec::new(),
    };

    let base_dir = tempfile::Builder::new()
        .prefix("pnyx-check-base-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    git::write_tree(&repo, compared.id, &prefix, base_dir.path())?;
    let head_dir = match &head {
        Some(h) => {
            let dir = tempfile::Builder::new()
                .prefix("pnyx-check-head-")
                .tempdir()
                .context("cannot create a temporary folder")?;
            git::write_tree(&repo, h.id, &prefix, dir.path())?;
            Some(dir)
        }
        None => None,
    };
    let raw = git::changes(&repo, compared.id, head.as_ref().map(|h| h.id), &prefix)?;
    let changes: Vec<Change> = raw.iter().map(|r| place_change(r, &prefix)).collect();

    // This machine's cache, never one the change brings (see `is_committed_cache`).
    let opened = SiteCache::open(&opts.root);
    let head_root = head_dir.as_ref().map_or(opts.root.as_path(), |d| d.path());
    let base_side = Side::load(base_dir.path(), &history, &opened.cache, now, false);
    let head_side = Side::load(head_root, &history, &opened.cache, now, true);
    // A cache that cannot be written only costs time on the next run.
    let _ = opened.save();

    // Links and unprintable names are refused outright, as caches are, even with an admin's
    // review; the rules do not judge them further.
    let mut refused: Vec<Diagnostic> = Vec::new();
    let mut kept: Vec<Change> = Vec::new();
    for (r, c) in raw.iter().zip(&changes) {
        match refusal(r, c) {
            Some(d) => refused.push(d),
            None => kept.push(c.clone()),
        }
    }
    let (caches, judged): (Vec<Change>, Vec<Change>) = kept.into_iter().partition(is_committed_cache);
    let mut judged = rules::judge(&judged, &base_side, &head_side, opts.admin_review);
    judged.problems.extend(refused);
    judged.problems.extend(caches.iter().map(committed_cache));
    judged
        .problems
        .extend(backdated_problems(&backdated, head_commit, &base.name));
    judged.problems.sort();
    // The work tree's loader refuses the same links and names, in the same words.
    judged.problems.dedup();
    let mut notes = history.correction_notes();
    notes.extend(opened.notes.iter().cloned());
    if let Some(f) = &fork_point {
        notes.push(format!(
            "{} has moved on since this change started from it: compared with the fork point {}",
            base.name,
            f.label()
        ));
    }
    if !base_side.diagnostics.is_empty() {
        notes.push(format!(
            "the base itself does not build ({} problem{}): run `pnyx build` on it",
            base_side.diagnostics.len(),
            if base_side.diagnostics.len() == 1 { "" } else { "s" }
        ));
    }
    let limits = load::load_settings(head_root)
        .map(|s| s.config.limits)
        .unwrap_or_default();
    let warnings = large_files(&changes, head_root, &limits);
    let delta = match (&base_side.summary, &head_side.summary) {
        (Some(b), Some(h)) => Some(summary::delta(b, h)),
        _ => None,
    };
    Ok(Report {
        base,
        fork_point,
        head: head.map_or("the work tree".into(), |h| h.label()),
        prefix,
        changes,
        problems: judged.problems,
        reviewed: judged.reviewed,
        delta,
        notes,
        warnings,
    })
}

/// A warning for each file the change adds or changes above `limits.large_file_warning`:
/// whatever a repository takes, every clone downloads forever, even once it is deleted.
fn large_files(changes: &[Change], head_root: &Path, limits: &crate::limits::Limits) -> Vec<Diagnostic> {
    let threshold = limits.large_file_warning;
    changes
        .iter()
        .filter(|c| c.status != Status::Deleted && !c.path.starts_with("../"))
        .filter_map(|c| {
            let size = std::fs::symlink_metadata(head_root.join(&c.path)).ok()?.len();
            (size > threshold.0).then(|| {
                Diagnostic::new(
                    Path::new(&c.path),
                    1,
                    1,
                    format!(
                        "this file is {}, more than {threshold} (`limits.large_file_warning`)",
                        crate::limits::Bytes(size)
                    ),
                )
                .hint("every clone of the repository downloads it forever, even after it is deleted: keep large files (videos, scans) elsewhere and link to them")
            })
        })
        .collect()
}

/// One problem per commit of the change dated before its parent: merged by fast-forward or
/// rebase, it would land on the branch dated back (the build would settle it at its parent's
/// date, but the branch must not depend on that).
fn backdated_problems(
    commits: &[crate::load::history::Backdated],
    head: Option<git2::Oid>,
    base: &str,
) -> Vec<Diagnostic> {
    use crate::load::history::utc;
    commits
        .iter()
        .map(|c| {
            let hint = if commits.len() == 1 && Some(c.id) == head {
                "give it the time of now with `git commit --amend --reset-author --no-edit` (with your computer's clock set right), then push again with `git push --force-with-lease`".to_string()
            } else {
                format!("give the change's commits the time of now with `git rebase --ignore-date {base}` (with your computer's clock set right), then push again with `git push --force-with-lease`")
            };
            Diagnostic::new(
                Path::new("."),
                1,
                1,
                format!(
                    "commit {} (\"{}\") is dated {}, before its parent {} ({}): dates on the branch must not go back",
                    c.short_id(),
                    c.summary,
                    utc(c.time),
                    c.parent_short_id(),
                    utc(c.parent_time)
                ),
            )
            .hint(hint)
        })
        .collect()
}

/// `pnyx check`: judges the change, prints the report (annotations and a step summary under
/// GitHub Actions), and fails when the change is rejected.
pub fn run(opts: &Options) -> super::Outcome {
    let report = check(opts)?;
    report::emit(&report)?;
    let problems = report::problems(&report);
    if report.passed() {
        eprintln!("{problems}");
        Ok(())
    } else {
        Err(super::Failure::Content(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(path: &str) -> git::RawChange {
        git::RawChange {
            path: path.into(),
            status: Status::Modified,
            line: 3,
            link: false,
            raw_name: false,
        }
    }

    #[test]
    fn sorts_changed_files_into_areas() {
        let area = |p: &str| place_change(&raw(p), "").area;
        assert_eq!(area("content/initiatives/bus.md"), Area::Content);
        assert_eq!(area("static/logo.png"), Area::Content);
        assert_eq!(
            area("content/debates/d/01-a.2F3240DF3C8A9906.minisig"),
            Area::Signatures
        );
        assert_eq!(area("signatures/keys/2F3240DF3C8A9906.pub"), Area::Signatures);
        for protected in [
            "pnyx.yaml",
            "roles.yaml",
            "themes/default/base.html",
            ".github/CODEOWNERS",
            "src/main.rs",
            "Cargo.lock",
            "README.md",
        ] {
            assert_eq!(area(protected), Area::Protected, "{protected}");
        }
    }

    #[test]
    fn places_files_of_a_site_in_a_subfolder() {
        let inside = place_change(&raw("site/content/pages/a.md"), "site");
        assert_eq!(
            (inside.path.as_str(), inside.area),
            ("content/pages/a.md", Area::Content)
        );
        let outside = place_change(&raw("src/main.rs"), "site");
        assert_eq!(
            (outside.path.as_str(), outside.area),
            ("../src/main.rs", Area::Protected)
        );
        let report = Report {
            base: Revision {
                name: "main".into(),
                id: git2::Oid::ZERO_SHA1,
            },
            fork_point: None,
            head: "the work tree".into(),
            prefix: "site".into(),
            changes: Vec::new(),
            problems: Vec::new(),
            reviewed: Vec::new(),
            delta: None,
            notes: Vec::new(),
            warnings: Vec::new(),
        };
        assert_eq!(
            report.repo_path(Path::new("content/pages/a.md")),
            "site/content/pages/a.md"
        );
        assert_eq!(report.repo_path(Path::new("../src/main.rs")), "src/main.rs");
    }
}
