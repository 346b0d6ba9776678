//! iCalendar (RFC 5545) files for meetings: one calendar per meeting page and
//! subscribable calendars of many events.
//!
//! The output is a pure function of the input (no clock, no randomness, no
//! hash-map order), so a rebuild of an unchanged site gives byte-identical files
//! and calendar apps do not see spurious updates.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz, TzOffset};

/// A whole VCALENDAR: its own properties and the events it carries.
#[derive(Debug, Clone)]
pub struct Calendar<'a> {
    /// X-WR-CALNAME and NAME (RFC 7986): what a calendar app shows for a subscription.
    pub name: &'a str,
    /// PRODID value, e.g. "-//pnyx//Conseil Citoyen de Toulouse//FR"
    pub prodid: &'a str,
    /// The site's time zone; every local time is written with TZID=<tz name> and one VTIMEZONE is included covering the years of the events.
    pub tz: Tz,
    /// REFRESH-INTERVAL / X-PUBLISHED-TTL hint, e.g. Some("PT6H") for subscriptions; None for a single event file.
    pub refresh: Option<&'a str>,
    /// METHOD:PUBLISH is always written.
    pub events: Vec<Event>,
}

/// One VEVENT. Times are local to [`Calendar::tz`], as the site's content states them.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable across builds (e.g. "meetings/slug@example.org"), so apps update rather than duplicate.
    pub uid: String,
    /// Local wall time in the calendar's time zone.
    pub start: NaiveDateTime,
    /// Local wall time in the calendar's time zone.
    pub end: NaiveDateTime,
    /// Title shown by calendar apps.
    pub summary: String,
    /// Free text; may contain newlines, written escaped.
    pub description: String,
    /// "Place, address"; omitted when `None` or empty.
    pub location: Option<String>,
    /// Latitude and longitude, written as `GEO:lat;lon`.
    pub geo: Option<(f64, f64)>,
    /// Absolute URL of the meeting's page.
    pub url: Option<String>,
    /// SEQUENCE: bumped by the caller when the meeting changes, so apps take the update.
    pub sequence: u32,
    /// LAST-MODIFIED, also used as DTSTAMP so the output does not depend on the build time.
    pub last_modified: DateTime<Utc>,
    /// CREATED, when known.
    pub created: Option<DateTime<Utc>>,
    /// STATUS, e.g. "CONFIRMED" or "CANCELLED".
    pub status: Option<&'static str>,
    /// CATEGORIES; each value is escaped, then they are comma-joined.
    pub categories: Vec<String>,
}

/// Longest physical line allowed by RFC 5545 3.1, in octets, CRLF excluded.
const MAX_LINE_OCTETS: usize = 75;

/// Local date-time format used by DTSTART/DTEND with TZID and by VTIMEZONE.
const LOCAL_FORMAT: &str = "%Y%m%dT%H%M%S";

/// UTC date-time format used by DTSTAMP, LAST-MODIFIED and CREATED.
const UTC_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// Renders the calendar as iCalendar text with CRLF line endings.
pub fn write(cal: &Calendar) -> String {
    let mut out = Lines::default();
    out.raw("BEGIN", "VCALENDAR");
    out.raw("VERSION", "2.0");
    out.text("PRODID", cal.prodid);
    out.raw("CALSCALE", "GREGORIAN");
    out.raw("METHOD", "PUBLISH");
    out.text("X-WR-CALNAME", cal.name);
    out.text("NAME", cal.name);
    out.raw("X-WR-TIMEZONE", cal.tz.name());
    if let Some(refresh) = cal.refresh {
        out.raw("REFRESH-INTERVAL;VALUE=DURATION", refresh);
        out.raw("X-PUBLISHED-TTL", refresh);
    }
    // A VTIMEZONE is only needed when some TZID refers to it.
    if let Some((first_year, last_year)) = event_years(&cal.events) {
        write_timezone(&mut out, cal.tz, first_year, last_year);
    }
    for event in &cal.events {
        write_event(&mut out, cal.tz, event);
    }
    out.raw("END", "VCALENDAR");
    out.finish()
}

/// Collects folded content lines.
#[derive(Default)]
struct Lines {
    text: String,
}

impl Lines {
    /// A property whose value is written as given, minus control characters
    /// (for non-TEXT values: URIs, dates, numbers, durations).
    fn raw(&mut self, name: &str, value: &str) {
        let value: String = value.chars().filter(|&c| !is_forbidden_control(c)).collect();
        self.push(&format!("{name}:{value}"));
    }

    /// A property of type TEXT, escaped per RFC 5545 3.3.11.
    fn text(&mut self, name: &str, value: &str) {
        self.push(&format!("{name}:{}", escape_text(value)));
    }

    fn push(&mut self, line: &str) {
        self.text.push_str(&fold(line));
    }

    fn finish(self) -> String {
        self.text
    }
}

fn write_event(out: &mut Lines, tz: Tz, event: &Event) {
    out.raw("BEGIN", "VEVENT");
    out.text("UID", &event.uid);
    out.raw("DTSTAMP", &utc_stamp(&event.last_modified));
    if let Some(created) = &event.created {
        out.raw("CREATED", &utc_stamp(created));
    }
    out.raw("LAST-MODIFIED", &utc_stamp(&event.last_modified));
    out.raw("SEQUENCE", &event.sequence.to_string());
    let tzid = tz.name();
    out.raw(&format!("DTSTART;TZID={tzid}"), &local_stamp(&event.start));
    out.raw(&format!("DTEND;TZID={tzid}"), &local_stamp(&event.end));
    out.text("SUMMARY", &event.summary);
    if !event.description.is_empty() {
        out.text("DESCRIPTION", &event.description);
    }
    if let Some(location) = event.location.as_deref().filter(|l| !l.is_empty()) {
        out.text("LOCATION", location);
    }
    if let Some(geo) = event.geo.and_then(geo_value) {
        out.raw("GEO", &geo);
    }
    if let Some(url) = &event.url {
        out.raw("URL", url);
    }
    if let Some(status) = event.status {
        out.raw("STATUS", status);
    }
    if !event.categories.is_empty() {
        let escaped: Vec<String> = event.categories.iter().map(|c| escape_text(c)).collect();
        out.raw("CATEGORIES", &escaped.join(","));
    }
    out.raw("END", "VEVENT");
}

fn utc_stamp(time: &DateTime<Utc>) -> String {
    time.format(UTC_FORMAT).to_string()
}

fn local_stamp(time: &NaiveDateTime) -> String {
    time.format(LOCAL_FORMAT).to_string()
}

/// `lat;lon` with six decimals (about 10 cm); `None` for NaN or infinities,
/// which have no iCalendar spelling.
fn geo_value((lat, lon): (f64, f64)) -> Option<String> {
    (lat.is_finite() && lon.is_finite()).then(|| format!("{lat:.6};{lon:.6}"))
}

/// Escapes a TEXT value (RFC 5545 3.3.11). Newlines (LF, CRLF or a lone CR)
/// become `\n`; other control characters, which TEXT forbids, are dropped.
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            c if is_forbidden_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Control characters that may not appear in a content line (RFC 5545 3.1: CONTROL
/// is every ASCII control except HTAB). Dropping them also keeps a stray newline
/// in a URL from starting a property of its own.
fn is_forbidden_control(c: char) -> bool {
    c.is_ascii_control() && c != '\t'
}

/// Folds one content line (RFC 5545 3.1) and ends it with CRLF: no physical line
/// exceeds 75 octets, continuations start with one space, and a fold never
/// splits a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 25 + 2);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1; // the leading space counts
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// First and last calendar years touched by the events, or `None` without events.
fn event_years(events: &[Event]) -> Option<(i32, i32)> {
    let years = events.iter().flat_map(|e| [e.start.year(), e.end.year()]);
    let first = years.clone().min()?;
    let last = years.max()?;
    Some((first, last))
}

/// One STANDARD or DAYLIGHT sub-component of a VTIMEZONE.
struct Observance {
    /// Wall time at which it begins, read in the offset in force before it.
    start: NaiveDateTime,
    /// Seconds east of UTC before and after.
    offset_from: i32,
    offset_to: i32,
    /// TZNAME, e.g. "CEST".
    name: String,
    daylight: bool,
}

fn write_timezone(out: &mut Lines, tz: Tz, first_year: i32, last_year: i32) {
    out.raw("BEGIN", "VTIMEZONE");
    out.raw("TZID", tz.name());
    for observance in observances(tz, first_year, last_year) {
        let kind = if observance.daylight {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        out.raw("BEGIN", kind);
        out.raw("DTSTART", &local_stamp(&observance.start));
        out.raw("TZOFFSETFROM", &format_offset(observance.offset_from));
        out.raw("TZOFFSETTO", &format_offset(observance.offset_to));
        out.text("TZNAME", &observance.name);
        out.raw("END", kind);
    }
    out.raw("END", "VTIMEZONE");
}

/// The observances covering `first_year - 1` to `last_year + 1`: one per offset
/// change found in chrono-tz's data, or, for a zone without any change in that
/// span, a single one stating its fixed offset since 1970.
fn observances(tz: Tz, first_year: i32, last_year: i32) -> Vec<Observance> {
    // iCalendar years have four digits; clamping also keeps the arithmetic
    // below far from chrono's limits.
    let span_start = year_start(first_year.saturating_sub(1).clamp(1, 9999));
    let span_end = year_start(last_year.saturating_add(2).clamp(1, 10000));
    let changes = offset_changes(tz, span_start, span_end);
    if changes.is_empty() {
        let offset = tz.offset_from_utc_datetime(&span_start);
        return vec![observance(year_start(1970), &offset, &offset)];
    }
    changes
        .iter()
        .map(|(at, before, after)| observance(wall_time_before(*at, before), before, after))
        .collect()
}

/// Midnight UTC on January 1st of `year`; `year` must be in 1..=10000.
fn year_start(year: i32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("years 1..=10000 are within chrono's range")
        .and_time(NaiveTime::MIN)
}

/// The UTC instants in `[start, end)` at which the zone's offset changes, to
/// the minute, with the offsets before and after. The span is sampled once a
/// day, then each change is located by bisection; two changes within one day
/// would be missed, but no zone of chrono-tz's data has any from 1970 to 2040.
fn offset_changes(
    tz: Tz,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Vec<(NaiveDateTime, TzOffset, TzOffset)> {
    let step = TimeDelta::days(1);
    let mut changes = Vec::new();
    let mut before_time = start;
    let mut before = tz.offset_from_utc_datetime(&start);
    while before_time < end {
        let after_time = before_time + step;
        let after = tz.offset_from_utc_datetime(&after_time);
        if after != before {
            let at = first_minute_with_new_offset(tz, before_time, after_time, &before);
            if at < end {
                changes.push((at, before, after));
            }
        }
        before_time = after_time;
        before = after;
    }
    changes
}

/// Bisects `(lo, hi]` for the first whole minute whose offset differs from
/// `old`, knowing `lo` has `old` and `hi` does not.
fn first_minute_with_new_offset(
    tz: Tz,
    mut lo: NaiveDateTime,
    mut hi: NaiveDateTime,
    old: &TzOffset,
) -> NaiveDateTime {
    while (hi - lo).num_minutes() > 1 {
        let mid = lo + TimeDelta::minutes((hi - lo).num_minutes() / 2);
        if tz.offset_from_utc_datetime(&mid) == *old {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The wall time at UTC instant `at` read in the offset in force before it:
/// the DTSTART of an observance (RFC 5545 3.6.5 wants the onset "in the
/// offset in effect before", so Paris springs forward at 02:00, not 03:00).
fn wall_time_before(at: NaiveDateTime, before: &TzOffset) -> NaiveDateTime {
    at + TimeDelta::seconds(i64::from(total_seconds(before)))
}

/// The observance starting at local wall time `start`, when the zone goes
/// from `before` to `after`.
fn observance(start: NaiveDateTime, before: &TzOffset, after: &TzOffset) -> Observance {
    let offset_to = total_seconds(after);
    let name = match after.abbreviation() {
        Some(name) => name.to_string(),
        None => format_offset(offset_to),
    };
    Observance {
        start,
        offset_from: total_seconds(before),
        offset_to,
        name,
        daylight: !after.dst_offset().is_zero(),
    }
}

fn total_seconds(offset: &TzOffset) -> i32 {
    offset.fix().local_minus_utc()
}

/// UTC-OFFSET value (RFC 5545 3.3.14): `+HHMM`, or `+HHMMSS` when seconds are nonzero.
fn format_offset(seconds_east: i32) -> String {
    let sign = if seconds_east < 0 { '-' } else { '+' };
    let total = seconds_east.unsigned_abs();
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    if seconds == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, 0))
            .expect("valid test date")
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        local(y, mo, d, h, mi).and_utc()
    }

    fn event(uid: &str, start: NaiveDateTime) -> Event {
        Event {
            uid: uid.to_string(),
            start,
            end: start + TimeDelta::hours(2),
            summary: "Assemblée plénière".to_string(),
            description: String::new(),
            location: None,
            geo: None,
            url: None,
            sequence: 0,
            last_modified: utc(2026, 1, 15, 9, 30),
            created: None,
            status: None,
            categories: Vec::new(),
        }
    }

    fn calendar(tz: Tz, events: Vec<Event>) -> Calendar<'static> {
        Calendar {
            name: "Conseil Citoyen de Toulouse",
            prodid: "-//pnyx//Conseil Citoyen de Toulouse//FR",
            tz,
            refresh: None,
            events,
        }
    }

    /// Physical lines, without their CRLF.
    fn physical_lines(text: &str) -> Vec<&str> {
        text.strip_suffix("\r\n")
            .expect("ends with CRLF")
            .split("\r\n")
            .collect()
    }

    /// Logical lines: physical lines with folds undone.
    fn unfolded_lines(text: &str) -> Vec<String> {
        physical_lines(&text.replace("\r\n ", ""))
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// The logical lines between `BEGIN:<component>` and its END, inclusive (first occurrence).
    fn component(text: &str, name: &str) -> Vec<String> {
        let lines = unfolded_lines(text);
        let begin = lines
            .iter()
            .position(|l| *l == format!("BEGIN:{name}"))
            .expect("component present");
        let end = begin
            + lines[begin..]
                .iter()
                .position(|l| *l == format!("END:{name}"))
                .expect("component closed");
        lines[begin..=end].to_vec()
    }

    /// The (DTSTART, TZOFFSETFROM, TZOFFSETTO, TZNAME, kind) of each observance.
    fn observance_lines(text: &str) -> Vec<[String; 5]> {
        let vtimezone = component(text, "VTIMEZONE");
        let value = |lines: &[String], key: &str| {
            lines
                .iter()
                .find_map(|l| l.strip_prefix(&format!("{key}:")).map(str::to_string))
                .expect("property present")
        };
        vtimezone
            .split(|l| l == "BEGIN:STANDARD" || l == "BEGIN:DAYLIGHT")
            .skip(1)
            .map(|lines| {
                let kind = lines
                    .iter()
                    .find_map(|l| l.strip_prefix("END:"))
                    .expect("observance closed")
                    .to_string();
                [
                    value(lines, "DTSTART"),
                    value(lines, "TZOFFSETFROM"),
                    value(lines, "TZOFFSETTO"),
                    value(lines, "TZNAME"),
                    kind,
                ]
            })
            .collect()
    }

    fn obs(start: &str, from: &str, to: &str, name: &str, kind: &str) -> [String; 5] {
        [start, from, to, name, kind].map(str::to_string)
    }

    #[test]
    fn calendar_starts_with_required_header_and_ends_with_end_vcalendar() {
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![]));
        assert!(text.starts_with(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
             PRODID:-//pnyx//Conseil Citoyen de Toulouse//FR\r\n\
             CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
        ));
        assert!(text.ends_with("\r\nEND:VCALENDAR\r\n"));
    }

    #[test]
    fn every_line_ends_with_crlf() {
        let mut e = event("a@example.org", local(2026, 6, 1, 18, 0));
        e.description = "une\ndeux\r\ntrois\rquatre".to_string();
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![e]));
        assert!(text.ends_with("\r\n"));
        assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
        assert_eq!(text.matches('\r').count(), text.matches("\r\n").count());
    }

    #[test]
    fn fold_keeps_lines_within_75_octets_without_splitting_utf8() {
        let line = format!(
            "DESCRIPTION:{}",
            "Réunion publique à l'hôtel de ville : écoute, débat, décisions élaborées \
             ensemble — où chacun peut s'exprimer 🗳️ ; même les élèves du collège \
             Éléonore-Côté participent à l'assemblée générale. "
                .repeat(4)
        );
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        let physical = physical_lines(&folded);
        assert!(physical.len() > 5);
        for (i, part) in physical.iter().enumerate() {
            assert!(part.len() <= 75, "line {i} has {} octets", part.len());
            assert!(std::str::from_utf8(part.as_bytes()).is_ok());
            assert_eq!(i > 0, part.starts_with(' '), "line {i}");
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("{line}\r\n"));
    }

    #[test]
    fn fold_breaks_before_a_multibyte_character_that_would_cross_the_limit() {
        // 73 ASCII octets, then a 4-byte emoji: 77 octets would not fit.
        let line = format!("{}🗳x", "a".repeat(73));
        assert_eq!(fold(&line), format!("{}\r\n 🗳x\r\n", "a".repeat(73)));
    }

    #[test]
    fn fold_leaves_a_line_of_exactly_75_octets_alone() {
        let line = "x".repeat(75);
        assert_eq!(fold(&line), format!("{line}\r\n"));
        let longer = "x".repeat(76);
        assert_eq!(fold(&longer), format!("{}\r\n x\r\n", "x".repeat(75)));
    }

    #[test]
    fn continuation_lines_hold_at_most_74_octets() {
        let folded = fold(&"y".repeat(75 + 74 + 74 + 3));
        let lengths: Vec<usize> = physical_lines(&folded).iter().map(|l| l.len()).collect();
        assert_eq!(lengths, [75, 75, 75, 4]);
    }

    #[test]
    fn text_escapes_backslash_semicolon_comma_and_newlines() {
        assert_eq!(escape_text("a, b; c\\d\nligne 2"), "a\\, b\\; c\\\\d\\nligne 2");
        assert_eq!(escape_text("un\r\ndeux\rtrois"), "un\\ndeux\\ntrois");
    }

    #[test]
    fn text_keeps_colons_and_tabs_but_drops_other_controls() {
        assert_eq!(
            escape_text("Ordre du jour : budget\t2027"),
            "Ordre du jour : budget\t2027"
        );
        assert_eq!(escape_text("a\u{0}b\u{1b}c\u{7f}d"), "abcd");
    }

    #[test]
    fn url_is_not_text_escaped_but_cannot_break_the_line() {
        let mut e = event("a@example.org", local(2026, 6, 1, 18, 0));
        e.url = Some("https://example.org/r?a=1,2;b=3\r\nX-EVIL:1".to_string());
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![e]));
        let lines = unfolded_lines(&text);
        assert!(lines.contains(&"URL:https://example.org/r?a=1,2;b=3X-EVIL:1".to_string()));
        assert!(!lines.iter().any(|l| l.starts_with("X-EVIL")));
    }

    #[test]
    fn event_times_use_tzid_and_stamps_use_utc() {
        let mut e = event("a@example.org", local(2026, 12, 12, 14, 0));
        e.created = Some(utc(2025, 11, 2, 8, 5));
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![e]));
        let lines = unfolded_lines(&text);
        for expected in [
            "DTSTART;TZID=Europe/Paris:20261212T140000",
            "DTEND;TZID=Europe/Paris:20261212T160000",
            "DTSTAMP:20260115T093000Z",
            "LAST-MODIFIED:20260115T093000Z",
            "CREATED:20251102T080500Z",
        ] {
            assert!(lines.contains(&expected.to_string()), "missing {expected}");
        }
    }

    #[test]
    fn vevent_properties_come_in_a_fixed_order() {
        let mut e = event("meetings/pleniere@example.org", local(2026, 6, 1, 18, 0));
        e.created = Some(utc(2025, 12, 1, 0, 0));
        e.description = "Ordre du jour".to_string();
        e.location = Some("Salle des fêtes, 1 place du Capitole".to_string());
        e.geo = Some((43.6045, 1.444));
        e.url = Some("https://example.org/meetings/pleniere/".to_string());
        e.sequence = 3;
        e.status = Some("CONFIRMED");
        e.categories = vec!["Assemblée".to_string()];
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![e]));
        let names: Vec<String> = component(&text, "VEVENT")
            .iter()
            .map(|l| l.split([':', ';']).next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "BEGIN",
                "UID",
                "DTSTAMP",
                "CREATED",
                "LAST-MODIFIED",
                "SEQUENCE",
                "DTSTART",
                "DTEND",
                "SUMMARY",
                "DESCRIPTION",
                "LOCATION",
                "GEO",
                "URL",
                "STATUS",
                "CATEGORIES",
                "END",
            ]
        );
    }

    #[test]
    fn optional_event_properties_are_left_out_when_absent() {
        let mut e = event("a@example.org", local(2026, 6, 1, 18, 0));
        e.location = Some(String::new());
        e.geo = Some((f64::NAN, 1.0));
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![e]));
        for absent in [
            "CREATED",
            "DESCRIPTION",
            "LOCATION",
            "GEO",
            "URL",
            "STATUS",
            "CATEGORIES",
        ] {
            assert!(
                !component(&text, "VEVENT").iter().any(|l| l.starts_with(absent)),
                "{absent} should be absent"
            );
        }
        assert!(unfolded_lines(&text).contains(&"SEQUENCE:0".to_string()));
    }

    #[test]
    fn geo_is_latitude_then_longitude_with_six_decimals() {
        assert_eq!(geo_value((43.6045, 1.444)).as_deref(), Some("43.604500;1.444000"));
        assert_eq!(
            geo_value((-33.8688197, 151.20929)).as_deref(),
            Some("-33.868820;151.209290")
        );
        assert_eq!(geo_value((1.0, f64::INFINITY)), None);
    }

    #[test]
    fn categories_are_escaped_then_comma_joined() {
        let mut e = event("a@example.org", local(2026, 6, 1, 18, 0));
        e.categories = vec!["Urbanisme, voirie".to_string(), "Budget".to_string()];
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![e]));
        assert!(unfolded_lines(&text).contains(&"CATEGORIES:Urbanisme\\, voirie,Budget".to_string()));
    }

    #[test]
    fn calendar_names_and_time_zone_hint_are_written() {
        let mut cal = calendar(chrono_tz::Europe::Paris, vec![]);
        cal.name = "Réunions, quartier Nord";
        let lines = unfolded_lines(&write(&cal));
        assert!(lines.contains(&"X-WR-CALNAME:Réunions\\, quartier Nord".to_string()));
        assert!(lines.contains(&"NAME:Réunions\\, quartier Nord".to_string()));
        assert!(lines.contains(&"X-WR-TIMEZONE:Europe/Paris".to_string()));
    }

    #[test]
    fn refresh_hint_is_written_only_when_given() {
        let mut cal = calendar(chrono_tz::Europe::Paris, vec![]);
        assert!(!write(&cal).contains("REFRESH-INTERVAL"));
        assert!(!write(&cal).contains("X-PUBLISHED-TTL"));
        cal.refresh = Some("PT6H");
        let lines = unfolded_lines(&write(&cal));
        assert!(lines.contains(&"REFRESH-INTERVAL;VALUE=DURATION:PT6H".to_string()));
        assert!(lines.contains(&"X-PUBLISHED-TTL:PT6H".to_string()));
    }

    #[test]
    fn calendar_without_events_has_no_vtimezone() {
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![]));
        assert!(!text.contains("VTIMEZONE"));
        assert!(!text.contains("VEVENT"));
        assert!(text.ends_with("X-WR-TIMEZONE:Europe/Paris\r\nEND:VCALENDAR\r\n"));
    }

    #[test]
    fn vtimezone_covers_the_year_before_and_after_the_events() {
        let e = event("a@example.org", local(2026, 6, 1, 18, 0));
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![e]));
        let starts: Vec<String> = observance_lines(&text).into_iter().map(|[s, ..]| s).collect();
        assert_eq!(
            starts,
            [
                "20250330T020000",
                "20251026T030000",
                "20260329T020000",
                "20261025T030000",
                "20270328T020000",
                "20271031T030000",
            ]
        );
    }

    #[test]
    fn vtimezone_handles_negative_offsets() {
        let e = event("a@example.org", local(2026, 6, 1, 18, 0));
        let text = write(&calendar(chrono_tz::America::New_York, vec![e]));
        let observances = observance_lines(&text);
        assert_eq!(
            observances[2],
            obs("20260308T020000", "-0500", "-0400", "EDT", "DAYLIGHT")
        );
        assert_eq!(
            observances[3],
            obs("20261101T020000", "-0400", "-0500", "EST", "STANDARD")
        );
    }

    #[test]
    fn vtimezone_of_a_zone_without_transitions_has_one_fixed_standard() {
        for (tz, offset, name) in [
            (chrono_tz::UTC, "+0000", "UTC"),
            (chrono_tz::Asia::Tokyo, "+0900", "JST"),
        ] {
            let e = event("a@example.org", local(2026, 6, 1, 18, 0));
            let text = write(&calendar(tz, vec![e]));
            assert_eq!(
                observance_lines(&text),
                [obs("19700101T000000", offset, offset, name, "STANDARD")],
                "{tz}"
            );
        }
    }

    #[test]
    fn offsets_are_written_as_hours_and_minutes_with_sign() {
        assert_eq!(format_offset(0), "+0000");
        assert_eq!(format_offset(7200), "+0200");
        assert_eq!(format_offset(-(3 * 3600 + 30 * 60)), "-0330");
        assert_eq!(format_offset(5 * 3600 + 45 * 60), "+0545");
        assert_eq!(format_offset(561), "+000921");
    }

    #[test]
    fn two_event_paris_calendar_has_timezone_escaping_geo_and_stable_output() {
        let mut summer = event("meetings/ete@example.org", local(2026, 7, 8, 18, 30));
        summer.description = "a, b; c\\d\nligne 2".to_string();
        summer.geo = Some((43.6045, 1.444));
        let winter = event("meetings/hiver@example.org", local(2026, 12, 12, 14, 0));
        let cal = calendar(chrono_tz::Europe::Paris, vec![summer, winter]);
        let text = write(&cal);

        let observances = observance_lines(&text);
        assert!(observances.contains(&obs("20260329T020000", "+0100", "+0200", "CEST", "DAYLIGHT")));
        assert!(observances.contains(&obs("20261025T030000", "+0200", "+0100", "CET", "STANDARD")));

        let lines = unfolded_lines(&text);
        assert!(lines.contains(&"DESCRIPTION:a\\, b\\; c\\\\d\\nligne 2".to_string()));
        assert!(lines.contains(&"GEO:43.604500;1.444000".to_string()));
        assert!(lines.contains(&"DTSTART;TZID=Europe/Paris:20260708T183000".to_string()));
        assert!(lines.contains(&"DTSTART;TZID=Europe/Paris:20261212T140000".to_string()));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1);

        assert_eq!(write(&cal), text);
    }

    #[test]
    fn events_keep_the_order_given() {
        let later = event("b@example.org", local(2026, 9, 1, 18, 0));
        let earlier = event("a@example.org", local(2026, 3, 1, 18, 0));
        let text = write(&calendar(chrono_tz::Europe::Paris, vec![later, earlier]));
        let uids: Vec<String> = unfolded_lines(&text)
            .into_iter()
            .filter(|l| l.starts_with("UID:"))
            .collect();
        assert_eq!(uids, ["UID:b@example.org", "UID:a@example.org"]);
    }
}
