//! Writing the site: everything goes to a fresh folder beside the output, which then
//! replaces the old one, so a reader never sees a half-written site and no stale file stays.
//!
//! The swap is one atomic step on Linux (`renameat2` with `RENAME_EXCHANGE`): a build killed
//! at any moment leaves the previous `public/` whole. Elsewhere, or on a file system that
//! refuses the exchange, the old folder is renamed aside and the new one renamed in: a kill
//! between those two renames leaves no output folder (the previous site is then in
//! `.NAME.old-PID`, and the next build writes a new one). Folders left by killed builds are
//! removed by the next build, under an advisory lock on the folder that holds the output, so
//! that it never removes a folder another running build is writing.

use std::fs::File;
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
    // Held until the end of this function: released by the system even when killed.
    let locked = lock(&parent, name)?;
    clean_stale(&parent, name, locked.is_some());
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
    drop(locked);
    result
}

/// Takes an advisory lock on the folder that holds the output (no lock file is left
/// behind), waiting for another build that holds it. `None` where a folder cannot be locked:
/// cleaning is then more careful.
fn lock(parent: &Path, name: &str) -> anyhow::Result<Option<File>> {
    let Ok(dir) = File::open(parent) else {
        return Ok(None);
    };
    match dir.try_lock() {
        Ok(()) => Ok(Some(dir)),
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "note: another pnyx build is writing beside {}; waiting for it to finish",
                parent.join(name).display()
            );
            dir.lock()
                .with_context(|| format!("cannot lock {} for the build", parent.display()))?;
            Ok(Some(dir))
        }
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// Removes the `.NAME.new-PID` and `.NAME.old-PID` folders of earlier killed builds: all of
/// them when this build holds the lock (no other build can be writing), else only those
/// whose process is gone (known on Linux only; elsewhere nothing is removed).
fn clean_stale(parent: &Path, name: &str, locked: bool) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let (new, old) = (format!(".{name}.new-"), format!(".{name}.old-"));
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let Some(pid) = file_name
            .strip_prefix(&new)
            .or_else(|| file_name.strip_prefix(&old))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if !locked && (pid == std::process::id() || !process_is_gone(pid)) {
            continue;
        }
        let path = entry.path();
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(e) = removed {
            eprintln!(
                "note: cannot remove {}, left by an earlier build: {e}; remove it by hand",
                path.display()
            );
        }
    }
}

/// True when `pid` surely runs no more (Linux: no `/proc/PID`); false when unknown.
fn process_is_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
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

/// Puts `staging` in place of `out`, in one atomic step where the system allows it.
fn swap(out: &Path, staging: &Path, old: &Path) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(staging, out)
            .with_context(|| format!("cannot put the new site in place at {}", out.display()));
    }
    match exchange(staging, out) {
        Ok(true) => {
            // `staging` now holds the previous site.
            return std::fs::remove_dir_all(staging)
                .with_context(|| format!("cannot remove the old site at {}", staging.display()));
        }
        Ok(false) => {}
        Err(e) => {
            return Err(e).with_context(|| format!("cannot put the new site in place at {}", out.display()))
        }
    }
    // Fallback: a kill between these two renames leaves no `out` (see the module's doc).
    std::fs::rename(out, old).with_context(|| format!("cannot move the old {} aside", out.display()))?;
    if let Err(e) = std::fs::rename(staging, out) {
        let _ = std::fs::rename(old, out);
        return Err(e).with_context(|| format!("cannot put the new site in place at {}", out.display()));
    }
    std::fs::remove_dir_all(old).with_context(|| format!("cannot remove the old site at {}", old.display()))
}

/// Exchanges two paths atomically; `Ok(false)` when the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt as _;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a path with a NUL byte"))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

/// Exchanges two paths atomically; `Ok(false)` when the system or file system cannot.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
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
    fn removes_the_folders_of_killed_builds() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        for stale in [".public.new-4000000", ".public.old-4000001", ".public.new-1"] {
            std::fs::create_dir_all(tmp.path().join(stale).join("x")).unwrap();
        }
        std::fs::create_dir(tmp.path().join(".other.new-1")).unwrap();
        write_atomically(&out, &Output::default()).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".other.new-1", "public"]);
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
