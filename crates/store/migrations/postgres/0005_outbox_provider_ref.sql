-- Provider status reports (DESIGN §4) find their message by the provider's id.
CREATE INDEX outbox_provider_ref ON outbox (provider_ref);
