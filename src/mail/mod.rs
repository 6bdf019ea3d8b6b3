//! Email: rendering messages into the durable `mail_outbox` table, and (in the worker) sending
//! them through a lettre transport chosen by `GUIDEPOST_MAIL_URL`.
//!
//! Services call [`Outbox::queue`] inside their transaction; handlers call [`Outbox::wake`] after
//! the commit so the worker sends at once instead of at its next poll. [`transport`] turns
//! `GUIDEPOST_MAIL_URL` into a lettre transport; [`worker`] claims, sends and retries.
//! Nothing here sends mail inside a request or a transaction.

pub mod transport;
pub mod worker;

use std::sync::Arc;

use tera::Context;
use tokio::sync::Notify;

use crate::db::models::mail_outbox::{self, NewMail};
use crate::db::DbConnection;
use crate::services::{ServiceError, ServiceResult};
use crate::templates::Templates;

pub use transport::{parse_sender, MailConfigError, MailUrl, Transport};
pub use worker::{deliver_due, MailWorker, Report};

/// A message to send: `templates/email/{template}.txt` and `.html`, rendered with `context`.
pub struct Letter<'a> {
    /// The recipient's address.
    pub to: &'a str,
    /// The subject line.
    pub subject: String,
    /// The template pair's name, without extension, e.g. `verify_email`.
    pub template: &'static str,
    /// The template variables; `site_name` and `base_url` are added.
    pub context: Context,
}

/// Renders and queues mail, and wakes the worker.
#[derive(Clone)]
pub struct Outbox {
    templates: Arc<Templates>,
    site_name: String,
    base_url: String,
    wake: Arc<Notify>,
}

impl Outbox {
    /// An outbox rendering with `templates`; links in mail start with `base_url`.
    pub fn new(templates: Arc<Templates>, site_name: &str, base_url: &str) -> Self {
        Self {
            templates,
            site_name: site_name.to_owned(),
            base_url: base_url.to_owned(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Renders a letter and queues it; call inside the transaction of the change that causes it.
    pub fn queue(&self, conn: &mut DbConnection, letter: Letter<'_>) -> ServiceResult<()> {
        let mut context = letter.context;
        context.insert("site_name", &self.site_name);
        context.insert("base_url", &self.base_url);
        context.insert("subject", &letter.subject);
        let render = |ext: &str| {
            self.templates
                .render(&format!("email/{}.{ext}", letter.template), &context)
                .map_err(|e| ServiceError::Internal(format!("rendering mail {}: {e}", letter.template)))
        };
        let text = render("txt")?;
        let html = render("html")?;
        let now = chrono::Utc::now().naive_utc();
        mail_outbox::insert(
            conn,
            &NewMail {
                to_address: letter.to,
                subject: &letter.subject,
                text_body: &text,
                html_body: &html,
                created_at: now,
                next_attempt_at: now,
            },
        )?;
        Ok(())
    }

    /// Tells the worker there is mail (call after the transaction committed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// What the worker waits on.
    pub fn wake_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }
}
