//! The site's search index, made during the build by Pagefind's library so that search works
//! on the static output with no server.
//!
//! Pages opt in: a page whose `<main>` carries `data-pagefind-body` is indexed (items and free
//! pages; lists, history and statement pages are not), with the filters its template wrote
//! (`kind`, `pole`, `status`). Pagefind folds diacritics when it indexes and when it searches,
//! so "gratuite" finds "Gratuité". Its browser runtime (`pagefind.js`, its worker and the
//! WebAssembly of the content's language) comes from the same crate, and the theme's
//! `search.js` drives it; Pagefind's own UI bundles are left out.

use crate::render::Output;

/// Where the index and Pagefind's runtime go in the output.
pub const DIR: &str = "pagefind/";

/// The marker of a page to index.
const BODY: &str = "data-pagefind-body";

/// Indexes the rendered pages of `output` in `language` (an ISO 639-1 code) and adds the index
/// under [`DIR`]. The same pages give the same files, byte for byte.
pub fn index(output: &mut Output, language: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let pages: Vec<(String, String)> = output
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .filter_map(|(path, bytes)| {
            let html = std::str::from_utf8(bytes).ok()?;
            html.contains(BODY).then(|| (path.clone(), indexed_part(html)))
        })
        .collect();
    let files = runtime.block_on(async {
        let options = pagefind::options::PagefindServiceConfig::builder()
            .force_language(language.to_string())
            .build();
        let mut index = pagefind::api::PagefindIndex::new(Some(options))?;
        for (path, html) in pages {
            index.add_html_file(Some(path), None, html).await?;
        }
        index.get_files().await
    })?;
    for file in files {
        let name = file.filename.to_string_lossy().replace('\\', "/");
        if wanted(&name) {
            output.files.insert(format!("{DIR}{name}"), file.contents);
        }
    }
    Ok(())
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
        index(&mut output, "fr").unwrap();
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
}
