//! Rendering: views → tera templates → the files of the site, in memory.
//!
//! Pure: nothing here touches the disk; `crate::write` writes what this returns.

pub mod agenda;
pub mod calendars;
pub mod chart;
pub mod context;
pub mod data;
pub mod decision_views;
pub mod feeds;
pub mod format;
pub mod history_views;
pub mod ics;
pub mod letter;
pub mod links;
pub mod moderation_views;
pub mod news;
pub mod printables;
pub mod qr;
pub mod reuse;
pub mod sortition_views;
pub mod sources;
pub mod trust_views;
pub mod views;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;
use sha2::Digest as _;
use tera::Context;

use crate::content::Kind;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::Site;
use crate::theme::{error_chain, Theme, THEME_DIR};

pub use context::Ctx;
pub use views::Views;

/// The rendered site: output path (relative, `/`-separated) → bytes.
#[derive(Debug, Default, Clone)]
pub struct Output {
    /// Every file of the site.
    pub files: BTreeMap<String, Vec<u8>>,
    /// What decided each page rendered by a template, and its digest (see [`reuse`]): a later
    /// build uses the page again when its key is the same.
    pub pages: BTreeMap<String, reuse::PageMark>,
    /// How many of them were an earlier build's (see [`reuse::Earlier`]).
    pub pages_reused: usize,
    /// The pages read back from the output folder, by path, and how each file stood when it
    /// was read: the write links such a file without reading it again while it stands so.
    pub kept_files: BTreeMap<String, crate::limits::FileIdentity>,
}

/// One entry of the main navigation.
#[derive(Debug, Clone, Serialize)]
struct NavItem {
    key: &'static str,
    label: String,
    url: String,
}

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
struct SiteView {
    title: String,
    description: Option<String>,
    lang: &'static str,
    base: String,
    base_url: String,
    repository: Option<String>,
    /// The forge's "new file" address on the branch (`REPO/new/BRANCH`, `REPO/_new/BRANCH` on
    /// Gitea and Forgejo), to which `?filename=…&value=…` pre-fills a pull request.
    forge_new: Option<String>,
    /// The council's e-mail address, from `pnyx.yaml`.
    email: Option<String>,
    /// False outside a git repository: every statement counts, and the site says so.
    history: bool,
    nav: Vec<NavItem>,
    pages_menu: Vec<context::Link>,
    /// The same site in other languages (`translations:`), for the language switch.
    translations: Vec<Translation>,
}

/// A published translation of the site.
#[derive(Debug, Clone, Serialize)]
struct Translation {
    /// Its language tag, for `hreflang` and `lang`.
    lang: String,
    /// The language's name in itself ("English", "Français").
    name: String,
    /// Where it is published, ending with `/`.
    base_url: String,
}

/// A page made by a template, or kept from an earlier build.
struct Page {
    path: String,
    mark: reuse::PageMark,
    bytes: Vec<u8>,
    reused: bool,
    /// The file it was read back from (see [`Output::kept_files`]).
    file: Option<crate::limits::FileIdentity>,
}

/// A page to render.
struct Job {
    path: String,
    template: &'static str,
    section: &'static str,
    title: String,
    /// The page's own variables, as JSON text: what keys the page (hashed as they are) and,
    /// only for a page that is rendered, what its template reads. Text is smaller than
    /// `serde_json::Value`s and quicker to make, and a city's pages are mostly kept.
    vars: Vec<(&'static str, Vec<u8>)>,
    source: Option<String>,
    /// The address and label of the page's QR code (`qr_html`), made only if the page is
    /// rendered: the QR codes of a city's printables were 7 % of the CPU of a build.
    qr: Option<(String, String)>,
}

impl Job {
    fn new(
        path: impl Into<String>,
        template: &'static str,
        section: &'static str,
        title: impl Into<String>,
    ) -> Job {
        Job {
            path: path.into(),
            template,
            section,
            title: title.into(),
            vars: Vec::new(),
            source: None,
            qr: None,
        }
    }

    fn var<T: Serialize>(mut self, name: &'static str, value: &T) -> Job {
        self.put(name, value);
        self
    }

    /// Adds the variable `name` (a later one of the same name hides an earlier one).
    fn put<T: Serialize>(&mut self, name: &'static str, value: &T) {
        // The views are plain data (no map with keys that are not strings): they serialise.
        let json = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
        self.vars.push((name, json));
    }

    /// Puts the page in the search index, filed under its kind, pole and status in the site's
    /// words (the filters of the search page).
    fn facets(self, kind: String, pole: Option<&context::PoleRef>, status: Option<&str>) -> Job {
        let facets = serde_json::json!({
            "kind": kind,
            "pole": pole.map(|p| p.title.clone()),
            "status": status,
        });
        self.var("search", &facets)
    }

    /// Gives the page `qr_html`, the QR code of `url` (see [`qr::svg`]).
    fn qr(mut self, url: &str, label: &str) -> Job {
        self.qr = Some((url.to_string(), label.to_string()));
        self
    }

    fn source(mut self, path: &Path) -> Job {
        self.source = Some(path.to_string_lossy().replace('\\', "/"));
        self
    }
}

/// Renders the whole site, using again the pages of `earlier` whose inputs are the same.
pub fn render(
    site: &Site,
    theme: &Theme,
    now: DateTime<Utc>,
    verified: &crate::signatures::verify::Verified,
    tallies: &crate::tally::Tallies,
    earlier: Option<&dyn reuse::Earlier>,
) -> Result<Output, Diagnostics> {
    // What moderation hides is gone from every page, list and data file from here on.
    let content = moderation_views::visible(&site.content, &tallies.moderation);
    let ctx = Ctx::new(site, theme, now, verified, tallies, &content);
    let mut clock = crate::timing::Clock::start();
    let v = Views::build(&ctx);
    clock.lap("render: views");
    let site_view = site_view(&ctx, &v);
    let mut jobs = jobs(&ctx, &v);
    let letters = views::newsletters(&ctx);
    jobs.push(
        Job::new(
            "newsletters/index.html",
            "newsletters.html",
            "",
            theme.t("newsletters_title"),
        )
        .var("newsletters", &letters),
    );
    for l in &letters {
        jobs.push(
            Job::new(
                format!("newsletters/{}/index.html", l.slug),
                "newsletter.html",
                "",
                l.title.clone(),
            )
            .source(&content.newsletters[&l.slug].path)
            .facets(theme.t("newsletter_label"), l.pole.as_ref(), None)
            .var("newsletter", l),
        );
    }
    let members = ctx.members();
    history_views::add_pages(&ctx, &site.revisions, &mut jobs);
    jobs.extend(printables::jobs(&ctx, &v.initiatives, &v.groups));
    jobs.push(
        Job::new(
            "members/index.html",
            "members.html",
            "members",
            theme.t("members_title"),
        )
        .var("members", &members)
        .var(
            "certifications_needed",
            &site.settings.config.trust.certifications,
        ),
    );
    jobs.push(
        Job::new(
            "statements/index.html",
            "statements.html",
            "",
            theme.t("statements_title"),
        )
        .var("rejected", &ctx.rejected())
        .var("accepted_count", &verified.accepted.len()),
    );
    clock.lap("render: page contexts");
    jobs.push(
        Job::new(
            "moderation/index.html",
            "moderation.html",
            "",
            theme.t("moderation_title"),
        )
        .var("moderation", &ctx.moderation_page()),
    );
    for (path, notice) in ctx.hidden_pages() {
        jobs.push(Job::new(path, "hidden.html", "", theme.t("hidden_title")).var("hidden", &notice));
    }
    // `t.content_lang` is ` lang="…"` for the elements that hold content when the content is
    // not in the UI's language (`content_language:`), and empty otherwise: every template and
    // macro has `t` at hand.
    let mut strings = theme.strings.clone();
    let content_lang = match &theme.content_lang {
        Some(tag) => format!(" lang=\"{tag}\""),
        None => String::new(),
    };
    strings.insert("content_lang".into(), content_lang);
    let strings = tera::to_value(&strings).unwrap_or_default();
    let site_value = tera::to_value(&site_view).unwrap_or_default();
    let fingerprint = theme.fingerprint.unwrap_or_default();
    let shared = reuse::Shared::new(&fingerprint, &site_value, &strings);
    let earlier = earlier.filter(|_| theme.fingerprint.is_some());
    // What every page shares is put in a context once per batch of pages, not copied into
    // each page's (the strings alone are hundreds of values): a page's own variables are moved
    // in beside it for its render, then taken out again.
    let shared_context = || {
        let mut context = Context::new();
        context.insert("site", &site_value);
        context.insert("t", &strings);
        context
    };
    let rendered: Vec<Result<Page, Diagnostic>> = jobs
        .into_par_iter()
        .map_init(shared_context, |context, job| {
            let Job {
                path,
                template,
                section,
                title,
                vars,
                source,
                qr,
            } = job;
            let rel = path.trim_end_matches("index.html").to_string();
            let mut data = serde_json::Map::new();
            let mut put = |k: &str, v: serde_json::Value| {
                data.insert(k.to_string(), v);
            };
            put("section", section.into());
            put("page_title", title.into());
            put("page_url", format!("{}{rel}", site.settings.base_path).into());
            // The page's address below the site's root: the same page in a translation.
            put("page_rel", rel.clone().into());
            // The page's one address, for search engines and link previews.
            put("canonical_url", format!("{}{rel}", site.settings.base_url).into());
            if let Some(src) = &source {
                put("source_path", src.clone().into());
                if let Some(repo) = &site.settings.config.repository {
                    let repo = repo.trim_end_matches('/');
                    let branch = &site.settings.config.branch;
                    put("edit_url", format!("{repo}/edit/{branch}/{src}").into());
                    put("history_url", format!("{repo}/commits/{branch}/{src}").into());
                }
            }
            // A QR code is decided by its address and label: they stand for it in the key.
            if let Some((url, label)) = &qr {
                put("qr_html", serde_json::json!({ "qr_of": [url, label] }));
            }
            let key = shared.key(template, &data, &vars);
            if let Some(kept) = earlier.and_then(|e| e.page(&path, &key)) {
                return Ok(Page {
                    path,
                    mark: reuse::PageMark {
                        key,
                        digest: kept.digest,
                    },
                    bytes: kept.bytes,
                    reused: true,
                    file: kept.file,
                });
            }
            // The page's own variables after the common ones, which they may hide, as the
            // key has them.
            for (name, json) in &vars {
                let value = serde_json::from_slice(json).unwrap_or(serde_json::Value::Null);
                data.insert(name.to_string(), value);
            }
            if let Some((url, label)) = &qr {
                data.insert("qr_html".into(), qr::svg(url, label).into());
            }
            // `site` and `t` are the shared ones, whatever a page's variables say.
            data.remove("site");
            data.remove("t");
            let own: Vec<String> = data.keys().cloned().collect();
            context.extend(Context::from_value(serde_json::Value::Object(data)).unwrap_or_default());
            let html = theme.tera.render(template, context);
            for key in &own {
                context.remove(key);
            }
            html.map(|html| Page {
                mark: reuse::PageMark {
                    key,
                    digest: sha2::Sha256::digest(&html).into(),
                },
                bytes: html.into_bytes(),
                path: path.clone(),
                reused: false,
                file: None,
            })
            .map_err(|e| {
                let shown = Path::new(THEME_DIR).join("templates").join(template);
                let cause = error_chain(&e);
                // A theme copied before the build time left the footer of every page.
                let hint = if cause.contains("`site.now") {
                    "`site.now` and `site.now_iso` are `build_time` and `build_time_iso` now, \
                         given to the home page only (`{% if build_time is defined %}`): see \
                         docs/theming.md"
                } else {
                    "check the variable names against docs/theming.md"
                };
                Diagnostic::new(&shown, 1, 1, format!("cannot render {path}: {cause}")).hint(hint)
            })
        })
        .collect();
    let mut out = Output::default();
    clock.lap("render: templates");
    let mut diags = Diagnostics::default();
    for r in rendered {
        match r {
            Ok(page) => {
                out.pages_reused += usize::from(page.reused);
                out.pages.insert(page.path.clone(), page.mark);
                if let Some(file) = page.file {
                    out.kept_files.insert(page.path.clone(), file);
                }
                out.files.insert(page.path, page.bytes);
            }
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        diags.sort();
        return Err(diags);
    }
    for (name, bytes) in &theme.assets {
        out.files.insert(format!("assets/{name}"), bytes.clone());
    }
    // Four sets of files that depend on none of the others: made at once, added in order.
    let ((data_files, source_files), (calendar_files, feed_files)) = rayon::join(
        || {
            rayon::join(
                || data::files(&ctx, &v, &members),
                || sources::files(&content, &site.signatures),
            )
        },
        || {
            rayon::join(
                || calendars::files(&ctx, &v),
                || feeds::files(&ctx, &news::all(&ctx, &v)),
            )
        },
    );
    for (name, bytes) in data_files {
        out.files.insert(format!("data/{name}"), bytes);
    }
    out.files.extend(source_files);
    out.files.extend(calendar_files);
    out.files.extend(feed_files);
    clock.lap("render: open data");
    let broken = links::check(&out, &site.settings.base_path, &site.content);
    clock.lap("render: link check");
    if !broken.is_empty() {
        let mut d = Diagnostics(broken);
        d.sort();
        return Err(d);
    }
    Ok(out)
}

/// The newsletter of what happened after `since` (seconds), from the same news as the feeds:
/// `pnyx newsletter`.
#[allow(clippy::too_many_arguments)]
pub fn newsletter(
    site: &Site,
    theme: &Theme,
    now: DateTime<Utc>,
    verified: &crate::signatures::verify::Verified,
    tallies: &crate::tally::Tallies,
    since: i64,
    since_words: &str,
    pole: Option<&str>,
) -> letter::Letter {
    let content = moderation_views::visible(&site.content, &tallies.moderation);
    let ctx = Ctx::new(site, theme, now, verified, tallies, &content);
    let v = Views::build(&ctx);
    let news = news::all(&ctx, &v);
    letter::compose(&ctx, &v, &news, since, since_words, pole)
}

fn site_view(ctx: &Ctx<'_>, v: &Views) -> SiteView {
    let s = ctx.settings;
    let nav = [
        ("home", ""),
        ("initiatives", "initiatives/"),
        ("debates", "debates/"),
        ("meetings", "meetings/"),
        ("decisions", "decisions/"),
        ("poles", "poles/"),
        ("search", "search/"),
    ]
    .into_iter()
    .map(|(key, path)| NavItem {
        key,
        label: ctx.theme.t(&format!("nav_{key}")),
        url: ctx.path(path),
    })
    .collect();
    SiteView {
        title: s.config.title.clone(),
        description: s.config.description.clone(),
        lang: s.config.language.code(),
        base: s.base_path.clone(),
        base_url: s.base_url.clone(),
        repository: s.config.repository.clone(),
        forge_new: forge_new(ctx),
        email: s.config.email.clone(),
        history: ctx.sigs.history.is_some(),
        nav,
        pages_menu: v
            .pages
            .iter()
            .map(|p| context::Link {
                title: p.title.clone(),
                url: p.url.clone(),
            })
            .collect(),
        translations: s
            .config
            .translations
            .iter()
            .filter(|(lang, _)| lang.as_str() != s.config.language.code())
            .map(|(lang, url)| Translation {
                lang: lang.clone(),
                name: language_name(lang),
                base_url: if url.ends_with('/') {
                    url.clone()
                } else {
                    format!("{url}/")
                },
            })
            .collect(),
    }
}

/// A language's name in that language, for the switch; the tag itself for one not listed.
fn language_name(tag: &str) -> String {
    let primary = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    match primary.as_str() {
        "fr" => "Français",
        "en" => "English",
        "de" => "Deutsch",
        "es" => "Español",
        "it" => "Italiano",
        "oc" => "Occitan",
        "ca" => "Català",
        "pt" => "Português",
        "ar" => "العربية",
        _ => tag,
    }
    .to_string()
}

/// Every page of the site with its template and variables.
fn jobs(ctx: &Ctx<'_>, v: &Views) -> Vec<Job> {
    let c = ctx.content;
    let t = |k: &str| ctx.theme.t(k);
    let page = |kind: Kind, slug: &str| format!("{}/{}/index.html", kind.dir(), slug);
    let mut jobs = Vec::new();

    // Projects of a participatory budget are chosen by the budget's ballots, not by signatures:
    // the home shows them through their budget's card.
    let open_initiatives: Vec<_> = v
        .initiatives
        .iter()
        .filter(|i| i.status == context::Status::Open && i.budget.is_none())
        .take(6)
        .collect();
    let coming: Vec<_> = v.meetings.iter().filter(|m| !m.past).collect();
    let past: Vec<_> = v.meetings.iter().rev().filter(|m| m.past).collect();
    let open_votes: Vec<_> = v
        .votes
        .iter()
        .filter(|x| x.status == context::Status::Open)
        .collect();
    let open_budgets: Vec<_> = v
        .budgets
        .iter()
        .filter(|x| x.status == context::Status::Open)
        .collect();
    let local_now = ctx.now.with_timezone(ctx.tz());
    let build_time = format!(
        "{}, {}",
        ctx.theme.calendar.long_date(local_now.date_naive()),
        ctx.theme.calendar.time(&local_now)
    );
    let stats = BTreeMap::from([
        ("initiatives", v.initiatives.len()),
        ("debates", v.debates.len()),
        ("meetings", v.meetings.len()),
        ("groups", v.groups.len()),
        ("poles", v.poles.len()),
    ]);
    jobs.push(
        Job::new(
            "index.html",
            "index.html",
            "home",
            ctx.settings.config.title.clone(),
        )
        .var("open_initiatives", &open_initiatives)
        .var("coming_meetings", &coming.iter().take(4).collect::<Vec<_>>())
        .var("latest_debates", &v.debates.iter().take(3).collect::<Vec<_>>())
        .var("open_votes", &open_votes)
        .var("open_budgets", &open_budgets)
        .var("poles", &v.poles)
        .var("stats", &stats)
        // When the numbers were counted. Only here: a page that shows the time of the build
        // is new on every build, and every other page is kept from one build to the next
        // (by `pnyx build`, and by a static host's cache) until what it shows changes.
        .var("build_time", &build_time)
        .var(
            "build_time_iso",
            &local_now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        ),
    );
    jobs.push(Job::new("404.html", "404.html", "", t("not_found_title")));
    jobs.push(
        Job::new("search/index.html", "search.html", "search", t("search_title")).var("poles", &v.poles),
    );

    // Poles and groups: each page gathers what belongs to it.
    jobs.push(Job::new("poles/index.html", "poles.html", "poles", t("poles_title")).var("poles", &v.poles));
    for p in &v.poles {
        let slug = &p.pole.slug;
        let groups: Vec<_> = v
            .groups
            .iter()
            .filter(|g| g.pole.as_ref().is_some_and(|x| &x.slug == slug))
            .collect();
        let of_pole = |pole: &Option<context::PoleRef>| pole.as_ref().is_some_and(|x| &x.slug == slug);
        jobs.push(
            Job::new(
                page(Kind::Poles, slug),
                "pole.html",
                "poles",
                p.pole.title.clone(),
            )
            .source(&c.poles[slug].path)
            .facets(t("pole_label"), Some(&p.pole), None)
            .var("feed_url", &ctx.path(&feeds::pole_feed(slug)))
            .var("pole", p)
            .var("groups", &groups)
            .var(
                "initiatives",
                &v.initiatives
                    .iter()
                    .filter(|i| of_pole(&i.pole))
                    .collect::<Vec<_>>(),
            )
            .var(
                "debates",
                &v.debates.iter().filter(|d| of_pole(&d.pole)).collect::<Vec<_>>(),
            )
            .var(
                "coming_meetings",
                &coming.iter().filter(|m| of_pole(&m.pole)).collect::<Vec<_>>(),
            )
            .var(
                "past_meetings",
                &past.iter().filter(|m| of_pole(&m.pole)).collect::<Vec<_>>(),
            )
            .var(
                "minutes",
                &v.minutes.iter().filter(|m| of_pole(&m.pole)).collect::<Vec<_>>(),
            ),
        );
    }
    jobs.push(
        Job::new("groups/index.html", "groups.html", "poles", t("groups_title"))
            .var("groups", &v.groups)
            .var("poles", &v.poles),
    );
    for g in &v.groups {
        let item = &c.groups[&g.slug];
        let mine = |x: Option<&String>| x == Some(&g.slug);
        jobs.push(
            Job::new(
                page(Kind::Groups, &g.slug),
                "group.html",
                "poles",
                g.title.clone(),
            )
            .source(&item.path)
            .facets(t("group_label"), g.pole.as_ref(), None)
            .var("feed_url", &ctx.path(&feeds::group_feed(&g.slug)))
            .var("group", g)
            .var(
                "initiatives",
                &v.initiatives
                    .iter()
                    .filter(|i| mine(c.initiatives[&i.slug].meta.group.as_ref()))
                    .collect::<Vec<_>>(),
            )
            .var(
                "debates",
                &v.debates
                    .iter()
                    .filter(|d| mine(c.debates[&d.slug].meta.group.as_ref()))
                    .collect::<Vec<_>>(),
            )
            .var(
                "coming_meetings",
                &coming
                    .iter()
                    .filter(|m| mine(c.meetings[&m.slug].meta.group.as_ref()))
                    .collect::<Vec<_>>(),
            )
            .var(
                "past_meetings",
                &past
                    .iter()
                    .filter(|m| mine(c.meetings[&m.slug].meta.group.as_ref()))
                    .collect::<Vec<_>>(),
            )
            .var(
                "minutes",
                &v.minutes
                    .iter()
                    .filter(|m| mine(c.minutes[&m.slug].meta.group.as_ref()))
                    .collect::<Vec<_>>(),
            ),
        );
    }

    let by_status = |s: context::Status| {
        v.initiatives
            .iter()
            .filter(move |i| i.status == s)
            .collect::<Vec<_>>()
    };
    jobs.push(
        Job::new(
            "initiatives/index.html",
            "initiatives.html",
            "initiatives",
            t("initiatives_title"),
        )
        .var("initiatives", &v.initiatives)
        .var("open", &by_status(context::Status::Open))
        .var("upcoming", &by_status(context::Status::Upcoming))
        .var("closed", &by_status(context::Status::Closed))
        .var("propose_url", &propose_url(ctx, Kind::Initiatives)),
    );
    for i in &v.initiatives {
        jobs.push(
            Job::new(
                page(Kind::Initiatives, &i.slug),
                "initiative.html",
                "initiatives",
                i.title.clone(),
            )
            .source(&c.initiatives[&i.slug].path)
            .facets(t("initiative_label"), i.pole.as_ref(), Some(&i.status_label))
            .var("feed_url", &ctx.path(&feeds::initiative_feed(&i.slug)))
            .var("initiative", i)
            .var("supporters", &i.support.detail),
        );
    }
    jobs.push(
        Job::new(
            "debates/index.html",
            "debates.html",
            "debates",
            t("debates_title"),
        )
        .var("debates", &v.debates)
        .var("propose_url", &propose_url(ctx, Kind::Debates)),
    );
    for d in &v.debates {
        jobs.push(
            Job::new(
                page(Kind::Debates, &d.slug),
                "debate.html",
                "debates",
                d.title.clone(),
            )
            .source(&c.debates[&d.slug].path)
            .facets(t("debate_label"), d.pole.as_ref(), Some(&d.status_label))
            .var("debate", d),
        );
    }
    jobs.push(
        Job::new(
            "meetings/index.html",
            "meetings.html",
            "meetings",
            t("meetings_title"),
        )
        .var("agenda", &views::agenda(ctx, v))
        .var("propose_url", &propose_url(ctx, Kind::Meetings)),
    );
    for m in &v.meetings {
        jobs.push(
            Job::new(
                page(Kind::Meetings, &m.slug),
                "meeting.html",
                "meetings",
                m.title.clone(),
            )
            .source(&c.meetings[&m.slug].path)
            .facets(
                t("meeting_label"),
                m.pole.as_ref(),
                Some(&t(if m.past {
                    "meeting_past_short"
                } else {
                    "status_upcoming"
                })),
            )
            .var("meeting", m),
        );
    }
    jobs.push(
        Job::new(
            "minutes/index.html",
            "minutes_list.html",
            "meetings",
            t("minutes_title"),
        )
        .var("minutes", &v.minutes),
    );
    for m in &v.minutes {
        jobs.push(
            Job::new(
                page(Kind::Minutes, &m.slug),
                "minutes.html",
                "meetings",
                m.title.clone(),
            )
            .source(&c.minutes[&m.slug].path)
            .facets(t("minutes_label"), m.pole.as_ref(), None)
            .var("minutes", m),
        );
    }
    jobs.push(
        Job::new(
            "decisions/index.html",
            "decisions.html",
            "decisions",
            t("decisions_title"),
        )
        .var("votes", &v.votes)
        .var("budgets", &v.budgets)
        .var("sortitions", &v.sortitions),
    );
    jobs.push(
        Job::new("votes/index.html", "votes.html", "decisions", t("votes_title")).var("votes", &v.votes),
    );
    for x in &v.votes {
        jobs.push(
            Job::new(
                page(Kind::Votes, &x.slug),
                "vote.html",
                "decisions",
                x.title.clone(),
            )
            .source(&c.votes[&x.slug].path)
            .facets(t("vote_label"), None, Some(&x.status_label))
            .var("vote", x)
            .var("results", &ctx.vote_results(&c.votes[&x.slug], &x.options)),
        );
    }
    jobs.push(
        Job::new(
            "budgets/index.html",
            "budgets.html",
            "decisions",
            t("budgets_title"),
        )
        .var("budgets", &v.budgets),
    );
    for x in &v.budgets {
        jobs.push(
            Job::new(
                page(Kind::Budgets, &x.slug),
                "budget.html",
                "decisions",
                x.title.clone(),
            )
            .source(&c.budgets[&x.slug].path)
            .facets(t("budget_label"), None, Some(&x.status_label))
            .var("budget", x)
            .var("results", &ctx.budget_results(&c.budgets[&x.slug])),
        );
    }
    jobs.push(
        Job::new(
            "sortitions/index.html",
            "sortitions.html",
            "decisions",
            t("sortitions_title"),
        )
        .var("sortitions", &v.sortitions),
    );
    for x in &v.sortitions {
        jobs.push(
            Job::new(
                page(Kind::Sortitions, &x.slug),
                "sortition.html",
                "decisions",
                x.title.clone(),
            )
            .source(&c.sortitions[&x.slug].path)
            .facets(t("sortition_label"), None, None)
            .var("sortition", x)
            .var("results", &ctx.sortition_results(&c.sortitions[&x.slug])),
        );
    }
    jobs.push(Job::new("pages/index.html", "pages.html", "", t("pages_title")).var("pages", &v.pages));
    for p in &v.pages {
        jobs.push(
            Job::new(page(Kind::Pages, &p.slug), "page.html", "", p.title.clone())
                .source(&c.pages[&p.slug].path)
                .facets(t("page_label"), None, None)
                .var("page", p),
        );
    }
    jobs
}

/// A forge link that opens a new file of `kind` pre-filled with a template (GitHub's
/// `new/BRANCH?filename=…&value=…`, which Gitea and Forgejo accept under `_new`).
fn propose_url(ctx: &Ctx<'_>, kind: Kind) -> Option<String> {
    let today = ctx.now.with_timezone(&ctx.settings.tz).date_naive();
    let hints = crate::content::templates::Hints::from_content(ctx.content);
    let template =
        crate::content::templates::template_with(kind, &ctx.theme.t("new_item_title"), &today, &hints)?;
    let filename = format!(
        "content/{}/{}.md",
        kind.dir(),
        crate::slug::slugify(&ctx.theme.t("new_item_title"))
    );
    Some(format!(
        "{}?filename={}&value={}",
        forge_new(ctx)?,
        percent_encode(&filename),
        percent_encode(&template)
    ))
}

/// The forge's "new file" address on the branch: GitHub's `new/BRANCH`, which Gitea and
/// Forgejo accept under `_new/BRANCH`.
fn forge_new(ctx: &Ctx<'_>) -> Option<String> {
    let repo = ctx.settings.config.repository.as_ref()?.trim_end_matches('/');
    let new = if repo.contains("github.com") {
        "new"
    } else {
        "_new"
    };
    Some(format!("{repo}/{new}/{}", ctx.settings.config.branch))
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
