//! pnyx's own folder, outside every site: `$PNYX_HOME` (by default `~/.config/pnyx`), where
//! secret keys and the verification cache's key are kept, and the paths around it.

use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

/// Environment variable: the folder of pnyx's own files (secret keys in `keys/`, the
/// verification cache's key `cache.key`).
pub const ENV_HOME: &str = "PNYX_HOME";

/// An environment variable holding a path, when set and not empty.
pub fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The user's home folder.
pub fn home_dir() -> Option<PathBuf> {
    env_path("HOME").or_else(|| env_path("USERPROFILE"))
}

/// pnyx's own folder: `$PNYX_HOME`, else `$XDG_CONFIG_HOME/pnyx`, else `~/.config/pnyx`.
pub fn pnyx_home() -> anyhow::Result<PathBuf> {
    let dir = env_path(ENV_HOME)
        .or_else(|| {
            env_path("XDG_CONFIG_HOME")
                .filter(|p| p.is_absolute())
                .map(|p| p.join("pnyx"))
        })
        .or_else(|| home_dir().map(|h| h.join(".config").join("pnyx")))
        .context("no home folder: set PNYX_HOME to the folder where pnyx keeps your secret keys")?;
    std::path::absolute(&dir).with_context(|| format!("cannot make {} absolute", dir.display()))
}

/// Stock minisign's default secret key, `~/.minisign/minisign.key`.
pub fn minisign_default_key() -> Option<PathBuf> {
    home_dir().map(|h| h.join(".minisign").join("minisign.key"))
}

/// The path with symbolic links and `..` resolved, even when its last components do not
/// exist yet (they are appended to the canonical form of the longest existing ancestor).
pub fn canonical_lenient(path: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(path)?;
    let parts: Vec<Component> = abs.components().collect();
    for n in (1..=parts.len()).rev() {
        let prefix: PathBuf = parts[..n].iter().collect();
        if let Ok(mut out) = prefix.canonicalize() {
            for c in &parts[n..] {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    c => out.push(c),
                }
            }
            return Ok(out);
        }
    }
    Ok(abs)
}
