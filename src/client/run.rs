//! One invalidation run, as `polycache invalidate` (and `demo`) do it: the types at every
//! target through [`Invalidator::fan_out`], and with `--verify` the proof that each
//! target announced each type on its stream, including the mirrors a server relays to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::auth::{AuthConfig, AuthError, Authenticator};
use super::invalidate::{InvalidateError, InvalidateOutcome, InvalidateRequest, Invalidator, RetryPolicy, Sent};
use super::target::Target;
use super::token_cache::DiskTokens;
use super::verify::{Canonicalize, Watch};
use super::{DEFAULT_CONCURRENCY, DEFAULT_DEADLINE, Trace};
use crate::config::Settings;
use crate::duration::human;
use crate::graph::Graph;

/// How a run treats each target: retries, how many targets at once, the deadline of one
/// target's whole exchange, and whether plain http to another machine is allowed.
#[derive(Debug, Clone)]
pub struct Policy {
    pub retries: u32,
    pub concurrency: usize,
    pub deadline: Duration,
    pub allow_insecure: bool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            retries: 2,
            concurrency: DEFAULT_CONCURRENCY,
            deadline: DEFAULT_DEADLINE,
            allow_insecure: false,
        }
    }
}

/// The invalidator of a run: logins as the settings say (with the on-disk token cache when
/// POLYCACHE_TOKEN_CACHE is set), POLYCACHE_INVALIDATE_PATH, the policy, and the `-v` trace
/// for logins and invalidations alike.
pub fn invalidator(
    http: &reqwest::Client,
    settings: &Settings,
    policy: &Policy,
    trace: Trace,
) -> Result<Invalidator, AuthError> {
    let auth = Authenticator::from_settings(http.clone(), settings, policy.allow_insecure)?
        .with_disk_cache(DiskTokens::from_setting(settings.token_cache())?)
        .with_trace(trace.clone());
    Ok(
        Invalidator::new(http.clone(), Arc::new(auth), settings.invalidate_path())
            .with_retry(RetryPolicy {
                attempts: policy.retries.saturating_add(1),
                base_delay: Duration::from_millis(200),
            })
            .with_concurrency(policy.concurrency)
            .with_deadline(policy.deadline)
            .with_trace(trace),
    )
}

/// What to invalidate where.
#[derive(Debug, Clone)]
pub struct Plan {
    pub targets: Vec<Arc<Target>>,
    /// Canonical type names, in the order given.
    pub kinds: Vec<String>,
    /// The entity id, when one was given.
    pub id: Option<String>,
    /// `mirror: true` in the requests: the server relays to its own mirrors.
    pub via_server: bool,
    /// `--verify`: how long to wait for each type on each stream.
    pub verify: Option<Duration>,
    /// With `via_server` and `verify`: the mirrors whose streams must show the relay.
    pub relays: Vec<Arc<Target>>,
    /// The SSE path watched for `--verify`.
    pub stream_path: String,
}

/// What `--verify` found for one (target, type).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub seen: bool,
    pub event_id: Option<String>,
    /// From sending the request to the event on the target's stream.
    pub propagation_ms: Option<u64>,
    pub error: Option<String>,
}

/// One (target, type) of the run.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(rename = "type")]
    pub kind: String,
    pub ok: bool,
    /// Not asked by polycache: a mirror the local server relayed to (`--via-server
    /// --verify`), checked on its stream only.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relayed: bool,
    #[serde(flatten)]
    pub outcome: InvalidateOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
}

/// The result of a run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub ok: bool,
    pub via_server: bool,
    /// The entity id sent with every invalidation (`--id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub results: Vec<Row>,
    /// Whether the table shows the `--verify` columns.
    #[serde(skip)]
    pub verified: bool,
}

/// How a run is getting on, for a progress bar (and for a report of an interrupted run).
#[derive(Debug, Clone)]
pub enum RunProgress {
    /// One more invalidation answered (or failed): the target's index and the outcome.
    Sent { target: usize, outcome: InvalidateOutcome },
    /// Every invalidation is done; waiting for the streams.
    Watching,
}

impl Plan {
    /// The report of a run stopped before its end: each target's answers so far (in the
    /// order they came, which is its requests' order), the rest interrupted.
    pub fn interrupted(&self, answered: &[(usize, InvalidateOutcome)]) -> RunReport {
        let mut results = Vec::new();
        for (ti, target) in self.targets.iter().enumerate() {
            let mut got = answered.iter().filter(|(t, _)| *t == ti).map(|(_, o)| o);
            for kind in &self.kinds {
                let outcome = got.next().cloned().unwrap_or_else(|| InvalidateOutcome {
                    error: Some(InvalidateError::Interrupted {
                        target: target.name.clone(),
                    }),
                    ..InvalidateOutcome::new(target)
                });
                results.push(Row {
                    kind: kind.clone(),
                    ok: outcome.is_ok(),
                    relayed: false,
                    outcome,
                    verify: None,
                });
            }
        }
        RunReport {
            ok: false,
            via_server: self.via_server,
            id: self.id.clone(),
            results,
            verified: false,
        }
    }

    /// Every (target index, type) in the order of the report: target by target.
    pub fn jobs(&self) -> Vec<(usize, &str)> {
        (0..self.targets.len())
            .flat_map(|t| self.kinds.iter().map(move |k| (t, k.as_str())))
            .collect()
    }

    /// The request for one type.
    pub fn request(&self, kind: &str) -> InvalidateRequest {
        let req = InvalidateRequest::new(kind.to_string(), self.via_server);
        match &self.id {
            Some(id) => req.with_id(serde_json::Value::String(id.clone())),
            None => req,
        }
    }

    /// Runs the plan: the streams to verify on are opened (and confirmed open) first, then
    /// every target gets its types, then each accepted one is looked for on its stream
    /// (streamed type names compared through `graph`'s aliases).
    pub async fn execute(
        &self,
        invalidator: &Invalidator,
        http: &reqwest::Client,
        graph: &Graph,
        progress: &(dyn Fn(RunProgress) + Sync),
    ) -> RunReport {
        let graph = graph.clone();
        let canonicalize: Canonicalize = Arc::new(move |name: &str| graph.resolve(name).ok().map(|r| r.canonical));
        let watched: Vec<Arc<Target>> = self.targets.iter().chain(&self.relays).cloned().collect();
        let watch = match self.verify {
            Some(timeout) => {
                let ready = timeout.max(Duration::from_secs(1));
                Some(Watch::start(http, &watched, &self.stream_path, ready, canonicalize).await)
            }
            None => None,
        };
        let requests: Vec<InvalidateRequest> = self.kinds.iter().map(|k| self.request(k)).collect();
        let sent = invalidator
            .fan_out(&self.targets, &requests, |target, outcome| {
                progress(RunProgress::Sent {
                    target,
                    outcome: outcome.clone(),
                })
            })
            .await;

        let verifications: Vec<Option<Verification>> = match (&watch, self.verify) {
            (Some(watch), Some(timeout)) => {
                progress(RunProgress::Watching);
                futures::future::join_all(sent.iter().map(|s| async move {
                    if !s.outcome.is_ok() {
                        return None;
                    }
                    Some(verify_one(watch, s.target, &self.kinds[s.request], s.started, timeout).await)
                }))
                .await
            }
            _ => vec![None; sent.len()],
        };
        // The relay: each mirror's stream must announce each type the local server accepted.
        let relayed: Vec<Row> = match (&watch, self.verify) {
            (Some(watch), Some(timeout)) if !self.relays.is_empty() => {
                let accepted: Vec<&Sent> = sent.iter().filter(|s| s.outcome.is_ok()).collect();
                let checks = self.relays.iter().enumerate().flat_map(|(ri, mirror)| {
                    let index = self.targets.len() + ri;
                    accepted.iter().map(move |s| {
                        let kind = self.kinds[s.request].clone();
                        async move {
                            let verify = verify_one(watch, index, &kind, s.started, timeout).await;
                            Row {
                                kind,
                                ok: verify.seen,
                                relayed: true,
                                outcome: InvalidateOutcome::new(mirror),
                                verify: Some(verify),
                            }
                        }
                    })
                });
                futures::future::join_all(checks).await
            }
            _ => Vec::new(),
        };
        let mut results: Vec<Row> = sent
            .into_iter()
            .zip(verifications)
            .map(|(s, verify)| Row {
                kind: self.kinds[s.request].clone(),
                ok: s.outcome.is_ok() && verify.as_ref().is_none_or(|v| v.seen),
                relayed: false,
                outcome: s.outcome,
                verify,
            })
            .collect();
        results.extend(relayed);
        RunReport {
            ok: results.iter().all(|r| r.ok),
            via_server: self.via_server,
            id: self.id.clone(),
            results,
            verified: self.verify.is_some(),
        }
    }

    /// What a run would send, without sending anything (`--dry-run`).
    pub fn dry_run(
        &self,
        auth: &Result<AuthConfig, super::AuthError>,
        invalidate_path: &str,
        cascade: &dyn Fn(&str) -> Vec<String>,
        allow_insecure: bool,
    ) -> DryRun {
        let auth = match auth {
            Ok(AuthConfig::Token(_)) => "POLYCACHE_TOKEN (no login)".to_string(),
            Ok(AuthConfig::Login { auth_path, credentials }) => {
                format!(
                    "POST {{target}}{auth_path} as {} (password ••••), one login per target",
                    credentials.email
                )
            }
            Ok(AuthConfig::Supabase { url, credentials, .. }) => format!(
                "POST {url}/auth/v1/token?grant_type=password as {} (password ••••), one token for every target",
                credentials.email
            ),
            Err(e) => format!("none: {e}"),
        };
        let requests = self
            .jobs()
            .into_iter()
            .map(|(ti, kind)| {
                let t = &self.targets[ti];
                PlannedRequest {
                    target: t.name.clone(),
                    base: t.base.clone(),
                    method: "POST",
                    url: t.url(invalidate_path),
                    headers: serde_json::json!({"Authorization": "Bearer ••••", "Content-Type": "application/json"}),
                    body: self.request(kind),
                    cascade: cascade(kind),
                    refused: t.check_secure(allow_insecure).err().map(|e| e.to_string()),
                }
            })
            .collect();
        DryRun {
            dry_run: true,
            auth,
            requests,
            via_server: self.via_server,
        }
    }
}

/// `invalidate --dry-run`: the request each target would get, and what it would clear.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRun {
    pub dry_run: bool,
    pub auth: String,
    pub requests: Vec<PlannedRequest>,
    #[serde(skip)]
    pub via_server: bool,
}

/// One request of a dry run.
#[derive(Debug, Serialize)]
pub struct PlannedRequest {
    pub target: String,
    #[serde(skip)]
    pub base: String,
    pub method: &'static str,
    pub url: String,
    pub headers: serde_json::Value,
    pub body: InvalidateRequest,
    /// The cascade according to the local graph (the server's answer may differ).
    pub cascade: Vec<String>,
    /// Why the real run would refuse to send credentials there.
    pub refused: Option<String>,
}

async fn verify_one(watch: &Watch, target: usize, kind: &str, start: Instant, timeout: Duration) -> Verification {
    let deadline = Instant::now() + timeout;
    match watch.wait_for(target, kind, deadline).await {
        Some(s) => Verification {
            seen: true,
            event_id: s.event_id,
            propagation_ms: Some(s.at.saturating_duration_since(start).as_millis() as u64),
            error: None,
        },
        None => Verification {
            seen: false,
            event_id: None,
            propagation_ms: None,
            error: Some(match watch.down(target) {
                Some(why) => format!("no stream to watch: {why}"),
                None => format!("accepted, but no app-update for {kind} within {}", human(timeout)),
            }),
        },
    }
}
