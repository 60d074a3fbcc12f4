//! What the app saves between runs (`AppState`, JSON in the data directory) and where that
//! directory is. A missing file gives the defaults; a corrupt one is reported, set aside
//! as `app-state.json.corrupt` and replaced by the defaults — never a crash.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::i18n::Lang;
use super::layers::LayerToggles;

/// Name of the state file in the data directory.
pub const STATE_FILE: &str = "app-state.json";
/// Version written into the state file.
pub const STATE_VERSION: u32 = 1;

/// The map view to come back to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewState {
    /// Longitude of the centre, degrees east.
    pub lon: f64,
    /// Latitude of the centre, degrees north.
    pub lat: f64,
    /// Slippy-map zoom.
    pub zoom: f64,
}

impl Default for ViewState {
    fn default() -> Self {
        // Foshan, Chancheng district
        ViewState { lon: 113.12, lat: 23.02, zoom: 12.0 }
    }
}

/// Where raster tiles come from (none: the offline vector basemap only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TileConfig {
    /// No raster tiles.
    #[default]
    None,
    /// An XYZ URL template with `{z}`, `{x}`, `{y}` (and optionally `{s}`).
    Url {
        /// The template.
        template: String,
        /// Attribution to show.
        #[serde(default)]
        attribution: String,
    },
    /// A local folder of `z/x/y.png` (or `.jpg`) tiles.
    Dir {
        /// The folder.
        path: PathBuf,
        /// Attribution to show.
        #[serde(default)]
        attribution: String,
    },
    /// An MBTiles (SQLite) file.
    MbTiles {
        /// The file.
        path: PathBuf,
    },
}

/// Wall-screen settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WallSettings {
    /// Seconds on each area of interest before moving to the next.
    pub cycle_s: f32,
}

impl Default for WallSettings {
    fn default() -> Self {
        WallSettings { cycle_s: 12.0 }
    }
}

/// Everything the app saves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    /// Format version.
    pub version: u32,
    /// Map view.
    pub view: ViewState,
    /// Layer toggles.
    pub layers: LayerToggles,
    /// UI language.
    pub lang: Lang,
    /// Raster tile source (the settings window's; `--tiles` and friends override it for one
    /// run without saving).
    pub tiles: TileConfig,
    /// Wall-screen settings.
    pub wall: WallSettings,
    /// The outage list (停电信息) is open.
    pub outage_panel: bool,
    /// The ticket queue and crew list (工单队列, 抢修队伍) are open.
    pub repair_panel: bool,
    /// The planning workspace (停电计划) is open.
    pub planning_panel: bool,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            version: STATE_VERSION,
            view: ViewState::default(),
            layers: LayerToggles::default(),
            lang: Lang::from_env(),
            tiles: TileConfig::None,
            wall: WallSettings::default(),
            outage_panel: true,
            repair_panel: true,
            planning_panel: false,
        }
    }
}

/// The result of reading the state file.
#[derive(Debug)]
pub struct LoadedState {
    /// The state (defaults when the file was missing or corrupt).
    pub state: AppState,
    /// True when a saved state was read.
    pub restored: bool,
    /// What went wrong, to show the operator.
    pub problem: Option<String>,
}

/// The data directory: `--data-dir`, else `$XDG_DATA_HOME/gridcare`, else
/// `~/.local/share/gridcare`, else `./gridcare-data`.
pub fn data_dir(flag: Option<&Path>) -> PathBuf {
    crate::store::data_dir(flag)
}

impl AppState {
    /// Reads the state file of a data directory.
    pub fn load(dir: &Path) -> LoadedState {
        let path = dir.join(STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return LoadedState { state: AppState::default(), restored: false, problem: None }
            }
            Err(e) => {
                return LoadedState {
                    state: AppState::default(),
                    restored: false,
                    problem: Some(format!("{}: {e}", path.display())),
                }
            }
        };
        match serde_json::from_str::<AppState>(&text) {
            Ok(mut state) => {
                if !(state.view.lon.is_finite()
                    && state.view.lat.is_finite()
                    && (0.0..=20.0).contains(&state.view.zoom))
                {
                    state.view = ViewState::default();
                }
                LoadedState { state, restored: true, problem: None }
            }
            Err(e) => {
                let aside = dir.join(format!("{STATE_FILE}.corrupt"));
                let _ = std::fs::rename(&path, &aside);
                LoadedState {
                    state: AppState::default(),
                    restored: false,
                    problem: Some(format!("{}: {e}", path.display())),
                }
            }
        }
    }

    /// Writes the state file (through a temporary file, so a crash never leaves half a file).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(STATE_FILE);
        let tmp = dir.join(format!("{STATE_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("gridcare-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_saved_state_comes_back() {
        let dir = temp_dir("roundtrip");
        let mut s = AppState::default();
        s.view.zoom = 15.5;
        s.layers.customers = false;
        s.lang = Lang::Zh;
        s.tiles = TileConfig::Url {
            template: "http://t/{z}/{x}/{y}.png".into(),
            attribution: "t".into(),
        };
        s.save(&dir).expect("saves");
        let back = AppState::load(&dir);
        assert!(back.restored && back.problem.is_none());
        assert_eq!(back.state, s);
    }

    #[test]
    fn a_corrupt_file_is_reported_and_replaced_by_defaults() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(STATE_FILE), "{\"view\": {\"zoom\": \"high\"").expect("write");
        let back = AppState::load(&dir);
        assert!(!back.restored);
        assert!(back.problem.is_some());
        assert_eq!(back.state.view, ViewState::default());
        assert!(dir.join(format!("{STATE_FILE}.corrupt")).exists());
    }

    #[test]
    fn a_missing_file_is_no_problem() {
        let back = AppState::load(&temp_dir("missing"));
        assert!(!back.restored && back.problem.is_none());
    }
}
