//! The edge where library errors become one readable message, a hint and an exit code.

use crate::config::ConfigError;
use crate::graph::GraphError;
use crate::store::StoreError;

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const PARTIAL: u8 = 3;
    pub const AUTH: u8 = 4;
}

/// A failed command: what went wrong, what to do about it, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
    pub code: u8,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            hint: None,
            code,
        }
    }

    pub fn error(message: impl Into<String>) -> Failure {
        Failure::new(exit::ERROR, message)
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(exit::USAGE, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl From<GraphError> for Failure {
    fn from(e: GraphError) -> Failure {
        let message = e.to_string();
        match e {
            GraphError::UnknownType { suggestion, known, .. } => {
                let hint = match suggestion {
                    Some(s) => format!("did you mean `{s}`? Known types: {}", known.join(", ")),
                    None => format!("known types: {}", known.join(", ")),
                };
                Failure::usage(message).with_hint(hint)
            }
            GraphError::Cycle { .. } => Failure::error(message)
                .with_hint("a type cannot depend on itself, directly or through others: remove one edge of the cycle"),
            GraphError::Parse { .. } if message.contains("nested more than") => Failure::error(message).with_hint(
                "flatten the expression there (a constant per level), or point --graph at the real cache.ts",
            ),
            GraphError::Parse { .. } => Failure::error(message).with_hint(
                "the file must declare `DEPENDENCIES: Record<string, string[]> = { type: ['dep', ...], ... }` \
from literals, string constants and enums, `as const` and spreads of constant objects or arrays",
            ),
            GraphError::Io { .. } => Failure::error(message).with_hint("check the path given to --graph"),
        }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        let message = e.to_string();
        let hint = match e {
            // `--mirrors posts` is almost always `--mirror` with a stray `s`.
            ConfigError::MirrorNoScheme { name: "--only", .. }
            | ConfigError::MirrorBadScheme { name: "--only", .. } => {
                "give a base URL such as http://127.0.0.1:3333 or https://service.polymech.info".to_string()
            }
            ConfigError::MirrorNoScheme { entry, .. }
                if entry.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                format!(
                    "`{entry}` is not a URL: did you mean --mirror (every CACHE_MIRRORS target)? --mirrors takes URLs, e.g. --mirrors https://{entry}.example"
                )
            }
            ConfigError::MirrorNoScheme { entry, .. } => format!("write it as https://{entry}"),
            ConfigError::MirrorBadScheme { .. } => "mirrors are reached over http:// or https:// only".to_string(),
            ConfigError::BadUrl { name, .. } => format!(
                "set {name} to a base URL such as http://localhost:3333 or https://service.polymech.info/prefix"
            ),
            ConfigError::UrlCredentials { name, .. } => format!(
                "remove `user:password@` from {name}: the account goes in SERVICE_EMAIL and SERVICE_PASSWORD \
(or TEST_EMAIL/TEST_PASSWORD), a ready token in POLYCACHE_TOKEN"
            ),
            ConfigError::EnvFile { .. } => {
                "check the path given to --env-file and the file's KEY=value lines".to_string()
            }
        };
        Failure::usage(message).with_hint(hint)
    }
}

impl From<crate::client::CaError> for Failure {
    fn from(e: crate::client::CaError) -> Failure {
        match e {
            crate::client::CaError::Client { .. } => Failure::error(e.to_string())
                .with_hint("the TLS library could not start; this build of polycache cannot make requests here"),
            _ => Failure::usage(e.to_string()).with_hint(
                "point --cacert (POLYCACHE_CACERT) at the authority's PEM certificate, such as the CA file `polycache serve --dev --self-signed` prints",
            ),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        let message = e.to_string();
        match e {
            StoreError::BadUrl { .. } => Failure::usage(message).with_hint(
                "write REDIS_URL (or --redis-url) as redis://[user:password@]host[:port][/db], or rediss://... for TLS",
            ),
            StoreError::Refused { .. } => Failure::error(message)
                .with_hint("is redis-server running there? Point REDIS_URL or --redis-url at the cache's Redis"),
            StoreError::Timeout { .. } => Failure::error(message).with_hint(
                "check the host and port, a firewall, and TLS: a TLS-only server needs rediss://, a plain one redis://",
            ),
            StoreError::Auth { .. } => Failure::new(exit::AUTH, message).with_hint(
                "put the password in the URL: redis://:PASSWORD@host:port, or redis://USER:PASSWORD@host:port for an ACL user",
            ),
            StoreError::Io { detail, .. } if detail.contains("in the middle of an answer") => Failure::error(message)
                .with_hint("run it again; if it keeps happening, look at redis-server's log and any proxy's timeouts"),
            StoreError::Io { .. } => Failure::error(message)
                .with_hint("check REDIS_URL; a TLS server needs rediss://, a plain one redis://"),
            StoreError::Tls { .. } => Failure::error(message).with_hint(
                "rediss:// trusts the system's CA store; for a private CA set SSL_CERT_FILE=/path/to/ca.pem",
            ),
            StoreError::Server { .. } => Failure::error(message)
                .with_hint("a managed Redis may disable commands polycache uses (SCAN, MEMORY, CONFIG, UNLINK)"),
            StoreError::NoSuchKey { .. } => {
                Failure::error(message).with_hint("list the keys with `polycache redis keys [PATTERN]`")
            }
            StoreError::NotificationsOff { url, .. } => Failure::error(message).with_hint(format!(
                "enable them with `redis-cli -u {url} CONFIG SET notify-keyspace-events KEA`, \
or let polycache do it: `polycache redis watch --enable-notifications`"
            )),
        }
    }
}
