//! Channel tokens: made from 32 random bytes of the operating system, shown once, kept as
//! their SHA-256 ([`ChannelToken`]); and the per-token rate limit ([`Bucket`], a token
//! bucket).

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::error::ServerError;
use crate::channels::records::{ChannelToken, TokenEvent, TOKEN_CHANNELS};
use crate::store::Store;

/// A token just made: the token itself (shown once, never stored) and its record.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// The bearer token: `gc_<channel>_<64 hex digits>`.
    pub token: String,
    /// What the store keeps.
    pub record: ChannelToken,
}

/// The SHA-256 of a token, as the 32 bytes the server compares.
pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 32 bytes of a 64-digit hex string.
pub fn unhex32(text: &str) -> Option<[u8; 32]> {
    let b = text.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// Makes a token for a channel (`wechat`, `app`, `web`, `sms`, or `admin`) and records its
/// hash; the token is in the result and nowhere else.
pub fn add_token(
    store: &Store,
    channel: &str,
    label: &str,
    author: &str,
) -> Result<NewToken, ServerError> {
    let channel = channel.trim().to_ascii_lowercase();
    if !TOKEN_CHANNELS.contains(&channel.as_str()) {
        return Err(ServerError::BadChannel(channel));
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| ServerError::Random(e.to_string()))?;
    let token = format!("gc_{channel}_{}", hex(&secret));
    let prefix: String = token.chars().take(channel.len() + 4 + 8).collect();
    let event = TokenEvent::Created {
        channel,
        sha256: hex(&token_digest(&token)),
        prefix,
        label: label.trim().to_string(),
    };
    let record = store.create::<ChannelToken>(author, "token added", event)?.state;
    Ok(NewToken { token, record })
}

/// Every token, by id (revoked ones included).
pub fn list_tokens(store: &Store) -> Result<Vec<ChannelToken>, ServerError> {
    Ok(store.all::<ChannelToken>()?.into_iter().map(|e| e.state).collect())
}

/// Revokes a token: from now on it gets 403.
pub fn revoke_token(
    store: &Store,
    id: u64,
    author: &str,
    reason: &str,
) -> Result<ChannelToken, ServerError> {
    let Some(t) = store.get::<ChannelToken>(id)? else {
        return Err(ServerError::NoToken(id));
    };
    if t.state.revoked_s.is_some() {
        return Err(ServerError::Revoked(id));
    }
    let reason = if reason.trim().is_empty() { "revoked" } else { reason.trim() };
    Ok(store.append::<ChannelToken>(id, author, reason, TokenEvent::Revoked)?.state)
}

/// A rate limit: `per_s` requests a second on average, `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Requests a second, sustained.
    pub per_s: f64,
    /// Requests allowed at once after a quiet spell.
    pub burst: f64,
}

impl Default for RateLimit {
    /// 200 requests a second, 400 at once: a channel gateway speaks for many customers.
    fn default() -> Self {
        RateLimit { per_s: 200.0, burst: 400.0 }
    }
}

/// A token bucket: it holds up to `burst` tokens, refills at `per_s`, and each request takes
/// one.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use gridcare::server::{Bucket, RateLimit};
/// let limit = RateLimit { per_s: 1.0, burst: 2.0 };
/// let t0 = Instant::now();
/// let mut b = Bucket::full(&limit, t0);
/// assert!(b.take(&limit, t0).is_ok());
/// assert!(b.take(&limit, t0).is_ok());
/// assert_eq!(b.take(&limit, t0), Err(Duration::from_secs(1)));
/// assert!(b.take(&limit, t0 + Duration::from_secs(1)).is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn full(limit: &RateLimit, now: Instant) -> Bucket {
        Bucket { tokens: limit.burst.max(1.0), at: now }
    }

    /// Takes one token at `now`; when there is none, how long until there is one.
    pub fn take(&mut self, limit: &RateLimit, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limit.per_s).min(limit.burst.max(1.0));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait_s = if limit.per_s > 0.0 { (1.0 - self.tokens) / limit.per_s } else { 3600.0 };
        Err(Duration::from_secs_f64(wait_s.clamp(0.001, 3600.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_shown_once_and_kept_only_as_its_hash() {
        let dir = std::env::temp_dir().join(format!("gridcare-token-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).expect("store");
        let new = add_token(&store, "WeChat", "gateway", "ops").expect("added");
        assert!(new.token.starts_with("gc_wechat_") && new.token.len() == 10 + 64);
        assert_eq!(new.record.channel, "wechat");
        assert_eq!(new.record.sha256, hex(&token_digest(&new.token)));
        assert!(new.token.starts_with(&new.record.prefix));
        let kept = serde_json::to_string(&list_tokens(&store).expect("list")).expect("json");
        assert!(!kept.contains(&new.token[10..]), "the secret is not stored");
        let other = add_token(&store, "sms", "", "ops").expect("added");
        assert_ne!(other.record.sha256, new.record.sha256);
        assert!(matches!(add_token(&store, "fax", "", "ops"), Err(ServerError::BadChannel(_))));
        revoke_token(&store, new.record.id, "ops", "leaked").expect("revoked");
        assert!(matches!(
            revoke_token(&store, new.record.id, "ops", ""),
            Err(ServerError::Revoked(_))
        ));
        assert!(matches!(revoke_token(&store, 99, "ops", ""), Err(ServerError::NoToken(99))));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hex_round_trips() {
        let d = token_digest("x");
        assert_eq!(unhex32(&hex(&d)), Some(d));
        assert_eq!(unhex32("zz"), None);
    }

    #[test]
    fn an_empty_bucket_says_how_long_to_wait() {
        let limit = RateLimit { per_s: 10.0, burst: 1.0 };
        let t0 = Instant::now();
        let mut b = Bucket::full(&limit, t0);
        assert!(b.take(&limit, t0).is_ok());
        let wait = b.take(&limit, t0).expect_err("empty");
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        assert!(b.take(&limit, t0 + Duration::from_millis(100)).is_ok());
    }
}
