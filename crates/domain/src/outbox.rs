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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_stored_word_and_nothing_else_does() {
        for &state in OutboxState::ALL {
            assert_eq!(OutboxState::parse(state.as_str()), Ok(state));
        }
        let refused = OutboxState::try_from("Sent".to_owned()).unwrap_err();
        assert_eq!(refused.to_string(), "unknown outbox state \"Sent\"");
    }
}
