//! The statement commands: `pnyx keygen`, `sign`, `withdraw`, `vote`, `register`, `certify`,
//! `revoke`, `attest`, `commit` and `reveal`. The signing itself is `crate::signing`'s.

use std::path::Path;

use crate::signing::{act, keygen, Act, KeygenOptions};

/// `pnyx keygen`: makes a key pair and says where each half went.
pub fn run_keygen(root: &Path, opts: &KeygenOptions) -> super::Outcome {
    let made = keygen(root, opts)?;
    println!("{made}");
    Ok(())
}

/// `pnyx sign`, `withdraw`, `vote`, `register`, `certify`, `revoke`, `attest`, `commit` and
/// `reveal`: signs one act, prints the statement's path and says what it means.
pub fn run(root: &Path, secret_key: Option<&Path>, what: Act) -> super::Outcome {
    let written = act(root, secret_key, &what)?;
    println!("{}", written.path);
    eprintln!("{written}");
    Ok(())
}
