//! `pnyx moderate` and `pnyx codeowners`: the moderators' and admins' commands. The work is
//! `crate::signing::moderate`'s.

use std::path::Path;

use crate::content::kinds::ModerationAction;
use crate::signing::moderate::{codeowners, moderate};

/// `pnyx moderate hide|restore PATH --reason …`: writes and signs the decision, prints both
/// paths and what happens next.
pub fn run(
    root: &Path,
    secret_key: Option<&Path>,
    action: ModerationAction,
    target: &str,
    reason: &str,
) -> super::Outcome {
    let done = moderate(root, secret_key, action, target, reason)?;
    println!("{}", done.entry);
    println!("{}", done.statement.path);
    eprintln!(
        "wrote the decision {} and signed it: {}\nnext: commit both files in a pull request; once merged, the site shows a notice where {target} stood",
        done.entry, done.statement.path
    );
    Ok(())
}

/// `pnyx codeowners`: writes CODEOWNERS from the roles, and warns about people the forge
/// cannot name.
pub fn run_codeowners(root: &Path) -> super::Outcome {
    let owners = codeowners(root)?;
    let path = &owners.path;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(anyhow::Error::from)?;
    }
    std::fs::write(path, &owners.text).map_err(anyhow::Error::from)?;
    for (kind, key) in &owners.unnamed {
        eprintln!(
            "warning: the {} {key} has no forge handle: add `forge: HANDLE` to signatures/keys/{key}.yaml",
            kind.as_str()
        );
    }
    eprintln!("wrote {}", path.display());
    Ok(())
}
