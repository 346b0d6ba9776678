//! The `pnyx` binary: parse the arguments, run one command, print errors, pick an exit code
//! (0 done, 1 problems in the site's content, 2 could not run).

use std::process::ExitCode;

use clap::Parser;

use pnyx::build::{self, BuildError, BuildOptions};
use pnyx::cli::{Cli, Command, KeyArgs};
use pnyx::gate::report::printable;
use pnyx::sign::Act;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Content(text)) => {
            eprintln!("{}", printable(text));
            ExitCode::from(1)
        }
        Err(Failure::Mistake(e)) => {
            print_error(&e);
            ExitCode::from(1)
        }
        Err(Failure::Other(e)) => {
            print_error(&e);
            ExitCode::from(2)
        }
    }
}

/// An error and its causes; under GitHub Actions, no line of it can read as a workflow
/// command (a cause may quote a file name).
fn print_error(e: &anyhow::Error) {
    let shown = |s: String| printable(s);
    eprintln!("error: {}", shown(e.to_string()));
    for cause in e.chain().skip(1) {
        eprintln!("  because: {}", shown(cause.to_string()));
    }
}

enum Failure {
    Content(String),
    /// A mistake the user can fix (a wrong name, a missing key), with what to do next.
    Mistake(anyhow::Error),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<BuildError> for Failure {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Content(d) => Failure::Content(d.to_string()),
            BuildError::Other(e) => Failure::Other(e),
        }
    }
}

/// Sorts the signing commands' errors: the user's mistakes (exit 1) from failures to run (2).
fn signing(e: anyhow::Error) -> Failure {
    if pnyx::sign::is_mistake(&e) {
        Failure::Mistake(e)
    } else {
        Failure::Other(e)
    }
}

/// Runs one signed act and says what it wrote: the path on stdout, the rest on stderr.
fn act(root: &std::path::Path, key: KeyArgs, act: Act) -> Result<(), Failure> {
    let written = pnyx::sign::act(root, key.secret_key.as_deref(), &act).map_err(signing)?;
    println!("{}", written.path);
    eprintln!("{written}");
    Ok(())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let root = cli.root;
    match cli.command {
        Command::Build { out } => {
            let mut opts = BuildOptions::new(&root);
            if let Some(out) = out {
                opts.out = out;
            }
            let report = build::build(&opts)?;
            eprintln!(
                "built {} pages ({} files) in {} ms → {}",
                report.pages,
                report.files,
                report.elapsed.as_millis(),
                opts.out.display()
            );
            Ok(())
        }
        Command::Serve { port } => {
            pnyx::serve::serve(BuildOptions::new(&root), port)?;
            Ok(())
        }
        Command::New { kind, title } => {
            let settings = pnyx::load::load_settings(&root).map_err(|d| Failure::Content(d.to_string()))?;
            let hints = pnyx::new::Hints::from_content(&pnyx::load::load_content(&root).0);
            let today = pnyx::new::today(&settings.tz);
            let path = pnyx::new::create(&root, &kind, &title, &today, &hints)?;
            println!("{}", path.display());
            eprintln!(
                "created {}; edit it, then run `pnyx build` to check it",
                path.display()
            );
            Ok(())
        }
        Command::Keygen {
            name,
            no_password,
            secret_key,
        } => {
            let opts = pnyx::sign::KeygenOptions {
                name,
                no_password,
                secret_key,
            };
            let made = pnyx::sign::keygen(&root, &opts).map_err(signing)?;
            println!("{made}");
            Ok(())
        }
        Command::Sign { initiative, key } => act(&root, key, Act::Support(initiative)),
        Command::Withdraw { initiative, key } => act(&root, key, Act::Withdraw(initiative)),
        Command::Vote { vote, choice, key } => act(&root, key, Act::Vote { vote, choice }),
        Command::Register { meeting, key } => act(&root, key, Act::Register(meeting)),
        Command::Certify { key_id, key } => act(&root, key, Act::Certify(key_id)),
        Command::Revoke { key_id, key } => act(&root, key, Act::Revoke(key_id)),
        Command::Attest { batch, count, key } => act(&root, key, Act::Attest { batch, count }),
        Command::Commit { sortition, key } => act(&root, key, Act::Commit(sortition)),
        Command::Reveal { sortition, key } => act(&root, key, Act::Reveal(sortition)),
        Command::Draw { sortition, verify } => {
            let now = pnyx::dates::reference_now()?;
            let report = pnyx::sortition::report::draw(&root, &sortition, now).map_err(signing)?;
            print!("{}", report.text);
            if verify {
                match report.verdict {
                    pnyx::sortition::report::Verdict::Matches => {
                        eprintln!("verified: the published result is what the draw gives");
                        Ok(())
                    }
                    v => Err(Failure::Content(v.explain(&sortition))),
                }
            } else {
                Ok(())
            }
        }
        Command::Check {
            base,
            head,
            admin_review,
        } => {
            let opts = pnyx::gate::Options {
                root,
                base,
                head,
                admin_review,
            };
            let report = pnyx::gate::check(&opts)?;
            pnyx::gate::report::emit(&report)?;
            let problems = pnyx::gate::report::problems(&report);
            if report.passed() {
                eprintln!("{problems}");
                Ok(())
            } else {
                Err(Failure::Content(problems))
            }
        }
        Command::Moderate {
            action,
            target,
            reason,
            key,
        } => {
            let action = match action {
                pnyx::cli::ModerateAction::Hide => pnyx::content::kinds::ModerationAction::Hide,
                pnyx::cli::ModerateAction::Restore => pnyx::content::kinds::ModerationAction::Restore,
            };
            let done = pnyx::moderate::moderate(&root, key.secret_key.as_deref(), action, &target, &reason)
                .map_err(signing)?;
            println!("{}", done.entry);
            println!("{}", done.statement.path);
            eprintln!(
                "wrote the decision {} and signed it: {}\nnext: commit both files in a pull request; once merged, the site shows a notice where {target} stood",
                done.entry, done.statement.path
            );
            Ok(())
        }
        Command::Codeowners => {
            let owners = pnyx::moderate::codeowners(&root).map_err(signing)?;
            let path = &owners.path;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(anyhow::Error::from)?;
            }
            std::fs::write(path, &owners.text).map_err(anyhow::Error::from)?;
            for (kind, key) in &owners.unnamed {
                eprintln!(
                    "warning: the {} {key} has no forge handle: add `forge: HANDLE` to signatures/keys/{key}.yaml",
                    kind.as_str()
                );
            }
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        Command::Tally { json } => {
            let now = pnyx::dates::reference_now()?;
            let summary = pnyx::summary::of_site(&root, now)?;
            if json {
                let text = serde_json::to_string_pretty(&summary).map_err(anyhow::Error::from)?;
                println!("{text}");
            } else {
                print!("{}", pnyx::summary::text(&summary));
            }
            Ok(())
        }
    }
}
