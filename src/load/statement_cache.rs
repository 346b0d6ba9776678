//! What each statement file says, kept between builds by the file's git blob id
//! (`.pnyx-cache/statements.bin`): with the blob ids git's index gives
//! ([`super::git_index`]), a warm build reads no statement file whose check the verification
//! cache already knows.
//!
//! An entry is a function of the bytes its blob id names
//! ([`crate::signatures::statement::decode`]), so it never
//! needs invalidating: a changed file has another id. The file goes through [`crate::sealed`]
//! like the other caches: believed only when this machine sealed it, never read when git
//! tracks it or through a symbolic link; a missing, foreign or damaged file gives no entry, and
//! the build reads every statement file, slower but the same.
//!
//! Format, integers little-endian, a string is its length (u32) then its UTF-8 bytes:
//!
//! | content |
//! | --- |
//! | magic `PNYXSC01` |
//! | entries (u32 count), strictly increasing by blob id: blob id (20 bytes), identity (u8 0, or 1 and 32 bytes), then u8 0 and why it is not a statement (string), or u8 1, the signer's key number (u64), prehashed (u8), the trusted comment (u8 0, or 1 and a string) |
//! | HMAC-SHA256 seal (32 bytes) |

use std::collections::HashMap;
use std::path::Path;

use git2::Oid;

use crate::sealed::{put_str, put_u32, Reader, Store};
use crate::signatures::keys::KeyId;
use crate::signatures::statement::{Decoded, Facts};

/// The file, from the site's root.
pub const STATEMENT_FILE: &str = ".pnyx-cache/statements.bin";

/// Change the digits when the format or what `statement::decode` says changes.
const MAGIC: &[u8; 8] = b"PNYXSC01";

/// The statement cache of a site, and where to save it (`None` when caches may not be used
/// here: the verification cache's note says why).
#[derive(Debug, Default)]
pub struct StatementCache {
    /// What each known statement file says, by blob id.
    pub known: HashMap<Oid, Decoded>,
    store: Option<Store>,
}

impl StatementCache {
    /// Opens the statement cache of the site at `root`.
    pub fn open(root: &Path) -> StatementCache {
        let Ok(store) = crate::sealed::open(root, STATEMENT_FILE) else {
            return StatementCache::default();
        };
        let known = match store.read(MAGIC) {
            Ok(Some(body)) => decode_all(&body[MAGIC.len()..]).unwrap_or_default(),
            Ok(None) | Err(_) => HashMap::new(),
        };
        StatementCache {
            known,
            store: Some(store),
        }
    }

    /// Saves what `statements` (blob id, decoded) say, when it differs from what was loaded: a
    /// statement decoded from its text, or one gone. A failure only costs time: the note.
    ///
    /// `from_cache` of the statements were taken from this cache, their files not read: when
    /// that is all of them, and as many as it holds, it is saved as it is, without the million
    /// lookups of the check below.
    pub fn save<'a>(
        &self,
        statements: impl ExactSizeIterator<Item = (Oid, &'a Decoded)>,
        from_cache: usize,
    ) -> Result<(), String> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        if from_cache == statements.len() && from_cache == self.known.len() {
            return Ok(());
        }
        let mut entries: Vec<(Oid, &Decoded)> = statements.collect();
        // A warm build of a city saves nothing: that is checked before a million entries are
        // sorted. Every entry known, and as many as known, is the same set but when two files
        // hold the same bytes; an entry of a statement gone is then kept until the next save,
        // which costs nothing but its bytes (an entry is a function of the blob it names).
        let all_known = entries.iter().all(|(id, _)| self.known.contains_key(id));
        if all_known && entries.len() == self.known.len() {
            return Ok(());
        }
        // By their bytes, which is git's order, without a call into libgit2 per comparison.
        entries.sort_unstable_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
        entries.dedup_by_key(|(id, _)| *id);
        if all_known && entries.len() == self.known.len() {
            return Ok(());
        }
        store.write(encode(&entries)).map_err(|e| {
            format!(
                "cannot save the statement cache {}: {e} (the next build reads every statement file again)",
                store.path.display()
            )
        })
    }
}

pub(super) fn encode(entries: &[(Oid, &Decoded)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 4 + entries.len() * 120);
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, entries.len());
    for (id, d) in entries {
        out.extend_from_slice(id.as_bytes());
        match d.identity {
            Some(identity) => {
                out.push(1);
                out.extend_from_slice(&identity);
            }
            None => out.push(0),
        }
        match &d.facts {
            Err(why) => {
                out.push(0);
                put_str(&mut out, why);
            }
            Ok(f) => {
                out.push(1);
                out.extend_from_slice(&f.signer.0.to_le_bytes());
                out.push(u8::from(f.prehashed));
                match &f.comment {
                    Some(c) => {
                        out.push(1);
                        put_str(&mut out, c);
                    }
                    None => out.push(0),
                }
            }
        }
    }
    out
}

/// The entries of `body` (after the magic); `None` when anything is out of place.
pub(super) fn decode_all(body: &[u8]) -> Option<HashMap<Oid, Decoded>> {
    let mut r = Reader::new(body);
    let n = r.u32()?;
    let mut known = HashMap::with_capacity(n.min(body.len() / 40));
    let mut last: Option<Oid> = None;
    for _ in 0..n {
        let id = r.oid()?;
        if last.is_some_and(|l| l.as_bytes() >= id.as_bytes()) {
            return None;
        }
        last = Some(id);
        let identity = match r.byte()? {
            0 => None,
            1 => Some(r.take(32)?.try_into().ok()?),
            _ => return None,
        };
        let facts = match r.byte()? {
            0 => Err(r.str()?.to_string()),
            1 => {
                let signer = KeyId(u64::from_le_bytes(r.take(8)?.try_into().ok()?));
                let prehashed = match r.byte()? {
                    0 => false,
                    1 => true,
                    _ => return None,
                };
                let comment = match r.byte()? {
                    0 => None,
                    1 => Some(r.str()?.to_string()),
                    _ => return None,
                };
                Ok(Facts {
                    identity: identity?,
                    signer,
                    prehashed,
                    comment,
                })
            }
            _ => return None,
        };
        known.insert(id, Decoded { identity, facts });
    }
    r.is_done().then_some(known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signatures::statement;

    #[test]
    fn every_kind_of_entry_round_trips_and_a_cut_file_is_refused() {
        let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let text = minisign::sign(
            Some(&kp.pk),
            &kp.sk,
            std::io::Cursor::new(b"x"),
            Some("pnyx/1 support content/initiatives/x.md"),
            None,
        )
        .unwrap()
        .into_string();
        let decoded = [
            statement::decode(&text),
            statement::decode("not a statement"),
            statement::decode(&text.replace("pnyx/1", "pnyx/2")),
        ];
        let mut entries: Vec<(Oid, &Decoded)> = decoded
            .iter()
            .enumerate()
            .map(|(i, d)| (Oid::from_bytes(&[i as u8 + 1; 20]).unwrap(), d))
            .collect();
        entries.sort_by_key(|(id, _)| *id);
        let bytes = encode(&entries);
        let back = decode_all(&bytes[8..]).unwrap();
        for (id, d) in &entries {
            assert_eq!(back.get(id), Some(*d));
        }
        for cut in 8..bytes.len() {
            assert!(decode_all(&bytes[8..cut]).is_none(), "cut at {cut}");
        }
    }
}
