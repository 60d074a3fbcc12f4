//! The request bodies of `gridcare serve`, parsed by hand from JSON so that every error names
//! the field that is wrong (`text: missing`, `customer.phone: not a string`,
//! `lat: 91 is not a latitude`). Unknown fields are refused, not ignored: a channel that
//! misspells `reply_to` hears about it.

use serde_json::{Map, Value};

use crate::channels::outbox::Channel;
use crate::channels::records::{CustomerRef, Intent};
use crate::model::LonLat;
use crate::outage::meter::MeterRecord;
use crate::outage::MeterEventKind;
use crate::store::parse_time;

/// The longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The longest id, account, phone, openid, address or reference, in bytes.
pub const MAX_ID_BYTES: usize = 128;

/// A body that does not fit the schema: the field (dotted path, `body` for the whole) and
/// what is wrong with it. Shown as `field: problem`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SchemaError {
    /// The field, `customer.phone`; `body` for the body as a whole.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

fn err<T>(field: &str, problem: impl Into<String>) -> Result<T, SchemaError> {
    Err(SchemaError { field: field.to_string(), problem: problem.into() })
}

/// A message from a channel (`POST /api/v1/messages`).
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelMessage {
    /// The channel it came on; must be the token's.
    pub channel: Channel,
    /// Who sent it: account, phone or openid (at least one).
    pub customer: CustomerRef,
    /// What the customer wrote, trimmed, not empty.
    pub text: String,
    /// Where the customer is, when the channel knows.
    pub pos: Option<LonLat>,
    /// When the customer sent it, unix seconds.
    pub sent_s: Option<i64>,
    /// The channel's own id of the message (retries carry the same id).
    pub message_id: Option<String>,
    /// What it asks for; when absent it is read from the text ([`guess_intent`]).
    pub intent: Option<Intent>,
    /// What it answers (a consultation letter's reference, `scenario:12`).
    pub reply_to: Option<String>,
}

/// A subscription to outage notices (`POST /api/v1/subscriptions`).
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionRequest {
    /// The channel notices go to; must be the token's.
    pub channel: Channel,
    /// The customer.
    pub customer: CustomerRef,
    /// Where on the channel (openid, phone, app user id); empty for the channel's default.
    pub address: String,
}

fn object<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>, SchemaError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => err(field, "not an object"),
    }
}

fn refuse_unknown(m: &Map<String, Value>, prefix: &str, known: &[&str]) -> Result<(), SchemaError> {
    match m.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => {
            let name = if k.trim().is_empty() { format!("{k:?}") } else { k.clone() };
            err(&format!("{prefix}{name}"), format!("unknown field; known: {}", known.join(", ")))
        }
        None => Ok(()),
    }
}

/// A string field: `None` when absent or null; trimmed; empty is an error.
fn opt_str(
    m: &Map<String, Value>,
    key: &str,
    field: &str,
    max: usize,
) -> Result<Option<String>, SchemaError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                err(field, "empty")
            } else if s.len() > max {
                err(field, format!("longer than {max} bytes"))
            } else {
                Ok(Some(s.to_string()))
            }
        }
        Some(_) => err(field, "not a string"),
    }
}

fn opt_f64(m: &Map<String, Value>, key: &str) -> Result<Option<f64>, SchemaError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => err(key, "not a finite number"),
        },
        Some(_) => err(key, "not a number"),
    }
}

fn channel(m: &Map<String, Value>) -> Result<Channel, SchemaError> {
    let Some(word) = opt_str(m, "channel", "channel", MAX_ID_BYTES)? else {
        return err("channel", "missing");
    };
    Channel::parse(&word)
        .map_or_else(|| err("channel", format!("`{word}` is not one of wechat, app, web, sms")), Ok)
}

/// The customer object: `{"account": …}`, `{"phone": …}`, `{"openid": …}` or several.
pub fn parse_customer(v: Option<&Value>) -> Result<CustomerRef, SchemaError> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return err("customer", "missing");
    };
    let m = object(v, "customer")?;
    refuse_unknown(m, "customer.", &["account", "phone", "openid"])?;
    let c = CustomerRef {
        account: opt_str(m, "account", "customer.account", MAX_ID_BYTES)?,
        phone: opt_str(m, "phone", "customer.phone", MAX_ID_BYTES)?,
        openid: opt_str(m, "openid", "customer.openid", MAX_ID_BYTES)?,
    };
    if c.account.is_none() && c.phone.is_none() && c.openid.is_none() {
        return err("customer", "give account, phone or openid");
    }
    Ok(c)
}

fn parse_json(body: &[u8]) -> Result<Value, SchemaError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return err("body", "empty; send a JSON object");
    }
    serde_json::from_slice(body).or_else(|e| err("body", format!("not JSON: {e}")))
}

/// Parses a channel message.
///
/// # Examples
///
/// ```
/// use gridcare::server::parse_message;
/// let body = r#"{"channel":"wechat","customer":{"account":"0100000001"},
///     "text":"家里停电了","lon":113.12,"lat":23.02,"time":"2026-11-24T14:00:00+08:00"}"#;
/// let m = parse_message(body.as_bytes()).unwrap();
/// assert_eq!(m.text, "家里停电了");
/// let e = parse_message(br#"{"channel":"wechat","customer":{"account":"0100000001"}}"#);
/// assert_eq!(e.unwrap_err().to_string(), "text: missing");
/// ```
pub fn parse_message(body: &[u8]) -> Result<ChannelMessage, SchemaError> {
    let v = parse_json(body)?;
    let m = object(&v, "body")?;
    refuse_unknown(
        m,
        "",
        &["channel", "customer", "text", "lon", "lat", "time", "message_id", "intent", "reply_to"],
    )?;
    let channel = channel(m)?;
    let customer = parse_customer(m.get("customer"))?;
    let text = match m.get("text") {
        None | Some(Value::Null) => return err("text", "missing"),
        Some(Value::String(s)) if s.trim().is_empty() => return err("text", "empty"),
        Some(Value::String(s)) if s.trim().chars().count() > MAX_TEXT_CHARS => {
            return err("text", format!("longer than {MAX_TEXT_CHARS} characters"))
        }
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => return err("text", "not a string"),
    };
    let pos = match (opt_f64(m, "lon")?, opt_f64(m, "lat")?) {
        (None, None) => None,
        (Some(_), None) => return err("lat", "missing (lon is given)"),
        (None, Some(_)) => return err("lon", "missing (lat is given)"),
        (Some(lon), _) if !(-180.0..=180.0).contains(&lon) => {
            return err("lon", format!("{lon} is not a longitude"))
        }
        (_, Some(lat)) if !(-90.0..=90.0).contains(&lat) => {
            return err("lat", format!("{lat} is not a latitude"))
        }
        (Some(lon), Some(lat)) => Some(LonLat::new(lon, lat)),
    };
    let sent_s = match opt_str(m, "time", "time", 64)? {
        None => None,
        Some(t) => Some(parse_time(&t).or_else(|e| err("time", e.to_string()))?),
    };
    let intent = match opt_str(m, "intent", "intent", MAX_ID_BYTES)? {
        None => None,
        Some(w) => Some(Intent::parse(&w).map_or_else(
            || {
                err(
                    "intent",
                    format!("`{w}` is not one of repair, inquiry, consultation_reply, other"),
                )
            },
            Ok,
        )?),
    };
    let reply_to = opt_str(m, "reply_to", "reply_to", MAX_ID_BYTES)?;
    if intent == Some(Intent::ConsultationReply) && reply_to.is_none() {
        return err("reply_to", "missing (intent is consultation_reply)");
    }
    Ok(ChannelMessage {
        channel,
        customer,
        text,
        pos,
        sent_s,
        message_id: opt_str(m, "message_id", "message_id", MAX_ID_BYTES)?,
        intent,
        reply_to,
    })
}

/// Parses a subscription request.
pub fn parse_subscription(body: &[u8]) -> Result<SubscriptionRequest, SchemaError> {
    let v = parse_json(body)?;
    let m = object(&v, "body")?;
    refuse_unknown(m, "", &["channel", "customer", "address"])?;
    Ok(SubscriptionRequest {
        channel: channel(m)?,
        customer: parse_customer(m.get("customer"))?,
        address: opt_str(m, "address", "address", MAX_ID_BYTES)?.unwrap_or_default(),
    })
}

/// The most meter events in one request.
pub const MAX_METER_EVENTS: usize = 10_000;

/// Parses a batch of smart-meter events (`POST /api/v1/meter-events`): a JSON array of
/// `{"account", "event": "last_gasp" | "power_restore", "time"}`, the format of
/// `gridcare ticket meters --file`. Errors name the event: `[3].event: missing`.
///
/// # Examples
///
/// ```
/// use gridcare::server::parse_meter_events;
/// let body = r#"[{"account":"0600471230","event":"last_gasp","time":"2026-12-07T00:50:12+08:00"}]"#;
/// assert_eq!(parse_meter_events(body.as_bytes()).unwrap().len(), 1);
/// let e = parse_meter_events(br#"[{"account":"0600471230","time":"2026-12-07 00:50"}]"#);
/// assert_eq!(e.unwrap_err().to_string(), "[0].event: missing");
/// ```
pub fn parse_meter_events(body: &[u8]) -> Result<Vec<MeterRecord>, SchemaError> {
    let v = parse_json(body)?;
    let Value::Array(items) = v else {
        return err("body", "not an array of meter events");
    };
    if items.is_empty() {
        return err("body", "no meter events");
    }
    if items.len() > MAX_METER_EVENTS {
        return err("body", format!("more than {MAX_METER_EVENTS} meter events"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = |field: &str| format!("[{i}].{field}");
        let m = object(item, &format!("[{i}]"))?;
        if let Some(k) = m.keys().find(|k| !["account", "event", "time"].contains(&k.as_str())) {
            return err(&at(k), "unknown field; known: account, event, time");
        }
        let Some(account) = opt_str(m, "account", &at("account"), MAX_ID_BYTES)? else {
            return err(&at("account"), "missing");
        };
        let kind = match opt_str(m, "event", &at("event"), MAX_ID_BYTES)?.as_deref() {
            None => return err(&at("event"), "missing"),
            Some("last_gasp") => MeterEventKind::LastGasp,
            Some("power_restore") => MeterEventKind::PowerRestore,
            Some(other) => {
                return err(&at("event"), format!("`{other}` is not last_gasp or power_restore"))
            }
        };
        let Some(time) = opt_str(m, "time", &at("time"), 64)? else {
            return err(&at("time"), "missing");
        };
        let at_s = parse_time(&time).or_else(|e| err(&at("time"), e.to_string()))?;
        if at_s < 0 {
            return err(&at("time"), "before 1970");
        }
        out.push(MeterRecord { account, kind, at_s });
    }
    Ok(out)
}

/// Words that make a message a fault report when it does not say its intent.
pub const REPAIR_WORDS: [&str; 14] = [
    "停电",
    "没电",
    "断电",
    "跳闸",
    "没有电",
    "报修",
    "冒烟",
    "火花",
    "电线断",
    "电线杆",
    "漏电",
    "no power",
    "power out",
    "outage",
];

/// What a message without an `intent` asks for: a fault report when it holds one of
/// [`REPAIR_WORDS`] (case-insensitive), a consultation reply when it names what it answers,
/// else an inquiry.
///
/// # Examples
///
/// ```
/// use gridcare::server::{guess_intent, Intent};
/// assert_eq!(guess_intent("我家停电了，快来修", None), Intent::Repair);
/// assert_eq!(guess_intent("电费怎么交", None), Intent::Inquiry);
/// assert_eq!(guess_intent("同意", Some("scenario:3")), Intent::ConsultationReply);
/// ```
pub fn guess_intent(text: &str, reply_to: Option<&str>) -> Intent {
    if reply_to.is_some() {
        return Intent::ConsultationReply;
    }
    let lower = text.to_lowercase();
    if REPAIR_WORDS.iter().any(|w| lower.contains(w)) {
        Intent::Repair
    } else {
        Intent::Inquiry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(body: &str) -> String {
        parse_message(body.as_bytes()).expect_err(body).to_string()
    }

    const OK: &str = r#""channel":"app","customer":{"account":"0100000001"}"#;

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(problem(""), "body: empty; send a JSON object");
        assert!(problem("{").starts_with("body: not JSON"));
        assert_eq!(problem("[1]"), "body: not an object");
        assert_eq!(problem(&format!("{{{OK}}}")), "text: missing");
        assert_eq!(problem(&format!(r#"{{{OK},"text":"  "}}"#)), "text: empty");
        assert_eq!(problem(&format!(r#"{{{OK},"text":5}}"#)), "text: not a string");
        assert_eq!(problem(r#"{"customer":{"account":"1"},"text":"x"}"#), "channel: missing");
        assert_eq!(
            problem(r#"{"channel":"fax","customer":{"account":"1"},"text":"x"}"#),
            "channel: `fax` is not one of wechat, app, web, sms"
        );
        assert_eq!(problem(r#"{"channel":"sms","text":"x"}"#), "customer: missing");
        assert_eq!(
            problem(r#"{"channel":"sms","customer":{},"text":"x"}"#),
            "customer: give account, phone or openid"
        );
        assert_eq!(
            problem(r#"{"channel":"sms","customer":{"phone":138},"text":"x"}"#),
            "customer.phone: not a string"
        );
        assert!(problem(r#"{"channel":"sms","customer":{"qq":"1"},"text":"x"}"#)
            .starts_with("customer.qq: unknown field"));
        assert!(problem(&format!(r#"{{{OK},"text":"x","replyto":"a"}}"#))
            .starts_with("replyto: unknown field"));
        assert_eq!(
            problem(&format!(r#"{{{OK},"text":"x","lon":113.1}}"#)),
            "lat: missing (lon is given)"
        );
        assert_eq!(
            problem(&format!(r#"{{{OK},"text":"x","lon":113.1,"lat":91}}"#)),
            "lat: 91 is not a latitude"
        );
        assert!(
            problem(&format!(r#"{{{OK},"text":"x","time":"yesterday"}}"#)).starts_with("time: ")
        );
        assert_eq!(
            problem(&format!(r#"{{{OK},"text":"x","intent":"consultation_reply"}}"#)),
            "reply_to: missing (intent is consultation_reply)"
        );
    }

    #[test]
    fn a_long_text_is_refused_by_its_length_in_characters() {
        let long = "停".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            problem(&format!(r#"{{{OK},"text":"{long}"}}"#)),
            format!("text: longer than {MAX_TEXT_CHARS} characters")
        );
        let fits = "停".repeat(MAX_TEXT_CHARS);
        assert!(parse_message(format!(r#"{{{OK},"text":"{fits}"}}"#).as_bytes()).is_ok());
    }

    #[test]
    fn a_full_message_parses() {
        let m = parse_message(
            r#"{"channel":"wechat","customer":{"openid":"o6_bm","account":"0100000001"},
               "text":" 家里没电了 ","lon":113.12,"lat":23.02,"time":"2026-11-24 14:00",
               "message_id":"wx-1","intent":"repair","reply_to":null}"#
                .as_bytes(),
        )
        .expect("parses");
        assert_eq!(m.channel, Channel::Wechat);
        assert_eq!(m.customer.openid.as_deref(), Some("o6_bm"));
        assert_eq!(m.text, "家里没电了");
        assert_eq!(m.pos, Some(LonLat::new(113.12, 23.02)));
        assert_eq!(m.sent_s, parse_time("2026-11-24 14:00").ok());
        assert_eq!(m.intent, Some(Intent::Repair));
    }

    /// A seeded fuzz: valid messages cut, spliced and sprinkled with bytes never panic the
    /// parser, and every refusal names a field.
    #[test]
    fn mangled_messages_never_panic_and_every_refusal_names_a_field() {
        let seeds = [
            r#"{"channel":"wechat","customer":{"openid":"o6_b","account":"0100000001"},"text":"家里停电了","lon":113.12,"lat":23.02,"time":"2026-11-24T14:00:00+08:00","message_id":"wx-1","intent":"repair","reply_to":"scenario:1"}"#,
            r#"{"channel":"sms","customer":{"phone":"13800138000"},"text":"什么时候来电"}"#,
        ];
        let fields = [
            "body",
            "channel",
            "customer",
            "customer.account",
            "customer.phone",
            "customer.openid",
            "text",
            "lon",
            "lat",
            "time",
            "message_id",
            "intent",
            "reply_to",
        ];
        let noise: &[&[u8]] = &[
            b"{",
            b"}",
            b"\"",
            b":",
            b",",
            b"null",
            b"1e999",
            b"-0",
            b"\\u0000",
            b"\xff",
            b"\xe5\x81",
            b"[",
            b"]",
            b"true",
            "停".as_bytes(),
            b" ",
            b"\\",
        ];
        let mut rng = crate::rng::Rng::new(7);
        let mut refused = 0;
        for _ in 0..20_000 {
            let mut b = rng.pick(&seeds).as_bytes().to_vec();
            for _ in 0..1 + rng.index(4) {
                let at = rng.index(b.len() + 1);
                match rng.index(3) {
                    0 => b.truncate(at),
                    1 => {
                        let end = (at + rng.index(8)).min(b.len());
                        b.drain(at..end);
                    }
                    _ => {
                        let n = rng.pick(noise);
                        b.splice(at..at, n.iter().copied());
                    }
                }
            }
            if let Err(e) = parse_message(&b) {
                refused += 1;
                let field = e.field.split('.').next().unwrap_or_default();
                assert!(
                    fields.contains(&e.field.as_str()) || e.problem.contains("unknown field"),
                    "{e} for {}",
                    String::from_utf8_lossy(&b)
                );
                assert!(!field.is_empty() && !e.problem.is_empty());
            }
        }
        assert!(refused > 10_000, "the mangling breaks most messages: {refused}");
    }

    #[test]
    fn meter_events_name_the_event_and_field_that_is_wrong() {
        let problem = |b: &str| parse_meter_events(b.as_bytes()).expect_err(b).to_string();
        assert_eq!(problem("{}"), "body: not an array of meter events");
        assert_eq!(problem("[]"), "body: no meter events");
        let ok = r#"{"account":"1","event":"last_gasp","time":"2026-12-07 00:50"}"#;
        assert_eq!(
            problem(&format!(
                r#"[{ok},{{"account":"2","event":"blink","time":"2026-12-07 00:50"}}]"#
            )),
            "[1].event: `blink` is not last_gasp or power_restore"
        );
        assert_eq!(problem(r#"[{"event":"last_gasp","time":"x"}]"#), "[0].account: missing");
        assert!(problem(r#"[{"account":"1","event":"last_gasp","time":"x"}]"#)
            .starts_with("[0].time: "));
        assert!(problem(&format!(r#"[{ok},5]"#)).starts_with("[1]: not an object"));
        let two = parse_meter_events(format!("[{ok},{ok}]").as_bytes()).expect("parses");
        assert_eq!(two.len(), 2);
        assert_eq!(two[0].kind, MeterEventKind::LastGasp);
    }

    #[test]
    fn a_subscription_names_its_fields_too() {
        let e = parse_subscription(br#"{"channel":"sms"}"#).expect_err("no customer");
        assert_eq!(e.to_string(), "customer: missing");
        let s = parse_subscription(br#"{"channel":"sms","customer":{"phone":"13800138000"}}"#)
            .expect("parses");
        assert_eq!(s.address, "");
    }
}
