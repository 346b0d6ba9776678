//! Size limits on what a contribution can bring: files, titles, summaries, lists, and YAML
//! alias expansion.
//!
//! A repository takes everyone's pull requests, and every page repeats some of an item's
//! front matter (its title on every list, its collection points on its page): without limits a
//! 16 MB title gives gigabytes of output. The defaults are generous for a council; a council
//! that needs more raises them in `pnyx.yaml` under `limits:`.

use std::cell::Cell;
use std::fmt;
use std::io::Read as _;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::Diagnostic;

/// A size in bytes, written in `pnyx.yaml` as a number of bytes or with a unit: `2 MB`,
/// `512 KiB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bytes(pub u64);

impl Bytes {
    /// `n` mebibytes.
    pub const fn mib(n: u64) -> Bytes {
        Bytes(n * 1024 * 1024)
    }

    /// Reads `2 MB`, `512 KiB`, `1048576` (bytes).
    pub fn parse(s: &str) -> Option<Bytes> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        let n: u64 = digits.parse().ok()?;
        let factor: u64 = match unit.trim() {
            "" | "B" => 1,
            "KB" | "kB" => 1000,
            "KiB" => 1024,
            "MB" => 1000 * 1000,
            "MiB" => 1024 * 1024,
            "GB" => 1000 * 1000 * 1000,
            "GiB" => 1024 * 1024 * 1024,
            _ => return None,
        };
        n.checked_mul(factor).map(Bytes)
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MIB: u64 = 1024 * 1024;
        const KIB: u64 = 1024;
        match self.0 {
            n if n >= MIB && n % MIB == 0 => write!(f, "{} MiB", n / MIB),
            n if n >= MIB => write!(f, "{:.1} MiB", n as f64 / MIB as f64),
            n if n >= KIB && n % KIB == 0 => write!(f, "{} KiB", n / KIB),
            n if n >= KIB => write!(f, "{:.1} KiB", n as f64 / KIB as f64),
            n => write!(f, "{n} bytes"),
        }
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Number(u64),
            Text(String),
        }
        match Written::deserialize(d)? {
            Written::Number(n) => Ok(Bytes(n)),
            Written::Text(s) => Bytes::parse(&s).ok_or_else(|| {
                de::Error::custom(format!(
                    "`{s}` is not a size: write a number of bytes, or a number and a unit (KB, MB, GB, KiB, MiB, GiB)"
                ))
            }),
        }
    }
}

/// `limits:` in `pnyx.yaml`. Every field has a default; a council sets only what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The largest content file, `roles.yaml`, key, statement or paper batch.
    pub file_size: Bytes,
    /// The largest sortition pool list (a city's list of residents is large).
    pub pool_list_size: Bytes,
    /// The longest title, in characters (the site's and every item's).
    pub title_length: usize,
    /// The longest summary or site description, in characters.
    pub summary_length: usize,
    /// The most entries in any list of a front matter (options, collection points, projects…).
    pub list_length: usize,
    /// Files a pull request adds above this size get a warning from the gate.
    pub large_file_warning: Bytes,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_size: Bytes::mib(1),
            pool_list_size: Bytes::mib(16),
            title_length: 200,
            summary_length: 1000,
            list_length: 1000,
            large_file_warning: Bytes::mib(10),
        }
    }
}

/// The hint every limit error ends with.
const RAISE: &str =
    "a council that needs more can raise it in pnyx.yaml, under `limits:` (see docs/limits.md)";

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Larger than the limit: nothing past the limit was read.
    TooLarge(Bytes),
    /// The system's error.
    Io(std::io::Error),
}

impl ReadError {
    /// The diagnostic for `rel`, a file whose limit is `limit`, named by `key` under `limits:`.
    pub fn diagnostic(&self, rel: &Path, limit: Bytes, key: &str) -> Diagnostic {
        match self {
            ReadError::TooLarge(_) => too_large(rel, limit, key),
            ReadError::Io(e) => Diagnostic::new(rel, 1, 1, format!("cannot read: {e}")),
        }
    }
}

/// The error for a file above its limit.
pub fn too_large(rel: &Path, limit: Bytes, key: &str) -> Diagnostic {
    Diagnostic::new(
        rel,
        1,
        1,
        format!("the file is larger than the limit of {limit} (`limits.{key}`)"),
    )
    .hint(format!(
        "split it, or move large attachments out of the repository and link to them; {RAISE}"
    ))
}

/// Reads a whole regular file, or fails without reading more than `limit` bytes of it: a file
/// that grows while it is read is still cut at the limit.
pub fn read_bounded(path: &Path, limit: Bytes) -> Result<Vec<u8>, ReadError> {
    read_bounded_with_metadata(path, limit).map(|(bytes, _)| bytes)
}

/// [`read_bounded`], with the metadata of the file read (taken when it was opened).
pub fn read_bounded_with_metadata(
    path: &Path,
    limit: Bytes,
) -> Result<(Vec<u8>, std::fs::Metadata), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // pnyx reads no link: one put in place of a file after the walk saw it is not followed.
    // Nor does it wait on a pipe put there.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    // Room for the whole file as it is now, and one byte to see it grew: no growing of the
    // buffer for a file that keeps its size (at most 64 MiB ahead: a length is only what the
    // file says).
    let room = meta.len().min(limit.0).min(64 << 20).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(room).unwrap_or(0));
    file.take(limit.0.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit.0 {
        return Err(ReadError::TooLarge(limit));
    }
    Ok((bytes, meta))
}

/// Which file was read and how it stood then: its device and inode, its length, and its
/// modification and change times to the nanosecond. Writing to a file, truncating it, changing
/// its mode or linking it changes its change time, which no one can set back: a file that still
/// stands so holds the bytes that were read, unless it changed in the very instant it was read
/// (see [`FileIdentity::of_read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileIdentity {
    dev: u64,
    ino: u64,
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl FileIdentity {
    /// How the file whose metadata (not following links) are `meta` stands; `None` where the
    /// system does not tell it all.
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<FileIdentity> {
        use std::os::unix::fs::MetadataExt as _;
        Some(FileIdentity {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
        })
    }

    /// Elsewhere a file is never known by its metadata alone.
    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<FileIdentity> {
        None
    }

    /// [`FileIdentity::of`] a file just read, with `meta` taken as it was opened, when it can
    /// vouch for the bytes read: not when the file changed less than a second before. A
    /// system's clock for file times moves in ticks, and a change in the same tick as the
    /// last one would leave the same times (git's "racy" files); such a file is compared again.
    pub fn of_read(meta: &std::fs::Metadata) -> Option<FileIdentity> {
        let identity = FileIdentity::of(meta)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let (seconds, nanos) = identity.changed;
        let changed = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        (changed + 1_000_000_000 < now.as_nanos() as i128).then_some(identity)
    }
}

/// Checks a front matter against the limits before it is read into the model: the title and
/// summary lengths, every list's length, and the size of the whole once YAML aliases are
/// expanded, which may not pass the file size limit (without aliases it never does).
///
/// The walk keeps no value, so that an alias bomb costs only the time to count it.
/// `line_offset` is the number of file lines before the YAML.
pub fn check_front_matter(
    path: &Path,
    yaml: &str,
    line_offset: usize,
    limits: &Limits,
) -> Result<(), Diagnostic> {
    if yaml.trim().is_empty() {
        return Ok(());
    }
    let walk = Walk {
        limits,
        spent: Cell::new(0),
        hint: Cell::new(None),
        key: Cell::new(KeyName::Other),
    };
    let result = Node {
        walk: &walk,
        field: Field::Top,
    }
    .deserialize(serde_yaml::Deserializer::from_str(yaml));
    match result {
        Ok(()) => Ok(()),
        Err(e) => match walk.hint.take() {
            // One of ours: place it where serde_yaml says, with our hint.
            Some(hint) => {
                let mut d =
                    crate::content::front_matter::yaml_diagnostic_in(path, line_offset, &e, Some(yaml));
                d.hint = Some(hint);
                Err(d)
            }
            // A YAML error: the typed parse that follows reports it, with its own hint.
            None => Ok(()),
        },
    }
}

/// What the walk has counted so far.
struct Walk<'a> {
    limits: &'a Limits,
    /// Bytes of the front matter as expanded: every scalar's length, and one per node.
    spent: Cell<u64>,
    /// Set when a limit stops the walk.
    hint: Cell<Option<String>>,
    /// The last map key read, for the value that follows it.
    key: Cell<KeyName>,
}

impl Walk<'_> {
    fn spend<E: de::Error>(&self, n: usize) -> Result<(), E> {
        let spent = self.spent.get().saturating_add(n as u64 + 1);
        self.spent.set(spent);
        if spent > self.limits.file_size.0 {
            return Err(self.fail(
                format!(
                    "once its aliases (`*name`) are expanded, the front matter is larger than the limit of {} (`limits.file_size`)",
                    self.limits.file_size
                ),
                format!("write the values out instead of repeating an anchor; {RAISE}"),
            ));
        }
        Ok(())
    }

    fn fail<E: de::Error>(&self, message: String, hint: String) -> E {
        self.hint.set(Some(hint));
        E::custom(message)
    }
}

/// Where a node sits, for the limits that depend on it.
#[derive(Clone, Copy)]
enum Field {
    /// The front matter itself.
    Top,
    /// The value of a top-level key that has a length limit.
    Title,
    Summary,
    /// A map key: its name is kept in [`Walk::key`].
    Key,
    /// Anything else.
    Other,
}

struct Node<'w, 'a> {
    walk: &'w Walk<'a>,
    field: Field,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Node<'_, '_> {
    fn text<E: de::Error>(&self, s: &str) -> Result<(), E> {
        self.walk.spend(s.len())?;
        if let Field::Key = self.field {
            self.walk.key.set(match s {
                "title" => KeyName::Title,
                "summary" | "description" => KeyName::Summary,
                _ => KeyName::Other,
            });
            return Ok(());
        }
        // serde_yaml puts the key in front of the message: `title: 250 characters, …`.
        let (limit, key) = match self.field {
            Field::Title => (self.walk.limits.title_length, "title_length"),
            Field::Summary => (self.walk.limits.summary_length, "summary_length"),
            _ => return Ok(()),
        };
        let length = s.chars().count();
        if length > limit {
            return Err(self.walk.fail(
                format!("{length} characters, more than the limit of {limit} (`limits.{key}`)"),
                format!("shorten it, and say the rest in the text below the front matter; {RAISE}"),
            ));
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.walk.spend(1)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.walk.spend(8)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.walk.spend(8)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.walk.spend(8)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.text(s)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.walk.spend(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.walk.spend(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag value`): count the value under the tag.
        use de::VariantAccess as _;
        let walk = self.walk;
        let ((), variant) = data.variant_seed(Node {
            walk,
            field: Field::Other,
        })?;
        variant.newtype_variant_seed(Node {
            walk,
            field: Field::Other,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.walk.spend(0)?;
        let limit = self.walk.limits.list_length;
        let mut n = 0usize;
        while seq
            .next_element_seed(Node {
                walk: self.walk,
                field: Field::Other,
            })?
            .is_some()
        {
            n += 1;
            if n > limit {
                return Err(self.walk.fail(
                    format!("this list has more than {limit} entries (`limits.list_length`)"),
                    format!("keep the list short, or put the long part in the text; {RAISE}"),
                ));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.walk.spend(0)?;
        let top = matches!(self.field, Field::Top);
        while map
            .next_key_seed(Node {
                walk: self.walk,
                field: Field::Key,
            })?
            .is_some()
        {
            let field = match self.walk.key.replace(KeyName::Other) {
                KeyName::Title if top => Field::Title,
                KeyName::Summary if top => Field::Summary,
                _ => Field::Other,
            };
            map.next_value_seed(Node {
                walk: self.walk,
                field,
            })?;
        }
        Ok(())
    }
}

/// The keys whose value has a length limit.
#[derive(Clone, Copy)]
enum KeyName {
    Title,
    Summary,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's times vouch for bytes read from it only when it last changed more than a
    /// second before: a change in the same tick of the file system's clock would leave the
    /// same times.
    #[cfg(unix)]
    #[test]
    fn a_file_changed_within_the_second_is_not_known_by_its_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.html");
        std::fs::write(&path, "<p>A</p>").unwrap();
        let (_, meta) = read_bounded_with_metadata(&path, Bytes(u64::MAX)).unwrap();
        assert_eq!(FileIdentity::of_read(&meta), None);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (bytes, meta) = read_bounded_with_metadata(&path, Bytes(u64::MAX)).unwrap();
        assert_eq!(bytes, b"<p>A</p>");
        assert!(FileIdentity::of_read(&meta).is_some());
        assert_eq!(FileIdentity::of_read(&meta), FileIdentity::of(&meta));
    }

    fn check(yaml: &str, limits: &Limits) -> Result<(), Diagnostic> {
        check_front_matter(Path::new("content/pages/p.md"), yaml, 1, limits)
    }

    #[test]
    fn reads_sizes_with_and_without_units() {
        assert_eq!(Bytes::parse("2 MB"), Some(Bytes(2_000_000)));
        assert_eq!(Bytes::parse("512KiB"), Some(Bytes(512 * 1024)));
        assert_eq!(Bytes::parse("1048576"), Some(Bytes::mib(1)));
        assert_eq!(Bytes::parse("2 parsecs"), None);
        assert_eq!(Bytes::parse("99999999999999 GiB"), None);
        assert_eq!(Bytes::mib(16).to_string(), "16 MiB");
    }

    #[test]
    fn places_a_long_title_on_its_line() {
        let limits = Limits {
            title_length: 10,
            ..Limits::default()
        };
        let e = check("date: 2026-01-01\ntitle: Une très longue phrase\n", &limits).unwrap_err();
        assert_eq!((e.line, e.column), (3, 8), "{e:?}");
        assert!(
            e.message == "title: 22 characters, more than the limit of 10 (`limits.title_length`)",
            "{e:?}"
        );
        assert!(e.hint.unwrap().contains("limits:"));
        assert!(check("title: Court\n", &limits).is_ok());
        // A nested `title` (an option's) is not the item's title.
        assert!(check("options:\n  - title: Une très longue phrase\n", &limits).is_ok());
    }

    #[test]
    fn stops_an_alias_bomb_without_expanding_it() {
        let mut yaml =
            String::from("a: &a [\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]\nb: &b [");
        yaml.push_str(&vec!["*a"; 900].join(","));
        yaml.push_str("]\nc: [");
        yaml.push_str(&vec!["*b"; 900].join(","));
        yaml.push_str("]\n");
        let e = check(&yaml, &Limits::default()).unwrap_err();
        assert!(e.message.contains("aliases"), "{e:?}");
    }

    #[test]
    fn refuses_a_long_list() {
        let limits = Limits {
            list_length: 3,
            ..Limits::default()
        };
        let e = check("collection_points:\n  - a\n  - b\n  - c\n  - d\n", &limits).unwrap_err();
        assert!(e.message.contains("more than 3 entries"), "{e:?}");
        assert!(check("collection_points: [a, b, c]\n", &limits).is_ok());
    }

    #[test]
    fn leaves_yaml_errors_to_the_typed_parse() {
        assert!(check("title: \"open\n", &Limits::default()).is_ok());
    }

    #[test]
    fn reads_a_file_up_to_its_limit_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![b'x'; 11]).unwrap();
        assert!(matches!(
            read_bounded(&path, Bytes(10)),
            Err(ReadError::TooLarge(_))
        ));
        assert_eq!(read_bounded(&path, Bytes(11)).unwrap().len(), 11);
    }
}
