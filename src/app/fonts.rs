//! The CJK font: a subset of Noto Sans CJK SC (SIL OFL 1.1) packed into the binary and
//! registered after egui's default fonts, so Latin text keeps egui's look and every Chinese
//! name, address and label renders on a machine with no CJK fonts installed. How the subset
//! was made: `resources/fonts/README.md`.

use std::sync::Arc;

use eframe::egui::{Context, FontData, FontDefinitions, FontFamily};

/// The font file.
pub const CJK_FONT: &[u8] = include_bytes!("../../resources/fonts/NotoSansSC-GridCare-subset.otf");
/// Its name among egui's fonts.
pub const CJK_FONT_NAME: &str = "noto-sans-sc-subset";

/// egui's default fonts with the CJK subset as the fallback of every family.
pub fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(CJK_FONT_NAME.to_string(), Arc::new(FontData::from_static(CJK_FONT)));
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push(CJK_FONT_NAME.to_string());
    }
    fonts
}

/// Installs [`definitions`] in a context.
pub fn install(ctx: &Context) {
    ctx.set_fonts(definitions());
}
