//! The theme: tera templates, static assets and UI strings, embedded in the binary from
//! `themes/default/`; a site's own `themes/default/` overrides them file by file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::config::Language;
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
    /// Loads the theme for the site at `root` in `language`.
    pub fn load(root: &Path, language: Language) -> Result<Theme, Vec<Diagnostic>> {
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
        let mut tera = tera::Tera::default();
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
        })
    }

    /// A UI string, or its key when missing (so that a gap shows instead of failing).
    pub fn t(&self, key: &str) -> String {
        self.strings.get(key).cloned().unwrap_or_else(|| key.to_string())
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
