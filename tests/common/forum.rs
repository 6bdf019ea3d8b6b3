//! Members using the forum: asking, answering, voting, accepting.

use super::{Page, TestApp};

/// A question body long enough to pass the rules.
pub const DETAILS: &str = "I left my red widget outside overnight and it stopped working after the rain.";

impl TestApp {
    /// Asks a question from the ask form; returns the redirect response.
    pub async fn ask(&self, title: &str, tags: &str) -> Page {
        self.submit("/ask", "/ask", &[("title", title), ("body", DETAILS), ("tags", tags)]).await
    }

    /// Asks and returns the new question's canonical path.
    pub async fn ask_ok(&self, title: &str, tags: &str) -> String {
        let page = self.ask(title, tags).await;
        page.assert_status(303);
        page.header("location").expect("redirect to the question").to_owned()
    }

    /// Answers the question at `path` (its canonical path); returns the answer id.
    pub async fn answer(&self, path: &str, body: &str) -> i64 {
        let id = question_id(path);
        let page = self.submit(path, &format!("/questions/{id}/answers"), &[("body", body)]).await;
        page.assert_status(303);
        let location = page.header("location").expect("redirect to the answer");
        location.trim_start_matches("/a/").parse().expect("answer id")
    }

    /// Votes on a post from the question page at `path`.
    pub async fn vote(&self, path: &str, post_id: i64, value: &str) -> Page {
        self.submit(path, &format!("/posts/{post_id}/vote"), &[("value", value)]).await
    }
}

/// The id in a `/questions/{id}/{slug}` path.
pub fn question_id(path: &str) -> i64 {
    path.trim_start_matches("/questions/").split('/').next().and_then(|id| id.parse().ok()).expect("question id")
}
