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
//! the page's own template and variables, each serialised to JSON, whose objects have sorted
//! keys. What the key leaves out cannot reach the page: a theme that calls Tera's `now()`,
//! `get_random()` or `get_env()` has no fingerprint, and no page reused. Where the earlier pages are kept,
//! and why no one else can put one there, is the caller's: the build reads them back from its
//! output folder and checks their digests (`crate::kept_pages`).

use sha2::{Digest as _, Sha256};

use super::Output;

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

/// The pages of an earlier build.
pub trait Earlier: Sync {
    /// The bytes of the page at `path`, and their digest, when the earlier build rendered it
    /// from `key`.
    fn page(&self, path: &str, key: &PageKey) -> Option<(Vec<u8>, [u8; 32])>;
}

/// An earlier build still in memory (`pnyx serve`).
impl Earlier for Output {
    fn page(&self, path: &str, key: &PageKey) -> Option<(Vec<u8>, [u8; 32])> {
        let mark = self.pages.get(path).filter(|mark| mark.key == *key)?;
        Some((self.files.get(path)?.clone(), mark.digest))
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
        hash.update(b"pnyx page 1\0");
        hash.update(fingerprint);
        for value in [site, strings] {
            put_json(&mut hash, value);
        }
        Shared(hash)
    }

    /// The key of the page made with `template` from `vars` (every variable but the shared
    /// ones).
    pub(super) fn key(&self, template: &str, vars: &serde_json::Map<String, serde_json::Value>) -> PageKey {
        let mut hash = self.0.clone();
        hash.update((template.len() as u64).to_le_bytes());
        hash.update(template);
        put_json(&mut hash, vars);
        hash.finalize().into()
    }
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
