//! What the badge pages show: every badge with how often it was awarded (`/badges`), one badge's
//! holders (`/badges/{slug}`, a tag badge's optionally in one tag) and a member's badges on
//! their profile. Reads only.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::models::badges::{self, Holder};
use crate::db::models::tags;
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, Badge, BadgeClass, UserId};
use crate::services::{ServiceError, ServiceResult};

/// Holders per page of a badge's page.
pub const HOLDERS_PER_PAGE: i64 = 50;
/// Awards a profile reads (grouped by badge).
const ON_PROFILE: i64 = 500;

/// A badge as pages describe it.
#[derive(Debug, Clone, Serialize)]
pub struct BadgeInfo {
    /// The stored word, used in its URL.
    pub slug: &'static str,
    /// Its name.
    pub name: &'static str,
    /// What earns it.
    pub description: String,
    /// gold, silver or bronze.
    pub class: BadgeClass,
    /// How many times it was awarded.
    pub awarded: i64,
}

impl BadgeInfo {
    fn of(badge: Badge, awarded: i64) -> Self {
        Self {
            slug: badge.as_str(),
            name: badge.name(),
            description: badge.description(),
            class: badge.class(),
            awarded,
        }
    }
}

/// The badges of one class.
#[derive(Debug, Serialize)]
pub struct ClassGroup {
    /// The class.
    pub class: BadgeClass,
    /// Its badges other than tag badges.
    pub badges: Vec<BadgeInfo>,
}

/// What `/badges` shows.
#[derive(Debug, Serialize)]
pub struct BadgeIndex {
    /// Gold, silver and bronze, in that order.
    pub classes: Vec<ClassGroup>,
    /// The three tag badges.
    pub tag_badges: Vec<BadgeInfo>,
}

/// Every badge with how often it was awarded.
pub fn index(conn: &mut DbConnection) -> ServiceResult<BadgeIndex> {
    let totals: HashMap<Badge, i64> = badges::totals(conn)?.into_iter().collect();
    let info = |badge: Badge| BadgeInfo::of(badge, totals.get(&badge).copied().unwrap_or(0));
    let classes = BadgeClass::ALL
        .iter()
        .map(|&class| ClassGroup {
            class,
            badges: Badge::ALL.iter().filter(|b| b.class() == class && !b.is_tag_badge()).map(|&b| info(b)).collect(),
        })
        .collect();
    let tag_badges = Badge::ALL.iter().filter(|b| b.is_tag_badge()).map(|&b| info(b)).collect();
    Ok(BadgeIndex { classes, tag_badges })
}

/// A holder as a badge's page lists them.
#[derive(Debug, Serialize)]
pub struct HolderView {
    /// Their name.
    pub display_name: String,
    /// Their profile.
    pub profile_path: String,
    /// What it was earned for: the answer's permalink, or the tag's page.
    pub subject_path: Option<String>,
    /// The tag's name, for tag badges.
    pub tag: Option<String>,
    /// When.
    pub awarded_at: NaiveDateTime,
}

/// What `/badges/{slug}` shows.
#[derive(Debug, Serialize)]
pub struct HoldersPage {
    /// The badge.
    pub badge: BadgeInfo,
    /// For a tag badge shown in one tag: the tag's name.
    pub tag: Option<String>,
    /// Holders, newest first.
    pub holders: Vec<HolderView>,
    /// The cursor of the next (older) page, if there is one.
    pub next_before: Option<i64>,
}

/// A page of the holders of the badge whose slug is `slug` (in tag `tag`, for a tag badge),
/// newest first, older than award `before`. An unknown badge or tag is a 404; a tag given for
/// a badge that is not a tag badge is refused.
pub fn holders(
    conn: &mut DbConnection,
    slug: &str,
    tag: Option<&str>,
    before: Option<i64>,
) -> ServiceResult<HoldersPage> {
    let badge = Badge::from_stored(slug).ok_or(ServiceError::NotFound("Badge"))?;
    let tag = tag.map(str::trim).filter(|t| !t.is_empty());
    let tag = match tag {
        Some(_) if !badge.is_tag_badge() => {
            return Err(ServiceError::invalid("tag", format!("“{}” is not a tag badge.", badge.name())))
        }
        Some(name) => Some(tags::find_by_name(conn, &name.to_lowercase())?.ok_or(ServiceError::NotFound("Tag"))?),
        None => None,
    };
    let totals: HashMap<Badge, i64> = badges::totals(conn)?.into_iter().collect();
    let mut found = badges::holders(conn, badge, tag.as_ref().map(|t| t.id), before, HOLDERS_PER_PAGE + 1)?;
    let next_before =
        (found.len() as i64 > HOLDERS_PER_PAGE).then(|| found.get(HOLDERS_PER_PAGE as usize - 1).map(|h| h.award_id));
    found.truncate(HOLDERS_PER_PAGE as usize);
    let tag_names: HashMap<i64, String> = if badge.is_tag_badge() {
        let ids: Vec<i64> = found.iter().map(|h| h.subject_id).collect();
        badges::tag_names(conn, &ids)?.into_iter().collect()
    } else {
        HashMap::new()
    };
    let holders = found.into_iter().map(|h| holder_view(badge, h, &tag_names)).collect();
    Ok(HoldersPage {
        badge: BadgeInfo::of(badge, totals.get(&badge).copied().unwrap_or(0)),
        tag: tag.map(|t| t.name),
        holders,
        next_before: next_before.flatten(),
    })
}

fn holder_view(badge: Badge, holder: Holder, tag_names: &HashMap<i64, String>) -> HolderView {
    let tag = badge.is_tag_badge().then(|| tag_names.get(&holder.subject_id).cloned()).flatten();
    let subject_path = if badge.is_per_answer() {
        Some(paths::answer_permalink(AnswerId(holder.subject_id)))
    } else {
        tag.as_ref().map(|name| format!("/tags/{name}"))
    };
    HolderView {
        display_name: holder.display_name,
        profile_path: paths::profile(UserId(holder.user_id), &holder.username),
        subject_path,
        tag,
        awarded_at: holder.awarded_at,
    }
}

/// One badge a member holds, as their profile shows it.
#[derive(Debug, Serialize)]
pub struct HeldBadge {
    /// The badge.
    pub badge: BadgeInfo,
    /// How many times they earned it (shown in the list).
    pub times: usize,
    /// For tag badges: the tags.
    pub tags: Vec<String>,
}

/// A member's badges.
#[derive(Debug, Default, Serialize)]
pub struct MemberBadges {
    /// Gold badges held.
    pub gold: i32,
    /// Silver badges held.
    pub silver: i32,
    /// Bronze badges held.
    pub bronze: i32,
    /// Each badge they hold, gold first.
    pub held: Vec<HeldBadge>,
}

/// The badges member `user_id` holds.
pub fn of_member(conn: &mut DbConnection, user_id: i64) -> ServiceResult<MemberBadges> {
    let (gold, silver, bronze) = badges::member_counts(conn, user_id)?.unwrap_or_default();
    let awards = badges::of_member(conn, user_id, ON_PROFILE)?;
    let tag_ids: Vec<i64> = awards.iter().filter(|a| a.0.is_tag_badge()).map(|a| a.1).collect();
    let names: HashMap<i64, String> =
        if tag_ids.is_empty() { HashMap::new() } else { badges::tag_names(conn, &tag_ids)?.into_iter().collect() };
    let mut grouped: BTreeMap<(usize, usize), HeldBadge> = BTreeMap::new();
    for (badge, subject, _) in awards {
        let class_rank = BadgeClass::ALL.iter().position(|c| *c == badge.class()).unwrap_or(0);
        let order = Badge::ALL.iter().position(|b| *b == badge).unwrap_or(0);
        let held = grouped.entry((class_rank, order)).or_insert_with(|| HeldBadge {
            badge: BadgeInfo::of(badge, 0),
            times: 0,
            tags: Vec::new(),
        });
        held.times += 1;
        if let Some(name) = names.get(&subject) {
            if badge.is_tag_badge() {
                held.tags.push(name.clone());
            }
        }
    }
    Ok(MemberBadges { gold, silver, bronze, held: grouped.into_values().collect() })
}
