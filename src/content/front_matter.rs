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
    serde_yaml::from_str(yaml).map_err(|e| yaml_diagnostic_in(path, split.yaml_offset, &e, Some(split.yaml)))
}

/// A serde_yaml error as a diagnostic, shifted by `line_offset` file lines.
///
/// serde_yaml writes positions into its messages (" at line 3 column 1"), counted from the
/// start of the YAML: they are taken out of the message, and the most useful one (where a
/// quote was opened, rather than where the file ended) becomes the diagnostic's position.
pub fn yaml_diagnostic(path: &Path, line_offset: usize, e: &serde_yaml::Error) -> Diagnostic {
    yaml_diagnostic_in(path, line_offset, e, None)
}

/// Like [`yaml_diagnostic`], with the YAML text to place errors serde_yaml cannot place.
pub fn yaml_diagnostic_in(
    path: &Path,
    line_offset: usize,
    e: &serde_yaml::Error,
    yaml: Option<&str>,
) -> Diagnostic {
    let (mut line, mut column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
    let (message, marks) = take_positions(&e.to_string());
    if message.contains(", while ") {
        // "found unexpected end of stream, while scanning a quoted scalar": the second mark is
        // where the scalar started, which is what the writer has to fix.
        if let Some(&(l, c)) = marks.last() {
            (line, column) = (l, c);
        }
    }
    if let (Some(field), Some(yaml)) = (message.strip_prefix("duplicate field `"), yaml) {
        // serde_yaml places a duplicate key at the start of its map: find the repetition.
        let key = field.split('`').next().unwrap_or("");
        if let Some(pos) = second_occurrence(yaml, key, line) {
            (line, column) = pos;
        }
    }
    let hint = hint_for(&message);
    Diagnostic::new(path, line + line_offset, column, message).hint(hint)
}

/// Removes every " at line L column C" from a message, returning the positions found.
fn take_positions(message: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::new();
    let mut marks = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        let after = &rest[i + " at line ".len()..];
        let line_digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let tail = &after[line_digits.len()..];
        let Some(col_part) = tail.strip_prefix(" column ") else {
            out.push_str(&rest[..i + 1]);
            rest = &rest[i + 1..];
            continue;
        };
        let col_digits: String = col_part.chars().take_while(char::is_ascii_digit).collect();
        if let (Ok(l), Ok(c)) = (line_digits.parse(), col_digits.parse()) {
            marks.push((l, c));
        }
        out.push_str(&rest[..i]);
        rest = &col_part[col_digits.len()..];
    }
    out.push_str(rest);
    (out, marks)
}

/// The position of the second `key:` at the indentation of its first occurrence, from `from_line`.
fn second_occurrence(yaml: &str, key: &str, from_line: usize) -> Option<(usize, usize)> {
    let mut indent = None;
    for (i, l) in yaml.lines().enumerate().skip(from_line.saturating_sub(1)) {
        let trimmed = l.trim_start_matches([' ', '-']);
        let this_indent = l.len() - trimmed.len();
        if !trimmed.starts_with(&format!("{key}:")) {
            continue;
        }
        match indent {
            None => indent = Some(this_indent),
            Some(first) if first == this_indent => return Some((i + 1, this_indent + 1)),
            Some(_) => {}
        }
    }
    None
}

/// What to do about a YAML or value error.
fn hint_for(message: &str) -> String {
    let has = |s: &str| message.contains(s);
    if has("unknown field") {
        "remove this key or fix its spelling (the accepted keys are listed in the message)".into()
    } else if has("missing field") {
        let field = message.split('`').nth(1).unwrap_or("it");
        format!("add a line `{field}: …` to the front matter")
    } else if has("duplicate field") {
        "a key may appear only once; keep one of them".into()
    } else if has("unknown variant") {
        "use one of the values listed in the message".into()
    } else if has("invalid date") {
        "dates are ISO 8601: `2026-12-01`, or `2026-12-01T18:30:00+01:00` with a time".into()
    } else if has("invalid color") {
        "write the color as `\"#rrggbb\"`, in quotes, e.g. `\"#1565c0\"`".into()
    } else if has("invalid address") {
        "write a full web address starting with https://".into()
    } else if has("invalid share") || has("invalid quorum") {
        "write a number of ballots (10), a percentage (\"50 %\") or a fraction (\"2/3\")".into()
    } else if has("invalid option id") || has("invalid pool") || has("a pool is") {
        "see docs/content.md for the accepted forms".into()
    } else if has("invalid type") || has("invalid value") || has("invalid length") {
        "check the value's form: text, a number, a list (`[a, b]`) or a map (`key: value`)".into()
    } else if has("cannot start any token") {
        "YAML does not allow tabs: indent with spaces, and quote values that start with `@`, `` ` `` or `%`"
            .into()
    } else if has("while scanning a quoted scalar") {
        "a quote opened here is never closed: add the closing quote".into()
    } else {
        "this is not valid YAML: check indentation, and quote values that contain `:` or start with `#`"
            .into()
    }
}

/// Finds where the value of the top-level `key` starts in `yaml`: (line, column), 1-based.
///
/// Used for problems found after parsing (a pole that does not exist, a duplicate number),
/// which serde cannot place.
pub fn locate_key(yaml: &str, key: &str) -> Option<(usize, usize)> {
    // A top-level key first, then a nested one (`  value:` under `seed:`), then one inside a
    // flow mapping (`term: {from: …, to: …}`).
    let value_column = |line: &str, at: usize| -> Option<usize> {
        let rest = &line[at + key.len()..];
        let after = rest.trim_start_matches([' ', '\t']).strip_prefix(':')?;
        let value_start = after.len() - after.trim_start().len();
        Some(at + key.len() + (rest.len() - after.len()) + value_start + 1)
    };
    let lines: Vec<&str> = yaml.lines().collect();
    let top = lines.iter().enumerate().find_map(|(i, l)| {
        l.starts_with(key)
            .then(|| value_column(l, 0))
            .flatten()
            .map(|c| (i + 1, c))
    });
    let nested = || {
        lines.iter().enumerate().find_map(|(i, l)| {
            let at = l.len() - l.trim_start().len();
            l[at..]
                .starts_with(key)
                .then(|| value_column(l, at))
                .flatten()
                .map(|c| (i + 1, c))
        })
    };
    let in_flow = || {
        lines.iter().enumerate().find_map(|(i, l)| {
            l.match_indices(key).find_map(|(at, _)| {
                let before = l[..at].trim_end().chars().last();
                matches!(before, Some('{') | Some(','))
                    .then(|| value_column(l, at))
                    .flatten()
                    .map(|c| (i + 1, c))
            })
        })
    };
    top.or_else(nested).or_else(in_flow)
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
    fn places_yaml_errors_where_they_must_be_fixed() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            title: String,
            color: Option<String>,
        }
        let at = |text: &str| {
            let s = split(Path::new("a.md"), text).unwrap();
            let e = parse::<T>(Path::new("a.md"), &s).unwrap_err();
            (e.location(), e.message, e.hint.unwrap_or_default())
        };
        let (loc, msg, hint) = at("---\ntitle: a\ncolor: \"#1f5f8b\n---\n");
        assert_eq!(loc, "a.md:3:8");
        assert!(!msg.contains("line"), "{msg}");
        assert!(hint.contains("quote"));
        let (loc, _, _) = at("---\ntitle: a\ncolor: x\ntitle: b\n---\n");
        assert_eq!(loc, "a.md:4:1");
    }

    #[test]
    fn locates_top_level_keys_first_then_nested_ones() {
        let yaml = "title: A\npole:   logement\nplace:\n  name: x\n  title: y\nterm: {from: 2027-01-01, to: 2027-06-30}\n";
        assert_eq!(locate_key(yaml, "pole"), Some((2, 9)));
        assert_eq!(locate_key(yaml, "name"), Some((4, 9)), "nested under place:");
        assert_eq!(locate_key(yaml, "title"), Some((1, 8)), "the top-level one wins");
        assert_eq!(locate_key(yaml, "to"), Some((6, 30)), "inside a flow mapping");
        assert_eq!(locate_key(yaml, "nowhere"), None);
    }
}
