//! The names of the settings an admin may change at run time (`/admin/settings`). Each name is
//! also the setting's configuration key (`site_name`, `[moderation] votes_per_hour`), the word in
//! `pinned_settings`, the form field, and the key of its `site_settings` row.

use super::text_enum::text_enum;

text_enum! {
    /// One setting the admin settings page changes; ordered as the page lists them.
    #[derive(PartialOrd, Ord)]
    pub enum SettingName {
        /// The forum's name, in the header and titles.
        SiteName = "site_name",
        /// A line under the name saying what the site is for.
        Tagline = "tagline",
        /// The header's logo: an https URL or a path on this site.
        LogoUrl = "logo_url",
        /// The colour of buttons and highlights, `#rrggbb`.
        AccentColour = "accent_colour",
        /// Markdown shown at the top of the home page.
        WelcomeText = "welcome_text",
        /// Markdown of the About and guidelines page, `/about`.
        AboutText = "about_text",
        /// Members must confirm their address before posting.
        RequireVerifiedEmail = "require_verified_email",
        /// Images are shown in posts.
        AllowImages = "allow_images",
        /// Spam flags that hide a post.
        SpamFlagsToHide = "spam_flags_to_hide",
        /// Visible posts a member needs to stop being new.
        NewMemberPosts = "new_member_posts",
        /// Days a member needs to stop being new.
        NewMemberDays = "new_member_days",
        /// Links a new member's post may hold.
        NewMemberMaxLinks = "new_member_max_links",
        /// Seconds a sign-up or ask form must be open before it is sent.
        MinFormSeconds = "min_form_seconds",
        /// Questions a member may ask per hour.
        QuestionsPerHour = "questions_per_hour",
        /// Answers a member may post per hour.
        AnswersPerHour = "answers_per_hour",
        /// Comments a member may write per hour.
        CommentsPerHour = "comments_per_hour",
        /// New votes a member may cast per hour.
        VotesPerHour = "votes_per_hour",
        /// Reputation needed to flag.
        ReputationToFlag = "reputation_to_flag",
        /// Reputation needed to comment everywhere.
        ReputationToComment = "reputation_to_comment",
        /// Reputation needed to vote down.
        ReputationToVoteDown = "reputation_to_vote_down",
        /// Reputation needed to review suggested edits.
        ReputationToReview = "reputation_to_review",
        /// Reputation needed to vote to close or reopen.
        ReputationToClose = "reputation_to_close",
        /// Reputation needed to edit others' posts without review.
        ReputationToEdit = "reputation_to_edit",
        /// Votes that close or reopen a question.
        CloseVotesNeeded = "close_votes_needed",
        /// Reputation one member may earn from votes per day.
        ReputationDailyCap = "reputation_daily_cap",
        /// Hours within which a question should get an official answer; 0 for no site-wide target.
        ResponseTargetHours = "response_target_hours",
        /// The hours that count towards a response target; empty for around the clock.
        BusinessHours = "business_hours",
        /// The sites allowed to frame the embed pages; empty for any.
        EmbedOrigins = "embed_origins",
    }
}
