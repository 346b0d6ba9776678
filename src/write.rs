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
//!
//! A file whose bytes are already at its place in the previous output is linked from there
//! (a hard link) rather than written again: after one new signature, a city's site is a
//! dozen files written and a hundred thousand linked, in half the time, and the files that
//! did not change keep their modification time, so a deploy that compares sizes and times
//! uploads only what changed. The bytes are compared, not trusted: a file is linked only
//! when it is a regular file reached without a symbolic link, not executable, with no other
//! name (a file linked from outside the output could be edited there), and equal byte for
//! byte to what this build would write. A page the render stage read back from this folder
//! and checked against its digest moments before is not read a second time while its file
//! stands as it was read (inode, size, times to the nanosecond: see
//! [`crate::limits::FileIdentity`]); one changed since is compared.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{bail, Context as _};
use rayon::prelude::*;

use crate::render::Output;

/// How the files of a build were put in place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Linked from the previous output, where they already were, byte for byte.
    pub linked: usize,
    /// Written.
    pub written: usize,
}

/// Replaces the folder `out` with exactly `output`'s files.
pub fn write_atomically(out: &Path, output: &Output) -> anyhow::Result<Written> {
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
    let result = write_all(&staging, output, out).and_then(|written| {
        swap(out, &staging, &old)?;
        Ok(written)
    });
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

/// Puts `output`'s files in `staging`, each linked from the previous output `out` when it is
/// there unchanged (see the module's documentation), written otherwise.
fn write_all(staging: &Path, output: &Output, out: &Path) -> anyhow::Result<Written> {
    let make_folders = || -> anyhow::Result<()> {
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
        Ok(())
    };
    let (made, previous) = rayon::join(make_folders, || previous_files(out));
    made?;
    // Set when the file system refuses a link: the files left are written without trying.
    let refused = AtomicBool::new(false);
    let linked = output
        .files
        .par_iter()
        .map(|(rel, bytes)| -> anyhow::Result<usize> {
            let path = staging.join(rel);
            if previous.contains(rel.as_str())
                && !refused.load(Ordering::Relaxed)
                && link_if_same(&out.join(rel), &path, bytes, output.kept_files.get(rel), &refused)
            {
                return Ok(1);
            }
            std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            Ok(0)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    Ok(Written {
        linked,
        written: output.files.len() - linked,
    })
}

/// The regular files of the previous output, by their path in the site, found without
/// following a symbolic link: a file behind one is never linked into the new output.
fn previous_files(out: &Path) -> HashSet<String> {
    if !cfg!(unix) || !std::fs::symlink_metadata(out).is_ok_and(|m| m.is_dir()) {
        return HashSet::new();
    }
    walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let rel = entry.path().strip_prefix(out).ok()?.to_str()?;
            Some(rel.replace('\\', "/"))
        })
        .collect()
}

/// Links the previous output's file `old` to `new` when it holds exactly `bytes` (see the
/// module's documentation); false when it was not linked, and `new` is then still free.
/// Sets `refused` when the file system refuses to link.
///
/// `read` is how the file stood when this build read it back and found `bytes` there
/// ([`Output::kept_files`]): a file that still stands so is linked without being read again.
#[cfg(unix)]
fn link_if_same(
    old: &Path,
    new: &Path,
    bytes: &[u8],
    read: Option<&crate::limits::FileIdentity>,
    refused: &AtomicBool,
) -> bool {
    use std::io::Read as _;
    use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
    // Written files are never executable, and have no other name.
    let linkable = |meta: &std::fs::Metadata| {
        meta.is_file() && meta.len() == bytes.len() as u64 && meta.nlink() == 1 && meta.mode() & 0o7111 == 0
    };
    let unchanged = read.and_then(|read| {
        let meta = std::fs::symlink_metadata(old).ok()?;
        let same = crate::limits::FileIdentity::of(&meta).as_ref() == Some(read);
        (same && linkable(&meta)).then_some(meta)
    });
    let meta = match unchanged {
        Some(meta) => meta,
        None => {
            let Ok(mut file) = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(old)
            else {
                return false;
            };
            let Ok(meta) = file.metadata() else {
                return false;
            };
            if !linkable(&meta) {
                return false;
            }
            let mut buf = [0u8; 1 << 16];
            let mut rest = bytes;
            loop {
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) if n <= rest.len() && buf[..n] == rest[..n] => rest = &rest[n..],
                    _ => return false,
                }
            }
            if !rest.is_empty() {
                return false;
            }
            meta
        }
    };
    if std::fs::hard_link(old, new).is_err() {
        refused.store(true, Ordering::Relaxed);
        return false;
    }
    // The name made must be the file compared, not one put at `old` since.
    match std::fs::symlink_metadata(new) {
        Ok(linked) if linked.ino() == meta.ino() && linked.dev() == meta.dev() => true,
        _ => {
            let _ = std::fs::remove_file(new);
            false
        }
    }
}

/// Elsewhere every file is written.
#[cfg(not(unix))]
fn link_if_same(
    _old: &Path,
    _new: &Path,
    _bytes: &[u8],
    _read: Option<&crate::limits::FileIdentity>,
    _refused: &AtomicBool,
) -> bool {
    false
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
            return remove_site(staging)
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
    remove_site(old).with_context(|| format!("cannot remove the old site at {}", old.display()))
}

/// Removes the folder of the previous site, its folders on all cores: a city's site is a
/// hundred thousand files. Each is removed by `std::fs::remove_dir_all`, which never follows a
/// symbolic link, even one put there while it runs.
fn remove_site(dir: &Path) -> std::io::Result<()> {
    let entries = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
    std::fs::remove_dir(dir)
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

    /// A site of `files`, each `(path, bytes)`.
    fn site(files: &[(&str, &str)]) -> Output {
        let mut o = Output::default();
        for (path, bytes) in files {
            o.files.insert((*path).into(), bytes.as_bytes().to_vec());
        }
        o
    }

    /// Writes `output` to `out`: how many files were linked, how many written.
    fn linked_and_written(out: &Path, output: &Output) -> (usize, usize) {
        let w = write_atomically(out, output).unwrap();
        (w.linked, w.written)
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::symlink_metadata(path).unwrap().ino()
    }

    #[cfg(unix)]
    #[test]
    fn an_unchanged_file_is_linked_with_its_time_and_a_changed_one_written() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = site(&[("a/index.html", "A"), ("b/index.html", "B")]);
        assert_eq!(linked_and_written(&out, &first), (0, 2));
        let (a, b) = (out.join("a/index.html"), out.join("b/index.html"));
        let (a_inode, a_time) = (inode(&a), std::fs::metadata(&a).unwrap().modified().unwrap());
        let b_inode = inode(&b);
        let second = site(&[("a/index.html", "A"), ("b/index.html", "b"), ("c.html", "C")]);
        assert_eq!(linked_and_written(&out, &second), (1, 2));
        assert_eq!(inode(&a), a_inode, "the unchanged file was written again");
        assert_eq!(std::fs::metadata(&a).unwrap().modified().unwrap(), a_time);
        assert_ne!(inode(&b), b_inode);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b");
        assert_eq!(std::fs::read_to_string(out.join("c.html")).unwrap(), "C");
        // The previous site's folder is gone, and its files with it: one name each.
        use std::os::unix::fs::MetadataExt as _;
        assert_eq!(std::fs::metadata(&a).unwrap().nlink(), 1);
    }

    /// Someone who can write to the output folder, or a pull request that commits it, puts a
    /// symbolic link where a page is, to a file that holds the page's bytes today: were the
    /// file behind the link made part of the new site, editing it later would change the site.
    #[cfg(unix)]
    #[test]
    fn a_page_replaced_by_a_link_to_another_file_is_written_not_linked() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let pages = site(&[("a/index.html", "A"), ("b/index.html", "B")]);
        write_atomically(&out, &pages).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(elsewhere.join("b")).unwrap();
        std::fs::write(elsewhere.join("a.html"), "A").unwrap();
        std::fs::write(elsewhere.join("b/index.html"), "B").unwrap();
        std::fs::remove_file(out.join("a/index.html")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("a.html"), out.join("a/index.html")).unwrap();
        std::fs::remove_dir_all(out.join("b")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("b"), out.join("b")).unwrap();
        assert_eq!(linked_and_written(&out, &pages), (0, 2));
        std::fs::write(elsewhere.join("a.html"), "<script>").unwrap();
        std::fs::write(elsewhere.join("b/index.html"), "<script>").unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "A");
        assert_eq!(std::fs::read_to_string(out.join("b/index.html")).unwrap(), "B");
        assert!(std::fs::symlink_metadata(out.join("b")).unwrap().is_dir());
    }

    /// The same with a second name: a page of the output folder that is also a file
    /// elsewhere (a hard link) would stay editable from there.
    #[cfg(unix)]
    #[test]
    fn a_page_with_another_name_outside_the_output_is_written_not_linked() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let pages = site(&[("a/index.html", "A")]);
        write_atomically(&out, &pages).unwrap();
        let elsewhere = tmp.path().join("elsewhere.html");
        std::fs::hard_link(out.join("a/index.html"), &elsewhere).unwrap();
        assert_eq!(linked_and_written(&out, &pages), (0, 1));
        std::fs::write(&elsewhere, "<script>").unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "A");
    }

    /// A page the build read back from the output folder (a kept page) is linked without
    /// being read again, but only while its file stands as it was read: edited in place after
    /// that, to the same size and with its modification time put back, it is compared again
    /// and written.
    #[cfg(unix)]
    #[test]
    fn a_page_edited_after_the_build_read_it_back_is_written_not_linked() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let pages = site(&[("a.html", "<p>A</p>"), ("b.html", "<p>B</p>")]);
        write_atomically(&out, &pages).unwrap();
        let mut again = pages.clone();
        for name in ["a.html", "b.html"] {
            let (bytes, meta) =
                crate::limits::read_bounded_with_metadata(&out.join(name), crate::limits::Bytes(u64::MAX))
                    .unwrap();
            assert_eq!(bytes, pages.files[name]);
            let identity = crate::limits::FileIdentity::of(&meta).unwrap();
            again.kept_files.insert(name.into(), identity);
        }
        // The file's identity stands for the bytes read: b.html, standing as it was read, is
        // linked without being compared (were it compared, the bytes asked for here would
        // differ from it, and it would be written).
        again.files.insert("b.html".into(), b"<p>Q</p>".to_vec());
        let a = out.join("a.html");
        let time = std::fs::metadata(&a).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&a, "<p>X</p>").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_modified(time)
            .unwrap();
        assert_eq!(linked_and_written(&out, &again), (1, 1));
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "<p>A</p>");
        assert_eq!(std::fs::read_to_string(out.join("b.html")).unwrap(), "<p>B</p>");
    }

    /// A page edited in the output folder, even to the same size, is written again; so is
    /// one made executable.
    #[cfg(unix)]
    #[test]
    fn a_page_edited_or_made_executable_in_the_output_folder_is_written_again() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let pages = site(&[("a.html", "<p>A</p>"), ("b.html", "<p>B</p>")]);
        write_atomically(&out, &pages).unwrap();
        std::fs::write(out.join("a.html"), "<p>X</p>").unwrap();
        std::fs::set_permissions(out.join("b.html"), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(linked_and_written(&out, &pages), (0, 2));
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "<p>A</p>");
        let mode = std::fs::metadata(out.join("b.html"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0, "{mode:o}");
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
