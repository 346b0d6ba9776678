//! The search index kept between builds (`.pnyx-cache/search.bin`), reused whole when what
//! Pagefind reads of the pages is the same as for the build that made it.
//!
//! Pagefind's library cannot update an index, and making one is a quarter of a warm build of a
//! city. Yet most builds leave it unchanged: a new signature changes an initiative's count and
//! its list of signers, which the theme marks `data-pagefind-ignore`. So the index is keyed by
//! what decides it ([`key`]): Pagefind's version, the pnyx program itself (its digest, not
//! only its version), the language, and each indexed page's path and [`searched_form`], its
//! HTML without the text that Pagefind does not read.
//!
//! Reading every page's searched form takes a city's two cores over a second and a half, so
//! the file also keeps, for each page, the digest of its HTML with that of its searched form:
//! a page whose HTML is unchanged is not read again.
//!
//! The file goes through [`crate::sealed`] like the other caches: believed only when this
//! machine sealed it, never read when git tracks it or through a symbolic link. The index holds
//! the excerpts the search page shows, so a file that anyone else wrote must never reach the
//! site. A file that is missing, foreign, damaged or for other pages is made again: the build
//! is then slower, never different.
//!
//! Format, integers little-endian, a string is its length (u32) then its UTF-8 bytes:
//!
//! | content |
//! | --- |
//! | magic `PNYXSI01` |
//! | the version of Pagefind, the SHA-256 of the pnyx program in hexadecimal, the language (strings) |
//! | the key (32 bytes) |
//! | pages (u32 count): path (string), SHA-256 of its HTML, SHA-256 of its searched form (32 bytes each) |
//! | files (u32 count): path in the site (string), bytes (u32 length, then the bytes) |
//! | HMAC-SHA256 seal (32 bytes) |

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::sealed::{put_str, put_u32, Reader, Store};

/// The file, from the site's root.
pub const SEARCH_FILE: &str = ".pnyx-cache/search.bin";

/// Change the digits when the format changes: older files are then not read.
const MAGIC: &[u8; 8] = b"PNYXSI01";

/// The Pagefind this binary was built with (from Cargo.lock, by `build.rs`); empty when unknown,
/// and then no index is reused.
const PAGEFIND_VERSION: &str = env!("PNYX_PAGEFIND_VERSION");

/// The elements whose text Pagefind reads even inside an element marked `data-pagefind-ignore`
/// (see [`searched_form`]): every attribute of Pagefind's 1.x parser but the mark itself and
/// `data-pagefind-body`, which starts a part that Pagefind reads whole (see [`BODY_IGNORED`]).
const READ_ANYWAY: &str = "h1, title, [data-pagefind-filter], [data-pagefind-meta], \
    [data-pagefind-default-meta], [data-pagefind-sort], [data-pagefind-weight], \
    [data-pagefind-index-attrs], [data-pagefind-title]";

/// The elements that take the anchor of the element around them in Pagefind's parser, and
/// gather their text for it: an ignored one still passes it to the elements inside it.
const INLINE: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "dfn", "em", "i", "img",
    "input", "kbd", "label", "map", "object", "output", "q", "samp", "script", "select", "small", "span",
    "strong", "sub", "sup", "textarea", "time", "tt", "var",
];

/// A part read whole inside an ignored element: such a page is kept whole in its searched form.
const BODY_IGNORED: &str = "[data-pagefind-ignore] [data-pagefind-body]";

/// The elements marked `data-pagefind-ignore` and those inside them, whose attributes Pagefind
/// does not read but for a few (see [`searched_form`]).
const IGNORED_ELEMENTS: &str = "[data-pagefind-ignore], [data-pagefind-ignore] *";

/// Whether an element with the attribute `name` may have Pagefind read its other attributes
/// (`data-pagefind-meta="image[src]"`, `data-pagefind-index-attrs="title"`).
fn reads_own_attributes(name: &str) -> bool {
    name.starts_with("data-pagefind-") && name != "data-pagefind-ignore"
}

/// The files of a search index: path in the site, bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// What was saved: the index of the last build, and what decided it.
#[derive(Debug, PartialEq)]
pub struct Saved {
    key: [u8; 32],
    /// Each page's path → the digests of its HTML and of its searched form.
    pages: HashMap<String, ([u8; 32], [u8; 32])>,
    files: Files,
}

/// What decides an index (see [`key`]), with what the next build needs to tell it quickly.
#[derive(Debug)]
pub struct Key {
    /// The digest of it all.
    pub key: [u8; 32],
    /// Each page's path and the digests of its HTML and of its searched form, in order.
    pages: Vec<(String, [u8; 32], [u8; 32])>,
}

/// What decides the index of `pages` (path, HTML handed to Pagefind, in the order they are
/// handed) in `language`; `None` when the version of Pagefind is unknown, or the program
/// cannot be read. The searched form of
/// a page whose HTML is that of a page of `saved` is not read again.
pub fn key(pages: &[(String, String)], language: &str, saved: Option<&Saved>) -> Option<Key> {
    if PAGEFIND_VERSION.is_empty() || crate::sealed::program_id().is_empty() {
        return None;
    }
    let pages: Vec<(String, [u8; 32], [u8; 32])> = pages
        .par_iter()
        .map(|(path, html)| {
            let html_digest: [u8; 32] = Sha256::digest(html).into();
            let form_digest = match saved.and_then(|saved| saved.pages.get(path)) {
                Some((was, form)) if *was == html_digest => *form,
                _ => Sha256::digest(searched_form(html)).into(),
            };
            (path.clone(), html_digest, form_digest)
        })
        .collect();
    let mut all = Sha256::new();
    for part in [PAGEFIND_VERSION, crate::sealed::program_id(), language] {
        all.update((part.len() as u64).to_le_bytes());
        all.update(part);
    }
    all.update((pages.len() as u64).to_le_bytes());
    for (path, _, form) in &pages {
        all.update((path.len() as u64).to_le_bytes());
        all.update(path);
        all.update(form);
    }
    Some(Key {
        key: all.finalize().into(),
        pages,
    })
}

impl Saved {
    /// The saved index, if it is the one for `key`.
    pub fn files_for(self, key: &Key) -> Option<Files> {
        (self.key == key.key).then_some(self.files)
    }
}

/// `html` as Pagefind reads it: without what Pagefind does not read inside the elements marked
/// `data-pagefind-ignore`, which is their text and most of their attributes. Inside them,
/// Pagefind still reads
///
/// - the text of an element with a filter, a sort, metadata or any other `data-pagefind-*`
///   attribute (a filter without a value takes its element's text), and of an `h1` or a `title`
///   (the page's title when it has no other): these keep their text and that of everything
///   inside them;
/// - the text inside an ignored inline element (`<span data-pagefind-ignore>`), which still
///   goes to the anchor (an element with an `id`) that the element is in: kept;
/// - the attributes `id`, `lang` and `data-pagefind-*`, every attribute of an element with a
///   `data-pagefind-*` attribute (it may name its own: `image[src]`), and those of `img`,
///   `script` and `link`: kept.
///
/// What is left of an element inside an ignored one without attributes or text that Pagefind
/// reads is dropped, its tags too; everything outside ignored elements is kept. Pagefind's own
/// parser (`lol_html`, in the same mode) reads the page. So two pages with the same searched
/// form give Pagefind the same words, anchors, filters and metadata: the same index. A page that
/// the parser cannot read, or with a part read whole (`data-pagefind-body`) inside an ignored
/// element, is kept whole.
pub fn searched_form(html: &str) -> String {
    use lol_html::{element, text, RewriteStrSettings};

    /// How many elements are open: ignored ones, and those inside them whose text Pagefind
    /// reads anyway.
    #[derive(Debug, Default)]
    struct Open {
        ignored: usize,
        read_anyway: usize,
    }

    /// Counts `el` in as `ignored` and/or `read` anyway, and out again at its end tag. An
    /// element without one (`<img>`) holds no text, as for Pagefind: not counted.
    fn count(el: &mut lol_html::html_content::Element, open: &Rc<RefCell<Open>>, ignored: bool, read: bool) {
        let Some(handlers) = el.end_tag_handlers() else {
            return;
        };
        let (ignored, read) = (usize::from(ignored), usize::from(read));
        {
            let mut open = open.borrow_mut();
            open.ignored += ignored;
            open.read_anyway += read;
        }
        let open = Rc::clone(open);
        let close: lol_html::EndTagHandler<'static> = Box::new(move |_| {
            let mut open = open.borrow_mut();
            open.ignored -= ignored;
            open.read_anyway -= read;
            Ok(())
        });
        handlers.push(close);
    }

    let open = Rc::new(RefCell::new(Open::default()));
    let whole = Rc::new(RefCell::new(false));
    let on_body_ignored = {
        let whole = Rc::clone(&whole);
        element!(BODY_IGNORED, move |_| {
            *whole.borrow_mut() = true;
            Ok(())
        })
    };
    let on_ignored = {
        let open = Rc::clone(&open);
        element!("[data-pagefind-ignore]", move |el| {
            let inline = INLINE.contains(&el.tag_name().as_str());
            count(el, &open, true, inline);
            Ok(())
        })
    };
    let on_read = {
        let open = Rc::clone(&open);
        element!(READ_ANYWAY, move |el| {
            if open.borrow().ignored > 0 {
                count(el, &open, false, true);
            }
            Ok(())
        })
    };
    let on_ignored_element = {
        let open = Rc::clone(&open);
        element!(IGNORED_ELEMENTS, move |el| {
            let keeps_all = el.attributes().iter().any(|a| reads_own_attributes(&a.name()))
                || matches!(el.tag_name().as_str(), "img" | "script" | "link");
            if keeps_all {
                return Ok(());
            }
            let unread: Vec<String> = el
                .attributes()
                .iter()
                .map(|a| a.name())
                .filter(|name| !matches!(name.as_str(), "id" | "lang" | "data-pagefind-ignore"))
                .collect();
            for name in &unread {
                el.remove_attribute(name);
            }
            // A bare element says nothing to Pagefind, unless it is inside (or is) one whose text
            // Pagefind reads, where a `<br>` or a `<p>` puts a space between words.
            if el.attributes().is_empty() && open.borrow().read_anyway == 0 {
                el.remove_and_keep_content();
            }
            Ok(())
        })
    };
    let on_ignored_text = {
        let open = Rc::clone(&open);
        text!("[data-pagefind-ignore]", move |text| {
            if open.borrow().read_anyway == 0 {
                text.remove();
            }
            Ok(())
        })
    };
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(on_body_ignored)
        .append_element_content_handler(on_ignored)
        .append_element_content_handler(on_read)
        .append_element_content_handler(on_ignored_element)
        .append_element_content_handler(on_ignored_text)
        .with_strict(false);
    match lol_html::rewrite_str(html, settings) {
        Ok(form) if !*whole.borrow() => form,
        _ => html.to_string(),
    }
}

/// What the last build saved at the site's `root`, if this machine sealed it for the same
/// versions and `language`; with the store to save the next one in (`None` when caches may not
/// be used here: the verification cache's note says why).
pub fn open(root: &Path, language: &str) -> (Option<Saved>, Option<Store>) {
    let Ok(store) = crate::sealed::open(root, SEARCH_FILE) else {
        return (None, None);
    };
    let saved = match store.read(MAGIC) {
        Ok(Some(body)) => decode(&body[MAGIC.len()..], language),
        Ok(None) | Err(_) => None,
    };
    (saved, Some(store))
}

/// Saves `files`, the index for `key` in `language`. A failure only costs time on the next
/// build: the note to print.
pub fn save(store: &Store, language: &str, key: &Key, files: &Files) -> Result<(), String> {
    store.write(encode(language, key, files)).map_err(|e| {
        format!(
            "cannot save the search index cache {}: {e} (the next build makes the index again)",
            store.path.display()
        )
    })
}

fn encode(language: &str, key: &Key, files: &Files) -> Vec<u8> {
    let size: usize = files
        .iter()
        .map(|(path, bytes)| 8 + path.len() + bytes.len())
        .sum::<usize>()
        + key
            .pages
            .iter()
            .map(|(path, _, _)| 68 + path.len())
            .sum::<usize>();
    let mut out = Vec::with_capacity(MAGIC.len() + 128 + size);
    out.extend_from_slice(MAGIC);
    for part in [PAGEFIND_VERSION, crate::sealed::program_id(), language] {
        put_str(&mut out, part);
    }
    out.extend_from_slice(&key.key);
    put_u32(&mut out, key.pages.len());
    for (path, html, form) in &key.pages {
        put_str(&mut out, path);
        out.extend_from_slice(html);
        out.extend_from_slice(form);
    }
    put_u32(&mut out, files.len());
    for (path, bytes) in files {
        put_str(&mut out, path);
        put_u32(&mut out, bytes.len());
        out.extend_from_slice(bytes);
    }
    out
}

/// What `body` (after the magic) saved, if it was for the same versions and `language`.
fn decode(body: &[u8], language: &str) -> Option<Saved> {
    let mut r = Reader::new(body);
    for part in [PAGEFIND_VERSION, crate::sealed::program_id(), language] {
        if r.str()? != part {
            return None;
        }
    }
    let digest = |r: &mut Reader| -> Option<[u8; 32]> { r.take(32)?.try_into().ok() };
    let key = digest(&mut r)?;
    let count = r.u32()?;
    let mut pages = HashMap::with_capacity(count.min(body.len() / 68));
    for _ in 0..count {
        let path = r.str()?.to_string();
        pages.insert(path, (digest(&mut r)?, digest(&mut r)?));
    }
    let count = r.u32()?;
    let mut files = Vec::with_capacity(count.min(body.len() / 8));
    for _ in 0..count {
        let path = r.str()?.to_string();
        let len = r.u32()?;
        files.push((path, r.take(len)?.to_vec()));
    }
    r.is_done().then_some(Saved { key, pages, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_pagefind_ignores_is_left_out_and_everything_it_reads_is_kept() {
        let page = "<main data-pagefind-body><h1>Bus</h1><p class=\"x\">Texte lu.</p>\
            <aside data-pagefind-ignore id=\"faits\" class=\"a\"><p style=\"width:16%\">1 234 signatures</p>\
            <img src=\"a.png\" alt=\"x\" class=\"c\"><span data-pagefind-filter=\"auteur\" class=\"d\">Jeanne</span>\
            <h1>Titre</h1><div data-pagefind-meta=\"lieu\"><b>Toulouse</b></div>\
            <h3 id=\"suite\" class=\"e\">Suite <span>12</span></h3></aside>\
            <ul data-pagefind-ignore=\"all\"><li><a href=\"/k\">Alice</a></li></ul></main>";
        assert_eq!(
            searched_form(page),
            "<main data-pagefind-body><h1>Bus</h1><p class=\"x\">Texte lu.</p>\
            <aside data-pagefind-ignore id=\"faits\">\
            <img src=\"a.png\" alt=\"x\" class=\"c\"><span data-pagefind-filter=\"auteur\" class=\"d\">Jeanne</span>\
            <h1>Titre</h1><div data-pagefind-meta=\"lieu\"><b>Toulouse</b></div>\
            <h3 id=\"suite\"></h3></aside>\
            <ul data-pagefind-ignore=\"all\"></ul></main>"
        );
        let inline = "<h2 id=\"s\">Signataires <span data-pagefind-ignore><em>170</em></span></h2>";
        assert_eq!(searched_form(inline), inline);
        let body_inside = "<div data-pagefind-ignore><p>x</p><div data-pagefind-body>y</div></div>";
        assert_eq!(searched_form(body_inside), body_inside);
    }

    #[test]
    fn the_round_trip_keeps_the_files_and_a_file_for_another_language_or_cut_short_is_refused() {
        let files: Files = vec![
            ("pagefind/pagefind.js".into(), b"js".to_vec()),
            ("pagefind/fragment/a.pf_fragment".into(), vec![0, 1, 2, 255]),
        ];
        let pages = [(
            "a/index.html".to_string(),
            "<main data-pagefind-body>A</main>".to_string(),
        )];
        let key = key(&pages, "fr", None).unwrap();
        let body = encode("fr", &key, &files);
        let saved = decode(&body[MAGIC.len()..], "fr").unwrap();
        assert_eq!(saved.pages.len(), 1);
        assert_eq!(saved.files_for(&key), Some(files));
        assert_eq!(decode(&body[MAGIC.len()..], "en"), None);
        assert_eq!(decode(&body[MAGIC.len()..body.len() - 1], "fr"), None);
    }
}
