//! What an act, or a batch of votes, grants: the ledger rows are gathered in memory, each capped
//! by what its member has left of the day's allowance, then written at once: one insert for all
//! the rows and one update of each member's kept figures, however many rows there are.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

use super::{day_start, Rules};
use crate::db::models::reputation::{self, Capped, NewReputationEvent};
use crate::db::DbConnection;
use crate::domain::ReputationReason;
use crate::services::ServiceResult;

/// Who did what to which post, and when.
#[derive(Debug, Clone, Copy)]
pub(super) struct Act {
    /// The post it is about.
    pub post_id: i64,
    /// Whose act it was.
    pub actor_id: i64,
    /// When it is granted.
    pub now: NaiveDateTime,
    /// Recorded but not counted, and why: a vote from a pair caught voting in a run
    /// ([`reputation::SERIAL_VOTING`]), or on a post deleted before the vote was applied.
    pub reversal: Option<&'static str>,
}

/// Ledger rows waiting to be written, with what they move on each member's kept figures.
#[derive(Debug)]
pub(super) struct Grants {
    rules: Rules,
    today: NaiveDateTime,
    /// What each member whose figures were read has earned today under the capped rules,
    /// including the grants gathered so far.
    earned_today: HashMap<i64, i64>,
    rows: Vec<NewReputationEvent>,
    /// Per member: what the counting rows move the total by, and how much of it is capped.
    moves: BTreeMap<i64, (i64, i64)>,
}

impl Grants {
    /// Grants under rules that are never capped (acceptance, endorsement, an approved edit).
    pub(super) fn uncapped(rules: Rules, now: NaiveDateTime) -> Self {
        Self { rules, today: day_start(now), earned_today: HashMap::new(), rows: Vec::new(), moves: BTreeMap::new() }
    }

    /// Grants that may be capped, to any of `members`: reads what each has earned today.
    pub(super) fn capped_for(
        conn: &mut DbConnection,
        rules: Rules,
        now: NaiveDateTime,
        members: &[i64],
    ) -> ServiceResult<Self> {
        let mut grants = Self::uncapped(rules, now);
        if rules.daily_cap > 0 && !members.is_empty() {
            grants.earned_today = reputation::capped_earned(conn, members, grants.today)?.into_iter().collect();
        }
        Ok(grants)
    }

    /// Adds one ledger row for `user`, capped by the day's allowance where the rule is capped.
    pub(super) fn grant(&mut self, user: i64, reason: ReputationReason, act: Act) {
        let mut amount = reason.points();
        // A row born reversed counts for nothing, so it takes nothing from the day's allowance.
        let capped = reason.capped() && act.reversal.is_none();
        if capped && self.rules.daily_cap > 0 {
            debug_assert!(
                self.earned_today.contains_key(&user),
                "capped grant to member #{user} whose figures were not read"
            );
            let earned = self.earned_today.entry(user).or_default();
            let left = (i64::from(self.rules.daily_cap) - *earned).max(0);
            amount = amount.min(i32::try_from(left).unwrap_or(i32::MAX));
            *earned += i64::from(amount);
        }
        self.rows.push(NewReputationEvent {
            user_id: user,
            reason,
            amount,
            post_id: Some(act.post_id),
            actor_id: Some(act.actor_id),
            created_at: act.now,
            reversed_at: act.reversal.map(|_| act.now),
            reversal: act.reversal,
        });
        if act.reversal.is_none() {
            let moved = self.moves.entry(user).or_default();
            moved.0 += i64::from(amount);
            if capped {
                moved.1 += i64::from(amount);
            }
        }
    }

    /// Writes the rows and moves the members' kept figures.
    pub(super) fn write(self, conn: &mut DbConnection) -> ServiceResult<()> {
        reputation::insert_all(conn, &self.rows)?;
        for (user, (total, capped)) in self.moves {
            if total == 0 && capped == 0 {
                continue;
            }
            let capped = (capped != 0).then_some(Capped::Granted { day: self.today, amount: capped });
            reputation::move_total(conn, user, total, capped)?;
        }
        Ok(())
    }
}
