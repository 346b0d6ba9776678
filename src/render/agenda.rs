//! The agenda's parts: the stands where an initiative's signatures are collected in person,
//! and where each meeting's and stand's calendar file lives (written by `calendars.rs`). The
//! meetings page itself is [`super::views::AgendaView`].

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use crate::content::values::Moment;
use crate::content::{CollectionPoint, Item, Kind};

use super::context::{Ctx, GroupLink, Link, PoleRef};

/// The calendar of one meeting.
pub fn meeting_ics(slug: &str) -> String {
    format!("calendar/meetings/{slug}.ics")
}

/// The calendar of one collection point: the initiative and the local start, which stay the
/// same when the points of an initiative are reordered.
pub fn point_ics(initiative: &str, start: &NaiveDateTime) -> String {
    format!("calendar/collection/{initiative}-{}.ics", point_stamp(start))
}

/// `20261128t1000`: a collection point's start, in its id and file name.
pub fn point_stamp(start: &NaiveDateTime) -> String {
    start.format("%Y%m%dt%H%M").to_string()
}

/// Every meeting and collection point, as subscribable calendars.
pub const ALL_ICS: &str = "calendar/all.ics";

/// A pole's meetings and collection points.
pub fn pole_ics(slug: &str) -> String {
    format!("calendar/poles/{slug}.ics")
}

/// A working group's.
pub fn group_ics(slug: &str) -> String {
    format!("calendar/groups/{slug}.ics")
}

/// A stand where an initiative's signatures are collected, on the agenda.
#[derive(Debug, Clone, Serialize)]
pub struct PointView {
    /// Anchor on the initiative's page and the agenda: `collecte-20261128t1000`.
    pub id: String,
    /// The initiative it collects for.
    pub initiative: Link,
    /// Its pole.
    pub pole: Option<PoleRef>,
    /// Its working group.
    pub group: Option<GroupLink>,
    /// Place.
    pub place: String,
    /// Address.
    pub address: Option<String>,
    /// "samedi 28 novembre 2026, 10 h – 13 h".
    pub when: String,
    /// ISO start, for `<time>`.
    pub start_iso: String,
    /// Day of the month, for the calendar badge.
    pub day: u32,
    /// Short month.
    pub month: String,
    /// OpenStreetMap link.
    pub map_url: Option<String>,
    /// Its calendar file.
    pub ics_url: String,
    #[serde(skip)]
    pub(super) start_at: DateTime<Utc>,
    #[serde(skip)]
    pub(super) end_at: DateTime<Utc>,
}

/// The collection points of `item`, for its page and the agenda.
pub fn points(ctx: &Ctx<'_>, item: &Item<crate::content::Initiative>) -> Vec<PointView> {
    let m = &item.meta;
    let pole = ctx.pole(&m.pole);
    let group = ctx.group_link(m.group.as_ref());
    let initiative = Link {
        title: m.title.clone(),
        url: ctx.url(Kind::Initiatives, &item.slug),
    };
    m.collection_points
        .iter()
        .map(|p| point(ctx, item, p, &initiative, &pole, &group))
        .collect()
}

fn point(
    ctx: &Ctx<'_>,
    item: &Item<crate::content::Initiative>,
    p: &CollectionPoint,
    initiative: &Link,
    pole: &Option<PoleRef>,
    group: &Option<GroupLink>,
) -> PointView {
    let start = p.start.start(ctx.tz());
    let end = end_of(&p.start, p.end.as_ref(), ctx);
    let d = start.date_naive();
    let local = start.naive_local();
    PointView {
        id: format!("collecte-{}", point_stamp(&local)),
        initiative: initiative.clone(),
        pole: pole.clone(),
        group: group.clone(),
        place: p.place.clone(),
        address: p.address.clone(),
        when: ctx.theme.calendar.span(&p.start, p.end.as_ref(), ctx.tz()),
        start_iso: start.to_rfc3339(),
        day: chrono::Datelike::day(&d),
        month: ctx.theme.calendar.short_month(d),
        map_url: Ctx::map_url(p.geo),
        ics_url: ctx.path(&point_ics(&item.slug, &local)),
        start_at: start.with_timezone(&Utc),
        end_at: end,
    }
}

/// When something that starts at `start` ends: its `end`, else two hours later.
pub(super) fn end_of(start: &Moment, end: Option<&Moment>, ctx: &Ctx<'_>) -> DateTime<Utc> {
    let start = start.start(ctx.tz());
    end.map(|e| e.start(ctx.tz()))
        .unwrap_or_else(|| start + chrono::Duration::hours(2))
        .with_timezone(&Utc)
}
