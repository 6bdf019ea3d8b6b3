//! The forum's vocabulary as types: the states a post, a question or a user can be in, and the
//! ids of the things the forum stores. Each state's text lives in one place, its enum, and
//! reaches the database through one mapping; an id says which table it belongs to.
//!
//! Nothing here runs a query or knows about HTTP.

mod api_scope;
mod business_hours;
mod close_reason;
mod flag_reason;
mod held_reason;
mod ids;
mod mail_preference;
mod notification_event;
mod official_kind;
pub mod paths;
mod post_kind;
mod privilege;
mod question_alert;
mod reputation_reason;
mod role;
mod setting_name;
mod suggestion_status;
mod text_enum;
mod token_purpose;
mod webhook_event;

pub use api_scope::ApiScope;
pub use business_hours::BusinessHours;
pub use close_reason::CloseReason;
pub use flag_reason::FlagReason;
pub use held_reason::HeldReason;
pub use ids::{AnswerId, CommentId, PostId, QuestionId, UserId};
pub use mail_preference::MailPreference;
pub use notification_event::NotificationEvent;
pub use official_kind::OfficialKind;
pub use post_kind::PostKind;
pub use privilege::{Privilege, Privileges};
pub use question_alert::QuestionAlert;
pub use reputation_reason::ReputationReason;
pub use role::{Role, UnknownRole};
pub use setting_name::SettingName;
pub use suggestion_status::SuggestionStatus;
pub use token_purpose::TokenPurpose;
pub use webhook_event::{WebhookEvent, WebhookFormat};

/// The stored text was not one of a state's values.
#[derive(Debug, thiserror::Error)]
#[error("unknown {state} `{text}`")]
pub struct UnknownState {
    /// Which state was being read, e.g. `PostKind`.
    pub state: &'static str,
    /// The text that was found.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::{
        ApiScope, CloseReason, FlagReason, HeldReason, MailPreference, NotificationEvent, OfficialKind, PostKind, Role,
        SettingName, SuggestionStatus, TokenPurpose, WebhookEvent, WebhookFormat,
    };

    /// Templates compare these words, so serde must give exactly the stored text.
    fn round_trips<T: Copy + PartialEq + std::fmt::Debug + serde::Serialize>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        from_stored: fn(&str) -> Option<T>,
    ) {
        for &value in all {
            assert_eq!(from_stored(as_str(value)), Some(value));
            assert_eq!(serde_json::to_value(value).unwrap(), serde_json::json!(as_str(value)));
        }
    }

    #[test]
    fn every_state_reads_back_what_it_stores() {
        round_trips(PostKind::ALL, PostKind::as_str, PostKind::from_stored);
        round_trips(OfficialKind::ALL, OfficialKind::as_str, OfficialKind::from_stored);
        round_trips(CloseReason::ALL, CloseReason::as_str, CloseReason::from_stored);
        round_trips(HeldReason::ALL, HeldReason::as_str, HeldReason::from_stored);
        round_trips(Role::ALL, Role::as_str, Role::from_stored);
        round_trips(NotificationEvent::ALL, NotificationEvent::as_str, NotificationEvent::from_stored);
        round_trips(MailPreference::ALL, MailPreference::as_str, MailPreference::from_stored);
        round_trips(TokenPurpose::ALL, TokenPurpose::as_str, TokenPurpose::from_stored);
        round_trips(FlagReason::ALL, FlagReason::as_str, FlagReason::from_stored);
        round_trips(SettingName::ALL, SettingName::as_str, SettingName::from_stored);
        round_trips(ApiScope::ALL, ApiScope::as_str, ApiScope::from_stored);
        round_trips(SuggestionStatus::ALL, SuggestionStatus::as_str, SuggestionStatus::from_stored);
        assert_eq!(ApiScope::parse_list(" write read retired "), vec![ApiScope::Write, ApiScope::Read]);
        assert_eq!(ApiScope::list_to_stored(&[ApiScope::Staff, ApiScope::Read]), "read staff");
        assert!(ApiScope::Write.covers(ApiScope::Read) && !ApiScope::Read.covers(ApiScope::Write));
        round_trips(WebhookEvent::ALL, WebhookEvent::as_str, WebhookEvent::from_stored);
        round_trips(WebhookFormat::ALL, WebhookFormat::as_str, WebhookFormat::from_stored);
        assert!(FlagReason::Spam < FlagReason::NeedsModerator, "the strongest flag sorts first");
        assert_eq!(CloseReason::ResolvedElsewhere.to_string(), "resolved-elsewhere");
        assert_eq!(" Admin ".parse::<Role>().unwrap(), Role::Admin);
        assert!(PostKind::from_stored("Question").is_none());
    }
}
