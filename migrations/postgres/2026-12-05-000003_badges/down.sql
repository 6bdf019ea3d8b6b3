DROP INDEX answers_recent;
DROP INDEX votes_recent;
DROP TABLE community_experts;
DROP TABLE user_tag_scores;
DROP TABLE badge_totals;
DROP TABLE badge_awards;
DROP TABLE badge_checks;
