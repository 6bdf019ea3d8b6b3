//! What each run-time setting may hold: its kind, limits, label and help, and the one function
//! that turns what someone typed (in the admin form, an environment variable or the TOML file)
//! into the canonical text that is stored and compared, or says in plain words why it cannot.

use crate::config::ModerationConfig;
use crate::domain::SettingName;

use super::colour;

/// The longest Markdown text (welcome, About page) in characters; a long post's size.
pub const MAX_MARKDOWN_CHARS: usize = 20_000;

/// The longest response target, in hours: a year.
pub const MAX_TARGET_HOURS: u32 = 8_760;

/// The longest logo address.
const MAX_URL_CHARS: usize = 500;

/// The shape of a setting's value, which decides its form control and its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line of text, at most `max` characters; `required` ones may not be blank.
    Line {
        /// The most characters.
        max: usize,
        /// Whether blank is refused.
        required: bool,
    },
    /// An https address or a path on this site; blank for none.
    Url,
    /// A `#rrggbb` colour that button text stays readable on.
    Colour,
    /// Markdown; blank means the built-in text.
    Markdown,
    /// On or off.
    Switch,
    /// Working days and hours (`Mon-Fri 09:00-17:00 +01:00`); blank for around the clock.
    Schedule,
    /// Web origins (`https://shop.example.com`), separated by spaces; blank for any.
    Origins,
    /// A whole number from 0 to `max`.
    Number {
        /// The largest allowed.
        max: u32,
    },
}

/// The kind of each setting.
pub fn kind(name: SettingName) -> Kind {
    match name {
        SettingName::SiteName => Kind::Line { max: 80, required: true },
        SettingName::Tagline => Kind::Line { max: 160, required: false },
        SettingName::LogoUrl => Kind::Url,
        SettingName::AccentColour => Kind::Colour,
        SettingName::WelcomeText | SettingName::AboutText => Kind::Markdown,
        SettingName::RequireVerifiedEmail | SettingName::AllowImages => Kind::Switch,
        SettingName::ResponseTargetHours => Kind::Number { max: MAX_TARGET_HOURS },
        SettingName::BusinessHours => Kind::Schedule,
        SettingName::EmbedOrigins => Kind::Origins,
        number => Kind::Number { max: ModerationConfig::max_of(number.as_str()).unwrap_or(0) },
    }
}

/// The label the admin page shows.
pub fn label(name: SettingName) -> &'static str {
    match name {
        SettingName::SiteName => "Site name",
        SettingName::Tagline => "Tagline",
        SettingName::LogoUrl => "Logo address",
        SettingName::AccentColour => "Accent colour",
        SettingName::WelcomeText => "Welcome text (Markdown)",
        SettingName::AboutText => "About and guidelines page (Markdown)",
        SettingName::RequireVerifiedEmail => "Posting needs a confirmed email address",
        SettingName::AllowImages => "Images in posts",
        SettingName::SpamFlagsToHide => "Spam flags that hide a post",
        SettingName::NewMemberPosts => "Posts before a member is no longer new",
        SettingName::NewMemberDays => "Days before a member is no longer new",
        SettingName::NewMemberMaxLinks => "Links a new member's post may hold",
        SettingName::MinFormSeconds => "Seconds a sign-up or ask form must be open",
        SettingName::QuestionsPerHour => "Questions per member per hour",
        SettingName::AnswersPerHour => "Answers per member per hour",
        SettingName::CommentsPerHour => "Comments per member per hour",
        SettingName::VotesPerHour => "New votes per member per hour",
        SettingName::ReputationToFlag => "Reputation to flag",
        SettingName::ReputationToComment => "Reputation to comment everywhere",
        SettingName::ReputationToVoteDown => "Reputation to vote down",
        SettingName::ReputationToReview => "Reputation to review suggested edits",
        SettingName::ReputationToClose => "Reputation to vote to close or reopen",
        SettingName::ReputationToEdit => "Reputation to edit without review",
        SettingName::CloseVotesNeeded => "Votes that close or reopen a question",
        SettingName::ReputationDailyCap => "Reputation a member may earn from votes per day",
        SettingName::ResponseTargetHours => "Response target (hours to an official answer)",
        SettingName::BusinessHours => "Business hours",
        SettingName::EmbedOrigins => "Sites that may embed answers and the ask box",
    }
}

/// A sentence under the field.
pub fn help(name: SettingName) -> &'static str {
    match name {
        SettingName::SiteName => "Shown in the header, page titles and feeds; up to 80 characters.",
        SettingName::Tagline => "One line under the name saying what the site is for; up to 160 characters.",
        SettingName::LogoUrl => {
            "An https:// address or a path on this site (such as /assets/logo.svg); empty shows the Guidepost sign."
        }
        SettingName::AccentColour => {
            "Buttons and highlights, as #rrggbb. White button text must reach 4.5:1 contrast on it."
        }
        SettingName::WelcomeText => "Shown at the top of the home page; empty shows the built-in welcome.",
        SettingName::AboutText => "The page at /about, linked in every footer; empty shows the built-in guidelines.",
        SettingName::RequireVerifiedEmail => "Staff are always exempt.",
        SettingName::AllowImages => "Only from https addresses; when off, images are left out of new posts and edits.",
        SettingName::SpamFlagsToHide => "From different members; 0 never hides.",
        SettingName::NewMemberPosts | SettingName::NewMemberDays => "A member is new until both are reached.",
        SettingName::NewMemberMaxLinks => "A new member's post with any link waits for a moderator.",
        SettingName::MinFormSeconds => "Forms sent back faster are refused as robots; 0 turns the check off.",
        SettingName::ResponseTargetHours => {
            "Counted in business hours; a topic's own target is used where stricter. 0 means no site-wide target."
        }
        SettingName::BusinessHours => {
            "Days, hours and offset from UTC, such as Mon-Fri 09:00-17:00 +01:00; empty counts around the clock."
        }
        SettingName::ReputationToFlag
        | SettingName::ReputationToComment
        | SettingName::ReputationToVoteDown
        | SettingName::ReputationToReview
        | SettingName::ReputationToClose
        | SettingName::ReputationToEdit => {
            "Staff and moderators always have every privilege; 0 gives it to every member."
        }
        SettingName::EmbedOrigins => {
            "Origins such as https://shop.example.com, separated by spaces; empty lets any site frame the embed pages, \
             which show only public content. The rest of the forum can never be framed."
        }
        SettingName::CloseVotesNeeded => "Moderators close and reopen alone; 0 leaves closing to moderators.",
        SettingName::ReputationDailyCap => {
            "Counted per UTC day; acceptance and endorsement are never capped; 0 means no cap."
        }
        _ => "0 means no limit; staff are never limited.",
    }
}

/// The canonical text of `raw` for `name` (trimmed, colours lower-case, switches `true` or
/// `false`), or why it is not acceptable, in a sentence for the person who typed it.
pub fn normalise(name: SettingName, raw: &str) -> Result<String, String> {
    match kind(name) {
        Kind::Line { max, required } => {
            let text = raw.trim();
            if text.chars().any(char::is_control) {
                return Err("Use one line of plain text.".to_owned());
            }
            if required && text.is_empty() {
                return Err("This cannot be empty.".to_owned());
            }
            if text.chars().count() > max {
                return Err(format!("Use at most {max} characters."));
            }
            Ok(text.to_owned())
        }
        Kind::Url => logo_url(raw.trim()),
        Kind::Colour => colour::accent(raw).map(|c| c.to_string()),
        Kind::Markdown => {
            // Browsers send form text with CRLF; store what Markdown reads the same either way.
            let text = raw.replace("\r\n", "\n");
            let text = text.trim_end();
            if text.chars().count() > MAX_MARKDOWN_CHARS {
                return Err(format!("Use at most {MAX_MARKDOWN_CHARS} characters."));
            }
            if text.contains('\0') {
                return Err("The text holds a character that cannot be stored.".to_owned());
            }
            Ok(text.to_owned())
        }
        Kind::Switch => match raw.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok("true".to_owned()),
            "0" | "false" | "no" | "off" => Ok("false".to_owned()),
            _ => Err("Choose on or off.".to_owned()),
        },
        Kind::Schedule => crate::domain::BusinessHours::parse(raw).map(|hours| hours.to_string()),
        Kind::Origins => origins(raw),
        Kind::Number { max } => match raw.trim().parse::<u32>() {
            Ok(n) if n <= max => Ok(n.to_string()),
            _ => Err(format!("Use a whole number from 0 to {max}.")),
        },
    }
}

/// The most origins the embed list may hold, and its longest text: the list is repeated in
/// every embed page's header, and proxies refuse headers of more than a few kilobytes.
const MAX_ORIGINS: usize = 50;
/// See [`MAX_ORIGINS`].
const MAX_ORIGINS_CHARS: usize = 2_000;

/// Embed origins as the Content-Security-Policy's `frame-ancestors` needs them: each an http or
/// https scheme, a host and maybe a port (no path, no wildcard, no user), lower-case, in the
/// order typed without repeats, separated by one space. Commas and new lines separate too.
fn origins(raw: &str) -> Result<String, String> {
    let mut kept: Vec<String> = Vec::new();
    for typed in raw.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()) {
        let refuse =
            || format!("`{typed}` is not an origin: use the scheme and host, such as https://shop.example.com.");
        let url = url::Url::parse(typed).map_err(|_| refuse())?;
        let bare = url.username().is_empty()
            && url.password().is_none()
            && matches!(url.path(), "" | "/")
            && url.query().is_none()
            && url.fragment().is_none();
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(|h| h.contains('*')) || !bare {
            return Err(refuse());
        }
        let origin = url.origin().ascii_serialization();
        if !kept.contains(&origin) {
            kept.push(origin);
        }
    }
    let list = kept.join(" ");
    if kept.len() > MAX_ORIGINS || list.len() > MAX_ORIGINS_CHARS {
        return Err(format!("List at most {MAX_ORIGINS} sites, in at most {MAX_ORIGINS_CHARS} characters."));
    }
    Ok(list)
}

/// A logo address is shown to every visitor as an image: only https (which the CSP allows and
/// browsers fetch without mixed-content warnings) or a path on this site; no `javascript:`,
/// `data:`, other hosts by `//`, or characters that could end the attribute.
fn logo_url(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Ok(String::new());
    }
    let refuse = || Err("Use an https:// address or a path on this site starting with /.".to_owned());
    if text.chars().count() > MAX_URL_CHARS {
        return Err(format!("Use at most {MAX_URL_CHARS} characters."));
    }
    if text.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\')) {
        return refuse();
    }
    if text.starts_with('/') && !text.starts_with("//") {
        return Ok(text.to_owned());
    }
    match url::Url::parse(text) {
        Ok(url) if url.scheme() == "https" && url.host_str().is_some() && url.username().is_empty() => {
            Ok(url.to_string())
        }
        _ => refuse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_made_canonical_or_refused() {
        assert_eq!(normalise(SettingName::SiteName, "  Widget Help "), Ok("Widget Help".to_owned()));
        assert!(normalise(SettingName::SiteName, "   ").is_err());
        assert!(normalise(SettingName::SiteName, &"x".repeat(81)).is_err());
        assert!(normalise(SettingName::Tagline, "two\nlines").is_err());
        assert_eq!(normalise(SettingName::Tagline, ""), Ok(String::new()));
        assert_eq!(normalise(SettingName::AllowImages, "On"), Ok("true".to_owned()));
        assert_eq!(
            normalise(
                SettingName::EmbedOrigins,
                " https://Shop.Example.com/ http://127.0.0.1:4000,https://shop.example.com"
            ),
            Ok("https://shop.example.com http://127.0.0.1:4000".to_owned())
        );
        assert_eq!(normalise(SettingName::EmbedOrigins, ""), Ok(String::new()));
        let too_many: String = (0..51).map(|n| format!("https://shop{n}.example.com ")).collect();
        let too_long = format!("https://{}example.com", "abcdefgh.".repeat(250));
        for bad in
            ["shop.example.com", "https://a.test/page", "javascript:alert(1)", "https://*.a.test", "https://u@a.test"]
        {
            assert!(normalise(SettingName::EmbedOrigins, bad).is_err(), "{bad}");
        }
        for long in [&too_many, &too_long] {
            assert!(normalise(SettingName::EmbedOrigins, long).is_err_and(|e| e.contains("at most")), "{long}");
        }
        assert!(normalise(SettingName::AllowImages, "maybe").is_err());
        assert_eq!(normalise(SettingName::VotesPerHour, " 7 "), Ok("7".to_owned()));
        assert!(normalise(SettingName::SpamFlagsToHide, "101").is_err());
        assert!(normalise(SettingName::VotesPerHour, "-1").is_err());
        assert_eq!(normalise(SettingName::ResponseTargetHours, "8760"), Ok("8760".to_owned()));
        assert!(normalise(SettingName::ResponseTargetHours, "8761").is_err());
        assert_eq!(
            normalise(SettingName::BusinessHours, " mon-fri 09:00-17:00 "),
            Ok("Mon-Fri 09:00-17:00 +00:00".to_owned())
        );
        assert!(normalise(SettingName::BusinessHours, "weekdays").is_err());
        assert_eq!(normalise(SettingName::WelcomeText, "Hi\r\nthere\r\n\r\n"), Ok("Hi\nthere".to_owned()));
        assert!(normalise(SettingName::AboutText, &"x".repeat(MAX_MARKDOWN_CHARS + 1)).is_err());
    }

    #[test]
    fn logos_come_from_https_or_this_site() {
        for good in ["/assets/logo.svg", "https://cdn.example.com/logo.png", ""] {
            assert!(normalise(SettingName::LogoUrl, good).is_ok(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "http://example.com/logo.png",
            "//evil.example/logo.png",
            "data:image/svg+xml,<svg>",
            "/logo.png\" onerror=\"x",
            "https://user@example.com/x.png",
            "logo.png",
        ] {
            assert!(normalise(SettingName::LogoUrl, bad).is_err(), "{bad}");
        }
    }
}
