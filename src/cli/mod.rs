//! The command line: `guidepost serve | migrate | user ... | import ... | seed | reindex | backup |
//! restore | mail test | badges`.
//!
//! Commands return `anyhow::Result`; `main` prints the error as one line and exits non-zero.

mod backup;
mod badges;
mod import;
mod mail;
mod reindex;
mod seed;
mod serve;
mod user;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::config::{self, Config, Overrides};
use crate::db::{self, migrations, DbPool};
use crate::roles::Role;

/// Guidepost: a fast, safe Q&A forum that works as a company's distributed FAQ.
#[derive(Debug, Parser)]
#[command(name = "guidepost", version, propagate_version = true)]
pub struct Cli {
    /// Read settings from this TOML file (environment variables and flags override it).
    #[arg(long, global = true, value_name = "FILE", env = "GUIDEPOST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://PATH (default: sqlite://DATA_DIR/guidepost.db) or postgres://...
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Folder for runtime data (SQLite file, search index, secret key, mail).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (applies pending migrations first unless told not to).
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Manage user accounts.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import content from elsewhere.
    Import {
        /// What to import.
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Generate a deterministic synthetic site (for demos and benchmarks).
    Seed(SeedArgs),
    /// Rebuild this node's search index from the database, then switch to it (the site keeps
    /// answering searches meanwhile).
    Reindex,
    /// Write the whole site into one compressed archive, while it serves and takes writes (safe
    /// to run from cron); `restore` reads it back into either backend.
    Backup {
        /// Where to write the archive (replaced once the new one is complete).
        file: PathBuf,
        /// Include the site's secret key, so restored sessions and signed links stay valid. Off
        /// by default: whoever holds the key can forge sign-in cookies.
        #[arg(long)]
        include_secret_key: bool,
    },
    /// Fill an empty database (SQLite or PostgreSQL) from an archive written by `backup`, then
    /// rebuild the search index. A damaged or truncated archive is refused and writes nothing.
    Restore {
        /// The archive to read.
        file: PathBuf,
    },
    /// Award the badges earned since the last run and recompute the community experts, once,
    /// now (a running server does this every half minute).
    Badges {
        /// Re-check every member and answer from scratch (after an import, or to repair).
        #[arg(long)]
        all: bool,
    },
    /// Check the mail settings.
    Mail {
        /// What to do with mail.
        #[command(subcommand)]
        command: MailCommand,
    },
}

/// Flags of `guidepost serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// The public URL of the site, e.g. https://support.example.com.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Do not apply pending migrations at start.
    #[arg(long)]
    pub no_migrate: bool,
}

/// `guidepost user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; without --password-stdin, prints a one-time link to choose a password.
    Create(CreateUserArgs),
    /// Give an existing user another role.
    SetRole {
        /// The user's username (any case).
        username: String,
        /// member, staff, moderator or admin.
        role: Role,
    },
    /// Give an account without a password (an imported author) an email address, and print a
    /// one-time link to choose a password. The admin page's Invite button mails it instead.
    Invite {
        /// The user's username (any case).
        username: String,
        /// The address the account gets; it counts as proven once the link is used.
        #[arg(long, value_name = "E")]
        email: String,
    },
    /// Make a personal API token for a user and print it (shown only this once), as the
    /// member's Settings page would: for provisioning an integration from a script.
    Token(TokenArgs),
    /// Print a one-time link, good for 15 minutes, where an admin signs in with their password
    /// while password sign-in is off (GUIDEPOST_PASSWORD_SIGN_IN=false) or the provider is down.
    BreakGlass {
        /// The admin's username or email address.
        login: String,
    },
}

/// Flags of `guidepost user token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The user's username (any case).
    pub username: String,
    /// What will use it, e.g. "help desk sync".
    #[arg(long)]
    pub name: String,
    /// Scopes, comma-separated: read, write, staff (staff only for staff).
    #[arg(long, value_delimiter = ',', default_value = "read")]
    pub scope: Vec<String>,
    /// Days until it stops working (default: never).
    #[arg(long, value_name = "DAYS")]
    pub expires_in_days: Option<i64>,
}

/// Flags of `guidepost seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many questions to create.
    #[arg(long, value_name = "N")]
    pub questions: u64,
    /// Answers per question, on average.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub answers_per_question: u32,
    /// Random seed: the same seed gives the same site.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
}

/// `guidepost import ...`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// An extracted Stack Exchange data dump (Posts.xml, Users.xml, Comments.xml, ...).
    Stackexchange {
        /// The folder holding the dump's XML files.
        dir: PathBuf,
        /// The site it comes from, for attribution (default: the folder's name when it is one).
        #[arg(long, value_name = "HOST")]
        site: Option<String>,
    },
}

/// `guidepost mail ...`
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Queue a test message and deliver it at once through GUIDEPOST_MAIL_URL.
    Test {
        /// The address to send the test message to.
        #[arg(long, value_name = "ADDRESS")]
        to: String,
    },
}

/// Flags of `guidepost user create`.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// 3-30 letters, digits, '_', '-' or '.'.
    #[arg(long)]
    pub username: String,
    /// The user's email address (treated as verified).
    #[arg(long)]
    pub email: String,
    /// member, staff, moderator or admin.
    #[arg(long, default_value = "member")]
    pub role: Role,
    /// Read the password from the first line of standard input instead of printing a link.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut overrides = Overrides { database_url: cli.database_url, data_dir: cli.data_dir, ..Overrides::default() };
    if let Command::Serve(args) = &cli.command {
        overrides.bind.clone_from(&args.bind);
        overrides.base_url.clone_from(&args.base_url);
        overrides.auto_migrate = args.no_migrate.then_some(false);
    }
    let config = Config::load(cli.config.as_deref(), &config::process_env(), overrides)?;
    match cli.command {
        Command::Serve(_) => serve::run(config).await,
        Command::Migrate => {
            let pool = open_database(&config)?;
            apply_migrations(&pool)?;
            Ok(())
        }
        Command::User { command } => {
            let pool = open_migrated_database(&config)?;
            user::run(&config, &pool, command)
        }
        Command::Import { command: ImportCommand::Stackexchange { dir, site } } => {
            let pool = open_migrated_database(&config)?;
            import::stackexchange(&config, &pool, &dir, site)
        }
        Command::Seed(args) => {
            let pool = open_migrated_database(&config)?;
            let options = crate::seed::SeedOptions {
                questions: args.questions,
                answers_per_question: args.answers_per_question,
                seed: args.seed,
            };
            seed::run(&config, &pool, options)
        }
        Command::Reindex => {
            let pool = open_migrated_database(&config)?;
            reindex::run(&config, &pool)
        }
        Command::Backup { file, include_secret_key } => {
            let pool = open_database(&config)?;
            backup::backup(&config, &pool, &file, include_secret_key)
        }
        Command::Restore { file } => {
            let pool = open_database(&config)?;
            backup::restore(&config, &pool, &file)
        }
        Command::Badges { all } => {
            let pool = open_migrated_database(&config)?;
            badges::run(&config, &pool, all)
        }
        Command::Mail { command } => {
            let pool = open_migrated_database(&config)?;
            mail::run(&config, &pool, command)
        }
    }
}

/// Connects to the configured database, failing fast with one clear line.
fn open_database(config: &Config) -> anyhow::Result<DbPool> {
    open_database_with(config, db::Checkpoints::Automatic)
}

/// [`open_database`], with SQLite's log copied back as `checkpoints` says (the server has a
/// thread of its own for it).
fn open_database_with(config: &Config, checkpoints: db::Checkpoints) -> anyhow::Result<DbPool> {
    db::connect_with(&config.database_url, config.db_pool_size, checkpoints).context("GUIDEPOST_DATABASE_URL")
}

/// Connects and, unless `GUIDEPOST_AUTO_MIGRATE=false`, applies pending migrations first, as
/// `serve` does: creating the first admin or filling a site must not need a separate `migrate`
/// on a fresh install.
fn open_migrated_database(config: &Config) -> anyhow::Result<DbPool> {
    let pool = open_database(config)?;
    if config.auto_migrate {
        apply_migrations(&pool)?;
    }
    Ok(pool)
}

/// Applies pending migrations and says what happened.
fn apply_migrations(pool: &DbPool) -> anyhow::Result<()> {
    let mut conn = pool.get().context("database")?;
    let applied = migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("migrating the database: {e}"))?;
    if applied.is_empty() {
        tracing::info!(backend = conn.backend_name(), "database schema is up to date");
    } else {
        tracing::info!(backend = conn.backend_name(), count = applied.len(), versions = ?applied, "applied migrations");
    }
    Ok(())
}

/// The change feed a command writes through: the same durable consumers as a running node, so
/// the search queue and watchers' notifications follow; the nodes' workers pick them up.
fn change_feed(config: &Config) -> anyhow::Result<crate::changes::ChangeFeed> {
    let assets = crate::web::assets::AssetStore::load(&config.assets_dir).context("GUIDEPOST_ASSETS_DIR")?;
    let templates = crate::templates::Templates::load(assets.urls()).context("loading templates")?;
    let (secret, _) = crate::secret::resolve(config)?;
    let outbox = crate::mail::Outbox::for_site(config, std::sync::Arc::new(templates), &secret);
    let settings = std::sync::Arc::new(crate::site_settings::LiveSettings::new(config));
    Ok(crate::changes::ChangeFeed::new(crate::changes::consumers::standard(&outbox, &settings, rand::random())))
}
