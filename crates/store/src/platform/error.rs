//! The storage layer's one error type. It carries no row data, so it is safe to log.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the row; callers turn this into a field-level message.
    #[error("a row with the same unique value already exists ({constraint})")]
    Conflict { constraint: String },
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database URL is not usable: {0}")]
    BadUrl(String),
    /// An audit event was appended through a store that was never given the chain key.
    #[error("the audit chain key is not set; audit events cannot be written")]
    AuditKeyMissing,
    /// The store is already keyed with another chain key (two secrets in one process).
    #[error("the store's audit chain is already keyed with another key")]
    AuditKeyMismatch,
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            return StoreError::Conflict {
                constraint: db.constraint().unwrap_or("unique").to_owned(),
            };
        }
        StoreError::Database(error)
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}
