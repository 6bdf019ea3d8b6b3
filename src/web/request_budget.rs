//! The per-client budget of costly requests: search, similar questions, previews and sitemaps
//! each cost a search or a render, so one client (a visitor's address, or a member's account)
//! may make only `GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE` of them a minute on a node.
//!
//! It is an extractor: a handler that names [`CostlyRequest`] among its arguments is refused with
//! 429 and `Retry-After` before it does any work, so no costly route can forget to count.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::state::AppState;
use crate::web::{forms, session};

/// Proof that the request fit in its client's budget of costly requests.
#[derive(Debug, Clone, Copy)]
pub struct CostlyRequest;

impl FromRequest for CostlyRequest {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(AppError::internal("app state missing")));
        };
        ready(state.rate_limits.check(Limit::HeavyPerClient, &client_key(req, state)).map(|()| CostlyRequest))
    }
}

/// Who pays for the request: the signed-in account (the session cookie is encrypted and
/// authenticated, so its claim cannot be forged; whether it is still valid does not matter for
/// counting), else the address, where an IPv6 client counts as its whole /64 (one subscriber's
/// network, whose addresses cost nothing to rotate through).
pub fn client_key(req: &HttpRequest, state: &AppState) -> String {
    if let Some(claim) = session::claim(&req.get_session()) {
        return format!("member:{}", claim.user_id);
    }
    let address = forms::client_ip(req, state.config.behind_proxy);
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("net:{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        _ => format!("addr:{address}"),
    }
}
