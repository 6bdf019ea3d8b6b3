//! The badges a member can earn, their classes and their thresholds. What earns each one is
//! decided in `services::badges::rules`; the words here are what is stored and put in URLs.

use super::text_enum::text_enum;

text_enum! {
    /// A badge's class: gold is rarest.
    pub enum BadgeClass {
        /// The rarest.
        Gold = "gold",
        /// In between.
        Silver = "silver",
        /// The commonest.
        Bronze = "bronze",
    }
}

text_enum! {
    /// A badge. Per-answer badges are earned once for each answer that qualifies, tag badges once
    /// per tag, the rest once.
    pub enum Badge {
        /// Posted a first answer.
        FirstAnswer = "first-answer",
        /// Had an answer accepted for the first time.
        FirstAccepted = "first-accepted",
        /// An answer scored [`NICE_ANSWER_SCORE`] or more.
        NiceAnswer = "nice-answer",
        /// An answer scored [`GOOD_ANSWER_SCORE`] or more.
        GoodAnswer = "good-answer",
        /// An answer scored [`GREAT_ANSWER_SCORE`] or more.
        GreatAnswer = "great-answer",
        /// An answer on a question seen [`HELPFUL_VIEWS`] times or more.
        HelpfulToMany = "helpful-to-many",
        /// Staff endorsed one of the member's answers as official.
        OfficialEndorsed = "official-endorsed",
        /// [`TAG_BRONZE`] in a tag.
        TagBronze = "tag-bronze",
        /// [`TAG_SILVER`] in a tag.
        TagSilver = "tag-silver",
        /// [`TAG_GOLD`] in a tag.
        TagGold = "tag-gold",
    }
}

/// An answer score that earns [`Badge::NiceAnswer`].
pub const NICE_ANSWER_SCORE: i32 = 3;
/// An answer score that earns [`Badge::GoodAnswer`].
pub const GOOD_ANSWER_SCORE: i32 = 10;
/// An answer score that earns [`Badge::GreatAnswer`].
pub const GREAT_ANSWER_SCORE: i32 = 25;
/// Question views that earn its answers [`Badge::HelpfulToMany`].
pub const HELPFUL_VIEWS: i64 = 1_000;

/// What a tag badge asks for: a total answer score in the tag, over at least so many answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagThreshold {
    /// The total score of the member's answers in the tag.
    pub score: i64,
    /// How many answers in the tag, at least.
    pub answers: i64,
}

/// [`Badge::TagBronze`].
pub const TAG_BRONZE: TagThreshold = TagThreshold { score: 20, answers: 5 };
/// [`Badge::TagSilver`].
pub const TAG_SILVER: TagThreshold = TagThreshold { score: 100, answers: 10 };
/// [`Badge::TagGold`].
pub const TAG_GOLD: TagThreshold = TagThreshold { score: 400, answers: 20 };

// A higher class asks for more, of both.
const _: () = assert!(TAG_BRONZE.score < TAG_SILVER.score && TAG_SILVER.score < TAG_GOLD.score);
const _: () = assert!(TAG_BRONZE.answers < TAG_SILVER.answers && TAG_SILVER.answers < TAG_GOLD.answers);

impl Badge {
    /// Its class.
    pub fn class(self) -> BadgeClass {
        match self {
            Self::GreatAnswer | Self::TagGold => BadgeClass::Gold,
            Self::GoodAnswer | Self::HelpfulToMany | Self::OfficialEndorsed | Self::TagSilver => BadgeClass::Silver,
            Self::FirstAnswer | Self::FirstAccepted | Self::NiceAnswer | Self::TagBronze => BadgeClass::Bronze,
        }
    }

    /// Its name, as people read it.
    pub fn name(self) -> &'static str {
        match self {
            Self::FirstAnswer => "First answer",
            Self::FirstAccepted => "First accepted answer",
            Self::NiceAnswer => "Nice answer",
            Self::GoodAnswer => "Good answer",
            Self::GreatAnswer => "Great answer",
            Self::HelpfulToMany => "Helpful to many",
            Self::OfficialEndorsed => "Endorsed by staff",
            Self::TagBronze => "Bronze tag badge",
            Self::TagSilver => "Silver tag badge",
            Self::TagGold => "Gold tag badge",
        }
    }

    /// What earns it, in a sentence.
    pub fn description(self) -> String {
        match self {
            Self::FirstAnswer => "Posted a first answer.".to_owned(),
            Self::FirstAccepted => "Had an answer accepted by the asker for the first time.".to_owned(),
            Self::NiceAnswer => {
                format!("An answer reached a score of {NICE_ANSWER_SCORE}. Earned for each such answer.")
            }
            Self::GoodAnswer => {
                format!("An answer reached a score of {GOOD_ANSWER_SCORE}. Earned for each such answer.")
            }
            Self::GreatAnswer => {
                format!("An answer reached a score of {GREAT_ANSWER_SCORE}. Earned for each such answer.")
            }
            Self::HelpfulToMany => format!(
                "Answered a question that has been viewed {} times or more. Earned for each such answer.",
                grouped(HELPFUL_VIEWS)
            ),
            Self::OfficialEndorsed => "Staff endorsed one of their answers as the official answer.".to_owned(),
            Self::TagBronze | Self::TagSilver | Self::TagGold => {
                let Some(threshold) = self.tag_threshold() else { return String::new() };
                format!(
                    "A total score of {} over at least {} answers in one tag. Earned once per tag.",
                    threshold.score, threshold.answers
                )
            }
        }
    }

    /// For tag badges: what earns it.
    pub fn tag_threshold(self) -> Option<TagThreshold> {
        match self {
            Self::TagBronze => Some(TAG_BRONZE),
            Self::TagSilver => Some(TAG_SILVER),
            Self::TagGold => Some(TAG_GOLD),
            _ => None,
        }
    }

    /// Whether it is earned once per tag (its subject is a tag).
    pub fn is_tag_badge(self) -> bool {
        self.tag_threshold().is_some()
    }

    /// Whether it is earned once per answer (its subject is an answer).
    pub fn is_per_answer(self) -> bool {
        matches!(self, Self::NiceAnswer | Self::GoodAnswer | Self::GreatAnswer | Self::HelpfulToMany)
    }
}

/// `1000` as "1,000".
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_badge_has_a_class_name_and_description() {
        for badge in Badge::ALL {
            assert!(!badge.name().is_empty());
            assert!(!badge.description().is_empty(), "{badge}");
            let _ = badge.class();
        }
        assert_eq!(Badge::from_stored("great-answer"), Some(Badge::GreatAnswer));
        assert!(Badge::HelpfulToMany.description().contains("1,000"));
    }
}
