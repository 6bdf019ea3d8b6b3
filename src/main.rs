//! The `guidepost` binary: parses the command line, sets up logging, runs the command, and turns
//! any failure into one clear line on stderr and a non-zero exit.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use guidepost::cli::{self, Cli};
use tracing_subscriber::EnvFilter;

/// mimalloc returns freed memory to the system and keeps threads from hoarding it (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guidepost: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
