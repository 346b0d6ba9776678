//! The pages of the last build, read back from its output folder so that the render stage
//! renders only the pages whose inputs changed ([`crate::render::reuse`]).
//!
//! `.pnyx-cache/pages.bin` lists, for each page the last build wrote, the key it was rendered
//! from and the SHA-256 of its bytes. A page is used again only when its key is the same and
//! the file in the output folder still has that digest: a page edited by hand, or replaced by
//! a pull request that commits the output folder, is rendered again; one that is now a
//! symbolic link or no regular file (a pipe) is not even read. The list goes through
//! [`crate::sealed`] like the other caches: believed only when this machine sealed it, never
//! when git tracks it, so no one else can say which bytes a key stands for. A list that is
//! missing, foreign, damaged or for another output folder keeps nothing: the build is then
//! slower, never different.
//!
//! Format, integers little-endian, a string is its length (u32) then its UTF-8 bytes:
//!
//! | content |
//! | --- |
//! | magic `PNYXKP01` |
//! | the SHA-256 of the pnyx program in hexadecimal, the output folder (its canonical path) (strings) |
//! | pages (u32 count): path in the site (string), key, SHA-256 of its bytes (32 bytes each) |
//! | HMAC-SHA256 seal (32 bytes) |

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest as _, Sha256};

use crate::render::reuse::{Earlier, Kept, PageKey, PageMark};
use crate::render::Output;
use crate::sealed::{put_str, put_u32, Reader, Store};

/// The file, from the site's root.
pub const PAGES_FILE: &str = ".pnyx-cache/pages.bin";

/// Change the digits when the format changes: older files are then not read.
const MAGIC: &[u8; 8] = b"PNYXKP01";

/// The last build's pages, as its list says they were.
#[derive(Debug)]
pub struct KeptPages {
    /// The output folder they were written to.
    dir: PathBuf,
    /// Each page's key and digest.
    pages: HashMap<String, PageMark>,
    /// Pages asked for whose file was missing or had changed.
    changed: AtomicUsize,
}

/// The list of the last build's pages written to `out` (`None` when there is none to believe),
/// and where to save the next one (`None` when the site's cache folder is refused).
pub fn open(root: &Path, out: &Path) -> (Option<KeptPages>, Option<Store>) {
    let Ok(store) = crate::sealed::open(root, PAGES_FILE) else {
        return (None, None);
    };
    let kept = match (store.read(MAGIC), out.canonicalize()) {
        (Ok(Some(body)), Ok(dir)) => decode(&body[MAGIC.len()..], &dir),
        _ => None,
    };
    (kept, Some(store))
}

impl KeptPages {
    /// How many pages were asked for but had changed in the output folder since.
    pub fn changed(&self) -> usize {
        self.changed.load(Ordering::Relaxed)
    }
}

impl Earlier for KeptPages {
    fn page(&self, path: &str, key: &PageKey) -> Option<Kept> {
        let mark = self.pages.get(path).filter(|mark| mark.key == *key)?;
        // Neither through a link put where the page was, nor from a pipe put there.
        let read =
            crate::limits::read_bounded_with_metadata(&self.dir.join(path), crate::limits::Bytes(u64::MAX));
        match read.ok() {
            Some((bytes, meta)) if Sha256::digest(&bytes)[..] == mark.digest => Some(Kept {
                bytes,
                digest: mark.digest,
                file: crate::limits::FileIdentity::of_read(&meta),
            }),
            _ => {
                self.changed.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }
}

/// Saves the list of `output`'s pages (their digests were taken as they were rendered or read
/// back), just written to `out`. A failure only costs time on the next build: the note to
/// print.
pub fn save(store: &Store, out: &Path, output: &Output) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| {
        format!(
            "cannot save the list of pages {}: {e} (the next build renders every page)",
            store.path.display()
        )
    };
    let dir = out.canonicalize().map_err(|e| fail(&e))?;
    let pages = &output.pages;
    let mut body = Vec::with_capacity(64 + pages.keys().map(|p| 68 + p.len()).sum::<usize>());
    body.extend_from_slice(MAGIC);
    put_str(&mut body, crate::sealed::program_id());
    put_str(&mut body, &dir.to_string_lossy());
    put_u32(&mut body, pages.len());
    for (path, mark) in pages {
        put_str(&mut body, path);
        body.extend_from_slice(&mark.key);
        body.extend_from_slice(&mark.digest);
    }
    store.write(body).map_err(|e| fail(&e))
}

/// What `body` (after the magic) lists, if this very program wrote it for `dir`.
fn decode(body: &[u8], dir: &Path) -> Option<KeptPages> {
    let mut r = Reader::new(body);
    if r.str()? != crate::sealed::program_id() || Path::new(r.str()?) != dir {
        return None;
    }
    let count = r.u32()?;
    let mut pages = HashMap::with_capacity(count.min(body.len() / 68));
    for _ in 0..count {
        let path = r.str()?.to_string();
        let key = r.take(32)?.try_into().ok()?;
        let digest = r.take(32)?.try_into().ok()?;
        pages.insert(path, PageMark { key, digest });
    }
    r.is_done().then(|| KeptPages {
        dir: dir.to_path_buf(),
        pages,
        changed: AtomicUsize::new(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes and digest of the page `path` read back for `key`, if it is.
    fn read_back(kept: &KeptPages, path: &str, key: &PageKey) -> Option<(Vec<u8>, [u8; 32])> {
        kept.page(path, key).map(|k| (k.bytes, k.digest))
    }

    #[test]
    fn a_list_reads_back_as_written_and_only_for_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("a")).unwrap();
        std::fs::write(out.join("a/index.html"), "<p>a</p>").unwrap();
        let mut output = Output::default();
        output.files.insert("a/index.html".into(), b"<p>a</p>".to_vec());
        let digest = Sha256::digest(b"<p>a</p>").into();
        output
            .pages
            .insert("a/index.html".into(), PageMark { key: [7; 32], digest });
        let store = Store {
            path: dir.path().join("pages.bin"),
            secret: crate::sealed::Secret::from_bytes([1; 32]),
        };
        save(&store, &out, &output).unwrap();
        let body = store.read(MAGIC).unwrap().unwrap();
        let kept = decode(&body[MAGIC.len()..], &out.canonicalize().unwrap()).unwrap();
        assert_eq!(
            read_back(&kept, "a/index.html", &[7; 32]),
            Some((b"<p>a</p>".to_vec(), digest))
        );
        assert_eq!(read_back(&kept, "a/index.html", &[8; 32]), None, "another key");
        std::fs::write(out.join("a/index.html"), "<p>b</p>").unwrap();
        assert_eq!(
            read_back(&kept, "a/index.html", &[7; 32]),
            None,
            "a page changed since"
        );
        assert_eq!(kept.changed(), 1);
        assert!(
            decode(&body[MAGIC.len()..], dir.path()).is_none(),
            "another folder"
        );
        assert!(decode(&body[MAGIC.len()..body.len() - 1], &out.canonicalize().unwrap()).is_none());
    }

    /// Someone who can write to the output folder puts, where a kept page is, a link to a file
    /// with the page's bytes, or a pipe that would hold the build: neither is read.
    #[cfg(unix)]
    #[test]
    fn a_page_replaced_by_a_link_or_a_pipe_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        let page = b"<p>a</p>";
        let digest: [u8; 32] = Sha256::digest(page).into();
        let elsewhere = dir.path().join("elsewhere.html");
        std::fs::write(&elsewhere, page).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("a.html")).unwrap();
        let pipe = std::ffi::CString::new(out.join("b.html").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(pipe.as_ptr(), 0o644) }, 0);
        let mark = PageMark { key: [7; 32], digest };
        let kept = KeptPages {
            dir: out.canonicalize().unwrap(),
            pages: HashMap::from([("a.html".to_string(), mark), ("b.html".to_string(), mark)]),
            changed: AtomicUsize::new(0),
        };
        assert_eq!(
            read_back(&kept, "a.html", &[7; 32]),
            None,
            "a page read through a link"
        );
        assert_eq!(read_back(&kept, "b.html", &[7; 32]), None);
        assert_eq!(kept.changed(), 2);
        std::fs::remove_file(out.join("a.html")).unwrap();
        std::fs::write(out.join("a.html"), page).unwrap();
        assert_eq!(
            read_back(&kept, "a.html", &[7; 32]),
            Some((page.to_vec(), digest))
        );
    }
}
