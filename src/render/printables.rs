//! What the council prints: for each open initiative an A4 signature-collection sheet, and for
//! each working group its table card, folded in two, in its pole's colour — the "cartons" of the
//! founding minutes. Each is a page of its own, laid out for paper by the print stylesheet
//! (`@page` sizes), with a QR code to the page it belongs to. Nothing personal is printed:
//! the sheet's lines are empty.

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Kind;

use super::context::Ctx;
use super::views::{GroupView, InitiativeView};
use super::Job;

/// The sheet of an initiative.
pub fn sheet_path(slug: &str) -> String {
    format!("initiatives/{slug}/feuille/index.html")
}

/// The table card of a working group.
pub fn card_path(slug: &str) -> String {
    format!("groups/{slug}/carton/index.html")
}

/// Empty lines on a sheet: what fits on one A4 page under the text.
const SHEET_LINES: usize = 15;

/// The version of a text a paper batch is collected for, as printed on the sheet.
#[derive(Debug, Clone, Serialize)]
pub struct TextVersion {
    /// The first 12 hex digits of the git blob id of the text's bytes: what a batch names in
    /// its `text:` field, and what `git log --find-object` finds.
    pub id: String,
    /// Its number among the committed versions (`None` outside git or before its first commit).
    pub number: Option<usize>,
    /// When it was committed, in words.
    pub date: Option<String>,
}

/// What a sheet prints of its initiative: a few fields, not the whole page's view (a city has
/// thousands of sheets).
#[derive(Debug, Clone, Serialize)]
struct SheetInitiative<'a> {
    title: &'a str,
    url: &'a str,
    summary: &'a str,
    pole: Option<&'a super::context::PoleRef>,
    goal_text: Option<&'a str>,
    closes: Option<&'a str>,
}

/// The version id of a text: its git blob id, shortened.
pub fn version_id(source: &str) -> String {
    crate::load::history::blob_id(source.as_bytes()).to_string()[..12].to_string()
}

/// The printable pages: a sheet per open initiative (budget projects collect approvals, not
/// signatures) and a card per working group.
pub(super) fn jobs(ctx: &Ctx<'_>, initiatives: &[InitiativeView], groups: &[GroupView]) -> Vec<Job> {
    // Made in parallel: a city has thousands of sheets.
    let sheets = initiatives
        .par_iter()
        .filter(|i| i.status == super::context::Status::Open && i.project.is_none())
        .filter_map(|i| {
            let item = ctx.content.initiatives.get(&i.slug)?;
            let path = item.path.to_string_lossy().replace('\\', "/");
            let times = ctx.file_times(&path);
            let version = TextVersion {
                id: version_id(&item.source),
                number: times.map(|t| t.changes + 1),
                date: times.map(|t| ctx.time_words(t.modified).0),
            };
            let url = ctx.absolute(&ctx.url(Kind::Initiatives, &i.slug));
            Some(
                Job::new(
                    sheet_path(&i.slug),
                    "sheet.html",
                    "initiatives",
                    ctx.t("sheet_title").replace("{title}", &i.title),
                )
                .var(
                    "initiative",
                    &SheetInitiative {
                        title: &i.title,
                        url: &i.url,
                        summary: &i.summary,
                        pole: i.pole.as_ref(),
                        goal_text: i.goal_text.as_deref(),
                        closes: i.closes.as_deref(),
                    },
                )
                .var("version", &version)
                .var("qr_url", &url)
                .qr(&url, &ctx.t("qr_label").replace("{url}", &url))
                .var("lines", &(1..=SHEET_LINES).collect::<Vec<_>>()),
            )
        });
    let cards = groups.par_iter().map(|g| {
        let url = ctx.absolute(&ctx.url(Kind::Groups, &g.slug));
        Job::new(
            card_path(&g.slug),
            "card.html",
            "poles",
            ctx.t("card_title").replace("{title}", &g.title),
        )
        .var("group", g)
        .var("qr_url", &url)
        .qr(&url, &ctx.t("qr_label").replace("{url}", &url))
    });
    sheets.chain(cards).collect()
}
