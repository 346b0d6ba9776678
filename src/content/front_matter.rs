//! Splitting a content file into YAML front matter and markdown body, and turning
//! YAML errors into positioned diagnostics.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::Diagnostic;

/// A content file cut in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// Number of file lines before the YAML (the opening `---` line): add it to YAML lines.
    pub yaml_offset: usize,
    /// The markdown after the closing `---` line.
    pub body: &'a str,
}

/// Cuts `text` into front matter and body. Accepts a BOM and CRLF line endings.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(Diagnostic::new(path, 1, 1, "the file does not start with front matter")
            .hint("start the file with a line `---`, then the YAML keys (`title: …`), then a line `---`, then the text"));
    }
    let yaml_start = first.len();
    let mut pos = yaml_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..pos],
                yaml_offset: 1,
                body: &text[pos + line.len()..],
            });
        }
        pos += line.len();
    }
    Err(
        Diagnostic::new(path, line_no, 1, "the front matter is never closed")
            .hint("add a line `---` after the last YAML key, before the text"),
    )
}

/// Parses the front matter into `T`, rejecting unknown keys when `T` says so.
pub fn parse<T: DeserializeOwned>(path: &Path, split: &Split<'_>) -> Result<T, Diagnostic> {
    // An empty front matter is an empty map, so that the error names the missing keys.
    let yaml = if split.yaml.trim().is_empty() {
        "{}"
    } else {
        split.yaml
    };
    serde_yaml::from_str(yaml).map_err(|e| yaml_diagnostic(path, split.yaml_offset, &e))
}

/// A serde_yaml error as a diagnostic, shifted by `line_offset` file lines.
pub fn yaml_diagnostic(path: &Path, line_offset: usize, e: &serde_yaml::Error) -> Diagnostic {
    let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
    let full = e.to_string();
    // serde_yaml appends " at line L column C", which our prefix already says.
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    let hint = hint_for(&message);
    let d = Diagnostic::new(path, line + line_offset, column, message);
    match hint {
        Some(h) => d.hint(h),
        None => d,
    }
}

fn hint_for(message: &str) -> Option<String> {
    if message.contains("unknown field") {
        Some("remove this key or fix its spelling (the accepted keys are listed in the message)".into())
    } else if message.contains("missing field") {
        let field = message.split('`').nth(1).unwrap_or("it");
        Some(format!("add a line `{field}: …` to the front matter"))
    } else if message.contains("duplicate field") {
        Some("a key may appear only once; keep one of them".into())
    } else if message.contains("invalid type") {
        Some("check the value's form: text, a number, a list (`[a, b]`) or a map (`key: value`)".into())
    } else if message.contains("did not find expected") || message.contains("mapping values") {
        Some(
            "this is not valid YAML: check indentation, and quote values that contain `:` or start with `#`"
                .into(),
        )
    } else {
        None
    }
}

/// Finds where the value of the top-level `key` starts in `yaml`: (line, column), 1-based.
///
/// Used for problems found after parsing (a pole that does not exist, a duplicate number),
/// which serde cannot place.
pub fn locate_key(yaml: &str, key: &str) -> Option<(usize, usize)> {
    for (i, line) in yaml.lines().enumerate() {
        let Some(rest) = line.strip_prefix(key) else {
            continue;
        };
        let Some(after) = rest.trim_start_matches([' ', '\t']).strip_prefix(':') else {
            continue;
        };
        let value_start = after.len() - after.trim_start().len();
        let column = key.len() + (rest.len() - after.len()) + value_start + 1;
        return Some((i + 1, column));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_bom_and_crlf() {
        let s = split(Path::new("a.md"), "\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n").unwrap();
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Body\r\n");
    }

    #[test]
    fn errors_without_front_matter() {
        let e = split(Path::new("a.md"), "# Hello\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        let e = split(Path::new("a.md"), "---\ntitle: A\nBody\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn locates_top_level_keys() {
        let yaml = "title: A\npole:   logement\nplace:\n  name: x\n";
        assert_eq!(locate_key(yaml, "pole"), Some((2, 9)));
        assert_eq!(locate_key(yaml, "name"), None);
        assert_eq!(locate_key(yaml, "title"), Some((1, 8)));
    }
}
