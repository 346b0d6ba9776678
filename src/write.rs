//! Writing the site: everything goes to a fresh folder beside the output, which then
//! replaces the old one, so a reader never sees a half-written site and no stale file stays.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use rayon::prelude::*;

use crate::render::Output;

/// Replaces the folder `out` with exactly `output`'s files.
pub fn write_atomically(out: &Path, output: &Output) -> anyhow::Result<()> {
    guard(out)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .context("the output folder needs a name")?;
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.new-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    let result = write_all(&staging, output).and_then(|()| swap(out, &staging, &old));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Refuses output folders that are clearly not a build output, so that `--out .` cannot
/// wipe a site or a repository.
fn guard(out: &Path) -> anyhow::Result<()> {
    for precious in ["pnyx.yaml", ".git", "content", "Cargo.toml"] {
        if out.join(precious).exists() {
            bail!(
                "refusing to replace {}: it contains `{precious}`, so it is not a build output; choose another `--out` folder",
                out.display()
            );
        }
    }
    Ok(())
}

fn write_all(staging: &Path, output: &Output) -> anyhow::Result<()> {
    let mut dirs: Vec<PathBuf> = output
        .files
        .keys()
        .filter_map(|p| Path::new(p).parent().map(|d| staging.join(d)))
        .collect();
    dirs.push(staging.to_path_buf());
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    output.files.par_iter().try_for_each(|(rel, bytes)| {
        let path = staging.join(rel);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    })
}

fn swap(out: &Path, staging: &Path, old: &Path) -> anyhow::Result<()> {
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, old).with_context(|| format!("cannot move the old {} aside", out.display()))?;
    }
    if let Err(e) = std::fs::rename(staging, out) {
        if had_old {
            let _ = std::fs::rename(old, out);
        }
        return Err(e).with_context(|| format!("cannot put the new site in place at {}", out.display()));
    }
    if had_old {
        std::fs::remove_dir_all(old)
            .with_context(|| format!("cannot remove the old site at {}", old.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let mut o = Output::default();
        o.files.insert("a/index.html".into(), b"A".to_vec());
        o.files.insert("stale.html".into(), b"S".to_vec());
        write_atomically(&out, &o).unwrap();
        o.files.remove("stale.html");
        o.files.insert("a/index.html".into(), b"B".to_vec());
        write_atomically(&out, &o).unwrap();
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"B");
        assert!(!out.join("stale.html").exists(), "a stale file survived");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn refuses_to_replace_a_site() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("pnyx.yaml"), "title: x").unwrap();
        let err = write_atomically(tmp.path(), &Output::default()).unwrap_err();
        assert!(err.to_string().contains("refusing"));
        assert!(tmp.path().join("pnyx.yaml").exists());
    }
}
