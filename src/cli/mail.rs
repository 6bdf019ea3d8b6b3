//! `guidepost mail test`: checks the mail settings by queueing a test message and delivering it
//! at once, the way the server would, so an operator sees the real error if there is one.

use std::sync::Arc;

use anyhow::Context as _;
use tera::Context;

use super::MailCommand;
use crate::config::Config;
use crate::db::DbPool;
use crate::mail::{self, Letter, MailUrl, Outbox};
use crate::templates::Templates;
use crate::web::assets::AssetStore;

/// Runs a mail command.
pub fn run(config: &Config, pool: &DbPool, command: MailCommand) -> anyhow::Result<()> {
    match command {
        MailCommand::Test { to } => send_test(config, pool, &to),
    }
}

fn send_test(config: &Config, pool: &DbPool, to: &str) -> anyhow::Result<()> {
    let mail_url = MailUrl::parse(&config.mail_url)?;
    let transport = mail_url.transport()?;
    mail::parse_sender(&config.mail_from)?;
    to.parse::<lettre::Address>().map_err(|e| anyhow::anyhow!("--to: `{to}` is not an email address: {e}"))?;

    let assets = AssetStore::load(&config.assets_dir).context("GUIDEPOST_ASSETS_DIR")?;
    let templates = Templates::load(assets.urls()).context("loading templates")?;
    let outbox = Outbox::new(Arc::new(templates), &config.site_name, config.base_url_str());
    let letter = Letter {
        to,
        subject: format!("Test message from {}", config.site_name),
        template: "test_message",
        context: Context::new(),
    };
    let mut conn = pool.get().context("database")?;
    // Delivered below, by this command itself: nothing else needs to hear of it.
    outbox.queue(&mut conn, &mut crate::changes::Changes::default(), letter).context("queueing the test message")?;
    drop(conn);

    let report = mail::deliver_due(pool, &transport, &config.mail_from, chrono::Utc::now().naive_utc())?;
    if let Some(error) = report.last_error {
        anyhow::bail!(
            "{} of {} message(s) could not be sent through {mail_url}: {error} (they stay queued; \
             `guidepost serve` retries them)",
            report.retrying + report.gave_up,
            report.sent + report.retrying + report.gave_up,
        );
    }
    match report.sent {
        0 => println!("The test message was queued; another running node picked it up to send it."),
        1 => println!("Sent a test message to {to} through {mail_url}."),
        n => println!("Sent a test message to {to} through {mail_url}, with {} other queued message(s).", n - 1),
    }
    Ok(())
}
