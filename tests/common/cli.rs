//! Running the real `guidepost` binary as an operator would, over a test database.

use std::process::{Command, Output, Stdio};

use super::TestDb;

/// The binary with a clean environment pointing at `db`.
pub fn guidepost(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guidepost"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GUIDEPOST_DATABASE_URL", db.url_string())
        .env("GUIDEPOST_DATA_DIR", db.dir.path())
        .env("GUIDEPOST_BASE_URL", "https://forum.example")
        .env("RUST_LOG", "info");
    cmd
}

/// Runs a command to the end with no input.
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run guidepost")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails unless the command failed with exactly one `guidepost: error:` line mentioning
/// `mentions`, and no panic or backtrace; returns the whole stderr.
#[track_caller]
pub fn assert_one_clear_error(output: &Output, mentions: &str) -> String {
    assert!(!output.status.success(), "expected failure, got success");
    let stderr = text(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("guidepost: error:")).collect();
    assert_eq!(errors.len(), 1, "expected one error line, got:\n{stderr}");
    assert!(errors[0].contains(mentions), "error line does not mention {mentions}: {}", errors[0]);
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "{stderr}");
    stderr
}
