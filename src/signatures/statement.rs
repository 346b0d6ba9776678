//! Where a statement lives and what it says: the path of a `.minisig` file names the key and
//! the target; its trusted comment, `pnyx/1 <verb> [argument]`, says what the signer means.

use std::fmt;

use super::keys::KeyId;

/// The verbs of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verb {
    /// Signs an initiative.
    Support,
    /// Takes a support back.
    Withdraw,
    /// A ballot.
    Vote,
    /// Pre-registration to a meeting.
    Register,
    /// Vouches for a key.
    Certify,
    /// Takes a certification back.
    Revoke,
    /// Vouches for N paper signatures or ballots.
    Attest,
    /// Commits to a secret for a sortition seed.
    Commit,
    /// Reveals it.
    Reveal,
    /// Signs a contribution.
    Author,
    /// A moderator's decision.
    Moderate,
}

impl Verb {
    /// The word in the trusted comment.
    pub fn word(self) -> &'static str {
        match self {
            Verb::Support => "support",
            Verb::Withdraw => "withdraw",
            Verb::Vote => "vote",
            Verb::Register => "register",
            Verb::Certify => "certify",
            Verb::Revoke => "revoke",
            Verb::Attest => "attest",
            Verb::Commit => "commit",
            Verb::Reveal => "reveal",
            Verb::Author => "author",
            Verb::Moderate => "moderate",
        }
    }

    fn from_word(w: &str) -> Option<Verb> {
        use Verb::*;
        [
            Support, Withdraw, Vote, Register, Certify, Revoke, Attest, Commit, Reveal, Author, Moderate,
        ]
        .into_iter()
        .find(|v| v.word() == w)
    }

    /// Whether the verb takes an argument (`vote yes`, `attest 12`).
    pub fn takes_argument(self) -> bool {
        matches!(self, Verb::Vote | Verb::Attest | Verb::Commit | Verb::Reveal)
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// What a statement is about, from its path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// `signatures/<folder>/<slug>/<KEYID>.minisig` about `content/<folder>/<slug>.md`.
    Item {
        /// `initiatives`, `votes`, `budgets`, `meetings`, `sortitions`, `moderation`.
        folder: &'static str,
        /// The item's slug.
        slug: String,
    },
    /// `signatures/certifications/<SUBJECT>/<KEYID>.minisig` about `signatures/keys/<SUBJECT>.pub`.
    Key(KeyId),
    /// `signatures/paper/<kind>/<slug>/<batch>.<KEYID>.minisig` about `<batch>.yaml` beside it.
    Paper {
        /// `initiatives`, `votes` or `budgets`.
        folder: &'static str,
        /// The item's slug.
        slug: String,
        /// The batch file's stem.
        batch: String,
    },
    /// `content/<kind>/<slug>/<stem>.<KEYID>.minisig` about `<stem>.md` beside it.
    Contribution {
        /// Path of the contribution file from the root.
        path: String,
    },
}

/// A statement's place: who signs, about what, and which verbs belong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The key named by the file.
    pub key: KeyId,
    /// What it is about.
    pub target: Target,
}

impl Place {
    /// The file whose bytes the statement signs, from the root.
    pub fn signed_file(&self) -> String {
        match &self.target {
            Target::Item { folder, slug } => format!("content/{folder}/{slug}.md"),
            Target::Key(k) => format!("signatures/keys/{k}.pub"),
            Target::Paper { folder, slug, batch } => format!("signatures/paper/{folder}/{slug}/{batch}.yaml"),
            Target::Contribution { path } => path.clone(),
        }
    }

    /// Whether only the current text of the signed file counts. A certification vouches for
    /// one key file, an attestation for one batch, a moderation decision for one decision:
    /// once that file changes, the statement no longer says anything about it. Supports and
    /// registrations keep counting for the version they signed.
    pub fn must_sign_current(&self) -> bool {
        matches!(
            &self.target,
            Target::Key(_)
                | Target::Paper { .. }
                | Target::Item {
                    folder: "moderation",
                    ..
                }
        )
    }

    /// The verbs that may be stored here.
    pub fn allowed(&self) -> &'static [Verb] {
        match &self.target {
            Target::Item {
                folder: "initiatives",
                ..
            } => &[Verb::Support, Verb::Withdraw],
            Target::Item {
                folder: "votes" | "budgets",
                ..
            } => &[Verb::Vote],
            Target::Item {
                folder: "meetings", ..
            } => &[Verb::Register],
            Target::Item {
                folder: "sortitions", ..
            } => &[Verb::Commit, Verb::Reveal],
            Target::Item {
                folder: "moderation", ..
            } => &[Verb::Moderate],
            Target::Item { .. } => &[],
            Target::Key(_) => &[Verb::Certify, Verb::Revoke],
            Target::Paper { .. } => &[Verb::Attest],
            Target::Contribution { .. } => &[Verb::Author],
        }
    }
}

const ITEM_FOLDERS: [&str; 6] = [
    "initiatives",
    "votes",
    "budgets",
    "meetings",
    "sortitions",
    "moderation",
];
/// The kinds of items whose signatures or ballots may be collected on paper.
pub const PAPER_FOLDERS: [&str; 3] = ["initiatives", "votes", "budgets"];

/// Reads a statement's place from its path (from the root, `/`-separated).
pub fn place(path: &str) -> Result<Place, String> {
    let parts: Vec<&str> = path.split('/').collect();
    let key_of = |file: &str| -> Result<KeyId, String> {
        let stem = file
            .strip_suffix(".minisig")
            .ok_or("a statement's file name ends in `.minisig`")?;
        KeyId::parse(stem)
            .ok_or_else(|| format!("`{stem}` is not a key id (16 upper-case hexadecimal digits)"))
    };
    let slug_ok = |s: &str| {
        if crate::slug::is_valid(s) {
            Ok(())
        } else {
            Err(format!("`{s}` is not a valid slug"))
        }
    };
    match parts.as_slice() {
        ["signatures", "certifications", subject, file] => {
            let subject = KeyId::parse(subject).ok_or_else(|| format!("`{subject}` is not a key id"))?;
            Ok(Place {
                key: key_of(file)?,
                target: Target::Key(subject),
            })
        }
        ["signatures", "paper", folder, slug, file] => {
            let folder = PAPER_FOLDERS
                .into_iter()
                .find(|f| f == folder)
                .ok_or_else(|| format!("paper batches are for {}", PAPER_FOLDERS.join(", ")))?;
            slug_ok(slug)?;
            let (batch, key) = file
                .strip_suffix(".minisig")
                .and_then(|s| s.rsplit_once('.'))
                .ok_or("a batch attestation is named `<batch>.<KEYID>.minisig`")?;
            let key = KeyId::parse(key).ok_or_else(|| format!("`{key}` is not a key id"))?;
            Ok(Place {
                key,
                target: Target::Paper {
                    folder,
                    slug: slug.to_string(),
                    batch: batch.to_string(),
                },
            })
        }
        ["signatures", folder, slug, file] => {
            let folder = ITEM_FOLDERS
                .into_iter()
                .find(|f| f == folder)
                .ok_or_else(|| format!("`signatures/{folder}/` holds no statements"))?;
            slug_ok(slug)?;
            Ok(Place {
                key: key_of(file)?,
                target: Target::Item {
                    folder,
                    slug: slug.to_string(),
                },
            })
        }
        ["content", _, _, file] => {
            let (stem, key) = file
                .strip_suffix(".minisig")
                .and_then(|s| s.rsplit_once('.'))
                .ok_or("an authorship signature is named `<contribution>.<KEYID>.minisig`")?;
            let key = KeyId::parse(key).ok_or_else(|| format!("`{key}` is not a key id"))?;
            let dir = parts[..3].join("/");
            Ok(Place {
                key,
                target: Target::Contribution {
                    path: format!("{dir}/{stem}.md"),
                },
            })
        }
        _ => Err("this is not a place for a statement (see the table of SPEC §4 in docs/signing.md)".into()),
    }
}

/// A trusted comment, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// The verb.
    pub verb: Verb,
    /// Its argument, if any.
    pub argument: Option<String>,
}

/// Parses `pnyx/1 <verb> [argument]`.
pub fn parse_comment(comment: &str) -> Result<Said, String> {
    let rest = comment
        .trim()
        .strip_prefix("pnyx/1 ")
        .ok_or_else(|| format!("the trusted comment `{comment}` does not start with `pnyx/1 `"))?;
    let (word, argument) = match rest.split_once(' ') {
        Some((w, a)) => (w, Some(a.trim().to_string()).filter(|a| !a.is_empty())),
        None => (rest, None),
    };
    let verb = Verb::from_word(word).ok_or_else(|| format!("unknown verb `{word}`"))?;
    match (verb.takes_argument(), &argument) {
        (true, None) => Err(format!("`{verb}` needs an argument (`pnyx/1 {verb} …`)")),
        (false, Some(a)) => Err(format!("`{verb}` takes no argument, found `{a}`")),
        _ => Ok(Said { verb, argument }),
    }
}

/// The trusted comment for a verb and argument.
pub fn comment(verb: Verb, argument: Option<&str>) -> String {
    match argument {
        Some(a) => format!("pnyx/1 {verb} {a}"),
        None => format!("pnyx/1 {verb}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_places_from_paths() {
        let p = place("signatures/initiatives/gratuite-des-bus/2F3240DF3C8A9906.minisig").unwrap();
        assert_eq!(p.signed_file(), "content/initiatives/gratuite-des-bus.md");
        assert_eq!(p.allowed(), &[Verb::Support, Verb::Withdraw]);
        let p = place("signatures/certifications/0000000000000001/2F3240DF3C8A9906.minisig").unwrap();
        assert_eq!(p.signed_file(), "signatures/keys/0000000000000001.pub");
        let p = place("signatures/paper/initiatives/x/marche-2026-11-28.2F3240DF3C8A9906.minisig").unwrap();
        assert_eq!(
            p.signed_file(),
            "signatures/paper/initiatives/x/marche-2026-11-28.yaml"
        );
        let p = place("content/debates/d/01-bea.2F3240DF3C8A9906.minisig").unwrap();
        assert_eq!(p.signed_file(), "content/debates/d/01-bea.md");
        assert!(place("signatures/initiatives/x/bea.minisig").is_err());
        assert!(place("signatures/poles/x/2F3240DF3C8A9906.minisig").is_err());
        assert!(place("signatures/initiatives/X_Y/2F3240DF3C8A9906.minisig").is_err());
    }

    #[test]
    fn reads_trusted_comments() {
        assert_eq!(parse_comment("pnyx/1 support").unwrap().verb, Verb::Support);
        let v = parse_comment("pnyx/1 vote b>a>c").unwrap();
        assert_eq!(v.argument.as_deref(), Some("b>a>c"));
        assert!(parse_comment("pnyx/1 vote").is_err());
        assert!(parse_comment("pnyx/1 support now").is_err());
        assert!(parse_comment("timestamp:1700000000").is_err());
        assert!(parse_comment("pnyx/1 like").is_err());
        assert_eq!(comment(Verb::Attest, Some("12")), "pnyx/1 attest 12");
    }
}
