//! The site's search index, made during the build by Pagefind's library so that search works
//! on the static output with no server.
//!
//! Pages opt in: a page whose `<main>` carries `data-pagefind-body` is indexed (items and free
//! pages; lists, history and statement pages are not), with the filters its template wrote
//! (`kind`, `pole`, `status`). Pagefind folds diacritics when it indexes and when it searches,
//! so "gratuite" finds "Gratuité". Its browser runtime (`pagefind.js`, its worker and the
//! WebAssembly of the content's language) comes from the same crate, and the theme's
//! `search.js` drives it; Pagefind's own UI bundles are left out.

use std::path::{Component, Path};

use pagefind::api::{PagefindIndex, SyntheticFile};
use rayon::prelude::*;

use crate::render::Output;

pub mod cache;

/// Where the index and Pagefind's runtime go in the output.
pub const DIR: &str = "pagefind/";

/// The marker of a page to index.
const BODY: &str = "data-pagefind-body";

/// Indexes the rendered pages of `output` in `language` (an ISO 639-1 code) and adds the index
/// under [`DIR`]. The same pages give the same files, byte for byte.
///
/// Pagefind's library reads pages handed over one by one (`add_html_file`) on one thread, under
/// its lock; only a folder (`add_directory`) is read on every core. So the pages are written
/// under a temporary folder whose listing is known to follow their order ([`Staged`]), and
/// Pagefind reads that folder: the index is the same, byte for byte, as the one made page by
/// page, which is what happens when no such folder can be had. Pagefind then gzips the index on
/// one thread, with flate2's zlib-rs backend (see Cargo.toml).
///
/// With `cache_root`, the site's root, the index of the last build is kept when Pagefind would
/// read the same of every page ([`cache`]), and this one is saved for the next.
pub fn index(output: &mut Output, language: &str, cache_root: Option<&Path>) -> anyhow::Result<()> {
    let mut clock = crate::timing::Clock::start();
    let pages = pages(output);
    clock.lap("search: pages read");
    let (saved, store) = match cache_root {
        Some(root) => cache::open(root, language),
        None => (None, None),
    };
    // The key decides whether the saved index is kept. With no saved index, the key is only
    // saved, so it is worked out while Pagefind makes the index (which uses one core for its
    // last half); without a place to keep it, the index is not keyed at all.
    let key = saved
        .as_ref()
        .and_then(|saved| cache::key(&pages, language, Some(saved)));
    clock.lap("search: key");
    let kept = saved
        .zip(key.as_ref())
        .and_then(|(saved, key)| saved.files_for(key));
    if let Some(files) = kept {
        crate::timing::note(&format!(
            "search index: kept from the last build ({} pages unchanged)",
            pages.len()
        ));
        output.files.extend(files);
        return Ok(());
    }
    let count = pages.len();
    let (files, key) = match (&store, key) {
        (Some(_), None) => std::thread::scope(|scope| {
            let key = scope.spawn(|| cache::key(&pages, language, None));
            let files = make(&pages, language);
            (files, key.join().ok().flatten())
        }),
        (_, key) => (make(&pages, language), key),
    };
    let files = files?;
    crate::timing::note(&format!("search index: made ({count} pages)"));
    if let (Some(store), Some(key)) = (store, key) {
        if let Err(note) = cache::save(&store, language, &key, &files) {
            crate::sealed::note_once(&note);
        }
    }
    output.files.extend(files);
    Ok(())
}

/// The files of the index of `pages` in `language` (see [`index`]), under [`DIR`].
fn make(pages: &[(String, String)], language: &str) -> anyhow::Result<cache::Files> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let files = runtime.block_on(async {
        match Staged::new(pages) {
            Some(staged) => match from_folder(staged, pages.len(), language).await {
                Some(files) => files,
                None => page_by_page(pages.to_vec(), language).await,
            },
            None => page_by_page(pages.to_vec(), language).await,
        }
    })?;
    Ok(files
        .into_iter()
        .map(|file| (file.filename.to_string_lossy().replace('\\', "/"), file.contents))
        .filter(|(name, _)| wanted(name))
        .map(|(name, contents)| (format!("{DIR}{name}"), contents))
        .collect())
}

/// The pages to index, in the output's order: each one's path and [`indexed_part`].
fn pages(output: &Output) -> Vec<(String, String)> {
    let html: Vec<(&String, &Vec<u8>)> = output
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .collect();
    html.par_iter()
        .filter_map(|(path, bytes)| {
            let html = std::str::from_utf8(bytes).ok()?;
            html.contains(BODY)
                .then(|| (path.to_string(), indexed_part(html)))
        })
        .collect()
}

fn new_index(language: &str) -> anyhow::Result<PagefindIndex> {
    let options = pagefind::options::PagefindServiceConfig::builder()
        .force_language(language.to_string())
        .build();
    PagefindIndex::new(Some(options))
}

/// The index of the pages handed to Pagefind one at a time, in their order.
async fn page_by_page(pages: Vec<(String, String)>, language: &str) -> anyhow::Result<Vec<SyntheticFile>> {
    let mut index = new_index(language)?;
    for (path, html) in pages {
        index.add_html_file(Some(path), None, html).await?;
    }
    index.get_files().await
}

/// The index of the `count` pages of `staged`, read by Pagefind on every core; `None` when
/// Pagefind did not read them all (the caller then indexes the pages one by one).
async fn from_folder(
    staged: Staged,
    count: usize,
    language: &str,
) -> Option<anyhow::Result<Vec<SyntheticFile>>> {
    let mut index = new_index(language).ok()?;
    let read = index.add_directory(staged.root.clone(), None).await.ok()?;
    if read != count {
        return None;
    }
    // The folder is removed on the other core while Pagefind builds and compresses the index
    // on this one; what Pagefind holds of the pages is freed there too, and need not be waited
    // for.
    let removal = std::thread::spawn(move || drop(staged));
    let files = index.get_files().await;
    std::thread::spawn(move || drop(index));
    let _ = removal.join();
    Some(files)
}

/// The pages written under a temporary folder (removed when this is dropped), for Pagefind's
/// `add_directory`, which reads the files of a folder in parallel, in the order the file system
/// lists them: their page numbers in the index follow that order. So a folder is used only once
/// listed: in the pages' own order, the one `add_html_file` gets them in. The file system then
/// cannot change the index: where it lists a folder's entries in the order they were made (tmpfs
/// since Linux 6.6) or in the reverse order, the pages are written in the order that lists them
/// as they come; where it lists them by a hash of their names (ext4) or in any other order, there
/// is no folder and the pages are indexed one by one.
struct Staged {
    /// Removes the folder when dropped.
    _dir: tempfile::TempDir,
    /// The folder holding the pages, under their output paths (Pagefind makes a page's URL of
    /// its path in this folder, as it does of the path `add_html_file` gets).
    root: String,
}

impl Staged {
    fn new(pages: &[(String, String)]) -> Option<Staged> {
        if pages.is_empty() || !pages.iter().all(|(path, _)| plain(path)) {
            return None;
        }
        let bytes: u64 = pages
            .iter()
            .map(|(_, html)| (html.len() as u64).next_multiple_of(4096) + 4096)
            .sum();
        let mut bases = Vec::new();
        if cfg!(target_os = "linux") {
            // A tmpfs, even where the temporary folder is on a disk.
            bases.push(std::path::PathBuf::from("/dev/shm"));
        }
        bases.push(std::env::temp_dir());
        bases.iter().filter(|base| base.is_dir()).find_map(|base| {
            sweep(base);
            has_room(base, bytes).then(|| Staged::under(base, pages))?
        })
    }

    fn under(base: &Path, pages: &[(String, String)]) -> Option<Staged> {
        let mut builder = tempfile::Builder::new();
        let prefix = format!("{STAGED}{}-", std::process::id());
        builder.prefix(&prefix);
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir_in(base).ok()?;
        let newest_first = newest_first(&dir.path().join("probe"))?;
        let root = dir.path().join("site");
        let write = |(path, html): &(String, String)| -> std::io::Result<()> {
            let file = root.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(file, html)
        };
        if newest_first {
            pages.iter().rev().try_for_each(write).ok()?;
        } else {
            pages.iter().try_for_each(write).ok()?;
        }
        let listed = listing(&root)?;
        let in_order =
            listed.len() == pages.len() && listed.iter().zip(pages).all(|(listed, (path, _))| listed == path);
        if !in_order {
            return None;
        }
        let root = root.to_str()?.to_string();
        Some(Staged { _dir: dir, root })
    }
}

/// How the temporary folders of the pages begin, before the builder's process id.
const STAGED: &str = "pnyx-search-";

/// Removes the folders of pages that killed builds left under `base` (a folder is otherwise
/// removed once Pagefind has read it): those of processes that no longer run. A tmpfs keeps
/// them in memory until the machine restarts.
fn sweep(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_str()
            .and_then(|name| name.strip_prefix(STAGED)?.split('-').next()?.parse().ok());
        if pid.is_some_and(|pid| !runs(pid)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether the process `pid` runs (or may: a process of another user's is not checked).
#[cfg(unix)]
fn runs(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 sends nothing; it only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn runs(_pid: u32) -> bool {
    true
}

/// Whether the file system lists a new folder at `probe` newest entry first (`Some(true)`),
/// oldest first (`Some(false)`), or in some other order (`None`). The probe is removed.
fn newest_first(probe: &Path) -> Option<bool> {
    const NAMES: [&str; 5] = ["3", "1", "4", "0", "2"];
    let listed = (|| -> std::io::Result<Vec<String>> {
        std::fs::create_dir(probe)?;
        for name in NAMES {
            std::fs::write(probe.join(name), "")?;
        }
        std::fs::read_dir(probe)?
            .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
            .collect()
    })();
    let _ = std::fs::remove_dir_all(probe);
    let listed = listed.ok()?;
    if listed.iter().eq(NAMES.iter()) {
        Some(false)
    } else if listed.iter().eq(NAMES.iter().rev()) {
        Some(true)
    } else {
        None
    }
}

/// The files under `root`, as '/'-separated paths, in the order Pagefind walks them (it walks
/// with `walkdir` too: depth first, each folder's entries as the file system lists them).
fn listing(root: &Path) -> Option<Vec<String>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(root).ok()?;
            let parts: Option<Vec<&str>> = relative.iter().map(|part| part.to_str()).collect();
            files.push(parts?.join("/"));
        }
    }
    Some(files)
}

/// A relative path of plain names, which stays inside the folder it is joined to.
fn plain(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|part| matches!(part, Component::Normal(_)))
}

/// Whether the file system of `base` has room for `bytes`, twice over: the folder is not to
/// fill a small tmpfs (64 MiB in a container) that other programs use.
#[cfg(unix)]
fn has_room(base: &Path, bytes: u64) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(base.as_os_str().as_bytes()) else {
        return false;
    };
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a NUL-terminated string and `stats` a statvfs to fill.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stats) } != 0 {
        return false;
    }
    (stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64) >= bytes.saturating_mul(2)
}

#[cfg(not(unix))]
fn has_room(_base: &Path, _bytes: u64) -> bool {
    true
}

/// The page's language and its `<main>`: what the index reads of a page. Pagefind would skip
/// the header and footer anyway; not handing them over saves a fifth of its time.
fn indexed_part(html: &str) -> String {
    let lang = html
        .find("<html lang=\"")
        .and_then(|at| html[at + 12..].split('"').next())
        .unwrap_or("");
    let main = match (html.find("<main"), html.rfind("</main>")) {
        (Some(start), Some(end)) if start < end => &html[start..end + 7],
        _ => html,
    };
    format!("<!doctype html><html lang=\"{lang}\"><body>{main}</body></html>")
}

/// The index and the runtime that reads it; not Pagefind's ready-made interfaces, which the
/// theme replaces with its own accessible, translated one.
fn wanted(name: &str) -> bool {
    !(name.starts_with("pagefind-ui")
        || name.starts_with("pagefind-modular-ui")
        || name.starts_with("pagefind-component-ui")
        || name.starts_with("pagefind-highlight"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str, body: &str) -> Vec<u8> {
        format!("<!doctype html><html lang=\"fr\"><body><main {BODY}><h1>{title}</h1><span hidden data-pagefind-filter=\"kind:Initiative\"></span><p>{body}</p></main></body></html>").into_bytes()
    }

    fn indexed(pages: &[(&str, Vec<u8>)]) -> Output {
        let mut output = Output::default();
        for (path, bytes) in pages {
            output.files.insert(path.to_string(), bytes.clone());
        }
        index(&mut output, "fr", None).unwrap();
        output
    }

    #[test]
    fn the_index_and_its_runtime_are_written_and_the_ready_made_interfaces_are_not() {
        let output = indexed(&[(
            "initiatives/bus/index.html",
            page("Gratuité des bus", "Un texte."),
        )]);
        let names: Vec<_> = output.files.keys().filter(|k| k.starts_with(DIR)).collect();
        for wanted in [
            "pagefind/pagefind.js",
            "pagefind/pagefind-worker.js",
            "pagefind/pagefind-entry.json",
            "pagefind/wasm.fr.pagefind",
        ] {
            assert!(
                names.iter().any(|n| *n == wanted),
                "{wanted} missing from {names:?}"
            );
        }
        assert!(names.iter().any(|n| n.starts_with("pagefind/fragment/")));
        assert!(names.iter().any(|n| n.starts_with("pagefind/filter/")));
        assert!(!names.iter().any(|n| n.contains("-ui")), "{names:?}");
    }

    #[test]
    fn the_same_pages_give_the_same_index_byte_for_byte() {
        let pages = [
            (
                "initiatives/bus/index.html",
                page("Gratuité des bus", "Un texte."),
            ),
            (
                "debates/velo/index.html",
                page("Pistes cyclables", "Un autre texte."),
            ),
        ];
        assert_eq!(indexed(&pages).files, indexed(&pages).files);
    }

    /// Pages at every depth, whose paths sort around the folders' separator ('-' and '.' come
    /// before '/'), with anchors and filters.
    fn site() -> Output {
        let mut output = Output::default();
        for (i, path) in [
            "index.html",
            "a.html",
            "a-b/index.html",
            "a/index.html",
            "a/b/index.html",
            "a/b/c.html",
            "a0/index.html",
            "debates/page-1/index.html",
            "debates/page-10/index.html",
            "debates/page-2/index.html",
            "z.html",
        ]
        .into_iter()
        .enumerate()
        {
            let body = format!(
                "Texte {i} sur la gratuité.</p><h2 id=\"suite-{i}\">Suite {i}</h2><p>Le vélo, page {i}."
            );
            output
                .files
                .insert(path.to_string(), page(&format!("Page {i}"), &body));
        }
        output.files.insert(
            "statements/index.html".into(),
            b"<html><body><main></main></body></html>".to_vec(),
        );
        output
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().build().unwrap()
    }

    #[test]
    fn a_folder_read_in_parallel_gives_the_index_of_the_pages_one_by_one() {
        let pages = pages(&site());
        assert_eq!(pages.len(), 11);
        let Some(staged) = Staged::new(&pages) else {
            // Linux's /dev/shm is a tmpfs, which lists a folder in the order it was written.
            assert!(
                !(cfg!(target_os = "linux") && Path::new("/dev/shm").is_dir()),
                "no folder"
            );
            return;
        };
        let root = std::path::PathBuf::from(&staged.root);
        assert_eq!(
            listing(&root).unwrap(),
            pages.iter().map(|(path, _)| path.clone()).collect::<Vec<_>>()
        );
        let runtime = runtime();
        let from_folder = runtime
            .block_on(from_folder(staged, pages.len(), "fr"))
            .unwrap()
            .unwrap();
        assert!(!root.exists(), "the folder is left behind");
        let one_by_one = runtime.block_on(page_by_page(pages, "fr")).unwrap();
        let files = |files: Vec<SyntheticFile>| {
            files
                .into_iter()
                .map(|f| (f.filename, f.contents))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let (from_folder, one_by_one) = (files(from_folder), files(one_by_one));
        assert!(from_folder.keys().any(|name| name.starts_with("fragment")));
        assert_eq!(from_folder.len(), one_by_one.len());
        for (name, bytes) in &one_by_one {
            assert!(from_folder.get(name) == Some(bytes), "{name:?} differs");
        }
    }

    #[test]
    fn a_folder_that_would_leave_its_place_is_not_written() {
        for path in ["../a.html", "/a.html", "a/../../b.html", "./a.html", ""] {
            assert!(!plain(path), "{path}");
        }
        assert!(plain("a/b/index.html"));
        assert!(Staged::new(&[("../a.html".into(), "<html></html>".into())]).is_none());
    }

    #[test]
    fn the_folders_of_killed_builds_are_removed_and_the_others_kept() {
        let base = tempfile::tempdir().unwrap();
        // A process id no process has (Linux's highest is 2^22).
        let dead = base.path().join(format!("{STAGED}4294967-abc"));
        let running = base.path().join(format!("{STAGED}{}-abc", std::process::id()));
        let other = base.path().join("pnyx-other-1-abc");
        for dir in [&dead, &running, &other] {
            std::fs::create_dir_all(dir.join("site/a")).unwrap();
            std::fs::write(dir.join("site/a/index.html"), "<html></html>").unwrap();
        }
        sweep(base.path());
        assert_eq!(dead.exists(), !cfg!(unix));
        assert!(running.exists() && other.exists());
    }

    #[test]
    fn pages_without_the_marker_are_not_indexed() {
        let with = indexed(&[(
            "initiatives/bus/index.html",
            page("Gratuité des bus", "Un texte."),
        )]);
        let both = indexed(&[
            (
                "initiatives/bus/index.html",
                page("Gratuité des bus", "Un texte."),
            ),
            (
                "statements/index.html",
                b"<html><body><main><h1>Statements</h1></main></body></html>".to_vec(),
            ),
        ]);
        let fragments = |o: &Output| {
            o.files
                .keys()
                .filter(|k| k.starts_with("pagefind/fragment/"))
                .count()
        };
        assert_eq!(fragments(&with), 1);
        assert_eq!(fragments(&both), 1);
    }

    /// A page as the theme writes an initiative: its text, then facts and signers that
    /// Pagefind does not read, around which a few things that it does read.
    fn initiative(text: &str, ignored: &str) -> String {
        format!(
            "<!doctype html><html lang=\"fr\"><body><main {BODY}><h1>Gratuité des bus</h1>\
             <span hidden data-pagefind-filter=\"kind:Initiative\"></span><p>{text}</p>\
             <aside data-pagefind-ignore class=\"facts\">{ignored}</aside><h2 id=\"suite\">Suite</h2>\
             <p>Fin.</p></main></body></html>"
        )
    }

    #[test]
    fn pages_that_pagefind_reads_the_same_have_one_key_and_one_index_and_others_do_not() {
        let text = "Les bus gratuits le dimanche.";
        let ignored = "<p class=\"goal\" style=\"width:16%\">169 signatures</p>\
            <span data-pagefind-filter=\"auteur\">Jeanne</span>\
            <span data-pagefind-meta=\"image[src]\" src=\"/a.png\"></span>\
            <ul><li><a href=\"/members/#k-1\"><code>0888D6CB58965960</code></a></li></ul>";
        let base = initiative(text, ignored);
        let one_more = "<li><a href=\"/members/#k-2\"><code>7829B4A89C9FAF54</code></a></li></ul>";
        // An anchor inside an ignored element: Pagefind numbers it and gathers its text, but
        // its mark is dropped with the ignored text, so the index does not show it.
        let with_anchor = |words: &str| initiative(text, &format!("<h3 id=\"faits\">{words}</h3>{ignored}"));
        let read_alike = [
            (base.clone(), initiative(text, &ignored.replace("169", "170"))),
            (base.clone(), initiative(text, &ignored.replace("16%", "17%"))),
            (
                base.clone(),
                initiative(text, &ignored.replace("</ul>", one_more)),
            ),
            (with_anchor("Faits"), with_anchor("Chiffres")),
        ];
        let with_body =
            |words: &str| initiative(text, &format!("{ignored}<p data-pagefind-body>{words}</p>"));
        // An ignored inline element passes the anchor around it to the elements inside it.
        let with_inline = |count: &str| {
            initiative(
                &format!("{text}</p><h2 id=\"signataires\">Signataires <span data-pagefind-ignore><em>{count}</em></span></h2><p>"),
                ignored,
            )
        };
        let read_otherwise = [
            (base.clone(), initiative("Les bus gratuits le samedi.", ignored)),
            (
                base.clone(),
                initiative(text, &ignored.replace("Jeanne", "Marie")),
            ),
            (
                base.clone(),
                initiative(text, &ignored.replace("/a.png", "/b.png")),
            ),
            (with_body("Vu"), with_body("Lu")),
            (with_inline("169"), with_inline("170")),
        ];
        let key = |html: &str| {
            let pages = vec![("initiatives/bus/index.html".to_string(), indexed_part(html))];
            cache::key(&pages, "fr", None).unwrap().key
        };
        let index = |html: &str| {
            let pages = vec![("initiatives/bus/index.html".to_string(), indexed_part(html))];
            // Pagefind makes its files in no set order; the site holds them by name.
            make(&pages, "fr")
                .unwrap()
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        for (one, other) in &read_alike {
            assert_eq!(key(one), key(other), "{other}");
            assert!(index(one) == index(other), "the same key, another index: {other}");
        }
        for (one, other) in &read_otherwise {
            assert_ne!(key(one), key(other), "{other}");
            assert!(
                index(one) != index(other),
                "Pagefind reads no difference: {other}"
            );
        }
    }
}
