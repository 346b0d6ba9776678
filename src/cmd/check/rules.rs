//! What a change may do, file by file (SPEC §8):
//!
//! - the head must build: every problem of the real pipeline (load, checks, render) counts;
//! - a new statement must verify, at its place, with its key present (it may come in the same
//!   change); a changed one must verify with the key its path names, which proves that key
//!   replaced its own statement; no statement is ever deleted;
//! - a contribution that exists in the base can only be changed by its author, proved by an
//!   `author` signature of the new text by the key that signed it; an unsigned one cannot be
//!   changed by pull request at all, and none is deleted;
//! - an authorship signature added to a published contribution must be its author's;
//! - protected paths (everything outside `content/`, `signatures/` and `static/`), the keys
//!   of the trust roots, changed or deleted keys, profiles of existing keys and changed paper
//!   batches need an admin's review (`--admin-review`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::{Area, Change, Side, Status};
use crate::content::{ContributionMeta, Item};
use crate::error::Diagnostic;
use crate::signatures::keys::KeyId;
use crate::signatures::statement::{self, Target, Verb};
use crate::signatures::verdict::Reason;
use crate::signatures::verify::{Accepted, Rejected};

/// What to do about a change that needs an admin.
pub const ADMIN_HINT: &str = "an admin must review this change: add the label `admin` to the pull request (the check then runs with `--admin-review`); .github/CODEOWNERS makes an admin's approval required before it is merged";

/// The verdict on a change.
#[derive(Debug, Default)]
pub struct Judged {
    /// Why it is rejected.
    pub problems: Vec<Diagnostic>,
    /// What an admin reviewed (with `--admin-review`).
    pub reviewed: Vec<Diagnostic>,
}

/// Judges every changed file, and adds the head's pipeline problems.
pub fn judge(changes: &[Change], base: &Side, head: &Side, admin_review: bool) -> Judged {
    let mut j = Judge {
        base: Statements::of(base),
        head: Statements::of(head),
        base_side: base,
        head_side: head,
        roots: base.roots().union(&head.roots()).copied().collect(),
        admin_review,
        out: Judged::default(),
    };
    for c in changes {
        j.change(c);
    }
    let mut out = j.out;
    out.problems.extend(head.diagnostics.0.iter().cloned());
    out.problems.sort();
    out.problems.dedup();
    out.reviewed.sort();
    out
}

/// A side's statements by path.
struct Statements<'a> {
    accepted: BTreeMap<&'a str, &'a Accepted>,
    rejected: BTreeMap<&'a str, &'a Rejected>,
    /// What the key of each statement file signed, if the file is a statement.
    identity: HashMap<&'a str, Option<[u8; 32]>>,
}

impl<'a> Statements<'a> {
    fn of(side: &'a Side) -> Statements<'a> {
        Statements {
            accepted: side
                .verified
                .accepted
                .iter()
                .map(|a| (a.path.as_str(), a))
                .collect(),
            rejected: side
                .verified
                .rejected
                .iter()
                .map(|r| (r.path.as_str(), r))
                .collect(),
            identity: side
                .signatures()
                .map(|s| &s.statements[..])
                .unwrap_or_default()
                .iter()
                .map(|s| (s.file.path.as_str(), s.identity))
                .collect(),
        }
    }

    /// Keys with a valid `author` statement for the contribution at `path`, and the version
    /// each signed (0: the current text).
    fn authors(&self, path: &str) -> Vec<(KeyId, usize)> {
        self.accepted
            .values()
            .filter(|a| a.valid.said.verb == Verb::Author)
            .filter(|a| matches!(&a.valid.place.target, Target::Contribution { path: p } if p == path))
            .map(|a| (a.valid.place.key, a.valid.version))
            .collect()
    }
}

struct Judge<'a> {
    base: Statements<'a>,
    head: Statements<'a>,
    base_side: &'a Side,
    head_side: &'a Side,
    roots: BTreeSet<KeyId>,
    admin_review: bool,
    out: Judged,
}

/// What kind of file a path of the site is.
enum File {
    Statement,
    PublicKey(KeyId),
    Profile(KeyId),
    Paper,
    Contribution,
    Other,
}

fn file_kind(path: &str) -> File {
    if path.ends_with(".minisig") && (path.starts_with("signatures/") || path.starts_with("content/")) {
        return File::Statement;
    }
    if let Some(name) = path.strip_prefix("signatures/keys/") {
        if let Some((stem, ext)) = name.rsplit_once('.') {
            if let Some(id) = KeyId::parse(stem) {
                match ext {
                    "pub" => return File::PublicKey(id),
                    "yaml" => return File::Profile(id),
                    _ => {}
                }
            }
        }
    }
    if path.starts_with("signatures/paper/") && path.ends_with(".yaml") {
        return File::Paper;
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() == 4 && parts[0] == "content" && path.ends_with(".md") {
        return File::Contribution;
    }
    File::Other
}

impl Judge<'_> {
    fn at(&self, c: &Change, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Path::new(&c.path), c.line, 1, message)
    }

    fn problem(&mut self, d: Diagnostic) {
        self.out.problems.push(d);
    }

    /// A moderation decision added or changed must take effect: signed by a moderator in
    /// term who is a member. Anything else would only clutter the public log.
    fn moderation_entry(&mut self, c: &Change) {
        if c.status == Status::Deleted {
            let d = self
                .at(c, "a moderation decision is never deleted".to_string())
                .hint("to undo it, a moderator signs a `restore` decision: `pnyx moderate restore TARGET --reason \"…\"`");
            self.problem(d);
            return;
        }
        let Some(log) = &self.head_side.moderation else {
            return; // the head does not build: its own problems are reported
        };
        let slug = c
            .path
            .trim_start_matches("content/moderation/")
            .trim_end_matches(".md");
        if let Some(problem) = log
            .decisions
            .iter()
            .find(|d| d.slug == slug)
            .and_then(|d| d.problem.as_ref())
        {
            let d = self
                .at(c, format!("this moderation decision would have no effect: {}", problem.explain()))
                .hint("a moderator in term (roles.yaml) signs it: `pnyx moderate hide|restore TARGET --reason \"…\"` writes and signs it");
            self.problem(d);
        }
    }

    fn needs_admin(&mut self, c: &Change, message: String) {
        let d = self.at(c, message).hint(ADMIN_HINT);
        if self.admin_review {
            self.out.reviewed.push(d);
        } else {
            self.out.problems.push(d);
        }
    }

    /// `Alice (2F3240DF3C8A9906)`, named from either side's profile.
    fn who(&self, key: KeyId) -> String {
        let name = [self.head_side, self.base_side]
            .iter()
            .find_map(|s| s.signatures()?.keys.get(&key)?.name.clone());
        match name {
            Some(n) => format!("{n} ({key})"),
            None => key.to_string(),
        }
    }

    fn change(&mut self, c: &Change) {
        if c.area == Area::Protected {
            self.needs_admin(
                c,
                "protected path: changes outside content/, signatures/ and static/ need an admin's review"
                    .into(),
            );
            return;
        }
        match file_kind(&c.path) {
            File::Statement => self.statement(c),
            File::PublicKey(id) => self.public_key(c, id),
            File::Profile(id) => self.profile(c, id),
            File::Paper => {
                if c.status != Status::Added {
                    self.needs_admin(
                        c,
                        format!(
                            "a paper batch is what members attested: it cannot be {} without an admin's review",
                            if c.status == Status::Deleted { "deleted" } else { "changed" }
                        ),
                    );
                }
            }
            File::Contribution => self.contribution(c),
            File::Other if c.path.starts_with("content/moderation/") => self.moderation_entry(c),
            File::Other => {} // content: the head's pipeline judges it
        }
    }

    fn statement(&mut self, c: &Change) {
        let path = c.path.as_str();
        let key = statement::place(path).ok().map(|p| p.key);
        match c.status {
            Status::Deleted => {
                let owner = key.map_or("a key".into(), |k| self.who(k));
                let verb = self.base.accepted.get(path).map(|a| a.valid.said.verb);
                let hint = match verb {
                    Some(Verb::Support) => "to take a support back, sign a withdrawal (`pnyx withdraw SLUG`): it replaces the support at the same path".to_string(),
                    Some(Verb::Certify) => "to take a certification back, sign a revocation (`pnyx revoke KEYID`): it replaces the certification at the same path".to_string(),
                    Some(Verb::Vote) => "to change a ballot, vote again: the new statement replaces the old one at the same path".to_string(),
                    _ => "a statement can only be replaced, at the same path, by a newer one signed by the same key (docs/signing.md)".to_string(),
                };
                let d = self
                    .at(
                        c,
                        format!("the statement of {owner} cannot be deleted: git history keeps every statement, and nothing is deleted silently"),
                    )
                    .hint(hint);
                self.problem(d);
            }
            Status::Added | Status::Modified => {
                // A file that does not count may stand beside the key's earlier statement,
                // which still counts: the file is what the change brings.
                if self.head.accepted.contains_key(path) && !self.head.rejected.contains_key(path) {
                    if c.status == Status::Added {
                        self.authorship_claim(c);
                    } else if self
                        .base
                        .identity
                        .get(path)
                        .is_some_and(|b| b.is_some() && self.head.identity.get(path) == Some(b))
                    {
                        let owner = key.map_or("a key".into(), |k| self.who(k));
                        let d = self
                            .at(
                                c,
                                format!("this change re-encodes the statement of {owner} without changing it (the same signature, other bytes): only a new statement of that key may replace its file"),
                            )
                            .hint("leave statement files byte for byte as their keys sent them (keep content/ and signatures/ `-text` in .gitattributes)");
                        self.problem(d);
                    }
                    return;
                }
                let Some(rejected) = self.head.rejected.get(path) else {
                    return; // not read: the head's pipeline says why
                };
                let reason = rejected.reason.clone();
                let d = if matches!(reason, Reason::Restored | Reason::Copied(_)) {
                    let owner = key.map_or("a key".into(), |k| self.who(k));
                    self.at(c, format!("the statement of {owner} here is {reason}"))
                        .hint(reason_hint(&reason))
                } else if c.status == Status::Modified {
                    let owner = key.map_or("another key".into(), |k| self.who(k));
                    self.at(
                        c,
                        format!("this statement belongs to {owner}: only that key can replace it, and the new file does not verify ({reason})"),
                    )
                    .hint("to sign yourself, add your own statement at the path named after your key id; never edit another key's file")
                } else {
                    self.at(c, format!("this statement does not verify: {reason}"))
                        .hint(reason_hint(&reason))
                };
                self.problem(d);
            }
        }
    }

    /// An `author` statement added to a contribution that was already published: only its
    /// author may sign it, as named by its `author` (a key id, or the key's profile name).
    fn authorship_claim(&mut self, c: &Change) {
        let Some(a) = self.head.accepted.get(c.path.as_str()) else {
            return;
        };
        let Target::Contribution { path } = &a.valid.place.target else {
            return;
        };
        if !self.base_side.has(path) {
            return; // a new contribution signed by whoever writes it
        }
        let key = a.valid.place.key;
        let limit = crate::limits::Limits::default().file_size;
        let Ok(bytes) = crate::limits::read_bounded(&self.head_side.dir.join(path), limit) else {
            return; // the head's loader reports it
        };
        let Ok(text) = String::from_utf8(bytes) else {
            return;
        };
        let Ok(item) = Item::<ContributionMeta>::parse(Path::new(path), &text) else {
            return;
        };
        let author = item.meta.author.trim();
        let name = self
            .head_side
            .signatures()
            .and_then(|s| s.keys.get(&key))
            .and_then(|k| k.name.as_deref());
        if author == key.to_string() || name.is_some_and(|n| n.trim() == author) {
            return;
        }
        let who = self.who(key);
        let d = self
            .at(
                c,
                format!("{who} signs {path}, which was already published by `{author}`: only its author can sign it"),
            )
            .hint("sign your own contributions; to agree with this one, reply to it");
        self.problem(d);
    }

    fn public_key(&mut self, c: &Change, id: KeyId) {
        if self.roots.contains(&id) {
            let what = match c.status {
                Status::Added => "adding",
                Status::Modified => "changing",
                Status::Deleted => "deleting",
            };
            self.needs_admin(
                c,
                format!(
                    "{id} is a trust root (trust.roots in pnyx.yaml): {what} its key needs an admin's review"
                ),
            );
            return;
        }
        match c.status {
            // An unusable key file is a problem of the head's loader, at its line.
            Status::Added => {}
            Status::Modified | Status::Deleted => {
                let who = self.who(id);
                self.needs_admin(
                    c,
                    format!(
                        "the public key of {who} cannot be {} without an admin's review: every statement of that key depends on it",
                        if c.status == Status::Deleted { "deleted" } else { "replaced" }
                    ),
                );
            }
        }
    }

    fn profile(&mut self, c: &Change, id: KeyId) {
        let existing = self.base_side.has(&format!("signatures/keys/{id}.pub"));
        if c.status == Status::Added && !existing {
            return; // a new key with its profile
        }
        let who = self.who(id);
        self.needs_admin(
            c,
            format!("the profile of {who} is not signed: changing the name of an existing key needs an admin's review"),
        );
    }

    fn contribution(&mut self, c: &Change) {
        if c.status == Status::Added {
            return;
        }
        let authors = self.base.authors(&c.path);
        if c.status == Status::Deleted {
            let d = self
                .at(c, "a contribution cannot be deleted by pull request: nothing is deleted silently")
                .hint("ask a moderator to hide it (a signed moderation entry); its author may instead replace its text and sign it again");
            self.problem(d);
            return;
        }
        if authors.is_empty() {
            let d = self
                .at(
                    c,
                    "this contribution has no author signature, so nobody can prove it is theirs: it cannot be changed by pull request",
                )
                .hint("reply with a new contribution (`reply_to:` its file name) instead, or ask a moderator to hide it");
            self.problem(d);
            return;
        }
        let keys: BTreeSet<KeyId> = authors.iter().map(|(k, _)| *k).collect();
        let signed_now = self
            .head
            .authors(&c.path)
            .into_iter()
            .any(|(k, version)| version == 0 && keys.contains(&k));
        if signed_now {
            return;
        }
        let who: Vec<String> = keys.iter().map(|k| self.who(*k)).collect();
        let stem = c.path.trim_end_matches(".md");
        let first = keys.iter().next().map(|k| k.to_string()).unwrap_or_default();
        let d = self
            .at(
                c,
                format!(
                    "this contribution is signed by {}: only its author can change it, by signing the new text",
                    who.join(", ")
                ),
            )
            .hint(format!(
                "its author signs the new text: minisign -S -m {} -x {stem}.{first}.minisig -t \"pnyx/1 author {}\"; anyone else replies instead",
                c.path, c.path
            ));
        self.problem(d);
    }
}

/// What to do about a statement that does not verify.
fn reason_hint(reason: &Reason) -> String {
    match reason {
        Reason::Forged => "sign again (`pnyx sign`, `pnyx register`…, or minisign, see docs/signing.md) and add the .minisig file as it is: never edit it".into(),
        Reason::Replayed => "a statement signs one file: sign the file this path is about (docs/signing.md)".into(),
        Reason::Copied(p) => format!("a copy of {p} does not take its signatures along: whoever supports the copy signs it (`pnyx sign SLUG` names the target in the statement)"),
        Reason::Restored => "a replaced statement never counts again, even put back byte for byte: to change your mind again, sign again (`pnyx sign`, `pnyx vote`…), which makes a new statement".into(),
        Reason::Misplaced(_) => "a statement lives at the path of its target and its key: signatures/<kind>/<slug>/<KEYID>.minisig (docs/signing.md, §2)".into(),
        Reason::UnknownKey(k) => format!("add the public key signatures/keys/{k}.pub in the same pull request (`pnyx keygen` writes it)"),
        Reason::NoTarget(p) => format!("{p} does not exist: check the slug in the statement's path"),
        Reason::Outdated(p) => format!("{p} changed after it was signed: sign its current text again"),
        Reason::Legacy => "sign with `pnyx sign` or a current minisign, which prehashes (`minisign -S`, not `-l`)".into(),
        Reason::Malformed(_) => "make the statement with `pnyx sign` or `minisign -S -t \"pnyx/1 …\"` and add the file as it is".into(),
    }
}
