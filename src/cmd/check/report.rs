//! How the gate's verdict is shown: what the change does on standard output, the problems on
//! standard error as `path:line:column: message` with a hint (as `pnyx build` prints them),
//! and, under GitHub Actions, one `::error` annotation per problem and a markdown summary
//! appended to the file named by `GITHUB_STEP_SUMMARY`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use super::{Area, Report};
use crate::error::visible as v;
use crate::error::Diagnostic;

/// Whether we run in GitHub Actions.
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// GitHub Actions runs any line of output that starts, after spaces, with `::` as a workflow
/// command (`::warning`, `::stop-commands`…). Such a line that pnyx did not mean as one gets
/// its first colon written `\u{3a}`. Values from content have their control characters shown
/// as `\u{…}` besides (see [`crate::load::names::visible`]), so none can start a line.
pub fn guard(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = line.trim_start();
        if body.starts_with("::") {
            out.push_str(&line[..line.len() - body.len()]);
            out.push_str("\\u{3a}");
            out.push_str(&body[1..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// `text` as printed: guarded under GitHub Actions.
pub fn printable(text: String) -> String {
    if in_github_actions() {
        guard(&text)
    } else {
        text
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

const AREAS: [Area; 3] = [Area::Content, Area::Signatures, Area::Protected];

/// What the change does: compared revisions, changed files, admin-reviewed files, tallies.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "pnyx check: {} against {}", v(&r.head), v(&r.base.label()));
    for note in &r.notes {
        let _ = writeln!(out, "note: {}", v(note));
    }
    let counts: Vec<String> = AREAS
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                r.changes.iter().filter(|c| c.area == *a).count(),
                a.word()
            )
        })
        .collect();
    if r.changes.is_empty() {
        out.push_str("no file changed\n");
    } else {
        let _ = writeln!(
            out,
            "{} changed ({}):",
            plural(r.changes.len(), "file"),
            counts.join(", ")
        );
        for c in &r.changes {
            let _ = writeln!(
                out,
                "  {:<9} {:<11} {}",
                c.status.word(),
                c.area.word(),
                v(&c.path)
            );
        }
    }
    if !r.reviewed.is_empty() {
        out.push_str("reviewed by an admin (--admin-review):\n");
        for d in &r.reviewed {
            let _ = writeln!(out, "  {}: {}", v(&d.location()), v(&d.message));
        }
    }
    match &r.delta {
        Some(lines) if lines.is_empty() => out.push_str("tallies: no change\n"),
        Some(lines) => {
            out.push_str("tallies:\n");
            for l in lines {
                let _ = writeln!(out, "  {}", v(l));
            }
        }
        None => out.push_str("tallies: not compared, as one side does not build\n"),
    }
    printable(out)
}

/// The problems, then the verdict: what `pnyx check` prints on standard error.
pub fn problems(r: &Report) -> String {
    let mut out = String::new();
    for d in &r.warnings {
        let _ = writeln!(out, "{}: warning: {}", v(&d.location()), v(&d.message));
        if let Some(h) = &d.hint {
            let _ = writeln!(out, "  hint: {}", v(h));
        }
    }
    for (i, d) in r.problems.iter().enumerate() {
        let _ = writeln!(out, "{}: {}", v(&d.location()), v(&d.message));
        // The same advice for a run of files (twenty protected paths) is given once, under
        // the last of them.
        let next_hint = r.problems.get(i + 1).and_then(|n| n.hint.as_ref());
        if let Some(h) = &d.hint {
            if next_hint != Some(h) {
                let _ = writeln!(out, "  hint: {}", v(h));
            }
        }
    }
    if r.passed() {
        out.push_str("no problems: the change passes the gate; a moderator reviews it before merging");
    } else {
        let _ = write!(
            out,
            "{}: the change is rejected",
            plural(r.problems.len(), "problem")
        );
    }
    printable(out)
}

/// Escapes the message of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property of a workflow command.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn message_with_hint(d: &Diagnostic) -> String {
    match &d.hint {
        Some(h) => format!("{}\nhint: {h}", d.message),
        None => d.message.clone(),
    }
}

/// One `::error file=…,line=…,col=…::message` line per problem and one `::warning` line per
/// warning, paths from the repository root.
pub fn annotations(r: &Report) -> String {
    let mut out = String::new();
    let all = r
        .problems
        .iter()
        .map(|d| ("error", d))
        .chain(r.warnings.iter().map(|d| ("warning", d)));
    for (level, d) in all {
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},title=pnyx check::{}",
            escape_property(&v(&r.repo_path(&d.path))),
            d.line,
            d.column,
            escape_data(&message_with_hint(d))
        );
    }
    out
}

/// A table cell: no line breaks, no column separators.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// The markdown step summary.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    if r.passed() {
        out.push_str("## pnyx check: passed\n\n");
    } else {
        let _ = writeln!(
            out,
            "## pnyx check: rejected, {}\n",
            plural(r.problems.len(), "problem")
        );
    }
    let _ = writeln!(out, "Compared {} with `{}`.\n", r.head, r.base.label());
    for note in &r.notes {
        let _ = writeln!(out, "> {}\n", cell(note));
    }
    if !r.problems.is_empty() {
        out.push_str("| file | line | problem | what to do |\n| --- | --- | --- | --- |\n");
        for d in &r.problems {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                cell(&r.repo_path(&d.path)),
                d.line,
                cell(&d.message),
                cell(d.hint.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
    }
    if !r.warnings.is_empty() {
        out.push_str("### Warnings\n\n| file | warning | what to do |\n| --- | --- | --- |\n");
        for d in &r.warnings {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                cell(&r.repo_path(&d.path)),
                cell(&d.message),
                cell(d.hint.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
    }
    out.push_str("### Tallies\n\n");
    match &r.delta {
        Some(lines) if lines.is_empty() => out.push_str("No change to the tallies.\n\n"),
        Some(lines) => {
            for l in lines {
                let _ = writeln!(out, "- {}", cell(l));
            }
            out.push('\n');
        }
        None => out.push_str("Not compared: one side does not build.\n\n"),
    }
    out.push_str("### Changed files\n\n");
    if r.changes.is_empty() {
        out.push_str("None.\n");
    }
    for area in AREAS {
        let files: Vec<String> = r
            .changes
            .iter()
            .filter(|c| c.area == area)
            .map(|c| {
                format!(
                    "`{}` ({})",
                    cell(&r.repo_path(Path::new(&c.path))),
                    c.status.word()
                )
            })
            .collect();
        if files.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "- **{}** ({}): {}",
            area.word(),
            files.len(),
            files.join(", ")
        );
        if area == Area::Protected {
            out.push_str(if r.reviewed.is_empty() && !r.passed() {
                " — needs an admin's review"
            } else {
                " — reviewed by an admin"
            });
        }
        out.push('\n');
    }
    if !r.reviewed.is_empty() {
        out.push_str("\n### Reviewed by an admin\n\n");
        for d in &r.reviewed {
            let _ = writeln!(out, "- `{}`: {}", cell(&r.repo_path(&d.path)), cell(&d.message));
        }
    }
    out
}

/// Prints what the change does on standard output and, under GitHub Actions, the annotations
/// and the step summary. The problems are the caller's to print (standard error).
pub fn emit(r: &Report) -> anyhow::Result<()> {
    print!("{}", text(r));
    if in_github_actions() {
        print!("{}", annotations(r));
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("cannot open the step summary {}", Path::new(&path).display()))?;
            file.write_all(markdown(r).as_bytes())
                .with_context(|| format!("cannot write the step summary {}", Path::new(&path).display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_commands() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }

    #[test]
    fn guards_lines_that_read_as_workflow_commands() {
        assert_eq!(
            guard("ok\n  ::warning::x\n::error::y"),
            "ok\n  \\u{3a}:warning::x\n\\u{3a}:error::y"
        );
        assert_eq!(guard("a: ::b"), "a: ::b");
    }
}
