//! schema.org `QAPage` JSON-LD for question pages, so search engines show the question with its
//! accepted (or official) answer.
//!
//! The JSON is printed inside `<script type="application/ld+json">`: `<`, `>` and `&` are written
//! as `\u003c`, `\u003e` and `\u0026`, which JSON reads back unchanged and which can never close
//! the script element, whatever members wrote.

use chrono::{NaiveDateTime, SecondsFormat};
use serde_json::{json, Value};

use crate::markdown::plain_text;
use crate::services::question_page::{AuthorView, CommentView, PostView, QuestionPage};

/// The JSON-LD of a question page, safe to print unescaped inside a script element.
pub fn qa_page(page: &QuestionPage, base_url: &str) -> String {
    let url = format!("{base_url}{}", page.path());
    let accepted = page.structured_accepted_answer_id;
    let answer = |a: &PostView| {
        let mut value = post(a, base_url);
        value["@type"] = json!("Answer");
        value["url"] = json!(format!("{url}#answer-{}", a.id));
        value
    };
    let mut question = post(&page.question, base_url);
    question["@type"] = json!("Question");
    question["name"] = json!(page.title);
    question["url"] = json!(url);
    question["answerCount"] = json!(page.answers.len());
    if let Some(chosen) = page.answers.iter().find(|a| Some(a.id) == accepted) {
        question["acceptedAnswer"] = answer(chosen);
    }
    let suggested: Vec<Value> = page.answers.iter().filter(|a| Some(a.id) != accepted).map(answer).collect();
    if !suggested.is_empty() {
        question["suggestedAnswer"] = Value::Array(suggested);
    }
    let document = json!({ "@context": "https://schema.org", "@type": "QAPage", "mainEntity": question });
    script_safe(&document.to_string())
}

/// What questions and answers share: text, votes, dates, author and comments.
fn post(post: &PostView, base_url: &str) -> Value {
    json!({
        "text": plain_text(&post.markdown),
        "upvoteCount": post.score,
        "datePublished": date(post.created_at),
        "dateModified": date(post.edited_at.unwrap_or(post.created_at)),
        "author": person(&post.author, base_url),
        "commentCount": post.comments.len(),
        "comment": post.comments.iter().map(|c| comment(c, base_url)).collect::<Vec<_>>(),
    })
}

fn comment(comment: &CommentView, base_url: &str) -> Value {
    json!({
        "@type": "Comment",
        "text": plain_text(&comment.markdown),
        "datePublished": date(comment.created_at),
        "author": person(&comment.author, base_url),
    })
}

fn person(author: &AuthorView, base_url: &str) -> Value {
    // A deleted account has no profile page to point to.
    if author.profile_path.is_empty() {
        return json!({ "@type": "Person", "name": author.display_name });
    }
    json!({ "@type": "Person", "name": author.display_name, "url": format!("{base_url}{}", author.profile_path) })
}

fn date(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Escapes the characters that could end a script element or start markup.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn nothing_can_close_the_script() {
        let raw = serde_json::json!({ "text": "</script><script>alert(1)</script> & <!--" }).to_string();
        let safe = script_safe(&raw);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["text"], "</script><script>alert(1)</script> & <!--");
    }
}
