//! The `pnyx` binary: parse the arguments, run one command, print errors, pick an exit code
//! (0 done, 1 problems in the site's content, 2 could not run).

use std::process::ExitCode;

use clap::Parser;

use pnyx::build::{self, BuildError, BuildOptions};
use pnyx::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Content(text)) => {
            eprintln!("{text}");
            ExitCode::from(1)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  because: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

enum Failure {
    Content(String),
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
            let hints = match pnyx::load::load(&root) {
                Ok(site) => pnyx::new::Hints::from_content(&site.content),
                Err(_) => pnyx::new::Hints::default(),
            };
            let today = pnyx::new::today(&settings.tz);
            let path = pnyx::new::create(&root, &kind, &title, &today, &hints)?;
            println!("{}", path.display());
            eprintln!(
                "created {}; edit it, then run `pnyx build` to check it",
                path.display()
            );
            Ok(())
        }
    }
}
