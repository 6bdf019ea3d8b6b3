//! Hearing other nodes' commits on PostgreSQL: a thread with its own connection listens for the
//! page notices every writer sends (`changes::consumers::page_notices`) and drops this node's
//! copies of the pages they name, as a commit here would. A write on another node then shows
//! here within [`POLL_EVERY`] instead of at the end of the copies' lifetime. While the
//! connection is away, notices are missed: on connecting again every copy is judged stale.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::{PgConnection, RunQueryDsl};

use super::copies::Copies;
use crate::background_thread::BackgroundThread;
use crate::changes::consumers::page_notices::{PageNotice, CHANNEL};
use crate::changes::PublicPages;
use crate::config::DatabaseUrl;
use crate::db::pool::Manager;
use crate::db::DbConnection;
use crate::search::signal::Bell;

/// How often the thread reads the notices that arrived.
pub const POLL_EVERY: Duration = Duration::from_millis(100);
/// How often it asks the server whether the connection still stands: a server that vanished
/// without closing it sends nothing, which would look like a quiet site.
const CHECK_EVERY: Duration = Duration::from_secs(5);
/// How long it waits before connecting again.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// The listening thread; dropping it stops the thread.
#[derive(Debug)]
pub struct Listener {
    _thread: BackgroundThread,
}

impl Listener {
    /// Listens on `url`'s server for notices not signed with `origin` (this process's own).
    /// The first connection is made here, so the node listens before it serves a copy.
    pub(super) fn start(url: DatabaseUrl, origin: u64, copies: Arc<Copies>) -> std::io::Result<Self> {
        let first = connect(&url)
            .map_err(|error| tracing::warn!(%error, "cannot listen for other nodes' page notices yet; will try again"))
            .ok()
            .map(|conn| (conn, Instant::now()));
        let bell = Arc::new(Bell::default());
        let waker = Arc::clone(&bell);
        let thread = BackgroundThread::spawn("page-notices", bell, move |stop| {
            listen(first, &url, origin, &copies, stop, &waker);
        })?;
        Ok(Self { _thread: thread })
    }
}

fn listen(
    mut listening: Option<(PgConnection, Instant)>,
    url: &DatabaseUrl,
    origin: u64,
    copies: &Copies,
    stop: &AtomicBool,
    bell: &Bell,
) {
    let mut healthy = listening.is_some();
    while !stop.load(Ordering::Relaxed) {
        let seen = bell.generation();
        if listening.is_none() {
            match connect(url) {
                Ok(conn) => {
                    // Whatever was announced while no one listened is unknown: every copy goes.
                    copies.heard_pages([PublicPages::All]);
                    listening = Some((conn, Instant::now()));
                    tracing::info!("listening for other nodes' page notices again");
                    healthy = true;
                }
                Err(error) => {
                    if healthy {
                        tracing::warn!(%error, "cannot listen for other nodes' page notices; their writes show when copies expire");
                    }
                    healthy = false;
                    bell.wait_after(seen, RETRY_AFTER);
                    continue;
                }
            }
        }
        if let Some((conn, checked)) = listening.as_mut() {
            let heard = hear(conn, origin, copies).and_then(|()| {
                if checked.elapsed() < CHECK_EVERY {
                    return Ok(());
                }
                *checked = Instant::now();
                diesel::sql_query("SELECT 1").execute(conn).map(drop).map_err(|e| e.to_string())
            });
            if let Err(error) = heard {
                tracing::warn!(%error, "lost the connection that hears other nodes' page notices");
                healthy = false;
                listening = None;
                continue;
            }
        }
        bell.wait_after(seen, POLL_EVERY);
    }
}

/// A connection of its own (not the pool's: it stays open, listening).
fn connect(url: &DatabaseUrl) -> Result<PgConnection, String> {
    let DbConnection::Postgresql(mut conn) = Manager::new(url.clone()).open().map_err(|e| e.to_string())? else {
        return Err("page notices travel on PostgreSQL only".to_owned());
    };
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Applies the notices that arrived.
fn hear(conn: &mut PgConnection, origin: u64, copies: &Copies) -> Result<(), String> {
    for notification in conn.notifications_iter() {
        let notification = notification.map_err(|e| e.to_string())?;
        match PageNotice::decode(&notification.payload) {
            Some((from, _)) if from == origin => {}
            Some((_, notice)) => copies.heard_pages(notice.pages()),
            None => tracing::warn!(payload = %notification.payload, "an unreadable page notice was ignored"),
        }
    }
    Ok(())
}
