//! Who is calling and where the call is on the grid (工单定位): a caller by account number or
//! phone, by free-text address, by a pin on the map, or a device named by a crew or SCADA —
//! each resolved to a [`CallSite`]: customer, transformer, feeder, substation and the unit
//! that owns the feeder.

use serde::{Deserialize, Serialize};

use super::error::TicketError;
use super::ticket::{CallSite, FaultLevel};
use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef, ElementRef, FeederId, LonLat};
use crate::outage::find_caller;

/// How far a pin looks for the grid, metres.
pub const PIN_RADIUS_M: f64 = 300.0;
/// The least address-match score a ticket is located by (1.0 is an exact standard address).
pub const MIN_ADDRESS_SCORE: f32 = 0.6;

/// Who or what a call is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum Caller {
    /// An account number (户号) or phone, matched exactly.
    Number(String),
    /// A free-text address, matched against the standard addresses.
    Address(String),
    /// A point on the map (地图扎点).
    Pin(LonLat),
    /// A device by its external id (a crew's or SCADA's report).
    Device(String),
}

/// A located call: the site, the customer when the caller is one, and the fault level a
/// call of this kind starts at.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    /// The site.
    pub site: CallSite,
    /// The calling customer.
    pub customer: Option<CustomerId>,
    /// The fault level as first judged.
    pub level: FaultLevel,
}

/// Where an element is on the map: a switch or transformer at its position, a line at the
/// middle of its route.
fn element_pos(grid: &Grid, el: ElementRef) -> Option<LonLat> {
    let m = &grid.model;
    match el {
        ElementRef::Switch(s) => crate::spatial::switch_position(m, s),
        ElementRef::Transformer(t) => crate::spatial::transformer_position(m, t),
        ElementRef::Line(l) => {
            let r = &m.lines[l.index()].route;
            r.get(r.len() / 2).copied()
        }
        ElementRef::LvLine(l) => {
            let r = &m.lv_lines[l.index()].route;
            r.get(r.len() / 2).copied()
        }
    }
}

fn fill_feeder(grid: &Grid, site: &mut CallSite, feeder: Option<FeederId>) {
    let m = &grid.model;
    // A site no feeder supplies now (an island) is owned by the nearest supplied line's unit.
    let feeder = feeder.or_else(|| grid.locate(site.pos, 2000.0).feeder);
    if let Some(f) = feeder {
        let fd = &m.feeders[f.index()];
        site.feeder = Some(fd.name.clone());
        site.feeder_name = fd.display_name.clone();
        site.substation = m.substations[fd.substation.index()].display_name.clone();
        site.unit = fd.unit.clone();
    }
}

fn customer_site(grid: &Grid, c: CustomerId) -> CallSite {
    let m = &grid.model;
    let cu = &m.customers[c.index()];
    let card = grid.customer_card(c);
    let transformer = card.as_ref().and_then(|k| k.transformer);
    let mut site = CallSite {
        account: Some(cu.account_no.clone()),
        name: cu.display_name.clone(),
        phone: cu.phones.first().cloned().unwrap_or_default(),
        address: cu.address.full(),
        pos: cu.pos,
        transformer: transformer.map(|t| m.transformers[t.index()].name.clone()),
        ..CallSite::default()
    };
    site.device = site.transformer.clone();
    fill_feeder(grid, &mut site, card.and_then(|k| k.feeder));
    if site.device.is_none() {
        site.device = site.feeder.clone();
    }
    site
}

/// Locates a call. A number must be an existing account or phone, an address must match a
/// standard address well enough, a pin must be within [`PIN_RADIUS_M`] of the grid, and a
/// device must be in service and supplied.
pub fn locate_call(grid: &Grid, caller: &Caller) -> Result<Located, TicketError> {
    let m = &grid.model;
    match caller {
        Caller::Number(n) => {
            let found = find_caller(grid, n)?;
            let c = found[0];
            let mut site = customer_site(grid, c);
            // the number the caller gave is the one to call back
            if n.chars().filter(char::is_ascii_digit).count() >= 7
                && site.account.as_deref() != Some(n.trim())
            {
                site.phone = n.trim().to_string();
            }
            Ok(Located { site, customer: Some(c), level: FaultLevel::LowVoltage })
        }
        Caller::Address(text) => {
            if text.trim().is_empty() {
                return Err(TicketError::EmptyAddress);
            }
            let best = grid.find(text, 1).into_iter().next();
            match best {
                Some(b) if b.score >= MIN_ADDRESS_SCORE => Ok(Located {
                    site: customer_site(grid, b.customer),
                    customer: Some(b.customer),
                    level: FaultLevel::LowVoltage,
                }),
                other => Err(TicketError::AddressNotFound {
                    text: text.clone(),
                    best: other.map(|b| (m.customers[b.customer.index()].address.full(), b.score)),
                }),
            }
        }
        Caller::Pin(at) => {
            if !at.is_valid() {
                return Err(TicketError::BadPosition { at: *at });
            }
            let loc = grid.locate(*at, PIN_RADIUS_M);
            if loc.line.is_none() && loc.transformer.is_none() {
                return Err(TicketError::PinOffGrid { at: *at, radius_m: PIN_RADIUS_M });
            }
            let mut site = CallSite {
                pos: *at,
                address: format!("地图扎点 {:.5}, {:.5}", at.lon, at.lat),
                ..CallSite::default()
            };
            site.transformer = loc.transformer.map(|t| m.transformers[t.item.index()].name.clone());
            site.device = site.transformer.clone();
            fill_feeder(grid, &mut site, loc.feeder);
            if site.device.is_none() {
                site.device = site.feeder.clone();
            }
            Ok(Located { site, customer: None, level: FaultLevel::MediumVoltage })
        }
        Caller::Device(name) => {
            let d = grid.resolve(name)?;
            let external = m.device_name(d).to_string();
            let (bus, level, pos) = match d {
                DeviceRef::Customer(c) => {
                    let site = customer_site(grid, c);
                    return Ok(Located { site, customer: Some(c), level: FaultLevel::LowVoltage });
                }
                DeviceRef::Element(el) => {
                    if let ElementRef::Line(l) = el {
                        if !m.lines[l.index()].in_service {
                            return Err(TicketError::OutOfService { device: external });
                        }
                    }
                    let (a, _) = m.terminals(el);
                    let level = if matches!(el, ElementRef::LvLine(_)) {
                        FaultLevel::LowVoltage
                    } else {
                        FaultLevel::MediumVoltage
                    };
                    (a, level, element_pos(grid, el).or(m.buses[a.index()].pos))
                }
                DeviceRef::Bus(b) => (b, FaultLevel::MediumVoltage, m.buses[b.index()].pos),
                DeviceRef::Feeder(f) => {
                    let b = m.feeders[f.index()].source_bus;
                    (b, FaultLevel::MediumVoltage, m.buses[b.index()].pos)
                }
                DeviceRef::Substation(s) => {
                    return Err(TicketError::NotRepairable {
                        device: external,
                        why: format!(
                            "{} is a whole substation; name the feeder or device that failed",
                            m.substations[s.index()].display_name
                        ),
                    })
                }
            };
            let Some(pos) = pos else {
                return Err(TicketError::NotRepairable {
                    device: external,
                    why: "it has no position on the map to send a crew to".into(),
                });
            };
            let feeder = grid.topology.feeder_of(bus);
            if feeder.is_none() {
                return Err(TicketError::OutOfService { device: external });
            }
            let mut site = CallSite {
                pos,
                address: format!("设备 {external}"),
                device: Some(external.clone()),
                transformer: matches!(d, DeviceRef::Element(ElementRef::Transformer(_)))
                    .then(|| external.clone()),
                ..CallSite::default()
            };
            fill_feeder(grid, &mut site, feeder);
            Ok(Located { site, customer: None, level })
        }
    }
}
