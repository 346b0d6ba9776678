//! Verifying statements: each `.minisig` file is checked against its place (the key and the
//! target its path names), its key file, and the bytes of the file it signs — the current
//! ones or any earlier version from git history. Anything else is rejected with a reason.
//!
//! Pure: the load stage gathers keys, statements and file versions (`crate::load::signatures`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Cursor;

use base64::Engine as _;

use crate::load::signatures::{StatementFile, Versions};

use super::keys::{KeyId, PublicKey};
use super::statement::{self, Place, Said};

/// Why a statement is not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Not a statement file, or unreadable.
    Malformed(String),
    /// Its path and its content disagree (another key, another verb).
    Misplaced(String),
    /// No `signatures/keys/<KEYID>.pub` for its key.
    UnknownKey(KeyId),
    /// The file it signs does not exist.
    NoTarget(String),
    /// A legacy (non-prehashed) signature.
    Legacy,
    /// Signs an earlier version of a file whose current text alone counts (a key, a paper
    /// batch, a moderation decision).
    Outdated(String),
    /// A genuine signature by this key, but of another file: copied from elsewhere.
    Replayed,
    /// A statement in the older form, whose trusted comment does not name its target, of
    /// bytes that first stood at another path (given): a copy of a text, with its
    /// signatures copied too, cannot take them along.
    Copied(String),
    /// Bytes that stood at this path before and were replaced by a newer statement of the
    /// same key: put back, they never count again (a change of mind is a new signature).
    Restored,
    /// Does not verify at all.
    Forged,
}

impl Reason {
    /// A stable short code for data files and CSS classes.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Malformed(_) => "malformed",
            Reason::Misplaced(_) => "misplaced",
            Reason::UnknownKey(_) => "unknown-key",
            Reason::NoTarget(_) => "no-target",
            Reason::Legacy => "legacy",
            Reason::Outdated(_) => "outdated",
            Reason::Replayed | Reason::Copied(_) => "replayed",
            Reason::Restored => "restored",
            Reason::Forged => "forged",
        }
    }

    /// The particulars of this case (a path, a parser message), when there are any: the
    /// general explanation belongs to the theme's strings, in the site's language.
    pub fn particulars(&self) -> Option<String> {
        match self {
            Reason::Malformed(m) | Reason::Misplaced(m) => Some(m.clone()),
            Reason::UnknownKey(k) => Some(format!("signatures/keys/{k}.pub")),
            Reason::NoTarget(p) | Reason::Outdated(p) => Some(p.clone()),
            Reason::Copied(p) => Some(p.clone()),
            Reason::Legacy | Reason::Replayed | Reason::Restored | Reason::Forged => None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Malformed(m) => write!(f, "malformed: {m}"),
            Reason::Misplaced(m) => write!(f, "misplaced: {m}"),
            Reason::UnknownKey(k) => write!(f, "unknown key: signatures/keys/{k}.pub does not exist"),
            Reason::NoTarget(p) => write!(f, "signs {p}, which does not exist"),
            Reason::Outdated(p) => write!(
                f,
                "outdated: signs an earlier version of {p}, which has changed since"
            ),
            Reason::Legacy => write!(
                f,
                "legacy signature: sign again with a current minisign (prehashed signatures only)"
            ),
            Reason::Replayed => write!(
                f,
                "replayed: a genuine signature, but of another file, copied here"
            ),
            Reason::Copied(p) => write!(
                f,
                "replayed: its trusted comment names no target, and the bytes it signs first stood at {p}: a copy of that text, with its signatures copied here"
            ),
            Reason::Restored => write!(
                f,
                "restored: these bytes stood here before and a newer statement of the same key replaced them; a replaced statement never counts again"
            ),
            Reason::Forged => write!(f, "forged: the signature does not match the file or the key"),
        }
    }
}

/// A statement that verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    /// Where it is and what it is about.
    pub place: Place,
    /// What it says.
    pub said: Said,
    /// Which version of the signed file it signs: 0 is the newest.
    pub version: usize,
    /// What the key signed, whatever the file's encoding (see [`statement::Parsed`]).
    pub identity: [u8; 32],
}

/// The outcome for one statement.
pub type Verdict = Result<Valid, (Option<KeyId>, Reason)>;

/// Verifies one statement, without a cache.
pub fn verify(st: &StatementFile, keys: &BTreeMap<KeyId, PublicKey>, versions: &Versions) -> Verdict {
    verify_cached(st, keys, versions, None)
}

/// What addresses a statement's cryptographic checks in the cache, besides the statement
/// itself (addressed by its identity, so that a re-encoding is the same entry).
pub struct CacheRef<'a> {
    /// The verification cache.
    pub cache: &'a super::cache::Cache,
    /// Blob ids of the key files.
    pub key_blobs: &'a BTreeMap<KeyId, git2::Oid>,
}

/// Verifies one statement; the expensive signature checks go through `cache` when given.
/// Structural checks (place, key id, comment, verb) are cheap and always run.
pub fn verify_cached(
    st: &StatementFile,
    keys: &BTreeMap<KeyId, PublicKey>,
    versions: &Versions,
    cache: Option<&CacheRef<'_>>,
) -> Verdict {
    let decoded = statement::decode(&st.text);
    verify_decoded(
        &st.path,
        &decoded,
        &|| Some(Cow::Borrowed(st.text.as_str())),
        keys,
        versions,
        cache,
    )
}

/// The text of a statement file, read when a signature must be checked; `None` when it can no
/// longer be read as the bytes the build loaded.
pub type TextOf<'a> = dyn Fn() -> Option<Cow<'a, str>> + 'a;

/// [`verify_cached`] for a statement at `path` already decoded: its text is read (`text`)
/// only when a signature must be checked, that is, when the cache does not know a check.
pub fn verify_decoded<'a>(
    path: &str,
    decoded: &statement::Decoded,
    text: &TextOf<'a>,
    keys: &BTreeMap<KeyId, PublicKey>,
    versions: &Versions,
    cache: Option<&CacheRef<'_>>,
) -> Verdict {
    judged(path, decoded, text, keys, versions, cache, None)
}

/// The verdict [`verify_decoded`] gives, when it can be given from `cache` alone: `None` when
/// a signature would have to be checked. A warm build of a city judges nearly every statement
/// so, and checks only the others (in batches, then one by one).
pub fn verify_known(
    path: &str,
    decoded: &statement::Decoded,
    keys: &BTreeMap<KeyId, PublicKey>,
    versions: &Versions,
    cache: &CacheRef<'_>,
) -> Option<Verdict> {
    let unknown = std::cell::Cell::new(false);
    let verdict = judged(
        path,
        decoded,
        &|| None,
        keys,
        versions,
        Some(cache),
        Some(&unknown),
    );
    (!unknown.get()).then_some(verdict)
}

/// [`verify_decoded`]; with `unknown`, a check the cache does not know is not made: the flag is
/// raised, and what is returned then means nothing ([`verify_known`]).
fn judged<'a>(
    path: &str,
    decoded: &statement::Decoded,
    text: &TextOf<'a>,
    keys: &BTreeMap<KeyId, PublicKey>,
    versions: &Versions,
    cache: Option<&CacheRef<'_>>,
    unknown: Option<&std::cell::Cell<bool>>,
) -> Verdict {
    use super::cache::{Key as CacheKey, Outcome};
    let place = statement::place(path).map_err(|m| (None, Reason::Malformed(m)))?;
    let key = Some(place.key);
    let facts = decoded
        .facts
        .as_ref()
        .map_err(|m| (key, Reason::Malformed(m.clone())))?;
    if facts.signer != place.key {
        return Err((
            key,
            Reason::Misplaced(format!(
                "signed by key {}, but stored as {}'s statement",
                facts.signer, place.key
            )),
        ));
    }
    if !facts.prehashed {
        return Err((key, Reason::Legacy));
    }
    let comment = facts
        .comment
        .as_deref()
        .ok_or((key, Reason::Malformed("no trusted comment".into())))?;
    let said = statement::parse_comment(comment).map_err(|m| (key, Reason::Malformed(m)))?;
    if !place.allowed().contains(&said.verb) {
        let folder = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        return Err((
            key,
            Reason::Misplaced(format!(
                "a `{}` statement does not belong in {folder}/",
                said.verb
            )),
        ));
    }
    let target = place.signed_file();
    if let Some(named) = said.target.as_deref().filter(|t| *t != target) {
        return Err((
            key,
            Reason::Misplaced(format!(
                "its trusted comment names {named} as its target, but it is stored as a statement about {target}"
            )),
        ));
    }
    let pk = keys.get(&place.key).ok_or((key, Reason::UnknownKey(place.key)))?;
    let candidates = versions
        .get(&target)
        .filter(|v| !v.is_empty())
        .ok_or((key, Reason::NoTarget(target.clone())))?;
    let statement_address = git2::Oid::from_bytes(&facts.identity[..20]).unwrap_or(git2::Oid::ZERO_SHA1);
    // The signature as minisign reads it, from the text: only for a check the cache does not
    // know.
    let mut read: Option<(String, minisign::SignatureBox)> = None;
    let mut genuine: Option<bool> = None;
    for (i, v) in candidates.iter().enumerate() {
        let address =
            cache.and_then(|c| CacheKey::new(statement_address, *c.key_blobs.get(&place.key)?, v.blob));
        let cached = match (cache, address.as_ref(), unknown) {
            // A miss here is not counted: the check is made, and counted, later.
            (Some(c), Some(k), Some(_)) => c.cache.get_known(k),
            (Some(c), Some(k), None) => c.cache.get(k),
            _ => None,
        };
        let outcome = match cached {
            Some(o) => o,
            None if unknown.is_some() => {
                unknown.inspect(|flag| flag.set(true));
                return Err((key, Reason::Replayed));
            }
            None => {
                let (canonical, sigbox) = read_signature(&mut read, text, &facts.identity, key)?;
                let o = if minisign::verify(&pk.key, sigbox, Cursor::new(&v.bytes), true, false, false)
                    .is_ok()
                {
                    Outcome::Verified
                } else if *genuine.get_or_insert_with(|| comment_signature_is_genuine(canonical, &pk.key)) {
                    Outcome::GenuineCommentOnly
                } else {
                    Outcome::Fails
                };
                if let (Some(c), Some(k)) = (cache, address) {
                    c.cache.insert(k, o);
                }
                o
            }
        };
        match outcome {
            Outcome::Verified if i > 0 && place.must_sign_current() => {
                return Err((key, Reason::Outdated(target)));
            }
            Outcome::Verified => {
                return Ok(Valid {
                    place,
                    said,
                    version: i,
                    identity: facts.identity,
                })
            }
            Outcome::GenuineCommentOnly => genuine = Some(true),
            Outcome::Fails => genuine = Some(false),
        }
    }
    let genuine = match genuine {
        Some(g) => g,
        None if unknown.is_some() => {
            unknown.inspect(|flag| flag.set(true));
            return Err((key, Reason::Replayed));
        }
        None => {
            comment_signature_is_genuine(&read_signature(&mut read, text, &facts.identity, key)?.0, &pk.key)
        }
    };
    if genuine {
        Err((key, Reason::Replayed))
    } else {
        Err((key, Reason::Forged))
    }
}

/// The statement's canonical text and its signature as minisign reads it, read from `text`
/// once into `read`: only for a check the cache does not know. Text that no longer decodes to
/// the statement the build loaded (`identity`) is not checked.
fn read_signature<'r>(
    read: &'r mut Option<(String, minisign::SignatureBox)>,
    text: &TextOf<'_>,
    identity: &[u8; 32],
    key: Option<KeyId>,
) -> Result<&'r (String, minisign::SignatureBox), (Option<KeyId>, Reason)> {
    if read.is_none() {
        let again = || {
            (
                key,
                Reason::Malformed("the file changed while the build read it: build again".into()),
            )
        };
        let text = text().ok_or_else(again)?;
        let parsed = statement::parse_file(&text).map_err(|_| again())?;
        if parsed.identity != *identity {
            return Err(again());
        }
        let sigbox = minisign::SignatureBox::from_string(&parsed.canonical).map_err(|_| again())?;
        *read = Some((parsed.canonical, sigbox));
    }
    Ok(read.as_ref().expect("read above"))
}

/// Checks only the signature over (signature ‖ trusted comment): genuine means the key did
/// say this, about some file. Used to tell a replayed statement from a forged one.
fn comment_signature_is_genuine(text: &str, key: &minisign::PublicKey) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let (Some(sig_line), Some(comment_line), Some(global_line)) = (lines.get(1), lines.get(2), lines.get(3))
    else {
        return false;
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let (Ok(sig), Ok(global)) = (b64.decode(sig_line.trim()), b64.decode(global_line.trim())) else {
        return false;
    };
    let Some(comment) = comment_line.strip_prefix("trusted comment: ") else {
        return false;
    };
    if sig.len() != 74 || global.len() != 64 {
        return false;
    }
    let pk_bytes = key.to_bytes();
    let Ok(pk) = ed25519_compact::PublicKey::from_slice(&pk_bytes[10..42]) else {
        return false;
    };
    let Ok(signature) = ed25519_compact::Signature::from_slice(&global) else {
        return false;
    };
    let mut message = sig[10..74].to_vec();
    message.extend_from_slice(comment.as_bytes());
    pk.verify(&message, &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::signatures::FileVersion;
    use crate::signatures::keys::parse_public_key;
    use crate::signatures::statement::Verb;

    struct Signer {
        pk: minisign::PublicKey,
        sk: minisign::SecretKey,
        id: KeyId,
    }

    fn signer() -> Signer {
        let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let id = KeyId::from_keynum(kp.pk.keynum()).unwrap();
        Signer {
            pk: kp.pk,
            sk: kp.sk,
            id,
        }
    }

    fn sign(s: &Signer, bytes: &[u8], comment: &str) -> String {
        minisign::sign(Some(&s.pk), &s.sk, Cursor::new(bytes), Some(comment), None)
            .unwrap()
            .into_string()
    }

    fn keys(signers: &[&Signer]) -> BTreeMap<KeyId, PublicKey> {
        signers
            .iter()
            .map(|s| {
                (
                    s.id,
                    parse_public_key(&super::super::keys::public_key_text(&s.pk)).unwrap(),
                )
            })
            .collect()
    }

    fn versions(path: &str, texts: &[&str]) -> Versions {
        let v = texts
            .iter()
            .map(|t| FileVersion {
                bytes: t.as_bytes().to_vec(),
                blob: crate::load::history::blob_id(t.as_bytes()),
                commit: None,
            })
            .collect();
        BTreeMap::from([(path.to_string(), v)])
    }

    #[test]
    fn accepts_a_support_and_finds_the_version_it_signs() {
        let a = signer();
        let target = "content/initiatives/bus.md";
        let st = StatementFile {
            path: format!("signatures/initiatives/bus/{}.minisig", a.id),
            text: sign(&a, b"old", "pnyx/1 support"),
        };
        let v = verify(&st, &keys(&[&a]), &versions(target, &["new", "old"])).unwrap();
        assert_eq!(v.said.verb, Verb::Support);
        assert_eq!(v.version, 1, "it signed the earlier version");
    }

    #[test]
    fn rejects_each_kind_of_bad_statement() {
        let (a, b) = (signer(), signer());
        let ks = keys(&[&a, &b]);
        let vs = {
            let mut v = versions("content/initiatives/bus.md", &["bus"]);
            v.extend(versions("content/initiatives/velo.md", &["velo"]));
            v
        };
        let at = |slug: &str, k: KeyId| format!("signatures/initiatives/{slug}/{k}.minisig");
        let reason =
            |path: String, text: String| verify(&StatementFile { path, text }, &ks, &vs).unwrap_err().1;
        // The reference: b's genuine statement at its own place verifies.
        let genuine_b = sign(&b, b"bus", "pnyx/1 support");
        assert!(verify(
            &StatementFile {
                path: at("bus", b.id),
                text: genuine_b
            },
            &ks,
            &vs
        )
        .is_ok());
        // Misplaced: a's statement stored under b's name.
        assert_eq!(
            reason(at("bus", b.id), sign(&a, b"bus", "pnyx/1 support")).code(),
            "misplaced"
        );
        // Replayed: a genuine support of `velo` copied to `bus`.
        assert_eq!(
            reason(at("bus", a.id), sign(&a, b"velo", "pnyx/1 support")),
            Reason::Replayed
        );
        // Wrong verb for the folder.
        assert_eq!(
            reason(at("bus", a.id), sign(&a, b"bus", "pnyx/1 vote yes")).code(),
            "misplaced"
        );
        // Unknown key.
        let c = signer();
        assert_eq!(
            reason(at("bus", c.id), sign(&c, b"bus", "pnyx/1 support")),
            Reason::UnknownKey(c.id)
        );
        // No target.
        assert_eq!(
            reason(at("tram", a.id), sign(&a, b"tram", "pnyx/1 support")).code(),
            "no-target"
        );
        // Malformed.
        assert_eq!(reason(at("bus", a.id), "hello".into()).code(), "malformed");
        assert_eq!(
            reason(at("bus", a.id), sign(&a, b"bus", "timestamp:1")).code(),
            "malformed"
        );
        // Bound statements count for the file they name only.
        assert!(verify(
            &StatementFile {
                path: at("bus", a.id),
                text: sign(&a, b"bus", "pnyx/1 support content/initiatives/bus.md"),
            },
            &ks,
            &vs
        )
        .is_ok());
        assert_eq!(
            reason(
                at("velo", a.id),
                sign(&a, b"velo", "pnyx/1 support content/initiatives/bus.md")
            )
            .code(),
            "misplaced"
        );
        // Junk after a genuine statement.
        let junk = format!("{}extra\n", sign(&a, b"bus", "pnyx/1 support"));
        assert_eq!(reason(at("bus", a.id), junk).code(), "malformed");
        // Forged: a valid statement whose trusted comment was edited.
        let tampered = sign(&a, b"bus", "pnyx/1 support").replace("pnyx/1 support", "pnyx/1 withdraw");
        assert_eq!(reason(at("bus", a.id), tampered), Reason::Forged);
    }

    /// The verify stage judges a warm build's statements from the cache alone, and checks only
    /// the others: a judgement from the cache must be the verdict a full check gives, or none.
    /// A cache that knows a statement's check on one version of its target but not on the
    /// other must not settle it (a text changed since the last build, an older version signed).
    #[test]
    fn a_judgement_from_the_cache_alone_is_the_full_verdict_or_none() {
        use crate::signatures::cache::Cache;
        let (a, b) = (signer(), signer());
        let ks = keys(&[&a, &b]);
        let target = "content/initiatives/bus.md";
        let both = versions(target, &["new", "old"]);
        let newest = versions(target, &["new"]);
        let key_blobs: BTreeMap<KeyId, git2::Oid> = [&a, &b]
            .iter()
            .map(|s| (s.id, crate::load::history::blob_id(s.id.to_string().as_bytes())))
            .collect();
        let at = |k: KeyId| format!("signatures/initiatives/bus/{k}.minisig");
        let forged = sign(&a, b"new", "pnyx/1 support").replace("pnyx/1 support", "pnyx/1 withdraw");
        let statements = [
            StatementFile {
                path: at(a.id),
                text: sign(&a, b"new", "pnyx/1 support"),
            },
            StatementFile {
                path: at(b.id),
                text: sign(&b, b"old", "pnyx/1 support"),
            },
            StatementFile {
                path: at(a.id),
                text: sign(&a, b"velo", "pnyx/1 support"),
            },
            StatementFile {
                path: at(a.id),
                text: forged,
            },
            StatementFile {
                path: at(b.id),
                text: sign(&a, b"new", "pnyx/1 support"),
            },
            StatementFile {
                path: at(a.id),
                text: "hello".into(),
            },
        ];
        let full = |st: &StatementFile| verify(st, &ks, &both);
        let known = |st: &StatementFile, cache: &Cache| {
            let address = CacheRef {
                cache,
                key_blobs: &key_blobs,
            };
            verify_known(&st.path, &statement::decode(&st.text), &ks, &both, &address)
        };
        // Cold: only what needs no signature check is judged.
        let cold = Cache::default();
        let judged: Vec<bool> = statements.iter().map(|st| known(st, &cold).is_some()).collect();
        assert_eq!(judged, [false, false, false, false, true, true]);
        for st in &statements {
            if let Some(verdict) = known(st, &cold) {
                assert_eq!(verdict, full(st));
            }
        }
        // Known on the newest version only: only the statement that signed it is judged; the
        // others may yet verify on the older version.
        // A cache warmed by full checks of every statement against `versions`.
        let warmed = |versions: &Versions| {
            let cache = Cache::default();
            for st in &statements {
                let address = CacheRef {
                    cache: &cache,
                    key_blobs: &key_blobs,
                };
                let _ = verify_cached(st, &ks, versions, Some(&address));
            }
            cache
        };
        let partial = warmed(&newest);
        let judged: Vec<bool> = statements
            .iter()
            .map(|st| known(st, &partial).is_some())
            .collect();
        assert_eq!(judged, [true, false, false, false, true, true]);
        // Warm: every statement is judged, as a full check judges it.
        let warm = warmed(&both);
        for (cache, name) in [(&partial, "partial"), (&warm, "warm")] {
            for st in &statements {
                if let Some(verdict) = known(st, cache) {
                    assert_eq!(verdict, full(st), "{name}: {}", st.path);
                }
            }
        }
        assert!(statements.iter().all(|st| known(st, &warm).is_some()));
    }
}
