//! Crew positions from an AVL feed (车辆定位): the vehicle-tracking system of the repair
//! fleet publishes where each crew's vehicle is, as JSON at a URL; GridCare reads it and
//! records each crew's new position (a `moved` event by `avl`).
//!
//! The document is an array of fixes, or an object with a `vehicles` array of them:
//!
//! ```json
//! [{"crew": "祖庙抢修一班", "lon": 113.1085, "lat": 23.0332},
//!  {"crew": 4, "lon": 113.1502, "lat": 23.0401, "time": "2026-11-24T14:05:00+08:00"}]
//! ```
//!
//! `crew` is the crew's name or number. A fix for an unknown crew is reported, not an
//! error: fleets carry vehicles GridCare does not dispatch. A fix within
//! [`AVL_MIN_MOVE_M`] of the recorded position writes nothing, so a parked vehicle does
//! not fill the log.

use serde::Serialize;
use serde_json::Value;

use super::crew::CrewId;
use super::desk::RepairDesk;
use super::error::TicketError;
use crate::model::LonLat;

/// A fix closer than this to the crew's recorded position is not recorded, metres.
pub const AVL_MIN_MOVE_M: f64 = 20.0;

/// The largest feed document read, bytes (a fleet of thousands is well under it).
pub const AVL_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Who a fix is for.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AvlCrew {
    /// The crew's number.
    Id(u64),
    /// The crew's name.
    Name(String),
}

/// One position of the feed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AvlFix {
    /// The crew.
    pub crew: AvlCrew,
    /// Where its vehicle is.
    pub pos: LonLat,
}

/// A feed that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum AvlError {
    /// Not JSON.
    #[error("AVL feed {source_name}: not JSON: {message}")]
    NotJson {
        /// The URL or file.
        source_name: String,
        /// serde_json's message (line and column).
        message: String,
    },
    /// JSON of the wrong shape.
    #[error("AVL feed {source_name}: {path}: {message}")]
    Field {
        /// The URL or file.
        source_name: String,
        /// Where in the document (`vehicles[3].lat`).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The feed could not be fetched.
    #[error("AVL feed {url}: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong (connection, status, size).
        message: String,
    },
}

/// What reading a feed did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AvlReport {
    /// Fixes in the document.
    pub fixes: usize,
    /// Crews whose new position was recorded.
    pub moved: Vec<CrewId>,
    /// Fixes within [`AVL_MIN_MOVE_M`] of the recorded position.
    pub unchanged: usize,
    /// Fixes for crews GridCare does not know, as given.
    pub unknown: Vec<AvlCrew>,
}

/// Parses a feed document (see the module documentation). `source_name` names the URL or
/// file in errors.
///
/// # Examples
/// ```
/// use gridcare::workorder::{parse_avl, AvlCrew};
/// let fixes = parse_avl("demo", r#"{"vehicles": [{"crew": "祖庙抢修一班", "lon": 113.1, "lat": 23.0}]}"#)?;
/// assert_eq!(fixes[0].crew, AvlCrew::Name("祖庙抢修一班".into()));
/// let bad = parse_avl("demo", r#"[{"crew": 1, "lon": 113.1, "lat": 123.0}]"#).unwrap_err();
/// assert_eq!(bad.to_string(), "AVL feed demo: [0].lat: 123 is not a latitude (-90 to 90)");
/// # Ok::<(), gridcare::workorder::AvlError>(())
/// ```
pub fn parse_avl(source_name: &str, text: &str) -> Result<Vec<AvlFix>, AvlError> {
    let field = |path: String, message: String| AvlError::Field {
        source_name: source_name.to_string(),
        path,
        message,
    };
    let doc: Value = serde_json::from_str(text).map_err(|e| AvlError::NotJson {
        source_name: source_name.to_string(),
        message: e.to_string(),
    })?;
    let (prefix, items) = match &doc {
        Value::Array(a) => ("", a),
        Value::Object(o) => match o.get("vehicles") {
            Some(Value::Array(a)) => ("vehicles", a),
            _ => return Err(field("vehicles".into(), "an array of fixes is expected".into())),
        },
        _ => return Err(field("(document)".into(), "an array of fixes is expected".into())),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = |f: &str| format!("{prefix}[{i}].{f}");
        let crew = match item.get("crew") {
            Some(Value::String(s)) if !s.trim().is_empty() => AvlCrew::Name(s.trim().to_string()),
            Some(Value::Number(n)) if n.as_u64().is_some() => AvlCrew::Id(n.as_u64().unwrap_or(0)),
            Some(other) => {
                return Err(field(at("crew"), format!("{other} is not a crew name or number")))
            }
            None => return Err(field(at("crew"), "missing".into())),
        };
        let coord = |f: &str, lo: f64, hi: f64, what: &str| -> Result<f64, AvlError> {
            match item.get(f).and_then(Value::as_f64) {
                Some(v) if (lo..=hi).contains(&v) => Ok(v),
                Some(v) => Err(field(at(f), format!("{v} is not a {what} ({lo} to {hi})"))),
                None => Err(field(at(f), "missing or not a number".into())),
            }
        };
        let lon = coord("lon", -180.0, 180.0, "longitude")?;
        let lat = coord("lat", -90.0, 90.0, "latitude")?;
        out.push(AvlFix { crew, pos: LonLat::new(lon, lat) });
    }
    Ok(out)
}

impl RepairDesk {
    /// Records the positions of a feed: each known crew that moved at least
    /// [`AVL_MIN_MOVE_M`] gets a `moved` event by `author`.
    pub fn apply_avl(&mut self, fixes: &[AvlFix], author: &str) -> Result<AvlReport, TicketError> {
        let mut report = AvlReport { fixes: fixes.len(), ..AvlReport::default() };
        for f in fixes {
            let crew = self
                .crews()
                .find(|c| match &f.crew {
                    AvlCrew::Id(id) => c.id.0 == *id,
                    AvlCrew::Name(n) => c.spec.name == *n,
                })
                .map(|c| (c.id, c.pos));
            match crew {
                None => report.unknown.push(f.crew.clone()),
                Some((_, pos)) if pos.haversine_dist_m(&f.pos) < AVL_MIN_MOVE_M => {
                    report.unchanged += 1
                }
                Some((id, _)) => {
                    self.move_crew(id, f.pos, author)?;
                    report.moved.push(id);
                }
            }
        }
        Ok(report)
    }
}

/// Fetches a feed document over HTTP(S) with a timeout; a non-success status, a body over
/// [`AVL_MAX_BYTES`] or a connection failure is an error naming the URL.
#[cfg(feature = "avl")]
pub fn fetch_avl(url: &str, timeout: std::time::Duration) -> Result<String, AvlError> {
    use std::io::Read;
    let err = |message: String| AvlError::Fetch { url: url.to_string(), message };
    // reqwest's client needs a TLS provider even for http:// (ring, as for the map tiles);
    // installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| err(e.to_string()))?;
    let resp = client.get(url).send().map_err(|e| err(e.to_string()))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(err(format!("HTTP {status}")));
    }
    let mut body = Vec::new();
    resp.take((AVL_MAX_BYTES + 1) as u64).read_to_end(&mut body).map_err(|e| err(e.to_string()))?;
    if body.len() > AVL_MAX_BYTES {
        return Err(err(format!("the document is over {AVL_MAX_BYTES} bytes")));
    }
    String::from_utf8(body).map_err(|_| err("the document is not UTF-8".into()))
}
