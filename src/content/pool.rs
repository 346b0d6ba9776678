//! Pool lists: the YAML files a draw names with `pool: {list: PATH}`, one candidate per entry
//! with an `id` and the attributes its strata may use.
//!
//! ```yaml
//! - id: 06DF2FE9DCAB9483      # a key id, a name, a number…
//!   pole: transports-et-mobilite
//! - id: "Marie L."
//!   pole: sante
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::content::front_matter::yaml_diagnostic_in;
use crate::error::Diagnostic;

/// One candidate of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// Its id.
    pub id: String,
    /// Its other attributes, as text.
    pub attributes: BTreeMap<String, String>,
}

/// A scalar attribute: text, a number or a boolean, kept as written.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

const HINT: &str = "a pool list is a YAML list of candidates, each `- id: …` with its attributes on the next lines (`  pole: sante`); see docs/sortition.md";

/// Parses the text of a pool list shown as `path`; every problem is reported.
pub fn parse_list(path: &Path, text: &str) -> Result<Vec<ListEntry>, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: Vec<BTreeMap<String, Scalar>> = serde_yaml::from_str(text)
        .map_err(|e| vec![yaml_diagnostic_in(path, 0, &e, Some(text)).hint(HINT)])?;
    let starts = entry_lines(text);
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (n, mut map) in raw.into_iter().enumerate() {
        let line = starts.get(n).copied().unwrap_or(1);
        let Some(id) = map.remove("id").map(Scalar::text) else {
            problems
                .push(Diagnostic::new(path, line, 1, format!("candidate {} has no `id`", n + 1)).hint(HINT));
            continue;
        };
        let id = id.trim().to_string();
        if id.is_empty() {
            problems.push(Diagnostic::new(path, line, 1, "an empty `id`").hint(HINT));
            continue;
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            problems.push(
                Diagnostic::new(
                    path,
                    line,
                    1,
                    format!("`{id}` is listed twice (first at line {first})"),
                )
                .hint("each candidate once: a duplicate would not get a second chance anyway"),
            );
            continue;
        }
        out.push(ListEntry {
            id,
            attributes: map.into_iter().map(|(k, v)| (k, v.text())).collect(),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The line of each top-level `- ` entry.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .map(|(i, _)| i + 1)
        .collect()
}

/// Whether `path` names a file under `content/` without leaving it.
pub fn safe_path(path: &str) -> bool {
    path.starts_with("content/") && !path.split('/').any(|p| p == ".." || p.is_empty() || p == ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_candidates_with_attributes() {
        let l = parse_list(
            Path::new("l.yaml"),
            "- id: 06DF2FE9DCAB9483\n  pole: transports\n- id: 42\n  pole: sante\n  age: 30\n",
        )
        .unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].id, "42");
        assert_eq!(l[1].attributes["age"], "30");
    }

    #[test]
    fn places_missing_and_duplicate_ids() {
        let e = parse_list(Path::new("l.yaml"), "- id: a\n- pole: x\n- id: a\n").unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("no `id`"));
        assert_eq!(e[1].line, 3);
        assert!(e[1].message.contains("twice"));
        let e = parse_list(Path::new("l.yaml"), "id: a\n").unwrap_err();
        assert!(e[0].hint.as_deref().unwrap_or("").contains("YAML list"));
    }
}
