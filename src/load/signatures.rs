//! Reading `signatures/`: public keys and their profiles, statements, paper batches, and every
//! version of the files they sign (the working tree and git history).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use git2::Oid;
use serde::Deserialize;

use crate::content::front_matter::yaml_diagnostic;
use crate::content::values::Moment;
use crate::error::{Diagnostic, Diagnostics};
use crate::limits::{Limits, ReadError};
use rayon::prelude::*;

use crate::load::history::{self, History};
use crate::signatures::keys::{self, KeyId, PublicKey};
use crate::signatures::statement;

/// A statement file as found in the repository.
#[derive(Debug, Clone)]
pub struct StatementFile {
    /// Path from the root.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// One version of a signed file, newest first in [`Versions`].
#[derive(Debug, Clone)]
pub struct FileVersion {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Their git blob id.
    pub blob: git2::Oid,
    /// Index of the commit that brought it, `None` for a working-tree version not committed.
    pub commit: Option<usize>,
}

/// Versions of each signed file, newest first.
pub type Versions = BTreeMap<String, Vec<FileVersion>>;

/// A public key file, read.
#[derive(Debug, Clone)]
pub struct KeyFile {
    /// The key.
    pub key: PublicKey,
    /// `signatures/keys/<KEYID>.pub`.
    pub path: String,
    /// Git blob id of the file.
    pub blob: Oid,
    /// The file's text exactly as it is (what a certification signs).
    pub text: String,
    /// Display name from the profile `signatures/keys/<KEYID>.yaml`.
    pub name: Option<String>,
    /// Handle on the forge, from the profile (for CODEOWNERS).
    pub forge: Option<String>,
}

/// `signatures/keys/<KEYID>.yaml`: how a key's owner wants to be named.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Display name.
    pub name: String,
    /// Handle on the forge (for CODEOWNERS).
    #[serde(default)]
    pub forge: Option<String>,
}

/// `signatures/paper/<kind>/<slug>/<batch>.yaml`: signatures or ballots collected on paper.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperMeta {
    /// Where.
    pub place: String,
    /// When.
    pub date: Moment,
    /// Who collected them.
    pub collector: String,
    /// How many signatures (initiatives) or ballots.
    pub count: u64,
    /// For votes and budgets: each ballot, written as in a signed vote (`yes`, `a,b`, `b>a`,
    /// `a=good,b=poor`), with how many paper ballots said it; they add up to `count`.
    #[serde(default)]
    pub ballots: BTreeMap<String, u64>,
    /// For an initiative: the version of its text the sheets carried, as the printed sheet
    /// names it (the first hex digits of the text's git blob id). A batch that names a text
    /// the initiative never had is not counted.
    #[serde(default)]
    pub text: Option<String>,
}

/// A paper batch file.
#[derive(Debug, Clone)]
pub struct PaperBatch {
    /// Its path.
    pub path: String,
    /// `initiatives`, `votes` or `budgets`.
    pub folder: String,
    /// The item's slug.
    pub slug: String,
    /// The batch's name (file stem).
    pub batch: String,
    /// What it says.
    pub meta: PaperMeta,
}

/// A statement file with its blob id.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Path and text.
    pub file: StatementFile,
    /// Git blob id of its bytes.
    pub blob: Oid,
    /// What its key signed, whatever the file's encoding; `None` when the file is not a
    /// statement (see [`statement::parse_file`]).
    pub identity: Option<[u8; 32]>,
    /// What the file says, decoded once (see [`statement::Decoded`]).
    pub decoded: statement::Decoded,
    /// Whether `file.text` holds the file's text. A statement whose blob id git's index gave
    /// and whose facts the statement cache knew is not read at load: [`Statement::text`]
    /// reads it if a signature must be checked.
    pub read: bool,
    /// Index into [`History::commits`] of the first commit that brought this statement (its
    /// identity, not merely these bytes) to this path, if it is in the history.
    pub arrived_at: Option<usize>,
    /// Time of that commit.
    pub arrived: Option<i64>,
}

impl Statement {
    /// A statement read from `text`, its bytes' blob id `blob`.
    pub fn from_text(path: String, text: String, blob: Oid) -> Statement {
        let decoded = statement::decode(&text);
        Statement {
            file: StatementFile { path, text },
            blob,
            identity: decoded.identity,
            decoded,
            read: true,
            arrived_at: None,
            arrived: None,
        }
    }

    /// Its text: as read at load, else read now from the site at `root`, or, if the file
    /// changed since the load stage took its blob id, from git's objects (`git_dir`) by that
    /// id; `None` when neither holds those bytes.
    pub fn text(&self, root: &Path, git_dir: Option<&Path>) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        if self.read {
            return Some(Cow::Borrowed(&self.file.text));
        }
        if let Ok(bytes) = std::fs::read(root.join(&self.file.path)) {
            if history::blob_id(&bytes) == self.blob {
                return Some(Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        let repo = git2::Repository::open(git_dir?).ok()?;
        let blob = repo.find_blob(self.blob).ok()?;
        Some(Cow::Owned(String::from_utf8_lossy(blob.content()).into_owned()))
    }
}

/// Everything under `signatures/` and the versions of what it signs.
#[derive(Debug, Clone, Default)]
pub struct Signatures {
    /// Usable keys.
    pub keys: BTreeMap<KeyId, KeyFile>,
    /// Every `.minisig` file, sorted by path.
    pub statements: Vec<Statement>,
    /// Paper batches by path.
    pub paper: BTreeMap<String, PaperBatch>,
    /// Every version of every signed file, newest first.
    pub versions: Versions,
    /// The git history, if the site is in a repository.
    pub history: Option<History>,
    /// The site's folder, where statements not read at load are read ([`Statement::text`]).
    pub root: std::path::PathBuf,
    /// Every other statement that stood at the path of a current one, each once, dated by
    /// its first arrival there: what a later one replaced. The commitment a sortition's
    /// reveal answers, the certification a revocation replaced (for the web of trust at a
    /// past moment), and what tells a restored statement from a current one.
    pub earlier: Vec<Statement>,
}

/// Where the dates of statements come from.
#[derive(Debug, Clone)]
pub enum HistorySource<'a> {
    /// The first-parent history of this branch, in the repository around the site.
    Branch(history::BranchAt<'a>),
    /// A history read by the caller: `pnyx check` reads the revision it compares with, and
    /// reads sites written out of git into temporary folders.
    Given(Option<History>),
}

/// Reads `signatures/` (and authorship signatures under `content/`), dated from `source`.
pub fn read_from(
    root: &Path,
    source: HistorySource<'_>,
    limits: &Limits,
    diags: &mut Diagnostics,
) -> Signatures {
    let mut out = Signatures {
        root: root.to_path_buf(),
        ..Signatures::default()
    };
    let mut clock = crate::timing::Clock::start();
    // The files under the folders, in order, by their path from the root, with what the load
    // keeps of a statement file's metadata (to ask git's index), and the names and links
    // refused there.
    let walk_folders = || {
        let mut refused = Vec::new();
        let keep = |rel: &str| -> Option<bool> {
            let statement = super::git_index::is_statement(rel);
            (statement || rel.starts_with("signatures/")).then_some(statement)
        };
        let mut paths = super::names::walk_files(root, "signatures", &mut refused, &keep);
        paths.extend(super::names::walk_files(root, "content", &mut refused, &keep));
        (paths, refused)
    };
    // A build of a branch reads no statement file that git's index vouches for and whose
    // facts the statement cache knows; `pnyx check` reads every file of what it compares.
    // For a city, git's index, the statement cache, the history and the folders take a second
    // or two each: they are read on all cores at once.
    let (index, facts, history, (paths, refused)) = match source {
        HistorySource::Given(history) => (None, Default::default(), Ok(history), walk_folders()),
        HistorySource::Branch(branch) => {
            let (((index, facts), history), walked) = rayon::join(
                || {
                    rayon::join(
                        || {
                            rayon::join(
                                || super::git_index::GitIndex::read(root, super::git_index::is_statement),
                                || super::statement_cache::StatementCache::open(root),
                            )
                        },
                        || super::history_cache::read(root, branch, &["content", "signatures"]),
                    )
                },
                walk_folders,
            );
            (index, facts, history, walked)
        }
    };
    match history {
        Ok(h) => out.history = h,
        Err(e) => {
            diags.push(Diagnostic::new(Path::new(".git"), 1, 1, e.to_string()).hint(
                "pnyx dates every signature from git history; it needs the whole history of the branch",
            ));
            return out;
        }
    }
    diags.0.extend(refused);
    clock.lap("load: git index, caches, history and folders");
    // A city has a million small files here: on all cores, in order. A statement that git's
    // index and the statement cache know is not read. One the index vouches for but the cache
    // does not know (a cold build) is read from git's objects by the id the index gives: the
    // same bytes, from one packed file rather than from a million small ones, which a disk
    // serves one by one. A statement that is read keeps its text (and is hashed and decoded);
    // any other file, its bytes.
    // A statement holds its path; a city's million are neither boxed nor named twice.
    enum Found {
        Statement(Statement),
        Key(KeyEntry),
        Bytes(String, Vec<u8>),
        Unreadable(String, ReadError),
    }
    // Each core's repository, to read objects, and where its next lookup in git's index
    // starts: the files come in the index's order, mostly.
    let per_core = || {
        let objects = index.as_ref().and_then(|_| git2::Repository::discover(root).ok());
        (objects, 0)
    };
    let from_objects = std::sync::atomic::AtomicUsize::new(0);
    let found: Vec<Found> = paths
        .into_par_iter()
        .map_init(per_core, |(objects, next), (rel, stat)| {
            let is_statement = super::git_index::is_statement(&rel);
            if is_statement {
                let vouched = index
                    .as_ref()
                    .zip(stat)
                    .filter(|(_, stat)| stat.len <= limits.file_size.0)
                    .and_then(|(index, stat)| index.unchanged_after(&rel, &stat, next));
                let known = vouched.and_then(|blob| Some((blob, facts.known.get(&blob)?)));
                if let (None, Some(blob), Some(repo)) = (known, vouched, objects.as_ref()) {
                    let bytes = history::blob_within(repo, blob, limits.file_size.0)
                        .ok()
                        .flatten();
                    if let Some(bytes) = bytes.filter(|bytes| history::blob_id(bytes) == blob) {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        from_objects.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        return Found::Statement(Statement::from_text(rel, text, blob));
                    }
                }
                if let Some((blob, decoded)) = known {
                    return Found::Statement(Statement {
                        file: StatementFile {
                            path: rel,
                            text: String::new(),
                        },
                        blob,
                        identity: decoded.identity,
                        decoded: decoded.clone(),
                        read: false,
                        arrived_at: None,
                        arrived: None,
                    });
                }
            }
            match crate::limits::read_bounded(&root.join(&rel), limits.file_size) {
                Ok(bytes) if is_statement => {
                    let blob = history::blob_id(&bytes);
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    Found::Statement(Statement::from_text(rel, text, blob))
                }
                Ok(bytes) => match rel.strip_prefix("signatures/keys/") {
                    Some(name) => Found::Key(read_key_file(&rel, name, bytes)),
                    None => Found::Bytes(rel, bytes),
                },
                Err(e) => Found::Unreadable(rel, e),
            }
        })
        .collect();
    clock.lap("load: signature files");
    let mut profiles = BTreeMap::new();
    let mut key_files = BTreeSet::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    out.statements.reserve(found.len());
    for found in found {
        match found {
            Found::Statement(st) => out.statements.push(st),
            Found::Key(KeyEntry::Profile(id, profile)) => {
                profiles.insert(id, profile);
            }
            Found::Key(KeyEntry::Key(id, key)) => {
                key_files.insert(id);
                match key {
                    Ok(key) => {
                        out.keys.insert(id, key);
                    }
                    Err(d) => diags.push(d),
                }
            }
            Found::Key(KeyEntry::Refused(d)) => diags.push(d),
            Found::Bytes(rel, bytes) => files.push((rel, bytes)),
            Found::Unreadable(rel, e) => {
                diags.push(e.diagnostic(Path::new(&rel), limits.file_size, "file_size"))
            }
        }
    }
    let unread = out.statements.iter().filter(|st| !st.read).count();
    crate::timing::note(&format!(
        "statement files: {} read ({} of them from git's objects), {unread} known from git's index and the statement cache ({} index entries)",
        out.statements.len() - unread,
        from_objects.into_inner(),
        index.as_ref().map_or(0, |i| i.len())
    ));
    let statements = out.statements.iter().map(|st| (st.blob, &st.decoded));
    if let Err(note) = facts.save(statements, unread) {
        crate::sealed::note_once(&note);
    }
    for (rel, bytes) in files {
        if rel.starts_with("signatures/paper/") && rel.ends_with(".yaml") {
            read_paper(&rel, &bytes, limits, &mut out, diags);
        } else {
            diags.push(
                Diagnostic::new(Path::new(&rel), 1, 1, "this file has no place under signatures/")
                    .hint("signatures/ holds keys (.pub, .yaml), statements (.minisig) and paper batches (.yaml); see docs/signing.md"),
            );
        }
    }
    for (id, profile) in profiles {
        match out.keys.get_mut(&id) {
            Some(k) => {
                k.name = Some(profile.name);
                k.forge = profile.forge;
            }
            // A key file that is there but unusable is reported at that file.
            None if key_files.contains(&id) => {}
            None => diags.push(
                Diagnostic::new(
                    Path::new(&format!("signatures/keys/{id}.yaml")),
                    1,
                    1,
                    "a profile without its key",
                )
                .hint(format!("add signatures/keys/{id}.pub, or remove the profile")),
            ),
        }
    }
    clock.lap("load: statements parsed");
    out.versions = versions(root, &out, limits, diags);
    clock.lap("load: signed versions");
    out.earlier = date_statements(root, &mut out, limits, diags);
    clock.lap("load: statements dated");
    out
}

/// Dates each statement by the first commit that brought its identity to its path — so that
/// a re-encoding (a final newline, CRLF) does not re-date it — and returns the other
/// statements that history shows at those paths (see [`Signatures::earlier`]).
///
/// Only paths whose history holds other bytes than the current file need a blob read from
/// git: a city's million statements are mostly added once and never touched.
fn date_statements(
    root: &Path,
    sigs: &mut Signatures,
    limits: &Limits,
    diags: &mut Diagnostics,
) -> Vec<Statement> {
    let Some(history) = &sigs.history else {
        return Vec::new();
    };
    // A city has a million statements, mostly with one version each: on all cores.
    let mut wanted: Vec<Oid> = sigs
        .statements
        .par_iter()
        .flat_map_iter(|st| {
            history
                .versions(&st.file.path)
                .iter()
                .filter(move |v| v.blob != st.blob)
                .map(|v| v.blob)
        })
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut texts: HashMap<Oid, String> = HashMap::new();
    let dir = history.git_dir.as_deref().unwrap_or(root);
    for (id, read) in history::read_blobs(dir, &wanted, limits.file_size.0) {
        match read {
            Ok(Some(bytes)) => {
                texts.insert(id, String::from_utf8_lossy(&bytes).into_owned());
            }
            // Past the limit, it is no statement: nothing to date by it.
            Ok(None) => {}
            Err(e) => diags.push(Diagnostic::new(
                Path::new("signatures"),
                1,
                1,
                format!("cannot read an earlier version of a statement from git ({id}): {e}"),
            )),
        }
    }
    let identities: HashMap<Oid, [u8; 32]> = texts
        .iter()
        .filter_map(|(id, text)| Some((*id, statement::parse_file(text).ok()?.identity)))
        .collect();
    let earlier: Vec<Vec<Statement>> = sigs
        .statements
        .par_iter_mut()
        .map(|st| {
            let versions = history.versions(&st.file.path);
            let identity_of = |v: &history::Version| {
                if v.blob == st.blob {
                    st.identity
                } else {
                    identities.get(&v.blob).copied()
                }
            };
            let mut earlier = Vec::new();
            for (i, v) in versions.iter().enumerate() {
                let Some(identity) = identity_of(v) else { continue };
                // Each identity counts from its first arrival at the path.
                if versions[..i].iter().any(|w| identity_of(w) == Some(identity)) {
                    continue;
                }
                let time = history.commits.get(v.commit).map(|c| c.time);
                if Some(identity) == st.identity {
                    st.arrived_at = Some(v.commit);
                    st.arrived = time;
                } else if let Some(text) = texts.get(&v.blob) {
                    let mut replaced = Statement::from_text(st.file.path.clone(), text.clone(), v.blob);
                    replaced.arrived_at = Some(v.commit);
                    replaced.arrived = time;
                    earlier.push(replaced);
                }
            }
            earlier
        })
        .collect();
    earlier.into_iter().flatten().collect()
}

/// What a file under `signatures/keys/` holds, read on all cores (a city has a hundred
/// thousand) and then put in place in order.
enum KeyEntry {
    /// A profile (`.yaml`).
    Profile(KeyId, Profile),
    /// A key file (`.pub`): the key, or why it cannot be used.
    Key(KeyId, Result<KeyFile, Diagnostic>),
    /// A file that has no place there.
    Refused(Diagnostic),
}

/// Reads the file `rel` of `signatures/keys/`, named `name` there: a key, or its owner's
/// profile. A key file that cannot be used is an error at its line: every statement of that
/// key hangs on it.
fn read_key_file(rel: &str, name: &str, bytes: Vec<u8>) -> KeyEntry {
    let path = Path::new(rel);
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    if ext != "pub" && ext != "yaml" {
        let hint = match ext.to_ascii_lowercase().as_str() {
            e @ ("pub" | "yaml") => format!("rename it `{stem}.{e}`, in lower case"),
            _ => "move or remove this file".to_string(),
        };
        return KeyEntry::Refused(
            Diagnostic::new(
                path,
                1,
                1,
                "signatures/keys/ holds only `<KEYID>.pub` and `<KEYID>.yaml` files",
            )
            .hint(hint),
        );
    }
    let Some(id) = KeyId::parse(stem) else {
        return KeyEntry::Refused(
            Diagnostic::new(path, 1, 1, format!("`{stem}` is not a key id")).hint(key_name_hint(stem, ext)),
        );
    };
    if ext == "yaml" {
        return match serde_yaml::from_slice::<Profile>(&bytes) {
            Ok(p) => KeyEntry::Profile(id, p),
            Err(e) => KeyEntry::Refused(yaml_diagnostic(path, 0, &e)),
        };
    }
    let blob = history::blob_id(&bytes);
    let text = String::from_utf8_lossy(&bytes);
    let key = match keys::parse_public_key(&text) {
        Ok(key) if key.id == id => Ok(KeyFile {
            key,
            path: rel.to_string(),
            blob,
            text: text.to_string(),
            name: None,
            forge: None,
        }),
        Ok(key) => Err(
            Diagnostic::new(path, key_line(&text), 1, format!("the file is named {id} but holds key {}", key.id))
                .hint(format!("rename it `signatures/keys/{}.pub`, the id minisign prints for this key", key.id)),
        ),
        Err(reason) => Err(
            Diagnostic::new(path, key_line(&text), 1, format!("this key file cannot be used: {reason}"))
                .hint("put back the `.pub` file that `pnyx keygen` or `minisign -G` wrote, unchanged: two lines, a comment and the key"),
        ),
    };
    KeyEntry::Key(id, key)
}

/// How to name a key's file when `stem` is not a key id.
fn key_name_hint(stem: &str, ext: &str) -> String {
    let hex = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_hexdigit());
    if hex && stem.len() == 16 {
        format!(
            "write the key id in upper case: rename it `{}.{ext}`",
            stem.to_ascii_uppercase()
        )
    } else if hex && stem.len() < 16 {
        // Stock minisign drops the leading zeros of the id in its `.pub` comment.
        format!(
            "a key id has 16 digits, leading zeros included: rename it `{:0>16}.{ext}`",
            stem.to_ascii_uppercase()
        )
    } else {
        format!("name the file after the key id minisign prints, 16 upper-case hexadecimal digits: `signatures/keys/<KEYID>.{ext}`")
    }
}

/// The line of a `.pub` file that holds (or should hold) the key: the first one that is
/// neither empty nor the untrusted comment.
fn key_line(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .position(|l| {
            let l = l.trim_start_matches('\u{feff}').trim();
            !l.is_empty() && !l.starts_with("untrusted comment:")
        })
        .map_or(lines.len().max(1), |i| i + 1)
}

fn read_paper(rel: &str, bytes: &[u8], limits: &Limits, out: &mut Signatures, diags: &mut Diagnostics) {
    let parts: Vec<&str> = rel.split('/').collect();
    let ["signatures", "paper", folder, slug, file] = parts.as_slice() else {
        diags.push(
            Diagnostic::new(
                Path::new(rel),
                1,
                1,
                "a paper batch lives at signatures/paper/<kind>/<slug>/<batch>.yaml",
            )
            .hint("move the file"),
        );
        return;
    };
    let batch = file.trim_end_matches(".yaml");
    // A batch may list many ballots; its aliases are bounded by the file size limit.
    let walk = Limits {
        list_length: usize::MAX,
        ..limits.clone()
    };
    if let Err(d) =
        crate::limits::check_front_matter(Path::new(rel), &String::from_utf8_lossy(bytes), 0, &walk)
    {
        diags.push(d);
        return;
    }
    match serde_yaml::from_slice::<PaperMeta>(bytes) {
        Ok(meta) => {
            out.paper.insert(
                rel.to_string(),
                PaperBatch {
                    path: rel.to_string(),
                    folder: folder.to_string(),
                    slug: slug.to_string(),
                    batch: batch.to_string(),
                    meta,
                },
            );
        }
        Err(e) => diags.push(
            yaml_diagnostic(Path::new(rel), 0, &e)
                .hint("a batch has `place`, `date`, `collector` and `count` (and `ballots` for a vote)"),
        ),
    }
}

/// Every version of the files that statements sign: the working tree first, then history,
/// newest first, without repeating a blob.
fn versions(root: &Path, sigs: &Signatures, limits: &Limits, diags: &mut Diagnostics) -> Versions {
    let targets: BTreeSet<String> = sigs
        .statements
        .iter()
        .filter_map(|s| statement::place(&s.file.path).ok())
        .map(|p| p.signed_file())
        .collect();
    let repo = sigs.history.as_ref().and_then(|h| match &h.git_dir {
        Some(dir) => git2::Repository::open(dir).ok(),
        None => git2::Repository::discover(root).ok(),
    });
    let mut out = Versions::new();
    for target in targets {
        let mut list: Vec<FileVersion> = Vec::new();
        let committed = sigs.history.as_ref().map(|h| h.versions(&target)).unwrap_or(&[]);
        // A signed file past the limit is reported by the loader, and signs nothing.
        if let Ok(bytes) = crate::limits::read_bounded(&root.join(&target), limits.file_size) {
            let blob = history::blob_id(&bytes);
            let commit = committed.iter().find(|v| v.blob == blob).map(|v| v.commit);
            list.push(FileVersion { bytes, blob, commit });
        }
        if let Some(repo) = &repo {
            for v in committed.iter().rev() {
                if list.iter().any(|x| x.blob == v.blob) {
                    continue;
                }
                // A text put back as it was counts from its first arrival.
                let first = committed.iter().find(|x| x.blob == v.blob).map(|x| x.commit);
                match history::blob_within(repo, v.blob, limits.file_size.0) {
                    Ok(Some(bytes)) => list.push(FileVersion {
                        bytes,
                        blob: v.blob,
                        commit: first,
                    }),
                    // A version past the limit was never read, so no statement verifies on it.
                    Ok(None) => {}
                    Err(e) => diags.push(Diagnostic::new(
                        Path::new(&target),
                        1,
                        1,
                        format!("cannot read an earlier version from git: {e}"),
                    )),
                }
            }
        }
        if !list.is_empty() {
            out.insert(target, list);
        }
    }
    out
}
