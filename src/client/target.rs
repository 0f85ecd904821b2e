//! A server polycache talks to (the local one or a mirror) and the guard that keeps
//! credentials off plain http to other machines.

use std::net::IpAddr;

use crate::config::{Settings, normalize_base};

/// One server: a base URL without trailing slash and the name shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Target {
    /// `http://localhost:3333`, never with a trailing `/`.
    pub base: String,
    /// `local` for the local server, else the mirror's `host:port`.
    pub name: String,
}

/// Credentials or a token would travel over plain http to a machine other than this one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing to send credentials to {target} ({base}) over plain http://: it is not a loopback address; use https:// or pass --allow-insecure"
)]
pub struct InsecureError {
    pub target: String,
    pub base: String,
}

impl Target {
    /// A target with an explicit display name.
    pub fn new(base: &str, name: impl Into<String>) -> Target {
        Target {
            base: normalize_base(base),
            name: name.into(),
        }
    }

    /// The local server (displayed as `local`).
    pub fn local(base: &str) -> Target {
        Target::new(base, "local")
    }

    /// A mirror, displayed as its `host:port`.
    pub fn mirror(base: &str) -> Target {
        let base = normalize_base(base);
        let name = authority(&base).to_string();
        Target { base, name }
    }

    /// The local server of the settings (`POLYCACHE_URL`).
    pub fn from_settings_local(settings: &Settings) -> Target {
        Target::local(settings.url())
    }

    /// Every mirror of the settings (`CACHE_MIRRORS`), in order, named by `POLYCACHE_NAMES`
    /// where it names them.
    pub fn from_settings_mirrors(settings: &Settings) -> Vec<Target> {
        settings.mirrors.iter().map(|m| Target::named(settings, m)).collect()
    }

    /// A server other than the local one: named by `POLYCACHE_NAMES` when it is there,
    /// else by its `host:port`.
    pub fn named(settings: &Settings, base: &str) -> Target {
        match settings.name_of(base) {
            Some(name) => Target::new(base, name),
            None => Target::mirror(base),
        }
    }

    /// What to do when the target named `name` cannot be reached.
    pub fn reach_hint(name: &str) -> &'static str {
        if name == "local" {
            "start the server, or set POLYCACHE_URL (or --url) to where it runs"
        } else {
            "check that this mirror is up, or fix its entry in CACHE_MIRRORS"
        }
    }

    /// `base` + `path` (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/{path}", self.base)
        }
    }

    /// The host without port, brackets or userinfo.
    pub fn host(&self) -> &str {
        host_of(&self.base)
    }

    pub fn is_https(&self) -> bool {
        self.base.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    }

    /// `localhost`, `127.0.0.0/8` or `::1`.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(self.host())
    }

    /// Errs when a secret would go over plain http to a non-loopback host and the user
    /// did not allow it.
    pub fn check_secure(&self, allow_insecure: bool) -> Result<(), InsecureError> {
        if allow_insecure || self.is_https() || self.is_loopback() {
            return Ok(());
        }
        Err(InsecureError {
            target: self.name.clone(),
            base: self.base.clone(),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// `host:port` of a URL (userinfo dropped).
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let auth = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    auth.rsplit_once('@').map(|(_, h)| h).unwrap_or(auth)
}

fn host_of(url: &str) -> &str {
    let auth = authority(url);
    if let Some(inner) = auth.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner);
    }
    match auth.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => auth,
    }
}

impl AsRef<Target> for Target {
    fn as_ref(&self) -> &Target {
        self
    }
}

/// Whether a host name or address is this machine.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_end_matches('.');
    if h.eq_ignore_ascii_case("localhost") || h.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The servers to talk to, local first: the local server alone by default; with `mirror`
/// the local server and every mirror; with `only` exactly those URLs (checked like
/// `CACHE_MIRRORS` entries, duplicates dropped; the local URL keeps its name `local`).
pub fn select(settings: &Settings, only: &[String], mirror: bool) -> Result<Vec<Target>, crate::config::ConfigError> {
    let local = Target::from_settings_local(settings);
    if !only.is_empty() {
        let (urls, _duplicates) = crate::config::parse_servers("--only", &only.join(","), "")?;
        return Ok(urls
            .iter()
            .map(|u| {
                if normalize_base(u).eq_ignore_ascii_case(&local.base) {
                    local.clone()
                } else {
                    Target::named(settings, u)
                }
            })
            .collect());
    }
    let mut out = vec![local];
    if mirror {
        out.extend(Target::from_settings_mirrors(settings));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for base in [
            "http://localhost:3333",
            "http://127.0.0.1:1",
            "http://127.9.8.7",
            "http://[::1]:3333/",
            "http://user:pw@localhost:80",
        ] {
            assert!(Target::mirror(base).is_loopback(), "{base}");
        }
        for base in [
            "http://example.com",
            "http://10.0.0.1:3333",
            "http://localhost.example.com",
            "http://[::2]:1",
            "http://127.0.0.1.nip.io",
        ] {
            assert!(!Target::mirror(base).is_loopback(), "{base}");
        }
    }

    #[test]
    fn insecure_http_to_other_hosts_is_refused_unless_allowed() {
        let remote = Target::mirror("http://staging.example:8080/");
        assert_eq!(remote.name, "staging.example:8080");
        assert_eq!(remote.base, "http://staging.example:8080");
        let e = remote.check_secure(false).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("staging.example:8080") && msg.contains("--allow-insecure") && msg.contains("https"));
        assert!(remote.check_secure(true).is_ok());
        assert!(Target::mirror("https://staging.example").check_secure(false).is_ok());
        assert!(Target::local("http://127.0.0.1:3333").check_secure(false).is_ok());
    }

    #[test]
    fn urls_join_paths() {
        let t = Target::local("http://localhost:3333/");
        assert_eq!(t.name, "local");
        assert_eq!(t.url("/api/stream"), "http://localhost:3333/api/stream");
        assert_eq!(t.url("api/stream"), "http://localhost:3333/api/stream");
    }
}
