//! A cache of the expensive cryptographic checks of statements, kept between builds.
//!
//! One entry says: "the statement with these bytes, with the key file with these bytes,
//! against the signed file with these bytes, verifies / does not verify". Its [`Key`] is
//! made of the three git blob ids, so an entry can never be applied to other bytes, and
//! nothing has to be invalidated: a changed file simply has another key. Only the
//! signature checks are cached; what is cheap (placement, verb, known key) is checked on
//! every build.
//!
//! File format (`<root>/.pnyx-cache/verify.bin`, git-ignored), all integers little-endian:
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `PNYXVC01` (the last two digits are the format's version) |
//! | 8 | entry count `n` |
//! | 17 × n | entries, strictly increasing by key: 16-byte key, 1-byte outcome (`V`, `C`, `F`) |
//! | 32 | SHA-256 of everything before it |
//!
//! A missing, unreadable, truncated, corrupt or foreign file gives an empty cache (see
//! [`Cache::status`]): the build is then slower, never wrong. The checksum catches
//! accidents, not malice: whoever can write the cache file can already change the build.
//!
//! [`Cache::save`] keeps only the entries that were looked up or inserted since the cache
//! was loaded, so statements deleted from the repository drop out of the file.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{PoisonError, RwLock};

use git2::Oid;
use sha2::{Digest as _, Sha256};

/// The first bytes of a cache file; change the digits when the format or the meaning of
/// an outcome changes, and old files are discarded.
const MAGIC: &[u8; 8] = b"PNYXVC01";
/// Magic and entry count.
const HEADER: usize = 16;
/// Key and outcome.
const ENTRY: usize = 17;
/// The trailing SHA-256.
const CHECKSUM: usize = 32;
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
    /// The key of a check, from the git blob ids (see [`crate::history::blob_id`]) of the
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
    /// The file was there but not used; why.
    Discarded(String),
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

    /// Loads the cache at `path`. Never fails: a file that is missing, unreadable, of
    /// another format or version, truncated or corrupt gives an empty cache, and
    /// [`Cache::status`] says why.
    pub fn load(path: &Path) -> Cache {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Cache::with(Vec::new(), Status::Missing),
            Err(e) => return Cache::with(Vec::new(), Status::Discarded(format!("unreadable: {e}"))),
        };
        match parse(&bytes) {
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
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
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
    /// creating its folder. Atomic: the file is written beside it under another name, then
    /// renamed over it, so a build stopped midway leaves the old file or the new one.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let entries = self.kept();
        let mut bytes = Vec::with_capacity(HEADER + ENTRY * entries.len() + CHECKSUM);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for (k, o) in &entries {
            bytes.extend_from_slice(&k.0);
            bytes.push(o.to_byte());
        }
        let sum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&sum);

        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let written = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }
}

/// The entries of a cache file, or why it is not one.
fn parse(bytes: &[u8]) -> Result<Vec<(Key, Outcome)>, String> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a pnyx verification cache of this version".into());
    }
    if bytes.len() < HEADER + CHECKSUM {
        return Err("truncated".into());
    }
    let count = u64::from_le_bytes(bytes[8..HEADER].try_into().expect("8 bytes"));
    let expected = usize::try_from(count)
        .ok()
        .and_then(|n| n.checked_mul(ENTRY))
        .and_then(|n| n.checked_add(HEADER + CHECKSUM));
    match expected {
        Some(_) if count > u64::from(u32::MAX) => return Err("too many entries".into()),
        Some(len) if len == bytes.len() => {}
        Some(len) if len > bytes.len() => return Err("truncated".into()),
        _ => return Err(format!("{count} entries announced, size does not match")),
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM);
    if Sha256::digest(body).as_slice() != sum {
        return Err("checksum mismatch".into());
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

    /// A saved cache with entries `0..n`; returns its folder and path.
    fn saved(n: u64) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".pnyx-cache/verify.bin");
        let c = Cache::default();
        for i in 0..n {
            c.insert(key(i), outcome(i));
        }
        c.save(&path).unwrap();
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
        let blob = crate::history::blob_id(b"x");
        assert!(Key::new(blob, blob, blob).is_some());
    }

    #[test]
    fn round_trip() {
        let (_dir, path) = saved(100);
        let c = Cache::load(&path);
        assert_eq!(c.status(), &Status::Loaded(100));
        for i in 0..100 {
            assert_eq!(c.get(&key(i)), Some(outcome(i)));
        }
        assert_eq!(c.get(&key(100)), None);
        assert_eq!(c.stats(), Stats { hits: 100, misses: 1 });
        // Saving again over it gives the same bytes: every entry was used.
        let before = fs::read(&path).unwrap();
        c.save(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(before.len(), HEADER + 100 * ENTRY + CHECKSUM);
        // No temporary file left beside it.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn an_empty_cache_round_trips() {
        let (_dir, path) = saved(0);
        assert_eq!(Cache::load(&path).status(), &Status::Loaded(0));
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
                let c = Cache::load(&path);
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
            assert!(discarded(&Cache::load(&path)), "cut at {len}");
        }
        let mut longer = good.clone();
        longer.push(0);
        fs::write(&path, &longer).unwrap();
        assert!(discarded(&Cache::load(&path)), "a byte too many");
    }

    #[test]
    fn another_magic_or_version_empties_the_cache() {
        let (_dir, path) = saved(5);
        let mut bytes = fs::read(&path).unwrap();
        bytes[..8].copy_from_slice(b"PNYXVC02");
        // Even with a checksum that matches, another version is not read.
        let n = bytes.len() - CHECKSUM;
        let sum = Sha256::digest(&bytes[..n]);
        bytes[n..].copy_from_slice(&sum);
        fs::write(&path, &bytes).unwrap();
        let c = Cache::load(&path);
        assert!(discarded(&c));
        assert!(c.status().to_string().contains("version"), "{}", c.status());
    }

    #[test]
    fn entries_out_of_order_or_unknown_are_refused_despite_a_good_checksum() {
        let (_dir, path) = saved(3);
        let good = fs::read(&path).unwrap();
        let reseal = |mut b: Vec<u8>| {
            let n = b.len() - CHECKSUM;
            let sum = Sha256::digest(&b[..n]);
            b[n..].copy_from_slice(&sum);
            b
        };
        let mut swapped = good.clone();
        let (a, b) = (HEADER, HEADER + ENTRY);
        let first: Vec<u8> = swapped[a..b].to_vec();
        swapped.copy_within(b..b + ENTRY, a);
        swapped[b..b + ENTRY].copy_from_slice(&first);
        fs::write(&path, reseal(swapped)).unwrap();
        assert!(discarded(&Cache::load(&path)));
        let mut unknown = good.clone();
        unknown[HEADER + 16] = b'?';
        fs::write(&path, reseal(unknown)).unwrap();
        assert!(discarded(&Cache::load(&path)));
    }

    #[test]
    fn a_missing_file_gives_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::load(&dir.path().join("nothing/verify.bin"));
        assert_eq!(c.status(), &Status::Missing);
        assert_eq!(c.get(&key(1)), None);
        // A folder where the file should be: unreadable.
        let c = Cache::load(dir.path());
        assert!(discarded(&c), "{:?}", c.status());
    }

    #[test]
    fn only_used_entries_survive_a_save() {
        let (_dir, path) = saved(10);
        let c = Cache::load(&path);
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
        c.save(&path).unwrap();
        let c = Cache::load(&path);
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
        let c = Cache::load(&path);
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
        c.save(&path).unwrap();
        let c = Cache::load(&path);
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
