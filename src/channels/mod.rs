//! Channels (渠道): how GridCare reaches customers and hears from them.
//!
//! * [`outbox`]: messages queued per customer and channel (consultation letters, outage
//!   notices), their delivery state and retries, delivered through a channel gateway.

pub mod outbox;
