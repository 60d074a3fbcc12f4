//! Typed ids: an index into the owning `Vec` of [`super::GridModel`], never mixed up with another kind.

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The position of this element in its table.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

typed_id!(
    /// A bus (node) of the network: a connection point with a position.
    BusId,
    /// A substation (变电站).
    SubstationId,
    /// A 10 kV feeder (馈线).
    FeederId,
    /// A switching or protective device: breaker, recloser, fuse, sectionaliser, tie (开关).
    SwitchId,
    /// A medium-voltage line section (线路区段).
    LineId,
    /// A transformer: distribution (配变), regulator or substation.
    TransformerId,
    /// A low-voltage line (低压线路), from a transformer towards customers.
    LvLineId,
    /// A customer connection (用户).
    CustomerId,
);

/// Any element that is a branch of the network graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ElementRef {
    /// A medium-voltage line section.
    Line(LineId),
    /// A switch with its own two terminals.
    Switch(SwitchId),
    /// A transformer (HV terminal to LV terminal).
    Transformer(TransformerId),
    /// A low-voltage line.
    LvLine(LvLineId),
}

/// Anything a user can name: a network element, a feeder, a substation, a bus or a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DeviceRef {
    /// A branch element.
    Element(ElementRef),
    /// A whole feeder.
    Feeder(FeederId),
    /// A substation.
    Substation(SubstationId),
    /// A bus.
    Bus(BusId),
    /// A customer connection.
    Customer(CustomerId),
}
