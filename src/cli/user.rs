//! `guidepost user create | set-role | invite | token | break-glass`.

use std::io::BufRead;

use anyhow::Context as _;

use super::{CreateUserArgs, UserCommand};
use crate::changes::ChangeFeed;
use crate::config::Config;
use crate::db::models::users;
use crate::db::DbPool;
use crate::domain::ApiScope;
use crate::services::accounts::{self, NewAccount, SET_PASSWORD_LINK_LIFETIME};
use crate::services::actor::Actor;
use crate::services::api_tokens::{self, NewToken};

/// Runs a user command.
pub fn run(config: &Config, pool: &DbPool, command: UserCommand) -> anyhow::Result<()> {
    let feed = super::change_feed(config)?;
    let mut conn = pool.get().context("database")?;
    let now = chrono::Utc::now().naive_utc();
    match command {
        UserCommand::Create(args) => create(config, &mut conn, &feed, args, now),
        UserCommand::SetRole { username, role } => {
            let user = accounts::set_role(&mut conn, &feed, &username, role, now)?;
            println!("{} is now {}.", user.username, user.role);
            Ok(())
        }
        UserCommand::Invite { username, email } => {
            let user = users::find_by_username(&mut conn, &username)
                .context("database")?
                .ok_or_else(|| anyhow::anyhow!("no user is called {username}"))?;
            let (user, token) = accounts::invite(&mut conn, &feed, user.id, &email, now)?;
            println!("{} now has the address <{}>.", user.username, user.email.as_deref().unwrap_or_default());
            print_set_password_link(config, &token);
            Ok(())
        }
        UserCommand::Token(args) => {
            let user = users::find_by_username(&mut conn, &args.username)
                .context("database")?
                .filter(|u| u.deleted_at.is_none())
                .ok_or_else(|| anyhow::anyhow!("no user is called {}", args.username))?;
            let form = NewToken { name: args.name, scopes: args.scope, expires_in_days: args.expires_in_days };
            let (token, secret) = api_tokens::create(&mut conn, &feed, &Actor::from_user(&user), &form, now)?;
            eprintln!(
                "Made {}'s API token \u{201c}{}\u{201d} ({}); it is shown only this once:",
                user.username,
                token.name,
                ApiScope::list_to_stored(&token.scopes)
            );
            // Alone on standard output, so a script can capture it.
            println!("{secret}");
            Ok(())
        }
        UserCommand::BreakGlass { login } => {
            let token = crate::services::break_glass::issue(&mut conn, &login, now)?;
            eprintln!(
                "A one-time sign-in link for this admin, good for {} minutes:",
                crate::services::break_glass::LINK_LIFETIME.num_minutes()
            );
            println!("{}{}", config.base_url_str(), crate::domain::paths::break_glass(&token));
            Ok(())
        }
    }
}

fn print_set_password_link(config: &Config, token: &str) {
    println!(
        "They can choose a password within {} hours at this one-time link:\n  {}/password/set/{token}",
        SET_PASSWORD_LINK_LIFETIME.num_hours(),
        config.base_url_str()
    );
}

fn create(
    config: &Config,
    conn: &mut crate::db::DbConnection,
    feed: &ChangeFeed,
    args: CreateUserArgs,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(!password.is_empty(), "--password-stdin: standard input held no password");
        Some(password)
    } else {
        None
    };
    let has_password = password.is_some();
    let account =
        NewAccount { username: args.username, email: args.email, password, role: args.role, email_verified: true };
    let user = accounts::create(conn, feed, account, now)?;
    println!("Created {} `{}` <{}>.", user.role, user.username, user.email.as_deref().unwrap_or_default());
    if !has_password {
        let token = accounts::issue_set_password_token(conn, user.id, now)?;
        print_set_password_link(config, &token);
    }
    Ok(())
}
