//! Channels (渠道): how GridCare reaches customers and hears from them.
//!
//! * [`outbox`]: messages queued per customer and channel (consultation letters, outage
//!   notices), their delivery state and retries, delivered through a channel gateway.
//! * [`customer360`]: one customer from every side — profile, grid position, outages, tickets,
//!   messages, alerts — and one timeline across channels.
//! * [`notices`]: proactive outage notices (主动告知) — one per change of an outage per
//!   reached customer, never twice.
//! * [`records`]: interactions with customers, channel tokens, subscriptions to outage notices
//!   and channel bindings, as the channel service records them.
//! * [`sensitive`]: the lexicon of sensitive words (敏感词) and the normaliser and matcher
//!   that find them however they are disguised; [`alert`]: the alerts (敏感词预警) raised
//!   from them, acknowledged, assigned and resolved in the store ([`alert::AlertBook`]).

pub mod alert;
pub mod customer360;
pub mod notices;
pub mod outbox;
pub mod records;
pub mod sensitive;
