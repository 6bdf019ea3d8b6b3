//! The chat format: the event as a Slack-compatible incoming-webhook message (`text` for
//! notifications and clients without blocks, plus Block Kit `blocks` linking the question), which
//! Slack, Mattermost and Rocket.Chat accept.

use serde_json::{json, Value};

use crate::domain::WebhookEvent;

/// The chat body for a stored standard payload; `None` when the payload is not ours.
pub fn body(site_name: &str, payload: &str) -> Option<String> {
    let event: Value = serde_json::from_str(payload).ok()?;
    let kind = event.get("type").and_then(Value::as_str).and_then(WebhookEvent::from_stored)?;
    let data = event.get("data")?;
    let question = data.get("question");
    let title = question.and_then(|q| q.get("title")).and_then(Value::as_str).unwrap_or("a question");
    let url = data
        .get("answer")
        .and_then(|a| a.get("url"))
        .or_else(|| question.and_then(|q| q.get("url")))
        .and_then(Value::as_str);
    let lead = headline(kind);
    let link = match url {
        Some(url) => format!("<{}|{}>", escape(url), escape(title)),
        None => escape(title),
    };
    let text = if kind == WebhookEvent::Ping {
        format!("{}: a test message from {}.", escape(lead), escape(site_name))
    } else {
        format!("{}: {link}", escape(lead))
    };
    let message = json!({
        "text": text,
        "blocks": [
            { "type": "section", "text": { "type": "mrkdwn", "text": text } },
            { "type": "context", "elements": [ { "type": "mrkdwn", "text": format!("{} · `{}`", escape(site_name), kind.as_str()) } ] }
        ]
    });
    Some(message.to_string())
}

/// The words that open the message.
fn headline(kind: WebhookEvent) -> &'static str {
    match kind {
        WebhookEvent::QuestionAsked => "New question",
        WebhookEvent::AnswerPosted => "New answer",
        WebhookEvent::AnswerOfficial => "Official answer",
        WebhookEvent::AnswerAccepted => "Answer accepted",
        WebhookEvent::QuestionOverdue => "Still unanswered",
        WebhookEvent::QuestionClosed => "Question closed",
        WebhookEvent::FlagRaised => "Flag raised",
        WebhookEvent::Ping => "Webhook test",
    }
}

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters; a title must not close a link.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_the_question_with_an_escaped_title() {
        let payload = r#"{"type":"question.asked","timestamp":"2026-12-03T10:00:00Z","data":{"question":{"id":7,"title":"Why <b> & |?","url":"https://forum.example/questions/7/why"}}}"#;
        let body: Value = serde_json::from_str(&body("Widgets Q&A", payload).unwrap()).unwrap();
        assert_eq!(body["text"], "New question: <https://forum.example/questions/7/why|Why &lt;b&gt; &amp; |?>");
        assert_eq!(body["blocks"][0]["type"], "section");
        assert_eq!(body["blocks"][0]["text"]["type"], "mrkdwn");
        assert_eq!(body["blocks"][0]["text"]["text"], body["text"]);
        assert!(body["blocks"][1]["elements"][0]["text"].as_str().unwrap().contains("Widgets Q&amp;A"));
        assert!(super::body("x", "not json").is_none());
    }
}
