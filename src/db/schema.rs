//! The tables, in types both backends share (BigInt, Integer, Text, Bool, Timestamp).
#![allow(missing_docs)] // generated-style table definitions; the migrations document the columns

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        username_key -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        role -> Text,
        email_verified_at -> Nullable<Timestamp>,
        suspended_at -> Nullable<Timestamp>,
        suspended_reason -> Nullable<Text>,
        session_epoch -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auth_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        to_address -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        target_kind -> Text,
        target_id -> BigInt,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(auth_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, auth_tokens, mail_outbox, audit_log);
