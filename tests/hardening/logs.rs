//! What reaches the log: no query strings, and no error events for ordinary refusals.

use std::io::Write;
use std::sync::{Arc, Mutex};

use guidepost::roles::Role;

use crate::common::TestApp;
use crate::hardening::signed_in;

/// Everything logged while the test runs, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn queries_and_refusals_stay_out_of_the_log(app: TestApp) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    // A sign-in redirect, a 404, a 403 and a refused form, each with a secret in the query.
    app.get("/settings?token=hunter2-secret").await.assert_status(303);
    app.get("/no/such/page?token=hunter2-secret").await.assert_status(404);
    fred.get("/staff/queue?token=hunter2-secret").await.assert_status(403);
    fred.submit("/ask", "/ask?token=hunter2-secret", &[("title", "short")]).await.assert_status(422);

    let log = captured.text();
    assert!(log.contains("request"), "nothing was captured:\n{log}");
    assert!(!log.contains("hunter2"), "a query string reached the log:\n{log}");
    for line in log.lines() {
        assert!(!line.contains("ERROR") && !line.contains("WARN"), "an ordinary refusal was logged as a fault: {line}");
    }
}

crate::on_both_backends!(queries_and_refusals_stay_out_of_the_log);
