//! The pipeline: load → verify → tally → render → write.
//!
//! [`build_in_memory`] runs every stage but the last, so tests and `pnyx serve` can use the
//! result without touching the disk; [`build`] writes it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::error::{Diagnostic, Diagnostics};
use crate::load::{self, Site};
use crate::render::{self, Output};
use crate::signatures::verify::Verified;
use crate::tally::Tallies;
use crate::theme::Theme;

/// Where verified signature checks are remembered between builds (git-ignored).
pub use crate::signatures::cache::CACHE_FILE;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site's folder.
    pub root: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Replaces `base_url` (serve uses `http://127.0.0.1:PORT/`).
    pub base_url: Option<String>,
}

impl BuildOptions {
    /// Builds `root` into `root/public`.
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        let root = root.into();
        BuildOptions {
            out: root.join("public"),
            root,
            base_url: None,
        }
    }
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages: usize,
    /// All files written.
    pub files: usize,
    /// Wall time.
    pub elapsed: Duration,
}

/// Why a build failed: content problems (exit 1), or the machine (exit 2).
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the site's files, all of them.
    Content(Diagnostics),
    /// Anything else: an unwritable output, a bad `SOURCE_DATE_EPOCH`.
    Other(anyhow::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Content(d) => write!(f, "{d}"),
            BuildError::Other(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<Diagnostics> for BuildError {
    fn from(d: Diagnostics) -> Self {
        BuildError::Content(d)
    }
}

/// Where the render stage finds the pages of an earlier build, to use again those whose
/// inputs did not change ([`render::reuse`]).
enum EarlierPages<'a> {
    /// Nowhere: every page is rendered.
    Nowhere,
    /// In memory (`pnyx serve`).
    Memory(&'a Output),
    /// In the output folder, as listed by `.pnyx-cache/pages.bin` (`pnyx build` of a git
    /// repository; see [`crate::kept_pages`]).
    OutputFolder(&'a Path),
}

/// Loads and renders the site without writing it.
pub fn build_in_memory(opts: &BuildOptions, now: DateTime<Utc>) -> Result<(Site, Output), BuildError> {
    let progress = &mut crate::progress::Progress::start();
    build_with_progress(opts, now, None, EarlierPages::Nowhere, progress)
        .map(|built| (built.site, built.output))
}

/// [`build_in_memory`] with the theme of an earlier build when given (`pnyx serve` keeps it
/// while no file of the theme and not `pnyx.yaml` changed: compiling the templates is a fifth
/// of a rebuild of the demo), and the pages of `earlier` whose inputs are the same; returns
/// the theme used too.
pub fn build_in_memory_with_theme(
    opts: &BuildOptions,
    now: DateTime<Utc>,
    theme: Option<Arc<Theme>>,
    earlier: Option<&Output>,
) -> Result<(Site, Output, Arc<Theme>), BuildError> {
    let earlier = earlier.map_or(EarlierPages::Nowhere, EarlierPages::Memory);
    let progress = &mut crate::progress::Progress::start();
    build_with_progress(opts, now, theme, earlier, progress).map(|b| (b.site, b.output, b.theme))
}

/// What [`build_with_progress`] made.
struct Built {
    site: Site,
    output: Output,
    theme: Arc<Theme>,
    /// Where to list the pages once written, for the next build.
    pages_store: Option<crate::sealed::Store>,
}

/// [`build_in_memory`], saying on `progress` what each stage does.
fn build_with_progress(
    opts: &BuildOptions,
    now: DateTime<Utc>,
    theme: Option<Arc<Theme>>,
    earlier: EarlierPages<'_>,
    progress: &mut crate::progress::Progress,
) -> Result<Built, BuildError> {
    let mut clock = crate::timing::Clock::start();
    progress.stage("", "load");
    let (mut site, mut problems) = load::load_parts(&opts.root, None, now)?.split();
    clock.lap("load (all of it)");
    // The theme and `static/` are checked even when the content has problems: every problem
    // of the site is told in one run.
    let theme = match theme {
        Some(theme) => Ok(theme),
        None => Theme::load(&opts.root, &site.settings.config).map(Arc::new),
    };
    problems.0.extend(static_problems(&opts.root));
    let theme = match theme {
        Ok(theme) if problems.is_empty() => theme,
        theme => {
            problems.0.extend(theme.err().unwrap_or_default());
            problems.sort();
            return Err(BuildError::Content(problems));
        }
    };
    clock.lap("theme");
    // The build succeeds, but whoever runs it should know that a date was not kept.
    for note in site.signatures.history.iter().flat_map(|h| h.correction_notes()) {
        progress.note(&format!("note: {note}"));
    }
    if let Some(url) = &opts.base_url {
        site.settings = site.settings.clone().with_base_url(url);
    }
    let statements = site.signatures.statements.len();
    progress.stage(
        &format!("{} items, {statements} statements", site.content.item_count()),
        "verify",
    );
    let verified = verify_site(&opts.root, &site);
    clock.lap("verify");
    let verify_rate = crate::progress::rate(statements, "statements", progress.elapsed());
    progress.stage(&verify_rate, "tally");
    let tallies = tally_site(&site, &verified, now);
    clock.lap("tally");
    progress.stage("", "render");
    // The pages of the last build are kept for a git repository, as its history is; a plain
    // folder is left as it was, but for the output.
    let (kept, pages_store) = match earlier {
        EarlierPages::OutputFolder(out) if site.signatures.history.is_some() => {
            crate::kept_pages::open(&opts.root, out)
        }
        _ => (None, None),
    };
    let earlier: Option<&dyn render::reuse::Earlier> = match (&earlier, &kept) {
        (EarlierPages::Memory(output), _) => Some(*output),
        (_, Some(kept)) => Some(kept),
        _ => None,
    };
    let mut output = render::render(&site, &theme, now, &verified, &tallies, earlier)?;
    add_static_files(&opts.root, &mut output)?;
    crate::timing::note(&format!(
        "pages: {} kept from the last build, {} rendered{}",
        output.pages_reused,
        output.pages.len() - output.pages_reused,
        match &kept {
            Some(kept) if kept.changed() > 0 => {
                format!(" ({} changed in the output folder since)", kept.changed())
            }
            _ => String::new(),
        }
    ));
    clock.lap("render");
    let pages = output.files.keys().filter(|k| k.ends_with(".html")).count();
    progress.stage(
        &crate::progress::rate(pages, "pages", progress.elapsed()),
        "search index",
    );
    // The search index is kept between builds of a git repository, as the history is; a plain
    // folder is left as it was, but for the output.
    let search_cache = site.signatures.history.is_some().then_some(opts.root.as_path());
    crate::search::index(&mut output, site.settings.config.language.code(), search_cache)
        .map_err(BuildError::Other)?;
    clock.lap("search index");
    Ok(Built {
        site,
        output,
        theme,
        pages_store,
    })
}

/// The verify stage through the site's cache (`CACHE_FILE`), which is saved again for the next
/// run: shared by the build, `pnyx tally` and `pnyx codeowners`. The cache is opened by
/// [`SiteCache::open`](crate::signatures::cache::SiteCache::open), which never reads one that
/// the repository tracks.
pub fn verify_site(root: &Path, site: &Site) -> Verified {
    use crate::signatures::cache::{note_once, SiteCache};
    let mut clock = crate::timing::Clock::start();
    let opened = SiteCache::open(root);
    clock.lap("  cache opened");
    for note in &opened.notes {
        note_once(note);
    }
    let verified = crate::signatures::verify::verify_all(&site.signatures, Some(&opened.cache));
    let stats = opened.cache.stats();
    // What the batch pass verified, the one-by-one pass then found in the cache: checks
    // made, not answered.
    let batched = verified.batched as u64;
    crate::timing::note(&format!(
        "cache: {}; {} hits, {} misses ({} verified in batches)",
        opened.cache.status(),
        stats.hits.saturating_sub(batched),
        stats.misses + batched,
        batched
    ));
    clock.lap("  verified");
    if !site.signatures.statements.is_empty() {
        if let Err(note) = opened.save() {
            note_once(&note);
        }
    }
    clock.lap("  cache saved");
    verified
}

/// The tally stage, with the site's roots, trust settings and time zone: shared by the
/// build, `pnyx tally` and `pnyx check`.
pub fn tally_site(site: &Site, verified: &Verified, now: DateTime<Utc>) -> Tallies {
    let mut tallies = crate::tally::tally(site, verified, now);
    // Moderation needs the members, and the moderators drawn by lot: it is decided once the
    // web of trust and the draws are known.
    tallies.moderation = crate::tally::moderation::decide(
        &site.content,
        verified,
        &tallies.roles,
        &tallies.trust,
        &site.settings.tz,
        site.signatures.history.is_some().then_some(tallies.now),
    );
    tallies
}

/// The render stage and the site's `static/` files: shared by the build and `pnyx check`,
/// which must refuse whatever would make the build fail (a dead link, a clashing file).
pub fn render_site(
    root: &Path,
    site: &Site,
    theme: &Theme,
    now: DateTime<Utc>,
    verified: &Verified,
    tallies: &Tallies,
) -> Result<Output, BuildError> {
    let mut output = render::render(site, theme, now, verified, tallies, None)?;
    add_static_files(root, &mut output)?;
    Ok(output)
}

/// Runs the whole pipeline and replaces the output folder.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    let now = crate::dates::reference_now().map_err(BuildError::Other)?;
    let mut progress = crate::progress::Progress::start();
    let earlier = EarlierPages::OutputFolder(&opts.out);
    let built = build_with_progress(opts, now, None, earlier, &mut progress)?;
    let output = built.output;
    progress.stage("", &format!("write {} files", output.files.len()));
    let mut clock = crate::timing::Clock::start();
    let written = crate::write::write_atomically(&opts.out, &output).map_err(BuildError::Other)?;
    crate::timing::note(&format!(
        "files: {} linked from the last output (unchanged), {} written",
        written.linked, written.written
    ));
    clock.lap("write");
    if let Some(store) = &built.pages_store {
        if let Err(note) = crate::kept_pages::save(store, &opts.out, &output) {
            crate::sealed::note_once(&note);
        }
        clock.lap("write: list of pages");
    }
    progress.finish();
    Ok(BuildReport {
        pages: output.files.keys().filter(|k| k.ends_with(".html")).count(),
        files: output.files.len(),
        elapsed: start.elapsed(),
    })
}

/// The names and links refused in the site's own `static/` folder.
fn static_problems(root: &Path) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    crate::load::names::walk(root, Path::new("static"), usize::MAX, &mut problems);
    problems
}

/// Copies the site's own `static/` folder (images, documents) to the output root.
fn add_static_files(root: &Path, output: &mut Output) -> Result<(), BuildError> {
    let dir = root.join("static");
    if !dir.is_dir() && !crate::load::names::is_link(&dir) {
        return Ok(());
    }
    let mut diags = Diagnostics::default();
    let entries = crate::load::names::walk(root, Path::new("static"), usize::MAX, &mut diags.0);
    for entry in entries {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let shown = Path::new("static").join(&rel);
        if output.files.contains_key(&rel) {
            diags.push(
                Diagnostic::new(&shown, 1, 1, format!("`{rel}` is also a page of the site"))
                    .hint("rename or move this static file"),
            );
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                output.files.insert(rel, bytes);
            }
            Err(e) => diags.push(Diagnostic::new(&shown, 1, 1, format!("cannot read: {e}"))),
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(BuildError::Content(diags))
    }
}
