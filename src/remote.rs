//! A workstation connected to a `gridcare serve` server (feature `remote`):
//! `gridcare --server URL --token T`.
//!
//! The workstation keeps a **replica** of the server's store ([`Store::open_replica`]) in its
//! data directory, under `replicas/<store id>/`, and reads everything from it with the same
//! books the embedded app uses (outages, tickets, crews, alerts, scenarios). The replica is
//! kept up to date from the server's change feed (`GET /api/v1/feed`, long-polled by
//! [`Replica::pull`]); its writes go to the server as [`Operation`]s (`POST /api/v1/ops`,
//! [`RemoteClient::execute`]), where [`crate::ops::execute`] applies them with the same
//! rules. Every workstation connected to one server thus shows the same outages, tickets
//! and alerts, a second or two after any of them — or a channel message — changed them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::ops::{OpOutcome, Operation};
use crate::store::{FeedPage, Imported, OpenOptions, Store, StoreError};

/// The most events one feed request asks for.
pub const PULL_LIMIT: usize = 2_000;

/// The largest feed or reply body read, bytes (a page of [`PULL_LIMIT`] events is far less).
pub const MAX_REPLY_BYTES: usize = 32 * 1024 * 1024;

/// Why the server could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server's address is not an http(s) URL.
    #[error("server `{url}`: {why}")]
    Url {
        /// What was given.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// No answer: refused, unreachable, timed out.
    #[error("server {url}: {message}")]
    Unreachable {
        /// The request's URL.
        url: String,
        /// What the HTTP client said.
        message: String,
    },
    /// The server answered with an error status; `message` is its `{"error": …}`.
    #[error("server {url}: HTTP {status}: {message}")]
    Status {
        /// The request's URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The answer was not what the API promises.
    #[error("server {url}: the answer is not understood: {message}")]
    Answer {
        /// The request's URL.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The local replica failed or refused a page.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RemoteError {
    /// The HTTP status of a refused request (`None`: no answer, or a local failure).
    pub fn status(&self) -> Option<u16> {
        match self {
            RemoteError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// An operation applied by the server.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct RemoteOutcome {
    /// What it did.
    pub outcome: OpOutcome,
    /// The feed position after it: the replica shows the change once it reaches it.
    pub position: u64,
}

/// The HTTP side: a server's base URL and an operator token.
#[derive(Clone, Debug)]
pub struct RemoteClient {
    base: String,
    token: String,
    http: reqwest::blocking::Client,
}

impl RemoteClient {
    /// A client for the server at `base` (`http://host:port`, no path) with an operator
    /// token. Nothing is sent yet.
    pub fn new(base: &str, token: &str) -> Result<RemoteClient, RemoteError> {
        let url_err = |why: &str| RemoteError::Url { url: base.to_string(), why: why.into() };
        let given = base.trim();
        let (scheme, rest) = given
            .strip_prefix("http://")
            .map(|r| ("http://", r))
            .or_else(|| given.strip_prefix("https://").map(|r| ("https://", r)))
            .ok_or_else(|| url_err("not an http:// or https:// URL"))?;
        let rest = rest.trim_end_matches('/');
        let trimmed = format!("{scheme}{rest}");
        if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
            return Err(url_err("give the server's address only, such as http://10.1.2.3:8598"));
        }
        if token.trim().is_empty() {
            return Err(url_err("no token: give --token with an operator token"));
        }
        // reqwest's client needs a TLS provider even for http:// (ring, as for the map tiles);
        // installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(crate::remote::REQUEST_TIMEOUT_S))
            .build()
            .map_err(|e| url_err(&e.to_string()))?;
        Ok(RemoteClient { base: trimmed, token: token.trim().to_string(), http })
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The events after `after` (at most `limit`); with `wait_s` > 0 the server holds the
    /// request until there is one, or the time is up.
    pub fn feed(&self, after: u64, limit: usize, wait_s: u64) -> Result<FeedPage, RemoteError> {
        let url = format!("{}/api/v1/feed?after={after}&limit={limit}&wait_s={wait_s}", self.base);
        // the server holds the request at most wait_s: a server that stops answering is
        // given up after that and 10 s more (a write's own pull does not wait)
        let timeout = Duration::from_secs(wait_s.min(REQUEST_TIMEOUT_S) + 10);
        let resp = self.http.get(&url).timeout(timeout).bearer_auth(&self.token).send();
        self.answer(&url, resp)
    }

    /// Has the server apply `op` for `author` (the operator at this workstation).
    pub fn execute(&self, author: &str, op: &Operation) -> Result<RemoteOutcome, RemoteError> {
        let url = format!("{}/api/v1/ops", self.base);
        let body = serde_json::json!({ "author": author, "operation": op });
        let resp = self
            .http
            .post(&url)
            // an operator waits for a write: not the long poll's timeout
            .timeout(Duration::from_secs(10))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send();
        self.answer(&url, resp)
    }

    fn answer<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        resp: Result<reqwest::blocking::Response, reqwest::Error>,
    ) -> Result<T, RemoteError> {
        use std::io::Read;
        let resp = resp.map_err(|e| RemoteError::Unreachable {
            url: url.to_string(),
            message: error_chain(&e),
        })?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        resp.take(MAX_REPLY_BYTES as u64 + 1).read_to_end(&mut body).map_err(|e| {
            RemoteError::Unreachable { url: url.to_string(), message: e.to_string() }
        })?;
        if body.len() > MAX_REPLY_BYTES {
            return Err(RemoteError::Answer {
                url: url.to_string(),
                message: format!("over {MAX_REPLY_BYTES} bytes"),
            });
        }
        if !(200..300).contains(&status) {
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect());
            return Err(RemoteError::Status { url: url.to_string(), status, message });
        }
        serde_json::from_slice(&body)
            .map_err(|e| RemoteError::Answer { url: url.to_string(), message: e.to_string() })
    }
}

/// The longest one request may take, s: a long poll's wait and a margin.
pub const REQUEST_TIMEOUT_S: u64 = 60;

/// The longest a pull waits at the server for a change, s.
pub const POLL_WAIT_S: u64 = 20;

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Where a workstation keeps its replica of the store `store_id`: `DIR/replicas/<id>/`.
pub fn replica_dir(data_dir: &Path, store_id: &str) -> PathBuf {
    let safe: String =
        store_id.chars().filter(char::is_ascii_alphanumeric).take(64).collect::<String>();
    data_dir.join("replicas").join(if safe.is_empty() { "unnamed".into() } else { safe })
}

/// A workstation's replica of a server's store and the client that keeps it.
#[derive(Debug)]
pub struct Replica {
    /// The HTTP side.
    pub client: RemoteClient,
    /// The replica: every book of the app reads it.
    pub store: std::sync::Arc<Store>,
}

impl Replica {
    /// Asks the server which store it serves and opens (or creates) this workstation's
    /// replica of it under `data_dir`, with every kind of entity checked. Nothing is pulled
    /// yet beyond the first question.
    pub fn connect(client: RemoteClient, data_dir: &Path) -> Result<Replica, RemoteError> {
        let first = client.feed(0, 1, 0)?;
        let dir = replica_dir(data_dir, &first.store_id);
        let options = OpenOptions { kinds: crate::store_kinds(), ..OpenOptions::default() };
        let store = Store::open_replica(&dir, options)?;
        Ok(Replica { client, store: std::sync::Arc::new(store) })
    }

    /// Where the replica stands in the server's feed.
    pub fn position(&self) -> Result<u64, RemoteError> {
        Ok(self.store.replica_position()?.map_or(0, |(_, p)| p))
    }

    /// Pulls what the server has after the replica's position and writes it in, page after
    /// page until caught up; when there is nothing new the first request waits up to
    /// `wait_s` at the server. Returns what was imported (events summed, kinds united).
    pub fn pull(&self, wait_s: u64) -> Result<Imported, RemoteError> {
        let mut total = Imported { position: self.position()?, ..Imported::default() };
        let mut wait = wait_s;
        loop {
            let page = self.client.feed(total.position, PULL_LIMIT, wait)?;
            let full = page.entries.len() >= PULL_LIMIT;
            let got = self.store.import_feed(&page)?;
            total.events += got.events;
            total.position = got.position;
            total.entities.extend(got.entities);
            if !full || page.head <= got.position {
                return Ok(total);
            }
            wait = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_address_is_checked_before_anything_is_sent() {
        for (url, says) in [
            ("10.1.2.3:8598", "not an http"),
            ("ftp://host", "not an http"),
            ("http://", "address only"),
            ("http://host:8598/api/v1", "address only"),
        ] {
            let e = RemoteClient::new(url, "t").expect_err(url);
            assert!(e.to_string().contains(says), "{url}: {e}");
        }
        let e = RemoteClient::new("http://127.0.0.1:8598", " ").expect_err("no token");
        assert!(e.to_string().contains("--token"), "{e}");
        let c = RemoteClient::new("http://127.0.0.1:8598/", "abc").expect("fine");
        assert_eq!(c.base(), "http://127.0.0.1:8598");
    }

    #[test]
    fn a_replica_directory_is_named_by_the_store_id_only() {
        let d = replica_dir(Path::new("/data"), "0123abcd");
        assert_eq!(d, Path::new("/data/replicas/0123abcd"));
        let d = replica_dir(Path::new("/data"), "../../etc");
        assert_eq!(d, Path::new("/data/replicas/etc"));
        assert_eq!(replica_dir(Path::new("/d"), "/"), Path::new("/d/replicas/unnamed"));
    }

    #[test]
    fn nobody_listening_is_an_error_naming_the_url() {
        // a port just bound and released: nothing listens there
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let c = RemoteClient::new(&format!("http://127.0.0.1:{port}"), "abc").expect("fine");
        let e = c.feed(0, 1, 0).expect_err("refused");
        assert!(matches!(e, RemoteError::Unreachable { .. }), "{e}");
        assert!(e.to_string().contains(&format!("127.0.0.1:{port}/api/v1/feed")), "{e}");
        assert_eq!(e.status(), None);
    }
}
