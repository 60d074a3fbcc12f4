//! The channel outbox (being built).
