//! Dates and times in words, in the site's language and time zone:
//! "mardi 15 septembre 2026, 14\u{a0}h" / "Tuesday 15 September 2026, 2\u{a0}pm".

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike};

use crate::config::Language;
use crate::content::values::Moment;

/// Day and month names, read from the theme's strings file.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The language, which decides the word order.
    pub language: Language,
    /// Monday first.
    pub weekdays: Vec<String>,
    /// January first.
    pub months: Vec<String>,
    /// Abbreviated, January first ("janv.", "Jan").
    pub months_short: Vec<String>,
}

impl Calendar {
    /// Names from space-separated lists.
    pub fn new(language: Language, weekdays: &str, months: &str, months_short: &str) -> Calendar {
        let list = |s: &str| s.split_whitespace().map(String::from).collect();
        Calendar {
            language,
            weekdays: list(weekdays),
            months: list(months),
            months_short: list(months_short),
        }
    }

    fn weekday(&self, d: NaiveDate) -> &str {
        let i = d.weekday().num_days_from_monday() as usize;
        self.weekdays.get(i).map(String::as_str).unwrap_or("")
    }

    fn month(&self, d: NaiveDate) -> &str {
        let i = d.month0() as usize;
        self.months.get(i).map(String::as_str).unwrap_or("")
    }

    /// "mardi 15 septembre 2026", "dimanche 1er novembre 2026".
    pub fn long_date(&self, d: NaiveDate) -> String {
        match self.language {
            Language::Fr => {
                let day = if d.day() == 1 {
                    "1er".to_string()
                } else {
                    d.day().to_string()
                };
                format!("{} {day} {} {}", self.weekday(d), self.month(d), d.year())
            }
            Language::En => format!("{} {} {} {}", self.weekday(d), d.day(), self.month(d), d.year()),
        }
    }

    /// "15 septembre 2026", without the weekday.
    pub fn date(&self, d: NaiveDate) -> String {
        match self.language {
            Language::Fr => {
                let day = if d.day() == 1 {
                    "1er".to_string()
                } else {
                    d.day().to_string()
                };
                format!("{day} {} {}", self.month(d), d.year())
            }
            Language::En => format!("{} {} {}", d.day(), self.month(d), d.year()),
        }
    }

    /// "14 h", "18 h 30" / "2 pm", "6:30 pm".
    pub fn time<T: Timelike>(&self, t: &T) -> String {
        let (h, m) = (t.hour(), t.minute());
        match self.language {
            Language::Fr if m == 0 => format!("{h}\u{a0}h"),
            Language::Fr => format!("{h}\u{a0}h\u{a0}{m:02}"),
            Language::En => {
                let suffix = if h < 12 { "am" } else { "pm" };
                let h12 = match h % 12 {
                    0 => 12,
                    x => x,
                };
                if m == 0 {
                    format!("{h12}\u{a0}{suffix}")
                } else {
                    format!("{h12}:{m:02}\u{a0}{suffix}")
                }
            }
        }
    }

    /// "mardi 15 septembre 2026, 14\u{a0}h", or just the date for a whole day.
    pub fn moment<Tz: TimeZone>(&self, m: &Moment, tz: &Tz) -> String {
        if m.has_time() {
            let t = m.start(tz);
            format!("{}, {}", self.long_date(t.date_naive()), self.time(&t))
        } else {
            self.long_date(m.date(tz))
        }
    }

    /// A span: "mardi 15 septembre 2026, 14 h – 17 h", or across days.
    pub fn span<Tz: TimeZone>(&self, start: &Moment, end: Option<&Moment>, tz: &Tz) -> String {
        let Some(end) = end else {
            return self.moment(start, tz);
        };
        let (s, e) = (start.start(tz), end.start(tz));
        if s.date_naive() == e.date_naive() && start.has_time() && end.has_time() {
            format!(
                "{}, {} – {}",
                self.long_date(s.date_naive()),
                self.time(&s),
                self.time(&e)
            )
        } else {
            format!("{} – {}", self.moment(start, tz), self.moment(end, tz))
        }
    }

    /// "Novembre 2026", "November 2026": a month's heading in the agenda.
    pub fn month_year(&self, d: NaiveDate) -> String {
        let mut chars = self.month(d).chars();
        let capital: String = chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        format!("{capital} {}", d.year())
    }

    /// The short month name for calendar badges: "sept.", "Sep".
    pub fn short_month(&self, d: NaiveDate) -> String {
        let i = d.month0() as usize;
        self.months_short
            .get(i)
            .cloned()
            .unwrap_or_else(|| self.month(d).to_string())
    }
}

/// The build's reference time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn reference_now() -> anyhow::Result<DateTime<chrono::Utc>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => {
            let secs: i64 = s
                .trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("SOURCE_DATE_EPOCH=`{s}` is not a number of seconds"))?;
            chrono::Utc
                .timestamp_opt(secs, 0)
                .single()
                .ok_or_else(|| anyhow::anyhow!("SOURCE_DATE_EPOCH=`{s}` is out of range"))
        }
        Err(_) => Ok(chrono::Utc::now()),
    }
}

/// Today in the site's time zone.
pub fn today(tz: &chrono_tz::Tz) -> NaiveDate {
    let now = reference_now().unwrap_or_else(|_| chrono::Utc::now());
    chrono::TimeZone::from_utc_datetime(tz, &now.naive_utc()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr() -> Calendar {
        Calendar::new(
            Language::Fr,
            "lundi mardi mercredi jeudi vendredi samedi dimanche",
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
            "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
        )
    }

    #[test]
    fn writes_french_dates_in_words() {
        let tz = chrono_tz::Europe::Paris;
        let m = Moment::parse("2026-09-15T14:00:00+02:00").unwrap();
        assert_eq!(fr().moment(&m, &tz), "mardi 15 septembre 2026, 14\u{a0}h");
        let end = Moment::parse("2026-09-15T17:30:00+02:00").unwrap();
        assert_eq!(
            fr().span(&m, Some(&end), &tz),
            "mardi 15 septembre 2026, 14\u{a0}h – 17\u{a0}h\u{a0}30"
        );
        let d = Moment::parse("2026-11-01").unwrap();
        assert_eq!(fr().moment(&d, &tz), "dimanche 1er novembre 2026");
        assert_eq!(
            fr().short_month(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()),
            "sept."
        );
        assert_eq!(
            fr().short_month(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()),
            "mai"
        );
    }

    #[test]
    fn converts_to_the_site_time_zone() {
        let tz = chrono_tz::Europe::Paris;
        let m = Moment::parse("2026-12-01T17:30:00Z").unwrap();
        assert_eq!(fr().moment(&m, &tz), "mardi 1er décembre 2026, 18\u{a0}h\u{a0}30");
    }

    #[test]
    fn writes_english_times() {
        let en = Calendar::new(
            Language::En,
            "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
            "January February March April May June July August September October November December",
            "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        );
        let tz = chrono_tz::Europe::Paris;
        let m = Moment::parse("2026-09-15T14:00:00+02:00").unwrap();
        assert_eq!(en.moment(&m, &tz), "Tuesday 15 September 2026, 2\u{a0}pm");
    }
}
