//! Diagnostics: content errors that point at a file, a line and a column, with a hint.
//!
//! A build reports every problem it finds in one run, so the loader collects
//! [`Diagnostic`]s instead of stopping at the first one.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one file, printed as `path:line:column: message` and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Path relative to the site root, with `/` separators.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at a position.
    pub fn new(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds the suggestion printed under the message.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The `path:line:column` part; a control character in the path is shown as `\u{…}`.
    pub fn location(&self) -> String {
        format!(
            "{}:{}:{}",
            visible(&self.path.display().to_string().replace('\\', "/")),
            self.line,
            self.column
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// `s` with every control character written as a visible `\u{…}` escape, so that a value
/// read from content (a file name, a YAML key) can never break, or start, a printed line.
pub fn visible(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Every diagnostic of a run, sorted by file and position when displayed.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Records one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sorts by path, line and column so that output does not depend on thread timing.
    pub fn sort(&mut self) {
        self.0.sort();
        self.0.dedup();
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{} found; nothing was written, the previous site is unchanged.",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Diagnostics {}

/// A mistake the user can fix (exit code 1), with what to do next.
#[derive(Debug)]
pub struct Mistake {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Mistake {}

/// A [`Mistake`] as an error.
pub fn mistake(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Mistake {
        message: message.into(),
        hint: Some(hint.into()).filter(|h: &String| !h.is_empty()),
    })
}

/// True when the error is the user's to fix (exit code 1) rather than a failure to run (2).
pub fn is_mistake(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<Mistake>())
}
