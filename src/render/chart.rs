//! The charts of the site, made at build time (no JavaScript). Bars are HTML, so their labels
//! are text of the page's size at any width and wrap on a phone instead of shrinking; the
//! signatures line is SVG for the line only, with its axis values in HTML around it.

use chrono::TimeZone;

use super::format::{self, escaped as esc};
use crate::config::Language;

/// A cumulative step chart of `times` (unix seconds, any order) over the days of `span`
/// (widened to every point), with the goal as a dashed line and an axis of values (0, half,
/// the top). `label` is the accessible description. Returns `None` without points.
#[allow(clippy::too_many_arguments)]
pub fn cumulative(
    times: &[i64],
    span: (i64, i64),
    goal: Option<u64>,
    tz: &chrono_tz::Tz,
    lang: Language,
    label: &str,
    start_words: &str,
    end_words: &str,
) -> Option<String> {
    if times.is_empty() {
        return None;
    }
    let mut t: Vec<i64> = times.to_vec();
    t.sort_unstable();
    let day = |ts: i64| {
        tz.timestamp_opt(ts, 0)
            .single()
            .map(|d| d.date_naive())
            .unwrap_or_default()
    };
    let first = day(t[0].min(span.0));
    let last = day(t.last().copied().unwrap_or(t[0]).max(span.1));
    let days = (last - first).num_days().max(1) as f64;
    let top = axis_top(goal.unwrap_or(0).max(t.len() as u64));
    let (w, h) = (600.0, 200.0);
    let x = |d: chrono::NaiveDate| (d - first).num_days() as f64 / days * w;
    let y = |n: f64| h - n / top as f64 * h;
    let mut points = format!("{:.1},{:.1}", x(first), y(0.0));
    let mut count: f64 = 0.0;
    let mut i = 0;
    while i < t.len() {
        let d = day(t[i]);
        let before = count;
        while i < t.len() && day(t[i]) == d {
            count += 1.0;
            i += 1;
        }
        points.push_str(&format!(
            " {:.1},{:.1} {:.1},{:.1}",
            x(d),
            y(before),
            x(d),
            y(count)
        ));
    }
    points.push_str(&format!(" {:.1},{:.1}", x(last), y(count)));
    let grid: String = [0.5, 1.0]
        .iter()
        .map(|f| {
            format!(
                r#"<line class="chart-grid" x1="0" y1="{0:.1}" x2="{w}" y2="{0:.1}"/>"#,
                h - f * h
            )
        })
        .collect();
    let goal_line = goal
        .map(|g| {
            let gy = y(g as f64);
            format!(r#"<line class="chart-goal" x1="0" y1="{gy:.1}" x2="{w}" y2="{gy:.1}" stroke-dasharray="6 4"/>"#)
        })
        .unwrap_or_default();
    let ticks: String = [top, top / 2, 0]
        .iter()
        .map(|n| format!("<span>{}</span>", format::int(*n, lang)))
        .collect();
    Some(format!(
        r#"<div class="linechart" role="img" aria-label="{}"><div class="linechart-y" aria-hidden="true">{ticks}</div><svg class="linechart-plot" viewBox="0 0 {w} {h}" preserveAspectRatio="none" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">{grid}<line class="chart-axis" x1="0" y1="{h}" x2="{w}" y2="{h}"/>{goal_line}<polyline class="chart-line" fill="none" points="{points}"/></svg><div class="linechart-x" aria-hidden="true"><span>{}</span><span>{}</span></div></div>"#,
        esc(label),
        esc(start_words),
        esc(end_words),
    ))
}

/// The top of the axis: the goal or the count, whichever is larger, made even so that the
/// middle tick is a whole number.
fn axis_top(n: u64) -> u64 {
    let n = n.max(2);
    n + n % 2
}

/// One bar of a bar chart.
pub struct Bar<'a> {
    /// Shown left of the bar (above it on a phone).
    pub label: &'a str,
    /// Its length.
    pub value: u64,
    /// Shown right of the bar (the value in words, a share…).
    pub note: &'a str,
    /// Drawn in the accent colour (a winner, a funded project).
    pub strong: bool,
}

/// Horizontal bars, longest = `max` (at least the largest value), with an optional dashed
/// mark at `mark` (a threshold). Accessible through `label`; the numbers are also in the
/// page's table, so the chart adds no information a screen reader would miss. `label_lang`
/// marks the labels when they are content in another language than the page's.
pub fn bars(
    bars: &[Bar<'_>],
    max: u64,
    mark: Option<u64>,
    label: &str,
    label_lang: Option<&str>,
) -> Option<String> {
    if bars.is_empty() {
        return None;
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(max).max(1) as f64;
    let mark = mark
        .map(|m| {
            format!(
                r#"<span class="hbar-mark" style="left:{:.2}%"></span>"#,
                m as f64 / max * 100.0
            )
        })
        .unwrap_or_default();
    let mut body = String::new();
    for b in bars {
        let len = b.value as f64 / max * 100.0;
        body.push_str(&format!(
            r#"<div class="hbar{}"><span class="hbar-label"{}>{}</span><span class="hbar-track"><span class="hbar-fill" style="width:{len:.2}%"></span>{mark}</span><span class="hbar-note">{}</span></div>"#,
            if b.strong { " is-strong" } else { "" },
            lang_attr(label_lang),
            esc(b.label),
            esc(b.note),
        ));
    }
    Some(format!(
        r#"<div class="hbars" role="img" aria-label="{}">{body}</div>"#,
        esc(label)
    ))
}

/// Majority judgment's merit profile: one bar per option split into its grades (best on the
/// left, from dark green to red), with the median line at 50 % and a legend naming each
/// grade's colour. `langs` marks the options' and the grades' words when they are content
/// in another language than the page's.
pub fn merit_profile(
    rows: &[(&str, Vec<u64>)],
    grade_names: &[String],
    label: &str,
    langs: (Option<&str>, Option<&str>),
) -> Option<String> {
    let grades = grade_names.len();
    if rows.is_empty() || grades == 0 {
        return None;
    }
    let mut body = String::new();
    for (name, counts) in rows {
        let total: u64 = counts.iter().sum();
        let mut segments = String::new();
        for (g, n) in counts.iter().enumerate() {
            if total > 0 && *n > 0 {
                segments.push_str(&format!(
                    r#"<span class="merit grade-{}" style="width:{:.2}%"></span>"#,
                    grade_step(g, grades),
                    *n as f64 / total as f64 * 100.0
                ));
            }
        }
        body.push_str(&format!(
            r#"<div class="hbar"><span class="hbar-label"{}>{}</span><span class="hbar-track merit-track">{segments}<span class="hbar-median"></span></span></div>"#,
            lang_attr(langs.0),
            esc(name)
        ));
    }
    let legend: String = grade_names
        .iter()
        .enumerate()
        .map(|(g, name)| {
            format!(
                r#"<li{}><span class="merit grade-{}"></span>{}</li>"#,
                lang_attr(langs.1),
                grade_step(g, grades),
                esc(name)
            )
        })
        .collect();
    Some(format!(
        r#"<div class="hbars hbars-merit" role="img" aria-label="{}">{body}</div><ul class="merit-legend" aria-hidden="true">{legend}</ul>"#,
        esc(label)
    ))
}

/// ` lang="…"`, or nothing.
fn lang_attr(lang: Option<&str>) -> String {
    lang.map(|tag| format!(" lang=\"{tag}\"")).unwrap_or_default()
}

/// A grade's colour step, 0 (best) to 6 (worst), whatever the number of grades.
pub fn grade_step(grade: usize, grades: usize) -> usize {
    if grades <= 1 {
        return 0;
    }
    (grade * 6 + (grades - 1) / 2) / (grades - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_step_per_day_and_the_goal() {
        let tz = chrono_tz::Europe::Paris;
        let day = 86_400;
        let svg = cumulative(
            &[0, 10, 2 * day, 5 * day],
            (0, 9 * day),
            Some(10),
            &tz,
            Language::Fr,
            "3 <signatures>",
            "a",
            "b",
        )
        .unwrap();
        assert!(svg.contains("chart-goal"));
        assert!(svg.contains("3 &lt;signatures&gt;"), "the label is escaped");
        // The axis reads 10, 5 and 0: the goal is the top.
        assert!(
            svg.contains("<span>10</span><span>5</span><span>0</span>"),
            "{svg}"
        );
        assert!(cumulative(&[], (0, 0), None, &tz, Language::Fr, "", "", "").is_none());
    }

    #[test]
    fn the_axis_top_is_even_so_its_middle_is_whole() {
        assert_eq!(axis_top(0), 2);
        assert_eq!(axis_top(3000), 3000);
        assert_eq!(axis_top(17), 18);
    }

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let bars_in = [
            Bar {
                label: "Oui <b>",
                value: 8,
                note: "8",
                strong: true,
            },
            Bar {
                label: "Non",
                value: 2,
                note: "2",
                strong: false,
            },
        ];
        let svg = bars(&bars_in, 0, Some(5), "résultats", None).unwrap();
        assert!(svg.contains(r#"<span class="hbar-label">Oui &lt;b&gt;</span>"#));
        assert!(svg.contains("is-strong"));
        assert!(svg.contains("hbar-mark"));
        assert!(
            svg.contains("width:100.00%") && svg.contains("width:25.00%"),
            "{svg}"
        );
        assert!(bars(&[], 0, None, "", None).is_none());
        // Labels in the content's language are marked with it on a page in another.
        let marked = bars(&bars_in, 0, None, "results", Some("fr")).unwrap();
        assert!(marked.contains(r#"<span class="hbar-label" lang="fr">Non</span>"#));
    }

    #[test]
    fn grade_colours_span_best_to_worst() {
        assert_eq!(grade_step(0, 6), 0);
        assert_eq!(grade_step(5, 6), 6);
        assert_eq!(grade_step(0, 3), 0);
        assert_eq!(grade_step(2, 3), 6);
        let names = [
            "très bien".to_string(),
            "bien".to_string(),
            "à rejeter".to_string(),
        ];
        let html = merit_profile(&[("a", vec![1, 1, 0])], &names, "profile", (None, None)).unwrap();
        assert!(html.contains("grade-0") && html.contains("hbar-median"));
        // The legend names every grade with its colour, best first.
        assert!(
            html.contains(r#"<li><span class="merit grade-0"></span>très bien</li>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<li><span class="merit grade-6"></span>à rejeter</li>"#),
            "{html}"
        );
        let marked = merit_profile(&[("a", vec![1, 1, 0])], &names, "profile", (Some("fr"), None)).unwrap();
        assert!(marked.contains(r#"<span class="hbar-label" lang="fr">a</span>"#));
        assert!(
            !marked.contains(r#"<li lang"#),
            "grades of the interface stay unmarked"
        );
    }
}
