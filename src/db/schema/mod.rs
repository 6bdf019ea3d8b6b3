//! The tables, in types both backends share (BigInt, Integer, Text, Bool, Timestamp).
#![allow(missing_docs)] // generated-style table definitions; the migrations document the columns

mod listening;

pub use listening::{heard_items, listening_feeds};

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
        email_preference -> Text,
        digest_sent_at -> Nullable<Timestamp>,
        source_site -> Nullable<Text>,
        source_id -> Nullable<BigInt>,
        deleted_at -> Nullable<Timestamp>,
        reputation -> BigInt,
        gold_badges -> Integer,
        silver_badges -> Integer,
        bronze_badges -> Integer,
        reputation_earned -> BigInt,
        capped_day -> Nullable<Timestamp>,
        capped_earned -> BigInt,
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
        headers -> Nullable<Text>,
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

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(sessions, users);

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(api_tokens, users);

diesel::table! {
    break_glass_links (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sso_identities (id) {
        id -> BigInt,
        user_id -> BigInt,
        provider -> Text,
        subject -> Text,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
    }
}

diesel::joinable!(sso_identities -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(sso_identities, users);

diesel::table! {
    sso_attempts (state_hash) {
        state_hash -> Text,
        provider -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        user_id -> Nullable<BigInt>,
        return_to -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sso_link_requests (id) {
        id -> BigInt,
        user_id -> BigInt,
        provider -> Text,
        subject -> Text,
        email -> Text,
        browser_token_hash -> Text,
        mail_token_hash -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        kind -> Text,
        question_id -> Nullable<BigInt>,
        author_id -> BigInt,
        title -> Nullable<Text>,
        slug -> Nullable<Text>,
        tags -> Nullable<Text>,
        body_markdown -> Text,
        body_html -> Text,
        score -> Integer,
        answer_count -> Integer,
        comment_count -> Integer,
        view_count -> BigInt,
        accepted_answer_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        editor_id -> Nullable<BigInt>,
        last_activity_at -> Timestamp,
        locked_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        official_kind -> Nullable<Text>,
        official_by -> Nullable<BigInt>,
        official_at -> Nullable<Timestamp>,
        reviewed_at -> Nullable<Timestamp>,
        has_official -> Bool,
        first_answer_at -> Nullable<Timestamp>,
        first_official_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        close_reason -> Nullable<Text>,
        duplicate_of_id -> Nullable<BigInt>,
        closed_by -> Nullable<BigInt>,
        held_reason -> Nullable<Text>,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        question_count -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    post_tags (post_id, tag_id) {
        post_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    votes (user_id, post_id) {
        user_id -> BigInt,
        post_id -> BigInt,
        value -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        post_id -> BigInt,
        author_id -> BigInt,
        body_markdown -> Text,
        body_html -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        source_site -> Nullable<Text>,
        source_id -> Nullable<BigInt>,
        held_reason -> Nullable<Text>,
    }
}

diesel::table! {
    revisions (id) {
        id -> BigInt,
        post_id -> BigInt,
        editor_id -> BigInt,
        title -> Nullable<Text>,
        tags -> Nullable<Text>,
        body_markdown -> Nullable<Text>,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    watches (user_id, question_id) {
        user_id -> BigInt,
        question_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        question_id -> BigInt,
        post_id -> Nullable<BigInt>,
        event -> Text,
        actor_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        emailed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(post_tags -> tags (tag_id));
diesel::joinable!(post_tags -> posts (post_id));
diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(revisions -> posts (post_id));
diesel::joinable!(votes -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    auth_tokens,
    mail_outbox,
    audit_log,
    posts,
    tags,
    post_tags,
    votes,
    comments,
    revisions
);

// Watchers and digest candidates are read as `users WHERE id IN (subquery)`; a separate list so it
// merges cleanly with changes to the one above.
diesel::allow_tables_to_appear_in_same_query!(users, watches, notifications);

diesel::table! {
    search_changes (id) {
        id -> BigInt,
        question_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    search_state (id) {
        id -> Integer,
        pruned_through -> BigInt,
    }
}

diesel::table! {
    search_log (id) {
        id -> BigInt,
        query -> Text,
        result_count -> Integer,
        took_ms -> Integer,
        clicked_question_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    deflections (id) {
        id -> BigInt,
        question_id -> BigInt,
        draft_title -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(deflections -> posts (question_id));
diesel::allow_tables_to_appear_in_same_query!(posts, deflections, search_changes);

diesel::table! {
    gap_waiters (id) {
        id -> BigInt,
        query -> Text,
        user_id -> Nullable<BigInt>,
        email -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    gap_answers (query) {
        query -> Text,
        question_id -> BigInt,
        linked_by -> Nullable<BigInt>,
        mailed -> Integer,
        linked_at -> Timestamp,
    }
}

diesel::joinable!(gap_waiters -> users (user_id));
diesel::joinable!(gap_answers -> posts (question_id));
diesel::allow_tables_to_appear_in_same_query!(gap_waiters, users);
diesel::allow_tables_to_appear_in_same_query!(gap_answers, posts);
diesel::allow_tables_to_appear_in_same_query!(gap_answers, search_log);
diesel::allow_tables_to_appear_in_same_query!(posts, search_log);

diesel::table! {
    insights_recipients (id) {
        id -> BigInt,
        email -> Text,
        added_by -> Nullable<BigInt>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    insights_mailings (week_start) {
        week_start -> Timestamp,
        recipients -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    post_sources (post_id) {
        post_id -> BigInt,
        source_site -> Text,
        source_id -> BigInt,
        source_url -> Text,
        author_name -> Text,
        license -> Text,
    }
}

diesel::joinable!(post_sources -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(posts, post_sources);

diesel::table! {
    flags (id) {
        id -> BigInt,
        flagger_id -> BigInt,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        reason -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        handled_at -> Nullable<Timestamp>,
        handled_by -> Nullable<BigInt>,
        outcome -> Nullable<Text>,
    }
}

diesel::joinable!(flags -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(flags, posts);
diesel::allow_tables_to_appear_in_same_query!(flags, comments);
diesel::allow_tables_to_appear_in_same_query!(flags, users);

diesel::table! {
    site_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    site_settings_generation (id) {
        id -> Integer,
        generation -> BigInt,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        secret -> Text,
        event_types -> Text,
        format -> Text,
        disabled_at -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        consecutive_failures -> Integer,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        tags -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_type -> Text,
        message_id -> Text,
        payload -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        response_excerpt -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_announcements (question_id, event_type) {
        question_id -> BigInt,
        event_type -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::allow_tables_to_appear_in_same_query!(webhook_deliveries, webhook_endpoints);
diesel::allow_tables_to_appear_in_same_query!(webhook_announcements, posts);

diesel::table! {
    tag_leads (tag_id, user_id) {
        tag_id -> BigInt,
        user_id -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tag_watches (user_id, tag_id) {
        user_id -> BigInt,
        tag_id -> BigInt,
        mail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tag_response_targets (tag_id) {
        tag_id -> BigInt,
        hours -> Integer,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    question_assignments (question_id) {
        question_id -> BigInt,
        assignee_id -> BigInt,
        assigned_by -> Nullable<BigInt>,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    response_deadlines (question_id) {
        question_id -> BigInt,
        target_hours -> Integer,
        nearing_at -> Timestamp,
        due_at -> Timestamp,
    }
}

diesel::table! {
    question_alerts (question_id, kind) {
        question_id -> BigInt,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    topic_digests (user_id) {
        user_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(tag_leads -> tags (tag_id));
diesel::joinable!(tag_watches -> tags (tag_id));
diesel::joinable!(question_assignments -> posts (question_id));
diesel::joinable!(response_deadlines -> posts (question_id));
// Topic ownership joins its tables with tags, posts and users pair by pair: a list would repeat
// pairs declared above.
diesel::allow_tables_to_appear_in_same_query!(tag_leads, tags);
diesel::allow_tables_to_appear_in_same_query!(tag_leads, users);
diesel::allow_tables_to_appear_in_same_query!(tag_leads, posts);
diesel::allow_tables_to_appear_in_same_query!(tag_leads, post_tags);
diesel::allow_tables_to_appear_in_same_query!(tag_leads, tag_watches);
diesel::allow_tables_to_appear_in_same_query!(tag_leads, question_assignments);
diesel::allow_tables_to_appear_in_same_query!(tag_leads, response_deadlines);
diesel::allow_tables_to_appear_in_same_query!(tag_watches, tags);
diesel::allow_tables_to_appear_in_same_query!(tag_watches, users);
diesel::allow_tables_to_appear_in_same_query!(tag_watches, posts);
diesel::allow_tables_to_appear_in_same_query!(tag_watches, post_tags);
diesel::allow_tables_to_appear_in_same_query!(tag_watches, topic_digests);
diesel::allow_tables_to_appear_in_same_query!(tag_response_targets, tags);
diesel::allow_tables_to_appear_in_same_query!(tag_response_targets, post_tags);
diesel::allow_tables_to_appear_in_same_query!(question_assignments, posts);
diesel::allow_tables_to_appear_in_same_query!(question_assignments, users);
diesel::allow_tables_to_appear_in_same_query!(question_assignments, post_tags);
diesel::allow_tables_to_appear_in_same_query!(question_assignments, response_deadlines);
diesel::allow_tables_to_appear_in_same_query!(response_deadlines, posts);
diesel::allow_tables_to_appear_in_same_query!(response_deadlines, post_tags);
diesel::allow_tables_to_appear_in_same_query!(response_deadlines, question_alerts);
diesel::allow_tables_to_appear_in_same_query!(question_alerts, posts);
diesel::allow_tables_to_appear_in_same_query!(topic_digests, users);

diesel::table! {
    reputation_queue (id) {
        id -> BigInt,
        post_id -> BigInt,
        voter_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reputation_events (id) {
        id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        amount -> Integer,
        post_id -> Nullable<BigInt>,
        actor_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        reversed_at -> Nullable<Timestamp>,
        reversal -> Nullable<Text>,
    }
}

diesel::table! {
    close_votes (question_id, user_id, kind) {
        question_id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        reason -> Nullable<Text>,
        duplicate_of -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(reputation_events -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(reputation_events, posts);
diesel::allow_tables_to_appear_in_same_query!(reputation_events, users);
diesel::allow_tables_to_appear_in_same_query!(reputation_events, votes);
diesel::joinable!(close_votes -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(close_votes, users);
diesel::allow_tables_to_appear_in_same_query!(close_votes, posts);

diesel::table! {
    suggested_edits (id) {
        id -> BigInt,
        post_id -> BigInt,
        author_id -> BigInt,
        title -> Nullable<Text>,
        tags -> Nullable<Text>,
        body -> Text,
        summary -> Text,
        base_revision_id -> Nullable<BigInt>,
        status -> Text,
        reviewer_id -> Nullable<BigInt>,
        review_note -> Nullable<Text>,
        created_at -> Timestamp,
        reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(suggested_edits -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(suggested_edits, posts);

diesel::table! {
    badge_checks (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    badge_awards (id) {
        id -> BigInt,
        user_id -> BigInt,
        badge -> Text,
        subject_id -> BigInt,
        awarded_at -> Timestamp,
    }
}

diesel::table! {
    badge_totals (badge) {
        badge -> Text,
        awarded -> BigInt,
    }
}

diesel::table! {
    user_tag_scores (user_id, tag_id) {
        user_id -> BigInt,
        tag_id -> BigInt,
        answer_score -> BigInt,
        answer_count -> BigInt,
    }
}

diesel::table! {
    community_experts (tag_id, user_id) {
        tag_id -> BigInt,
        user_id -> BigInt,
        points -> BigInt,
        accepted -> BigInt,
        endorsed -> BigInt,
        upvotes -> BigInt,
        computed_at -> Timestamp,
    }
}

diesel::joinable!(badge_awards -> users (user_id));
diesel::joinable!(user_tag_scores -> users (user_id));
diesel::joinable!(user_tag_scores -> tags (tag_id));
diesel::joinable!(community_experts -> users (user_id));
diesel::joinable!(community_experts -> tags (tag_id));
// Badges and experts join their tables with users, tags and posts pair by pair.
diesel::allow_tables_to_appear_in_same_query!(badge_awards, users);
diesel::allow_tables_to_appear_in_same_query!(badge_awards, tags);
diesel::allow_tables_to_appear_in_same_query!(badge_checks, posts);
diesel::allow_tables_to_appear_in_same_query!(user_tag_scores, users);
diesel::allow_tables_to_appear_in_same_query!(user_tag_scores, tags);
diesel::allow_tables_to_appear_in_same_query!(community_experts, users);
diesel::allow_tables_to_appear_in_same_query!(community_experts, tags);
// Per-tag tallies of answers group by an answer's author and its question's tag.
diesel::allow_columns_to_appear_in_same_group_by_clause!(posts::author_id, post_tags::tag_id);

diesel::table! {
    mentions (id) {
        id -> BigInt,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}
