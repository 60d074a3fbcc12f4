//! Transformers and transformer codes: windings set one by one (`wdg=2 bus=x kv=0.12`), as lists
//! (`buses=(a, b)`, `kvs=[..]`) or copied from an `XfmrCode`, in the order given.

use super::elements::{count, number, Library, Loc, PropError, Table};
use super::lexer::{parse_bool, split_list};

/// At most this many windings (a guard against `windings=1e9`).
const MAX_WINDINGS: f64 = 32.0;

/// One winding of a transformer or transformer code.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Winding {
    pub bus: Option<String>,
    pub kv: f64,
    pub kva: f64,
}

impl Default for Winding {
    fn default() -> Self {
        Winding { bus: None, kv: 12.47, kva: 1000.0 }
    }
}

/// The winding-related properties shared by `Transformer` and `XfmrCode`.
#[derive(Clone, Debug)]
pub(crate) struct Windings {
    pub windings: Vec<Winding>,
    /// Active winding (0-based) for `bus=`, `kv=`, `kva=`.
    pub active: usize,
}

impl Default for Windings {
    fn default() -> Self {
        Windings { windings: vec![Winding::default(), Winding::default()], active: 0 }
    }
}

impl Windings {
    fn resize(&mut self, n: usize) {
        self.windings.resize_with(n, Winding::default);
        self.active = self.active.min(n.saturating_sub(1));
    }

    fn ensure(&mut self, n: usize) -> Result<(), PropError> {
        if n as f64 > MAX_WINDINGS {
            return Err(PropError::BadValue);
        }
        if self.windings.len() < n {
            self.resize(n);
        }
        Ok(())
    }

    /// Applies a winding property; `Ok(false)` when `prop` is not one.
    fn apply(&mut self, prop: &str, value: &str) -> Result<bool, PropError> {
        match prop {
            "windings" => self.resize(count(value, MAX_WINDINGS)?),
            "wdg" => {
                let w = count(value, MAX_WINDINGS)?;
                self.ensure(w)?;
                self.active = w - 1;
            }
            "bus" | "kv" | "kva" => {
                self.ensure(self.active + 1)?;
                let w = &mut self.windings[self.active];
                match prop {
                    "bus" => w.bus = Some(value.to_string()),
                    "kv" => w.kv = number(value)?,
                    _ => w.kva = number(value)?,
                }
            }
            "buses" | "kvs" | "kvas" => {
                let items = split_list(value);
                self.ensure(items.len())?;
                for (w, item) in self.windings.iter_mut().zip(items) {
                    match prop {
                        "buses" => w.bus = Some(item.to_string()),
                        "kvs" => w.kv = number(item)?,
                        _ => w.kva = number(item)?,
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// `New XfmrCode`: winding kV and kVA.
#[derive(Clone, Debug, Default)]
pub(crate) struct XfmrCodeDef {
    pub w: Windings,
}

impl XfmrCodeDef {
    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        lib: &Library,
    ) -> Result<(), PropError> {
        if prop == "like" {
            let key = value.to_lowercase();
            *self = lib
                .xfmrcodes
                .get(&key)
                .cloned()
                .ok_or(PropError::Unknown(format!("xfmrcode.{key}")))?;
            return Ok(());
        }
        self.w.apply(prop, value).map(|_| ())
    }
}

/// `New Transformer`.
#[derive(Clone, Debug)]
pub(crate) struct TransformerDef {
    pub display: String,
    pub loc: Loc,
    pub w: Windings,
    pub sub: bool,
}

impl TransformerDef {
    pub(crate) fn new(display: String, loc: Loc) -> Self {
        TransformerDef { display, loc, w: Windings::default(), sub: false }
    }

    pub(crate) fn apply(
        &mut self,
        prop: &str,
        value: &str,
        lib: &Library,
        transformers: &Table<TransformerDef>,
    ) -> Result<(), PropError> {
        if self.w.apply(prop, value)? {
            return Ok(());
        }
        match prop {
            "sub" => self.sub = parse_bool(value),
            "xfmrcode" => {
                let key = value.to_lowercase();
                let code =
                    lib.xfmrcodes.get(&key).ok_or(PropError::Unknown(format!("xfmrcode.{key}")))?;
                let buses: Vec<Option<String>> =
                    self.w.windings.iter().map(|w| w.bus.clone()).collect();
                self.w = code.w.clone();
                self.w.active = 0;
                for (w, bus) in self.w.windings.iter_mut().zip(buses) {
                    w.bus = bus;
                }
            }
            "like" => {
                let key = value.to_lowercase();
                let other = transformers
                    .get(&key)
                    .ok_or(PropError::Unknown(format!("transformer.{key}")))?;
                *self = TransformerDef {
                    display: self.display.clone(),
                    loc: self.loc,
                    ..other.clone()
                };
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_winding_properties_follow_the_active_winding() {
        let lib = Library::default();
        let mut t = TransformerDef::new("Sub".into(), Loc::default());
        let table = Table::default();
        for (p, v) in [
            ("wdg", "1"),
            ("bus", "SourceBus"),
            ("kv", "115"),
            ("wdg", "2"),
            ("bus", "650"),
            ("kv", "4.16"),
        ] {
            assert_eq!(t.apply(p, v, &lib, &table), Ok(()));
        }
        assert_eq!(t.w.windings[0].bus.as_deref(), Some("SourceBus"));
        assert_eq!(t.w.windings[1].kv, 4.16);
        assert_eq!(t.apply("wdg", "0", &lib, &table), Err(PropError::BadValue));
        assert_eq!(t.apply("windings", "1e9", &lib, &table), Err(PropError::BadValue));
    }

    #[test]
    fn a_transformer_code_gives_windings_but_keeps_buses() {
        let mut lib = Library::default();
        let mut code = XfmrCodeDef::default();
        assert_eq!(code.apply("windings", "3", &lib), Ok(()));
        assert_eq!(code.apply("kvas", "15, 15, 15", &lib), Ok(()));
        assert_eq!(code.apply("kvs", "7.2 0.12 0.12", &lib), Ok(()));
        lib.xfmrcodes.insert("ct15".into(), code);
        let table = Table::default();
        let mut t = TransformerDef::new("T1".into(), Loc::default());
        assert_eq!(t.apply("xfmrcode", "CT15", &lib, &table), Ok(()));
        assert_eq!(t.apply("buses", "a.1 b.1.0 b.0.2", &lib, &table), Ok(()));
        assert_eq!(t.w.windings.len(), 3);
        assert_eq!(t.w.windings[0].kva, 15.0);
        assert_eq!(t.w.windings[2].kv, 0.12);
        assert_eq!(
            t.apply("xfmrcode", "nope", &lib, &table),
            Err(PropError::Unknown("xfmrcode.nope".into()))
        );
    }
}
