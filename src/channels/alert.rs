//! Sensitive-word alerts (敏感词预警) in the store: raised when a customer's message holds a
//! sensitive word, then acknowledged, assigned and resolved with a note. Every step is an
//! event with its time, author and reason, so an alert's history can be read back.
//!
//! The fold ([`Alert::apply`]) is the one rule: an alert is raised with a text, a channel and
//! at least one hit inside the text; it is acknowledged once, assigned (again) to a named
//! person while open, resolved once with a note, and never changed after that.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::sensitive::{Hit, Lexicon, LexiconError, Screening, Severity};
use crate::store::{format_time, Aggregate, Recorded, Store, StoreError};

/// An alert's number, from 1.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct AlertId(pub u64);

impl std::fmt::Display for AlertId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A change to an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum AlertEvent {
    /// A message held sensitive words.
    Raised {
        /// The message as the customer wrote it.
        text: String,
        /// The channel it came by (`phone`, `wechat`, `app`, `web`, `sms`).
        channel: String,
        /// The customer's account number, when known.
        account: Option<String>,
        /// What the lexicon found, with the bytes of `text` each covers.
        hits: Vec<Hit>,
    },
    /// Someone has seen it.
    Acknowledged,
    /// Handed to someone to deal with.
    Assigned {
        /// Who.
        to: String,
    },
    /// Dealt with.
    Resolved {
        /// What was done (required).
        note: String,
    },
}

impl AlertEvent {
    /// The change's word.
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertEvent::Raised { .. } => "raised",
            AlertEvent::Acknowledged => "acknowledged",
            AlertEvent::Assigned { .. } => "assigned",
            AlertEvent::Resolved { .. } => "resolved",
        }
    }
}

/// Where an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Nobody has looked at it yet (新预警).
    Raised,
    /// Seen (已确认).
    Acknowledged,
    /// Someone is dealing with it (已派发).
    Assigned,
    /// Dealt with (已办结).
    Resolved,
}

impl AlertStatus {
    /// The word used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Raised => "raised",
            AlertStatus::Acknowledged => "acknowledged",
            AlertStatus::Assigned => "assigned",
            AlertStatus::Resolved => "resolved",
        }
    }

    /// The word in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            AlertStatus::Raised => "新预警",
            AlertStatus::Acknowledged => "已确认",
            AlertStatus::Assigned => "已派发",
            AlertStatus::Resolved => "已办结",
        }
    }
}

/// Who did a step, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Who.
    pub by: String,
    /// When, unix seconds.
    pub at_s: i64,
}

/// An alert's current state: the fold of its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Its number.
    pub id: AlertId,
    /// The message as the customer wrote it.
    pub text: String,
    /// The channel it came by.
    pub channel: String,
    /// The customer's account number, when known.
    pub account: Option<String>,
    /// What the lexicon found.
    pub hits: Vec<Hit>,
    /// The lexicon words found, each once.
    pub words: Vec<String>,
    /// The categories hit, most severe first.
    pub categories: Vec<String>,
    /// The highest severity of the hits.
    pub severity: Severity,
    /// Where it is.
    pub status: AlertStatus,
    /// Raised by whom (the channel service, an operator), when.
    pub raised: Step,
    /// Acknowledged by whom, when (assigning acknowledges too).
    pub acknowledged: Option<Step>,
    /// Who deals with it.
    pub assigned_to: Option<String>,
    /// Assigned by whom, when (the last assignment).
    pub assigned: Option<Step>,
    /// Resolved by whom, when.
    pub resolved: Option<Step>,
    /// What was done.
    pub resolution_note: Option<String>,
    /// When it last changed.
    pub updated_s: i64,
    /// Number of events.
    pub changes: u64,
}

impl Alert {
    /// Still to deal with (not resolved).
    pub fn is_open(&self) -> bool {
        self.status != AlertStatus::Resolved
    }
}

/// Why a raised event is not an alert; `None` when it is one.
fn check_raised(text: &str, channel: &str, hits: &[Hit]) -> Option<String> {
    if text.trim().is_empty() {
        return Some("text: empty".into());
    }
    if channel.trim().is_empty() {
        return Some("channel: empty".into());
    }
    if hits.is_empty() {
        return Some("hits: none; a message without a sensitive word raises no alert".into());
    }
    hits.iter().enumerate().find_map(|(i, h)| {
        let inside = h.start_byte < h.end_byte
            && text.get(h.start_byte..h.end_byte).is_some_and(|m| m == h.matched);
        (!inside).then(|| {
            format!(
                "hit {} (`{}`): bytes {}..{} are not `{}` in the text",
                i + 1,
                h.word,
                h.start_byte,
                h.end_byte,
                h.matched
            )
        })
    })
}

fn step(e: &Recorded<AlertEvent>) -> Step {
    Step { by: e.author.clone(), at_s: e.time_s }
}

impl Aggregate for Alert {
    const KIND: &'static str = "alert";
    type Event = AlertEvent;

    fn apply(id: u64, state: Option<Self>, e: &Recorded<AlertEvent>) -> Result<Self, String> {
        let mut a = match (state, &e.event) {
            (None, AlertEvent::Raised { text, channel, account, hits }) => {
                if let Some(why) = check_raised(text, channel, hits) {
                    return Err(why);
                }
                let s = Screening::of(hits.clone());
                return Ok(Alert {
                    id: AlertId(id),
                    text: text.clone(),
                    channel: channel.trim().to_string(),
                    account: account
                        .as_ref()
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty()),
                    hits: s.hits,
                    words: s.words,
                    categories: s.categories,
                    severity: s.severity.unwrap_or_default(),
                    status: AlertStatus::Raised,
                    raised: step(e),
                    acknowledged: None,
                    assigned_to: None,
                    assigned: None,
                    resolved: None,
                    resolution_note: None,
                    updated_s: e.time_s,
                    changes: 1,
                });
            }
            (None, other) => return Err(format!("{} before the alert was raised", other.as_str())),
            (Some(_), AlertEvent::Raised { .. }) => return Err("the alert exists already".into()),
            (Some(a), _) if a.status == AlertStatus::Resolved => {
                let by = a.resolved.as_ref().map_or_else(String::new, |s| {
                    format!(" by {} at {}", s.by, format_time(s.at_s))
                });
                let what = match &e.event {
                    AlertEvent::Resolved { .. } => "already resolved",
                    _ => "resolved",
                };
                return Err(format!(
                    "{what}{by} ({}); it cannot be {} any more",
                    a.resolution_note.unwrap_or_default(),
                    e.event.as_str()
                ));
            }
            (Some(a), _) => a,
        };
        match &e.event {
            AlertEvent::Raised { .. } => {}
            AlertEvent::Acknowledged => {
                if let Some(s) = &a.acknowledged {
                    return Err(format!(
                        "already acknowledged by {} at {}",
                        s.by,
                        format_time(s.at_s)
                    ));
                }
                a.acknowledged = Some(step(e));
                a.status = AlertStatus::Acknowledged;
            }
            AlertEvent::Assigned { to } => {
                let to = to.trim();
                if to.is_empty() {
                    return Err("assign to whom? the name is empty".into());
                }
                if a.assigned_to.as_deref() == Some(to) {
                    return Err(format!("already assigned to {to}"));
                }
                if a.acknowledged.is_none() {
                    a.acknowledged = Some(step(e));
                }
                a.assigned_to = Some(to.to_string());
                a.assigned = Some(step(e));
                a.status = AlertStatus::Assigned;
            }
            AlertEvent::Resolved { note } => {
                if note.trim().is_empty() {
                    return Err("note: say what was done to resolve it".into());
                }
                a.resolved = Some(step(e));
                a.resolution_note = Some(note.trim().to_string());
                a.status = AlertStatus::Resolved;
            }
        }
        a.updated_s = e.time_s;
        a.changes += 1;
        Ok(a)
    }
}

/// Why an alert could not be raised, read or changed.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// The store failed, or refused the change (the message names the alert and why).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The lexicon could not be read.
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    /// No alert with that number.
    #[error("alert {id} does not exist")]
    NotFound {
        /// The number asked for.
        id: AlertId,
    },
    /// The alert to raise is not one (no text, no channel, no hit).
    #[error("cannot raise an alert: {message}")]
    Invalid {
        /// Why.
        message: String,
    },
}

/// The alerts of a store, screened with one lexicon.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use gridcare::channels::alert::AlertBook;
/// use gridcare::store::Store;
///
/// let dir = std::env::temp_dir().join(format!("gridcare-alert-doc-{}", std::process::id()));
/// let _ = std::fs::remove_dir_all(&dir);
/// let book = AlertBook::open(Arc::new(Store::open(&dir)?))?;
/// // A plain question raises nothing…
/// assert!(book.raise_if_sensitive("请问什么时候来电", "wechat", None, "channels")?.is_none());
/// // …a threat to go to the press does.
/// let alert = book
///     .raise_if_sensitive("再不来电我就找記者曝光", "wechat", Some("0612000001"), "channels")?
///     .expect("an alert");
/// assert_eq!(alert.words, ["找记者", "曝光"]);
/// book.assign(alert.id, "王班长", "duty", "")?;
/// let done = book.resolve(alert.id, "called back, ETR given", "王班长", "")?;
/// assert!(!done.is_open());
/// assert_eq!(book.history(alert.id)?.len(), 3);
/// # drop(book);
/// # let _ = std::fs::remove_dir_all(&dir);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AlertBook {
    store: Arc<Store>,
    lexicon: Arc<Lexicon>,
}

impl AlertBook {
    /// The alerts of `store`, screened with the embedded lexicon.
    pub fn open(store: Arc<Store>) -> Result<AlertBook, AlertError> {
        Ok(AlertBook::with_lexicon(store, Arc::new(Lexicon::embedded()?)))
    }

    /// The alerts of `store`, screened with the lexicon of a file (`None`: the embedded one).
    pub fn open_with_lexicon_file(
        store: Arc<Store>,
        lexicon: Option<&Path>,
    ) -> Result<AlertBook, AlertError> {
        let lexicon = match lexicon {
            Some(p) => Lexicon::from_path(p)?,
            None => Lexicon::embedded()?,
        };
        Ok(AlertBook::with_lexicon(store, Arc::new(lexicon)))
    }

    /// The alerts of `store`, screened with `lexicon`.
    pub fn with_lexicon(store: Arc<Store>, lexicon: Arc<Lexicon>) -> AlertBook {
        AlertBook { store, lexicon }
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The lexicon.
    pub fn lexicon(&self) -> &Arc<Lexicon> {
        &self.lexicon
    }

    /// What the lexicon finds in a text; nothing is written.
    pub fn check(&self, text: &str) -> Screening {
        self.lexicon.screen(text)
    }

    /// Screens a customer's message and, when it holds a sensitive word, raises an alert
    /// (on disk when this returns); `None` when the message is clean. `channel` is the
    /// channel's word (`phone`, `wechat`, `app`, `web`, `sms`), `account` the customer's
    /// account number when the channel knows it, `author` who raises it (the channel
    /// service or the operator).
    pub fn raise_if_sensitive(
        &self,
        text: &str,
        channel: &str,
        account: Option<&str>,
        author: &str,
    ) -> Result<Option<Alert>, AlertError> {
        let s = self.lexicon.screen(text);
        if s.is_clean() {
            return Ok(None);
        }
        self.raise(text, channel, account, s.hits, author, "").map(Some)
    }

    /// Raises an alert with hits found before (their spans must lie in `text`).
    pub fn raise(
        &self,
        text: &str,
        channel: &str,
        account: Option<&str>,
        hits: Vec<Hit>,
        author: &str,
        reason: &str,
    ) -> Result<Alert, AlertError> {
        if let Some(message) = check_raised(text, channel, &hits) {
            return Err(AlertError::Invalid { message });
        }
        let event = AlertEvent::Raised {
            text: text.to_string(),
            channel: channel.trim().to_string(),
            account: account.map(str::to_string),
            hits,
        };
        Ok(self.store.create::<Alert>(author, reason, event)?.state)
    }

    /// Records that someone has seen the alert.
    pub fn acknowledge(
        &self,
        id: AlertId,
        author: &str,
        reason: &str,
    ) -> Result<Alert, AlertError> {
        self.change(id, author, reason, AlertEvent::Acknowledged)
    }

    /// Hands the alert to `to` (again, to someone else, while it is open).
    pub fn assign(
        &self,
        id: AlertId,
        to: &str,
        author: &str,
        reason: &str,
    ) -> Result<Alert, AlertError> {
        self.change(id, author, reason, AlertEvent::Assigned { to: to.to_string() })
    }

    /// Closes the alert with a note saying what was done (required). Resolving it twice is
    /// an error naming the alert.
    pub fn resolve(
        &self,
        id: AlertId,
        note: &str,
        author: &str,
        reason: &str,
    ) -> Result<Alert, AlertError> {
        self.change(id, author, reason, AlertEvent::Resolved { note: note.to_string() })
    }

    /// Records a change.
    pub fn change(
        &self,
        id: AlertId,
        author: &str,
        reason: &str,
        event: AlertEvent,
    ) -> Result<Alert, AlertError> {
        match self.store.append::<Alert>(id.0, author, reason, event) {
            Ok(e) => Ok(e.state),
            Err(StoreError::NotFound { .. }) => Err(AlertError::NotFound { id }),
            Err(e) => Err(e.into()),
        }
    }

    /// One alert, if it exists.
    pub fn get(&self, id: AlertId) -> Result<Option<Alert>, AlertError> {
        Ok(self.store.get::<Alert>(id.0)?.map(|e| e.state))
    }

    /// Every alert, by number.
    pub fn all(&self) -> Result<Vec<Alert>, AlertError> {
        Ok(self.store.all::<Alert>()?.into_iter().map(|e| e.state).collect())
    }

    /// The alerts not resolved yet, as a dispatcher works them: most severe first, then the
    /// oldest first.
    pub fn open_alerts(&self) -> Result<Vec<Alert>, AlertError> {
        let mut open: Vec<Alert> = self.all()?.into_iter().filter(Alert::is_open).collect();
        open.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
        Ok(open)
    }

    /// An alert's events in order: what changed, when, who and why.
    pub fn history(&self, id: AlertId) -> Result<Vec<Recorded<AlertEvent>>, AlertError> {
        let events = self.store.events::<Alert>(id.0)?;
        if events.is_empty() {
            return Err(AlertError::NotFound { id });
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::VirtualClock;

    fn book(name: &str) -> (AlertBook, Arc<VirtualClock>) {
        let dir =
            std::env::temp_dir().join(format!("gridcare-alert-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let clock = Arc::new(VirtualClock::new(1_765_000_000));
        let store = match Store::open_with_clock(&dir, clock.clone()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        match AlertBook::open(Arc::new(store)) {
            Ok(b) => (b, clock),
            Err(e) => panic!("{e}"),
        }
    }

    fn raised(book: &AlertBook, text: &str) -> Alert {
        match book.raise_if_sensitive(text, "wechat", Some("0612000001"), "channels") {
            Ok(Some(a)) => a,
            other => panic!("`{text}` should raise an alert: {other:?}"),
        }
    }

    fn refused(r: Result<Alert, AlertError>) -> String {
        match r {
            Ok(a) => panic!("should be refused, got {a:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn one_alert_book_serves_every_thread_of_the_channel_service() {
        fn shared<T: Send + Sync>() {}
        shared::<AlertBook>();
        shared::<Lexicon>();
    }

    #[test]
    fn a_safety_hazard_on_wechat_raises_a_critical_alert_with_the_customer() {
        let (book, _) = book("raise");
        let a = raised(&book, "楼下电线掉落了还在冒火花，你们再不来我就投诉");
        assert_eq!(a.id, AlertId(1));
        assert_eq!(a.channel, "wechat");
        assert_eq!(a.account.as_deref(), Some("0612000001"));
        assert_eq!(a.severity, Severity::Critical);
        assert_eq!(a.words, ["电线掉落", "冒火花", "投诉"]);
        assert_eq!(a.categories, ["safety_hazard", "complaint_threat"]);
        assert_eq!(a.status, AlertStatus::Raised);
        assert_eq!(a.raised, Step { by: "channels".into(), at_s: 1_765_000_000 });
        assert_eq!(book.get(a.id).ok().flatten(), Some(a));
    }

    #[test]
    fn a_plain_question_raises_nothing_and_writes_nothing() {
        let (book, _) = book("clean");
        let r = book.raise_if_sensitive("请问明天几点来电？", "sms", None, "channels");
        assert!(matches!(r, Ok(None)));
        assert!(book.all().is_ok_and(|all| all.is_empty()));
    }

    #[test]
    fn an_alert_is_acknowledged_assigned_and_resolved_with_every_step_recorded() {
        let (book, clock) = book("steps");
        let a = raised(&book, "我要找记者曝光你们");
        clock.advance(60);
        let a = book.acknowledge(a.id, "李坐席", "seen").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.status, AlertStatus::Acknowledged);
        clock.advance(60);
        let a = book.assign(a.id, "王班长", "李坐席", "media").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.status, a.assigned_to.as_deref()), (AlertStatus::Assigned, Some("王班长")));
        assert_eq!(a.acknowledged.as_ref().map(|s| s.by.as_str()), Some("李坐席"));
        clock.advance(600);
        let a = book
            .resolve(a.id, "回访客户，已说明抢修进度，客户表示理解", "王班长", "")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.status, AlertStatus::Resolved);
        assert_eq!(a.resolved, Some(Step { by: "王班长".into(), at_s: 1_765_000_720 }));
        assert!(!a.is_open());
        let h = book.history(a.id).unwrap_or_else(|e| panic!("{e}"));
        let steps: Vec<(&str, &str, &str)> =
            h.iter().map(|r| (r.event.as_str(), r.author.as_str(), r.reason.as_str())).collect();
        assert_eq!(
            steps,
            [
                ("raised", "channels", ""),
                ("acknowledged", "李坐席", "seen"),
                ("assigned", "李坐席", "media"),
                ("resolved", "王班长", "")
            ]
        );
    }

    #[test]
    fn resolving_a_resolved_alert_is_refused_naming_the_alert() {
        let (book, _) = book("twice");
        let a = raised(&book, "你们这帮骗子");
        assert!(book.resolve(a.id, "已回访", "王班长", "").is_ok());
        let e = refused(book.resolve(a.id, "again", "李坐席", ""));
        assert!(e.contains("alert 1") && e.contains("already resolved by 王班长"), "{e}");
        let e = refused(book.assign(a.id, "张三", "李坐席", ""));
        assert!(e.contains("alert 1") && e.contains("resolved"), "{e}");
        assert_eq!(book.history(a.id).map(|h| h.len()).ok(), Some(2));
    }

    #[test]
    fn a_resolution_needs_a_note_and_an_assignment_a_name() {
        let (book, _) = book("note");
        let a = raised(&book, "电线杆倒了");
        let e = refused(book.resolve(a.id, "  ", "王班长", ""));
        assert!(e.contains("alert 1") && e.contains("note"), "{e}");
        let e = refused(book.assign(a.id, "", "王班长", ""));
        assert!(e.contains("alert 1") && e.contains("name"), "{e}");
        assert!(book.assign(a.id, "王班长", "李坐席", "").is_ok());
        let e = refused(book.assign(a.id, "王班长", "李坐席", ""));
        assert!(e.contains("already assigned to 王班长"), "{e}");
        assert!(book.assign(a.id, "赵工", "李坐席", "handover").is_ok());
        assert_eq!(book.get(a.id).ok().flatten().map(|a| a.status), Some(AlertStatus::Assigned));
    }

    #[test]
    fn acknowledging_twice_or_an_unknown_alert_is_refused() {
        let (book, _) = book("ack");
        let a = raised(&book, "家里有呼吸机");
        assert!(book.acknowledge(a.id, "李坐席", "").is_ok());
        let e = refused(book.acknowledge(a.id, "王班长", ""));
        assert!(e.contains("already acknowledged by 李坐席"), "{e}");
        let e = refused(book.acknowledge(AlertId(42), "王班长", ""));
        assert_eq!(e, "alert 42 does not exist");
        assert!(matches!(book.history(AlertId(42)), Err(AlertError::NotFound { .. })));
    }

    #[test]
    fn open_alerts_come_most_severe_first_then_oldest() {
        let (book, _) = book("order");
        let abuse = raised(&book, "垃圾服务");
        let media = raised(&book, "我要上热搜");
        let hazard = raised(&book, "变压器冒烟了");
        let media2 = raised(&book, "找记者");
        assert!(book.resolve(media2.id, "误报", "王班长", "").is_ok());
        let ids: Vec<AlertId> =
            book.open_alerts().unwrap_or_default().iter().map(|a| a.id).collect();
        assert_eq!(ids, [hazard.id, media.id, abuse.id]);
        assert_eq!(book.all().map(|a| a.len()).ok(), Some(4));
    }

    #[test]
    fn an_alert_whose_hits_are_not_in_its_text_is_refused() {
        let (book, _) = book("invalid");
        let mut hits = book.check("我要投诉").hits;
        let e = refused(book.raise("投", "web", None, hits.clone(), "x", ""));
        assert!(e.contains("hit 1") && e.contains("投诉"), "{e}");
        let e = refused(book.raise("我要投诉", " ", None, hits.clone(), "x", ""));
        assert!(e.contains("channel"), "{e}");
        let e = refused(book.raise("我要投诉", "web", None, Vec::new(), "x", ""));
        assert!(e.contains("hits"), "{e}");
        hits[0].end_byte = 2; // inside a character
        let e = refused(book.raise("我要投诉", "web", None, hits, "x", ""));
        assert!(e.contains("hit 1"), "{e}");
        assert!(book.all().is_ok_and(|all| all.is_empty()));
    }
}
