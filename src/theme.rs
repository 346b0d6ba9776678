//! The theme: tera templates, static assets and UI strings, embedded in the binary from
//! `themes/default/`; a site's own `themes/default/` overrides them file by file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::config::{Config, Language};
use crate::dates::Calendar;
use crate::error::Diagnostic;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where a site's overriding theme lives, from its root.
pub const THEME_DIR: &str = "themes/default";

/// A theme resolved for one site: embedded files with the site's overrides on top.
pub struct Theme {
    /// Compiled templates.
    pub tera: tera::Tera,
    /// Static assets, by path under `static/`, copied to `public/assets/`.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// UI strings of the site's language.
    pub strings: BTreeMap<String, String>,
    /// Day and month names.
    pub calendar: Calendar,
    /// The language tag of the content when it is not the UI's (`content_language:`): the
    /// elements that hold content then carry `lang`, so a screen reader reads a French title
    /// in French on an English page (WCAG 3.1.2, language of parts).
    pub content_lang: Option<String>,
    /// What decides a page beside its variables: the program (pnyx with Tera and all it is
    /// built with), every template and the content's language (the `content` filters). A page
    /// of an earlier build whose variables and template are the same, under the same
    /// fingerprint, is the same page (`crate::render::reuse`). `None` when no page may be
    /// reused: the program cannot be read, or a template calls one of Tera's functions whose
    /// result is not decided by the page's variables (`now`, `get_random`, `get_env`).
    pub fingerprint: Option<[u8; 32]>,
}

/// The Tera functions whose results change from one call to the next or with the machine.
const IMPURE_FUNCTIONS: [&str; 3] = ["now(", "get_random(", "get_env("];

/// See [`Theme::fingerprint`]; `None` when the program cannot be read.
fn fingerprint(templates: &[(String, String)], content_lang: Option<&str>) -> Option<[u8; 32]> {
    use sha2::{Digest as _, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"pnyx theme fingerprint 1\0");
    // The program itself (not only its version): its filters, Tera and everything compiled in.
    hash.update(crate::sealed::this_program()?);
    for (name, text) in templates
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .chain([("content_lang", content_lang.unwrap_or(""))])
    {
        for part in [name, text] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    Some(hash.finalize().into())
}

/// Each theme file by its path in the theme: where it is shown from, and its bytes.
type Files = BTreeMap<String, (PathBuf, Vec<u8>)>;

/// Every file of the theme: embedded, then replaced or completed by the site's own.
fn files(root: &Path) -> Result<Files, Vec<Diagnostic>> {
    let mut out = BTreeMap::new();
    fn walk(dir: &Dir<'static>, out: &mut BTreeMap<String, (PathBuf, Vec<u8>)>) {
        for f in dir.files() {
            let rel = f.path().to_string_lossy().replace('\\', "/");
            out.insert(
                rel.clone(),
                (Path::new(THEME_DIR).join(&rel), f.contents().to_vec()),
            );
        }
        for d in dir.dirs() {
            walk(d, out);
        }
    }
    walk(&EMBEDDED, &mut out);
    let local = root.join(THEME_DIR);
    let mut problems = Vec::new();
    for entry in crate::load::names::walk(root, Path::new(THEME_DIR), usize::MAX, &mut problems) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&local)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let shown = Path::new(THEME_DIR).join(&rel);
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                out.insert(rel, (shown, bytes));
            }
            Err(e) => problems.push(Diagnostic::new(&shown, 1, 1, format!("cannot read: {e}"))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(out)
}

impl Theme {
    /// Loads the theme for the site at `root`, in its configured UI language.
    pub fn load(root: &Path, config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let language = config.language;
        let content_lang = config
            .content_language
            .clone()
            .filter(|tag| tag != language.code());
        let files = files(root)?;
        let mut problems = Vec::new();
        let mut templates = Vec::new();
        let mut assets = BTreeMap::new();
        let mut strings = None;
        let strings_name = format!("i18n/{}.yaml", language.code());
        for (rel, (shown, bytes)) in &files {
            if let Some(name) = rel.strip_prefix("templates/") {
                match String::from_utf8(bytes.clone()) {
                    Ok(text) => templates.push((name.to_string(), text)),
                    Err(_) => problems.push(Diagnostic::new(shown, 1, 1, "template is not UTF-8")),
                }
            } else if let Some(name) = rel.strip_prefix("static/") {
                assets.insert(name.to_string(), bytes.clone());
            } else if *rel == strings_name {
                match serde_yaml::from_slice::<BTreeMap<String, String>>(bytes) {
                    Ok(s) if language == Language::Fr => {
                        strings = Some(s.into_iter().map(|(k, v)| (k, french_spacing(&v))).collect())
                    }
                    Ok(s) => strings = Some(s),
                    Err(e) => problems.push(crate::content::front_matter::yaml_diagnostic(shown, 0, &e)),
                }
            }
        }
        // A plain search for the calls, spaces ignored: it may refuse a theme that only
        // mentions one in its text, never accept one that calls it.
        let impure = templates.iter().any(|(_, text)| {
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            IMPURE_FUNCTIONS.iter().any(|call| squeezed.contains(call))
        });
        let fingerprint = fingerprint(&templates, content_lang.as_deref()).filter(|_| !impure);
        let mut tera = tera::Tera::default();
        tera.register_filter("content", ContentFilter(content_lang.clone()));
        tera.register_filter("with_content", WithContentFilter(content_lang.clone()));
        if let Err(e) = tera.add_raw_templates(templates) {
            problems.push(template_parse_error(&error_chain(&e)));
        }
        let strings = strings.unwrap_or_else(|| {
            problems.push(
                Diagnostic::new(
                    Path::new(THEME_DIR).join(&strings_name).as_path(),
                    1,
                    1,
                    "the UI strings file is missing",
                )
                .hint("copy it from the default theme"),
            );
            BTreeMap::new()
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        let get = |k: &str| strings.get(k).cloned().unwrap_or_default();
        let calendar = Calendar::new(language, &get("weekdays"), &get("months"), &get("months_short"));
        Ok(Theme {
            tera,
            assets,
            strings,
            calendar,
            content_lang,
            fingerprint,
        })
    }

    /// `text` as HTML, marked with the content's language when it differs from the UI's.
    pub fn content_html(&self, text: &str) -> String {
        content_html(self.content_lang.as_deref(), text)
    }

    /// The UI string `key` as HTML, with each `{name}` replaced by a piece of content marked
    /// with the content's language: "History: <span lang="fr">Charte des débats</span>".
    pub fn with_content_html(&self, key: &str, parts: &[(&str, &str)]) -> String {
        with_content_html(self.content_lang.as_deref(), &self.t(key), parts)
    }

    /// A UI string, or its key when missing (so that a gap shows instead of failing).
    pub fn t(&self, key: &str) -> String {
        self.strings.get(key).cloned().unwrap_or_else(|| key.to_string())
    }
}

fn content_html(lang: Option<&str>, text: &str) -> String {
    let escaped = tera::escape_html(text);
    match lang {
        Some(tag) => format!("<span lang=\"{tag}\">{escaped}</span>"),
        None => escaped,
    }
}

fn with_content_html(lang: Option<&str>, template: &str, parts: &[(&str, &str)]) -> String {
    let mut html = tera::escape_html(template);
    for (name, text) in parts {
        html = html.replace(&format!("{{{name}}}"), &content_html(lang, text));
    }
    html
}

/// The text of a template value: strings as they are, numbers written out.
fn filter_text(value: &tera::Value) -> String {
    match value {
        tera::Value::String(s) => s.clone(),
        tera::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `{{ title | content }}`: a piece of content, escaped, and marked with its language when
/// it is not the UI's.
struct ContentFilter(Option<String>);

impl tera::Filter for ContentFilter {
    fn filter(
        &self,
        value: &tera::Value,
        _: &std::collections::HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        Ok(tera::Value::String(content_html(
            self.0.as_deref(),
            &filter_text(value),
        )))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `{{ t.history_title | with_content(title=page_title) }}`: a UI string whose `{title}` is
/// a piece of content, all escaped, the content marked with its language.
struct WithContentFilter(Option<String>);

impl tera::Filter for WithContentFilter {
    fn filter(
        &self,
        value: &tera::Value,
        args: &std::collections::HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        let texts: Vec<(String, String)> = args
            .iter()
            .map(|(name, v)| (name.clone(), filter_text(v)))
            .collect();
        let parts: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        Ok(tera::Value::String(with_content_html(
            self.0.as_deref(),
            &filter_text(value),
            &parts,
        )))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// French typography for the UI strings: the space before `:` `;` `?` `!` `»` `%` and after `«`
/// becomes the no-break space that keeps the sign with its word at the end of a line, as
/// French printing does (a narrow one before `;` `?` `!`). Written with plain spaces in the
/// strings file, so translators need not type them.
pub fn french_spacing(text: &str) -> String {
    text.replace(" :", "\u{a0}:")
        .replace(" ;", "\u{202f};")
        .replace(" ?", "\u{202f}?")
        .replace(" !", "\u{202f}!")
        .replace(" »", "\u{a0}»")
        .replace("« ", "«\u{a0}")
        .replace(" %", "\u{202f}%")
}

/// A tera parse error placed on its template, line and column: tera writes them as
/// "Failed to parse 'page.html':  --> 2:7 …".
fn template_parse_error(message: &str) -> Diagnostic {
    let name = message.split('\'').nth(1).unwrap_or("");
    let (line, column) = message
        .split_once("--> ")
        .and_then(|(_, rest)| {
            let pos: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .collect();
            let (l, c) = pos.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        })
        .unwrap_or((1, 1));
    let path = Path::new(THEME_DIR).join("templates").join(name);
    Diagnostic::new(&path, line, column, message.trim().to_string())
        .hint("fix the template syntax; `{{ }}` for values, `{% %}` for tags")
}

/// A tera error with its causes on one line: tera hides the useful part in `source()`.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        cur = s.source();
    }
    msg
}

/// Names of the embedded UI strings files, for tests that compare languages.
pub fn embedded_strings(language: Language) -> BTreeMap<String, String> {
    let name = format!("i18n/{}.yaml", language.code());
    EMBEDDED
        .get_file(&name)
        .and_then(|f| serde_yaml::from_slice(f.contents()).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(lang: Option<&str>, template: &str, title: &str) -> String {
        let mut tera = tera::Tera::default();
        tera.register_filter("content", ContentFilter(lang.map(str::to_owned)));
        tera.register_filter("with_content", WithContentFilter(lang.map(str::to_owned)));
        tera.add_raw_template("t.html", template).unwrap();
        let mut context = tera::Context::new();
        context.insert("title", title);
        context.insert("ui", "History: {title} & more");
        tera.render("t.html", &context).unwrap()
    }

    #[test]
    fn content_is_escaped_and_marked_only_on_a_page_in_another_language() {
        let title = "<script>x</script> & Gratuité";
        assert_eq!(
            render(Some("fr"), "{{ title | content }}", title),
            "<span lang=\"fr\">&lt;script&gt;x&lt;&#x2F;script&gt; &amp; Gratuité</span>"
        );
        // Without a content language the output is what autoescaping alone gives.
        assert_eq!(
            render(None, "{{ title | content }}", title),
            render(None, "{{ title }}", title)
        );
        assert_eq!(
            render(Some("fr"), "{{ ui | with_content(title=title) }}", "a<b"),
            "History: <span lang=\"fr\">a&lt;b</span> &amp; more"
        );
        assert_eq!(
            render(None, "{{ ui | with_content(title=title) }}", "a<b"),
            "History: a&lt;b &amp; more"
        );
    }

    #[test]
    fn french_punctuation_keeps_to_its_word() {
        assert_eq!(
            french_spacing("Mentions : « très bien » ; déjà ? Oui !"),
            "Mentions\u{a0}: «\u{a0}très bien\u{a0}»\u{202f}; déjà\u{202f}? Oui\u{202f}!"
        );
        assert_eq!(french_spacing("a:b ; {n} : x"), "a:b\u{202f}; {n}\u{a0}: x");
    }

    #[test]
    fn both_languages_have_the_same_strings() {
        let fr = embedded_strings(Language::Fr);
        let en = embedded_strings(Language::En);
        assert!(fr.len() > 50, "the French strings file looks empty");
        let missing_en: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
        let missing_fr: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
        assert!(missing_en.is_empty(), "missing in en.yaml: {missing_en:?}");
        assert!(missing_fr.is_empty(), "missing in fr.yaml: {missing_fr:?}");
    }
}
