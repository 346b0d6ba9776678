//! Who moderates and who administers: `roles.yaml` at the site's root.
//!
//! Moderators review contributions and sign moderation decisions; admins look after the
//! configuration, the theme, the workflows and the trust roots. The two roles are kept apart:
//! no key holds both at once. Each role has a term; outside it, a key has no role. A role
//! counts only while its holder is a member of the web of trust (checked where a role is used,
//! once the members are known: see `moderation::decide` and `moderate::codeowners`).
//!
//! ```yaml
//! admins:
//!   - key: 448A6EF90E84154A
//!     from: 2026-09-01
//!     to: 2027-08-31
//! moderators:
//!   - key: D93C0F1A3BA56EB5
//!     from: 2026-09-01
//!     to: 2027-02-28
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::content::front_matter::yaml_diagnostic_in;
use crate::content::values::Moment;
use crate::error::Diagnostic;
use crate::limits::{Limits, ReadError};
use crate::signatures::keys::KeyId;

/// The roles file, from the site's root.
pub const ROLES_FILE: &str = "roles.yaml";

/// Admin or moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleKind {
    /// Looks after configuration, hosting and the trust roots.
    Admin,
    /// Reviews contributions and signs moderation decisions.
    Moderator,
}

impl RoleKind {
    /// `admin` or `moderator`.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Admin => "admin",
            RoleKind::Moderator => "moderator",
        }
    }
}

/// One term of one key in one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The holder.
    pub key: KeyId,
    /// The role.
    pub kind: RoleKind,
    /// First day (or instant) of the term.
    pub from: Moment,
    /// Last day (or instant); open-ended when absent.
    pub to: Option<Moment>,
    /// Line of the entry in `roles.yaml`, for messages.
    pub line: usize,
    /// The sortition that gave this term, when it comes from a draw rather than `roles.yaml`.
    pub drawn_by: Option<String>,
}

impl Term {
    /// Whether the term covers the unix time `ts` in the site's zone.
    pub fn covers(&self, ts: i64, tz: &chrono_tz::Tz) -> bool {
        self.from.start(tz).timestamp() <= ts && self.to.as_ref().is_none_or(|t| ts <= t.end(tz).timestamp())
    }
}

/// Every term of `roles.yaml` (empty when the file does not exist).
#[derive(Debug, Clone, Default)]
pub struct Roles {
    /// Admins' and moderators' terms, in file order.
    pub terms: Vec<Term>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    #[serde(default)]
    admins: Vec<Entry>,
    #[serde(default)]
    moderators: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    key: String,
    from: Moment,
    #[serde(default)]
    to: Option<Moment>,
}

impl Roles {
    /// Reads `roles.yaml` under `root` within `limits`; a missing file means nobody holds a
    /// role.
    pub fn load(root: &Path, limits: &Limits) -> Result<Roles, Vec<Diagnostic>> {
        let rel = Path::new(ROLES_FILE);
        if let Some(d) = crate::load::names::file_problem(root, rel) {
            return Err(vec![d]);
        }
        let text = match crate::limits::read_bounded(&root.join(rel), limits.file_size) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                Diagnostic::new(rel, 1, 1, "roles.yaml is not valid UTF-8 text")
                    .hint("save roles.yaml as UTF-8 in your editor")
            }),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Roles::default()),
            Err(e) => Err(e.diagnostic(rel, limits.file_size, "file_size")),
        }
        .map_err(|d| vec![d])?;
        crate::limits::check_front_matter(rel, &text, 0, limits).map_err(|d| vec![d])?;
        Roles::parse(rel, &text)
    }

    /// Parses the text of a roles file shown as `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Roles, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Ok(Roles::default());
        }
        let file: RolesFile = serde_yaml::from_str(text).map_err(|e| {
            vec![yaml_diagnostic_in(path, 0, &e, Some(text))
                .hint("roles.yaml lists `admins:` and `moderators:`, each entry `{key: KEYID, from: DATE, to: DATE}`; see docs/moderation.md")]
        })?;
        let mut problems = Vec::new();
        let mut terms = Vec::new();
        let mut search_from = 0;
        for (kind, entries) in [
            (RoleKind::Admin, file.admins),
            (RoleKind::Moderator, file.moderators),
        ] {
            for e in entries {
                // Entries are found in file order: the n-th `key:` with this value after the
                // previous one is this entry's line.
                let (line, col, next) = locate_value(text, &e.key, search_from);
                search_from = next;
                let Some(key) = KeyId::parse(e.key.trim()) else {
                    problems.push(
                        Diagnostic::new(path, line, col, format!("`{}` is not a key id", e.key))
                            .hint("write the 16 upper-case hexadecimal digits minisign prints, as in signatures/keys/KEYID.pub"),
                    );
                    continue;
                };
                if let Some(to) = &e.to {
                    if to.start(&chrono_tz::UTC) < e.from.start(&chrono_tz::UTC) {
                        problems.push(
                            Diagnostic::new(
                                path,
                                line,
                                col,
                                format!("the term of {key} ends before it starts"),
                            )
                            .hint("`to` must be on or after `from`"),
                        );
                        continue;
                    }
                }
                terms.push(Term {
                    key,
                    kind,
                    from: e.from,
                    to: e.to,
                    line,
                    drawn_by: None,
                });
            }
        }
        // Admins and moderators are kept apart: no key may hold both roles at the same time.
        for (i, a) in terms.iter().enumerate() {
            for b in &terms[i + 1..] {
                if a.key == b.key && a.kind != b.kind && overlap(a, b) {
                    problems.push(
                        Diagnostic::new(
                            path,
                            b.line,
                            1,
                            format!(
                                "key {} is both admin and moderator at the same time (see line {})",
                                a.key, a.line
                            ),
                        )
                        .hint("admins and moderators are different people: end one term before the other starts, or choose someone else"),
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(Roles { terms })
        } else {
            Err(problems)
        }
    }

    /// Whether `key` holds role `kind` at unix time `ts` (membership aside).
    pub fn holds(&self, key: &KeyId, kind: RoleKind, ts: i64, tz: &chrono_tz::Tz) -> bool {
        self.terms
            .iter()
            .any(|t| t.key == *key && t.kind == kind && t.covers(ts, tz))
    }

    /// The terms of `kind` in force at `ts`, in file order.
    pub fn in_term(&self, kind: RoleKind, ts: i64, tz: &chrono_tz::Tz) -> Vec<&Term> {
        self.terms
            .iter()
            .filter(|t| t.kind == kind && t.covers(ts, tz))
            .collect()
    }
}

/// Whether two terms share at least one instant (open ends reach forever).
fn overlap(a: &Term, b: &Term) -> bool {
    let tz = chrono_tz::UTC;
    let start = |t: &Term| t.from.start(&tz).timestamp();
    let end = |t: &Term| t.to.as_ref().map_or(i64::MAX, |m| m.end(&tz).timestamp());
    start(a) <= end(b) && start(b) <= end(a)
}

/// Line and column of `value` at or after byte `from` of `text`, and where to search next.
fn locate_value(text: &str, value: &str, from: usize) -> (usize, usize, usize) {
    let value = value.trim();
    match text.get(from..).and_then(|rest| rest.find(value)) {
        Some(i) if !value.is_empty() => {
            let at = from + i;
            let line = text[..at].matches('\n').count() + 1;
            let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
            (line, col, at + value.len())
        }
        _ => (1, 1, from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "448A6EF90E84154A";
    const B: &str = "D93C0F1A3BA56EB5";

    fn ts(date: &str) -> i64 {
        Moment::parse(date)
            .unwrap()
            .start(&chrono_tz::Europe::Paris)
            .timestamp()
    }

    #[test]
    fn reads_terms_and_answers_who_holds_what_when() {
        let text = format!(
            "admins:\n  - key: {A}\n    from: 2026-09-01\n    to: 2027-08-31\nmoderators:\n  - key: {B}\n    from: 2026-09-01\n    to: 2026-12-31\n"
        );
        let r = Roles::parse(Path::new("roles.yaml"), &text).unwrap();
        assert_eq!(r.terms.len(), 2);
        assert_eq!(r.terms[1].line, 6);
        let tz = chrono_tz::Europe::Paris;
        let b = KeyId::parse(B).unwrap();
        assert!(
            r.holds(&b, RoleKind::Moderator, ts("2026-12-31T23:00:00"), &tz),
            "the last day counts whole"
        );
        assert!(!r.holds(&b, RoleKind::Moderator, ts("2027-01-01"), &tz));
        assert!(!r.holds(&b, RoleKind::Moderator, ts("2026-08-31"), &tz));
        assert!(!r.holds(&b, RoleKind::Admin, ts("2026-10-01"), &tz));
        assert_eq!(r.in_term(RoleKind::Admin, ts("2026-10-01"), &tz).len(), 1);
    }

    #[test]
    fn a_key_cannot_be_admin_and_moderator_at_once() {
        let text = format!(
            "admins:\n  - key: {A}\n    from: 2026-09-01\nmoderators:\n  - key: {B}\n    from: 2026-09-01\n  - key: {A}\n    from: 2027-01-01\n"
        );
        let e = Roles::parse(Path::new("roles.yaml"), &text).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 7, "{e:?}");
        assert!(e[0].message.contains("both admin and moderator"));
    }

    #[test]
    fn one_role_after_the_other_is_fine() {
        let text = format!(
            "admins:\n  - key: {A}\n    from: 2026-01-01\n    to: 2026-06-30\nmoderators:\n  - key: {A}\n    from: 2026-07-01\n"
        );
        assert!(Roles::parse(Path::new("roles.yaml"), &text).is_ok());
    }

    #[test]
    fn bad_entries_are_placed() {
        let text = "moderators:\n  - key: nope\n    from: 2026-01-01\n  - key: ABCDABCDABCDABCD\n    from: 2026-05-01\n    to: 2026-01-01\n";
        let e = Roles::parse(Path::new("roles.yaml"), text).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].line, e[0].column), (2, 10));
        assert!(e[1].message.contains("ends before it starts"));
        assert_eq!(e[1].line, 4);
        let e = Roles::parse(
            Path::new("roles.yaml"),
            "moderators:\n  - key: ABCDABCDABCDABCD\n    since: 2026-01-01\n",
        )
        .unwrap_err();
        assert!(e[0].message.contains("since"), "{}", e[0].message);
        assert_eq!(e[0].line, 3);
    }

    #[test]
    fn no_file_means_no_roles() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Roles::load(dir.path(), &Limits::default())
            .unwrap()
            .terms
            .is_empty());
    }
}
