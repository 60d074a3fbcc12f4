//! Call records from the phone platform (CTI, 呼叫中心平台): tickets do not record talk
//! time, so the average handling time comes from the platform's export — one row per call
//! or chat session: `call_id,channel,offered,answered,ended,agent,ticket`, times in RFC 3339
//! (`2026-11-24T14:00:05+08:00`; Beijing time without an offset is read too), `answered`
//! empty for a call abandoned in the queue, `ticket` empty when no ticket was made.
//! The simulator writes such a file ([`CALL_RECORDS_FILE`] in the data directory).

use std::path::Path;

use super::table::csv_record;
use super::KpiError;
use crate::store::{format_rfc3339, parse_time};
use crate::workorder::{Channel, TicketId};

/// The call-record file's name in a data directory.
pub const CALL_RECORDS_FILE: &str = "cti_calls.csv";

const HEADER: &str = "call_id,channel,offered,answered,ended,agent,ticket";

/// One call (or chat session) as the phone platform recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// The platform's number for it.
    pub call_id: u64,
    /// The channel (phone, or a chat channel).
    pub channel: Channel,
    /// When it reached the queue.
    pub offered_s: i64,
    /// When an agent answered (`None`: abandoned in the queue).
    pub answered_s: Option<i64>,
    /// When it ended.
    pub ended_s: i64,
    /// The agent (工号), empty when abandoned.
    pub agent: String,
    /// The ticket made from it, if any.
    pub ticket: Option<TicketId>,
}

/// Writes call records as CSV.
pub fn write_call_records(path: &Path, records: &[CallRecord]) -> Result<(), KpiError> {
    let mut s = String::with_capacity(records.len() * 96 + 64);
    s.push_str(HEADER);
    s.push('\n');
    for r in records {
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.call_id,
            r.channel.as_str(),
            format_rfc3339(r.offered_s),
            r.answered_s.map(format_rfc3339).unwrap_or_default(),
            format_rfc3339(r.ended_s),
            r.agent.replace([',', '"', '\n'], " "),
            r.ticket.map(|t| t.0.to_string()).unwrap_or_default(),
        ));
    }
    std::fs::write(path, s)
        .map_err(|source| KpiError::Io { file: path.display().to_string(), source })
}

/// Reads call records. A wrong header, a field that is not what its column needs, or times
/// out of order are errors naming the file, the line and the column.
pub fn read_call_records(path: &Path) -> Result<Vec<CallRecord>, KpiError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|source| KpiError::Io { file: file.clone(), source })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let err = |why: String| KpiError::Csv { file: file.clone(), line: n, why };
        if i == 0 {
            if line.trim() != HEADER {
                return Err(err(format!("the header is not `{HEADER}`")));
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let f = csv_record(line).map_err(err)?;
        if f.len() != 7 {
            return Err(err(format!("{} fields, expected 7 ({HEADER})", f.len())));
        }
        let time =
            |col: &str, v: &str| parse_time(v).map_err(|e| err(format!("column `{col}`: {e}")));
        let call_id = f[0]
            .trim()
            .parse()
            .map_err(|_| err(format!("column `call_id`: `{}` is not a number", f[0])))?;
        let channel = Channel::parse(&f[1])
            .ok_or_else(|| err(format!("column `channel`: `{}` is not a channel", f[1])))?;
        let offered_s = time("offered", &f[2])?;
        let answered_s = if f[3].trim().is_empty() { None } else { Some(time("answered", &f[3])?) };
        let ended_s = time("ended", &f[4])?;
        if answered_s.is_some_and(|a| a < offered_s) || ended_s < answered_s.unwrap_or(offered_s) {
            return Err(err("the times are out of order (offered ≤ answered ≤ ended)".into()));
        }
        let ticket = if f[6].trim().is_empty() {
            None
        } else {
            Some(TicketId(
                f[6].trim()
                    .parse()
                    .map_err(|_| err(format!("column `ticket`: `{}` is not a number", f[6])))?,
            ))
        };
        out.push(CallRecord {
            call_id,
            channel,
            offered_s,
            answered_s,
            ended_s,
            agent: f[5].trim().to_string(),
            ticket,
        });
    }
    Ok(out)
}

/// Queue and handling figures of a set of calls.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallStats {
    /// Calls offered.
    pub offered: u64,
    /// Answered by an agent.
    pub answered: u64,
    /// Abandoned in the queue.
    pub abandoned: u64,
    /// Average handling time: Σ (ended − answered) / answered, seconds (talk and hold as the
    /// platform recorded them; after-call work is not in the export).
    pub aht_s: Option<f64>,
    /// Average speed of answer: Σ (answered − offered) / answered, seconds.
    pub asa_s: Option<f64>,
}

impl CallStats {
    /// The figures of some calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use gridcare::kpi::{CallRecord, CallStats};
    /// use gridcare::workorder::Channel;
    /// let call = |offered_s, answered_s, ended_s| CallRecord { call_id: 1, channel: Channel::Phone,
    ///     offered_s, answered_s, ended_s, agent: "A01".into(), ticket: None };
    /// // answered after 10 s and 30 s, handled 200 s and 100 s; one abandoned
    /// let s = CallStats::of(&[call(0, Some(10), 210), call(0, Some(30), 130), call(0, None, 60)]);
    /// assert_eq!((s.offered, s.answered, s.abandoned), (3, 2, 1));
    /// assert_eq!((s.aht_s, s.asa_s), (Some(150.0), Some(20.0)));
    /// ```
    pub fn of<'a>(records: impl IntoIterator<Item = &'a CallRecord>) -> CallStats {
        let mut s = CallStats::default();
        let (mut handle, mut wait) = (0i64, 0i64);
        for r in records {
            s.offered += 1;
            match r.answered_s {
                Some(a) => {
                    s.answered += 1;
                    handle += r.ended_s - a;
                    wait += a - r.offered_s;
                }
                None => s.abandoned += 1,
            }
        }
        if s.answered > 0 {
            s.aht_s = Some(handle as f64 / s.answered as f64);
            s.asa_s = Some(wait as f64 / s.answered as f64);
        }
        s
    }
}
