//! A cache of the expensive cryptographic checks of statements, kept between builds.
//!
//! One entry says: "the statement with these bytes, with the key file with these bytes,
//! against the signed file with these bytes, verifies / does not verify". Its [`Key`] is
//! made of the three git blob ids, so an entry can never be applied to other bytes, and
//! nothing has to be invalidated: a changed file simply has another key. Only the
//! signature checks are cached; what is cheap (placement, verb, known key) is checked on
//! every build.
//!
//! A cache can make a build faster, never change its result (SPEC §4, "Integrity"). The
//! layout is public and keys are hashes of public blob ids, so anyone can write a file that
//! says "verifies" about a forged statement. Hence two rules:
//!
//! - a file is believed only if this machine sealed it: its last 32 bytes are an
//!   HMAC-SHA256 under a 32-byte secret that never leaves the machine ([`KEY_FILE`] in
//!   [`crate::home::pnyx_home`], made on first use, mode 0600, outside any repository);
//! - [`SiteCache::open`] never reads a cache that git tracks, or one behind a symbolic link:
//!   what a pull request brings is content to check, never a verdict.
//!
//! File format (`<root>/.pnyx-cache/verify.bin`, git-ignored), all integers little-endian:
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `PNYXVC02` (the last two digits are the format's version) |
//! | 8 | entry count `n` |
//! | 17 × n | entries, strictly increasing by key: 16-byte key, 1-byte outcome (`V`, `C`, `F`) |
//! | 32 | HMAC-SHA256 of everything before it, keyed by the machine's secret |
//!
//! A missing, unreadable, truncated, corrupt, stale or foreign file (sealed with another
//! secret, or with none) gives an empty cache (see [`Cache::status`]): the build is then
//! slower, never different.
//!
//! [`Cache::save`] keeps only the entries that were looked up or inserted since the cache
//! was loaded, so statements deleted from the repository drop out of the file.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{PoisonError, RwLock};

use git2::Oid;
use sha2::{Digest as _, Sha256};

pub use crate::sealed::{note_once, Secret, CACHE_DIR, KEY_FILE, SEAL};

/// The cache file, from the site's root.
pub const CACHE_FILE: &str = ".pnyx-cache/verify.bin";

/// The first bytes of a cache file; change the digits when the format or the meaning of
/// an outcome changes, and old files are discarded.
const MAGIC: &[u8; 8] = b"PNYXVC02";
/// Magic and entry count.
const HEADER: usize = 16;
/// Key and outcome.
const ENTRY: usize = 17;
/// Set in a loaded entry's state once it is looked up or inserted: it is then saved.
const USED: u8 = 0x80;

/// What the expensive check found for one (statement, key, signed-file version) triple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The signature of the data verifies: the statement signs this version.
    Verified,
    /// The data signature fails but the signature of the trusted comment is genuine: the key
    /// said this, about another file (replayed).
    GenuineCommentOnly,
    /// Neither verifies.
    Fails,
}

impl Outcome {
    fn to_byte(self) -> u8 {
        match self {
            Outcome::Verified => b'V',
            Outcome::GenuineCommentOnly => b'C',
            Outcome::Fails => b'F',
        }
    }

    fn from_byte(b: u8) -> Option<Outcome> {
        match b {
            b'V' => Some(Outcome::Verified),
            b'C' => Some(Outcome::GenuineCommentOnly),
            b'F' => Some(Outcome::Fails),
            _ => None,
        }
    }
}

/// The content address of one check: the first 16 bytes of
/// SHA-256(statement blob id ‖ key file blob id ‖ signed file blob id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key([u8; 16]);

impl Key {
    /// The key of a check, from the git blob ids (see [`crate::load::history::blob_id`]) of the
    /// statement file, the key file and the signed file's version.
    ///
    /// `None` if any id is the zero id: `history::blob_id` returns it when git cannot hash
    /// the bytes, notably when its SHA-1 collision detection fires, so it does not name
    /// one content and such a check must not be cached.
    pub fn new(statement: Oid, key: Oid, target: Oid) -> Option<Key> {
        let mut h = Sha256::new();
        for id in [statement, key, target] {
            if id.is_zero() {
                return None;
            }
            h.update(id.as_bytes());
        }
        let digest = h.finalize();
        let mut k = [0; 16];
        k.copy_from_slice(&digest[..16]);
        Some(Key(k))
    }
}

impl Key {
    /// The key's first `bits` bits (at most 32), as a number.
    fn bucket(&self, bits: u32) -> usize {
        let top = u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]]);
        (u64::from(top) >> (32 - bits)) as usize
    }
}

/// What became of the file at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A new, empty cache (not loaded from a file).
    New,
    /// Loaded with this many entries.
    Loaded(usize),
    /// There was no file: the first build, or the cache was deleted.
    Missing,
    /// The file was there but not believed; why.
    Discarded(String),
    /// The file was not even read (tracked by git, a symbolic link, no secret to seal it);
    /// why. Nothing is saved either.
    Unused(String),
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::New => write!(f, "new verification cache"),
            Status::Loaded(n) => write!(f, "verification cache: {n} entries loaded"),
            Status::Missing => write!(f, "no verification cache yet: every statement is checked"),
            Status::Discarded(why) => write!(
                f,
                "verification cache discarded ({why}): every statement is checked"
            ),
            Status::Unused(why) => write!(
                f,
                "verification cache not used ({why}): every statement is checked"
            ),
        }
    }
}

/// Lookups and inserts since the cache was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups not answered: the check has to be done.
    pub misses: u64,
}

/// The cache. `Send + Sync`: [`Cache::get`] and [`Cache::insert`] take `&self` and can be
/// called from many threads at once.
#[derive(Debug)]
pub struct Cache {
    /// The keys loaded from the file, sorted.
    loaded: Vec<Key>,
    /// The state of each loaded entry: its outcome's byte, and [`USED`].
    states: Vec<AtomicU8>,
    /// Where the keys starting with each prefix of `bits` bits start in `loaded`, and a last
    /// item `loaded.len()`: a lookup then searches a few neighbouring entries, not the
    /// whole list (keys are uniformly spread, being hashes).
    index: Vec<u32>,
    /// How many leading bits of a key select its bucket in `index`.
    bits: u32,
    /// Entries inserted since the cache was loaded, for keys not loaded.
    fresh: RwLock<HashMap<Key, Outcome>>,
    hits: AtomicU64,
    misses: AtomicU64,
    status: Status,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache::with(Vec::new(), Status::New)
    }
}

impl Cache {
    fn with(loaded: Vec<(Key, Outcome)>, status: Status) -> Cache {
        // About one bucket per entry, at most 2^20 (4 MiB of index).
        let bits = (usize::BITS - loaded.len().leading_zeros()).min(20);
        let mut index = Vec::with_capacity((1 << bits) + 1);
        for (i, (k, _)) in loaded.iter().enumerate() {
            while index.len() <= k.bucket(bits) {
                index.push(i as u32);
            }
        }
        index.resize((1 << bits) + 1, loaded.len() as u32);
        Cache {
            states: loaded.iter().map(|(_, o)| AtomicU8::new(o.to_byte())).collect(),
            loaded: loaded.into_iter().map(|(k, _)| k).collect(),
            index,
            bits,
            fresh: RwLock::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            status,
        }
    }

    /// Loads the cache at `path`, if `secret` sealed it. Never fails: a file that is
    /// missing, unreadable, of another format or version, truncated, corrupt or sealed with
    /// another secret gives an empty cache, and [`Cache::status`] says why.
    pub fn load(path: &Path, secret: &Secret) -> Cache {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Cache::with(Vec::new(), Status::Missing),
            Err(e) => return Cache::with(Vec::new(), Status::Discarded(format!("unreadable: {e}"))),
        };
        match parse(&bytes, secret) {
            Ok(entries) => {
                let n = entries.len();
                Cache::with(entries, Status::Loaded(n))
            }
            Err(why) => Cache::with(Vec::new(), Status::Discarded(why)),
        }
    }

    /// What became of the file at load time, for a one-line note.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The state of `key` if it was loaded.
    fn loaded_state(&self, key: &Key) -> Option<&AtomicU8> {
        let b = key.bucket(self.bits);
        let (lo, hi) = (self.index[b] as usize, self.index[b + 1] as usize);
        let i = self.loaded[lo..hi].binary_search(key).ok()?;
        Some(&self.states[lo + i])
    }

    /// The outcome recorded for `key`, if any. Marks the entry as used, so it is saved.
    pub fn get(&self, key: &Key) -> Option<Outcome> {
        self.lookup(key, true)
    }

    /// [`Cache::get`], counting a miss only when `count_miss`.
    fn lookup(&self, key: &Key, count_miss: bool) -> Option<Outcome> {
        let found = match self.loaded_state(key) {
            Some(state) => {
                let mut s = state.load(Ordering::Relaxed);
                if s & USED == 0 {
                    s = state.fetch_or(USED, Ordering::Relaxed);
                }
                Outcome::from_byte(s & !USED)
            }
            None => self
                .fresh
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(key)
                .copied(),
        };
        match found {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None if count_miss => self.misses.fetch_add(1, Ordering::Relaxed),
            None => 0,
        };
        found
    }

    /// [`Cache::get`], counting only a hit: for a judgement from the cache alone, whose misses
    /// are looked up again when their checks are made.
    pub fn get_known(&self, key: &Key) -> Option<Outcome> {
        self.lookup(key, false)
    }

    /// Whether `key` has an outcome, without counting a lookup or marking the entry used:
    /// for the batch pass, which only looks for the checks left to do.
    pub fn knows(&self, key: &Key) -> bool {
        self.loaded_state(key).is_some()
            || self
                .fresh
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .contains_key(key)
    }

    /// Records the outcome of a check. It replaces any earlier entry for the same key.
    pub fn insert(&self, key: Key, outcome: Outcome) {
        if let Some(state) = self.loaded_state(&key) {
            state.store(outcome.to_byte() | USED, Ordering::Relaxed);
            return;
        }
        self.fresh
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, outcome);
    }

    /// Lookups and inserts since the cache was loaded.
    pub fn stats(&self) -> Stats {
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// The entries [`Cache::save`] would write: those looked up or inserted, sorted by key.
    fn kept(&self) -> Vec<(Key, Outcome)> {
        let mut fresh: Vec<(Key, Outcome)> = self
            .fresh
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, o)| (*k, *o))
            .collect();
        fresh.sort_unstable_by_key(|(k, _)| *k);
        let old = self.loaded.iter().zip(&self.states).filter_map(|(k, state)| {
            let s = state.load(Ordering::Relaxed);
            let o = Outcome::from_byte(s & !USED)?;
            (s & USED != 0).then_some((*k, o))
        });
        // Merge the two sorted lists, which have no key in common.
        let mut out = Vec::with_capacity(fresh.len() + self.loaded.len());
        let mut fresh = fresh.into_iter().peekable();
        for e in old {
            while let Some(f) = fresh.next_if(|f| f.0 < e.0) {
                out.push(f);
            }
            out.push(e);
        }
        out.extend(fresh);
        out
    }

    /// Writes the entries looked up or inserted since the cache was loaded to `path`,
    /// sealed with `secret`, creating its folder. Atomic: the file is written beside it
    /// under another name, then renamed over it, so a build stopped midway leaves the old
    /// file or the new one.
    pub fn save(&self, path: &Path, secret: &Secret) -> io::Result<()> {
        let entries = self.kept();
        let mut bytes = Vec::with_capacity(HEADER + ENTRY * entries.len() + SEAL);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for (k, o) in &entries {
            bytes.extend_from_slice(&k.0);
            bytes.push(o.to_byte());
        }
        crate::sealed::write_sealed(path, secret, bytes)
    }
}
/// A site's verification cache, opened the only way that may be trusted: see
/// [`SiteCache::open`]. Shared by the build (and the commands that verify like it) and by
/// `pnyx check`.
#[derive(Debug)]
pub struct SiteCache {
    /// The cache: empty when the file is missing, not believed or not read.
    pub cache: Cache,
    /// Where it is saved, and the secret that seals it; `None` when it must not be written.
    store: Option<(PathBuf, Secret)>,
    /// Why there is no cache at all, for the user: say each once.
    pub notes: Vec<String>,
}

impl SiteCache {
    /// Opens the cache of the site at `root`. Refuses to read it (and later to write it),
    /// with a note saying why and what to do, when `.pnyx-cache/` or anything under it is
    /// tracked by git (in the index or in HEAD), when it or its file is a symbolic link, and
    /// when this machine has no secret to check the seal with.
    pub fn open(root: &Path) -> SiteCache {
        let unused = |why: &str, note: String| SiteCache {
            cache: Cache::with(Vec::new(), Status::Unused(why.into())),
            store: None,
            notes: vec![note],
        };
        match crate::sealed::open(root, CACHE_FILE) {
            Ok(store) => SiteCache {
                cache: Cache::load(&store.path, &store.secret),
                store: Some((store.path, store.secret)),
                notes: Vec::new(),
            },
            Err((why, note)) => unused(why, note),
        }
    }

    /// Saves the cache for the next run, unless it may not be written. A failure only costs
    /// time on the next run: the note to print.
    pub fn save(&self) -> Result<(), String> {
        let Some((path, secret)) = &self.store else {
            return Ok(());
        };
        self.cache.save(path, secret).map_err(|e| {
            format!(
                "cannot save the verification cache {}: {e} (the next run checks every statement again)",
                path.display()
            )
        })
    }
}

/// The entries of a cache file sealed with `secret`, or why it is not one.
fn parse(bytes: &[u8], secret: &Secret) -> Result<Vec<(Key, Outcome)>, String> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a pnyx verification cache of this version".into());
    }
    if bytes.len() < HEADER + SEAL {
        return Err("truncated".into());
    }
    let count = u64::from_le_bytes(bytes[8..HEADER].try_into().expect("8 bytes"));
    let expected = usize::try_from(count)
        .ok()
        .and_then(|n| n.checked_mul(ENTRY))
        .and_then(|n| n.checked_add(HEADER + SEAL));
    match expected {
        Some(_) if count > u64::from(u32::MAX) => return Err("too many entries".into()),
        Some(len) if len == bytes.len() => {}
        Some(len) if len > bytes.len() => return Err("truncated".into()),
        _ => return Err(format!("{count} entries announced, size does not match")),
    }
    let (body, seal) = bytes.split_at(bytes.len() - SEAL);
    if !secret.verifies(body, seal) {
        return Err("not sealed by this machine's key".into());
    }
    let mut entries: Vec<(Key, Outcome)> = Vec::with_capacity(body.len() / ENTRY);
    for chunk in body[HEADER..].chunks_exact(ENTRY) {
        let key = Key(chunk[..16].try_into().expect("16 bytes"));
        let outcome = Outcome::from_byte(chunk[16]).ok_or("unknown outcome")?;
        if entries.last().is_some_and(|(last, _)| *last >= key) {
            return Err("entries out of order".into());
        }
        entries.push((key, outcome));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key made from a number, as if from three blob ids.
    fn key(i: u64) -> Key {
        let id = |tag: u8| {
            let mut b = [tag; 20];
            b[..8].copy_from_slice(&i.to_le_bytes());
            Oid::from_bytes(&b).unwrap()
        };
        Key::new(id(1), id(2), id(3)).unwrap()
    }

    fn outcome(i: u64) -> Outcome {
        [Outcome::Verified, Outcome::GenuineCommentOnly, Outcome::Fails][(i % 3) as usize]
    }

    /// This machine's secret, in the tests.
    fn secret() -> Secret {
        Secret::from_bytes([7; 32])
    }

    fn load(path: &Path) -> Cache {
        Cache::load(path, &secret())
    }

    /// `bytes` with its last 32 bytes replaced by `seal` of what comes before.
    fn resealed(mut bytes: Vec<u8>, seal: impl Fn(&[u8]) -> [u8; 32]) -> Vec<u8> {
        let n = bytes.len() - SEAL;
        let s = seal(&bytes[..n]);
        bytes[n..].copy_from_slice(&s);
        bytes
    }

    /// A saved cache with entries `0..n`; returns its folder and path.
    fn saved(n: u64) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".pnyx-cache/verify.bin");
        let c = Cache::default();
        for i in 0..n {
            c.insert(key(i), outcome(i));
        }
        c.save(&path, &secret()).unwrap();
        (dir, path)
    }

    fn discarded(c: &Cache) -> bool {
        matches!(c.status(), Status::Discarded(_)) && c.loaded.is_empty()
    }

    #[test]
    fn keys_depend_on_each_id_and_its_place() {
        let a = Oid::from_bytes(&[1; 20]).unwrap();
        let b = Oid::from_bytes(&[2; 20]).unwrap();
        let c = Oid::from_bytes(&[3; 20]).unwrap();
        assert_eq!(Key::new(a, b, c), Key::new(a, b, c));
        assert_ne!(Key::new(a, b, c), Key::new(b, a, c));
        assert_ne!(Key::new(a, b, c), Key::new(a, c, b));
        assert_eq!(
            Key::new(a, b, Oid::ZERO_SHA1),
            None,
            "a failed hash is not cached"
        );
        let blob = crate::load::history::blob_id(b"x");
        assert!(Key::new(blob, blob, blob).is_some());
    }

    #[test]
    fn round_trip() {
        let (_dir, path) = saved(100);
        let c = load(&path);
        assert_eq!(c.status(), &Status::Loaded(100));
        for i in 0..100 {
            assert_eq!(c.get(&key(i)), Some(outcome(i)));
        }
        assert_eq!(c.get(&key(100)), None);
        assert_eq!(c.stats(), Stats { hits: 100, misses: 1 });
        // Saving again over it gives the same bytes: every entry was used.
        let before = fs::read(&path).unwrap();
        c.save(&path, &secret()).unwrap();
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(before.len(), HEADER + 100 * ENTRY + SEAL);
        // No temporary file left beside it.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn an_empty_cache_round_trips() {
        let (_dir, path) = saved(0);
        assert_eq!(load(&path).status(), &Status::Loaded(0));
    }

    #[test]
    fn any_corrupt_byte_empties_the_cache() {
        let (_dir, path) = saved(5);
        let good = fs::read(&path).unwrap();
        for i in 0..good.len() {
            for flip in [0x01, 0x80] {
                let mut bad = good.clone();
                bad[i] ^= flip;
                fs::write(&path, &bad).unwrap();
                let c = load(&path);
                assert!(discarded(&c), "byte {i} ^ {flip:#x}: {:?}", c.status());
                assert_eq!(c.get(&key(0)), None);
            }
        }
    }

    #[test]
    fn a_truncated_file_empties_the_cache() {
        let (_dir, path) = saved(5);
        let good = fs::read(&path).unwrap();
        for len in 0..good.len() {
            fs::write(&path, &good[..len]).unwrap();
            assert!(discarded(&load(&path)), "cut at {len}");
        }
        let mut longer = good.clone();
        longer.push(0);
        fs::write(&path, &longer).unwrap();
        assert!(discarded(&load(&path)), "a byte too many");
    }

    #[test]
    fn another_magic_or_version_empties_the_cache() {
        let (_dir, path) = saved(5);
        let mut bytes = fs::read(&path).unwrap();
        bytes[..8].copy_from_slice(b"PNYXVC01");
        // Even sealed by this machine, another version is not read.
        let bytes = resealed(bytes, |b| secret().seal(b));
        fs::write(&path, &bytes).unwrap();
        let c = load(&path);
        assert!(discarded(&c));
        assert!(c.status().to_string().contains("version"), "{}", c.status());
    }

    #[test]
    fn a_file_sealed_with_another_secret_is_discarded() {
        let (_dir, path) = saved(5);
        let other = Secret::from_bytes([8; 32]);
        let c = Cache::load(&path, &other);
        assert!(discarded(&c), "{:?}", c.status());
        assert_eq!(
            c.status().to_string(),
            "verification cache discarded (not sealed by this machine's key): every statement is checked"
        );
        assert_eq!(c.get(&key(0)), None);
        // Nor is a file sealed under a guessed key (all zeros, the tests' own, empty).
        for guess in [Secret::from_bytes([0; 32]), Secret::from_bytes([7; 32])] {
            let bytes = resealed(fs::read(&path).unwrap(), |b| guess.seal(b));
            fs::write(&path, &bytes).unwrap();
            assert!(discarded(&Cache::load(&path, &other)));
        }
        let bytes = resealed(fs::read(&path).unwrap(), |b| {
            let mut m = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(b"").unwrap();
            hmac::Mac::update(&mut m, b);
            hmac::Mac::finalize(m).into_bytes().into()
        });
        fs::write(&path, &bytes).unwrap();
        assert!(discarded(&load(&path)));
    }

    #[test]
    fn a_file_crafted_with_the_old_plain_sha256_checksum_is_discarded() {
        // What anyone can write from the public layout: "every statement verifies", with a
        // correct SHA-256 of the rest, under the old magic and under the current one.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("verify.bin");
        for magic in [b"PNYXVC01", MAGIC] {
            let mut bytes = Vec::new();
            bytes.extend_from_slice(magic);
            bytes.extend_from_slice(&3u64.to_le_bytes());
            let mut keys: Vec<Key> = (0..3).map(key).collect();
            keys.sort();
            for k in &keys {
                bytes.extend_from_slice(&k.0);
                bytes.push(b'V');
            }
            let sum = Sha256::digest(&bytes);
            bytes.extend_from_slice(&sum);
            fs::write(&path, &bytes).unwrap();
            let c = load(&path);
            assert!(discarded(&c), "{:?}", c.status());
            for k in &keys {
                assert_eq!(c.get(k), None);
            }
        }
    }

    #[test]
    fn entries_out_of_order_or_unknown_are_refused_despite_a_good_seal() {
        let (_dir, path) = saved(3);
        let good = fs::read(&path).unwrap();
        let reseal = |b: Vec<u8>| resealed(b, |b| secret().seal(b));
        let mut swapped = good.clone();
        let (a, b) = (HEADER, HEADER + ENTRY);
        let first: Vec<u8> = swapped[a..b].to_vec();
        swapped.copy_within(b..b + ENTRY, a);
        swapped[b..b + ENTRY].copy_from_slice(&first);
        fs::write(&path, reseal(swapped)).unwrap();
        assert!(discarded(&load(&path)));
        let mut unknown = good.clone();
        unknown[HEADER + 16] = b'?';
        fs::write(&path, reseal(unknown)).unwrap();
        assert!(discarded(&load(&path)));
    }

    #[test]
    fn a_missing_file_gives_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let c = load(&dir.path().join("nothing/verify.bin"));
        assert_eq!(c.status(), &Status::Missing);
        assert_eq!(c.get(&key(1)), None);
        // A folder where the file should be: unreadable.
        let c = load(dir.path());
        assert!(discarded(&c), "{:?}", c.status());
    }

    #[test]
    fn only_used_entries_survive_a_save() {
        let (_dir, path) = saved(10);
        let c = load(&path);
        assert_eq!(c.get(&key(3)), Some(outcome(3)));
        assert_eq!(c.get(&key(7)), Some(outcome(7)));
        assert_eq!(c.get(&key(50)), None);
        c.insert(key(50), Outcome::Fails);
        assert_eq!(
            c.get(&key(50)),
            Some(Outcome::Fails),
            "inserted entries are found"
        );
        // An insert over a loaded entry replaces it, and keeps it even if not looked up.
        c.insert(key(7), Outcome::Fails);
        c.insert(key(8), Outcome::Verified);
        assert_eq!(c.get(&key(7)), Some(Outcome::Fails));
        c.save(&path, &secret()).unwrap();
        let c = load(&path);
        assert_eq!(c.status(), &Status::Loaded(4));
        assert_eq!(c.get(&key(3)), Some(outcome(3)));
        assert_eq!(c.get(&key(7)), Some(Outcome::Fails));
        assert_eq!(c.get(&key(8)), Some(Outcome::Verified));
        assert_eq!(c.get(&key(50)), Some(Outcome::Fails));
        assert_eq!(c.get(&key(0)), None, "not looked up, dropped");
    }

    #[test]
    fn concurrent_lookups_and_inserts_all_land() {
        let (_dir, path) = saved(1_000);
        let c = load(&path);
        std::thread::scope(|s| {
            for t in 0..8u64 {
                let c = &c;
                s.spawn(move || {
                    for i in 0..1_000 {
                        let k = key(t * 10_000 + 1_000 + i);
                        if c.get(&k).is_none() {
                            c.insert(k, outcome(i));
                        }
                        assert_eq!(c.get(&key(i)), Some(outcome(i)));
                    }
                });
            }
        });
        assert_eq!(
            c.stats(),
            Stats {
                hits: 8_000,
                misses: 8_000
            }
        );
        c.save(&path, &secret()).unwrap();
        let c = load(&path);
        assert_eq!(c.status(), &Status::Loaded(9_000));
        for t in 0..8u64 {
            for i in 0..1_000 {
                assert_eq!(c.get(&key(t * 10_000 + 1_000 + i)), Some(outcome(i)));
            }
        }
    }

    #[test]
    fn the_cache_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Cache>();
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;

    fn refusal(root: &Path) -> Option<(&'static str, String)> {
        crate::sealed::refusal(root, CACHE_FILE)
    }

    #[test]
    fn the_secret_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("home/pnyx").join(KEY_FILE);
        let a = Secret::load_or_create(&path).unwrap();
        let b = Secret::load_or_create(&path).unwrap();
        assert_eq!(a.expose(), b.expose());
        assert_ne!(a.expose(), [0; 32]);
        assert_eq!(fs::read(&path).unwrap(), a.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = fs::metadata(path.parent().unwrap()).unwrap().permissions().mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
        // Nothing left beside it.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
        assert_eq!(format!("{a:?}"), "Secret(…)", "never printed");
    }

    #[test]
    fn processes_that_make_the_secret_at_once_agree() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let secrets: Vec<[u8; 32]> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| Secret::load_or_create(&path).unwrap().expose()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(secrets.iter().all(|s| *s == secrets[0]));
        assert_eq!(fs::read(&path).unwrap(), secrets[0]);
    }

    #[test]
    fn a_damaged_secret_is_an_error_not_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        for bad in [&b""[..], &[1; 31][..], &[1; 33][..]] {
            fs::write(&path, bad).unwrap();
            let e = Secret::load_or_create(&path).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
            assert_eq!(fs::read(&path).unwrap(), bad, "left as it was");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_home_gives_no_secret() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
        let made = Secret::load_or_create(&dir.path().join(KEY_FILE));
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        // As root, permissions do not stop the write: nothing to test then.
        if made.is_ok() {
            return;
        }
        assert!(made.is_err());
    }

    /// A git repository with a site at `prefix` (`""`: the top) and the files `tracked`
    /// (paths from the repository's root) in its index.
    fn repo_with(prefix: &str, tracked: &[&str]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let root = dir.path().join(prefix);
        fs::create_dir_all(&root).unwrap();
        let mut index = repo.index().unwrap();
        for rel in tracked {
            let p = dir.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, "x").unwrap();
            index.add_path(Path::new(rel)).unwrap();
        }
        index.write().unwrap();
        (dir, root)
    }

    /// `rel` in the site at `prefix`, from the repository's root.
    fn at(prefix: &str, rel: &str) -> String {
        if prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{prefix}/{rel}")
        }
    }

    fn commit(dir: &Path) {
        let repo = git2::Repository::open(dir).unwrap();
        let mut index = repo.index().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("T", "t@example.org").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "c", &tree, &[]).unwrap();
    }

    #[test]
    fn a_cache_tracked_by_git_is_never_read() {
        for prefix in ["", "site"] {
            let yaml = at(prefix, "pnyx.yaml");
            // Untracked: used.
            let (_dir, root) = repo_with(prefix, &[&yaml]);
            fs::create_dir_all(root.join(CACHE_DIR)).unwrap();
            fs::write(root.join(CACHE_FILE), "x").unwrap();
            assert_eq!(refusal(&root), None, "{prefix}");

            // In the index, in HEAD, or only in HEAD (removed from the index since).
            let cache = at(prefix, CACHE_FILE);
            let (dir, root) = repo_with(prefix, &[&yaml, &cache]);
            let (why, note) = refusal(&root).expect("tracked in the index");
            assert_eq!(why, "tracked by git");
            assert!(note.contains("git rm -r --cached .pnyx-cache"), "{note}");
            assert!(note.contains(&format!("`{cache}` is tracked by git")), "{note}");
            commit(dir.path());
            assert!(refusal(&root).is_some(), "tracked in HEAD");
            let repo = git2::Repository::open(dir.path()).unwrap();
            let mut index = repo.index().unwrap();
            index.remove_path(Path::new(&cache)).unwrap();
            index.write().unwrap();
            assert!(refusal(&root).is_some(), "still in HEAD's tree");

            // Another case, as a case-insensitive file system would check it out.
            let (_dir, root) = repo_with(prefix, &[&yaml, &at(prefix, ".PNYX-Cache/verify.bin")]);
            assert!(refusal(&root).is_some(), "{prefix}: another case");
            // A similar name is not the cache.
            let (_dir, root) = repo_with(prefix, &[&yaml, &at(prefix, ".pnyx-cache-notes")]);
            assert_eq!(refusal(&root), None);
        }
        // A site beside a tracked cache of another site is not concerned.
        let (dir, root) = repo_with("a", &["a/pnyx.yaml", "b/.pnyx-cache/verify.bin"]);
        assert_eq!(refusal(&root), None);
        commit(dir.path());
        assert_eq!(refusal(&root), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_behind_a_symbolic_link_is_neither_read_nor_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join(CACHE_DIR)).unwrap();
        let (why, note) = refusal(&root).unwrap();
        assert_eq!(why, "a symbolic link");
        assert!(note.contains(".pnyx-cache is a symbolic link"), "{note}");
        let opened = SiteCache::open(&root);
        assert!(matches!(opened.cache.status(), Status::Unused(_)));
        assert_eq!(opened.save(), Ok(()));
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written");

        fs::remove_file(root.join(CACHE_DIR)).unwrap();
        fs::create_dir_all(root.join(CACHE_DIR)).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("x"), root.join(CACHE_FILE)).unwrap();
        assert!(refusal(&root)
            .unwrap()
            .1
            .contains("verify.bin is a symbolic link"));
    }
}
