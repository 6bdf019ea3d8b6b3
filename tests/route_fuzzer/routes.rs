//! The route list: every route `src/web/mod.rs` registers, with its methods and the form fields
//! it reads, and a reader of that file so a test can tell when the list falls behind. It only
//! describes routes; drawing requests for them is `cases.rs`'s work.

use std::collections::BTreeSet;

use crate::route_fuzzer::garbage::Value::{self, *};

/// One route of `src/web/mod.rs`: its pattern, its methods and the form fields it reads.
pub(crate) struct Route {
    pub(crate) pattern: &'static str,
    pub(crate) methods: &'static [&'static str],
    pub(crate) fields: &'static [(&'static str, Value)],
}

const fn get(pattern: &'static str) -> Route {
    Route { pattern, methods: &["GET"], fields: &[] }
}

const fn post(pattern: &'static str, fields: &'static [(&'static str, Value)]) -> Route {
    Route { pattern, methods: &["POST"], fields }
}

const fn get_post(pattern: &'static str, fields: &'static [(&'static str, Value)]) -> Route {
    Route { pattern, methods: &["GET", "POST"], fields }
}

const NEW_PASSWORD: &[(&str, Value)] = &[("password", Password), ("password_confirm", Password)];
const REASON: &[(&str, Value)] = &[("reason", Text)];
const BODY: &[(&str, Value)] = &[("body", Markdown), ("preview", Checkbox), ("official", Checkbox)];

/// Every route of the site.
pub(crate) const ROUTES: &[Route] = &[
    get("/"),
    get("/healthz"),
    get("/readyz"),
    get("/metrics"),
    get("/assets/{path:.+}"),
    get("/favicon.ico"),
    get("/about"),
    get("/theme.css"),
    get_post(
        "/signup",
        &[
            ("username", Username),
            ("email", Email),
            ("password", Password),
            ("website", Checkbox),
            ("form_started", Text),
        ],
    ),
    get_post("/login", &[("login", Username), ("password", Password), ("next", Next)]),
    post("/logout", &[]),
    get("/signed-out"),
    get("/auth/sso/link"),
    post("/auth/sso/link/password", &[("password", Password)]),
    post("/auth/sso/link/mail", &[]),
    get_post("/auth/sso/link/{token}", &[]),
    get("/auth/sso/{provider}"),
    get("/auth/sso/{provider}/callback"),
    get_post("/login/break-glass/{token}", &[("password", Password)]),
    post("/verify-email/resend", &[]),
    get("/verify-email/{token}"),
    get_post("/password/forgot", &[("email", Email)]),
    get_post("/password/set/{token}", NEW_PASSWORD),
    get_post("/password/reset/{token}", NEW_PASSWORD),
    get("/settings"),
    post("/settings/profile", &[("display_name", Text)]),
    post("/settings/email", &[("email", Email), ("current_password", Password)]),
    post(
        "/settings/password",
        &[("current_password", Password), ("new_password", Password), ("new_password_confirm", Password)],
    ),
    post("/settings/password/link", &[]),
    post("/settings/sign-out-everywhere", &[]),
    get("/settings/sign-in"),
    post("/settings/sign-in/{id}/remove", &[]),
    post("/settings/export", &[]),
    get_post(
        "/settings/api-tokens",
        &[
            ("name", Text),
            ("scope", OneOf(&["read", "write", "staff", "admin"])),
            ("expires_in_days", OneOf(&["30", "never", "0", "soon"])),
        ],
    ),
    post("/settings/api-tokens/{id}/revoke", &[]),
    get_post("/settings/delete-account", &[("confirm", Text)]),
    get("/staff"),
    post("/settings/notifications", &[("email_preference", OneOf(&["each", "daily", "never"]))]),
    get("/notifications"),
    post("/notifications/read", &[]),
    post("/questions/{id}/{action:watch|unwatch}", &[]),
    post(
        "/questions/{id}/assignment",
        &[("action", OneOf(&["take", "assign", "release", "steal"])), ("username", Username)],
    ),
    get_post("/unsubscribe/{token}", &[("List-Unsubscribe", OneOf(&["One-Click"]))]),
    get("/admin/users"),
    post("/admin/users/{id}/role", &[("role", OneOf(&["member", "staff", "moderator", "admin", "owner"]))]),
    post("/admin/users/{id}/suspend", REASON),
    post("/admin/users/{id}/unsuspend", &[]),
    post("/admin/users/{id}/invite", &[("email", Email)]),
    get_post(
        "/admin/settings",
        &[
            ("site_name", Text),
            ("accent_colour", OneOf(&["#8a2be2", "#ffff00", "blue"])),
            ("welcome_text", Markdown),
            ("allow_images", OneOf(&["true", "false", "maybe"])),
        ],
    ),
    post("/admin/settings/{name}/reset", &[]),
    get("/admin/api-tokens"),
    post("/admin/api-tokens/{id}/revoke", &[]),
    get_post(
        "/admin/webhooks",
        &[
            ("url", Text),
            ("format", OneOf(&["standard", "chat", "slack"])),
            ("tags", Text),
            ("event:question.asked", Checkbox),
            ("event:answer.posted", Checkbox),
        ],
    ),
    get("/admin/webhooks/{id}"),
    post("/admin/webhooks/{id}/deliveries/{delivery}/send-again", &[]),
    post("/admin/webhooks/{id}/{action:enable|disable|rotate-secret|test|delete}", &[]),
    post("/admin/users/{id}/export", &[]),
    get_post("/admin/users/{id}/delete", &[("confirm", Text), ("note", Text)]),
    get("/search"),
    get("/search/click/{log}/{question}"),
    post("/search/waiting", &[("q", Text), ("email", Email)]),
    get("/questions/similar"),
    get("/ask/suggested/{id}"),
    get("/staff/gaps"),
    post("/staff/gaps/answer", &[("query", Text), ("question", Text)]),
    get("/staff/insights"),
    get("/staff/insights/{table}.csv"),
    post("/staff/insights/recipients", &[("email", Email)]),
    post("/staff/insights/recipients/{id}/remove", &[]),
    get("/staff/listening"),
    get("/oembed"),
    get("/embed/questions/{id}"),
    get("/embed/answers/{id}"),
    get("/embed/ask"),
    get("/embed/ask/opened/{id}"),
    get("/cards/questions/{id}.png"),
    get("/cards/answers/{id}.png"),
    post("/staff/listening/feeds", &[("url", Text), ("name", Text), ("rules", Text), ("interval_minutes", Id)]),
    post("/staff/listening/feeds/{id}/check", &[]),
    post("/staff/listening/feeds/{id}/remove", &[]),
    post("/staff/listening/items/{id}/handled", &[]),
    post("/staff/listening/items/{id}/reopen", &[]),
    get_post("/insights/unsubscribe/{token}", &[]),
    get("/staff/experts"),
    get("/staff/my-work"),
    post("/staff/my-work/topics", &[("tag", Tags)]),
    get("/questions"),
    get_post(
        "/ask",
        &[
            ("title", Text),
            ("body", Markdown),
            ("tags", Tags),
            ("preview", Checkbox),
            ("similar_checked", Checkbox),
            ("website", Checkbox),
            ("form_started", Text),
            ("heard", Id),
        ],
    ),
    get("/questions/{id}"),
    post("/questions/{id}/answers", BODY),
    post(
        "/questions/{id}/close",
        &[("reason", OneOf(&["duplicate", "off-topic", "unclear", "resolved-elsewhere"])), ("duplicate_of", Id)],
    ),
    post("/questions/{id}/reopen", &[]),
    get("/questions/{id}/{slug}"),
    get("/a/{id}"),
    post("/answers/{id}/accept", &[]),
    post("/answers/{id}/{action:endorse|withdraw-official|review}", &[]),
    post("/posts/{id}/vote", &[("value", OneOf(&["up", "down", "none"]))]),
    post("/posts/{id}/{action:lock|unlock|delete|undelete}", REASON),
    post("/posts/{id}/comments", BODY),
    get("/posts/{id}"),
    post(
        "/{kind:posts|comments}/{id}/flag",
        &[("reason", OneOf(&["spam", "rude", "off-topic", "needs-moderator"])), ("note", Text)],
    ),
    post("/comments/{id}/{action:delete|undelete}", REASON),
    get("/mod/flags"),
    post("/mod/flags/{kind}/{id}", &[("verdict", OneOf(&["agree", "disagree"]))]),
    get("/mod/review"),
    post("/mod/review/{id}", &[("decision", OneOf(&["approve", "reject"]))]),
    get("/mod/log"),
    post("/users/{id}/delete-as-spam", &[("next", Next)]),
    get_post("/posts/{id}/edit", &[("title", Text), ("tags", Tags), ("body", Markdown), ("reason", Text)]),
    get("/posts/{id}/revisions"),
    get("/review/suggested-edits"),
    post("/review/suggested-edits/{id}/approve", &[]),
    post(
        "/review/suggested-edits/{id}/reject",
        &[("reason", OneOf(&["vandalism", "no-improvement", "changes-meaning", "other"])), ("note", Text)],
    ),
    post("/preview", &[("body", Markdown)]),
    get("/staff/queue"),
    get("/tags"),
    get("/badges"),
    get("/badges/{slug}"),
    get("/tags/{name}"),
    post("/tags/{name}/watch", &[("mail", OneOf(&["each", "daily", "never", "stop", "hourly"]))]),
    post("/tags/{name}/leads", &[("username", Username)]),
    post("/tags/{name}/leads/{user_id}/remove", &[]),
    post("/tags/{name}/target", &[("hours", OneOf(&["8", "", "0", "-1", "100000", "two"]))]),
    get("/users"),
    get("/users/{id}"),
    get("/users/{id}/{slug}"),
    get("/users/{id}/{slug}/reputation"),
    get("/help/privileges"),
    get("/robots.txt"),
    get("/sitemap.xml"),
    get("/sitemaps/tags.xml"),
    get("/sitemaps/questions-{n:[1-9][0-9]*}.xml"),
    get("/feeds/questions.atom"),
    get("/feeds/official.atom"),
    get("/feeds/questions/{id}.atom"),
    get("/feeds/tags/{name}.atom"),
];

/// The (pattern, method) pairs `src/web/mod.rs` registers, read from its source: both
/// `.route("/p", web::get()...)` and `web::resource("/p").route(web::get()...)`.
pub(crate) fn registered_routes() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/mod.rs")).unwrap();
    let start = source.find("pub fn routes").expect("src/web/mod.rs has fn routes");
    let end = source.find("pub async fn not_found").expect("src/web/mod.rs has fn not_found");
    let method_of = |text: &str| -> String {
        let rest = text.trim_start().strip_prefix("web::").unwrap_or("?");
        rest[..rest.find('(').unwrap_or(0)].to_ascii_uppercase()
    };
    let mut found = BTreeSet::new();
    let (mut rest, mut resource) = (&source[start..end], String::new());
    while let Some((at, marker)) =
        ["web::resource(\"", ".route("].iter().filter_map(|m| rest.find(m).map(|at| (at, *m))).min()
    {
        rest = &rest[at + marker.len()..];
        if marker.starts_with("web::resource") {
            resource = rest[..rest.find('"').unwrap()].to_owned();
        } else if let Some(literal) = rest.trim_start().strip_prefix('"') {
            let close = literal.find('"').unwrap();
            let method = method_of(literal[close + 1..].trim_start().trim_start_matches(','));
            found.insert((literal[..close].to_owned(), method));
        } else {
            found.insert((resource.clone(), method_of(rest)));
        }
    }
    found
}
