//! Pages of an earlier build used again when nothing that decides them changed.
//!
//! A page is a pure function of its template, the theme around it and its variables: the same
//! [`PageKey`] is the same page, byte for byte. So the render stage asks the earlier build
//! ([`Earlier`]) for the page of each key before rendering it, and Tera only renders the pages
//! whose inputs changed: after one new signature, the initiative's page, its lists and the
//! statements page, not the ten thousand others of a city.
//!
//! The key is a SHA-256 of the theme's [`fingerprint`](crate::theme::Theme::fingerprint)
//! (the program itself, every template), the variables every page shares (`site`, `t`) and
//! the page's own template and variables, each serialised to JSON. A page's variables are kept
//! as that text until the page must be rendered, and its template reads exactly what the key
//! hashed: a page that is kept costs its variables' text and a hash, nothing more (the same
//! view always gives the same text: a view has fields in a fixed order and sorted maps). What
//! the key leaves out cannot reach the page: a theme that calls Tera's `now()`,
//! `get_random()` or `get_env()` has no fingerprint, and no page reused. Where the earlier pages are kept,
//! and why no one else can put one there, is the caller's: the build reads them back from its
//! output folder and checks their digests (`crate::kept_pages`).

use sha2::{Digest as _, Sha256};

use super::Output;
use crate::limits::FileIdentity;

/// What decides a page: see the module's documentation.
pub type PageKey = [u8; 32];

/// A page's key and the SHA-256 of its bytes, with which the build checks the page it reads
/// back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageMark {
    /// What decided the page.
    pub key: PageKey,
    /// The SHA-256 of its bytes.
    pub digest: [u8; 32],
}

/// A page of an earlier build, used again.
#[derive(Debug)]
pub struct Kept {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256.
    pub digest: [u8; 32],
    /// The file of the output folder it was read from, as it stood then (`None` for a page
    /// held in memory): the write links that file without reading it again while it still
    /// stands so ([`Output::kept_files`]).
    pub file: Option<FileIdentity>,
}

/// The pages of an earlier build.
pub trait Earlier: Sync {
    /// The page at `path`, when the earlier build rendered it from `key`.
    fn page(&self, path: &str, key: &PageKey) -> Option<Kept>;
}

/// An earlier build still in memory (`pnyx serve`).
impl Earlier for Output {
    fn page(&self, path: &str, key: &PageKey) -> Option<Kept> {
        let mark = self.pages.get(path).filter(|mark| mark.key == *key)?;
        Some(Kept {
            bytes: self.files.get(path)?.clone(),
            digest: mark.digest,
            file: None,
        })
    }
}

/// The hash of what every page shares, to which each page adds its own ([`Shared::key`]).
#[derive(Clone)]
pub(super) struct Shared(Sha256);

impl Shared {
    /// The theme and the variables every page has.
    pub(super) fn new(
        fingerprint: &[u8; 32],
        site: &serde_json::Value,
        strings: &serde_json::Value,
    ) -> Shared {
        let mut hash = Sha256::new();
        hash.update(b"pnyx page 2\0");
        hash.update(fingerprint);
        for value in [site, strings] {
            put_json(&mut hash, value);
        }
        Shared(hash)
    }

    /// The key of the page made with `template` from the variables every page has in its own
    /// way (`common`: its address, title, source…) and its own `vars`, in order, each a name
    /// and its JSON text (a later one hides an earlier one of the same name, and hides a
    /// common one).
    pub(super) fn key(
        &self,
        template: &str,
        common: &serde_json::Map<String, serde_json::Value>,
        vars: &[(&str, Vec<u8>)],
    ) -> PageKey {
        let mut hash = self.0.clone();
        put_bytes(&mut hash, template.as_bytes());
        put_json(&mut hash, common);
        hash.update((vars.len() as u64).to_le_bytes());
        for (name, json) in vars {
            put_bytes(&mut hash, name.as_bytes());
            put_bytes(&mut hash, json);
        }
        hash.finalize().into()
    }
}

/// Feeds `bytes` and their length to `hash`.
fn put_bytes(hash: &mut Sha256, bytes: &[u8]) {
    hash.update((bytes.len() as u64).to_le_bytes());
    hash.update(bytes);
}

/// Feeds `value`'s JSON, then its length, to `hash`: the end of one value cannot be read as
/// the start of the next.
fn put_json<T: serde::Serialize>(hash: &mut Sha256, value: &T) {
    struct Counted<'a>(&'a mut Sha256, u64);
    impl std::io::Write for Counted<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            self.1 += bytes.len() as u64;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Counted(hash, 0);
    // JSON values always serialise, and the writer never fails.
    let _ = serde_json::to_writer(&mut out, value);
    let len = out.1;
    hash.update(len.to_le_bytes());
}
