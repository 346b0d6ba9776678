//! Signatures over time as an SVG line chart, made at build time (no JavaScript).

use chrono::TimeZone;

/// A cumulative step chart of `times` (unix seconds, any order) over the days of `span`
/// (widened to every point), with the goal as a dashed line. `label` is the accessible
/// description. Returns `None` without points.
pub fn cumulative(
    times: &[i64],
    span: (i64, i64),
    goal: Option<u64>,
    tz: &chrono_tz::Tz,
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
    let span = (last - first).num_days().max(1) as f64;
    let total = t.len() as f64;
    let top = goal.map(|g| g as f64).unwrap_or(0.0).max(total).max(1.0);
    let (w, h, pad) = (600.0, 200.0, 24.0);
    let x = |d: chrono::NaiveDate| pad + (d - first).num_days() as f64 / span * (w - 2.0 * pad);
    let y = |n: f64| h - pad - n / top * (h - 2.0 * pad);
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
    let goal_line = goal
        .map(|g| {
            let gy = y(g as f64);
            format!(r#"<line class="chart-goal" x1="{pad}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke-dasharray="6 4"/>"#, w - pad)
        })
        .unwrap_or_default();
    let esc = super::format::escaped;
    Some(format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><line class="chart-axis" x1="{pad}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>{goal_line}<polyline class="chart-line" fill="none" points="{points}"/><text class="chart-label" x="{pad}" y="{:.1}">{}</text><text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text></svg>"#,
        esc(label),
        h - pad,
        w - pad,
        h - pad,
        h - 6.0,
        esc(start_words),
        w - pad,
        h - 6.0,
        esc(end_words),
    ))
}

/// One bar of a bar chart.
pub struct Bar<'a> {
    /// Shown left of the bar.
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
/// page's table, so the chart adds no information a screen reader would miss.
pub fn bars(bars: &[Bar<'_>], max: u64, mark: Option<u64>, label: &str) -> Option<String> {
    if bars.is_empty() {
        return None;
    }
    let esc = super::format::escaped;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(max).max(1) as f64;
    let (w, row, label_w, note_w) = (600.0, 34.0, 190.0, 110.0);
    let h = row * bars.len() as f64 + 8.0;
    let span = w - label_w - note_w;
    let mut body = String::new();
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let len = (b.value as f64 / max * span).max(if b.value > 0 { 2.0 } else { 0.0 });
        let class = if b.strong {
            "chart-bar is-strong"
        } else {
            "chart-bar"
        };
        body.push_str(&format!(
            r#"<text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="{class}" x="{label_w}" y="{:.1}" width="{len:.1}" height="{:.1}" rx="3"/><text class="chart-label" x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 8.0,
            y + row / 2.0 + 4.0,
            esc(&shorten(b.label, 28)),
            y + 5.0,
            row - 10.0,
            label_w + len + 6.0,
            y + row / 2.0 + 4.0,
            esc(b.note),
        ));
    }
    if let Some(m) = mark {
        let x = label_w + m as f64 / max * span;
        body.push_str(&format!(
            r#"<line class="chart-goal" x1="{x:.1}" y1="0" x2="{x:.1}" y2="{h:.1}" stroke-dasharray="6 4"/>"#
        ));
    }
    Some(format!(
        r#"<svg class="chart chart-bars" viewBox="0 0 {w} {h:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">{body}</svg>"#,
        esc(label)
    ))
}

/// Majority judgment's merit profile: one bar per option split into its grades (best on the
/// left, from dark to light), with the median line at 50 %.
pub fn merit_profile(rows: &[(&str, Vec<u64>)], grades: usize, label: &str) -> Option<String> {
    if rows.is_empty() || grades == 0 {
        return None;
    }
    let esc = super::format::escaped;
    let (w, row, label_w) = (600.0, 34.0, 190.0);
    let h = row * rows.len() as f64 + 8.0;
    let span = w - label_w - 10.0;
    let mut body = String::new();
    for (i, (name, counts)) in rows.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let total: u64 = counts.iter().sum();
        body.push_str(&format!(
            r#"<text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + row / 2.0 + 4.0,
            esc(&shorten(name, 28))
        ));
        if total == 0 {
            continue;
        }
        let mut x = label_w;
        for (g, n) in counts.iter().enumerate() {
            let len = *n as f64 / total as f64 * span;
            if len > 0.0 {
                body.push_str(&format!(
                    r#"<rect class="chart-grade grade-{}" x="{x:.1}" y="{:.1}" width="{len:.1}" height="{:.1}"/>"#,
                    grade_step(g, grades),
                    y + 5.0,
                    row - 10.0
                ));
            }
            x += len;
        }
    }
    let mid = label_w + span / 2.0;
    body.push_str(&format!(
        r#"<line class="chart-median" x1="{mid:.1}" y1="0" x2="{mid:.1}" y2="{h:.1}"/>"#
    ));
    Some(format!(
        r#"<svg class="chart chart-merit" viewBox="0 0 {w} {h:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">{body}</svg>"#,
        esc(label)
    ))
}

/// A grade's colour step, 0 (best) to 6 (worst), whatever the number of grades.
pub fn grade_step(grade: usize, grades: usize) -> usize {
    if grades <= 1 {
        return 0;
    }
    (grade * 6 + (grades - 1) / 2) / (grades - 1)
}

/// `s`, cut to `n` characters with an ellipsis.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
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
            "3 <signatures>",
            "a",
            "b",
        )
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("chart-goal"));
        assert!(svg.contains("3 &lt;signatures&gt;"), "the label is escaped");
        assert!(cumulative(&[], (0, 0), None, &tz, "", "", "").is_none());
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
        let svg = bars(&bars_in, 0, Some(5), "résultats").unwrap();
        assert!(svg.contains("Oui &lt;b&gt;"));
        assert!(svg.contains("is-strong"));
        assert!(svg.contains("chart-goal"));
        assert!(bars(&[], 0, None, "").is_none());
    }

    #[test]
    fn grade_colours_span_best_to_worst() {
        assert_eq!(grade_step(0, 6), 0);
        assert_eq!(grade_step(5, 6), 6);
        assert_eq!(grade_step(0, 3), 0);
        assert_eq!(grade_step(2, 3), 6);
        let svg = merit_profile(&[("a", vec![1, 1, 0])], 3, "profile").unwrap();
        assert!(svg.contains("grade-0") && svg.contains("chart-median"));
    }
}
