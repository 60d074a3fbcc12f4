//! Consulting the customers (征询意见), comparing scenarios and publishing one.
//!
//! The flow of an appointment outage, every step on a [`Scenario`] in the store:
//! 1. [`ScenarioBook::set_candidates`]: the windows the planner offers (A, B, C…);
//! 2. [`ScenarioBook::consult`]: a rule preset picks the appointment customers among those
//!    affected; each one bound to WeChat gets a consultation letter ([`letter`]) in the channel
//!    outbox, the others are listed as to be phoned;
//! 3. [`ScenarioBook::record_answer`]: an answer, typed by an operator or parsed from a reply
//!    ([`parse_reply`]: "同意A，反对B，理由：…");
//! 4. [`rank_scenario`]: the candidate windows ranked from the answers ([`choose_window`]);
//! 5. [`compare_scenarios`]: drafts side by side;
//! 6. [`ScenarioBook::publish`]: the scenario becomes a planned outage in the outage book, and
//!    a notice per affected customer is queued in the outbox.

use serde::Serialize;

use super::isolate::{isolate_polygon, PlanningError, ScenarioArea, ScenarioImpact};
use super::rules::{apply_rules, Preset, Weights};
use super::scenario::{AnswerRecord, Scenario, ScenarioBook, ScenarioEvent, ScenarioId};
use super::window::{choose_window, Answer, CandidateWindow, OtherOutage, Ranking, WindowQuestion};
use crate::channels::outbox::{channel_for, Channel, MessageKind, NewMessage, Outbox, OutboxError};
use crate::grid::Grid;
use crate::model::{CustomerId, DeviceRef, ElementRef, Labels};
use crate::outage::history::window_text;
use crate::outage::{Lifecycle, OutageBook, OutageError, OutageId, OutageKind, PlannedOutage};

/// The consultation letter template (`resources/planning/letter.zh.txt`); `{name}` fields
/// are filled by [`letter`].
pub const LETTER_TEMPLATE_ZH: &str = include_str!("../../resources/planning/letter.zh.txt");

/// The letter of candidate window `i` (0 → `A`).
pub fn window_letter(i: usize) -> String {
    let base = char::from(b'A' + (i % 26) as u8);
    if i < 26 {
        base.to_string()
    } else {
        format!("{base}{}", i / 26)
    }
}

/// What the work is, in a letter's words: the scenario's name and the customer's own feeder
/// (a customer knows their line by its name, not by its switches).
fn work_text(grid: &Grid, scenario: &Scenario, customer: CustomerId) -> String {
    let m = &grid.model;
    let feeder = grid
        .topology
        .feeder_of(m.customers[customer.index()].bus)
        .and_then(|f| m.feeders.get(f.index()));
    match feeder {
        Some(f) => format!("对「{}」（{}）停电施工", scenario.name, f.display_name),
        None => format!("对「{}」停电施工", scenario.name),
    }
}

/// The consultation letter for `customer`, from [`LETTER_TEMPLATE_ZH`].
///
/// # Examples
/// ```
/// use gridcare::planning::consult::letter;
/// use gridcare::planning::{CandidateWindow, Scenario, ScenarioArea, ScenarioId};
/// use gridcare::sim::{sample_grid, SampleFeeders};
/// let grid = sample_grid(&SampleFeeders::default());
/// let mut s = Scenario::draft("魁奇路 10kV 线路检修", ScenarioArea::Devices { devices: vec!["fuse.f1-l2".into()] });
/// s.candidates = vec![CandidateWindow { name: "A".into(), start_s: 1_765_152_000, end_s: 1_765_166_400, crews_available: 2 }];
/// let impact = s.impact(&grid).unwrap();
/// let text = letter(&grid, &s, impact.customers[0], impact.customers.len());
/// assert!(text.contains("A. 2025-12-08 08:00–12:00"), "{text}");
/// assert!(text.contains("共影响 15 户"), "{text}");
/// assert!(text.contains("对「魁奇路 10kV 线路检修」（"), "{text}");
/// ```
pub fn letter(grid: &Grid, scenario: &Scenario, customer: CustomerId, affected: usize) -> String {
    let cu = &grid.model.customers[customer.index()];
    let hours = scenario.candidates.first().map_or(0.0, |w| (w.end_s - w.start_s) as f64 / 3600.0);
    let windows: Vec<String> = scenario
        .candidates
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{}. {}", window_letter(i), window_text(w.start_s, w.end_s)))
        .collect();
    LETTER_TEMPLATE_ZH
        .replace("{户名}", &cu.display_name)
        .replace("{户号}", &cu.account_no)
        .replace("{工作}", &work_text(grid, scenario, customer))
        .replace("{地址}", &cu.address.full())
        .replace("{时长}", &format!("{hours:.0}"))
        .replace("{户数}", &affected.to_string())
        .replace("{候选时段}", &windows.join("\n"))
        .trim_end()
        .to_string()
}

/// A reply understood: windows preferred, windows objected to, the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Windows preferred, by name.
    pub preferred: Vec<String>,
    /// Windows objected to, by name.
    pub objections: Vec<String>,
    /// The reason given (the whole text when no 理由 is marked).
    pub reason: String,
}

/// Reads a customer's reply to a letter: window letters with 同意/可以/方便/选 are preferred,
/// with 反对/不同意/不方便/不行 objected to — a keyword covers the letters after it and, within
/// its clause, those before it ("A不方便，B可以"); the later word about a window wins. The
/// reason follows 理由/原因/因为. Full-width letters count. A letter beyond the candidates is an error naming it; a reply naming no
/// window is an error too (an operator should read it).
///
/// # Examples
/// ```
/// use gridcare::planning::consult::parse_reply;
/// let names = ["2026-12-08 08:00".to_string(), "2026-12-09 08:00".to_string()];
/// let r = parse_reply("同意Ａ，不方便B。理由：周三店铺盘点", &names).unwrap();
/// assert_eq!(r.preferred, ["2026-12-08 08:00"]);
/// assert_eq!(r.objections, ["2026-12-09 08:00"]);
/// assert_eq!(r.reason, "周三店铺盘点");
/// assert!(parse_reply("同意C", &names).unwrap_err().contains("C"));
/// ```
pub fn parse_reply(text: &str, window_names: &[String]) -> Result<Reply, String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Prefer,
        Object,
    }
    const OBJECT: [&str; 8] =
        ["不同意", "不方便", "不可以", "不行", "反对", "不要", "object", "no"];
    const PREFER: [&str; 7] = ["同意", "可以", "方便", "选择", "选", "prefer", "ok"];
    const REASON: [&str; 4] = ["理由", "原因", "因为", "reason"];
    let chars: Vec<char> = text.chars().map(crate::channels::sensitive::half_width).collect();
    let lower: String = chars.iter().collect::<String>().to_lowercase();
    let lower: Vec<char> = lower.chars().collect();
    let is_ascii_letter = |i: usize| lower.get(i).is_some_and(|c| c.is_ascii_alphabetic());
    // An English keyword is a whole word ("no" is not read inside "know").
    let starts = |i: usize, w: &str| {
        let w: Vec<char> = w.chars().collect();
        let whole = !w[0].is_ascii_alphabetic()
            || (!is_ascii_letter(i + w.len()) && (i == 0 || !is_ascii_letter(i - 1)));
        lower.len() >= i + w.len() && lower[i..i + w.len()] == w[..] && whole
    };
    // Tokens: a keyword (its mode), a window letter (its index), or a clause break.
    enum Token {
        Mode(Mode),
        Window(char),
        Break,
    }
    let mut tokens = Vec::new();
    let mut reason = None;
    let mut i = 0;
    while i < chars.len() {
        if let Some(w) = REASON.iter().find(|w| starts(i, w)) {
            let rest: String = chars[i + w.chars().count()..].iter().collect();
            reason = Some(rest.trim_start_matches([':', '：', ',', '，', ' ']).trim().to_string());
            break;
        }
        if let Some(w) = OBJECT.iter().find(|w| starts(i, w)) {
            tokens.push(Token::Mode(Mode::Object));
            i += w.chars().count();
            continue;
        }
        if let Some(w) = PREFER.iter().find(|w| starts(i, w)) {
            tokens.push(Token::Mode(Mode::Prefer));
            i += w.chars().count();
            continue;
        }
        let c = chars[i];
        if matches!(c, ',' | '，' | '。' | '.' | ';' | '；' | '!' | '！' | '?' | '？' | '\n') {
            tokens.push(Token::Break);
        } else if c.is_ascii_alphabetic()
            && !is_ascii_letter(i + 1)
            && (i == 0 || !is_ascii_letter(i - 1))
        {
            tokens.push(Token::Window(c.to_ascii_uppercase()));
        }
        i += 1;
    }
    // Within a clause a keyword covers the letters after it, and the letters before the
    // clause's first keyword ("A不方便"); a clause without one keeps the mode before it.
    let (mut preferred, mut objections) = (Vec::new(), Vec::new());
    let mut mode = Mode::Prefer;
    for clause in tokens.split(|t| matches!(t, Token::Break)) {
        if let Some(first) = clause.iter().find_map(|t| match t {
            Token::Mode(m) => Some(*m),
            _ => None,
        }) {
            mode = first;
        }
        for t in clause {
            match t {
                Token::Mode(m) => mode = *m,
                Token::Window(c) => {
                    let idx = (*c as u8 - b'A') as usize;
                    let name = window_names
                        .get(idx)
                        .ok_or_else(|| format!("the reply names window {c}, there is none"))?;
                    let (into, other) = match mode {
                        Mode::Prefer => (&mut preferred, &mut objections),
                        Mode::Object => (&mut objections, &mut preferred),
                    };
                    // The later word wins: "同意A，后来想想反对A" objects.
                    other.retain(|w: &String| w != name);
                    if !into.contains(name) {
                        into.push(name.clone());
                    }
                }
                Token::Break => {}
            }
        }
    }
    if preferred.is_empty() && objections.is_empty() {
        return Err("the reply names no window (A, B, …)".into());
    }
    Ok(Reply { preferred, objections, reason: reason.unwrap_or_else(|| text.trim().to_string()) })
}

/// The devices a published scenario opens: the devices named, or the switches isolating the
/// polygon.
pub fn outage_devices(grid: &Grid, scenario: &Scenario) -> Result<Vec<DeviceRef>, PlanningError> {
    match &scenario.area {
        ScenarioArea::Devices { devices } => {
            devices.iter().map(|n| Ok(grid.resolve(n)?)).collect::<Result<Vec<_>, _>>()
        }
        ScenarioArea::Polygon { ring } => Ok(isolate_polygon(grid, ring)
            .switches
            .into_iter()
            .map(|s| DeviceRef::Element(ElementRef::Switch(s)))
            .collect()),
    }
}

/// Who a consultation reaches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsultReport {
    /// Accounts picked by the preset.
    pub picked: Vec<String>,
    /// Of those, the ones a letter was queued for now (WeChat-bound, not written to before).
    pub queued: usize,
    /// Of those, WeChat-bound (a letter is in the outbox).
    pub sent: Vec<String>,
    /// Picked but not bound to WeChat: to be phoned.
    pub unreachable: Vec<String>,
}

/// One scenario's line in a comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioComparison {
    /// The scenario.
    pub id: ScenarioId,
    /// Its name.
    pub name: String,
    /// Customers without supply.
    pub affected: usize,
    /// Of those, important, outage-sensitive or life-support.
    pub sensitive: usize,
    /// Of those, life-support.
    pub life_support: usize,
    /// Demand cut, kW.
    pub kw: f64,
    /// Customers × hours over its window (or its first candidate).
    pub customer_hours: f64,
    /// Customers consulted (letters and phone list).
    pub consulted: usize,
    /// Customers who answered.
    pub answered: usize,
    /// Objections in the answers.
    pub objections: usize,
    /// The window it would take: the chosen one, or the best ranked candidate.
    pub best_window: Option<String>,
    /// That window's score.
    pub best_score: Option<f64>,
    /// Published.
    pub published: bool,
}

/// Ranks a scenario's candidate windows from its stored answers (see
/// [`super::window`] for the score). Answers naming windows no longer offered are left out
/// of the ranking for those windows.
pub fn rank_scenario(
    grid: &Grid,
    scenario: &Scenario,
    others: &[OtherOutage],
    weights: &Weights,
) -> Result<Ranking, PlanningError> {
    rank_with_impact(grid, scenario, &scenario.impact(grid)?, others, weights)
}

/// [`rank_scenario`] with the scenario's impact already computed (its customers and feeders;
/// the window does not matter).
fn rank_with_impact(
    grid: &Grid,
    scenario: &Scenario,
    impact: &ScenarioImpact,
    others: &[OtherOutage],
    weights: &Weights,
) -> Result<Ranking, PlanningError> {
    let names: Vec<&str> = scenario.candidates.iter().map(|w| w.name.as_str()).collect();
    let known = |v: &[String]| -> Vec<String> {
        v.iter().filter(|w| names.contains(&w.as_str())).cloned().collect()
    };
    let answers: Vec<Answer> = scenario
        .answers
        .iter()
        .filter_map(|a| match grid.resolve(&a.account) {
            Ok(DeviceRef::Customer(c)) => Some(Answer {
                customer: c,
                preferred: known(&a.preferred),
                objections: known(&a.objections),
                reason: a.reason.clone(),
            }),
            _ => None,
        })
        .collect();
    // Other outages: not the one this scenario became.
    let others: Vec<OtherOutage> =
        others.iter().filter(|o| Some(o.id) != scenario.outage).cloned().collect();
    choose_window(
        grid,
        &WindowQuestion {
            affected: &impact.customers,
            feeders: &impact.feeders,
            windows: &scenario.candidates,
            answers: &answers,
            others: &others,
            crews_needed: scenario.crews_needed,
            weights,
        },
    )
}

/// Drafts side by side: who each cuts, the sensitive customers among them, customer-hours,
/// the consultation and its answers, and the window each would take.
pub fn compare_scenarios(
    grid: &Grid,
    scenarios: &[Scenario],
    others: &[OtherOutage],
    weights: &Weights,
) -> Result<Vec<ScenarioComparison>, PlanningError> {
    let sensitive = Labels::IMPORTANT.with(Labels::OUTAGE_SENSITIVE).with(Labels::LIFE_SUPPORT);
    scenarios
        .iter()
        .map(|s| {
            let mut s2 = s.clone();
            if s2.window.is_none() {
                s2.window = s.candidates.first().map(|w| (w.start_s, w.end_s));
            }
            let impact = s2.impact(grid)?;
            let m = &grid.model;
            let count = |l: Labels| {
                impact
                    .customers
                    .iter()
                    .filter(|c| m.customers[c.index()].labels.0 & l.0 != 0)
                    .count()
            };
            let ranking = if s.candidates.is_empty() {
                None
            } else {
                Some(rank_with_impact(grid, s, &impact, others, weights)?)
            };
            let (best_window, best_score) = match (&s.window, &ranking) {
                (Some((a, b)), _) if s.published || ranking.is_none() => {
                    (Some(window_text(*a, *b)), None)
                }
                (_, Some(r)) => (
                    r.chosen.clone(),
                    r.rows.first().filter(|row| row.feasible).map(|row| row.score),
                ),
                _ => (None, None),
            };
            Ok(ScenarioComparison {
                id: s.id,
                name: s.name.clone(),
                affected: impact.customers.len(),
                sensitive: count(sensitive),
                life_support: count(Labels::LIFE_SUPPORT),
                kw: impact.kw,
                customer_hours: impact.customer_hours,
                consulted: s
                    .consultation
                    .as_ref()
                    .map_or(0, |c| c.sent.len() + c.unreachable.len()),
                answered: s.answers.len(),
                objections: s.answers.iter().map(|a| a.objections.len()).sum(),
                best_window,
                best_score,
                published: s.published,
            })
        })
        .collect()
}

/// What publishing did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Publication {
    /// The scenario, published.
    pub scenario: Scenario,
    /// The planned outage.
    pub outage: OutageId,
    /// Customers without supply.
    pub affected: usize,
    /// Notices queued now.
    pub notices_queued: usize,
    /// Affected customers with neither WeChat nor a phone (no notice possible).
    pub unreachable: usize,
}

/// Why consultation or publication failed.
#[derive(Debug, thiserror::Error)]
pub enum ConsultError {
    /// The scenario's inputs.
    #[error(transparent)]
    Planning(#[from] PlanningError),
    /// The outage book refused.
    #[error(transparent)]
    Outage(#[from] OutageError),
    /// The outbox refused.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// No such scenario.
    #[error("no scenario {0}")]
    NotFound(ScenarioId),
    /// Not possible in the scenario's state.
    #[error("scenario {id}: {message}")]
    Refused {
        /// The scenario.
        id: ScenarioId,
        /// Why.
        message: String,
    },
}

/// The notice text of a planned outage for one customer.
fn notice_text(
    grid: &Grid,
    customer: CustomerId,
    scenario: &Scenario,
    start_s: i64,
    end_s: i64,
) -> String {
    let cu = &grid.model.customers[customer.index()];
    format!(
        "{}因{}，{} 您所在的{}将停电，请提前做好准备。如有疑问请致电 95598。",
        crate::channels::notices::salutation(cu),
        scenario.name,
        window_text(start_s, end_s),
        cu.address.full()
    )
}

impl ScenarioBook {
    fn must_get(&self, id: ScenarioId) -> Result<Scenario, ConsultError> {
        self.get(id)?.ok_or(ConsultError::NotFound(id))
    }

    /// Sets the windows offered (the letter lists them as A, B, C… in this order) and the
    /// crews the work needs.
    pub fn set_candidates(
        &self,
        id: ScenarioId,
        windows: Vec<CandidateWindow>,
        crews_needed: u32,
        author: &str,
        reason: &str,
    ) -> Result<Scenario, PlanningError> {
        self.change(id, author, reason, ScenarioEvent::CandidatesSet { windows, crews_needed })
    }

    /// Consults the appointment customers `preset` picks among those the scenario cuts: a
    /// letter for each WeChat-bound one is queued in `outbox` (once per scenario and
    /// candidate set: consulting again after the windows changed writes again), the others
    /// are listed to be phoned. Recorded on the scenario.
    pub fn consult(
        &self,
        grid: &Grid,
        id: ScenarioId,
        preset: &Preset,
        outbox: &Outbox,
        author: &str,
    ) -> Result<ConsultReport, ConsultError> {
        let s = self.must_get(id)?;
        if s.published {
            return Err(ConsultError::Refused { id, message: "published already".into() });
        }
        if s.candidates.is_empty() {
            return Err(ConsultError::Refused {
                id,
                message: "set the candidate windows before consulting".into(),
            });
        }
        let impact = s.impact(grid)?;
        let picked = apply_rules(grid, &impact.customers, &preset.rules)?;
        let m = &grid.model;
        let (bound, unbound): (Vec<CustomerId>, Vec<CustomerId>) = picked
            .iter()
            .partition(|c| channel_for(&m.customers[c.index()]) == Some(Channel::Wechat));
        // Which letter: the candidate set, so a new set of windows is a new letter.
        let key = format!(
            "consult:{}",
            s.candidates.iter().map(|w| w.start_s.to_string()).collect::<Vec<_>>().join(",")
        );
        let messages = bound
            .iter()
            .map(|c| NewMessage {
                channel: Channel::Wechat,
                account: m.customers[c.index()].account_no.clone(),
                kind: MessageKind::Consultation,
                subject: format!("scenario:{id}"),
                key: key.clone(),
                text: letter(grid, &s, *c, impact.customers.len()),
            })
            .collect();
        let queued = outbox.queue(messages, author, &format!("consultation of scenario {id}"))?;
        let acc = |v: &[CustomerId]| -> Vec<String> {
            v.iter().map(|c| m.customers[c.index()].account_no.clone()).collect()
        };
        let report = ConsultReport {
            picked: acc(&picked),
            queued: queued.len(),
            sent: acc(&bound),
            unreachable: acc(&unbound),
        };
        self.change(
            id,
            author,
            &format!("preset {}", preset.name),
            ScenarioEvent::Consulted {
                preset: preset.name.clone(),
                sent: report.sent.clone(),
                unreachable: report.unreachable.clone(),
            },
        )?;
        Ok(report)
    }

    /// Records a customer's answer (replacing their earlier one). The account must be a
    /// customer the scenario cuts.
    #[allow(clippy::too_many_arguments)]
    pub fn record_answer(
        &self,
        grid: &Grid,
        id: ScenarioId,
        account: &str,
        preferred: Vec<String>,
        objections: Vec<String>,
        reason: &str,
        via: &str,
        author: &str,
    ) -> Result<Scenario, ConsultError> {
        let s = self.must_get(id)?;
        let customer = match grid.resolve(account.trim()) {
            Ok(DeviceRef::Customer(c)) => c,
            _ => {
                return Err(ConsultError::Refused {
                    id,
                    message: format!("no customer with account `{}`", account.trim()),
                })
            }
        };
        if !s.impact(grid)?.customers.contains(&customer) {
            return Err(ConsultError::Refused {
                id,
                message: format!("customer {} is not cut by this scenario", account.trim()),
            });
        }
        let answer = AnswerRecord {
            account: grid.model.customers[customer.index()].account_no.clone(),
            preferred,
            objections,
            reason: reason.trim().to_string(),
            via: via.to_string(),
        };
        Ok(self.change(
            id,
            author,
            &format!("answer via {via}"),
            ScenarioEvent::Answered { answer },
        )?)
    }

    /// Records a customer's reply text (a WeChat message) as their answer.
    pub fn record_reply(
        &self,
        grid: &Grid,
        id: ScenarioId,
        account: &str,
        text: &str,
        via: &str,
        author: &str,
    ) -> Result<Scenario, ConsultError> {
        let s = self.must_get(id)?;
        let names: Vec<String> = s.candidates.iter().map(|w| w.name.clone()).collect();
        let r =
            parse_reply(text, &names).map_err(|message| ConsultError::Refused { id, message })?;
        self.record_answer(grid, id, account, r.preferred, r.objections, &r.reason, via, author)
    }

    /// The ranking of the scenario's candidate windows, against the open planned outages of
    /// `outages`.
    pub fn rank_windows(
        &self,
        grid: &Grid,
        id: ScenarioId,
        outages: &OutageBook,
        weights: &Weights,
    ) -> Result<Ranking, ConsultError> {
        let s = self.must_get(id)?;
        let others = super::window::other_outages(outages, grid);
        Ok(rank_scenario(grid, &s, &others, weights)?)
    }

    /// Publishes the scenario: it becomes a planned outage in `outages` over its window
    /// (the devices named, or the switches isolating its polygon), and a notice is queued
    /// for every affected customer on their channel ([`channel_for`]).
    ///
    /// Safe to repeat after a crash: an open planned outage with the same devices and window
    /// is taken as this one's, and notices already queued are not queued again. Publishing
    /// a published scenario queues the notices still missing and changes nothing else.
    pub fn publish(
        &self,
        grid: &Grid,
        id: ScenarioId,
        outages: &mut OutageBook,
        outbox: &Outbox,
        author: &str,
        reason: &str,
    ) -> Result<Publication, ConsultError> {
        let s = self.must_get(id)?;
        let Some((start_s, end_s)) = s.window else {
            return Err(ConsultError::Refused {
                id,
                message: "choose a window before publishing".into(),
            });
        };
        if reason.trim().is_empty() {
            return Err(ConsultError::Refused { id, message: "reason: empty".into() });
        }
        let devices = outage_devices(grid, &s)?;
        if devices.is_empty() {
            return Err(ConsultError::Refused {
                id,
                message: "no operable switch isolates the area".into(),
            });
        }
        let mut names: Vec<String> =
            devices.iter().map(|d| grid.model.device_name(*d).to_string()).collect();
        names.sort();
        let existing = s.outage.map(OutageId).or_else(|| {
            outages
                .list(false)
                .into_iter()
                .find(|o| {
                    let mut d = o.devices.clone();
                    d.sort();
                    o.kind == OutageKind::Planned
                        && o.lifecycle == Lifecycle::Open
                        && o.start_s == start_s
                        && o.end_s == Some(end_s)
                        && d == names
                })
                .map(|o| o.id)
        });
        let outage = match existing {
            Some(o) => o,
            None => {
                outages
                    .plan(
                        grid,
                        PlannedOutage {
                            devices,
                            start_s,
                            end_s,
                            reason: format!("{}（预约停电方案 {id}）", reason.trim()),
                            notice: format!("计划停电 {}：{}", window_text(start_s, end_s), s.name),
                            author: author.to_string(),
                        },
                    )?
                    .id
            }
        };
        let scenario = if s.published {
            s
        } else {
            self.change(id, author, reason, ScenarioEvent::Published { outage: Some(outage.0) })?
        };
        let affected = outages.affected_customers(outage).to_vec();
        let m = &grid.model;
        let mut unreachable = 0;
        let messages: Vec<NewMessage> = affected
            .iter()
            .filter_map(|c| {
                let cu = m.customers.get(c.index())?;
                let Some(channel) = channel_for(cu) else {
                    unreachable += 1;
                    return None;
                };
                Some(NewMessage {
                    channel,
                    account: cu.account_no.clone(),
                    kind: MessageKind::PlannedOutage,
                    subject: format!("outage:{}", outage.0),
                    // The announcement of the outage's first change, as
                    // `channels::notices` keys it: asking for its notices later adds none.
                    key: crate::channels::notices::change_key("created", 1),
                    text: notice_text(grid, *c, &scenario, start_s, end_s),
                })
            })
            .collect();
        let queued = outbox.queue(messages, author, &format!("planned outage {}", outage.0))?;
        Ok(Publication {
            scenario,
            outage,
            affected: affected.len(),
            notices_queued: queued.len(),
            unreachable,
        })
    }
}
