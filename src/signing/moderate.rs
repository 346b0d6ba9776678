//! What moderators and admins do by hand: a moderation decision written and signed
//! (`pnyx moderate`), and `roles.yaml` turned into `.github/CODEOWNERS` (`pnyx codeowners`), so
//! that the forge asks the right people to review each pull request.

use std::fmt::Write as _;
use std::path::Path;

use super::{self as sign, Written};
use crate::content::kinds::ModerationAction;
use crate::error::mistake;
use crate::load::roles::{RoleKind, ROLES_FILE};
use crate::signatures::keys::KeyId;
use crate::signatures::statement::Verb;

/// What `pnyx moderate` wrote.
#[derive(Debug)]
pub struct Decided {
    /// The decision file, from the root.
    pub entry: String,
    /// Its signature.
    pub statement: Written,
}

/// Writes `content/moderation/<date>-<action>-<stem>.md` hiding or restoring `target` for
/// `reason`, dated today, and signs it with the moderator's key. Refuses (and writes nothing)
/// when the target is not a content file or the key is not a moderator in term today.
pub fn moderate(
    root: &Path,
    secret_key: Option<&Path>,
    action: ModerationAction,
    target: &str,
    reason: &str,
) -> anyhow::Result<Decided> {
    let settings = sign::site(root)?;
    let target = target.trim().trim_start_matches("./").replace('\\', "/");
    let safe = target.starts_with("content/")
        && target.ends_with(".md")
        && !target.starts_with("content/moderation/")
        && !target.split('/').any(|p| p == ".." || p.is_empty());
    if !safe || !root.join(&target).is_file() {
        return Err(mistake(
            format!("`{target}` is not a content file of this site"),
            "give the path from the site's root, e.g. content/debates/SLUG/03-name.md (a contribution) or content/initiatives/SLUG.md",
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(mistake(
            "a moderation decision needs a reason",
            "say why with --reason \"…\", citing the charter when you can: it is published",
        ));
    }
    // The roles of roles.yaml and those drawn by lot (docs/sortition.md): what the build uses.
    let now = crate::dates::reference_now().unwrap_or_else(|_| chrono::Utc::now());
    let site = crate::load::load(root, now).map_err(|d| {
        mistake(
            format!("the site has problems:\n{d}"),
            "fix them first (`pnyx build` lists them)",
        )
    })?;
    let signer = sign::load_signer(root, &sign::find_secret_key(secret_key)?)?;
    let verified = crate::pipeline::verify_site(root, &site);
    let roles = crate::pipeline::tally_site(&site, &verified, now).roles;
    if !roles.holds(&signer.id, RoleKind::Moderator, now.timestamp(), &settings.tz) {
        return Err(mistake(
            format!("key {} is not a moderator in term today ({ROLES_FILE})", signer.id),
            "only a moderator's decision takes effect: ask a moderator, or an admin to add your term to roles.yaml (or draw moderators by lot: docs/sortition.md)",
        ));
    }
    let today = crate::dates::today(&settings.tz);
    let (verb, stem) = match action {
        ModerationAction::Hide => ("hide", "masquer"),
        ModerationAction::Restore => ("restore", "retablir"),
    };
    let target_stem = Path::new(&target)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("contenu")
        .to_string();
    let base = format!("{today}-{stem}-{target_stem}");
    let mut slug = base.clone();
    let mut n = 2;
    while root.join(format!("content/moderation/{slug}.md")).exists() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    let entry = format!("content/moderation/{slug}.md");
    let yaml_str = |s: &str| serde_yaml::to_string(s).map(|y| y.trim_end().to_string());
    let text = format!(
        "---\naction: {verb}\ntarget: {}\nreason: {}\ndate: {today}\n---\n",
        yaml_str(&target)?,
        yaml_str(reason)?
    );
    std::fs::create_dir_all(root.join("content/moderation"))?;
    std::fs::write(root.join(&entry), text)?;
    let statement_path = format!("signatures/moderation/{slug}/{}.minisig", signer.id);
    match sign::write_statement(root, &signer, &entry, &statement_path, Verb::Moderate, None) {
        Ok(statement) => Ok(Decided { entry, statement }),
        Err(e) => {
            // Nothing half-done: without its signature the entry would have no effect.
            let _ = std::fs::remove_file(root.join(&entry));
            Err(e)
        }
    }
}

/// What `pnyx codeowners` wrote, and whom it could not name.
#[derive(Debug)]
pub struct Owners {
    /// The file's text.
    pub text: String,
    /// Role holders in term without a forge handle in their profile.
    pub unnamed: Vec<(RoleKind, KeyId)>,
    /// Where it belongs: `.github/CODEOWNERS` at the root of the repository (the forge reads
    /// it nowhere else), which may be above the site's folder.
    pub path: std::path::PathBuf,
}

/// `.github/CODEOWNERS` from the roles in term at `now`: protected paths (everything but
/// `content/`, `signatures/` and `static/`, plus the trust roots' keys) to admins; content,
/// signatures and static files to moderators. Handles come from `signatures/keys/<KEYID>.yaml`
/// (`forge: name`). Only members of the web of trust are named.
pub fn codeowners(root: &Path) -> anyhow::Result<Owners> {
    let now = crate::dates::reference_now()?;
    let site = crate::load::load(root, now).map_err(|d| {
        mistake(
            format!("the site has problems:\n{d}"),
            "fix them first (`pnyx build` lists them)",
        )
    })?;
    let verified = crate::pipeline::verify_site(root, &site);
    let tallies = crate::pipeline::tally_site(&site, &verified, now);
    let tz = &site.settings.tz;
    let mut unnamed = Vec::new();
    let mut handles = |kind: RoleKind| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in tallies.roles.in_term(kind, now.timestamp(), tz) {
            if !tallies.trust.is_member(&t.key) {
                continue;
            }
            match site.signatures.keys.get(&t.key).and_then(|k| k.forge.clone()) {
                Some(h) => {
                    let h = format!("@{}", h.trim().trim_start_matches('@'));
                    if !out.contains(&h) {
                        out.push(h);
                    }
                }
                None => unnamed.push((kind, t.key)),
            }
        }
        out
    };
    let admins = handles(RoleKind::Admin);
    let moderators = handles(RoleKind::Moderator);
    if admins.is_empty() {
        return Err(mistake(
            "no admin in term with a forge handle: CODEOWNERS would let anyone approve changes to the configuration",
            "add an admin's term to roles.yaml and `forge: HANDLE` to their signatures/keys/KEYID.yaml",
        ));
    }
    // Patterns are relative to the repository: prefix them with the site's folder in it.
    let (repo_root, prefix) = match git2::Repository::discover(root)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
    {
        Some(workdir) => {
            let prefix = crate::load::history::site_prefix(&workdir, root)?;
            (
                workdir,
                if prefix.is_empty() {
                    prefix
                } else {
                    format!("{prefix}/")
                },
            )
        }
        None => (root.to_path_buf(), String::new()),
    };
    let moderators = if moderators.is_empty() {
        admins.clone()
    } else {
        moderators
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Written by `pnyx codeowners` from roles.yaml: do not edit by hand, run it again."
    );
    let _ = writeln!(
        text,
        "# The last matching line wins. Admins review everything that is not content;"
    );
    let _ = writeln!(
        text,
        "# moderators review content, signatures and static files; trust roots are the admins'."
    );
    let _ = writeln!(text, "*  {}", admins.join(" "));
    for dir in ["content", "signatures", "static"] {
        let _ = writeln!(text, "/{prefix}{dir}/  {}", moderators.join(" "));
    }
    for root_key in &site.settings.roots {
        let _ = writeln!(
            text,
            "/{prefix}signatures/keys/{root_key}.pub  {}",
            admins.join(" ")
        );
    }
    Ok(Owners {
        text,
        unnamed,
        path: repo_root.join(".github").join("CODEOWNERS"),
    })
}
