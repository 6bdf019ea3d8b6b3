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
    // Log lines go to a thread of their own, which writes what has gathered in one go: at info a
    // busy node logs every request, and a write to stderr per line cost the node more CPU than
    // answering a question page from the page cache. Nothing is dropped (a full queue makes the
    // logging thread wait), and the lines are written out before the process ends.
    let (log_writer, log_flush) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        // A few seconds of a busy node's lines at most, so a stalled stderr holds little memory.
        .buffered_lines_limit(16_384)
        .thread_name("log-writer")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(log_writer)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let outcome = cli::run(cli).await;
    // The log's last lines come out before the error that ends the process.
    drop(log_flush);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guidepost: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
