//! The site's configuration, `pnyx.yaml`.

use std::path::Path;

use serde::Deserialize;

use crate::content::front_matter::locate_key;
use crate::error::Diagnostic;
use crate::limits::Limits;

/// File name of the configuration at the site root.
pub const CONFIG_FILE: &str = "pnyx.yaml";

/// UI language: the theme ships one strings file per language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Language {
    /// The ISO code used in `lang` attributes and file names.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }
}

/// `trust:`: the bootstrap of the web of trust.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    /// Key ids of the founding members, chosen by plebiscite.
    #[serde(default)]
    pub roots: Vec<String>,
    /// Certifications by members needed to become a member.
    #[serde(default = "default_certifications")]
    pub certifications: u32,
}

fn default_certifications() -> u32 {
    3
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            roots: Vec::new(),
            certifications: default_certifications(),
        }
    }
}

/// The whole of `pnyx.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Name of the council, shown in every page header.
    pub title: String,
    /// One sentence under the title on the home page.
    #[serde(default)]
    pub description: Option<String>,
    /// Absolute URL where the site is published; its path prefixes every internal link.
    pub base_url: String,
    /// UI language.
    #[serde(default)]
    pub language: Language,
    /// Language the content is written in (a BCP 47 tag such as `fr` or `oc`), when it is not
    /// the UI's: pages then mark titles and texts with it, so that screen readers and
    /// translators read them in the right language.
    #[serde(default)]
    pub content_language: Option<String>,
    /// The same site built in other interface languages, by language tag: `en:
    /// https://example.org/en/`. Every page then links to itself in each of them (a language
    /// switch, and `hreflang` for search engines).
    #[serde(default)]
    pub translations: std::collections::BTreeMap<String, String>,
    /// IANA time zone in which dates are shown, and in which dates without offset are read.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Forge repository, for "propose via pull request" links.
    #[serde(default)]
    pub repository: Option<String>,
    /// The council's e-mail address: signing in the page offers to send a statement there.
    #[serde(default)]
    pub email: Option<String>,
    /// The branch whose first-parent history counts.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Web of trust settings.
    #[serde(default)]
    pub trust: Trust,
    /// Size limits on content (docs/limits.md).
    #[serde(default)]
    pub limits: Limits,
}

/// A BCP 47 language tag as HTML's `lang` takes it: a 2–3 letter language, then subtags of
/// 1–8 letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn default_timezone() -> String {
    "Europe/Paris".into()
}

fn default_branch() -> String {
    "main".into()
}

/// A configuration read and checked: the time zone is parsed, the base URL split.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The raw configuration.
    pub config: Config,
    /// Parsed time zone.
    pub tz: chrono_tz::Tz,
    /// `base_url` with a trailing slash.
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/`: the prefix of internal links.
    pub base_path: String,
    /// The trust roots, parsed.
    pub roots: Vec<crate::signatures::keys::KeyId>,
}

impl Settings {
    /// Parses `pnyx.yaml` text; `path` is used in diagnostics.
    pub fn parse(path: &Path, text: &str) -> Result<Settings, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // Aliases are bounded before anything is read; the lengths, once the limits are known.
        let unbounded = Limits {
            title_length: usize::MAX,
            summary_length: usize::MAX,
            ..Limits::default()
        };
        crate::limits::check_front_matter(path, text, 0, &unbounded).map_err(|d| vec![d])?;
        let config: Config = serde_yaml::from_str(text).map_err(|e| {
            vec![crate::content::front_matter::yaml_diagnostic_in(path, 0, &e, Some(text)).hint(
                "pnyx.yaml needs at least `title` and `base_url`; see the README, section \"Configuration\"",
            )]
        })?;
        let mut problems = Vec::new();
        let at = |key: &str| locate_key(text, key).unwrap_or((1, 1));
        let tz = match config.timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => tz,
            Err(_) => {
                let (l, c) = at("timezone");
                problems.push(
                    Diagnostic::new(path, l, c, format!("unknown time zone `{}`", config.timezone))
                        .hint("use an IANA name such as `Europe/Paris` or `America/Montreal`"),
                );
                chrono_tz::UTC
            }
        };
        let limits = &config.limits;
        let long = [
            ("title", Some(&config.title), limits.title_length, "title_length"),
            (
                "description",
                config.description.as_ref(),
                limits.summary_length,
                "summary_length",
            ),
        ];
        for (key, value, limit, name) in long {
            let length = value.map_or(0, |v| v.chars().count());
            if length > limit {
                let (l, c) = at(key);
                problems.push(
                    Diagnostic::new(
                        path,
                        l,
                        c,
                        format!("{key}: {length} characters, more than the limit of {limit} (`limits.{name}`)"),
                    )
                    .hint(format!(
                        "the {key} is on every page: shorten it, or raise `limits.{name}` in pnyx.yaml (see docs/limits.md)"
                    )),
                );
            }
        }
        let mut base_url = config.base_url.trim().to_string();
        let base_path = match base_url
            .strip_prefix("https://")
            .or_else(|| base_url.strip_prefix("http://"))
        {
            Some(rest) => {
                let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
                let mut p = path.to_string();
                if !p.ends_with('/') {
                    p.push('/');
                }
                p
            }
            None => {
                let (l, c) = at("base_url");
                problems.push(
                    Diagnostic::new(path, l, c, format!("base_url `{base_url}` is not an http(s) URL"))
                        .hint("write the address where the site is published, e.g. `https://example.org/`"),
                );
                "/".into()
            }
        };
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        if let Some(repo) = &config.repository {
            if !(repo.starts_with("https://") || repo.starts_with("http://")) {
                let (l, c) = at("repository");
                problems.push(
                    Diagnostic::new(path, l, c, format!("repository `{repo}` is not an http(s) URL"))
                        .hint("write the forge address, e.g. `https://github.com/OWNER/REPO`"),
                );
            }
        }
        if let Some(email) = &config.email {
            let (local, domain) = email.split_once('@').unwrap_or(("", ""));
            let plain = email
                .chars()
                .all(|c| c.is_ascii_graphic() && !"<>()[],;:\\\"?&=".contains(c));
            if local.is_empty() || !domain.contains('.') || !plain {
                let (l, c) = at("email");
                problems.push(
                    Diagnostic::new(path, l, c, format!("email `{email}` is not an e-mail address"))
                        .hint("write the council's address alone, e.g. `conseil@example.org`"),
                );
            }
        }
        if let Some(tag) = &config.content_language {
            if !is_language_tag(tag) {
                let (l, c) = at("content_language");
                problems.push(
                    Diagnostic::new(
                        path,
                        l,
                        c,
                        format!("content_language `{tag}` is not a language tag"),
                    )
                    .hint("write a BCP 47 tag such as `fr`, `en`, `oc` or `pt-BR`"),
                );
            }
        }
        for (tag, url) in &config.translations {
            let plain = url.starts_with("https://") || url.starts_with("http://");
            let safe = !url.chars().any(|c| c.is_whitespace() || "\"<>".contains(c));
            if !is_language_tag(tag) || !plain || !safe {
                let (l, c) = at("translations");
                problems.push(
                    Diagnostic::new(
                        path,
                        l,
                        c,
                        format!("translations: `{tag}: {url}` is not a language tag and an http(s) address"),
                    )
                    .hint("write one line per published translation, e.g. `en: https://example.org/en/`"),
                );
            }
        }
        let mut roots = Vec::new();
        for r in &config.trust.roots {
            match crate::signatures::keys::KeyId::parse(r) {
                Some(k) => roots.push(k),
                None => {
                    let (l, c) = locate_key(text, "trust")
                        .map(|(l, _)| (l + 1, 3))
                        .unwrap_or((1, 1));
                    problems.push(
                        Diagnostic::new(path, l, c, format!("trust root `{r}` is not a key id"))
                            .hint("write key ids as minisign prints them: 16 upper-case hexadecimal digits"),
                    );
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Settings {
            config,
            tz,
            base_url,
            base_path,
            roots,
        })
    }

    /// Replaces the base URL, as `pnyx serve` does to serve the site on localhost.
    pub fn with_base_url(mut self, url: &str) -> Settings {
        self.config.base_url = url.to_string();
        let reparsed = url
            .split_once("://")
            .map(|(_, rest)| {
                rest.find('/')
                    .map(|i| rest[i..].to_string())
                    .unwrap_or("/".into())
            })
            .unwrap_or_else(|| "/".into());
        self.base_path = if reparsed.ends_with('/') {
            reparsed
        } else {
            format!("{reparsed}/")
        };
        self.base_url = if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        };
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_content_language_that_is_not_a_tag() {
        let parse = |tag: &str| {
            Settings::parse(
                Path::new("pnyx.yaml"),
                &format!("title: T\nbase_url: https://example.org/\ncontent_language: \"{tag}\"\n"),
            )
        };
        for good in ["fr", "oc", "pt-BR", "zh-Hant-TW"] {
            assert!(parse(good).is_ok(), "{good}");
        }
        for bad in ["", "f", "français", "fr_FR"] {
            let e = parse(bad).unwrap_err();
            assert_eq!((e[0].line, e[0].column), (3, 19), "{bad}");
            assert!(e[0].message.contains("is not a language tag"), "{bad}");
        }
        // A tag that would break out of the `lang` attribute is refused too.
        let e = parse("fr\\\" onload=\\\"x").unwrap_err();
        assert_eq!(e[0].line, 3);
        assert!(e[0].message.contains("is not a language tag"));
    }

    #[test]
    fn refuses_a_translation_that_is_not_a_tag_and_an_address() {
        let parse = |line: &str| {
            Settings::parse(
                Path::new("pnyx.yaml"),
                &format!("title: T\nbase_url: https://example.org/\ntranslations:\n  {line}\n"),
            )
        };
        assert!(parse("en: https://example.org/en/").is_ok());
        for bad in [
            "english: https://example.org/en/",
            "en: example.org/en",
            "en: \"https://e.org/\\\" x\"",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e[0].line, 3, "{bad}");
            assert!(e[0].message.contains("translations:"), "{bad}");
        }
    }

    #[test]
    fn refuses_an_email_that_would_not_be_one_address() {
        let parse = |email: &str| {
            Settings::parse(
                Path::new("pnyx.yaml"),
                &format!("title: T\nbase_url: https://example.org/\nemail: \"{email}\"\n"),
            )
        };
        assert!(parse("conseil@example.org").is_ok());
        for bad in [
            "conseil",
            "a@b",
            "a@example.org?cc=x@y.org",
            "a b@example.org",
            "a@example.org\\nBcc: x",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!((e[0].line, e[0].column), (3, 8), "{bad}");
            assert!(e[0].message.contains("is not an e-mail address"), "{bad}");
        }
    }

    #[test]
    fn reads_base_path_from_base_url() {
        let s = Settings::parse(
            Path::new("pnyx.yaml"),
            "title: T\nbase_url: https://owner.github.io/conseil\n",
        )
        .unwrap();
        assert_eq!(s.base_path, "/conseil/");
        assert_eq!(s.base_url, "https://owner.github.io/conseil/");
        assert_eq!(s.config.language, Language::Fr);
        assert_eq!(s.tz, chrono_tz::Europe::Paris);
    }

    #[test]
    fn errors_on_unknown_timezone_with_position() {
        let e = Settings::parse(
            Path::new("pnyx.yaml"),
            "title: T\nbase_url: https://e.org/\ntimezone: Europe/Toulouse\n",
        )
        .unwrap_err();
        assert_eq!(e[0].line, 3);
        assert!(e[0].message.contains("Europe/Toulouse"));
    }
}
