//! The command line, with clap: each flag's doc comment is its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// pnyx: a civic-participation platform. Everything the council produces lives in a git
/// repository; pnyx turns it into a website with live tallies that anyone can recompute.
#[derive(Debug, Parser)]
#[command(name = "pnyx", version, about, long_about = None)]
pub struct Cli {
    /// The site's folder (the one with pnyx.yaml).
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the content, then write the site to the output folder (replaced atomically).
    Build {
        /// Output folder [default: ROOT/public].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build in memory, serve on 127.0.0.1, rebuild on every change and reload the open
    /// pages. `public/` is not touched: run `pnyx build` to publish.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 8000)]
        port: u16,
    },
    /// Create a new item from a template: `pnyx new initiative "Gratuité des bus"`.
    New {
        /// poles, groups, initiatives, debates, meetings, minutes, votes, budgets, sortitions, pages.
        kind: String,
        /// The title; the file name is made from it.
        title: String,
    },
    /// Make your minisign key pair: the public key goes into the site
    /// (signatures/keys/KEYID.pub), the secret key stays outside it ($PNYX_HOME/keys/KEYID.key,
    /// ~/.config/pnyx/keys/ by default). The password is asked twice, or read from
    /// PNYX_PASSWORD.
    Keygen {
        /// The name shown for your key on the site (written to signatures/keys/KEYID.yaml).
        #[arg(long)]
        name: Option<String>,
        /// Leave the secret key without a password (anyone who copies the file can sign as you).
        #[arg(long)]
        no_password: bool,
        /// Where to write the secret key, outside the site [default: $PNYX_HOME/keys/KEYID.key].
        #[arg(long, value_name = "PATH")]
        secret_key: Option<PathBuf>,
    },
    /// Support an initiative: sign content/initiatives/SLUG.md (pnyx/1 support).
    Sign {
        /// The initiative's slug, as in content/initiatives/SLUG.md.
        initiative: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Vote: sign content/votes/SLUG.md or content/budgets/SLUG.md (pnyx/1 vote CHOICE). Voting
    /// again replaces your ballot.
    Vote {
        /// The vote or participatory budget, as SLUG (or votes/SLUG, budgets/SLUG).
        vote: String,
        /// Your ballot: `yes`, `no` or `abstain`; `a,b,c` (approval, dates, budgets);
        /// `b>a>c` (ranked, `=` for a tie); `a=good,b=poor` (judgment).
        choice: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Take your support of an initiative back (pnyx/1 withdraw).
    Withdraw {
        /// The initiative's slug, as in content/initiatives/SLUG.md.
        initiative: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Register for a meeting: sign content/meetings/SLUG.md (pnyx/1 register); with
    /// --withdraw, take the registration back (pnyx/1 withdraw) and free the seat.
    Register {
        /// The meeting's slug, as in content/meetings/SLUG.md.
        meeting: String,
        /// Take your registration back instead: the first one on the waiting list gets the seat.
        #[arg(long)]
        withdraw: bool,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Vouch for another person's key: sign signatures/keys/KEYID.pub (pnyx/1 certify).
    Certify {
        /// The key id, as in signatures/keys/KEYID.pub.
        key_id: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Take your certification of a key back (pnyx/1 revoke).
    Revoke {
        /// The key id, as in signatures/keys/KEYID.pub.
        key_id: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Vouch for N signatures or ballots collected on paper: sign
    /// signatures/paper/KIND/SLUG/BATCH.yaml (pnyx/1 attest N).
    Attest {
        /// The batch as KIND/SLUG/BATCH, KIND being initiatives, votes or budgets.
        batch: String,
        /// How many paper signatures or ballots you counted in it.
        count: u64,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Add your secret to a sortition's seed: keep a new random secret on this computer and
    /// sign its SHA-256 (pnyx/1 commit HASH). Reveal it later with `pnyx reveal`.
    Commit {
        /// The sortition's slug, as in content/sortitions/SLUG.md.
        sortition: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Reveal the secret you committed to, once commitments are closed (pnyx/1 reveal SECRET).
    Reveal {
        /// The sortition's slug, as in content/sortitions/SLUG.md.
        sortition: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Compute a sortition and print every step (pool, seed, hashes, picks), or check with
    /// --verify that the published `result` is what the draw gives (exit 1 when it is not).
    Draw {
        /// The sortition's slug, as in content/sortitions/SLUG.md.
        sortition: String,
        /// Compare the recomputed selection with the `result` published in the sortition.
        #[arg(long)]
        verify: bool,
    },
    /// A digest of what changed after a commit of the branch or a date: an e-mail ready to
    /// send (.eml, text and HTML) and its copy for the site's archive (content/newsletters/).
    Newsletter {
        /// Where the letter starts: a date (YYYY-MM-DD) or a commit of the branch.
        #[arg(long, value_name = "REV|DATE")]
        since: String,
        /// Only the news of this pole (its slug).
        #[arg(long)]
        pole: Option<String>,
        /// Where to write the e-mail [default: newsletter-DATE.eml here].
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// The pull-request gate: compare the work tree (or --head) with --base and report every
    /// problem (exit 1): a broken content rule, a statement that does not verify, another key's
    /// statement changed, a contribution edited by someone else than its author, a protected
    /// path without an admin's review. Also says what the change does to the tallies.
    Check {
        /// The revision to compare with [default: the branch of pnyx.yaml, or origin/BRANCH].
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Check this revision instead of the work tree.
        #[arg(long, value_name = "REV")]
        head: Option<String>,
        /// An admin reviews this change: protected paths (outside content/, signatures/ and
        /// static/) and trust roots may change. check.yml passes it for the label `admin`.
        #[arg(long)]
        admin_review: bool,
    },
    /// Hide or restore a content file, as a moderator: writes
    /// content/moderation/DATE-ACTION-NAME.md and signs it (pnyx/1 moderate). The text stays in
    /// git history; the site shows a notice where it stood and lists the decision.
    Moderate {
        /// `hide` or `restore`.
        action: ModerateAction,
        /// The content file, from the site's root (content/debates/SLUG/03-name.md).
        target: String,
        /// Why, in a sentence: it is published on the moderation log.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Print the key id of a minisign public key file (read from the key itself, all 16
    /// digits), and where the site expects the key: signatures/keys/KEYID.pub.
    KeyId {
        /// The public key file, as `pnyx keygen` or `minisign -G` wrote it.
        file: PathBuf,
    },
    /// Write .github/CODEOWNERS from roles.yaml: admins own everything but content/,
    /// signatures/ and static/ (moderators) and the trust roots' keys (admins again).
    Codeowners,
    /// The tallies on the terminal: supporters of each initiative (members, others, paper,
    /// total, goal, late, withdrawn), members, meeting registrations.
    Tally {
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
}

/// What a moderation decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModerateAction {
    /// Hide the content; a notice stands in its place.
    Hide,
    /// Show it again.
    Restore,
}

/// Which secret key signs.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// Your secret key [default: PNYX_SECRET_KEY, else the only key in $PNYX_HOME/keys/, else
    /// ~/.minisign/minisign.key]. Its public key must be in signatures/keys/.
    #[arg(long, value_name = "PATH")]
    pub secret_key: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
