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
            } => &[Verb::Register, Verb::Withdraw],
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
    /// The file the statement names as its target (`content/initiatives/x.md`), when it names
    /// one: statements made since the target was bound do, older ones (`pnyx/1 support`) do
    /// not.
    pub target: Option<String>,
    /// Its argument, if any.
    pub argument: Option<String>,
}

/// Whether a word of a trusted comment is a target: the path of a file of the site, which no
/// argument looks like (option ids, counts, hashes and secrets have no `/`).
fn is_target(word: &str) -> bool {
    (word.starts_with("content/") || word.starts_with("signatures/")) && !word.contains("..")
}

/// Parses `pnyx/1 <verb> [<target>] [argument]`.
pub fn parse_comment(comment: &str) -> Result<Said, String> {
    let rest = comment
        .trim()
        .strip_prefix("pnyx/1 ")
        .ok_or_else(|| format!("the trusted comment `{comment}` does not start with `pnyx/1 `"))?;
    let (word, rest) = match rest.split_once(' ') {
        Some((w, a)) => (w, a.trim()),
        None => (rest, ""),
    };
    let verb = Verb::from_word(word).ok_or_else(|| format!("unknown verb `{word}`"))?;
    let (target, rest) = match rest.split_once(' ') {
        Some((t, a)) if is_target(t) => (Some(t.to_string()), a.trim()),
        _ if is_target(rest) => (Some(rest.to_string()), ""),
        _ => (None, rest),
    };
    let argument = Some(rest.to_string()).filter(|a| !a.is_empty());
    match (verb.takes_argument(), &argument) {
        (true, None) => Err(format!("`{verb}` needs an argument (`pnyx/1 {verb} …`)")),
        (false, Some(a)) => Err(format!("`{verb}` takes no argument, found `{a}`")),
        _ => Ok(Said {
            verb,
            target,
            argument,
        }),
    }
}

/// The trusted comment for a verb about `target` (the signed file's path from the site's
/// root), with its argument: `pnyx/1 support content/initiatives/x.md`.
pub fn comment(verb: Verb, target: &str, argument: Option<&str>) -> String {
    match argument {
        Some(a) => format!("pnyx/1 {verb} {target} {a}"),
        None => format!("pnyx/1 {verb} {target}"),
    }
}

/// What the verdicts read of a statement file besides its signatures' bytes, decoded once
/// (at load, or from the statement cache by the file's blob id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Its identity when [`parse_file`] reads it (see [`Parsed::identity`]): what dates it.
    pub identity: Option<[u8; 32]>,
    /// Its facts, or why it is not a statement at all, as the verdict reports it.
    pub facts: Result<Facts, String>,
}

/// A statement file's facts: see [`Decoded`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// What the key signed (see [`Parsed::identity`]).
    pub identity: [u8; 32],
    /// The key whose number the signature carries.
    pub signer: KeyId,
    /// Whether the data signature is of the prehashed (BLAKE2b-512) file, as pnyx requires.
    pub prehashed: bool,
    /// The trusted comment, `None` when minisign cannot read one.
    pub comment: Option<String>,
}

/// Decodes a statement file: [`parse_file`], then the signature as minisign reads it.
pub fn decode(text: &str) -> Decoded {
    let parsed = match parse_file(text) {
        Ok(p) => p,
        Err(m) => {
            return Decoded {
                identity: None,
                facts: Err(m),
            }
        }
    };
    let facts = minisign::SignatureBox::from_string(&parsed.canonical)
        .map_err(|e| format!("not a minisign signature ({e})"))
        .and_then(|sigbox| {
            Ok(Facts {
                identity: parsed.identity,
                signer: KeyId::from_keynum(sigbox.keynum()).ok_or("no key id")?,
                prehashed: sigbox.is_prehashed(),
                comment: sigbox.trusted_comment().ok(),
            })
        });
    Decoded {
        identity: Some(parsed.identity),
        facts,
    }
}

/// A statement file read strictly: the four lines of a minisign signature and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The same four lines, as minisign writes them (LF endings, one final newline).
    pub canonical: String,
    /// SHA-256 of what the key signed (the signature, the trusted comment and the signature
    /// over both): the same for every encoding of one statement, and different for every
    /// other statement, since minisign signatures are randomised. A statement is dated by
    /// its identity, not by the bytes of its file.
    pub identity: [u8; 32],
}

/// Reads a statement file strictly. What a harmless re-encoding changes is accepted and does
/// not change the identity: a byte-order mark, CRLF line endings, a missing or an extra final
/// newline, the untrusted comment. Anything more (a fifth line, junk after the signature,
/// non-canonical base64) is refused: a statement is exactly what its key sent.
pub fn parse_file(text: &str) -> Result<Parsed, String> {
    use base64::Engine as _;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    if text.contains('\r') {
        return Err("a carriage return outside a line ending".into());
    }
    let body = text
        .strip_suffix("\n\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&*text);
    let lines: Vec<&str> = body.split('\n').collect();
    let [untrusted, sig, trusted, global] = lines.as_slice() else {
        return Err(format!(
            "a statement has exactly four lines (untrusted comment, signature, trusted comment, signature of the comment); this file has {}",
            lines.len()
        ));
    };
    if !untrusted.starts_with("untrusted comment:") {
        return Err("the first line is not `untrusted comment: …`".into());
    }
    let comment = trusted
        .strip_prefix("trusted comment: ")
        .ok_or("the third line is not `trusted comment: …`")?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let sig_bytes = b64
        .decode(sig)
        .ok()
        .filter(|b| b.len() == 74)
        .ok_or("the second line is not a minisign signature (74 bytes in base64)")?;
    let global_bytes = b64
        .decode(global)
        .ok()
        .filter(|b| b.len() == 64)
        .ok_or("the fourth line is not a minisign comment signature (64 bytes in base64)")?;
    if b64.encode(&sig_bytes) != *sig || b64.encode(&global_bytes) != *global {
        return Err("the signature lines are not in canonical base64".into());
    }
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(&sig_bytes);
    h.update((comment.len() as u64).to_le_bytes());
    h.update(comment.as_bytes());
    h.update(&global_bytes);
    Ok(Parsed {
        canonical: format!("{untrusted}\n{sig}\n{trusted}\n{global}\n"),
        identity: h.finalize().into(),
    })
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
        assert_eq!(
            comment(Verb::Attest, "signatures/paper/votes/v/b.yaml", Some("12")),
            "pnyx/1 attest signatures/paper/votes/v/b.yaml 12"
        );
        let bound = parse_comment("pnyx/1 vote content/votes/v.md b>a>c").unwrap();
        assert_eq!(bound.target.as_deref(), Some("content/votes/v.md"));
        assert_eq!(bound.argument.as_deref(), Some("b>a>c"));
        let bound = parse_comment("pnyx/1 support content/initiatives/x.md").unwrap();
        assert_eq!(
            (bound.target.as_deref(), bound.argument),
            (Some("content/initiatives/x.md"), None)
        );
        assert_eq!(parse_comment("pnyx/1 support").unwrap().target, None);
        assert!(
            parse_comment("pnyx/1 vote content/votes/v.md").is_err(),
            "a vote needs its choice"
        );
        assert!(parse_comment("pnyx/1 support content/initiatives/x.md now").is_err());
    }

    fn signed(comment: &str) -> String {
        let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        minisign::sign(
            Some(&kp.pk),
            &kp.sk,
            std::io::Cursor::new(b"x"),
            Some(comment),
            None,
        )
        .unwrap()
        .into_string()
    }

    #[test]
    fn a_re_encoded_statement_keeps_its_identity() {
        let text = signed("pnyx/1 support content/initiatives/x.md");
        let parsed = parse_file(&text).unwrap();
        assert_eq!(parsed.canonical, text, "minisign's own file is canonical");
        let crlf = text.replace('\n', "\r\n");
        let bom = format!("\u{feff}{text}");
        let no_final_newline = text.trim_end().to_string();
        let extra_newline = format!("{text}\n");
        let other_untrusted = text.replacen("untrusted comment: ", "untrusted comment: edited ", 1);
        for re_encoded in [crlf, bom, no_final_newline, extra_newline, other_untrusted] {
            assert_eq!(
                parse_file(&re_encoded).unwrap().identity,
                parsed.identity,
                "{re_encoded:?}"
            );
        }
        assert_ne!(
            parse_file(&signed("pnyx/1 support content/initiatives/x.md"))
                .unwrap()
                .identity,
            parsed.identity,
            "another signature of the same text is another statement"
        );
    }

    #[test]
    fn junk_around_a_statement_is_refused() {
        let text = signed("pnyx/1 support");
        for junk in [
            format!("{text}junk\n"),
            format!("{text}\n\n\n"),
            format!("{text}{}", "x\n".repeat(1000)),
            format!("\n{text}"),
            text.replacen("\ntrusted comment: ", "\ntrusted comment:", 1),
            text.replace('\n', "\r"),
            text.lines().take(3).collect::<Vec<_>>().join("\n"),
        ] {
            assert!(parse_file(&junk).is_err(), "{junk:?}");
        }
        // Non-canonical base64: the comment signature's last character before `==` holds two
        // bits of data and four unused ones; setting an unused bit gives other text for the
        // same bytes, which would be another file for the same statement.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let lines: Vec<&str> = text.lines().collect();
        let mut global = lines[3].as_bytes().to_vec();
        let at = global.len() - 3;
        let value = ALPHABET.iter().position(|&c| c == global[at]).unwrap();
        global[at] = ALPHABET[value | 1];
        let odd = format!(
            "{}\n{}\n{}\n{}\n",
            lines[0],
            lines[1],
            lines[2],
            String::from_utf8(global).unwrap()
        );
        assert!(parse_file(&odd).is_err());
    }
}
