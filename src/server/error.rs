//! Why `gridcare serve` could not start, or a token could not be made or revoked.

use crate::outage::OutageError;
use crate::store::StoreError;
use crate::workorder::TicketError;

/// Why the service could not start or a token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The outages could not be read.
    #[error(transparent)]
    Outage(#[from] OutageError),
    /// The tickets could not be read.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// The sensitive-word lexicon could not be read.
    #[error(transparent)]
    Alert(#[from] crate::channels::alert::AlertError),
    /// The address could not be listened on.
    #[error("listening on {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The async runtime could not start, or a thread could not be spawned.
    #[error("starting the server: {0}")]
    Runtime(std::io::Error),
    /// The server's engine stopped (it panicked or its store failed).
    #[error("the server's engine stopped: {0}")]
    Engine(String),
    /// The operating system gave no random bytes for a token.
    #[error("no random bytes from the operating system: {0}")]
    Random(String),
    /// A token's channel is not one of the known words.
    #[error("channel `{0}` is not one of wechat, app, web, sms, ami, operator, admin")]
    BadChannel(String),
    /// There is no such token.
    #[error("there is no channel token {0}")]
    NoToken(u64),
    /// The token is revoked already.
    #[error("channel token {0} is revoked already")]
    Revoked(u64),
    /// The load test failed.
    #[error("load test: {0}")]
    LoadTest(String),
}

/// Why a request was refused: the HTTP status and a message naming the field or limit,
/// sent as `{"error": message}`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status} {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// What was wrong: `text: missing`, `body: larger than the limit of 16384 bytes`.
    pub message: String,
    /// Seconds to wait before trying again (429, 503).
    pub retry_after_s: Option<u64>,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), retry_after_s: None }
    }

    /// 400: the body does not fit the schema.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, message)
    }

    /// 401: no token, or one nobody issued.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(401, message)
    }

    /// 403: a revoked token, or one of another channel.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(403, message)
    }

    /// 404: no such customer, subscription or token.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, message)
    }

    /// 413: the body is larger than the limit.
    pub fn too_large(limit_bytes: usize) -> ApiError {
        ApiError::new(413, format!("body: larger than the limit of {limit_bytes} bytes"))
    }

    /// 422: well-formed, but the customer or the call cannot be handled.
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(422, message)
    }

    /// 429: the token's rate limit.
    pub fn too_many(retry_after_s: u64, per_s: f64) -> ApiError {
        ApiError {
            status: 429,
            message: format!("rate limit: at most {per_s} requests a second for this token"),
            retry_after_s: Some(retry_after_s.max(1)),
        }
    }

    /// 503: the store or the engine failed; nothing was acknowledged.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError { status: 503, message: message.into(), retry_after_s: Some(1) }
    }
}
