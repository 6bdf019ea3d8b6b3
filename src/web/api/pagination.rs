//! Cursor pagination for `/api/v1` lists: an opaque cursor (base64url of the list's own position,
//! a keyset cursor where the list has one, else a page number), the `next` link of each page, and
//! the `Link: <...>; rel="next"` header that repeats it.

use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::AppError;
use crate::services::ServiceError;

/// Wraps a list's own position (`votes:12_345`, `page:3`) so clients treat it as opaque.
pub fn encode(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(position.as_bytes())
}

/// Reads a cursor back to the position it wraps, which must start with `prefix` (the list's
/// order, so a cursor of one order is not read in another); anything else is an invalid
/// `cursor`, as a client can only have made it up.
pub fn decode<'a>(cursor: &str, prefix: &str, scratch: &'a mut String) -> Result<&'a str, AppError> {
    let refused = || ServiceError::invalid("cursor", "This cursor was not given out by this list; start without one.");
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| refused())?;
    *scratch = String::from_utf8(bytes).map_err(|_| refused())?;
    let position = scratch.strip_prefix(prefix).and_then(|rest| rest.strip_prefix(':')).ok_or_else(refused)?;
    Ok(position)
}

/// A page-number cursor: the next page's number.
pub fn page_cursor(page: usize) -> String {
    encode(&format!("page:{page}"))
}

/// The page number a page cursor holds (1 without one); `max` bounds it as the list does.
pub fn page_of(cursor: Option<&str>, max: usize) -> Result<usize, AppError> {
    let Some(cursor) = cursor else {
        return Ok(1);
    };
    let mut scratch = String::new();
    decode(cursor, "page", &mut scratch)?
        .parse::<usize>()
        .ok()
        .filter(|page| (1..=max).contains(page))
        .ok_or_else(|| ServiceError::invalid("cursor", "This cursor points past the end of the list.").into())
}

/// The link to the next page: this request's path and query with `cursor` replaced.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let kept = url::form_urlencoded::parse(req.query_string().as_bytes()).filter(|(name, _)| name != "cursor");
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in kept {
        query.append_pair(&name, &value);
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_lists() {
        let cursor = encode("votes:12_345");
        let mut scratch = String::new();
        assert_eq!(decode(&cursor, "votes", &mut scratch).ok(), Some("12_345"));
        assert!(decode(&cursor, "newest", &mut scratch).is_err());
        assert!(decode("%%%", "votes", &mut scratch).is_err());
        assert_eq!(page_of(Some(&page_cursor(3)), 10).ok(), Some(3));
        assert!(page_of(Some(&page_cursor(11)), 10).is_err());
        assert_eq!(page_of(None, 10).ok(), Some(1));
    }

    #[test]
    fn next_link_replaces_the_cursor_and_keeps_the_rest() {
        let req = actix_web::test::TestRequest::get().uri("/api/v1/questions?sort=votes&cursor=abc").to_http_request();
        assert_eq!(next_link(&req, "xyz"), "/api/v1/questions?sort=votes&cursor=xyz");
    }
}
