//! GridCare: one map for marketing, distribution and dispatch.
//!
//! The library is UI-free: `model` (the grid and its customers), `topology` (who feeds whom),
//! `spatial` (what is near a point), `address` (standard addresses and fuzzy matching),
//! `import` (OpenDSS feeders) and `citygen` (the seeded demo city of Foshan). The desktop app,
//! the CLI and the HTTP API all call these same functions; `ops` holds the operator's writes as
//! data, applied the same way by an embedded app and by `gridcare serve`.

pub mod address;
#[cfg(feature = "app")]
pub mod app;
pub mod bench;
pub mod channels;
pub mod citygen;
pub mod export;
pub mod grid;
pub mod import;
pub mod kpi;
pub mod model;
pub mod ops;
pub mod outage;
pub mod planning;
#[cfg(feature = "remote")]
pub mod remote;
pub mod rng;
#[cfg(feature = "serve")]
pub mod server;
pub mod sim;
pub mod spatial;
pub mod store;
pub mod topology;
pub mod workorder;

/// The folder of the store inside a data directory (`DIR/store`).
pub const STORE_DIR: &str = "store";

/// Every kind of entity GridCare keeps in its store — outages, repair tickets, crews — for
/// [`store::OpenOptions::kinds`]. The app and every command open the store with all of them,
/// so that the check after an unclean shutdown decodes every event, whoever wrote it.
pub fn store_kinds() -> Vec<store::KindCheck> {
    let mut kinds = workorder::store_kinds();
    kinds.push(store::KindCheck::of::<outage::Outage>());
    kinds.push(store::KindCheck::of::<planning::Scenario>());
    kinds.extend(channels::records::store_kinds());
    kinds.push(store::KindCheck::of::<channels::outbox::OutboxMessage>());
    kinds.push(store::KindCheck::of::<outage::meter::MeterRecord>());
    kinds.push(store::KindCheck::of::<channels::alert::Alert>());
    kinds
}

/// Opens the store of a data directory (`DIR/store`, created when missing) with every kind
/// and the system clock. The error names the directory and what is wrong (locked by another
/// gridcare, damaged, written by a newer gridcare); nothing is overwritten then.
pub fn open_store(data_dir: &std::path::Path) -> Result<store::Store, store::StoreError> {
    let options = store::OpenOptions { kinds: store_kinds(), ..store::OpenOptions::default() };
    store::Store::open_with(&data_dir.join(STORE_DIR), options)
}
