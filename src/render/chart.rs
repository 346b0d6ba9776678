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
}
