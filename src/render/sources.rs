//! The files a citizen signs, published byte for byte at `sources/<path in the repository>`
//! (`sources/content/initiatives/S.md`, `sources/signatures/keys/K.pub`): signing in the
//! browser fetches them there, so that the statement signs exactly what the repository holds.
//! What moderation hid is not published.

use std::collections::BTreeMap;

use crate::content::{Content, Item};
use crate::load::signatures::Signatures;

/// Where the exact text of the file at `path` is published, from the site's root.
pub fn url_path(path: &str) -> String {
    format!("sources/{path}")
}

/// The signable files: initiatives, votes, budgets and meetings of `content` (already without
/// what moderation hid), and every usable public key.
pub fn files(content: &Content, sigs: &Signatures) -> BTreeMap<String, Vec<u8>> {
    fn items<M>(list: &crate::content::Items<M>, out: &mut BTreeMap<String, Vec<u8>>) {
        for item in list.values() {
            let Item { path, source, .. } = item;
            let path = path.to_string_lossy().replace('\\', "/");
            out.insert(url_path(&path), source.clone().into_bytes());
        }
    }
    let mut out = BTreeMap::new();
    items(&content.initiatives, &mut out);
    items(&content.votes, &mut out);
    items(&content.budgets, &mut out);
    items(&content.meetings, &mut out);
    for key in sigs.keys.values() {
        out.insert(url_path(&key.path), key.text.clone().into_bytes());
    }
    out
}
