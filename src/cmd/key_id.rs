//! `pnyx key-id FILE.pub`: the key id of a public key, read from the key itself — the comment
//! line of a `.pub` file is not to be trusted, and stock minisign drops its leading zeros.

use std::path::Path;

use anyhow::Context as _;

use crate::error::mistake;
use crate::signatures::keys::parse_public_key;

/// Prints the key id on stdout, and where to publish the key on stderr.
pub fn run(file: &Path) -> super::Outcome {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let key = parse_public_key(&text).map_err(|reason| {
        mistake(
            format!("{} is not a minisign public key: {reason}", file.display()),
            "give the `.pub` file that `pnyx keygen` or `minisign -G` wrote (not the secret key)",
        )
    })?;
    println!("{}", key.id);
    eprintln!(
        "publish it as signatures/keys/{}.pub, with your profile in signatures/keys/{}.yaml if you want a name shown",
        key.id, key.id
    );
    Ok(())
}
