//! Listening posts: the feeds staff follow and the items heard on them.

use super::{posts, users};

diesel::table! {
    listening_feeds (id) {
        id -> BigInt,
        url -> Text,
        name -> Text,
        rules -> Text,
        interval_minutes -> Integer,
        etag -> Nullable<Text>,
        last_modified -> Nullable<Text>,
        next_poll_at -> Timestamp,
        polled_at -> Nullable<Timestamp>,
        last_outcome -> Nullable<Text>,
        failures -> Integer,
        added_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    heard_items (id) {
        id -> BigInt,
        feed_id -> BigInt,
        item_key -> Text,
        link -> Nullable<Text>,
        title -> Text,
        excerpt -> Text,
        author -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        heard_at -> Timestamp,
        handled_at -> Nullable<Timestamp>,
        handled_by -> Nullable<BigInt>,
        question_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(heard_items -> listening_feeds (feed_id));
diesel::joinable!(listening_feeds -> users (added_by));
diesel::allow_tables_to_appear_in_same_query!(heard_items, listening_feeds);
diesel::allow_tables_to_appear_in_same_query!(heard_items, posts);
diesel::allow_tables_to_appear_in_same_query!(listening_feeds, users);
