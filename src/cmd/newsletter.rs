//! `pnyx newsletter --since REV|DATE [--pole SLUG] [--out FILE]`: a digest of what changed
//! after a commit of the branch or a date, as an e-mail ready to send (`.eml`: a multipart
//! message with a plain-text and an HTML part, UTF-8, quoted-printable), and its copy for the
//! site's archive (`content/newsletters/<date>.md`, to commit). Sending is left to the
//! council's mailing list.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::error::mistake;

/// Where the letter starts: after this moment, with words for the reader.
struct Since {
    at: i64,
    words: String,
    /// As given, for the archive's `since:`.
    given: String,
}

/// `since` as a date (`2026-12-01`: from its midnight in the site's zone) or a revision of the
/// branch's first-parent history (from its settled date).
fn since(
    site: &crate::load::Site,
    root: &Path,
    given: &str,
    calendar: &crate::dates::Calendar,
) -> anyhow::Result<Since> {
    let tz = &site.settings.tz;
    if let Ok(day) = NaiveDate::parse_from_str(given, "%Y-%m-%d") {
        let midnight = tz
            .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or(0, |t| t.timestamp());
        return Ok(Since {
            at: midnight - 1,
            words: calendar.long_date(day),
            given: given.to_string(),
        });
    }
    let history = site.signatures.history.as_ref().ok_or_else(|| {
        mistake(
            format!("`{given}` is not a date, and the site has no git history to find it in"),
            "give a date as YYYY-MM-DD",
        )
    })?;
    let repo = git2::Repository::discover(root)?;
    let commit = repo
        .revparse_single(given)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            mistake(
                format!("`{given}` is neither a date nor a revision of this repository"),
                "give a date as YYYY-MM-DD, or a commit of the branch (a hash, a tag, `HEAD~3`)",
            )
        })?;
    let on_branch = history.commits.iter().find(|c| c.id == commit.id()).ok_or_else(|| {
        mistake(
            format!(
                "commit {} is not on the first-parent history of the branch `{}`",
                &commit.id().to_string()[..7],
                site.settings.config.branch
            ),
            "give a commit of the branch itself (a merge commit, not one inside a merged pull request), or a date",
        )
    })?;
    let day = tz
        .timestamp_opt(on_branch.time, 0)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default();
    Ok(Since {
        at: on_branch.time,
        words: format!("{} ({})", calendar.long_date(day), on_branch.short_id()),
        given: commit.id().to_string(),
    })
}

/// The `.eml` of `letter`: From and To the council's address (its mailing list sends it on).
fn eml(
    letter: &crate::render::letter::Letter,
    config: &crate::config::Config,
    host: &str,
    now: DateTime<Utc>,
    id: &str,
) -> anyhow::Result<Vec<u8>> {
    let address = config
        .email
        .clone()
        .unwrap_or_else(|| format!("newsletter@{host}"));
    let message = mail_builder::MessageBuilder::new()
        .from((config.title.as_str(), address.as_str()))
        .to((config.title.as_str(), address.as_str()))
        .subject(letter.subject.as_str())
        .date(now.timestamp())
        .message_id(format!("{id}@{host}"))
        .text_body(letter.text())
        .html_body(letter.html(config.language.code()));
    Ok(message.write_to_vec()?)
}

/// The archive copy: front matter and the letter in markdown.
fn archive(
    letter: &crate::render::letter::Letter,
    today: NaiveDate,
    since: &Since,
    pole: Option<&str>,
) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut front = format!(
        "---\ntitle: {}\ndate: {today}\nsince: {}\n",
        quote(&letter.subject),
        quote(&since.given)
    );
    if let Some(p) = pole {
        front.push_str(&format!("pole: {p}\n"));
    }
    format!("{front}---\n{}", letter.markdown())
}

/// `pnyx newsletter`.
pub fn run(root: &Path, since_arg: &str, pole: Option<&str>, out: Option<PathBuf>) -> super::Outcome {
    let now = crate::dates::reference_now()?;
    let site = crate::load::load(root, now).map_err(|d| super::Failure::Content(d.to_string()))?;
    let theme = crate::theme::Theme::load(root, &site.settings.config)
        .map_err(|d| super::Failure::Content(crate::error::Diagnostics(d).to_string()))?;
    if let Some(p) = pole {
        if !site.content.poles.contains_key(p) {
            let known: Vec<&str> = site.content.poles.keys().map(String::as_str).collect();
            return Err(mistake(
                format!("there is no pole `{p}`"),
                format!("poles are: {}", known.join(", ")),
            )
            .into());
        }
    }
    let since = since(&site, root, since_arg, &theme.calendar)?;
    let verified = crate::pipeline::verify_site(root, &site);
    let tallies = crate::pipeline::tally_site(&site, &verified, now);
    let letter = crate::render::newsletter(
        &site,
        &theme,
        now,
        &verified,
        &tallies,
        since.at,
        &since.words,
        pole,
    );
    if letter.is_empty() {
        eprintln!("nothing to tell since {}: no newsletter written", since.words);
        return Ok(());
    }
    let today = now.with_timezone(&site.settings.tz).date_naive();
    let name = match pole {
        Some(p) => format!("{today}-{p}"),
        None => today.to_string(),
    };
    let archive_rel = PathBuf::from("content/newsletters").join(format!("{name}.md"));
    let archive_path = root.join(&archive_rel);
    if archive_path.exists() {
        return Err(mistake(
            format!("{} already exists", archive_rel.display()),
            "a newsletter of that day is already in the archive: remove it first to write it again",
        )
        .into());
    }
    let host = site
        .settings
        .base_url
        .split_once("://")
        .map_or(site.settings.base_url.as_str(), |(_, r)| r)
        .split('/')
        .next()
        .unwrap_or("localhost")
        .to_string();
    let bytes = eml(
        &letter,
        &site.settings.config,
        &host,
        now,
        &format!("newsletter-{name}"),
    )?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("newsletter-{name}.eml")));
    std::fs::write(&out, bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    std::fs::create_dir_all(archive_path.parent().unwrap_or(root))
        .and_then(|()| std::fs::write(&archive_path, archive(&letter, today, &since, pole)))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", archive_path.display()))?;
    println!("{}", out.display());
    println!("{}", archive_rel.display());
    eprintln!(
        "next: send {} through the council's mailing list, then commit {} for the site's archive",
        out.display(),
        archive_rel.display()
    );
    Ok(())
}
