//! The newsletter: what changed after a moment (a date, or a commit of the branch), grouped for
//! a reader (new initiatives, goals reached, votes and budgets, draws, minutes, follow-up of
//! decisions), and the meetings and collection stands of the weeks to come. Made from the same
//! news as the feeds (`news.rs`), so a letter and the feeds never disagree. Written three ways:
//! plain text and HTML for the e-mail, markdown for the site's archive; every piece of content
//! is escaped for each.

use serde::Serialize;

use super::context::Ctx;
use super::news::{News, NewsKind};
use super::views::Views;

/// How far ahead the letter announces meetings and stands.
const COMING_DAYS: i64 = 31;

/// One line of the letter.
#[derive(Debug, Clone, Serialize)]
pub struct LetterItem {
    /// One line, in the site's words.
    pub title: String,
    /// A few sentences (may be empty).
    pub text: String,
    /// Where to read more (absolute).
    pub url: String,
    /// When, in words.
    pub when: String,
}

/// A group of lines under a heading.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Its heading.
    pub title: String,
    /// Its lines, oldest first.
    pub items: Vec<LetterItem>,
}

/// A newsletter, ready to write.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    /// The e-mail's subject and the archive page's title.
    pub subject: String,
    /// "Ce qui a changé depuis le …".
    pub intro: String,
    /// What happened, by kind; empty sections are left out.
    pub sections: Vec<Section>,
    /// The site's address, for the footer.
    pub site_url: String,
}

impl Letter {
    /// Whether there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The plain-text part of the e-mail.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n\n{}\n", self.subject, self.intro);
        for s in &self.sections {
            out.push_str(&format!(
                "\n{}\n{}\n",
                s.title,
                "=".repeat(s.title.chars().count())
            ));
            for i in &s.items {
                out.push_str(&format!("\n* {}\n", i.title));
                if !i.when.is_empty() {
                    out.push_str(&format!("  {}\n", i.when));
                }
                if !i.text.is_empty() {
                    out.push_str(&format!("  {}\n", i.text));
                }
                out.push_str(&format!("  {}\n", i.url));
            }
        }
        out.push_str(&format!("\n-- \n{}\n", self.site_url));
        out
    }

    /// The HTML part of the e-mail: one column, inline styles (mail clients drop style sheets),
    /// no script, no image, every text escaped.
    pub fn html(&self, lang: &str) -> String {
        let e = |s: &str| tera::escape_html(s);
        let mut out = format!(
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"margin:0;padding:16px;background:#f6f5f1;color:#1b1d21;font-family:system-ui,sans-serif;line-height:1.5\">\n<div style=\"max-width:640px;margin:0 auto;background:#fff;padding:20px;border-radius:8px\">\n<h1 style=\"font-size:22px;margin:0 0 8px\">{}</h1>\n<p style=\"margin:0 0 16px;color:#4a4f57\">{}</p>\n",
            e(&self.subject),
            e(&self.subject),
            e(&self.intro)
        );
        for s in &self.sections {
            out.push_str(&format!(
                "<h2 style=\"font-size:17px;margin:20px 0 8px;border-bottom:1px solid #ddd\">{}</h2>\n<ul style=\"padding-left:18px;margin:0\">\n",
                e(&s.title)
            ));
            for i in &s.items {
                out.push_str(&format!(
                    "<li style=\"margin:0 0 10px\"><a href=\"{}\" style=\"color:#1d4e89;font-weight:600\">{}</a>",
                    e(&i.url),
                    e(&i.title)
                ));
                if !i.when.is_empty() {
                    out.push_str(&format!(
                        "<br><span style=\"color:#4a4f57\">{}</span>",
                        e(&i.when)
                    ));
                }
                if !i.text.is_empty() {
                    out.push_str(&format!("<br>{}", e(&i.text)));
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
        out.push_str(&format!(
            "<p style=\"margin:24px 0 0;font-size:13px;color:#4a4f57\"><a href=\"{0}\" style=\"color:#1d4e89\">{0}</a></p>\n</div>\n</body></html>\n",
            e(&self.site_url)
        ));
        out
    }

    /// The archive copy's body, in markdown: what the site publishes under `/newsletters/`.
    pub fn markdown(&self) -> String {
        let mut out = format!("{}\n", md_escape(&self.intro));
        for s in &self.sections {
            out.push_str(&format!("\n## {}\n\n", md_escape(&s.title)));
            for i in &s.items {
                out.push_str(&format!(
                    "- [{}]({})",
                    md_escape(&i.title),
                    i.url.replace(')', "%29")
                ));
                if !i.when.is_empty() {
                    out.push_str(&format!(" — {}", md_escape(&i.when)));
                }
                if !i.text.is_empty() {
                    out.push_str(&format!("  \n  {}", md_escape(&i.text)));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// Text that markdown reads as text: its punctuation escaped, and no raw HTML.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '('
                | ')'
                | '#'
                | '+'
                | '!'
                | '<'
                | '>'
                | '|'
                | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The sections of a letter, in the order a reader meets them, with the news kinds each holds.
const SECTIONS: [(&str, &[NewsKind]); 6] = [
    ("letter_initiatives", &[NewsKind::Initiative]),
    ("letter_goals", &[NewsKind::GoalReached]),
    (
        "letter_decisions",
        &[
            NewsKind::VoteOpened,
            NewsKind::VoteClosed,
            NewsKind::BudgetDecided,
        ],
    ),
    ("letter_draws", &[NewsKind::DrawDone]),
    ("letter_minutes", &[NewsKind::Minutes]),
    ("letter_progress", &[NewsKind::Progress]),
];

/// The letter of what happened after `since` (seconds) up to the build's reference time, for
/// the whole site or for the pole `pole`; `since_words` says the moment in words.
pub fn compose(
    ctx: &Ctx<'_>,
    v: &Views,
    news: &[News],
    since: i64,
    since_words: &str,
    pole: Option<&str>,
) -> Letter {
    let now = ctx.now.timestamp();
    let in_pole = |p: &Option<String>| pole.is_none() || p.as_deref() == pole;
    let when = |ts: i64| ctx.time_words(ts).0;
    let mut sections = Vec::new();
    for (key, kinds) in SECTIONS {
        let mut items: Vec<(i64, LetterItem)> = news
            .iter()
            .filter(|n| kinds.contains(&n.kind) && n.at > since && n.at <= now && in_pole(&n.pole))
            .map(|n| {
                (
                    n.at,
                    LetterItem {
                        title: n.title.clone(),
                        text: n.text.clone(),
                        url: n.url.clone(),
                        when: when(n.at),
                    },
                )
            })
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.url.cmp(&b.1.url)));
        if !items.is_empty() {
            sections.push(Section {
                title: ctx.t(key),
                items: items.into_iter().map(|(_, i)| i).collect(),
            });
        }
    }
    let horizon = ctx.now + chrono::Duration::days(COMING_DAYS);
    let agenda = super::views::agenda(ctx, v);
    let coming: Vec<LetterItem> = agenda
        .coming
        .iter()
        .filter_map(|e| match (&e.meeting, &e.point) {
            (Some(m), _) if m.start_at() <= horizon && in_pole(&m.pole.as_ref().map(|p| p.slug.clone())) => {
                Some(LetterItem {
                    title: m.title.clone(),
                    text: m.place.clone(),
                    url: ctx.absolute(&m.url),
                    when: m.when.clone(),
                })
            }
            (_, Some(p)) if p.start_at <= horizon && in_pole(&p.pole.as_ref().map(|x| x.slug.clone())) => {
                Some(LetterItem {
                    title: ctx.t("collection_event").replace("{title}", &p.initiative.title),
                    text: p.place.clone(),
                    url: ctx.absolute(&format!("{}#{}", p.initiative.url, p.id)),
                    when: p.when.clone(),
                })
            }
            _ => None,
        })
        .collect();
    if !coming.is_empty() {
        sections.push(Section {
            title: ctx.t("letter_coming"),
            items: coming,
        });
    }
    let site = &ctx.settings.config.title;
    let pole_title = pole
        .and_then(|p| ctx.content.poles.get(p))
        .map(|p| p.meta.title.clone());
    let subject = match &pole_title {
        Some(t) => ctx.t("letter_subject_pole").replace("{pole}", t),
        None => ctx.t("letter_subject"),
    }
    .replace("{site}", site)
    .replace("{date}", &ctx.time_words(now).0);
    Letter {
        subject,
        intro: ctx.t("letter_intro").replace("{since}", since_words),
        sections,
        site_url: ctx.settings.base_url.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_reads_content_as_text() {
        assert_eq!(
            md_escape("<b>1*2</b> [x](y)"),
            "\\<b\\>1\\*2\\</b\\> \\[x\\]\\(y\\)"
        );
    }
}
