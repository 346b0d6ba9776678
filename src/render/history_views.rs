//! History pages (issue 4, "History from git"): every version of an item's file, newest
//! first, with its date, commit summary, author, whether the commit carries a signature, and
//! what changed. The first-parent history of the configured branch is the reference.
//!
//! The diff is a line diff of the markdown source (the `similar` crate) with the changed words
//! marked inside changed lines, as `<ins>`/`<del>` with words for screen readers. The text is
//! user content: every character of it goes through [`escape`]. No deadline is given to the
//! diff, so that two builds of the same commit are byte-identical.

use std::ops::Range;

use chrono::TimeZone;
use rayon::prelude::*;
use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffTag, InlineChangeOptions, TextDiff};

use crate::load::history::{CommitInfo, Correction};
use crate::load::revisions::{FileRevisions, Revisions};
use crate::theme::Theme;

use super::context::{Ctx, Link};
use super::format::{escape, escaped};
use super::Job;

/// Unchanged lines kept around each change; longer runs are collapsed.
const CONTEXT: usize = 3;

/// An item's history in short, for its page (`item_history`): "Last updated …" and the link.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRef {
    /// The history page.
    pub url: String,
    /// Versions listed there (a not yet published one included).
    pub count: usize,
    /// Date of the newest committed version, in words; `None` without history.
    pub updated: Option<String>,
    /// The same, ISO 8601.
    pub updated_iso: Option<String>,
}

/// One version on a history page.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    /// Anchor: `v-1` for the first version, `v-draft` for the working tree's.
    pub id: String,
    /// Its number, 1 for the first.
    pub number: usize,
    /// In the working tree only, not committed on the branch.
    pub uncommitted: bool,
    /// The first version of the file.
    pub created: bool,
    /// Commit date in words, with the weekday.
    pub date: Option<String>,
    /// The same, ISO 8601.
    pub date_iso: Option<String>,
    /// When the commit's recorded date was not kept, why, in words: "Date corrigée : inscrite
    /// le …, comptée le …". `date` is the settled one.
    pub date_corrected: Option<String>,
    /// First line of the commit message.
    pub summary: String,
    /// Author's name.
    pub author: String,
    /// Commit id.
    pub commit: Option<String>,
    /// Its first 7 characters.
    pub commit_short: Option<String>,
    /// The commit on the forge, when the site has a `repository`.
    pub commit_url: Option<String>,
    /// The commit carries a signature (GPG, SSH…), not verified here.
    pub signed: bool,
    /// Lines added since the previous version.
    pub added: usize,
    /// Lines removed since the previous version.
    pub removed: usize,
    /// The changes since the previous version, HTML (escaped); empty for the first version.
    pub diff: String,
    /// The whole text, for the first version only.
    pub text: Option<String>,
    /// Lines of `text`.
    pub lines: usize,
}

/// Gives every item page made from a content file its `item_history`, and adds its history
/// page at `<item>/history/`. Diffs are computed in parallel.
pub(super) fn add_pages(ctx: &Ctx<'_>, revisions: &Revisions, jobs: &mut Vec<Job>) {
    let words = DiffWords::new(ctx.theme);
    let empty = FileRevisions::default();
    let pages: Vec<Job> = jobs
        .par_iter_mut()
        .filter(|j| {
            j.path.ends_with("/index.html") && j.source.as_deref().is_some_and(|s| s.starts_with("content/"))
        })
        .map(|job| {
            let source = job.source.clone().unwrap_or_default();
            let file = revisions.get(&source).unwrap_or(&empty);
            let versions = versions(ctx, file, &words);
            let dir = job.path.trim_end_matches("index.html").to_string();
            let item = Link {
                title: job.title.clone(),
                url: ctx.path(&dir),
            };
            let newest = file
                .committed
                .last()
                .and_then(|r| ctx.sigs.history.as_ref()?.commits.get(r.commit));
            let summary = HistoryRef {
                url: format!("{}history/", item.url),
                count: versions.len(),
                updated: newest.map(|c| day_words(ctx, c.time)),
                updated_iso: newest.map(|c| iso(ctx, c.time)),
            };
            job.put("item_history", &summary);
            let title = ctx.theme.t("history_title").replace("{title}", &job.title);
            let mut page = Job::new(
                format!("{dir}history/index.html"),
                "history.html",
                job.section,
                title,
            )
            .var("item", &item)
            .var("item_history", &summary)
            .var("versions", &versions)
            .var("branch", &ctx.settings.config.branch)
            .var(
                "heading_html",
                &ctx.theme
                    .with_content_html("history_title", &[("title", &job.title)]),
            );
            page.source = Some(source);
            page
        })
        .collect();
    jobs.extend(pages);
}

/// The versions of `file`, newest first.
fn versions(ctx: &Ctx<'_>, file: &FileRevisions, words: &DiffWords) -> Vec<VersionView> {
    let Some(history) = ctx.sigs.history.as_ref() else {
        return Vec::new();
    };
    let repo = ctx
        .settings
        .config
        .repository
        .as_deref()
        .map(|r| r.trim_end_matches('/'));
    let mut out = Vec::with_capacity(file.committed.len() + 1);
    let mut previous: Option<&str> = None;
    for (i, rev) in file.committed.iter().enumerate() {
        let commit = history.commits.get(rev.commit);
        let id = commit.map(|c| c.id.to_string());
        let mut v = version(i + 1, previous, &rev.text, words);
        v.date = commit.map(|c| ctx.time_words(c.time).0);
        v.date_iso = commit.map(|c| iso(ctx, c.time));
        v.date_corrected = commit.and_then(|c| correction_words(ctx, c));
        v.summary = commit.map(|c| c.summary.clone()).unwrap_or_default();
        v.author = commit.map(|c| c.author.clone()).unwrap_or_default();
        v.signed = commit.is_some_and(|c| c.signed);
        v.commit_short = id.as_ref().map(|id| id[..7.min(id.len())].to_string());
        v.commit_url = repo.zip(id.as_ref()).map(|(r, id)| format!("{r}/commit/{id}"));
        v.commit = id;
        out.push(v);
        previous = Some(&rev.text);
    }
    if let Some(text) = &file.uncommitted {
        let mut v = version(out.len() + 1, previous, text, words);
        v.id = "v-draft".to_string();
        v.uncommitted = true;
        out.push(v);
    }
    out.reverse();
    out
}

/// Version `number` of a file, `text`, after `previous` (`None` for the first).
fn version(number: usize, previous: Option<&str>, text: &str, words: &DiffWords) -> VersionView {
    let (diff, added, removed, full) = match previous {
        Some(old) => {
            let d = diff_html(old, text, words);
            (d.html, d.added, d.removed, None)
        }
        None => (String::new(), text.lines().count(), 0, Some(text.to_string())),
    };
    VersionView {
        id: format!("v-{number}"),
        number,
        uncommitted: false,
        created: previous.is_none(),
        date: None,
        date_iso: None,
        date_corrected: None,
        summary: String::new(),
        author: String::new(),
        commit: None,
        commit_short: None,
        commit_url: None,
        signed: false,
        added,
        removed,
        diff,
        lines: full.as_deref().map_or(0, |t| t.lines().count()),
        text: full,
    }
}

/// A commit time in the site's zone (the build's time for one that does not exist).
fn local(ctx: &Ctx<'_>, ts: i64) -> chrono::DateTime<chrono_tz::Tz> {
    ctx.settings
        .tz
        .timestamp_opt(ts, 0)
        .single()
        .unwrap_or_else(|| ctx.now.with_timezone(&ctx.settings.tz))
}

/// "12 décembre 2026": a day in words, in the site's zone.
fn day_words(ctx: &Ctx<'_>, ts: i64) -> String {
    ctx.theme.calendar.date(local(ctx, ts).date_naive())
}

/// "Date corrigée : inscrite le …, comptée le …, car …" for a commit whose date was settled.
fn correction_words(ctx: &Ctx<'_>, c: &CommitInfo) -> Option<String> {
    let key = match c.correction()? {
        Correction::BeforeParent => "history_date_corrected_before",
        Correction::AfterReference => "history_date_corrected_after",
    };
    Some(
        ctx.theme
            .t(key)
            .replace("{recorded}", &moment_words(ctx, c.recorded))
            .replace("{settled}", &moment_words(ctx, c.time)),
    )
}

/// "jeudi 1er octobre 2026, 14 h": a correction may be of minutes, so the time is given.
fn moment_words(ctx: &Ctx<'_>, ts: i64) -> String {
    let t = local(ctx, ts);
    let calendar = &ctx.theme.calendar;
    format!("{}, {}", calendar.long_date(t.date_naive()), calendar.time(&t))
}

fn iso(ctx: &Ctx<'_>, ts: i64) -> String {
    ctx.time_words(ts).1
}

/// The words a diff needs, in the site's language.
pub struct DiffWords {
    added: String,
    removed: String,
    unchanged: String,
    no_change: String,
}

impl DiffWords {
    /// The theme's strings `diff_added`, `diff_removed`, `diff_unchanged` and
    /// `diff_no_change`.
    pub fn new(theme: &Theme) -> DiffWords {
        DiffWords {
            added: theme.t("diff_added"),
            removed: theme.t("diff_removed"),
            unchanged: theme.t("diff_unchanged"),
            no_change: theme.t("diff_no_change"),
        }
    }
}

/// A rendered diff and its line counts.
#[derive(Debug, Clone)]
pub struct Diff {
    /// HTML, escaped.
    pub html: String,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
}

/// The line diff from `old` to `new` as HTML: one `div.diff-line` per line, removed lines
/// (`.diff-del`) and added lines (`.diff-ins`) introduced by words for screen readers, the
/// changed words inside them as `<del>`/`<ins>`, runs of unchanged lines beyond [`CONTEXT`]
/// collapsed into "… N unchanged lines".
pub fn diff_html(old: &str, new: &str, words: &DiffWords) -> Diff {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    for op in diff.ops() {
        match op.tag() {
            DiffTag::Insert => added += op.new_range().len(),
            DiffTag::Delete => removed += op.old_range().len(),
            DiffTag::Replace => {
                added += op.new_range().len();
                removed += op.old_range().len();
            }
            DiffTag::Equal => {}
        }
    }
    let groups = diff.grouped_ops(CONTEXT);
    if groups.is_empty() {
        return Diff {
            html: format!("<p class=\"diff-none\">{}</p>", escaped(&words.no_change)),
            added,
            removed,
        };
    }
    let mut options = InlineChangeOptions::new();
    options.semantic_cleanup(true);
    let mut html = String::with_capacity(old.len().max(new.len()) / 2 + 256);
    html.push_str("<div class=\"diff\">");
    let mut shown = 0;
    for group in &groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        skipped(&mut html, &diff, shown..first.old_range().start, words);
        for op in group {
            for change in diff.iter_inline_changes_with_options_deadline(op, options, None) {
                let (class, tag, sign, said) = match change.tag() {
                    ChangeTag::Equal => ("diff-ctx", "", " ", ""),
                    ChangeTag::Delete => ("diff-del", "del", "−", words.removed.as_str()),
                    ChangeTag::Insert => ("diff-ins", "ins", "+", words.added.as_str()),
                };
                html.push_str("<div class=\"diff-line ");
                html.push_str(class);
                html.push_str("\">");
                if !said.is_empty() {
                    html.push_str("<span class=\"visually-hidden\">");
                    escape(said, &mut html);
                    html.push_str(" </span>");
                }
                html.push_str("<span class=\"diff-sign\" aria-hidden=\"true\">");
                html.push_str(sign);
                html.push_str("</span><span class=\"diff-text\">");
                let parts: Vec<(bool, String)> = change
                    .iter_strings_lossy()
                    .map(|(marked, s)| (marked, s.into_owned()))
                    .collect();
                // A line changed as a whole is marked whole; otherwise only its changed words.
                let whole = !parts.iter().any(|(marked, _)| *marked);
                let mut marks: Vec<bool> = parts
                    .iter()
                    .map(|(marked, _)| !tag.is_empty() && (whole || *marked))
                    .collect();
                // "<del>sera publié</del>", not "<del>sera</del> <del>publié</del>".
                for i in 1..marks.len().saturating_sub(1) {
                    if !marks[i] && marks[i - 1] && marks[i + 1] && parts[i].1.trim().is_empty() {
                        marks[i] = true;
                    }
                }
                let mut open = false;
                for (i, ((_, text), mark)) in parts.iter().zip(marks).enumerate() {
                    let text = if i + 1 == parts.len() {
                        text.trim_end_matches(['\n', '\r'])
                    } else {
                        text.as_str()
                    };
                    if mark != open && !text.is_empty() {
                        if open {
                            push_close(&mut html, tag);
                        } else {
                            push_open(&mut html, tag, whole);
                        }
                        open = mark;
                    }
                    escape(text, &mut html);
                }
                if open {
                    push_close(&mut html, tag);
                }
                html.push_str("</span></div>");
            }
        }
        shown = last.old_range().end;
    }
    skipped(&mut html, &diff, shown..diff.old_len(), words);
    html.push_str("</div>");
    Diff { html, added, removed }
}

/// `<del>`, or `<del class="whole">` when the whole line changed (the theme tints it less).
fn push_open(html: &mut String, tag: &str, whole: bool) {
    html.push('<');
    html.push_str(tag);
    if whole {
        html.push_str(" class=\"whole\"");
    }
    html.push('>');
}

fn push_close(html: &mut String, tag: &str) {
    html.push_str("</");
    html.push_str(tag);
    html.push('>');
}

/// The unchanged lines `range` of the old text, left out: a marker "… N unchanged lines", or
/// the lines themselves when there are no more than two.
fn skipped(html: &mut String, diff: &TextDiff<'_, '_, str>, range: Range<usize>, words: &DiffWords) {
    let n = range.len();
    if n <= 2 {
        for i in range {
            html.push_str(
                "<div class=\"diff-line diff-ctx\"><span class=\"diff-sign\" aria-hidden=\"true\"> </span><span class=\"diff-text\">",
            );
            escape(
                diff.old_slice(i).unwrap_or("").trim_end_matches(['\n', '\r']),
                html,
            );
            html.push_str("</span></div>");
        }
        return;
    }
    html.push_str("<div class=\"diff-skip\">");
    escape(&words.unchanged.replace("{n}", &n.to_string()), html);
    html.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> DiffWords {
        DiffWords {
            added: "added:".into(),
            removed: "removed:".into(),
            unchanged: "… {n} unchanged lines".into(),
            no_change: "No change.".into(),
        }
    }

    #[test]
    fn marks_the_changed_words_inside_a_changed_line() {
        let d = diff_html("a\nThe bus is free.\nz\n", "a\nThe tram is free.\nz\n", &words());
        assert_eq!((d.added, d.removed), (1, 1));
        assert!(d.html.contains("<del>bus</del>"), "{}", d.html);
        let d2 = diff_html("It will be published soon.\n", "It is here now.\n", &words());
        assert!(
            d2.html.contains("<del>will be published soon.</del>"),
            "{}",
            d2.html
        );
        assert!(d.html.contains("<ins>tram</ins>"), "{}", d.html);
        assert!(d.html.contains("The "), "unchanged words stay: {}", d.html);
        assert!(d
            .html
            .contains("<span class=\"visually-hidden\">removed: </span>"));
        assert!(d.html.contains("<span class=\"visually-hidden\">added: </span>"));
    }

    #[test]
    fn escapes_the_text() {
        let d = diff_html("x\n", "x <script>alert('&')</script>\n", &words());
        assert!(!d.html.contains("<script>"), "{}", d.html);
        assert!(
            d.html
                .contains("&lt;script&gt;alert(&#39;&amp;&#39;)&lt;/script&gt;"),
            "{}",
            d.html
        );
    }

    #[test]
    fn collapses_long_unchanged_runs() {
        let old: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 15\n", "line fifteen\n");
        let d = diff_html(&old, &new, &words());
        assert!(d.html.contains("… 11 unchanged lines"), "{}", d.html);
        assert_eq!(d.html.matches("diff-ctx").count(), 2 * CONTEXT);
        assert!(!d.html.contains("line 1<"), "far lines are left out");
        let same = diff_html(&old, &old, &words());
        assert_eq!(same.html, "<p class=\"diff-none\">No change.</p>");
    }

    #[test]
    fn shows_a_short_unchanged_run_rather_than_a_marker() {
        let old: String = (1..=5).map(|i| format!("line {i}\n")).collect();
        let d = diff_html(&old, &old.replace("line 5", "line five"), &words());
        assert!(!d.html.contains("diff-skip"), "{}", d.html);
        assert!(d.html.contains(">line 1<"), "{}", d.html);
    }

    #[test]
    fn a_whole_new_line_is_marked_whole() {
        let d = diff_html("a\n", "a\nb c\n", &words());
        assert!(d.html.contains("<ins class=\"whole\">b c</ins>"), "{}", d.html);
        assert_eq!((d.added, d.removed), (1, 0));
    }
}
