//! Readiness: whether this node's database answers, for load balancers and orchestrators.

use super::ServiceResult;
use crate::db::models::health;
use crate::db::DbConnection;

/// Runs the cheapest query there is; an error means the node should leave the rotation.
pub fn database_answers(conn: &mut DbConnection) -> ServiceResult<()> {
    health::ping(conn)?;
    Ok(())
}
