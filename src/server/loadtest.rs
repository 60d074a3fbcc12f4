//! A bounded loopback load generator for `gridcare serve` (`gridcare serve loadtest`): a
//! fixed number of messages over a fixed number of keep-alive connections, each connection
//! sending its next message when the previous one is answered (closed loop), on one client
//! thread. It reports the durable messages a second (every 201 was flushed before it was
//! sent) and the latency percentiles.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::error::ServerError;

/// What to send.
#[derive(Clone, Debug)]
pub struct LoadSpec {
    /// The server.
    pub addr: SocketAddr,
    /// A token of the `channel`.
    pub token: String,
    /// The channel word.
    pub channel: String,
    /// How many messages.
    pub messages: usize,
    /// How many connections at once.
    pub concurrency: usize,
    /// Accounts to send as, in turn.
    pub accounts: Vec<String>,
    /// Every n-th message is a fault report (0: none); the others are inquiries.
    pub repair_every: usize,
    /// Give up on a response after this long.
    pub timeout: Duration,
}

/// What was measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LoadReport {
    /// Messages sent.
    pub messages: usize,
    /// Answered 2xx (durable).
    pub ok: usize,
    /// Answered otherwise, or not at all, by status (0: no answer).
    pub failed: Vec<(u16, usize)>,
    /// Connections.
    pub concurrency: usize,
    /// Wall time, seconds.
    pub elapsed_s: f64,
    /// Durable messages a second.
    pub per_s: f64,
    /// Latency percentiles, milliseconds.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// The slowest.
    pub max_ms: f64,
}

fn body(spec: &LoadSpec, i: usize) -> String {
    let account = &spec.accounts[i % spec.accounts.len().max(1)];
    let repair = spec.repair_every > 0 && i.is_multiple_of(spec.repair_every);
    let (text, intent) = if repair {
        ("家里停电了，请派人来修", "repair")
    } else {
        ("请问什么时候恢复供电？", "inquiry")
    };
    serde_json::json!({
        "channel": spec.channel,
        "customer": {"account": account},
        "text": text,
        "intent": intent,
    })
    .to_string()
}

/// Reads one HTTP/1.1 response (status line, headers, a Content-Length body) from `conn`,
/// keeping any bytes past it in `buf`. Returns the status.
async fn read_response(conn: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).map_err(|_| bad("head is not UTF-8"))?;
            let status = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse::<u16>().ok())
                .ok_or_else(|| bad("no status"))?;
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            let total = end + 4 + length;
            while buf.len() < total {
                let n = conn.read(&mut chunk).await?;
                if n == 0 {
                    return Err(bad("closed in the body"));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..total);
            return Ok(status);
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(bad("closed before the answer"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn connection(spec: Arc<LoadSpec>, next: Arc<AtomicUsize>) -> (Vec<u32>, Vec<u16>) {
    let mut latencies = Vec::new();
    let mut statuses = Vec::new();
    let mut conn: Option<TcpStream> = None;
    let mut buf = Vec::new();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= spec.messages {
            break;
        }
        let b = body(&spec, i);
        let request = format!(
            "POST /api/v1/messages HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
            spec.addr,
            spec.token,
            b.len()
        );
        let started = Instant::now();
        let result = tokio::time::timeout(spec.timeout, async {
            if conn.is_none() {
                let c = TcpStream::connect(spec.addr).await?;
                c.set_nodelay(true)?;
                conn = Some(c);
                buf.clear();
            }
            let Some(c) = conn.as_mut() else {
                return Err(std::io::Error::other("no connection"));
            };
            c.write_all(request.as_bytes()).await?;
            read_response(c, &mut buf).await
        })
        .await;
        match result {
            Ok(Ok(status)) => {
                latencies.push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
                statuses.push(status);
            }
            _ => {
                statuses.push(0);
                conn = None;
            }
        }
    }
    (latencies, statuses)
}

fn percentile_ms(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((sorted_us.len() as f64 * p).ceil() as usize).clamp(1, sorted_us.len()) - 1;
    f64::from(sorted_us[i]) / 1000.0
}

/// Sends `spec.messages` messages over `spec.concurrency` connections and measures.
pub fn load_test(spec: LoadSpec) -> Result<LoadReport, ServerError> {
    if spec.accounts.is_empty() {
        return Err(ServerError::LoadTest("no accounts to send as".into()));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let concurrency = spec.concurrency.clamp(1, 1024);
    let spec = Arc::new(spec);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let results = runtime.block_on(async {
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| tokio::spawn(connection(spec.clone(), next.clone())))
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await);
        }
        out
    });
    let elapsed_s = started.elapsed().as_secs_f64();
    let mut latencies = Vec::new();
    let mut failed: std::collections::BTreeMap<u16, usize> = Default::default();
    let mut ok = 0;
    for r in results {
        let (l, s) = r.map_err(|e| ServerError::LoadTest(e.to_string()))?;
        latencies.extend(l);
        for status in s {
            if (200..300).contains(&status) {
                ok += 1;
            } else {
                *failed.entry(status).or_default() += 1;
            }
        }
    }
    latencies.sort_unstable();
    Ok(LoadReport {
        messages: spec.messages,
        ok,
        failed: failed.into_iter().collect(),
        concurrency,
        elapsed_s,
        per_s: if elapsed_s > 0.0 { ok as f64 / elapsed_s } else { 0.0 },
        p50_ms: percentile_ms(&latencies, 0.50),
        p90_ms: percentile_ms(&latencies, 0.90),
        p99_ms: percentile_ms(&latencies, 0.99),
        max_ms: latencies.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_rank_above() {
        let us: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_ms(&us, 0.5), 50.0);
        assert_eq!(percentile_ms(&us, 0.99), 99.0);
        assert_eq!(percentile_ms(&[], 0.99), 0.0);
    }
}
