//! The entities of the grid model. Plain data: no behaviour beyond small accessors.

use serde::{Deserialize, Serialize};

use super::ids::*;

/// A WGS84 position in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct LonLat {
    /// Longitude, degrees east.
    pub lon: f64,
    /// Latitude, degrees north.
    pub lat: f64,
}

impl LonLat {
    /// A position from longitude and latitude in degrees.
    pub const fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// True when both coordinates are finite and inside the WGS84 range.
    pub fn is_valid(&self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }

    /// Great-circle distance in metres (haversine, mean Earth radius 6,371,008.8 m).
    pub fn haversine_dist_m(&self, other: &LonLat) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let dphi = phi2 - phi1;
        let dlambda = (other.lon - self.lon).to_radians();
        let a =
            (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }
}

/// A bus: a connection point of the network (an OpenDSS bus, a pole, a ring-main unit terminal).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bus {
    /// External name, lower case (`l2804253`).
    pub name: String,
    /// Position, if known.
    pub pos: Option<LonLat>,
}

/// A substation (变电站): the source of one or more feeders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Substation {
    /// External id (`sub.zumiao`, or the OpenDSS circuit name).
    pub name: String,
    /// Display name (`祖庙站`).
    pub display_name: String,
    /// Position.
    pub pos: LonLat,
    /// Nominal high-side voltage in kV (110 in the demo city).
    pub kv_hv: f32,
}

/// A 10 kV feeder (馈线): everything energised from its source bus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feeder {
    /// External id (`feeder.zm01`, or the OpenDSS circuit name).
    pub name: String,
    /// Display name (`祖庙站 10kV 01 线`).
    pub display_name: String,
    /// The substation it leaves from.
    pub substation: SubstationId,
    /// The energy source of this feeder: the root of its radial tree.
    pub source_bus: BusId,
    /// Nominal voltage in kV.
    pub kv: f32,
    /// The unit (供电所 / 区公司) that owns the feeder and receives its repair tickets.
    pub unit: String,
}

/// What a switching device is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SwitchKind {
    /// Feeder circuit breaker at the substation (出线断路器).
    Breaker,
    /// Recloser (重合器).
    Recloser,
    /// Fuse (熔断器): a lateral fuse or a transformer's drop-out fuse.
    Fuse,
    /// Sectionalising load-break switch (分段开关).
    Sectionaliser,
    /// Tie switch between feeders, normally open (联络开关).
    Tie,
    /// Any other switch or disconnector.
    Disconnector,
}

impl SwitchKind {
    /// Whether the device clears faults by itself (breaker, recloser, fuse).
    pub fn is_protective(self) -> bool {
        matches!(self, SwitchKind::Breaker | SwitchKind::Recloser | SwitchKind::Fuse)
    }

    /// The word used in names and files.
    pub fn as_str(self) -> &'static str {
        match self {
            SwitchKind::Breaker => "breaker",
            SwitchKind::Recloser => "recloser",
            SwitchKind::Fuse => "fuse",
            SwitchKind::Sectionaliser => "sectionaliser",
            SwitchKind::Tie => "tie",
            SwitchKind::Disconnector => "disconnector",
        }
    }

    /// Parses [`SwitchKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "breaker" => SwitchKind::Breaker,
            "recloser" => SwitchKind::Recloser,
            "fuse" => SwitchKind::Fuse,
            "sectionaliser" => SwitchKind::Sectionaliser,
            "tie" => SwitchKind::Tie,
            "disconnector" => SwitchKind::Disconnector,
            _ => return None,
        })
    }
}

/// Where a switch sits in the network.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum SwitchMount {
    /// A device with its own two terminals (a branch of its own).
    Terminals {
        /// Upstream terminal in the normal state.
        from: BusId,
        /// Downstream terminal in the normal state.
        to: BusId,
    },
    /// A device that protects a line section (an OpenDSS `Fuse`/`Recloser` with
    /// `MonitoredObj=Line.X`): opening it de-energises that line and all beyond.
    OnLine(LineId),
}

/// A switching or protective device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Switch {
    /// External id (`switch.ln5710794-1`, `fuse.ln6201670-1`).
    pub name: String,
    /// What kind of device.
    pub kind: SwitchKind,
    /// Where it sits.
    pub mount: SwitchMount,
    /// Open in the normal operating state (ties).
    pub normally_open: bool,
    /// Position (for devices on a line: the line's first point).
    pub pos: Option<LonLat>,
}

/// A medium-voltage line section with its route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineSection {
    /// External id (`line.ln5502549-1`).
    pub name: String,
    /// One end.
    pub from: BusId,
    /// Other end.
    pub to: BusId,
    /// Length in metres, as given by the source (not derived from the route).
    pub length_m: f32,
    /// Number of phases.
    pub phases: u8,
    /// Route from `from` to `to`, both ends included; empty when the buses have no position.
    pub route: Vec<LonLat>,
    /// False for a section out of service (OpenDSS `enabled=false`).
    pub in_service: bool,
}

/// What a transformer does in the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransformerKind {
    /// HV/MV substation transformer.
    Substation,
    /// Voltage regulator (in series on the feeder).
    Regulator,
    /// Public distribution transformer (公变): one service area (台区) of customers.
    Public,
    /// Dedicated transformer owned by one customer (专变).
    Dedicated,
}

impl TransformerKind {
    /// True for distribution transformers (public or dedicated), the ones that serve customers.
    pub fn is_distribution(self) -> bool {
        matches!(self, TransformerKind::Public | TransformerKind::Dedicated)
    }

    /// The word used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            TransformerKind::Substation => "substation",
            TransformerKind::Regulator => "regulator",
            TransformerKind::Public => "public",
            TransformerKind::Dedicated => "dedicated",
        }
    }

    /// Parses [`TransformerKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "substation" => TransformerKind::Substation,
            "regulator" => TransformerKind::Regulator,
            "public" => TransformerKind::Public,
            "dedicated" => TransformerKind::Dedicated,
            _ => return None,
        })
    }
}

/// A transformer between a high-voltage and a low-voltage bus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transformer {
    /// External id (`transformer.t21396254a`).
    pub name: String,
    /// Display name (`汾江路1号公变`), may equal `name`.
    pub display_name: String,
    /// What it does.
    pub kind: TransformerKind,
    /// High-voltage terminal.
    pub hv_bus: BusId,
    /// Low-voltage terminal.
    pub lv_bus: BusId,
    /// Rated power in kVA.
    pub kva: f32,
    /// Position.
    pub pos: Option<LonLat>,
}

/// A low-voltage line (低压线路) in a transformer's service area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LvLine {
    /// External id (`line.tpx138236b0`).
    pub name: String,
    /// Transformer side.
    pub from: BusId,
    /// Customer side.
    pub to: BusId,
    /// Length in metres.
    pub length_m: f32,
    /// Route, both ends included; empty when unknown.
    pub route: Vec<LonLat>,
}

/// Customer labels (客户标签), a small bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Labels(pub u8);

impl Labels {
    /// 重要客户: hospital, water works, government.
    pub const IMPORTANT: Labels = Labels(1);
    /// 停电敏感客户: has complained about outages before.
    pub const OUTAGE_SENSITIVE: Labels = Labels(2);
    /// 生命支持: medical equipment at home.
    pub const LIFE_SUPPORT: Labels = Labels(4);
    /// Commercial or industrial customer (非居民).
    pub const COMMERCIAL: Labels = Labels(8);
    /// Bound to the utility's WeChat account (微信绑定).
    pub const WECHAT: Labels = Labels(16);

    /// Every label with its file word, in a fixed order.
    pub const ALL: [(Labels, &'static str); 5] = [
        (Labels::IMPORTANT, "important"),
        (Labels::OUTAGE_SENSITIVE, "outage_sensitive"),
        (Labels::LIFE_SUPPORT, "life_support"),
        (Labels::COMMERCIAL, "commercial"),
        (Labels::WECHAT, "wechat"),
    ];

    /// True when every label of `other` is set here.
    pub fn contains(self, other: Labels) -> bool {
        self.0 & other.0 == other.0
    }

    /// Union.
    pub fn with(self, other: Labels) -> Labels {
        Labels(self.0 | other.0)
    }

    /// The labels as words joined by `|` (empty for none).
    pub fn to_words(self) -> String {
        Labels::ALL
            .iter()
            .filter(|(l, _)| self.contains(*l))
            .map(|(_, w)| *w)
            .collect::<Vec<_>>()
            .join("|")
    }

    /// Parses [`Labels::to_words`]; `None` names an unknown word.
    pub fn from_words(s: &str) -> Result<Labels, String> {
        let mut labels = Labels::default();
        for w in s.split('|').map(str::trim).filter(|w| !w.is_empty()) {
            match Labels::ALL.iter().find(|(_, name)| *name == w) {
                Some((l, _)) => labels = labels.with(*l),
                None => return Err(w.to_string()),
            }
        }
        Ok(labels)
    }
}

/// A standard address (三级七段): three levels, seven segments, plus the room.
///
/// Level 1: province / city / district; level 2: township-street / community;
/// level 3: road + house number / compound or natural village / building. Empty strings for
/// segments that do not apply (a village house has no building).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StandardAddress {
    /// 省 (`广东省`).
    pub province: String,
    /// 市 (`佛山市`).
    pub city: String,
    /// 区县 (`禅城区`).
    pub district: String,
    /// 乡镇街道 (`祖庙街道`).
    pub township: String,
    /// 社区居委会 / 村委会 (`升平社区`).
    pub community: String,
    /// 街巷 (`汾江中路`).
    pub road: String,
    /// 门牌号 (`123号`).
    pub house_no: String,
    /// 小区 or 自然村 (`文华花园`).
    pub compound: String,
    /// 楼栋 (`3栋`).
    pub building: String,
    /// 房号 (`1502房`), below the seven segments.
    pub room: String,
}

impl StandardAddress {
    /// The segments in order, province to room.
    pub fn segments(&self) -> [&str; 10] {
        [
            &self.province,
            &self.city,
            &self.district,
            &self.township,
            &self.community,
            &self.road,
            &self.house_no,
            &self.compound,
            &self.building,
            &self.room,
        ]
    }

    /// The seven segments without the room: the address of a building or a house.
    pub fn building_segments(&self) -> [&str; 9] {
        let [p, c, d, t, co, r, h, cp, b, _room] = self.segments();
        [p, c, d, t, co, r, h, cp, b]
    }

    /// The full address as one string, segments in order.
    pub fn full(&self) -> String {
        self.segments().concat()
    }
}

/// A customer connection (用户): one account at one supply point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// External id (the OpenDSS load name `load.138236b0`, or `cust.<account>`).
    pub name: String,
    /// Account number (户号), unique.
    pub account_no: String,
    /// Customer name (户名).
    pub display_name: String,
    /// Contact phones.
    pub phones: Vec<String>,
    /// Standard address.
    pub address: StandardAddress,
    /// Labels.
    pub labels: Labels,
    /// The bus the service connects to.
    pub bus: BusId,
    /// The distribution transformer serving the customer in the normal state.
    pub transformer: Option<TransformerId>,
    /// Contracted or nominal demand in kW.
    pub kw: f32,
    /// Position of the meter.
    pub pos: LonLat,
}
