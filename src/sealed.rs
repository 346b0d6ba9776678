//! Files pnyx keeps between builds in the site's `.pnyx-cache/` (git-ignored), believed only
//! when this machine sealed them.
//!
//! A cache can make a build faster, never change its result (SPEC §4, "Integrity"). Its
//! layout is public, so anyone can write a file that claims a result. Hence two rules for
//! every cache file:
//!
//! - a file is believed only if this machine sealed it: its last 32 bytes are an
//!   HMAC-SHA256 under a 32-byte secret that never leaves the machine ([`KEY_FILE`] in
//!   [`crate::home::pnyx_home`], made on first use, mode 0600, outside any repository);
//! - [`open`] never reads a cache that git tracks, or one behind a symbolic link: what a
//!   pull request brings is content to check, never a verdict.
//!
//! The verification cache (`signatures/cache.rs`) and the history cache
//! (`load/history_cache.rs`) both go through here.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::Context as _;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// Where a site keeps its caches, from its root (git-ignored).
pub const CACHE_DIR: &str = ".pnyx-cache";
/// The secret's file in pnyx's own folder ([`crate::home::pnyx_home`]).
pub const KEY_FILE: &str = "cache.key";
/// The trailing seal (HMAC-SHA256).
pub const SEAL: usize = 32;

/// A cache file that may be read and written: where, and the secret that seals it.
#[derive(Debug, Clone)]
pub struct Store {
    /// The file.
    pub path: PathBuf,
    /// This machine's secret.
    pub secret: Secret,
}

/// Opens the cache file `file` (from the site's root, under [`CACHE_DIR`]) of the site at
/// `root`. Refuses it, with a short reason and the note for the user, when `.pnyx-cache/` or
/// anything under it is tracked by git (in the index or in HEAD), when it or the file is a
/// symbolic link, and when this machine has no secret to check the seal with.
pub fn open(root: &Path, file: &str) -> Result<Store, (&'static str, String)> {
    if let Some(refused) = refusal(root, file) {
        return Err(refused);
    }
    let secret = machine_secret(root).map_err(|note| ("no key to seal it", note))?;
    Ok(Store {
        path: root.join(file),
        secret,
    })
}

impl Store {
    /// The body of the file if this machine sealed it and it starts with `magic`;
    /// `Ok(None)` when there is no file; why it is not believed otherwise.
    pub fn read(&self, magic: &[u8; 8]) -> Result<Option<Vec<u8>>, String> {
        let mut bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("unreadable: {e}")),
        };
        unseal(&mut bytes, magic, &self.secret)?;
        Ok(Some(bytes))
    }

    /// Seals `body` and writes it atomically (see [`write_sealed`]).
    pub fn write(&self, body: Vec<u8>) -> io::Result<()> {
        write_sealed(&self.path, &self.secret, body)
    }
}

/// Writes `n` as a little-endian u32, the lengths and counts of the cache files.
pub fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// Writes a string as the cache files hold one: its length (u32), then its UTF-8 bytes.
pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Reads the body of a cache file front to back; `None` at the first thing out of bounds.
pub struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// A reader of `body`.
    pub fn new(body: &'a [u8]) -> Reader<'a> {
        Reader(body)
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    /// The next byte.
    pub fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    /// The next little-endian u32.
    pub fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }

    /// The next string (see [`put_str`]).
    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// The next git object id (20 bytes).
    pub fn oid(&mut self) -> Option<git2::Oid> {
        git2::Oid::from_bytes(self.take(20)?).ok()
    }

    /// Whether everything was read.
    pub fn is_done(&self) -> bool {
        self.0.is_empty()
    }
}

/// Checks that `bytes` start with `magic` and end with the seal of what comes before under
/// `secret`, and cuts the seal off.
pub fn unseal(bytes: &mut Vec<u8>, magic: &[u8; 8], secret: &Secret) -> Result<(), String> {
    if bytes.len() < magic.len() || &bytes[..magic.len()] != magic {
        return Err("not a pnyx cache of this kind and version".into());
    }
    if bytes.len() < magic.len() + SEAL {
        return Err("truncated".into());
    }
    let n = bytes.len() - SEAL;
    if !secret.verifies(&bytes[..n], &bytes[n..]) {
        return Err("not sealed by this machine's key".into());
    }
    bytes.truncate(n);
    Ok(())
}

/// Writes `body` and its seal under `secret` to `path`, creating its folder. Atomic: the
/// file is written beside it under another name, then renamed over it, so a build stopped
/// midway leaves the old file or the new one.
pub fn write_sealed(path: &Path, secret: &Secret, mut body: Vec<u8>) -> io::Result<()> {
    let seal = secret.seal(&body);
    body.extend_from_slice(&seal);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = (|| {
        // A file left there by a stopped build, or planted: replaced, never followed.
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// The machine's secret that seals cache files: whoever lacks it cannot make a file that
/// this machine believes.
#[derive(Clone)]
pub struct Secret([u8; 32]);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// Its bytes, for the tests.
    #[cfg(test)]
    pub(crate) fn expose(&self) -> [u8; 32] {
        self.0
    }

    /// A secret of these bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Secret {
        Secret(bytes)
    }

    /// Reads the secret at `path`, making it on first use: 32 random bytes, mode 0600, its
    /// folder 0700. Another process may make it at the same moment: the file appears whole
    /// or not at all (written aside, then linked in place), and whoever comes second reads
    /// the first one's.
    pub fn load_or_create(path: &Path) -> io::Result<Secret> {
        match read_secret(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => return other,
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            b.mode(0o700);
        }
        b.create(dir)?;
        let mut bytes = [0u8; 32];
        let mut tag = [0u8; 8];
        for buf in [&mut bytes[..], &mut tag[..]] {
            getrandom::fill(buf).map_err(|e| io::Error::other(format!("no randomness: {e}")))?;
        }
        let tmp = dir.join(format!(
            ".{KEY_FILE}.{}.{:016x}.tmp",
            std::process::id(),
            u64::from_le_bytes(tag)
        ));
        let linked = write_private(&tmp, &bytes).and_then(|()| fs::hard_link(&tmp, path));
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(Secret(bytes)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_secret(path),
            // No hard links on this file system: create the file itself, still never
            // replacing another process's.
            Err(_) => match write_private(path, &bytes) {
                Ok(()) => Ok(Secret(bytes)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_secret(path),
                Err(e) => Err(e),
            },
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as hmac::Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length")
    }

    /// The seal of `body`.
    pub(crate) fn seal(&self, body: &[u8]) -> [u8; SEAL] {
        let mut mac = self.mac();
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// Whether `seal` is the seal of `body` (compared in constant time).
    pub(crate) fn verifies(&self, body: &[u8], seal: &[u8]) -> bool {
        let mut mac = self.mac();
        mac.update(body);
        mac.verify_slice(seal).is_ok()
    }
}

/// The secret in `path`: exactly 32 bytes.
fn read_secret(path: &Path) -> io::Result<Secret> {
    let mut bytes = Vec::with_capacity(33);
    fs::File::open(path)?.take(33).read_to_end(&mut bytes)?;
    let n = bytes.len();
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} bytes where 32 were expected",
                if n > 32 {
                    "more than 32".to_string()
                } else {
                    n.to_string()
                }
            ),
        )
    })?;
    Ok(Secret(bytes))
}

/// Creates `path` (never over an existing file), readable by its owner only, with `bytes`.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if written.is_err() {
        drop(f);
        let _ = fs::remove_file(path);
    }
    written
}

/// Prints `note: TEXT` on standard error, once per process for each text (`pnyx serve`
/// verifies again on every change).
pub fn note_once(text: &str) {
    static SAID: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let mut said = SAID.lock().unwrap_or_else(PoisonError::into_inner);
    if said.insert(text.to_string()) {
        eprintln!("note: {text}");
    }
}

/// Why the cache file `file` of the site at `root` must not be read: a short reason and the
/// note. The notes speak of the verification cache, which the build opens first and whose note
/// is printed: the other caches follow it silently.
pub(crate) fn refusal(root: &Path, file: &str) -> Option<(&'static str, String)> {
    for rel in [CACHE_DIR, file] {
        if fs::symlink_metadata(root.join(rel)).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some((
                "a symbolic link",
                format!(
                    "{rel} is a symbolic link: pnyx neither reads nor writes a verification cache through a link, so every statement is checked; delete the link (`rm {rel}`) and the next build writes a real cache"
                ),
            ));
        }
    }
    match tracked_remembered(root) {
        Ok(None) => None,
        Ok(Some(path)) => Some((
            "tracked by git",
            format!(
                "`{path}` is tracked by git: pnyx never reads a verification cache from the repository's content, so every statement is checked; remove it from git with `git rm -r --cached {CACHE_DIR}` (it belongs in .gitignore) and commit"
            ),
        )),
        Err(e) => Some((
            "cannot tell whether git tracks it",
            format!(
                "cannot tell whether git tracks {CACHE_DIR}/ ({e}), so the verification cache is not used and every statement is checked; repair the repository (`git status` shows what is wrong)"
            ),
        )),
    }
}

/// [`tracked`], remembered while the site's folder, the repository's index file and HEAD stay
/// the same: a build opens two caches, and reading the index of a city (a million entries)
/// takes a second. git replaces its index file whole on every change, so any change to it
/// (or to HEAD) is a new state and is read again.
fn tracked_remembered(root: &Path) -> Result<Option<String>, String> {
    let Some(state) = repository_state(root) else {
        return tracked(root);
    };
    let mut last = TRACKED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, answer)) = last.as_ref().filter(|(seen, _)| *seen == state) {
        return answer.clone();
    }
    let answer = tracked(root);
    *last = Some((state, answer.clone()));
    answer
}

/// Reads the index of `repo`, the repository around the site at `root`, and remembers from it
/// whether git tracks anything under `.pnyx-cache/`: the load stage reads a city's index once for
/// the blob ids of its statement files, and the caches then need not read it again. The state
/// of the repository is taken before the index is read, so that an answer is never remembered
/// for a later index.
pub fn read_index(root: &Path, repo: &git2::Repository) -> Option<git2::Index> {
    let state = repository_state(root);
    let index = repo.index().ok()?;
    if let (Some(state), Some(workdir)) = (state, repo.workdir()) {
        let answer = site_prefix(workdir, root)
            .map_err(|e| format!("{e:#}"))
            .and_then(|prefix| tracked_with(repo, &index, &prefix));
        *TRACKED.lock().unwrap_or_else(PoisonError::into_inner) = Some((state, answer));
    }
    Some(index)
}

/// An answer of [`tracked`], and the repository state it answered for.
type Answer = (String, Result<Option<String>, String>);

/// The last answer of [`tracked`].
static TRACKED: Mutex<Option<Answer>> = Mutex::new(None);

/// What [`tracked`] depends on, in one string: the site's folder, the identity of the index
/// file (inode, size, times to the nanosecond) and HEAD's commit; `None` when it cannot be
/// told (then nothing is remembered).
fn repository_state(root: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let repo = git2::Repository::discover(&root).ok()?;
    let index = match fs::metadata(repo.path().join("index")) {
        Ok(m) => file_identity(&m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => "no index".to_string(),
        Err(_) => return None,
    };
    let head = match repo.head() {
        Ok(h) => h.target().map(|id| id.to_string()).unwrap_or_default(),
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            String::new()
        }
        Err(_) => return None,
    };
    Some(format!("{}\0{index}\0{head}", root.display()))
}

#[cfg(unix)]
fn file_identity(m: &fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt as _;
    format!(
        "{}:{}:{}:{}.{}:{}.{}",
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    )
}

#[cfg(not(unix))]
fn file_identity(m: &fs::Metadata) -> String {
    format!("{}:{:?}", m.len(), m.modified().ok())
}

/// The first path under the site's `.pnyx-cache/` that the repository around `root` tracks,
/// in its index or in HEAD's tree; `None` outside a repository. Compared without case, as a
/// case-insensitive file system would check it out.
fn tracked(root: &Path) -> Result<Option<String>, String> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Ok(None);
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(None);
    };
    let prefix = site_prefix(workdir, root).map_err(|e| format!("{e:#}"))?;
    let index = repo.index().map_err(|e| e.message().to_string())?;
    tracked_with(&repo, &index, &prefix)
}

/// [`tracked`] with the repository's index already read.
fn tracked_with(
    repo: &git2::Repository,
    index: &git2::Index,
    prefix: &str,
) -> Result<Option<String>, String> {
    let dir = if prefix.is_empty() {
        CACHE_DIR.to_string()
    } else {
        format!("{prefix}/{CACHE_DIR}")
    };
    let is_cache = |p: &[u8]| {
        p.len() >= dir.len()
            && p[..dir.len()].eq_ignore_ascii_case(dir.as_bytes())
            && (p.len() == dir.len() || p[dir.len()] == b'/')
    };
    // The index is sorted by path bytes, and every spelling of the folder starts with
    // `<prefix>/.`: only that stretch of a city's million entries is read.
    let dot = if prefix.is_empty() {
        ".".to_string()
    } else {
        format!("{prefix}/.")
    };
    if let Ok(start) = index.find_prefix(dot.as_str()) {
        for i in start..index.len() {
            let Some(entry) = index.get(i) else { break };
            if !entry.path.starts_with(dot.as_bytes()) {
                break;
            }
            if is_cache(&entry.path) {
                return Ok(Some(String::from_utf8_lossy(&entry.path).into_owned()));
            }
        }
    }
    let head = match repo.head() {
        Ok(h) => h,
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e.message().to_string()),
    };
    let tree = head.peel_to_tree().map_err(|e| e.message().to_string())?;
    let site = if prefix.is_empty() {
        tree
    } else {
        match tree
            .get_path(Path::new(&prefix))
            .and_then(|e| repo.find_tree(e.id()))
        {
            Ok(t) => t,
            Err(_) => return Ok(None),
        }
    };
    let found = site
        .iter()
        .filter_map(|e| e.name().ok().map(String::from))
        .find(|n| n.eq_ignore_ascii_case(CACHE_DIR));
    Ok(found.map(|n| {
        if prefix.is_empty() {
            n
        } else {
            format!("{prefix}/{n}")
        }
    }))
}

/// The machine's secret, or the note that says why there is none.
pub(crate) fn machine_secret(root: &Path) -> Result<Secret, String> {
    let what = "running without a verification cache: every statement is checked";
    let home = crate::home::pnyx_home().map_err(|e| format!("{e:#}; {what}"))?;
    let path = home.join(KEY_FILE);
    if let Some(repo) = inside_site(root, &path) {
        return Err(format!(
            "the verification cache's key {} would be inside {}, where it could be committed; {what}; set PNYX_HOME to a folder outside the site",
            path.display(),
            repo.display()
        ));
    }
    Secret::load_or_create(&path).map_err(|e| {
        format!(
            "cannot read or create the verification cache's key {} ({e}); {what}; make PNYX_HOME a writable folder outside the site, or delete a damaged key file (a new one is made)",
            path.display()
        )
    })
}

/// The site, or the git work tree around it, when `path` is inside (a work tree that holds
/// the home folder is a dotfiles repository, not the site's: not counted).
fn inside_site(root: &Path, path: &Path) -> Option<PathBuf> {
    let path = crate::home::canonical_lenient(path).ok()?;
    let root = root.canonicalize().ok()?;
    if path.starts_with(&root) {
        return Some(root);
    }
    let repo = git2::Repository::discover(&root).ok()?;
    let work = repo.workdir()?.canonicalize().ok()?;
    let holds_home = crate::home::home_dir()
        .and_then(|h| h.canonicalize().ok())
        .is_some_and(|h| h.starts_with(&work));
    (!holds_home && path.starts_with(&work)).then_some(work)
}

/// The site root's path inside the work tree, `/`-separated, empty at the top.
pub fn site_prefix(workdir: &Path, root: &Path) -> anyhow::Result<String> {
    let workdir = workdir
        .canonicalize()
        .context("cannot resolve the repository's folder")?;
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let rel = root.strip_prefix(&workdir).unwrap_or(Path::new(""));
    Ok(rel.to_string_lossy().replace('\\', "/"))
}

/// The SHA-256 of the running program's file: what a cache keyed by it holds was made by this
/// very program, whatever its version says (a build from a changed source keeps the version
/// number). `None` when the file cannot be read: such a cache is then never used.
pub fn this_program() -> Option<[u8; 32]> {
    static DIGEST: std::sync::OnceLock<Option<[u8; 32]>> = std::sync::OnceLock::new();
    *DIGEST.get_or_init(|| {
        use sha2::Digest as _;
        let mut file = fs::File::open(std::env::current_exe().ok()?).ok()?;
        let mut hash = Sha256::new();
        io::copy(&mut file, &mut hash).ok()?;
        Some(hash.finalize().into())
    })
}

/// [`this_program`] in hexadecimal, which the caches that the program's own code decides write
/// in place of its version; empty when the program cannot be read.
pub fn program_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        this_program()
            .map(|d| d.iter().map(|b| format!("{b:02x}")).collect())
            .unwrap_or_default()
    })
}
