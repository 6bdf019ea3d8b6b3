//! What earns each badge, as pure functions of the facts the job read: no queries here, so each
//! rule is tested on its own (the thresholds live with the badges in `domain::badge`).

use crate::db::models::badge_facts::{AnswerFacts, TagScore};
use crate::db::models::badges::Award;
use crate::domain::badge::{GOOD_ANSWER_SCORE, GREAT_ANSWER_SCORE, HELPFUL_VIEWS, NICE_ANSWER_SCORE};
use crate::domain::Badge;

/// The badges one visible answer earns its author: the per-answer ones for this answer, and the
/// once-only ones it qualifies them for.
pub fn for_answer(answer: &AnswerFacts) -> Vec<Award> {
    let user_id = answer.author_id;
    let once = |badge| Award { user_id, badge, subject_id: 0 };
    let each = |badge| Award { user_id, badge, subject_id: answer.id };
    let mut awards = vec![once(Badge::FirstAnswer)];
    if answer.accepted {
        awards.push(once(Badge::FirstAccepted));
    }
    if answer.endorsed {
        awards.push(once(Badge::OfficialEndorsed));
    }
    for (badge, score) in [
        (Badge::NiceAnswer, NICE_ANSWER_SCORE),
        (Badge::GoodAnswer, GOOD_ANSWER_SCORE),
        (Badge::GreatAnswer, GREAT_ANSWER_SCORE),
    ] {
        if answer.score >= score {
            awards.push(each(badge));
        }
    }
    if answer.question_views >= HELPFUL_VIEWS {
        awards.push(each(Badge::HelpfulToMany));
    }
    awards
}

/// The tag badges a member's answers in one tag earn them.
pub fn for_tag(score: &TagScore) -> Vec<Award> {
    [Badge::TagBronze, Badge::TagSilver, Badge::TagGold]
        .into_iter()
        .filter(|badge| {
            badge.tag_threshold().is_some_and(|t| score.answer_score >= t.score && score.answer_count >= t.answers)
        })
        .map(|badge| Award { user_id: score.user_id, badge, subject_id: score.tag_id })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(score: i32) -> AnswerFacts {
        AnswerFacts { id: 7, author_id: 3, score, accepted: false, endorsed: false, question_views: 10 }
    }

    fn badges(awards: &[Award]) -> Vec<Badge> {
        awards.iter().map(|a| a.badge).collect()
    }

    #[test]
    fn scores_earn_answer_badges_at_their_thresholds_and_not_before() {
        assert_eq!(badges(&for_answer(&answer(2))), [Badge::FirstAnswer]);
        assert_eq!(badges(&for_answer(&answer(3))), [Badge::FirstAnswer, Badge::NiceAnswer]);
        assert_eq!(badges(&for_answer(&answer(9))), [Badge::FirstAnswer, Badge::NiceAnswer]);
        assert_eq!(badges(&for_answer(&answer(10))), [Badge::FirstAnswer, Badge::NiceAnswer, Badge::GoodAnswer]);
        assert_eq!(
            badges(&for_answer(&answer(25))),
            [Badge::FirstAnswer, Badge::NiceAnswer, Badge::GoodAnswer, Badge::GreatAnswer]
        );
        let per_answer = for_answer(&answer(25));
        assert!(per_answer.iter().filter(|a| a.badge.is_per_answer()).all(|a| a.subject_id == 7));
        assert!(per_answer.iter().filter(|a| !a.badge.is_per_answer()).all(|a| a.subject_id == 0));
    }

    #[test]
    fn acceptance_endorsement_and_views_earn_theirs() {
        let facts = AnswerFacts { accepted: true, endorsed: true, question_views: 999, ..answer(0) };
        assert_eq!(badges(&for_answer(&facts)), [Badge::FirstAnswer, Badge::FirstAccepted, Badge::OfficialEndorsed]);
        let viewed = AnswerFacts { question_views: 1_000, ..answer(0) };
        assert_eq!(badges(&for_answer(&viewed)), [Badge::FirstAnswer, Badge::HelpfulToMany]);
    }

    #[test]
    fn tag_badges_need_both_score_and_answers() {
        let score = |answer_score, answer_count| TagScore { user_id: 1, tag_id: 9, answer_score, answer_count };
        assert!(for_tag(&score(19, 50)).is_empty());
        assert!(for_tag(&score(500, 4)).is_empty());
        assert_eq!(badges(&for_tag(&score(20, 5))), [Badge::TagBronze]);
        assert_eq!(badges(&for_tag(&score(100, 10))), [Badge::TagBronze, Badge::TagSilver]);
        assert_eq!(badges(&for_tag(&score(400, 20))), [Badge::TagBronze, Badge::TagSilver, Badge::TagGold]);
        assert!(for_tag(&score(400, 20)).iter().all(|a| a.subject_id == 9));
    }
}
