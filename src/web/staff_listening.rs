//! `/staff/listening`: the **Heard elsewhere** queue, where staff add the feeds they follow
//! elsewhere, read the items that matched, and handle each (mark it handled, copy a ready reply
//! that links the best answer here, or bring it home as a question through `/ask?heard=ID`).

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::error::AppError;
use crate::services::listening::{self, poll, FeedForm, Heard, Queue};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// Which items the page lists.
#[derive(Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    show: Option<String>,
}

/// GET /staff/listening
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let handled = query.show.as_deref() == Some("handled");
    let queue = load(&state, actor, handled).await?;
    page(&state, &visitor, &queue, handled, &FeedValues::default(), &FieldErrors::default())
}

async fn load(state: &AppState, actor: crate::services::actor::Actor, handled: bool) -> Result<Queue, AppError> {
    let index = state.search.index();
    state.db(move |conn| listening::queue(conn, &index, &actor, handled)).await
}

/// What the add form shows again after a refusal.
#[derive(Default, serde::Serialize)]
struct FeedValues {
    url: String,
    name: String,
    rules: String,
    interval_minutes: String,
}

/// One item as the page shows it: the ready reply is worked out here, where the site's address is
/// known.
#[derive(serde::Serialize)]
struct ShownItem<'a> {
    #[serde(flatten)]
    heard: &'a Heard,
    reply: Option<String>,
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    queue: &Queue,
    handled: bool,
    values: &FeedValues,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let base = state.config.base_url_str().trim_end_matches('/').to_owned();
    let items: Vec<ShownItem<'_>> = queue
        .items
        .iter()
        .map(|heard| ShownItem {
            heard,
            reply: heard.best_answer().map(|best| {
                format!("This is answered on {}: “{}” — {base}{}", state.settings().site_name, best.title, best.path)
            }),
        })
        .collect();
    let mut context = Context::new();
    context.insert("feeds", &queue.feeds);
    context.insert("items", &items);
    context.insert("open", &queue.open);
    context.insert("handled", &handled);
    context.insert("values", values);
    context.insert("default_interval", &listening::DEFAULT_INTERVAL_MINUTES);
    context.insert("min_interval", &listening::MIN_INTERVAL_MINUTES);
    context.insert("max_interval", &listening::MAX_INTERVAL_MINUTES);
    // A refused form keeps its status (422); a staff page is private, as every signed-in page is.
    visitor.render_form(state, "staff/listening.html", context, errors)
}

/// The add form.
#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    interval_minutes: String,
}

/// POST /staff/listening/feeds
pub async fn add(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let AddForm { url, name, rules, interval_minutes } = form.into_inner();
    let typed = FeedForm { url, name, rules, interval_minutes };
    let (adder, feed_form, now) = (actor.clone(), typed.clone(), chrono::Utc::now().naive_utc());
    match state.db(move |conn| listening::add_feed(conn, &adder, &feed_form, now)).await {
        Ok(_) => {
            session::flash(&session, "Listening: the feed is read within a minute, then at its interval.");
            Ok(forms::see_other("/staff/listening#feeds"))
        }
        Err(e) => {
            let errors = FieldErrors::from_error(e)?;
            let queue = load(&state, actor, false).await?;
            let values = FeedValues {
                url: typed.url,
                name: typed.name,
                rules: typed.rules,
                interval_minutes: typed.interval_minutes,
            };
            page(&state, &visitor, &queue, false, &values, &errors)
        }
    }
}

/// POST /staff/listening/feeds/{id}/check — polls the feed now, whatever its interval; no
/// database connection is held while the feed's server answers.
pub async fn check(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let feed = state.db(move |conn| listening::feed_to_check(conn, &actor, id)).await?;
    let (client, fetching) = (state.feed_client.clone(), feed.clone());
    let fetched = state.compute(move || Ok::<_, AppError>(poll::fetch(&client, &fetching))).await?;
    let now = chrono::Utc::now().naive_utc();
    let outcome = state.db(move |conn| poll::record(conn, &feed, fetched, now)).await?;
    session::flash(&session, &format!("Checked: {}.", outcome.describe()));
    Ok(forms::see_other("/staff/listening#feeds"))
}

/// POST /staff/listening/feeds/{id}/remove
pub async fn remove(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (id, now) = (id.into_inner(), chrono::Utc::now().naive_utc());
    let feed = state.db(move |conn| listening::remove_feed(conn, &actor, id, now)).await?;
    session::flash(&session, &format!("No longer listening to “{}”; its items are gone.", feed.name));
    Ok(forms::see_other("/staff/listening#feeds"))
}

/// POST /staff/listening/items/{id}/handled
pub async fn handled(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_handled(state, session, actor, id.into_inner(), true).await
}

/// POST /staff/listening/items/{id}/reopen
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_handled(state, session, actor, id.into_inner(), false).await
}

async fn set_handled(
    state: web::Data<AppState>,
    session: Session,
    actor: crate::services::actor::Actor,
    id: i64,
    handled: bool,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    state.db(move |conn| listening::set_handled(conn, &actor, id, handled, now)).await?;
    let (message, back) = if handled {
        ("Marked handled.", "/staff/listening")
    } else {
        ("Back in the queue.", "/staff/listening?show=handled")
    };
    session::flash(&session, message);
    Ok(forms::see_other(back))
}
