//! Signing (SPEC §4): what the statement commands do — `pnyx keygen`, then `sign`,
//! `withdraw`, `vote`, `register`, `certify`, `revoke`, `attest`, `commit`, `reveal`, and the
//! moderators' decisions ([`moderate`]). Each act is one minisign signature (prehashed) of one
//! file, with trusted comment `pnyx/1 <verb> <signed file> [argument]`, written at the path that names the
//! key and the target. [`write_statement`] does the signing and writing for every verb.
//!
//! Secret keys never go into the site: `pnyx keygen` writes them to `$PNYX_HOME/keys/`
//! (`$XDG_CONFIG_HOME/pnyx` or `~/.config/pnyx` by default), and the signing commands find
//! them there, or at `--secret-key`, `PNYX_SECRET_KEY` or stock minisign's default
//! `~/.minisign/minisign.key`. Keys made by the stock `minisign -G` work, with or without a
//! password.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

pub mod moderate;

use crate::content::references::suggest;
use crate::error::mistake;
use crate::home::{canonical_lenient, env_path, home_dir, minisign_default_key, pnyx_home, ENV_HOME};
use crate::load::signatures::{FileVersion, StatementFile};
use crate::signatures::keys::{self, KeyId, PublicKey};
use crate::signatures::statement::{self, Said, Verb};
use crate::signatures::verdict;

/// Environment variable: the secret key to sign with.
pub const ENV_SECRET_KEY: &str = "PNYX_SECRET_KEY";
/// Environment variable: the secret key's password, for scripts.
pub const ENV_PASSWORD: &str = "PNYX_PASSWORD";

// ---------------------------------------------------------------------------------------------
// Where things are.

/// Refuses a secret key path inside the site, or inside the git work tree that holds it:
/// whatever is there may be committed and published.
fn refuse_inside_site(root: &Path, secret: &Path) -> anyhow::Result<()> {
    let secret_c =
        canonical_lenient(secret).with_context(|| format!("cannot resolve {}", secret.display()))?;
    let root_c = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let hint = "keep secret keys out of the site: omit --secret-key (the default is $PNYX_HOME/keys/, \
                ~/.config/pnyx/keys/), or choose a path outside the repository";
    if secret_c.starts_with(&root_c) {
        return Err(mistake(
            format!(
                "refusing to write a secret key inside the site ({} is in {})",
                secret.display(),
                root.display()
            ),
            hint,
        ));
    }
    // The site may be a sub-folder of a repository. A work tree that holds the home folder
    // is a dotfiles repository, not the site's: not a reason to refuse.
    if let Ok(repo) = git2::Repository::discover(root) {
        if let Some(work) = repo.workdir().and_then(|w| w.canonicalize().ok()) {
            let holds_home = home_dir()
                .and_then(|h| h.canonicalize().ok())
                .is_some_and(|h| h.starts_with(&work));
            if !holds_home && secret_c.starts_with(&work) {
                return Err(mistake(
                    format!(
                        "refusing to write a secret key inside the site's git repository ({} is in {})",
                        secret.display(),
                        work.display()
                    ),
                    hint,
                ));
            }
        }
    }
    Ok(())
}

/// Checks that `root` is a site, and returns its configuration.
pub(crate) fn site(root: &Path) -> anyhow::Result<crate::config::Settings> {
    crate::load::load_settings(root).map_err(|d| {
        mistake(
            format!("{} is not a usable pnyx site:\n{d}", root.display()),
            "run the command in the site's folder (the one with pnyx.yaml) or pass --root DIR",
        )
    })
}

/// Creates a file that must not exist yet; `private` makes it readable by its owner only.
fn create_new(path: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(mistake(
                format!("{} already exists; pnyx never overwrites a key", path.display()),
                "choose another path with --secret-key, or move the old file away first",
            ))
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Creates the folder of secret keys, readable by its owner only.
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Replaces `path` with `bytes` through a temporary file and a rename, so that an interrupted
/// run leaves either the old statement or the new one.
fn replace_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("a file needs a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("a file needs a name")?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("cannot write {}", path.display()));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Passwords.

fn ask(prompt: &str) -> anyhow::Result<String> {
    rpassword::prompt_password(prompt).map_err(|e| {
        anyhow::Error::new(e).context(format!(
            "cannot ask for the password on a terminal; for scripts, set {ENV_PASSWORD}"
        ))
    })
}

/// A new key's password: `PNYX_PASSWORD`, or asked twice on the terminal.
fn new_password() -> anyhow::Result<String> {
    if let Some(p) = std::env::var_os(ENV_PASSWORD) {
        let p = p
            .into_string()
            .map_err(|_| mistake(format!("{ENV_PASSWORD} is not valid UTF-8"), ""))?;
        if p.is_empty() {
            return Err(mistake(
                format!("{ENV_PASSWORD} is set but empty"),
                "give it a password, or pass --no-password for a key without one",
            ));
        }
        return Ok(p);
    }
    eprintln!("Choose a password to protect the secret key (asked twice).");
    let first = ask("Password: ")?;
    if first.is_empty() {
        return Err(mistake(
            "an empty password protects nothing",
            "type a password, or pass --no-password for a key without one",
        ));
    }
    let second = ask("Password (again): ")?;
    if first != second {
        return Err(mistake("the two passwords differ", "run `pnyx keygen` again"));
    }
    Ok(first)
}

/// The password of an existing key: `PNYX_PASSWORD`, or asked on the terminal.
fn existing_password(path: &Path) -> anyhow::Result<String> {
    if let Some(p) = std::env::var_os(ENV_PASSWORD) {
        return p
            .into_string()
            .map_err(|_| mistake(format!("{ENV_PASSWORD} is not valid UTF-8"), ""));
    }
    ask(&format!("Password of {}: ", path.display()))
}

// ---------------------------------------------------------------------------------------------
// keygen.

/// What `pnyx keygen` does.
#[derive(Debug, Clone, Default)]
pub struct KeygenOptions {
    /// The display name, written to the profile `signatures/keys/<KEYID>.yaml`.
    pub name: Option<String>,
    /// A key without password.
    pub no_password: bool,
    /// Where the secret key goes [default: `$PNYX_HOME/keys/<KEYID>.key`].
    pub secret_key: Option<PathBuf>,
}

/// What `pnyx keygen` made.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The new key's id.
    pub id: KeyId,
    /// `signatures/keys/<KEYID>.pub`, from the root.
    pub public_key: String,
    /// `signatures/keys/<KEYID>.yaml`, from the root, with `--name`.
    pub profile: Option<String>,
    /// The secret key file.
    pub secret_key: PathBuf,
    /// Whether the secret key is protected by a password.
    pub encrypted: bool,
    /// Certifications needed to become a member (`trust.certifications`).
    pub certifications: u32,
}

impl fmt::Display for Generated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        writeln!(f, "key id:     {id}")?;
        writeln!(f, "public key: {}", self.public_key)?;
        if let Some(p) = &self.profile {
            writeln!(f, "profile:    {p}")?;
        }
        writeln!(
            f,
            "secret key: {} ({}; keep it secret, back it up, never commit it)",
            self.secret_key.display(),
            if self.encrypted {
                "protected by your password"
            } else {
                "NOT protected by a password"
            }
        )?;
        let files = match &self.profile {
            Some(p) => format!("{} and {p}", self.public_key),
            None => self.public_key.clone(),
        };
        let n = self.certifications;
        write!(
            f,
            "next: commit {files} in a pull request; ask {} member{} to certify it (`pnyx certify {id}`)",
            number_word(n),
            if n == 1 { "" } else { "s" }
        )
    }
}

fn number_word(n: u32) -> String {
    let words = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    words
        .get(n as usize)
        .map(|w| w.to_string())
        .unwrap_or_else(|| n.to_string())
}

/// The text of a profile: `name: "<name>"`, quoted so that any name reads back unchanged.
pub fn profile_text(name: &str) -> anyhow::Result<String> {
    // A JSON string is a YAML double-quoted scalar; check that serde_yaml reads it back.
    let text = format!("name: {}\n", serde_json::to_string(name)?);
    let back: crate::load::signatures::Profile =
        serde_yaml::from_str(&text).context("the profile does not read back")?;
    anyhow::ensure!(back.name == name, "the profile does not read back unchanged");
    Ok(text)
}

fn check_name(name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(mistake(
            "--name is empty",
            "give the name you want shown, or omit --name",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(mistake(
            "--name contains a line break or another control character",
            "give the name on one line",
        ));
    }
    if name.chars().count() > 100 {
        return Err(mistake(
            "--name is longer than 100 characters",
            "give a shorter name",
        ));
    }
    Ok(name.to_string())
}

/// `pnyx keygen`: a new key pair; the public key (and profile) into the site, the secret key
/// outside it, never overwriting anything.
pub fn keygen(root: &Path, opts: &KeygenOptions) -> anyhow::Result<Generated> {
    let settings = site(root)?;
    let name = opts.name.as_deref().map(check_name).transpose()?;
    // Where the secret key goes: checked before the password is asked.
    let secret_dir = match &opts.secret_key {
        Some(path) => {
            refuse_inside_site(root, path)?;
            if path.exists() {
                return Err(mistake(
                    format!("{} already exists; pnyx never overwrites a key", path.display()),
                    "choose another path with --secret-key, or move the old file away first",
                ));
            }
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        }
        None => {
            let dir = pnyx_home()?.join("keys");
            refuse_inside_site(root, &dir.join("x.key")).map_err(|e| {
                e.context(format!(
                    "{ENV_HOME} (or XDG_CONFIG_HOME) points inside the site; set it to a folder outside"
                ))
            })?;
            dir
        }
    };

    let keypair = if opts.no_password {
        minisign::KeyPair::generate_unencrypted_keypair()
    } else {
        let password = new_password()?;
        eprintln!("deriving a key from the password…");
        minisign::KeyPair::generate_encrypted_keypair(Some(password))
    }
    .map_err(|e| anyhow::anyhow!("cannot make a key pair: {e}"))?;
    let id = KeyId::from_keynum(keypair.pk.keynum()).context("the new key has no key id")?;

    let secret_path = match &opts.secret_key {
        Some(p) => std::path::absolute(p).unwrap_or_else(|_| p.clone()),
        None => {
            create_private_dir(&secret_dir)?;
            secret_dir.join(format!("{id}.key"))
        }
    };
    let public_rel = format!("signatures/keys/{id}.pub");
    let profile_rel = format!("signatures/keys/{id}.yaml");
    for rel in [&public_rel, &profile_rel] {
        if root.join(rel).exists() {
            return Err(mistake(
                format!("{rel} already exists"),
                "run `pnyx keygen` again (a new key gets a new id)",
            ));
        }
    }

    let comment = if opts.no_password {
        format!("minisign secret key {id} (no password)")
    } else {
        format!("minisign encrypted secret key {id}")
    };
    let secret_text = keys::secret_key_text(&keypair.sk, &comment)?;
    std::fs::create_dir_all(&secret_dir)
        .with_context(|| format!("cannot create {}", secret_dir.display()))?;
    create_new(&secret_path, secret_text.as_bytes(), true)?;

    let keys_site = root.join("signatures").join("keys");
    std::fs::create_dir_all(&keys_site).with_context(|| format!("cannot create {}", keys_site.display()))?;
    create_new(
        &root.join(&public_rel),
        keys::public_key_text(&keypair.pk).as_bytes(),
        false,
    )?;
    let profile = match name {
        Some(name) => {
            create_new(&root.join(&profile_rel), profile_text(&name)?.as_bytes(), false)?;
            Some(profile_rel)
        }
        None => None,
    };
    Ok(Generated {
        id,
        public_key: public_rel,
        profile,
        secret_key: secret_path,
        encrypted: !opts.no_password,
        certifications: settings.config.trust.certifications,
    })
}

// ---------------------------------------------------------------------------------------------
// The signer.

/// A loaded key pair, checked against the site's copy of its public key.
pub struct Signer {
    /// Its id.
    pub id: KeyId,
    /// The public key from `signatures/keys/<KEYID>.pub`.
    pub public: PublicKey,
    /// The secret key, decrypted.
    pub secret: minisign::SecretKey,
    /// Where the secret key was read from.
    pub secret_path: PathBuf,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("id", &self.id)
            .field("secret_path", &self.secret_path)
            .finish_non_exhaustive()
    }
}

/// Every `*.key` file in `dir`, sorted.
fn key_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "key") && p.is_file())
        .collect();
    found.sort();
    found
}

/// Which secret key to use: `--secret-key`, else `PNYX_SECRET_KEY`, else the only `*.key` in
/// `$PNYX_HOME/keys/`, else `~/.minisign/minisign.key`.
pub fn find_secret_key(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    let given = explicit
        .map(|p| (p.to_path_buf(), "--secret-key"))
        .or_else(|| env_path(ENV_SECRET_KEY).map(|p| (p, ENV_SECRET_KEY)));
    if let Some((path, from)) = given {
        if !path.is_file() {
            return Err(mistake(
                format!("no secret key at {} (from {from})", path.display()),
                "check the path; `pnyx keygen` makes a key pair",
            ));
        }
        return Ok(path);
    }
    let dir = pnyx_home()?.join("keys");
    let found = key_files(&dir);
    match found.as_slice() {
        [one] => return Ok(one.clone()),
        [] => {}
        several => {
            let list: Vec<String> = several.iter().map(|p| format!("    {}", p.display())).collect();
            return Err(mistake(
                format!(
                    "several secret keys in {}, which one?\n{}",
                    dir.display(),
                    list.join("\n")
                ),
                format!("choose one with --secret-key PATH or {ENV_SECRET_KEY}=PATH"),
            ));
        }
    }
    if let Some(stock) = minisign_default_key().filter(|p| p.is_file()) {
        return Ok(stock);
    }
    Err(mistake(
        format!(
            "no secret key: none given with --secret-key or {ENV_SECRET_KEY}, none in {}, none at {}",
            dir.display(),
            minisign_default_key()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "~/.minisign/minisign.key".into())
        ),
        "make one with `pnyx keygen` (then commit its .pub), or pass --secret-key PATH",
    ))
}

/// Loads the secret key at `path` (asking its password if it has one) and its public key from
/// `signatures/keys/<KEYID>.pub` in the site, and checks that they are a pair.
pub fn load_signer(root: &Path, path: &Path) -> anyhow::Result<Signer> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let not_a_key = |e: anyhow::Error| {
        mistake(
            format!("{} is not a usable minisign secret key: {e:#}", path.display()),
            "pass the secret key made by `pnyx keygen` or `minisign -G` with --secret-key PATH",
        )
    };
    let password = if keys::secret_key_needs_password(&text).map_err(not_a_key)? {
        Some(existing_password(path)?)
    } else {
        None
    };
    let secret = keys::load_secret_key(&text, password.as_deref()).map_err(|e| {
        if password.is_some() {
            mistake(
                format!("cannot open {}: {e:#}", path.display()),
                format!("type the password again (or check {ENV_PASSWORD})"),
            )
        } else {
            not_a_key(e)
        }
    })?;
    let id = KeyId::from_keynum(secret.keynum()).context("the secret key has no key id")?;
    let rel = format!("signatures/keys/{id}.pub");
    let pub_path = root.join(&rel);
    if !pub_path.is_file() {
        return Err(mistake(
            format!(
                "your key {id} (secret key {}) has no public key in this site: {rel} does not exist",
                path.display()
            ),
            format!(
                "if this is a new key, run `pnyx keygen` instead; otherwise copy its .pub to {rel} \
                 (`minisign -R -s {} -p {rel}` recreates it) and commit it in a pull request",
                path.display()
            ),
        ));
    }
    let public = keys::read_public_key(&pub_path).map_err(|e| {
        mistake(
            format!("{e:#}"),
            format!("{rel} must hold the public key of {id}, as `minisign -G` writes it"),
        )
    })?;
    if public.id != id {
        return Err(mistake(
            format!("{rel} holds the key {}, not {id}", public.id),
            format!("put the public key of {id} in {rel}"),
        ));
    }
    keys::check_pair(&public.key, &secret).map_err(|e| {
        mistake(
            format!("{e}: {} and {rel}", path.display()),
            format!(
                "{rel} must be the public half of the secret key {}",
                path.display()
            ),
        )
    })?;
    Ok(Signer {
        id,
        public,
        secret,
        secret_path: path.to_path_buf(),
    })
}

// ---------------------------------------------------------------------------------------------
// Statements.

/// What happened to the key's earlier statement at the same place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// There was none.
    New,
    /// It was replaced; what it said (`support`, `vote yes`), if readable.
    Replaced(Option<String>),
    /// The same statement about the same version was already there: nothing written.
    Unchanged,
}

/// A statement written (or found already there).
#[derive(Debug, Clone)]
pub struct Written {
    /// The `.minisig` file, from the root.
    pub path: String,
    /// The file it signs, from the root.
    pub signed_file: String,
    /// The trusted comment.
    pub comment: String,
    /// The signer.
    pub key: KeyId,
    /// What became of the earlier statement.
    pub outcome: Outcome,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Unchanged => write!(
                f,
                "{} already says `{}` about the current {}; nothing to do",
                self.path, self.comment, self.signed_file
            ),
            outcome => {
                write!(
                    f,
                    "signed {} with key {}: `{}`\nwrote {}",
                    self.signed_file, self.key, self.comment, self.path
                )?;
                if let Outcome::Replaced(earlier) = outcome {
                    match earlier {
                        Some(s) => write!(f, "; it replaces your earlier {s}")?,
                        None => write!(f, "; it replaces your earlier statement")?,
                    }
                    write!(f, " (git history keeps it)")?;
                }
                write!(f, "\nnext: commit {} in a pull request", self.path)
            }
        }
    }
}

fn said_text(s: &Said) -> String {
    match &s.argument {
        Some(a) => format!("{} `{a}`", s.verb),
        None => s.verb.to_string(),
    }
}

/// Signs the current bytes of `signed_file` with `signer`, saying `pnyx/1 <verb> [argument]`,
/// and writes the statement at `statement_path` (both from the root), replacing the key's
/// earlier statement there. The path must be the place of such a statement by this key about
/// that file (checked with [`statement::place`]), and the result is verified before it is
/// written.
pub fn write_statement(
    root: &Path,
    signer: &Signer,
    signed_file: &str,
    statement_path: &str,
    verb: Verb,
    argument: Option<&str>,
) -> anyhow::Result<Written> {
    let place = statement::place(statement_path)
        .map_err(|m| anyhow::anyhow!("{statement_path} is not a statement's place: {m}"))?;
    anyhow::ensure!(
        place.key == signer.id,
        "{statement_path} names key {}, not the signer {}",
        place.key,
        signer.id
    );
    anyhow::ensure!(
        place.signed_file() == signed_file,
        "{statement_path} is about {}, not {signed_file}",
        place.signed_file()
    );
    anyhow::ensure!(
        place.allowed().contains(&verb),
        "a `{verb}` statement does not belong at {statement_path}"
    );
    if let Some(a) = argument {
        if a.trim() != a || a.is_empty() || a.chars().any(char::is_control) {
            return Err(mistake(
                format!("`{a}` cannot be said in a statement"),
                "give it on one line, without leading or trailing spaces",
            ));
        }
    }
    let comment = statement::comment(verb, signed_file, argument);
    let said = statement::parse_comment(&comment).map_err(|m| mistake(m, ""))?;
    anyhow::ensure!(
        said.verb == verb
            && said.target.as_deref() == Some(signed_file)
            && said.argument.as_deref() == argument,
        "`{comment}` does not read back as written"
    );

    let target = root.join(signed_file);
    let bytes = match std::fs::read(&target) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(mistake(
                format!("{signed_file} does not exist"),
                "check the name, and that you are on the branch that has it",
            ))
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {signed_file}")),
    };

    let keys = BTreeMap::from([(signer.id, signer.public.clone())]);
    let versions = BTreeMap::from([(
        signed_file.to_string(),
        vec![FileVersion {
            bytes: bytes.clone(),
            blob: crate::load::history::blob_id(&bytes),
            commit: None,
        }],
    )]);
    let out = root.join(statement_path);
    let outcome = match std::fs::read_to_string(&out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::New,
        Err(e) => return Err(e).with_context(|| format!("cannot read {statement_path}")),
        Ok(text) => {
            let existing = StatementFile {
                path: statement_path.to_string(),
                text: text.clone(),
            };
            match verdict::verify(&existing, &keys, &versions) {
                // A statement in the older form, which does not name its target, says the
                // same: keeping it keeps its date.
                Ok(v) if v.said.verb == said.verb && v.said.argument == said.argument => Outcome::Unchanged,
                _ => Outcome::Replaced(
                    minisign::SignatureBox::from_string(&text)
                        .ok()
                        .and_then(|b| b.trusted_comment().ok())
                        .and_then(|c| statement::parse_comment(&c).ok())
                        .map(|s| said_text(&s)),
                ),
            }
        }
    };
    let written = Written {
        path: statement_path.to_string(),
        signed_file: signed_file.to_string(),
        comment: comment.clone(),
        key: signer.id,
        outcome,
    };
    if written.outcome == Outcome::Unchanged {
        return Ok(written);
    }

    let untrusted = format!("signature from pnyx key {}", signer.id);
    let text = minisign::sign(
        Some(&signer.public.key),
        &signer.secret,
        Cursor::new(&bytes),
        Some(&comment),
        Some(&untrusted),
    )
    .map_err(|e| anyhow::anyhow!("cannot sign {signed_file}: {e}"))?
    .into_string();
    let fresh = StatementFile {
        path: statement_path.to_string(),
        text: text.clone(),
    };
    match verdict::verify(&fresh, &keys, &versions) {
        Ok(v) if v.said == said && v.version == 0 => {}
        Ok(v) => anyhow::bail!("the new statement reads back as `{}`", said_text(&v.said)),
        Err((_, reason)) => anyhow::bail!("the new statement does not verify: {reason}"),
    }
    replace_file(&out, text.as_bytes())?;
    Ok(written)
}

// ---------------------------------------------------------------------------------------------
// The commands.

/// One act of a citizen, as typed on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// `pnyx sign <initiative>`.
    Support(String),
    /// `pnyx withdraw <initiative>`.
    Withdraw(String),
    /// `pnyx vote <vote|budget> <choice>`.
    Vote {
        /// The vote or budget, as typed.
        vote: String,
        /// The ballot, as typed.
        choice: String,
    },
    /// `pnyx register <meeting>`.
    Register(String),
    /// `pnyx register <meeting> --withdraw`.
    Unregister(String),
    /// `pnyx certify <KEYID>`.
    Certify(String),
    /// `pnyx revoke <KEYID>`.
    Revoke(String),
    /// `pnyx attest <kind>/<slug>/<batch> <N>`.
    Attest {
        /// `<kind>/<slug>/<batch>`.
        batch: String,
        /// How many paper signatures or ballots.
        count: u64,
    },
    /// `pnyx commit <sortition>`: a new secret, kept on this computer, and its SHA-256 signed.
    Commit(String),
    /// `pnyx reveal <sortition>`: the secret kept by `pnyx commit`, signed.
    Reveal(String),
}

/// An act resolved against the site, before the key is known.
#[derive(Debug, Clone)]
struct Plan {
    verb: Verb,
    argument: Option<String>,
    signed_file: String,
    /// The statement's path for a key.
    place: PlaceKind,
}

#[derive(Debug, Clone)]
enum PlaceKind {
    /// `signatures/<folder>/<slug>/<KEYID>.minisig`.
    Item { folder: &'static str, slug: String },
    /// `signatures/certifications/<SUBJECT>/<KEYID>.minisig`.
    Key(KeyId),
    /// `signatures/paper/<folder>/<slug>/<batch>.<KEYID>.minisig`.
    Paper {
        folder: &'static str,
        slug: String,
        batch: String,
    },
}

impl Plan {
    fn statement_path(&self, key: KeyId) -> String {
        match &self.place {
            PlaceKind::Item { folder, slug } => format!("signatures/{folder}/{slug}/{key}.minisig"),
            PlaceKind::Key(subject) => format!("signatures/certifications/{subject}/{key}.minisig"),
            PlaceKind::Paper { folder, slug, batch } => {
                format!("signatures/paper/{folder}/{slug}/{batch}.{key}.minisig")
            }
        }
    }
}

/// Stems of the files ending in `.ext` in `dir`, sorted.
fn stems(dir: &Path, ext: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stem = name.strip_suffix(ext)?.strip_suffix('.')?;
            (!stem.is_empty() && e.path().is_file()).then(|| stem.to_string())
        })
        .collect();
    out.sort();
    out
}

/// An item's slug from what was typed: `slug`, `slug.md` or `content/<folder>/slug.md`.
fn item(root: &Path, folder: &'static str, what: &str, typed: &str) -> anyhow::Result<String> {
    let prefix = format!("content/{folder}/");
    let slug = typed.trim();
    let slug = slug.strip_prefix(&prefix).unwrap_or(slug);
    let slug = slug.strip_suffix(".md").unwrap_or(slug);
    let known = stems(&root.join("content").join(folder), "md");
    if crate::slug::is_valid(slug) && known.iter().any(|k| k == slug) {
        return Ok(slug.to_string());
    }
    let create = format!("`pnyx new {folder} \"Title\"` makes one");
    let hint = suggest(&crate::slug::slugify(slug), &known, &format!("{what}s"), &create);
    Err(mistake(
        format!("there is no {what} `{typed}` (no {prefix}{slug}.md)"),
        hint,
    ))
}

/// A key id from what was typed (upper or lower case), whose `.pub` is in the site.
fn subject(root: &Path, typed: &str) -> anyhow::Result<KeyId> {
    let typed = typed.trim();
    let upper = typed.strip_suffix(".pub").unwrap_or(typed).to_ascii_uppercase();
    let upper = upper.rsplit('/').next().unwrap_or(&upper).to_string();
    let known = stems(&root.join("signatures").join("keys"), "pub");
    let Some(id) = KeyId::parse(&upper) else {
        return Err(mistake(
            format!("`{typed}` is not a key id"),
            format!(
                "a key id is 16 hexadecimal digits, as in signatures/keys/<KEYID>.pub; {}",
                suggest(&upper, &known, "keys", "")
            ),
        ));
    };
    if !known.contains(&upper) {
        return Err(mistake(
            format!("there is no key {id} in this site (no signatures/keys/{id}.pub)"),
            suggest(
                &upper,
                &known,
                "keys",
                "its owner adds it with `pnyx keygen` in a pull request",
            ),
        ));
    }
    Ok(id)
}

/// `<kind>/<slug>/<batch>` (or the batch file's path) → its parts, checked.
fn paper(root: &Path, typed: &str, count: u64) -> anyhow::Result<Plan> {
    let spec = typed.trim();
    let spec = spec.strip_prefix("signatures/paper/").unwrap_or(spec);
    let spec = spec.strip_suffix(".yaml").unwrap_or(spec);
    let usage = "name the batch as <kind>/<slug>/<batch>, for example \
                 `initiatives/gratuite-des-bus/marche-2026-11-28`, for the file \
                 signatures/paper/<kind>/<slug>/<batch>.yaml";
    let parts: Vec<&str> = spec.split('/').collect();
    let [kind, slug, batch] = parts.as_slice() else {
        return Err(mistake(format!("`{typed}` is not a paper batch"), usage));
    };
    let Some(folder) = statement::PAPER_FOLDERS.into_iter().find(|k| k == kind) else {
        return Err(mistake(
            format!("paper batches are for initiatives, votes and budgets, not `{kind}`"),
            usage,
        ));
    };
    let batch_ok = !batch.is_empty()
        && !batch.starts_with('.')
        && batch
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !crate::slug::is_valid(slug) || !batch_ok {
        return Err(mistake(format!("`{typed}` is not a paper batch"), usage));
    }
    let signed_file = format!("signatures/paper/{folder}/{slug}/{batch}.yaml");
    if !root.join(&signed_file).is_file() {
        let dir = root.join("signatures").join("paper").join(folder).join(slug);
        let batches = stems(&dir, "yaml");
        let hint = if root.join(format!("content/{folder}/{slug}.md")).is_file() {
            suggest(
                batch,
                &batches,
                "batches",
                "the collector writes the batch file (place, date, collector, count) first",
            )
        } else {
            let items = stems(&root.join("content").join(folder), "md");
            format!(
                "there is no content/{folder}/{slug}.md either; {}",
                suggest(slug, &items, folder, "")
            )
        };
        return Err(mistake(format!("{signed_file} does not exist"), hint));
    }
    if count == 0 {
        return Err(mistake(
            "attesting 0 signatures says nothing",
            "give the number of signatures or ballots you counted",
        ));
    }
    // A batch that states its count must agree with the attestation.
    let text = std::fs::read_to_string(root.join(&signed_file))
        .with_context(|| format!("cannot read {signed_file}"))?;
    if let Ok(serde_yaml::Value::Mapping(m)) = serde_yaml::from_str::<serde_yaml::Value>(&text) {
        if let Some(stated) = m.get("count").and_then(serde_yaml::Value::as_u64) {
            if stated != count {
                return Err(mistake(
                    format!("{signed_file} says `count: {stated}`, and you attest {count}"),
                    "count the sheets again; if the file is wrong, correct it first (then sign the corrected file)",
                ));
            }
        }
    }
    Ok(Plan {
        verb: Verb::Attest,
        argument: Some(count.to_string()),
        signed_file,
        place: PlaceKind::Paper {
            folder,
            slug: slug.to_string(),
            batch: batch.to_string(),
        },
    })
}

/// A ballot for a vote or a budget, checked against its options, its method's rules and its
/// dates before anything is signed: a ballot that would be refused is not written.
fn ballot(root: &Path, typed: &str, choice: &str) -> anyhow::Result<Plan> {
    use crate::tally::decide::ballot::{self, Form};
    let spec = typed.trim().trim_start_matches("content/");
    let (folder, what, rest) = if let Some(rest) = spec.strip_prefix("budgets/") {
        ("budgets", "participatory budget", rest)
    } else if let Some(rest) = spec.strip_prefix("votes/") {
        ("votes", "vote", rest)
    } else if root
        .join(format!("content/budgets/{}.md", spec.trim_end_matches(".md")))
        .is_file()
        && !root
            .join(format!("content/votes/{}.md", spec.trim_end_matches(".md")))
            .is_file()
    {
        ("budgets", "participatory budget", spec)
    } else {
        ("votes", "vote", spec)
    };
    let slug = item(root, folder, what, rest)?;
    let (content, diags) = crate::load::load_content(root);
    if !diags.is_empty() {
        return Err(mistake(
            format!(
                "the site's content has errors:\n{}",
                diags
                    .0
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            "fix them (`pnyx build` lists them all), then vote again",
        ));
    }
    let now = crate::dates::reference_now()?.timestamp();
    let tz = site(root)?.tz;
    let costs: Vec<u64>;
    let (opens, closes, options, form) = if folder == "votes" {
        let v = &content.votes[&slug].meta;
        let form = match v.method {
            crate::content::VoteMethod::Majority => Form::Single,
            crate::content::VoteMethod::Approval | crate::content::VoteMethod::Dates => Form::Approval,
            crate::content::VoteMethod::Ranked => Form::Ranked,
            crate::content::VoteMethod::Judgment => Form::Graded { grades: &v.grades },
        };
        let options: Vec<&str> = v.options.iter().map(|o| o.id.as_str()).collect();
        (v.opens, v.closes, options, form)
    } else {
        let b = &content.budgets[&slug].meta;
        let projects: Vec<&crate::content::Item<crate::content::Initiative>> = content
            .initiatives
            .values()
            .filter(|i| i.meta.budget.as_deref() == Some(slug.as_str()) && i.meta.cost.is_some())
            .collect();
        costs = projects.iter().map(|i| i.meta.cost.unwrap_or(0)).collect();
        let form = Form::Projects {
            costs: &costs,
            max_projects: b.max_projects,
            max_cost: b.max_cost,
        };
        let options: Vec<&str> = projects.iter().map(|i| i.slug.as_str()).collect();
        (b.opens, b.closes, options, form)
    };
    let signed_file = format!("content/{folder}/{slug}.md");
    if let Err(problem) = ballot::parse(form, &options, choice) {
        let mut hint = format!("the choices are: {}", options.join(", "));
        if let Form::Graded { grades } = form {
            hint.push_str(&format!("; the grades, best first: {}", grades.join(", ")));
            hint.push_str("; write `option=grade,option=grade`");
        }
        return Err(mistake(
            format!("this ballot for {signed_file} would not count: {problem}"),
            hint,
        ));
    }
    if now < opens.start(&tz).timestamp() {
        return Err(mistake(
            format!("{signed_file} opens on {opens}: a ballot cast before would not count"),
            "come back when it opens",
        ));
    }
    if now > closes.end(&tz).timestamp() {
        return Err(mistake(
            format!("{signed_file} closed on {closes}: a ballot cast now would not count"),
            "the result is on its page",
        ));
    }
    Ok(Plan {
        verb: Verb::Vote,
        argument: Some(choice.trim().to_string()),
        signed_file,
        place: PlaceKind::Item { folder, slug },
    })
}

fn plan(root: &Path, act: &Act) -> anyhow::Result<Plan> {
    let on_item = |verb, folder: &'static str, what: &str, typed: &str| -> anyhow::Result<Plan> {
        let slug = item(root, folder, what, typed)?;
        Ok(Plan {
            verb,
            argument: None,
            signed_file: format!("content/{folder}/{slug}.md"),
            place: PlaceKind::Item { folder, slug },
        })
    };
    let on_key = |verb, typed: &str| -> anyhow::Result<Plan> {
        let id = subject(root, typed)?;
        Ok(Plan {
            verb,
            argument: None,
            signed_file: format!("signatures/keys/{id}.pub"),
            place: PlaceKind::Key(id),
        })
    };
    match act {
        Act::Support(s) => on_item(Verb::Support, "initiatives", "initiative", s),
        Act::Withdraw(s) => on_item(Verb::Withdraw, "initiatives", "initiative", s),
        Act::Vote { vote, choice } => ballot(root, vote, choice),
        Act::Register(s) => on_item(Verb::Register, "meetings", "meeting", s),
        Act::Unregister(s) => on_item(Verb::Withdraw, "meetings", "meeting", s),
        Act::Certify(k) => on_key(Verb::Certify, k),
        Act::Revoke(k) => on_key(Verb::Revoke, k),
        Act::Attest { batch, count } => paper(root, batch, *count),
        Act::Commit(s) => on_item(Verb::Commit, "sortitions", "sortition", s),
        Act::Reveal(s) => on_item(Verb::Reveal, "sortitions", "sortition", s),
    }
}

/// Where `pnyx commit` keeps the secret of `key` for the sortition `slug`, until `pnyx reveal`.
fn secret_path(slug: &str, key: KeyId) -> anyhow::Result<PathBuf> {
    Ok(pnyx_home()?.join("secrets").join(format!("{slug}.{key}.secret")))
}

/// The argument of a commitment or a reveal: a secret made once per sortition and key (so that
/// committing again does not change it), or the one kept.
fn secret_argument(root: &Path, plan: &Plan, key: KeyId) -> anyhow::Result<Option<String>> {
    let PlaceKind::Item { slug, .. } = &plan.place else {
        return Ok(plan.argument.clone());
    };
    if !matches!(plan.verb, Verb::Commit | Verb::Reveal) {
        return Ok(plan.argument.clone());
    }
    // A secret outside its period would not count: say so before anything is signed.
    let (content, _) = crate::load::load_content(root);
    let tz = site(root)?.tz;
    let Some(cr) = content
        .sortitions
        .get(slug)
        .and_then(|s| s.meta.seed.commit_reveal.clone())
    else {
        return Err(mistake(
            format!("the draw {slug} takes no members' secrets (it has no `seed.commit_reveal`)"),
            "its seed comes from the public sources on its page",
        ));
    };
    let now = crate::dates::reference_now()?.timestamp();
    let (commit_by, reveal_by) = (
        cr.commit_by.end(&tz).timestamp(),
        cr.reveal_by.end(&tz).timestamp(),
    );
    match plan.verb {
        Verb::Commit if now > commit_by => {
            return Err(mistake(
                format!(
                    "commitments to {slug} closed on {}: one made now would not count",
                    cr.commit_by
                ),
                "the draw's page says when its next draw is announced",
            ))
        }
        Verb::Reveal if now <= commit_by => {
            return Err(mistake(
                format!(
                    "commitments to {slug} are open until {}: a secret revealed before would not count",
                    cr.commit_by
                ),
                format!("reveal it after {} and by {}", cr.commit_by, cr.reveal_by),
            ))
        }
        Verb::Reveal if now > reveal_by => {
            return Err(mistake(
                format!(
                    "reveals for {slug} closed on {}: one made now would not count",
                    cr.reveal_by
                ),
                "the draw is computed from the secrets revealed in time",
            ))
        }
        _ => {}
    }
    let path = secret_path(slug, key)?;
    match plan.verb {
        Verb::Commit => {
            let secret = match std::fs::read_to_string(&path) {
                Ok(s) => s.trim().to_string(),
                Err(_) => {
                    let mut bytes = [0u8; 32];
                    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
                    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)
                            .with_context(|| format!("cannot create {}", dir.display()))?;
                    }
                    std::fs::write(&path, format!("{secret}\n"))
                        .with_context(|| format!("cannot keep the secret in {}", path.display()))?;
                    eprintln!(
                        "your secret is kept in {} until `pnyx reveal {slug}`",
                        path.display()
                    );
                    secret
                }
            };
            Ok(Some(crate::tally::sortition::count::hex_sha256(&secret)))
        }
        Verb::Reveal => match std::fs::read_to_string(&path) {
            Ok(s) => Ok(Some(s.trim().to_string())),
            Err(_) => Err(mistake(
                format!(
                    "no secret of key {key} for {slug} on this computer ({})",
                    path.display()
                ),
                format!(
                    "reveal from the computer where you ran `pnyx commit {slug}`, or copy that file here"
                ),
            )),
        },
        _ => Ok(plan.argument.clone()),
    }
}

/// Runs one act: checks the target, finds and opens the secret key, signs, writes.
pub fn act(root: &Path, secret_key: Option<&Path>, act: &Act) -> anyhow::Result<Written> {
    site(root)?;
    let plan = plan(root, act)?;
    let path = find_secret_key(secret_key)?;
    let signer = load_signer(root, &path)?;
    if let PlaceKind::Key(subject) = plan.place {
        if subject == signer.id {
            return Err(mistake(
                format!("key {subject} is your own: a key cannot {} itself", plan.verb),
                "ask other members to certify your key",
            ));
        }
    }
    let statement_path = plan.statement_path(signer.id);
    let argument = secret_argument(root, &plan, signer.id)?;
    let written = write_statement(
        root,
        &signer,
        &plan.signed_file,
        &statement_path,
        plan.verb,
        argument.as_deref(),
    )?;
    if plan.verb == Verb::Withdraw && written.outcome == Outcome::New {
        eprintln!(
            "note: you had signed nothing for {} in this copy of the site; the withdrawal is recorded anyway",
            plan.signed_file
        );
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_quote_any_name() {
        for name in [
            "Béatrice",
            "yes",
            "42",
            "a: b",
            "\"quoted\" \\ back",
            "#hash",
            "- dash",
        ] {
            let text = profile_text(name).unwrap();
            assert!(text.starts_with("name: \""), "{text}");
        }
    }

    #[test]
    fn resolves_paths_that_do_not_exist_yet() {
        let dir = std::env::temp_dir().canonicalize().unwrap();
        let p = canonical_lenient(&dir.join("no-such-dir/../x/./y.key")).unwrap();
        assert_eq!(p, dir.join("x/y.key"));
    }

    #[test]
    fn statement_paths_are_places_of_their_verb() {
        let key = KeyId(0x2F3240DF3C8A9906);
        let plans = [
            (
                Verb::Support,
                PlaceKind::Item {
                    folder: "initiatives",
                    slug: "bus".into(),
                },
                "content/initiatives/bus.md",
            ),
            (
                Verb::Register,
                PlaceKind::Item {
                    folder: "meetings",
                    slug: "pleniere".into(),
                },
                "content/meetings/pleniere.md",
            ),
            (
                Verb::Certify,
                PlaceKind::Key(KeyId(1)),
                "signatures/keys/0000000000000001.pub",
            ),
            (
                Verb::Attest,
                PlaceKind::Paper {
                    folder: "votes",
                    slug: "v".into(),
                    batch: "marche.2026".into(),
                },
                "signatures/paper/votes/v/marche.2026.yaml",
            ),
        ];
        for (verb, place, signed) in plans {
            let plan = Plan {
                verb,
                argument: None,
                signed_file: signed.into(),
                place,
            };
            let p = statement::place(&plan.statement_path(key)).unwrap();
            assert_eq!(p.key, key);
            assert_eq!(p.signed_file(), signed);
            assert!(p.allowed().contains(&verb));
        }
    }
}
