//! Threads and messages for a load run (`portico bench seed-threads`, bench/thread-inbox.sh):
//! the rows `insert` and `post` write, but many at a time, in multi-row INSERTs inside the
//! caller's transaction, with every count already worked out by the caller. Never used by a
//! request.

use sqlx::AssertSqlSafe;

use crate::platform::db::run;
use crate::{Result, Tx};

/// A thread as it stands after its last message: what `insert`, then `post` for each message,
/// then the read marks would have left.
#[derive(Debug, Clone)]
pub struct SeedThread {
    pub id: String,
    pub practice_id: String,
    pub staff_id: String,
    pub patient_id: String,
    pub subject_sealed: String,
    pub last_message_at: i64,
    pub staff_unread: i64,
    pub patient_unread: i64,
    pub staff_read_at: Option<i64>,
    pub message_count: i64,
    pub staff_read_seq: i64,
    pub created_at: i64,
}

/// One message of a [`SeedThread`].
#[derive(Debug, Clone)]
pub struct SeedMessage {
    pub id: String,
    pub thread_id: String,
    /// `staff` or `patient` (`MessageAuthor::as_str`).
    pub author_kind: &'static str,
    pub author_id: String,
    pub body_sealed: String,
    pub seq: i64,
    pub created_at: i64,
}

/// Rows per statement: well under PostgreSQL's 65,535 parameters and SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 1000;

/// `($1, $2, …), ($n+1, …)…`: `rows` groups of `columns` numbered parameters. The statements
/// built from it are safe to run as they are: nothing but these placeholders is formatted into
/// them, and every value is bound.
fn values(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 7);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(r * columns + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

pub async fn insert_threads(tx: &mut Tx, rows: &[SeedThread]) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO threads (id, practice_id, staff_id, patient_id, subject_sealed,
                last_message_at, staff_unread, patient_unread, staff_read_at, message_count,
                staff_read_seq, created_at) VALUES {}",
            values(chunk.len(), 12)
        );
        run!(&mut *tx, |c| {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
            for t in chunk {
                q = q
                    .bind(&t.id)
                    .bind(&t.practice_id)
                    .bind(&t.staff_id)
                    .bind(&t.patient_id)
                    .bind(&t.subject_sealed)
                    .bind(t.last_message_at)
                    .bind(t.staff_unread)
                    .bind(t.patient_unread)
                    .bind(t.staff_read_at)
                    .bind(t.message_count)
                    .bind(t.staff_read_seq)
                    .bind(t.created_at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn insert_messages(tx: &mut Tx, rows: &[SeedMessage]) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO thread_messages
                (id, thread_id, author_kind, author_id, body_sealed, seq, created_at) VALUES {}",
            values(chunk.len(), 7)
        );
        run!(&mut *tx, |c| {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
            for m in chunk {
                q = q
                    .bind(&m.id)
                    .bind(&m.thread_id)
                    .bind(m.author_kind)
                    .bind(&m.author_id)
                    .bind(&m.body_sealed)
                    .bind(m.seq)
                    .bind(m.created_at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::values;

    #[test]
    fn numbers_every_parameter_once_in_order() {
        assert_eq!(values(1, 2), "($1, $2)");
        assert_eq!(values(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
