//! Calendar files (RFC 5545, written by `ics.rs`): one per meeting and per collection point,
//! to add to one's agenda, and subscribable calendars of everything, of each pole and of each
//! working group. An event's UID stays the same from build to build; its SEQUENCE counts the
//! commits that changed its file and LAST-MODIFIED is the last of them, so a calendar app
//! updates an event it already has instead of adding it twice.

use chrono::{DateTime, TimeZone, Utc};

use crate::content::{Initiative, Item, Meeting};

use super::agenda::{self, PointView};
use super::context::Ctx;
use super::ics::{self, Calendar, Event};
use super::views::{MeetingView, Views};

/// One event with what decides which calendars it goes in.
struct Entry {
    event: Event,
    pole: Option<String>,
    group: Option<String>,
}

/// Every calendar file of the site: path → bytes.
pub fn files(ctx: &Ctx<'_>, v: &Views) -> Vec<(String, Vec<u8>)> {
    let c = ctx.content;
    let mut entries: Vec<Entry> = Vec::new();
    let mut out = Vec::new();
    for view in &v.meetings {
        let Some(item) = c.meetings.get(&view.slug) else {
            continue;
        };
        let event = meeting_event(ctx, item, view);
        out.push((
            agenda::meeting_ics(&view.slug),
            one(ctx, &view.title, event.clone()),
        ));
        entries.push(Entry {
            event,
            pole: view.pole.as_ref().map(|p| p.slug.clone()),
            group: item.meta.group.clone(),
        });
    }
    for item in c.initiatives.values() {
        for (point, view) in item.meta.collection_points.iter().zip(agenda::points(ctx, item)) {
            let event = point_event(ctx, item, point, &view);
            let local = point.start.start(ctx.tz()).naive_local();
            out.push((
                agenda::point_ics(&item.slug, &local),
                one(ctx, &event.summary, event.clone()),
            ));
            entries.push(Entry {
                event,
                pole: Some(item.meta.pole.clone()),
                group: item.meta.group.clone(),
            });
        }
    }
    // Subscriptions list events by start, then UID: the same order in every build.
    entries.sort_by(|a, b| (a.event.start, &a.event.uid).cmp(&(b.event.start, &b.event.uid)));
    let site = &ctx.settings.config.title;
    let name = |what: &str| {
        ctx.t("calendar_name")
            .replace("{site}", site)
            .replace("{what}", what)
    };
    out.push((
        agenda::ALL_ICS.to_string(),
        many(ctx, &name(&ctx.t("calendar_all")), entries.iter()),
    ));
    for pole in c.poles.values() {
        let of_pole = entries
            .iter()
            .filter(|e| e.pole.as_deref() == Some(pole.slug.as_str()));
        out.push((
            agenda::pole_ics(&pole.slug),
            many(ctx, &name(&pole.meta.title), of_pole),
        ));
    }
    for group in c.groups.values() {
        let of_group = entries
            .iter()
            .filter(|e| e.group.as_deref() == Some(group.slug.as_str()));
        out.push((
            agenda::group_ics(&group.slug),
            many(ctx, &name(&group.meta.title), of_group),
        ));
    }
    out
}

fn calendar<'a>(
    ctx: &'a Ctx<'_>,
    name: &'a str,
    prodid: &'a str,
    events: Vec<Event>,
    refresh: bool,
) -> Calendar<'a> {
    Calendar {
        name,
        prodid,
        tz: *ctx.tz(),
        refresh: refresh.then_some("PT6H"),
        events,
    }
}

fn prodid(ctx: &Ctx<'_>) -> String {
    format!(
        "-//pnyx//{}//{}",
        ctx.settings.config.title,
        ctx.settings.config.language.code().to_uppercase()
    )
}

/// A calendar of one event, to add to one's agenda.
fn one(ctx: &Ctx<'_>, name: &str, event: Event) -> Vec<u8> {
    let prodid = prodid(ctx);
    ics::write(&calendar(ctx, name, &prodid, vec![event], false)).into_bytes()
}

/// A calendar to subscribe to.
fn many<'e>(ctx: &Ctx<'_>, name: &str, entries: impl Iterator<Item = &'e Entry>) -> Vec<u8> {
    let prodid = prodid(ctx);
    let events = entries.map(|e| e.event.clone()).collect();
    ics::write(&calendar(ctx, name, &prodid, events, true)).into_bytes()
}

/// SEQUENCE, CREATED and LAST-MODIFIED of an event from its file's history; outside git, the
/// build's reference time.
fn times(ctx: &Ctx<'_>, path: &str) -> (u32, Option<DateTime<Utc>>, DateTime<Utc>) {
    let at = |ts: i64| Utc.timestamp_opt(ts, 0).single().unwrap_or(ctx.now);
    match ctx.file_times(path) {
        Some(t) => (
            u32::try_from(t.changes).unwrap_or(u32::MAX),
            Some(at(t.created)),
            at(t.modified),
        ),
        None => (0, None, ctx.now),
    }
}

fn location(place: &str, address: Option<&str>) -> String {
    match address {
        Some(a) if !a.trim().is_empty() => format!("{place}, {a}"),
        _ => place.to_string(),
    }
}

fn meeting_event(ctx: &Ctx<'_>, item: &Item<Meeting>, view: &MeetingView) -> Event {
    let m = &item.meta;
    let start = m.start.start(ctx.tz());
    let end = agenda::end_of(&m.start, m.end.as_ref(), ctx).with_timezone(ctx.tz());
    let (sequence, created, last_modified) = times(ctx, &item.path.to_string_lossy());
    let url = ctx.absolute(&view.url);
    let mut description = view.summary.clone();
    if let Some(online) = &view.online {
        description.push_str(&format!("\n\n{} {online}", ctx.t("calendar_online")));
    }
    description.push_str(&format!("\n\n{url}"));
    let mut categories: Vec<String> = view.pole.iter().map(|p| p.title.clone()).collect();
    categories.extend(view.group.iter().map(|g| g.title.clone()));
    Event {
        uid: format!("meetings/{}@{}", item.slug, ctx.host()),
        start: start.naive_local(),
        end: end.naive_local(),
        summary: m.title.clone(),
        description,
        location: Some(location(&m.place.name, m.place.address.as_deref())),
        geo: m.geo.map(|[lat, lon]| (lat, lon)),
        url: Some(url),
        sequence,
        last_modified,
        created,
        status: Some("CONFIRMED"),
        categories,
    }
}

fn point_event(
    ctx: &Ctx<'_>,
    item: &Item<Initiative>,
    point: &crate::content::CollectionPoint,
    view: &PointView,
) -> Event {
    let start = point.start.start(ctx.tz());
    let end = agenda::end_of(&point.start, point.end.as_ref(), ctx).with_timezone(ctx.tz());
    let (sequence, created, last_modified) = times(ctx, &item.path.to_string_lossy());
    let url = ctx.absolute(&format!("{}#{}", view.initiative.url, view.id));
    let summary = ctx.md(&item.body).summary;
    let mut categories: Vec<String> = view.pole.iter().map(|p| p.title.clone()).collect();
    categories.extend(view.group.iter().map(|g| g.title.clone()));
    Event {
        uid: format!(
            "collection/{}/{}@{}",
            item.slug,
            agenda::point_stamp(&start.naive_local()),
            ctx.host()
        ),
        start: start.naive_local(),
        end: end.naive_local(),
        summary: ctx.t("collection_event").replace("{title}", &item.meta.title),
        description: format!("{}\n\n{url}", summary),
        location: Some(location(&point.place, point.address.as_deref())),
        geo: point.geo.map(|[lat, lon]| (lat, lon)),
        url: Some(url),
        sequence,
        last_modified,
        created,
        status: Some("CONFIRMED"),
        categories,
    }
}
