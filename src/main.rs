//! The `pnyx` binary: parse the arguments, run one command, print errors, pick an exit code
//! (0 done, 1 problems in the site's content or the user's mistake, 2 could not run). Each
//! command lives in `pnyx::cmd`.

use std::process::ExitCode;

use clap::Parser;

use pnyx::cli::{Cli, Command, KeyArgs, ModerateAction};
use pnyx::cmd::check::report::printable;
use pnyx::cmd::{self, Failure, Outcome};
use pnyx::content::kinds::ModerationAction;
use pnyx::signing::Act;

/// jemalloc rather than the system's allocator: see Cargo.toml (docs/benchmarks.md measures it).
#[cfg(unix)]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                Failure::Content(text) => eprintln!("{}", printable(text.clone())),
                Failure::Mistake(e) | Failure::Other(e) => print_error(e),
            }
            ExitCode::from(failure.exit_code())
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

fn run(cli: Cli) -> Outcome {
    let root = cli.root;
    let key = |k: &KeyArgs| k.secret_key.clone();
    match cli.command {
        Command::Build { out } => cmd::build::run(&root, out),
        Command::Serve { port } => cmd::serve::run(&root, port),
        Command::New { kind, title } => cmd::new::run(&root, &kind, &title),
        Command::Keygen {
            name,
            no_password,
            secret_key,
        } => cmd::sign::run_keygen(
            &root,
            &pnyx::signing::KeygenOptions {
                name,
                no_password,
                secret_key,
            },
        ),
        Command::Sign { initiative, key: k } => {
            cmd::sign::run(&root, key(&k).as_deref(), Act::Support(initiative))
        }
        Command::Withdraw { initiative, key: k } => {
            cmd::sign::run(&root, key(&k).as_deref(), Act::Withdraw(initiative))
        }
        Command::Vote { vote, choice, key: k } => {
            cmd::sign::run(&root, key(&k).as_deref(), Act::Vote { vote, choice })
        }
        Command::Register {
            meeting,
            withdraw,
            key: k,
        } => {
            let act = if withdraw {
                Act::Unregister(meeting)
            } else {
                Act::Register(meeting)
            };
            cmd::sign::run(&root, key(&k).as_deref(), act)
        }
        Command::Certify { key_id, key: k } => {
            cmd::sign::run(&root, key(&k).as_deref(), Act::Certify(key_id))
        }
        Command::Revoke { key_id, key: k } => cmd::sign::run(&root, key(&k).as_deref(), Act::Revoke(key_id)),
        Command::Attest { batch, count, key: k } => {
            cmd::sign::run(&root, key(&k).as_deref(), Act::Attest { batch, count })
        }
        Command::Commit { sortition, key: k } => {
            cmd::sign::run(&root, key(&k).as_deref(), Act::Commit(sortition))
        }
        Command::Reveal { sortition, key: k } => {
            cmd::sign::run(&root, key(&k).as_deref(), Act::Reveal(sortition))
        }
        Command::Draw { sortition, verify } => cmd::draw::run(&root, &sortition, verify),
        Command::Newsletter { since, pole, out } => cmd::newsletter::run(&root, &since, pole.as_deref(), out),
        Command::Check {
            base,
            head,
            admin_review,
        } => cmd::check::run(&cmd::check::Options {
            root,
            base,
            head,
            admin_review,
        }),
        Command::Moderate {
            action,
            target,
            reason,
            key: k,
        } => {
            let action = match action {
                ModerateAction::Hide => ModerationAction::Hide,
                ModerateAction::Restore => ModerationAction::Restore,
            };
            cmd::moderate::run(&root, key(&k).as_deref(), action, &target, &reason)
        }
        Command::KeyId { file } => cmd::key_id::run(&file),
        Command::Codeowners => cmd::moderate::run_codeowners(&root),
        Command::Tally { json } => cmd::tally::run(&root, json),
    }
}
