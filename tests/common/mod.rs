//! What the headless UI tests share: the app on a grid in a scratch data directory, driven
//! through egui_kittest, and queries of the AccessKit tree by label.
#![allow(dead_code)] // each test crate uses the part it needs

use std::path::PathBuf;

use eframe::egui;
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use gridcare::app::{AppOptions, GridCareApp, Lang};
use gridcare::citygen::{generate_city, CityParams};
use gridcare::grid::Grid;

/// The app under test.
pub type App = Harness<'static, GridCareApp>;

/// A fresh scratch data directory `gridcare-{kind}-{name}-{pid}`.
pub fn temp_dir(kind: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gridcare-{kind}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A generated city of 3,000 customers (fast to build in a debug test).
pub fn small_city() -> Grid {
    Grid::from_model(generate_city(&CityParams { customers: 3000, seed: 1 }))
}

/// The app on `grid` with its data in `dir`, in English, on a screen of `size`, run until
/// it settles.
pub fn harness_sized(grid: Grid, dir: PathBuf, size: egui::Vec2) -> App {
    let options = AppOptions { data_dir: Some(dir), lang: Some(Lang::En), ..AppOptions::default() };
    let app = GridCareApp::new(&egui::Context::default(), grid, options);
    let mut h = Harness::builder()
        .with_size(size)
        .with_max_steps(40)
        .with_context_setup(gridcare::app::install_fonts)
        .build_ui_state(|ui, app: &mut GridCareApp| app.ui(ui), app);
    h.run();
    h
}

/// The app on `grid` with its data in `dir`, on a 1600 × 1000 screen.
pub fn harness_in(grid: Grid, dir: PathBuf) -> App {
    harness_sized(grid, dir, egui::vec2(1600.0, 1000.0))
}

/// Whether a widget or label has exactly this text.
pub fn has_label(h: &App, text: &str) -> bool {
    h.query_all_by_label(text).next().is_some()
}

/// Whether a widget or label contains this text.
pub fn has_label_containing(h: &App, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Every text on the screen, in tree order.
pub fn all_labels(h: &App) -> Vec<String> {
    // a Label node keeps its text in `value`, other widgets in `label`
    h.query_all_by(|_| true)
        .filter_map(|n| {
            let n = n.accesskit_node();
            n.label().or_else(|| n.value())
        })
        .collect()
}

/// Types into the text field labelled `label`.
pub fn type_into(h: &mut App, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// Clicks the widget labelled `label` and runs the frame.
pub fn click(h: &mut App, label: &str) {
    h.get_by_label(label).click();
    h.run();
}
