//! Notifications for a practice's staff (a sign-up under a notifying program, a link to approve).

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: String,
    pub practice_id: String,
    pub kind: String,
    pub patient_id: String,
    pub link_id: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &NotificationRow) -> Result<()> {
    execute!(db,
        "INSERT INTO staff_notifications (id, practice_id, kind, patient_id, link_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)";
        &row.id, &row.practice_id, &row.kind, &row.patient_id, &row.link_id, row.created_at)?;
    Ok(())
}

/// A notification with the patient's name, for staff of the same practice.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationView {
    pub id: String,
    pub kind: String,
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub link_id: Option<String>,
    pub program_name: Option<String>,
    /// The link's status (a `LinkStatus` word) and decision time, for a notification about a link.
    pub link_status: Option<String>,
    pub link_decided_at: Option<i64>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn recent(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    limit: i64,
) -> Result<Vec<NotificationView>> {
    Ok(fetch!(db, fetch_all,
            "SELECT n.id, n.kind, n.patient_id, p.first_name, p.last_name, n.link_id,
                pg.name AS program_name, l.status AS link_status, l.decided_at AS link_decided_at,
                n.created_at, n.read_at
         FROM staff_notifications n
         JOIN patients p ON p.id = n.patient_id
         LEFT JOIN patient_links l ON l.id = n.link_id
         LEFT JOIN programs pg ON pg.id = l.program_id
         WHERE n.practice_id = $1 ORDER BY n.created_at DESC, n.id LIMIT $2";
        practice_id, limit)?)
}
