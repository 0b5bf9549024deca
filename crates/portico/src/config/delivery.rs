//! `[delivery]`: whether `serve` runs the outbox worker itself, and how long a worker's claim on a
//! message holds. The transports it delivers through are `[email]` and `[sms]`.

use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;
use super::sources::Sources;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeliverySection {
    worker: Option<bool>,
    lease_seconds: Option<i64>,
}

/// The `[delivery]` settings, checked.
pub(super) struct Delivery {
    pub(super) run_worker: bool,
    pub(super) lease: Duration,
}

pub(super) fn delivery(src: &Sources<'_>, file: DeliverySection) -> Result<Delivery, ConfigError> {
    let run_worker = src
        .boolean("PORTICO_DELIVERY_WORKER", file.worker, "delivery.worker")?
        .unwrap_or(true);
    let lease = src
        .number(
            "PORTICO_DELIVERY_LEASE_SECONDS",
            file.lease_seconds,
            "delivery.lease_seconds",
            1,
            3600,
        )?
        .unwrap_or(60);
    Ok(Delivery {
        run_worker,
        lease: Duration::from_secs(lease as u64),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use crate::config::assert_refused_naming;

    #[test]
    fn serve_runs_the_worker_unless_turned_off() {
        assert!(load(&[]).unwrap().run_worker);
        assert!(
            !load(&[("PORTICO_DELIVERY_WORKER", "false")])
                .unwrap()
                .run_worker
        );

        assert_refused_naming(
            load(&[("PORTICO_DELIVERY_WORKER", "sometimes")]),
            &["delivery.worker", "`sometimes` is not true or false"],
        );
    }

    #[test]
    fn a_claim_on_a_message_holds_60_seconds_unless_set_from_1_to_3600() {
        assert_eq!(load(&[]).unwrap().delivery_lease.as_secs(), 60);
        let config = load(&[("PORTICO_DELIVERY_LEASE_SECONDS", "5")]).unwrap();
        assert_eq!(config.delivery_lease.as_secs(), 5);

        assert_refused_naming(
            load(&[("PORTICO_DELIVERY_LEASE_SECONDS", "3601")]),
            &["delivery.lease_seconds", "1 to 3600"],
        );
    }
}
