//! Regression tests for what a security review of the running server found (issue 17), one
//! module per area. Each test failed before its fix.

use crate::common;

mod deleted_questions;
mod logs;
mod posting;
mod sessions;

use guidepost::roles::Role;

use common::members::PASSWORD;
use common::TestApp;

/// A visitor of `app` signed in as a new account with `role`; returns it and the account's id.
async fn signed_in(app: &TestApp, username: &str, role: Role) -> (TestApp, i64) {
    let visitor = app.another_visitor();
    let id = app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    (visitor, id)
}

/// Counts the rows of a table, to show a refused request wrote nothing.
fn count_posts(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    app.with_db(|c| guidepost::db::schema::posts::table.count().get_result(c).unwrap())
}
