//! Where a message stands in the outbox (see docs/PRODUCT.md §4): waiting, being sent by a
//! worker that holds its lease, handed to the provider, confirmed or refused by the provider, or
//! given up after its last attempt.

crate::stored::stored_words! {
    /// An outbox message's state, as stored in `outbox.state`.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum OutboxState ("outbox state") {
        /// Waiting for its next attempt.
        Pending = "pending",
        /// Claimed by a worker, under a lease.
        Sending = "sending",
        /// Accepted by the mail server or the SMS/voice provider.
        Sent = "sent",
        /// The provider reported it delivered.
        Delivered = "delivered",
        /// The provider reported it could not deliver.
        Failed = "failed",
        /// Every attempt failed; the payload is erased.
        Dead = "dead",
    }
}
