//! Email: rendering messages into the durable `mail_outbox` table, and (in the worker) sending
//! them through a lettre transport chosen by `GUIDEPOST_MAIL_URL`.
//!
//! Services call [`Outbox::queue`] inside their transaction, which states the change; the change
//! feed wakes the worker after the commit so it sends at once instead of at its next poll. [`transport`] turns
//! `GUIDEPOST_MAIL_URL` into a lettre transport; [`worker`] claims, sends and retries.
//! Nothing here sends mail inside a request or a transaction.

pub mod digest;
pub mod transport;
pub mod worker;

use std::sync::Arc;

use tera::Context;
use tokio::sync::Notify;

use crate::changes::{Change, Changes};
use crate::db::models::mail_outbox::{self, NewMail};
use crate::db::DbConnection;
use crate::services::unsubscribe::UnsubscribeKey;
use crate::services::{ServiceError, ServiceResult};
use crate::site_settings::LiveSettings;
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
    /// The settings in effect, whose site name (an admin may change it) wins over `site_name`.
    site_settings: Option<Arc<LiveSettings>>,
    base_url: String,
    wake: Arc<Notify>,
    unsubscribe_key: Option<UnsubscribeKey>,
}

impl Outbox {
    /// An outbox rendering with `templates`; links in mail start with `base_url`.
    pub fn new(templates: Arc<Templates>, site_name: &str, base_url: &str) -> Self {
        Self {
            templates,
            site_name: site_name.to_owned(),
            site_settings: None,
            base_url: base_url.to_owned(),
            wake: Arc::new(Notify::new()),
            unsubscribe_key: None,
        }
    }

    /// The same outbox, able to sign unsubscribe links (needed to queue notification mail).
    pub fn with_unsubscribe_key(mut self, key: UnsubscribeKey) -> Self {
        self.unsubscribe_key = Some(key);
        self
    }

    /// The same outbox, naming the site as its settings in effect do when a letter is written.
    pub fn with_site_settings(mut self, live: Arc<LiveSettings>) -> Self {
        self.site_settings = Some(live);
        self
    }

    /// The public one-click unsubscribe URL for a user.
    pub fn unsubscribe_url(&self, user_id: i64) -> ServiceResult<String> {
        let key = self
            .unsubscribe_key
            .as_ref()
            .ok_or_else(|| ServiceError::Internal("the outbox has no unsubscribe key".to_owned()))?;
        Ok(format!("{}/unsubscribe/{}", self.base_url, key.token(user_id)))
    }

    /// The site's public URL, for links in mail.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Renders a letter and queues it; call inside the change feed's transaction of the change
    /// that causes it, whose `changes` then say that mail is waiting.
    pub fn queue(&self, conn: &mut DbConnection, changes: &mut Changes, letter: Letter<'_>) -> ServiceResult<()> {
        self.queue_with_headers(conn, letter, &[])?;
        changes.push(Change::MailQueued);
        Ok(())
    }

    /// Like [`Outbox::queue`], adding header lines (e.g. `List-Unsubscribe`) to the message. For
    /// callers whose own change (or own wake-up) already tells the worker.
    pub fn queue_with_headers(
        &self,
        conn: &mut DbConnection,
        letter: Letter<'_>,
        headers: &[(&str, String)],
    ) -> ServiceResult<()> {
        let mut context = letter.context;
        match &self.site_settings {
            Some(live) => context.insert("site_name", &live.current().site_name),
            None => context.insert("site_name", &self.site_name),
        }
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
        let mail = NewMail {
            to_address: letter.to,
            subject: &letter.subject,
            text_body: &text,
            html_body: &html,
            created_at: now,
            next_attempt_at: now,
        };
        if headers.is_empty() {
            mail_outbox::insert(conn, &mail)?;
        } else {
            let map: serde_json::Map<String, serde_json::Value> =
                headers.iter().map(|(name, value)| ((*name).to_owned(), value.clone().into())).collect();
            mail_outbox::insert_with_headers(conn, &mail, &serde_json::Value::Object(map).to_string())?;
        }
        Ok(())
    }

    /// The site's outbox: its name and address in every letter, and unsubscribe links signed with
    /// the cookie key derived from `secret` (as the web layer derives it, so the links verify).
    pub fn for_site(config: &crate::config::Config, templates: Arc<Templates>, secret: &[u8]) -> Self {
        let cookie_key = actix_web::cookie::Key::derive_from(secret);
        Self::new(templates, &config.site_name, config.base_url_str())
            .with_unsubscribe_key(UnsubscribeKey::derive(cookie_key.signing()))
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
