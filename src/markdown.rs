//! Markdown to safe HTML: pulldown-cmark for the syntax (tables, footnotes, strikethrough,
//! task lists, heading anchors), ammonia to remove anything a contribution could use to run
//! script (raw `<script>`, event handlers, `javascript:` and `data:` links).

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Rendered markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// The first paragraph as plain text, cut to about 240 characters, for listings.
    pub summary: String,
    /// Level-2 headings with their anchors, for a table of contents.
    pub toc: Vec<(String, String)>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders markdown to sanitised HTML, with an id on every heading. Links that start with
/// `/` are site links: `base_path` (the path of `base_url`) is put in front of them, so that
/// `[la charte](/pages/charte/)` works wherever the site is published.
pub fn render(markdown: &str, base_path: &str) -> Rendered {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let prefix = base_path.trim_end_matches('/');
    if !prefix.is_empty() {
        for e in &mut events {
            if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = e {
                if dest_url.starts_with('/') && !dest_url.starts_with("//") {
                    *dest_url = CowStr::from(format!("{prefix}{dest_url}"));
                }
            }
        }
    }
    let mut toc = Vec::new();
    let mut used = HashSet::new();
    let mut summary = String::new();
    let mut in_first_paragraph = None::<bool>;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let level = *level;
                let explicit = id.as_ref().map(|s| s.to_string());
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        text.push_str(t);
                    }
                    j += 1;
                }
                let base = explicit.unwrap_or_else(|| {
                    let s = crate::slug::slugify(&text);
                    if s.is_empty() {
                        "section".into()
                    } else {
                        s
                    }
                });
                let mut anchor = base.clone();
                let mut n = 1;
                while !used.insert(anchor.clone()) {
                    n += 1;
                    anchor = format!("{base}-{n}");
                }
                if level == HeadingLevel::H2 {
                    toc.push((anchor.clone(), text));
                }
                if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                    *id = Some(CowStr::from(anchor));
                }
                i = j;
            }
            Event::Start(Tag::Paragraph) if in_first_paragraph.is_none() => {
                in_first_paragraph = Some(true);
            }
            Event::End(TagEnd::Paragraph) if in_first_paragraph == Some(true) => {
                in_first_paragraph = Some(false);
            }
            Event::Text(t) | Event::Code(t) if in_first_paragraph == Some(true) => summary.push_str(t),
            Event::SoftBreak | Event::HardBreak if in_first_paragraph == Some(true) => summary.push(' '),
            _ => {}
        }
        i += 1;
    }
    // A task list's boxes are drawn as the characters ☐ and ☑, which screen readers name,
    // rather than as disabled checkboxes that nothing labels.
    for e in &mut events {
        if let Event::TaskListMarker(done) = e {
            *e = Event::Text(CowStr::from(if *done { "☑\u{a0}" } else { "☐\u{a0}" }));
        }
    }
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    Rendered {
        html: keyboard_scrollable(&sanitize(&raw)),
        summary: shorten(&summary, 240),
        toc,
    }
}

/// Code blocks and tables may be wider than a phone and scroll sideways: they take the
/// keyboard focus so that they can be scrolled without a mouse. Applied to the sanitiser's
/// output, whose tags carry no attributes of the contributor's.
fn keyboard_scrollable(html: &str) -> String {
    html.replace("<pre>", "<pre tabindex=\"0\">")
        .replace("<table>", "<table tabindex=\"0\">")
}

/// Cleans HTML with the site's allow-list.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("li", ["id"])
        .add_allowed_classes("div", ["footnote-definition"])
        .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
        .link_rel(Some("ugc nofollow noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("td" | "th", "style") => {
                let ok = matches!(
                    value,
                    "text-align: left" | "text-align: center" | "text-align: right"
                );
                ok.then(|| value.into())
            }
            _ => Some(value.into()),
        });
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b
});

/// Cuts `text` at a word boundary near `max` characters, adding an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_script_handlers_and_javascript_links() {
        let md = "Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[clic](javascript:alert(3)) <a href=\"data:text/html,x\">d</a> <svg onload=alert(4)></svg>";
        let html = render(md, "/").html;
        for bad in ["<script", "onerror", "javascript:", "data:", "<svg", "onload"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("clic"));
    }

    #[test]
    fn renders_tables_footnotes_tasks_and_anchors() {
        let md = "## Coût et financement\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] fait\n- [ ] à faire\n\nTexte[^1] ~~barré~~.\n\n[^1]: Note.\n\n## Coût et financement\n";
        let r = render(md, "/");
        assert!(r.html.contains(r#"<h2 id="cout-et-financement">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="cout-et-financement-2">"#));
        assert!(
            r.html.contains(r#"<table tabindex="0">"#),
            "a wide table can be scrolled by keyboard"
        );
        assert!(r.html.contains(r#"style="text-align: right""#));
        assert!(
            r.html.contains("<li>☑&nbsp;fait</li>") && r.html.contains("<li>☐&nbsp;à faire</li>"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<input"), "an unlabelled checkbox");
        assert!(r.html.contains("<del>barré</del>"));
        assert!(r.html.contains("footnote-definition"));
        assert_eq!(r.toc.len(), 2);
    }

    #[test]
    fn code_blocks_take_the_focus_and_contributed_attributes_do_not() {
        let r = render(
            "```\nlong line\n```\n\n<pre tabindex=\"5\" onclick=\"x()\">a</pre>\n",
            "/",
        );
        assert_eq!(r.html.matches(r#"<pre tabindex="0">"#).count(), 2, "{}", r.html);
        assert!(
            !r.html.contains("onclick") && !r.html.contains("\"5\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn prefixes_site_links_with_the_base_path() {
        let html = render(
            "[charte](/pages/charte/) [ext](https://e.org/) ![i](/img.png)",
            "/conseil/",
        )
        .html;
        assert!(html.contains(r#"href="/conseil/pages/charte/""#), "{html}");
        assert!(html.contains(r#"src="/conseil/img.png""#), "{html}");
        assert!(html.contains(r#"href="https://e.org/""#));
    }

    #[test]
    fn summarises_the_first_paragraph() {
        let r = render("# Titre\n\nPremière *phrase*\nsuite.\n\nDeuxième.", "/");
        assert_eq!(r.summary, "Première phrase suite.");
        assert_eq!(shorten("un deux trois quatre", 10), "un deux…");
    }
}
