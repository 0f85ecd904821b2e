//! What one client may ask of a node: failed logins per address and per account (token
//! buckets, `governor`), and stream connections in total and per address. Beyond them the
//! answer is `429` (logins) or `503` (streams) with `Retry-After`; other clients are not
//! slowed.
//!
//! The client's address is the connection's peer, or, when that peer is a proxy named by
//! `--trust-proxy`, the last address of its `X-Forwarded-For` (the one it appended).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The address a connection came from, put on every request by the accept loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub IpAddr);

/// Failed logins allowed from one address: a burst of 10, then one per 6 s.
const IP_BURST: u32 = 10;
const IP_PERIOD: Duration = Duration::from_secs(6);
/// Failed logins allowed for one account, from anywhere: a burst of 30, then one per 2 s.
const ACCOUNT_BURST: u32 = 30;
const ACCOUNT_PERIOD: Duration = Duration::from_secs(2);

/// The limits of one node.
pub struct Limits {
    by_ip: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<String>,
    /// Who is refused until when (an address, or `@account`).
    blocked: Mutex<HashMap<String, Instant>>,
    /// Proxies whose `X-Forwarded-For` is believed.
    trusted_proxies: Vec<IpAddr>,
    /// Stream connections: at most this many in total, and per address.
    pub max_clients: Option<usize>,
    pub max_clients_per_ip: Option<usize>,
    streams: Mutex<HashMap<IpAddr, usize>>,
}

/// A refusal: how long until the client may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, at least 1, for the `Retry-After` header.
    pub fn secs(&self) -> u64 {
        self.0.as_secs_f64().ceil().max(1.0) as u64
    }
}

/// A bucket that refuses the failure after `burst` failures in quick succession: the
/// `burst`-th failure finds it empty and starts the refusal.
fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.saturating_sub(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl Limits {
    pub fn new(trusted_proxies: Vec<IpAddr>, max_clients: Option<usize>, max_clients_per_ip: Option<usize>) -> Limits {
        Limits {
            by_ip: RateLimiter::keyed(quota(IP_BURST, IP_PERIOD)),
            by_account: RateLimiter::keyed(quota(ACCOUNT_BURST, ACCOUNT_PERIOD)),
            blocked: Mutex::new(HashMap::new()),
            trusted_proxies,
            max_clients,
            max_clients_per_ip,
            streams: Mutex::new(HashMap::new()),
        }
    }

    /// The client's address: the peer, or what a trusted proxy says it forwarded.
    pub fn client(&self, peer: Option<Peer>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?.0;
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        Some(forwarded.unwrap_or(peer))
    }

    /// Whether a login from `ip` for `account` may be tried now.
    pub fn login_allowed(&self, ip: Option<IpAddr>, account: &str) -> Result<(), RetryAfter> {
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        blocked.retain(|_, until| *until > now);
        for key in [ip.map(|i| i.to_string()), Some(format!("@{account}"))]
            .into_iter()
            .flatten()
        {
            if let Some(until) = blocked.get(&key) {
                return Err(RetryAfter(until.saturating_duration_since(now)));
            }
        }
        Ok(())
    }

    /// Counts a failed login; the refusal it starts, if it used up a bucket (for the log:
    /// said once per refusal window).
    pub fn login_failed(&self, ip: Option<IpAddr>, account: &str) -> Option<RetryAfter> {
        let clock = DefaultClock::default();
        let mut started = None;
        let mut block = |key: String, wait: Duration| {
            let until = Instant::now() + wait;
            let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
            if blocked.insert(key, until).is_none() {
                started = Some(RetryAfter(wait));
            }
        };
        if let Some(ip) = ip
            && let Err(not_until) = self.by_ip.check_key(&ip)
        {
            block(ip.to_string(), not_until.wait_time_from(clock.now()));
        }
        let account = account.chars().take(256).collect::<String>();
        if let Err(not_until) = self.by_account.check_key(&account) {
            block(format!("@{account}"), not_until.wait_time_from(clock.now()));
        }
        self.by_ip.retain_recent();
        self.by_account.retain_recent();
        started
    }
}

/// A stream connection counted against its address; given back on drop.
pub struct StreamSlot {
    ip: Option<IpAddr>,
    limits: std::sync::Weak<Limits>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let (Some(ip), Some(l)) = (self.ip, self.limits.upgrade()) {
            let mut m = l.streams.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(n) = m.get_mut(&ip) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    m.remove(&ip);
                }
            }
        }
    }
}

/// Takes a stream slot (see [`Limits`]): refused with a retry hint when the node holds
/// `max_clients` streams, or the address `max_clients_per_ip`.
pub fn open_stream(
    limits: &std::sync::Arc<Limits>,
    ip: Option<IpAddr>,
    clients: usize,
) -> Result<StreamSlot, RetryAfter> {
    let retry = RetryAfter(Duration::from_secs(5));
    if limits.max_clients.is_some_and(|max| clients >= max) {
        return Err(retry);
    }
    if let Some(ip) = ip {
        let mut m = limits.streams.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_default();
        if limits.max_clients_per_ip.is_some_and(|max| *n >= max) {
            return Err(retry);
        }
        *n += 1;
    }
    Ok(StreamSlot {
        ip,
        limits: std::sync::Arc::downgrade(limits),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_logins_from_one_address_are_refused_for_a_while_and_others_are_not() {
        let l = Limits::new(Vec::new(), None, None);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..IP_BURST {
            assert!(l.login_allowed(Some(a), "x@y").is_ok());
            l.login_failed(Some(a), "x@y");
        }
        let wait = l.login_allowed(Some(a), "x@y").unwrap_err();
        assert!(wait.secs() >= 1 && wait.secs() <= 7, "{wait:?}");
        assert!(
            l.login_allowed(Some(b), "x@y").is_ok(),
            "another address is not refused"
        );
    }

    #[test]
    fn a_trusted_proxy_forwards_the_client_address() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let l = Limits::new(vec![proxy], None, None);
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 1.2.3.4".parse().unwrap());
        assert_eq!(l.client(Some(Peer(proxy)), &h), Some("1.2.3.4".parse().unwrap()));
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            l.client(Some(Peer(other)), &h),
            Some(other),
            "only a trusted proxy is believed"
        );
    }
}
