//! Typed values of the front matter whose form serde alone cannot check: colors, dates,
//! quorums, thresholds, URLs, vote options.
//!
//! Each parses inside a serde visitor, so that a bad value is reported by serde_yaml at its
//! own line and column, with the key path (`collection_points[1].start: …`).

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// Implements `Deserialize` for a type built from a string by `$parse`, which returns
/// `Result<Self, String>`; `$expecting` completes "expected …".
macro_rules! from_str_visitor {
    ($ty:ty, $expecting:literal, $parse:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                        let parse: fn(&str) -> Result<$ty, String> = $parse;
                        parse(s).map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

/// A `#rrggbb` color.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Color(pub String);

impl Color {
    /// Red, green, blue in 0..=255.
    pub fn rgb(&self) -> (u8, u8, u8) {
        let h = |i: usize| u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0);
        (h(1), h(3), h(5))
    }

    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(&self) -> f64 {
        let (r, g, b) = self.rgb();
        let lin = |c: u8| {
            let c = c as f64 / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// Black or white, whichever reads better on this color.
    pub fn text_color(&self) -> &'static str {
        let l = self.luminance();
        // Contrast with white is 1.05 / (l + 0.05); with black (l + 0.05) / 0.05.
        if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 {
            "#ffffff"
        } else {
            "#111111"
        }
    }
}

from_str_visitor!(Color, "a color written `#rrggbb`", |s| {
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(Color(s.to_ascii_lowercase()))
    } else {
        Err(format!(
            "invalid color `{s}`: write it `#rrggbb`, in quotes (\"#1f6feb\")"
        ))
    }
});

/// A date, or a date and time, as written in the front matter (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// `2026-12-01`: a whole day.
    Date(NaiveDate),
    /// `2026-12-01T18:30`: a local time in the site's time zone.
    Local(NaiveDateTime),
    /// `2026-12-01T18:30:00+01:00`: an exact instant.
    Fixed(DateTime<FixedOffset>),
}

impl Moment {
    /// Parses ISO 8601 forms: date, local date-time, date-time with offset or `Z`.
    pub fn parse(s: &str) -> Result<Moment, String> {
        let s = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(Moment::Date(d));
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Moment::Fixed(t));
        }
        for fmt in [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
                return Ok(Moment::Local(t));
            }
        }
        for fmt in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z", "%Y-%m-%d %H:%M:%S%:z"] {
            if let Ok(t) = DateTime::parse_from_str(s, fmt) {
                return Ok(Moment::Fixed(t));
            }
        }
        Err(format!(
            "invalid date `{s}`: write `2026-12-01`, or `2026-12-01T18:30:00+01:00` with a time"
        ))
    }

    /// True when a time of day was given.
    pub fn has_time(&self) -> bool {
        !matches!(self, Moment::Date(_))
    }

    /// The first instant this moment designates, in `tz` (midnight for a whole day).
    pub fn start<Tz: TimeZone>(&self, tz: &Tz) -> DateTime<Tz> {
        match self {
            Moment::Date(d) => local(tz, d.and_time(NaiveTime::MIN)),
            Moment::Local(t) => local(tz, *t),
            Moment::Fixed(t) => t.with_timezone(tz),
        }
    }

    /// The last instant: the end of the day for a whole day (so that `closes: 2026-12-01`
    /// still accepts signatures on December 1st), the instant itself otherwise.
    pub fn end<Tz: TimeZone>(&self, tz: &Tz) -> DateTime<Tz> {
        match self {
            Moment::Date(d) => {
                let next = d.succ_opt().unwrap_or(*d).and_time(NaiveTime::MIN);
                local(tz, next) - chrono::Duration::seconds(1)
            }
            _ => self.start(tz),
        }
    }

    /// The calendar day in `tz`.
    pub fn date<Tz: TimeZone>(&self, tz: &Tz) -> NaiveDate {
        match self {
            Moment::Date(d) => *d,
            _ => self.start(tz).date_naive(),
        }
    }
}

/// A local time in `tz`; in a DST gap, the first valid instant after it.
fn local<Tz: TimeZone>(tz: &Tz, t: NaiveDateTime) -> DateTime<Tz> {
    let mut t = t;
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt;
        }
        t += chrono::Duration::minutes(30);
    }
    tz.from_utc_datetime(&t)
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Moment::Local(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S")),
            Moment::Fixed(t) => write!(f, "{}", t.to_rfc3339()),
        }
    }
}

from_str_visitor!(
    Moment,
    "a date such as 2026-12-01 or 2026-12-01T18:30:00+01:00",
    Moment::parse
);

/// An http(s) URL from the front matter. Checked here because Tera does not check URL
/// schemes: a `javascript:` link must never reach a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(pub String);

from_str_visitor!(HttpUrl, "an https:// address", |s| {
    let s = s.trim();
    let ok = (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>');
    if ok {
        Ok(HttpUrl(s.to_string()))
    } else {
        Err(format!(
            "invalid address `{s}`: only https:// or http:// links are accepted"
        ))
    }
});

/// A share written as a percentage (`"50 %"`), a fraction (`"2/3"`) or a decimal (`0.5`),
/// kept exact as a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    /// Numerator.
    pub num: u64,
    /// Denominator, never zero.
    pub den: u64,
}

impl Ratio {
    /// Parses `50 %`, `50%`, `66.5 %`, `2/3`, `0.5`.
    pub fn parse(s: &str) -> Result<Ratio, String> {
        let t = s.trim();
        let bad = || format!("invalid share `{s}`: write a percentage (\"50 %\") or a fraction (\"2/3\")");
        let r = if let Some(p) = t.strip_suffix('%') {
            let (num, den) = decimal(p.trim()).ok_or_else(bad)?;
            Ratio { num, den: den * 100 }
        } else if let Some((a, b)) = t.split_once('/') {
            let num = a.trim().parse().map_err(|_| bad())?;
            let den = b.trim().parse().map_err(|_| bad())?;
            Ratio { num, den }
        } else {
            let (num, den) = decimal(t).ok_or_else(bad)?;
            Ratio { num, den }
        };
        if r.den == 0 || r.num > r.den {
            return Err(format!("invalid share `{s}`: it must lie between 0 and 100 %"));
        }
        Ok(r)
    }

    /// The share as a float, for display only.
    pub fn as_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The share in percent, at most two decimals, for display.
    pub fn percent_text(&self) -> String {
        let p = self.as_f64() * 100.0;
        let s = format!("{p:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

/// `12.5` → (125, 10).
fn decimal(s: &str) -> Option<(u64, u64)> {
    let (int, frac) = s.split_once(['.', ',']).unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = format!("{int}{frac}");
    if !digits.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
        return None;
    }
    Some((digits.parse().ok()?, 10u64.pow(frac.len() as u32)))
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ratio;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a share such as \"50 %\" or \"2/3\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Ratio, E> {
                Ratio::parse(s).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Ratio, E> {
                Ratio::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ratio, E> {
                Ratio::parse(&v.to_string()).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A quorum: a number of ballots, or a share of the members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    /// At least this many ballots.
    Ballots(u64),
    /// At least this share of the members.
    Share(Ratio),
}

impl<'de> Deserialize<'de> for Quorum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Quorum;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of ballots (10) or a share of members (\"20 %\")")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quorum, E> {
                Ok(Quorum::Ballots(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quorum, E> {
                Err(E::custom(format!("invalid quorum {v}: it cannot be negative")))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Quorum, E> {
                if let Ok(n) = s.trim().parse() {
                    return Ok(Quorum::Ballots(n));
                }
                Ratio::parse(s).map(Quorum::Share).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// One option of a vote: an id used in ballots, and the label shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteOption {
    /// Written in ballots: `[a-z0-9-]+`.
    pub id: String,
    /// Shown on the page.
    pub label: String,
}

impl<'de> Deserialize<'de> for VoteOption {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            id: String,
            label: String,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = VoteOption;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an option id (`yes`) or a map `{id: yes, label: \"Oui\"}`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<VoteOption, E> {
                check_option_id(s).map_err(E::custom)?;
                Ok(VoteOption {
                    id: s.to_string(),
                    label: s.to_string(),
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<VoteOption, A::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                check_option_id(&full.id).map_err(de::Error::custom)?;
                Ok(VoteOption {
                    id: full.id,
                    label: full.label,
                })
            }
        }
        d.deserialize_any(V)
    }
}

fn check_option_id(s: &str) -> Result<(), String> {
    if crate::slug::is_valid(s) {
        Ok(())
    } else {
        Err(format!(
            "invalid option id `{s}`: use only a-z, 0-9 and `-` (it is written in ballots), and give a `label` for display"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_in_every_iso_form() {
        assert!(matches!(Moment::parse("2026-12-01"), Ok(Moment::Date(_))));
        assert!(matches!(Moment::parse("2026-12-01T18:30"), Ok(Moment::Local(_))));
        assert!(matches!(
            Moment::parse("2026-12-01T18:30:00+01:00"),
            Ok(Moment::Fixed(_))
        ));
        assert!(matches!(
            Moment::parse("2026-12-01T17:30:00Z"),
            Ok(Moment::Fixed(_))
        ));
        assert!(Moment::parse("2026-13-01").is_err());
        assert!(Moment::parse("01/12/2026").is_err());
    }

    #[test]
    fn a_closing_day_lasts_until_its_end() {
        let tz = chrono_tz::Europe::Paris;
        let m = Moment::parse("2026-12-01").unwrap();
        assert_eq!(m.end(&tz).to_rfc3339(), "2026-12-01T23:59:59+01:00");
        assert_eq!(m.start(&tz).to_rfc3339(), "2026-12-01T00:00:00+01:00");
    }

    #[test]
    fn parses_shares_exactly() {
        assert_eq!(Ratio::parse("50 %").unwrap().as_f64(), 0.5);
        assert_eq!(Ratio::parse("2/3").unwrap(), Ratio { num: 2, den: 3 });
        assert_eq!(Ratio::parse("66.5%").unwrap().percent_text(), "66.5");
        assert!(Ratio::parse("150 %").is_err());
        assert!(Ratio::parse("1/0").is_err());
        assert!(Ratio::parse("half").is_err());
    }

    #[test]
    fn colors_choose_a_readable_text() {
        assert_eq!(Color("#ffffff".into()).text_color(), "#111111");
        assert_eq!(Color("#1b4f8a".into()).text_color(), "#ffffff");
    }
}
