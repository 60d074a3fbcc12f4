//! GridCare: one map for marketing, distribution and dispatch.
//!
//! The library is UI-free: `model` (the grid and its customers), `topology` (who feeds whom),
//! `spatial` (what is near a point), `address` (standard addresses and fuzzy matching),
//! `import` (OpenDSS feeders) and `citygen` (the seeded demo city of Foshan). The desktop app,
//! the CLI and the HTTP API all call these same functions.

pub mod address;
#[cfg(feature = "app")]
pub mod app;
pub mod bench;
pub mod citygen;
pub mod export;
pub mod grid;
pub mod import;
pub mod model;
pub mod outage;
pub mod rng;
pub mod sim;
pub mod spatial;
pub mod store;
pub mod topology;
pub mod workorder;
