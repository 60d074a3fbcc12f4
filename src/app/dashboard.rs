//! The KPI dashboard (仪表盘): headline tiles (SAIFI, SAIDI, CAIDI, ASAI, MAIFIe, Major Event
//! Days, open tickets, SLA compliance), the daily SAIDI trend with the T_MED line and the Major
//! Event Days marked, the worst feeders by SAIDI, the channel mix and the SLA compliance per
//! step, for a period (the last 30, 90 or 365 days, or the whole store) and a scope (the whole
//! area, a district, a substation or a feeder).
//!
//! Every figure is the KPI library's ([`crate::kpi::Dashboard`], which is `gridcare report`'s
//! [`crate::kpi::Report`] plus its series); the app computes none. The computation runs on a
//! worker thread — when the dashboard (or the wall screen, whose SAIFI and SAIDI tiles come
//! from the same result) is shown, when the period or scope changes, and when the store
//! changed (checked every [`CHECK_EVERY_S`] seconds) — never per frame; "computing…" is shown
//! meanwhile. A click on a feeder (its bar or its row) selects it and flies the map to it.

use std::collections::BTreeSet;
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::{mpsc, Arc};

use eframe::egui::{self, Color32, RichText};

use crate::grid::Grid;
use crate::kpi::{last_days, read_call_records, Dashboard, ReportInput, Scope, CALL_RECORDS_FILE};
use crate::model::{DeviceRef, FeederId, LonLat};
use crate::store::Store;
use crate::workorder::SlaPolicy;

use super::command::Command;
use super::i18n::{tr, trf, Lang, T};
use super::panels::Ctx;
use super::snapshot::MapSnapshot;
use super::view::{lonlat_of, MapView};
use super::GridCareApp;

/// How often the store is checked for changes while the dashboard or the wall is shown, s.
pub const CHECK_EVERY_S: f64 = 5.0;
/// Feeders in the ranking.
pub const RANKED_FEEDERS: usize = 10;

/// The period the dashboard covers, ending today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PeriodChoice {
    /// The last 30 days.
    #[default]
    Last30,
    /// The last 90 days.
    Last90,
    /// The last 365 days.
    Last365,
    /// From the first outage or ticket of the store.
    WholeStore,
}

impl PeriodChoice {
    /// Every choice, in the order of the buttons.
    pub const ALL: [PeriodChoice; 4] = [
        PeriodChoice::Last30,
        PeriodChoice::Last90,
        PeriodChoice::Last365,
        PeriodChoice::WholeStore,
    ];

    fn word(self, lang: Lang) -> &'static str {
        tr(
            lang,
            match self {
                PeriodChoice::Last30 => T::DashLast30,
                PeriodChoice::Last90 => T::DashLast90,
                PeriodChoice::Last365 => T::DashLast365,
                PeriodChoice::WholeStore => T::DashWholeStore,
            },
        )
    }

    fn days(self) -> u32 {
        match self {
            PeriodChoice::Last30 => 30,
            PeriodChoice::Last90 => 90,
            PeriodChoice::Last365 | PeriodChoice::WholeStore => 365,
        }
    }
}

/// What the dashboard's controls send (inside [`Command::Dashboard`]).
#[derive(Clone, Debug, PartialEq)]
pub enum DashboardCommand {
    /// Open or close the dashboard.
    Show(bool),
    /// Cover another period.
    SetPeriod(PeriodChoice),
    /// Cover another scope.
    SetScope(Scope),
}

/// A computed dashboard with what it was computed for.
#[derive(Clone, Debug)]
pub struct DashboardResult {
    /// The library's figures.
    pub dash: Dashboard,
    /// The period choice.
    pub period: PeriodChoice,
    /// The scope.
    pub scope: Scope,
    /// The store's time the report was made at (open outages counted, SLA clocks read).
    pub as_of_s: i64,
    /// A problem that did not stop the computation (an unreadable call-record file).
    pub warning: Option<String>,
}

type Outcome = Result<DashboardResult, String>;

/// The dashboard's state: the choices, the last result, the computation in flight.
#[derive(Default)]
pub struct DashboardRes {
    /// Shown.
    pub open: bool,
    /// The period chosen.
    pub period: PeriodChoice,
    /// The scope chosen (`None`: the whole area).
    scope: Option<Scope>,
    result: Option<Outcome>,
    pending: Option<((PeriodChoice, Scope), mpsc::Receiver<Outcome>)>,
    /// The store's revision the last computation started from.
    fingerprint: Option<u64>,
    checked_s: Option<f64>,
    /// The scopes to choose from, with their labels in the language they were built in.
    choices: Vec<(Scope, String)>,
    choices_lang: Option<Lang>,
}

impl DashboardRes {
    fn scope(&self) -> Scope {
        self.scope.clone().unwrap_or(Scope::Area)
    }

    /// The last result (for the same choices or not).
    pub fn result(&self) -> Option<&Outcome> {
        self.result.as_ref()
    }

    /// True while a computation runs.
    pub fn computing(&self) -> bool {
        self.pending.is_some()
    }

    /// The last result, when it is for the current choices.
    fn current(&self) -> Option<&Outcome> {
        let scope = self.scope();
        self.result.as_ref().filter(|r| match r {
            Ok(r) => r.period == self.period && r.scope == scope,
            Err(_) => true,
        })
    }
}

/// The scopes to choose from: the whole area, each district, substation and feeder.
fn scope_choices(grid: &Grid, lang: Lang) -> Vec<(Scope, String)> {
    let m = &grid.model;
    let mut out = vec![(Scope::Area, tr(lang, T::DashArea).to_string())];
    let districts: BTreeSet<&str> =
        m.customers.iter().map(|c| c.address.district.as_str()).collect();
    for d in districts.into_iter().filter(|d| !d.is_empty()) {
        out.push((Scope::District(d.to_string()), trf(lang, T::DashDistrict, &[d])));
    }
    for s in &m.substations {
        let label = trf(lang, T::DashSubstation, &[&s.display_name]);
        out.push((Scope::Substation(s.name.clone()), label));
    }
    for f in &m.feeders {
        out.push((Scope::Feeder(f.name.clone()), trf(lang, T::DashFeeder, &[&f.display_name])));
    }
    out
}

/// Computes a dashboard on a worker thread; the receiver gets the outcome.
fn spawn(
    grid: Arc<Grid>,
    store: Arc<Store>,
    policy: SlaPolicy,
    calls_file: PathBuf,
    (period, scope): (PeriodChoice, Scope),
    repaint: egui::Context,
) -> mpsc::Receiver<Outcome> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (calls, warning) = if calls_file.exists() {
            match read_call_records(&calls_file) {
                Ok(c) => (c, None),
                Err(e) => (Vec::new(), Some(e.to_string())),
            }
        } else {
            (Vec::new(), None)
        };
        let as_of_s = store.now_s();
        let input = ReportInput {
            grid: &grid,
            policy: &policy,
            calls: &calls,
            period: last_days(period.days(), as_of_s),
            scope: scope.clone(),
            as_of_s,
        };
        let whole = period == PeriodChoice::WholeStore;
        let outcome = Dashboard::compute(&store, &input, whole)
            .map(|dash| DashboardResult { dash, period, scope, as_of_s, warning })
            .map_err(|e| e.to_string());
        let _ = tx.send(outcome);
        repaint.request_repaint();
    });
    rx
}

impl GridCareApp {
    /// The dashboard's last result (for the current choices or not), if any.
    pub fn dashboard(&self) -> Option<&DashboardResult> {
        self.res.dashboard.result().and_then(|r| r.as_ref().ok())
    }

    /// True while the dashboard is being computed.
    pub fn dashboard_computing(&self) -> bool {
        self.res.dashboard.computing()
    }

    /// Applies a dashboard command.
    pub(super) fn apply_dashboard(&mut self, cmd: DashboardCommand) {
        let d = &mut self.res.dashboard;
        match cmd {
            DashboardCommand::Show(open) => d.open = open,
            DashboardCommand::SetPeriod(p) => d.period = p,
            DashboardCommand::SetScope(s) => d.scope = Some(s),
        }
        // the next frame looks again at once
        d.checked_s = None;
    }

    /// Once a frame: takes a finished computation, and starts one when the dashboard or the
    /// wall is shown and the choices or the store changed (the store is looked at every
    /// [`CHECK_EVERY_S`] seconds).
    pub(super) fn refresh_dashboard(&mut self, ctx: &egui::Context) {
        let d = &mut self.res.dashboard;
        if let Some((_, rx)) = &d.pending {
            match rx.try_recv() {
                Ok(outcome) => {
                    d.result = Some(outcome);
                    d.pending = None;
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    d.result = Some(Err("the dashboard's worker stopped".into()));
                    d.pending = None;
                }
            }
        }
        if !(d.open || self.session.wall) {
            return;
        }
        let (Some(grid), Some(book)) = (self.res.grid.as_ref(), self.res.outages.as_ref()) else {
            return;
        };
        let lang = self.state.lang;
        if d.choices_lang != Some(lang) {
            d.choices = scope_choices(grid, lang);
            d.choices_lang = Some(lang);
        }
        let want = (d.period, d.scope());
        let now = ctx.input(|i| i.time);
        let asked = d.pending.as_ref().map(|(w, _)| w.clone()).or_else(|| match &d.result {
            Some(Ok(r)) => Some((r.period, r.scope.clone())),
            _ => None,
        });
        let choice_changed = asked.as_ref() != Some(&want) && d.result.is_none()
            || asked.as_ref().is_some_and(|a| *a != want);
        if !choice_changed && d.checked_s.is_some_and(|t| now - t < CHECK_EVERY_S) {
            return;
        }
        d.checked_s = Some(now);
        // every outage and ticket write moves the store's revision
        let fp = book.store().revision();
        if !choice_changed && d.fingerprint == Some(fp) {
            return;
        }
        if d.pending.is_some() && !choice_changed {
            // the store moved while a computation runs: look again when it is done
            return;
        }
        d.fingerprint = Some(fp);
        let policy = self.res.repairs.as_ref().map(|r| r.policy().clone()).unwrap_or_default();
        let calls_file = self.res.data_dir.join(CALL_RECORDS_FILE);
        let rx = spawn(
            grid.clone(),
            book.store().clone(),
            policy,
            calls_file,
            want.clone(),
            ctx.clone(),
        );
        d.pending = Some((want, rx));
    }
}

/// The centre and zoom that show a feeder's lines in a map of `rect` (at most zoom 16).
fn feeder_view(snap: &MapSnapshot, feeder: FeederId, rect: egui::Rect) -> Option<(LonLat, f64)> {
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for l in snap.lines.iter().filter(|l| l.feeder == Some(feeder)) {
        lo = [lo[0].min(l.bbox.0[0]), lo[1].min(l.bbox.0[1])];
        hi = [hi[0].max(l.bbox.1[0]), hi[1].max(l.bbox.1[1])];
    }
    if lo[0] > hi[0] {
        return None;
    }
    let (a, b) = (lonlat_of(lo), lonlat_of(hi));
    let (min, max) = (LonLat::new(a.lon, b.lat), LonLat::new(b.lon, a.lat));
    let centre = lonlat_of([(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0]);
    let zoom = MapView::new(rect, centre, 12.0).zoom_to_fit(min, max, 60.0).min(16.0);
    Some((centre, zoom))
}

/// Selects a feeder and flies the map to it (the app's own selection and flight commands).
pub(super) fn show_feeder(ctx: &Ctx, name: &str, map_rect: egui::Rect, out: &mut Vec<Command>) {
    let m = &ctx.grid.model;
    let Some(i) = m.feeders.iter().position(|f| f.name == name) else { return };
    let id = FeederId(i as u32);
    out.push(Command::SelectDevice(DeviceRef::Feeder(id)));
    if let Some((at, zoom)) = feeder_view(ctx.snap, id, map_rect) {
        out.push(Command::FlyTo { at, zoom });
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".to_string(), |x| format!("{x:.digits$}"))
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |x| format!("{:.1} %", x * 100.0))
}

/// SAIFI as the tiles show it.
pub fn saifi_text(v: Option<f64>) -> String {
    opt(v, 3)
}

/// SAIDI (minutes) as the tiles show it.
pub fn saidi_text(v: Option<f64>) -> String {
    opt(v, 1)
}

const TILE_FILL: Color32 = Color32::from_rgb(238, 243, 250);
pub(super) const ACCENT: Color32 = Color32::from_rgb(30, 90, 170);
pub(super) const MED_RED: Color32 = Color32::from_rgb(210, 50, 40);

fn tile(ui: &mut egui::Ui, title: &str, value: &str, note: &str) {
    egui::Frame::new()
        .fill(TILE_FILL)
        .corner_radius(5.0)
        .inner_margin(egui::Margin::symmetric(10, 6))
        .show(ui, |ui| {
            ui.set_min_width(150.0);
            ui.vertical(|ui| {
                ui.label(RichText::new(title).small().color(Color32::from_gray(70)));
                ui.label(RichText::new(value).size(22.0).strong().color(ACCENT));
                ui.label(RichText::new(note).small().color(Color32::from_gray(110)));
            });
        });
}

/// Input the dashboard panel reads besides the panel context.
pub struct DashboardInput<'a> {
    /// The dashboard's state.
    pub res: &'a DashboardRes,
    /// Where the map is on the screen (to fit a feeder into it).
    pub map_rect: egui::Rect,
    /// The feeder selected on the map, if any (its row is marked).
    pub selected: Option<FeederId>,
}

/// The feeder a selection is, if it is one.
pub fn selected_feeder(selection: &super::Selection) -> Option<FeederId> {
    match selection {
        super::Selection::Device { device: DeviceRef::Feeder(f), .. } => Some(*f),
        _ => None,
    }
}

/// The dashboard panel (under the map, across the window).
pub fn dashboard_ui(ui: &mut egui::Ui, input: DashboardInput, ctx: &Ctx, out: &mut Vec<Command>) {
    let d = input.res;
    egui::Panel::bottom("dashboard").resizable(true).default_size(440.0).show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading(ctx.t(T::Dashboard));
            ui.separator();
            for p in PeriodChoice::ALL {
                if ui.selectable_label(d.period == p, p.word(ctx.lang)).clicked() {
                    out.push(Command::Dashboard(DashboardCommand::SetPeriod(p)));
                }
            }
            ui.separator();
            let label = ui.label(ctx.t(T::DashScope));
            let scope = d.scope();
            let shown = d
                .choices
                .iter()
                .find(|(s, _)| *s == scope)
                .map_or_else(|| scope.label(), |(_, l)| l.clone());
            let combo = egui::ComboBox::from_id_salt("dashboard-scope")
                .selected_text(shown)
                .height(400.0)
                .show_ui(ui, |ui| {
                    for (s, text) in &d.choices {
                        if ui.selectable_label(*s == scope, text).clicked() {
                            out.push(Command::Dashboard(DashboardCommand::SetScope(s.clone())));
                        }
                    }
                });
            combo.response.labelled_by(label.id);
            if d.computing() {
                ui.separator();
                ui.spinner();
                ui.label(ctx.t(T::DashComputing));
            }
            if let Some(Ok(r)) = d.current() {
                ui.separator();
                let rep = &r.dash.report;
                ui.label(trf(
                    ctx.lang,
                    T::DashSummary,
                    &[
                        &rep.period.label(),
                        &rep.customers_served.to_string(),
                        &rep.outages.to_string(),
                        &rep.tickets.len().to_string(),
                    ],
                ));
            }
        });
        if ctx.outages.is_none() {
            if ctx.outages_busy {
                ui.label(RichText::new(ctx.t(T::PlanPublishing)).italics());
            } else {
                ui.colored_label(MED_RED, ctx.t(T::StoreUnavailable));
            }
            return;
        }
        match d.current() {
            None => {
                ui.add_space(20.0);
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(ctx.t(T::DashComputing));
                });
            }
            Some(Err(e)) => {
                ui.colored_label(MED_RED, trf(ctx.lang, T::DashFailed, &[e]));
            }
            Some(Ok(r)) => {
                if let Some(w) = &r.warning {
                    ui.colored_label(MED_RED, w);
                }
                tiles_ui(ui, &r.dash, ctx);
                ui.add_space(4.0);
                super::dashboard_plots::charts_ui(ui, &r.dash, ctx, &input, out);
            }
        }
    });
}

fn tiles_ui(ui: &mut egui::Ui, dash: &Dashboard, ctx: &Ctx) {
    let lang = ctx.lang;
    let all = ctx.t(T::DashAllBasis);
    ui.horizontal_wrapped(|ui| {
        let ix = dash.headline();
        tile(ui, ctx.t(T::DashSaifi), &saifi_text(ix.and_then(|i| i.saifi)), all);
        tile(ui, ctx.t(T::DashSaidi), &saidi_text(ix.and_then(|i| i.saidi_min)), all);
        tile(ui, ctx.t(T::DashCaidi), &opt(ix.and_then(|i| i.caidi_min), 1), all);
        let asai =
            ix.and_then(|i| i.asai).map_or_else(|| "—".into(), |a| format!("{:.4} %", a * 100.0));
        tile(ui, ctx.t(T::DashAsai), &asai, all);
        tile(ui, ctx.t(T::DashMaifie), &opt(ix.and_then(|i| i.maifie), 3), all);
        let med_note = match &dash.report.med {
            Some(t) => trf(lang, T::DashTmedNote, &[&format!("{:.1}", t.t_med_min)]),
            None => ctx.t(T::DashNoTmed).to_string(),
        };
        tile(ui, ctx.t(T::DashMedDays), &dash.report.med_days.len().to_string(), &med_note);
        tile(ui, ctx.t(T::DashOpenTickets), &dash.open_tickets.to_string(), "");
        let sla = dash.report.measures.first().map(|(_, _, m)| m.sla);
        let (met, decided) = sla.map_or((0, 0), |s| {
            (s.iter().map(|x| x.met).sum::<u64>(), s.iter().map(|x| x.met + x.breached).sum())
        });
        let note = trf(lang, T::DashSlaNote, &[&met.to_string(), &decided.to_string()]);
        tile(ui, ctx.t(T::DashSla), &percent(dash.sla_compliance), &note);
    });
}

/// The SAIFI and SAIDI tiles of the wall screen, from the dashboard's result.
pub fn wall_tiles(
    ui: &mut egui::Ui,
    ctx: &Ctx,
    res: &DashboardRes,
    tile: impl Fn(&mut egui::Ui, &str, &str, Option<&str>, Color32),
) {
    let white = Color32::WHITE;
    match res.result() {
        Some(Ok(r)) => {
            let ix = r.dash.headline();
            let scope = res
                .choices
                .iter()
                .find(|(s, _)| *s == r.scope)
                .map_or_else(|| r.scope.label(), |(_, l)| l.clone());
            let note = trf(ctx.lang, T::DashWallNote, &[r.period.word(ctx.lang), &scope]);
            tile(ui, "SAIFI", &saifi_text(ix.and_then(|i| i.saifi)), Some(&note), white);
            let saidi = saidi_text(ix.and_then(|i| i.saidi_min));
            tile(ui, ctx.t(T::DashWallSaidi), &saidi, Some(&note), white);
        }
        Some(Err(e)) => {
            let grey = Color32::from_gray(180);
            tile(ui, "SAIFI", "—", Some(e.as_str()), grey);
            tile(ui, ctx.t(T::DashWallSaidi), "—", Some(e.as_str()), grey);
        }
        None => {
            let grey = Color32::from_gray(180);
            let note = if ctx.outages.is_some() {
                ctx.t(T::DashComputing)
            } else {
                ctx.t(T::StoreUnavailable)
            };
            tile(ui, "SAIFI", "…", Some(note), grey);
            tile(ui, ctx.t(T::DashWallSaidi), "…", Some(note), grey);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_period_choice_has_a_word_in_both_languages() {
        for p in PeriodChoice::ALL {
            assert!(!p.word(Lang::Zh).is_empty() && !p.word(Lang::En).is_empty());
        }
        assert_eq!(PeriodChoice::Last90.days(), 90);
    }

    #[test]
    fn figures_are_shown_with_fixed_digits_and_a_dash_when_missing() {
        assert_eq!(saifi_text(Some(0.12345)), "0.123");
        assert_eq!(saidi_text(Some(61.26)), "61.3");
        assert_eq!(saidi_text(None), "—");
        assert_eq!(percent(Some(0.9512)), "95.1 %");
    }
}
