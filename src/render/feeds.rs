//! Atom feeds (RFC 4287) of the news: the whole site, each pole, each working group and each
//! initiative. Ids are absolute URLs that stay the same from build to build, dates come from
//! git (see `news.rs`), every link is absolute from `base_url`, and text goes in as plain text,
//! escaped by the XML writer: nothing from a contribution reaches a feed reader as markup.

use std::collections::BTreeMap;

use atom_syndication::{Category, Entry, Feed, Generator, Link, Person, Text};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};

use super::context::Ctx;
use super::news::News;

/// The entries of the site's feed: readers want what is new, not the whole history.
const SITE_ENTRIES: usize = 100;

/// The site's feed.
pub const SITE_FEED: &str = "feeds/all.atom";

/// A pole's feed.
pub fn pole_feed(slug: &str) -> String {
    format!("feeds/poles/{slug}.atom")
}

/// A working group's feed.
pub fn group_feed(slug: &str) -> String {
    format!("feeds/groups/{slug}.atom")
}

/// An initiative's feed.
pub fn initiative_feed(slug: &str) -> String {
    format!("feeds/initiatives/{slug}.atom")
}

/// Every feed file of the site: path → bytes. `news` is newest first.
pub fn files(ctx: &Ctx<'_>, news: &[News]) -> Vec<(String, Vec<u8>)> {
    let c = ctx.content;
    let site = &ctx.settings.config.title;
    let name = |what: &str| {
        ctx.t("feed_title")
            .replace("{site}", site)
            .replace("{what}", what)
    };
    let mut out = vec![(
        SITE_FEED.to_string(),
        feed(
            ctx,
            SITE_FEED,
            &ctx.path(""),
            &name(&ctx.t("feed_all")),
            news.iter().take(SITE_ENTRIES),
        ),
    )];
    // News grouped once by pole, group and initiative: a city has thousands of initiatives,
    // and filtering every piece of news for each of them would be quadratic.
    let mut by_pole: BTreeMap<&str, Vec<&News>> = BTreeMap::new();
    let mut by_group: BTreeMap<&str, Vec<&News>> = BTreeMap::new();
    let mut by_initiative: BTreeMap<&str, Vec<&News>> = BTreeMap::new();
    for n in news {
        if let Some(p) = &n.pole {
            by_pole.entry(p).or_default().push(n);
        }
        if let Some(g) = &n.group {
            by_group.entry(g).or_default().push(n);
        }
        if let Some(i) = &n.initiative {
            by_initiative.entry(i).or_default().push(n);
        }
    }
    let none = Vec::new();
    for pole in c.poles.values() {
        let path = pole_feed(&pole.slug);
        let page = ctx.url(crate::content::Kind::Poles, &pole.slug);
        let of = by_pole.get(pole.slug.as_str()).unwrap_or(&none).iter().copied();
        out.push((path.clone(), feed(ctx, &path, &page, &name(&pole.meta.title), of)));
    }
    for group in c.groups.values() {
        let path = group_feed(&group.slug);
        let page = ctx.url(crate::content::Kind::Groups, &group.slug);
        let of = by_group.get(group.slug.as_str()).unwrap_or(&none).iter().copied();
        out.push((
            path.clone(),
            feed(ctx, &path, &page, &name(&group.meta.title), of),
        ));
    }
    for i in c.initiatives.values() {
        let path = initiative_feed(&i.slug);
        let page = ctx.url(crate::content::Kind::Initiatives, &i.slug);
        let of = by_initiative
            .get(i.slug.as_str())
            .unwrap_or(&none)
            .iter()
            .copied();
        out.push((path.clone(), feed(ctx, &path, &page, &name(&i.meta.title), of)));
    }
    out
}

fn date(ctx: &Ctx<'_>, ts: i64) -> DateTime<FixedOffset> {
    Utc.timestamp_opt(ts, 0)
        .single()
        .unwrap_or(ctx.now)
        .fixed_offset()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    Link {
        href,
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Link::default()
    }
}

/// One feed at `path`, about the page `page`, of `news` (newest first).
fn feed<'n>(
    ctx: &Ctx<'_>,
    path: &str,
    page: &str,
    title: &str,
    news: impl Iterator<Item = &'n News>,
) -> Vec<u8> {
    let author = Person {
        name: ctx.settings.config.title.clone(),
        uri: Some(ctx.settings.base_url.clone()),
        ..Person::default()
    };
    let entries: Vec<Entry> = news
        .map(|n| Entry {
            title: Text::plain(n.title.clone()),
            id: n.id.clone(),
            updated: date(ctx, n.at),
            published: Some(date(ctx, n.at)),
            links: vec![link(n.url.clone(), "alternate", Some("text/html"))],
            summary: (!n.text.is_empty()).then(|| Text::plain(n.text.clone())),
            categories: vec![Category {
                term: n.kind.key().to_string(),
                label: Some(ctx.t(&format!("news_kind_{}", n.kind.key().replace('-', "_")))),
                ..Category::default()
            }],
            ..Entry::default()
        })
        .collect();
    // A feed is as new as its newest entry; an empty one, as the build.
    let updated = entries
        .first()
        .map_or_else(|| ctx.now.fixed_offset(), |e| e.updated);
    let feed_url = ctx.absolute(&ctx.path(path));
    let feed = Feed {
        title: Text::plain(title),
        id: feed_url.clone(),
        updated,
        authors: vec![author],
        generator: Some(Generator {
            value: "pnyx".to_string(),
            ..Generator::default()
        }),
        links: vec![
            link(feed_url, "self", Some("application/atom+xml")),
            link(ctx.absolute(page), "alternate", Some("text/html")),
        ],
        lang: Some(ctx.settings.config.language.code().to_string()),
        entries,
        ..Feed::default()
    };
    feed.to_string().into_bytes()
}
