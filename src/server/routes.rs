//! The HTTP routes of `gridcare serve` (axum): authentication, rate limit, body limit and
//! schema checks happen here; everything that reads or writes the store is a job for the
//! engine ([`super::engine`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::engine::{ask, From, Job, StatusQuery, TokenTable};
use super::error::ApiError;
use super::message::{parse_message, parse_meter_events, parse_subscription, SchemaError};
use super::tokens::{token_digest, Bucket};
use super::ServeConfig;

/// The OpenAPI 3.1 document served at `/api/v1/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// What every handler shares.
pub(super) struct Shared {
    pub jobs: mpsc::Sender<Job>,
    pub tokens: Arc<TokenTable>,
    pub buckets: Mutex<HashMap<u64, Bucket>>,
    pub config: ServeConfig,
    /// The store, for the feed's reads (sled reads while the engine writes).
    pub store: Arc<crate::store::Store>,
    /// The feed position the engine has made durable.
    pub durable: tokio::sync::watch::Receiver<u64>,
    /// True once the service is stopping: feed readers stop waiting.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

type AppState = Arc<Shared>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (status, Json(serde_json::json!({ "error": self.message }))).into_response();
        if let Some(s) = self.retry_after_s {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == 401 {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

impl std::convert::From<SchemaError> for ApiError {
    fn from(e: SchemaError) -> ApiError {
        ApiError::bad_request(e.to_string())
    }
}

/// Which tokens a route takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Channel,
    Meters,
    Operator,
    Admin,
}

impl Shared {
    /// Checks the bearer token and takes one from its rate-limit bucket.
    fn authenticate(&self, headers: &HeaderMap, need: Need) -> Result<From, ApiError> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "authorization: missing; send `Authorization: Bearer <token>`",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("authorization: not a bearer token"))?;
        let entry = {
            let table = self.tokens.read().unwrap_or_else(|p| p.into_inner());
            table.get(&token_digest(token)).cloned()
        };
        let Some(entry) = entry else {
            return Err(ApiError::unauthorized("authorization: unknown token"));
        };
        if entry.revoked {
            return Err(ApiError::forbidden(format!(
                "authorization: token {} is revoked",
                entry.id
            )));
        }
        let refused = match need {
            Need::Channel if entry.channel.is_none() => {
                Some(format!("an {} token speaks for no channel", entry.word))
            }
            Need::Meters if entry.word != "ami" => {
                Some(format!("a {} token cannot post meter events; use an ami token", entry.word))
            }
            Need::Operator if !matches!(entry.word, "operator" | "admin") => {
                Some(format!("a {} token cannot read alerts; use an operator token", entry.word))
            }
            Need::Admin if entry.word != "admin" => {
                Some(format!("a {} token cannot manage tokens; use an admin token", entry.word))
            }
            _ => None,
        };
        if let Some(why) = refused {
            return Err(ApiError::forbidden(format!("authorization: {why}")));
        }
        let limit = self.config.rate;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(entry.id).or_insert_with(|| Bucket::full(&limit, now));
        bucket
            .take(&limit, now)
            .map_err(|wait| ApiError::too_many(wait.as_secs_f64().ceil() as u64, limit.per_s))?;
        Ok(From { token: entry.id, channel: entry.channel, word: entry.word })
    }

    fn body(&self, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
        body.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(self.config.max_body_bytes)
            } else {
                ApiError::bad_request(format!("body: {}", r.body_text()))
            }
        })
    }
}

fn json<T: Serialize>(status: StatusCode, value: T) -> Response {
    (status, Json(value)).into_response()
}

async fn post_message(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Channel)?;
    let msg = parse_message(&s.body(body)?)?;
    if let Some(c) = from.channel.filter(|c| *c != msg.channel) {
        return Err(ApiError::forbidden(format!(
            "channel: the token is for {c}, the message says {}",
            msg.channel
        )));
    }
    let msg = Box::new(msg);
    let r = ask(&s.jobs, |reply| Job::Message { from, msg, reply }).await?;
    let status = if r.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok(json(status, r))
}

async fn get_status_by_account(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(account): Path<String>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Channel)?;
    let account = account.trim().to_string();
    if account.is_empty() || account.len() > super::message::MAX_ID_BYTES {
        return Err(ApiError::bad_request("account: empty or too long"));
    }
    let query = StatusQuery::Account(account);
    let mut r = ask(&s.jobs, |reply| Job::Status { from, query, reply }).await?;
    match r.pop() {
        Some(one) => Ok(json(StatusCode::OK, one)),
        None => Err(ApiError::not_found("account: no customer")),
    }
}

/// The value of `key` in a query string (percent-decoded, `+` as space).
fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    let q = query?;
    q.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Serialize)]
struct PhoneStatus {
    phone: String,
    customers: Vec<super::engine::StatusReply>,
}

async fn get_status_by_query(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Channel)?;
    let phone = query_value(q.as_deref(), "phone").map(|p| p.trim().to_string());
    let openid = query_value(q.as_deref(), "openid").map(|p| p.trim().to_string());
    let query = match (phone, openid) {
        (Some(p), _) if !p.is_empty() => StatusQuery::Phone(p),
        (_, Some(o)) if !o.is_empty() => StatusQuery::Openid(o),
        _ => return Err(ApiError::bad_request("phone: missing; give ?phone= or ?openid=")),
    };
    let phone = match &query {
        StatusQuery::Phone(p) => p.clone(),
        _ => String::new(),
    };
    let customers = ask(&s.jobs, |reply| Job::Status { from, query, reply }).await?;
    Ok(json(StatusCode::OK, PhoneStatus { phone, customers }))
}

async fn post_subscription(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Channel)?;
    let req = parse_subscription(&s.body(body)?)?;
    let r = ask(&s.jobs, |reply| Job::Subscribe { from, req, reply }).await?;
    Ok(json(if r.changed { StatusCode::CREATED } else { StatusCode::OK }, r))
}

fn id_of(text: &str, what: &str) -> Result<u64, ApiError> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{what}: `{text}` is not a number")))
}

async fn delete_subscription(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Channel)?;
    let id = id_of(&id, "id")?;
    let r = ask(&s.jobs, |reply| Job::Unsubscribe { from, id, reply }).await?;
    Ok(json(StatusCode::OK, r))
}

async fn get_tokens(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    s.authenticate(&headers, Need::Admin)?;
    let r = ask(&s.jobs, |reply| Job::ListTokens { reply }).await?;
    Ok(json(StatusCode::OK, r))
}

async fn post_token(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Admin)?;
    let body = s.body(body)?;
    let v: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("body: not JSON: {e}")))?;
    let Some(m) = v.as_object() else {
        return Err(ApiError::bad_request("body: not an object"));
    };
    if let Some(k) = m.keys().find(|k| !["channel", "label"].contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!("{k}: unknown field; known: channel, label")));
    }
    let channel = match m.get("channel") {
        Some(serde_json::Value::String(c)) => c.clone(),
        Some(_) => return Err(ApiError::bad_request("channel: not a string")),
        None => return Err(ApiError::bad_request("channel: missing")),
    };
    let label = match m.get("label") {
        Some(serde_json::Value::String(l)) => l.clone(),
        None | Some(serde_json::Value::Null) => String::new(),
        Some(_) => return Err(ApiError::bad_request("label: not a string")),
    };
    let r = ask(&s.jobs, |reply| Job::AddToken { from, channel, label, reply }).await?;
    Ok(json(StatusCode::CREATED, r))
}

async fn delete_token(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Admin)?;
    let id = id_of(&id, "id")?;
    let r = ask(&s.jobs, |reply| Job::RevokeToken { from, id, reply }).await?;
    Ok(json(StatusCode::OK, r))
}

async fn get_alerts(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    s.authenticate(&headers, Need::Operator)?;
    let all = match query_value(q.as_deref(), "all").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!("all: `{other}` is not true or false")))
        }
    };
    let mut r = ask(&s.jobs, |reply| Job::Alerts { all, reply }).await?;
    r.reverse();
    Ok(json(StatusCode::OK, r))
}

async fn post_meter_events(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Meters)?;
    let records = parse_meter_events(&s.body(body)?)?;
    let r = ask(&s.jobs, |reply| Job::Meters { from, records, reply }).await?;
    Ok(json(StatusCode::CREATED, r))
}

async fn get_interactions(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(account): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    s.authenticate(&headers, Need::Operator)?;
    let account = account.trim().to_string();
    let limit = match query_value(q.as_deref(), "limit") {
        None => 50,
        Some(l) => match l.trim().parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => return Err(ApiError::bad_request(format!("limit: `{l}` is not 1 to 1000"))),
        },
    };
    let r = ask(&s.jobs, |reply| Job::Timeline { account, limit, reply }).await?;
    Ok(json(StatusCode::OK, r))
}

/// A number of a query string within `range`, else `default`.
fn query_number(
    q: Option<&str>,
    key: &str,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, ApiError> {
    match query_value(q, key) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "{key}: `{v}` is not a number from {} to {}",
                range.start(),
                range.end()
            ))),
        },
    }
}

/// The longest a feed request waits for a change, s.
pub const FEED_WAIT_MAX_S: u64 = 30;

async fn get_feed(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    s.authenticate(&headers, Need::Operator)?;
    let q = q.as_deref();
    let after = query_number(q, "after", 0..=u64::MAX, 0)?;
    let max = crate::store::FEED_PAGE_MAX as u64;
    let limit = query_number(q, "limit", 1..=max, 1000)? as usize;
    let wait_s = query_number(q, "wait_s", 0..=FEED_WAIT_MAX_S, 0)?;
    if wait_s > 0 && *s.durable.borrow() <= after {
        let (mut durable, mut stopping) = (s.durable.clone(), s.stopping.clone());
        let wait = std::time::Duration::from_secs(wait_s);
        // a change, the service stopping, or the time up: whichever comes first
        let _ = tokio::time::timeout(wait, async {
            tokio::select! {
                _ = durable.wait_for(|h| *h > after) => {}
                _ = stopping.wait_for(|stop| *stop) => {}
            }
        })
        .await;
    }
    let upto = *s.durable.borrow();
    let store = s.store.clone();
    let mut page = tokio::task::spawn_blocking(move || store.feed_since(after, limit, upto))
        .await
        .map_err(|e| ApiError::unavailable(format!("feed: {e}")))?
        .map_err(super::engine::store_error)?;
    for e in &mut page.entries {
        if e.kind == <crate::channels::records::ChannelToken as crate::store::Aggregate>::KIND {
            redact_token(&mut e.event);
        }
    }
    Ok(json(StatusCode::OK, page))
}

/// Blanks a token record's hash and prefix: workstations see that a token exists, its channel
/// and label, never what would help guess it.
fn redact_token(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "sha256" || k == "prefix" {
                    *x = serde_json::Value::String(String::new());
                } else {
                    redact_token(x);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(redact_token),
        _ => {}
    }
}

/// The largest `POST /api/v1/ops` author, bytes.
const MAX_AUTHOR_BYTES: usize = 64;

async fn post_op(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let from = s.authenticate(&headers, Need::Operator)?;
    let body = s.body(body)?;
    let (author, op) = parse_op_request(&body)?;
    let op = Box::new(op);
    let r = ask(&s.jobs, |reply| Job::Op { from, author, op, reply }).await?;
    Ok(json(StatusCode::OK, r))
}

/// `{"author": "…", "operation": {"op": …}}`: the author is required (1 to 64 bytes,
/// trimmed); the operation is checked by [`crate::ops::Operation::parse`]'s rules.
fn parse_op_request(body: &[u8]) -> Result<(String, crate::ops::Operation), ApiError> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("body: not JSON: {e}")))?;
    let Some(m) = v.as_object() else {
        return Err(ApiError::bad_request("body: not an object"));
    };
    if let Some(k) = m.keys().find(|k| !["author", "operation"].contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!("{k}: unknown field; known: author, operation")));
    }
    let author = match m.get("author") {
        Some(serde_json::Value::String(a)) => a.trim().to_string(),
        Some(_) => return Err(ApiError::bad_request("author: not a string")),
        None => return Err(ApiError::bad_request("author: missing")),
    };
    if author.is_empty() || author.len() > MAX_AUTHOR_BYTES {
        return Err(ApiError::bad_request(format!(
            "author: empty or over {MAX_AUTHOR_BYTES} bytes"
        )));
    }
    let Some(op) = m.get("operation") else {
        return Err(ApiError::bad_request("operation: missing"));
    };
    let op = crate::ops::Operation::deserialize(op)
        .map_err(|e| ApiError::bad_request(format!("operation: {e}")))?;
    Ok((author, op))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

async fn no_route(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("route: there is no {method} {}", uri.path()))
}

/// Every route of the service: method, path (axum's and OpenAPI's `{name}` syntax) and
/// handler. The router is built from this list, and a test checks the OpenAPI document
/// against it.
pub(super) fn api_routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::POST, "/api/v1/messages", post(post_message)),
        (Method::GET, "/api/v1/customers/{account}/status", get(get_status_by_account)),
        (Method::GET, "/api/v1/customers/status", get(get_status_by_query)),
        (Method::GET, "/api/v1/customers/{account}/interactions", get(get_interactions)),
        (Method::POST, "/api/v1/subscriptions", post(post_subscription)),
        (Method::DELETE, "/api/v1/subscriptions/{id}", delete(delete_subscription)),
        (Method::POST, "/api/v1/meter-events", post(post_meter_events)),
        (Method::GET, "/api/v1/alerts", get(get_alerts)),
        (Method::GET, "/api/v1/feed", get(get_feed)),
        (Method::POST, "/api/v1/ops", post(post_op)),
        (Method::GET, "/api/v1/tokens", get(get_tokens)),
        (Method::POST, "/api/v1/tokens", post(post_token)),
        (Method::DELETE, "/api/v1/tokens/{id}", delete(delete_token)),
        (Method::GET, "/api/v1/openapi.json", get(openapi)),
    ]
}

/// The (method, path) of every route, for the OpenAPI test.
pub fn route_list() -> Vec<(String, String)> {
    api_routes().into_iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect()
}

/// The router over the shared state.
pub(super) fn router(shared: AppState) -> Router {
    let limit = shared.config.max_body_bytes;
    let mut r: Router<AppState> = Router::new();
    for (_, path, handler) in api_routes() {
        r = r.route(path, handler);
    }
    r.fallback(no_route)
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            ApiError {
                status: 405,
                message: format!("route: {} does not take {method}", uri.path()),
                retry_after_s: None,
            }
        })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(query_value(Some("phone=138%200013&x=1"), "phone").as_deref(), Some("138 0013"));
        assert_eq!(query_value(Some("a=1"), "phone"), None);
        assert_eq!(query_value(Some("phone"), "phone").as_deref(), Some(""));
        assert_eq!(percent_decode("%E5%81%9C"), "停");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
