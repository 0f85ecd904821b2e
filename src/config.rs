//! Settings: `.env` (dotenvy), then the process environment, then flags, later winning
//! (PROTOCOL section 1). Every value remembers where it came from, so `polycache config`
//! can answer "why is it talking to that server?".

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One configuration variable of PROTOCOL section 1.
#[derive(Debug, Clone, Copy)]
pub struct Var {
    pub name: &'static str,
    pub default: Option<&'static str>,
    pub secret: bool,
    pub help: &'static str,
}

/// Every variable polycache reads, in the order `config` prints them.
pub const VARS: &[Var] = &[
    var(
        "POLYCACHE_URL",
        Some("http://localhost:3333"),
        false,
        "base URL of the local server",
    ),
    var(
        "CACHE_MIRRORS",
        None,
        false,
        "comma-separated base URLs of mirror deployments",
    ),
    var("SERVICE_EMAIL", None, false, "service account used to obtain a JWT"),
    var("SERVICE_PASSWORD", None, true, "password of the service account"),
    var(
        "TEST_EMAIL",
        None,
        false,
        "fallback account when the service account is unset",
    ),
    var("TEST_PASSWORD", None, true, "password of the fallback account"),
    var("POLYCACHE_TOKEN", None, true, "a ready JWT; skips login"),
    var(
        "POLYCACHE_NAMES",
        None,
        false,
        "names for targets in tables and streams: production=https://service.polymech.info,...",
    ),
    var(
        "POLYCACHE_TOKEN_CACHE",
        None,
        false,
        "keep tokens on disk between runs: 1 (user cache directory) or a directory",
    ),
    var(
        "POLYCACHE_AUTH_PATH",
        Some(crate::protocol::AUTH_PATH),
        false,
        "login endpoint path",
    ),
    var(
        "POLYCACHE_INVALIDATE_PATH",
        Some(crate::protocol::INVALIDATE_PATH),
        false,
        "invalidation endpoint path",
    ),
    var(
        "POLYCACHE_STREAM_PATH",
        Some(crate::protocol::STREAM_PATH),
        false,
        "SSE endpoint path",
    ),
    var("SUPABASE_URL", None, false, "when set, log in through Supabase instead"),
    var("SUPABASE_ANON_KEY", None, true, "Supabase anon key sent as `apikey`"),
    var(
        "REDIS_URL",
        Some("redis://127.0.0.1:6379"),
        false,
        "Redis of the server-side cache",
    ),
    var("CACHE_PREFIX", Some("cache:"), false, "prefix of cache keys in Redis"),
    var(
        "CACHE_LOG",
        Some("server/logs/cache.json"),
        false,
        "the cache log file (pino NDJSON)",
    ),
    var(
        "POLYCACHE_CACERT",
        None,
        false,
        "PEM file of a private certificate authority to trust for https servers (beside the built-in roots)",
    ),
    var(
        "POLYCACHE_CORS_ORIGINS",
        None,
        false,
        "serve: comma-separated origins whose pages may use the authenticated API",
    ),
    var(
        "JWT_SECRET",
        None,
        true,
        "HS256 secret `polycache serve` signs and verifies with",
    ),
    var("POLYCACHE_PORT", Some("3333"), false, "serve: TCP port to listen on"),
    var(
        "POLYCACHE_BIND",
        Some("127.0.0.1"),
        false,
        "serve: address to listen on",
    ),
    var(
        "POLYCACHE_STORE",
        Some("memory"),
        false,
        "serve: where the cache lives (memory, redis)",
    ),
    var(
        "POLYCACHE_BUS",
        None,
        false,
        "serve: `redis` shares invalidations through a Redis Stream",
    ),
    var(
        "POLYCACHE_TLS_CERT",
        None,
        false,
        "serve: PEM certificate (chain) to serve HTTPS with",
    ),
    var(
        "POLYCACHE_TLS_KEY",
        None,
        false,
        "serve: PEM private key of POLYCACHE_TLS_CERT",
    ),
    var(
        "POLYCACHE_STATE",
        None,
        false,
        "serve: file keeping the stream's events across restarts",
    ),
    var(
        "POLYCACHE_LOG_LEVEL",
        Some("info"),
        false,
        "serve: the lowest pino level written to the cache log (trace, debug, info, warn, error, fatal)",
    ),
];

const fn var(name: &'static str, default: Option<&'static str>, secret: bool, help: &'static str) -> Var {
    Var {
        name,
        default,
        secret,
        help,
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "lowercase")]
pub enum Source {
    Flag(String),
    Env,
    DotEnv(PathBuf),
    Default,
    Unset,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env => f.write_str("env"),
            Source::DotEnv(p) => write!(f, "{}", p.display()),
            Source::Default => f.write_str("default"),
            Source::Unset => f.write_str("-"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SettingValue {
    pub value: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// An entry of a list of servers (`CACHE_MIRRORS`, `--only`) without a scheme.
    #[error("{name} entry `{entry}` has no scheme")]
    MirrorNoScheme { name: &'static str, entry: String },
    #[error("{name} entry `{entry}` uses scheme `{scheme}`; only http and https are allowed")]
    MirrorBadScheme {
        name: &'static str,
        entry: String,
        scheme: String,
    },
    /// `value` is shown with any userinfo masked.
    #[error("{name} `{value}` is not a valid base URL: {reason}")]
    BadUrl {
        name: &'static str,
        value: String,
        reason: String,
    },
    /// A base URL with `user:password@`: refused, so that no password ever sits in a URL
    /// that polycache shows, logs or serves. `value` is masked.
    #[error("{name} `{value}` carries credentials in the URL; polycache does not take them there")]
    UrlCredentials { name: &'static str, value: String },
    #[error("cannot read env file {path}: {message}")]
    EnvFile { path: PathBuf, message: String },
}

/// What the binary hands to [`Settings::load`]: flag values keyed by variable name.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    /// `--env-file PATH`: read this file instead of searching for `.env`.
    pub env_file: Option<PathBuf>,
    /// The directory the search for `.env` starts from.
    pub cwd: PathBuf,
    /// Flag overrides: (variable name, flag as typed, value).
    pub flags: Vec<(&'static str, &'static str, String)>,
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<&'static str, SettingValue>,
    /// The `.env` file that was read, if any.
    pub env_file: Option<PathBuf>,
    /// `CACHE_MIRRORS`, parsed and cleaned.
    pub mirrors: Vec<String>,
    /// `POLYCACHE_NAMES`: (name, base URL) pairs, shown instead of a target's `host:port`.
    pub names: Vec<(String, String)>,
    /// Problems that did not stop loading (dropped duplicate mirrors, ...).
    pub warnings: Vec<String>,
}

impl Settings {
    /// Loads settings from the real process environment.
    pub fn load(opts: &LoadOptions) -> Result<Settings, ConfigError> {
        Settings::load_with_env(opts, |k| std::env::var(k).ok())
    }

    /// Loads settings with `env` standing in for the process environment (tests use this).
    pub fn load_with_env(opts: &LoadOptions, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let (settings, mut problems) = Settings::load_lenient_with_env(opts, env);
        match problems.is_empty() {
            true => Ok(settings),
            false => Err(problems.remove(0)),
        }
    }

    /// Like [`load`](Self::load), but never fails: every problem is returned beside the
    /// settings, which keep what could be read (an unreadable env file is skipped, a bad
    /// POLYCACHE_URL is kept as written, bad CACHE_MIRRORS leave no mirrors). For
    /// `doctor`, which reports problems as failed checks instead of stopping at the first.
    pub fn load_lenient(opts: &LoadOptions) -> (Settings, Vec<ConfigError>) {
        Settings::load_lenient_with_env(opts, |k| std::env::var(k).ok())
    }

    /// [`load_lenient`](Self::load_lenient) with `env` standing in for the environment.
    pub fn load_lenient_with_env(
        opts: &LoadOptions,
        env: impl Fn(&str) -> Option<String>,
    ) -> (Settings, Vec<ConfigError>) {
        let mut problems = Vec::new();
        let env_file = match &opts.env_file {
            Some(p) => Some(p.clone()),
            None => find_dotenv(&opts.cwd),
        };
        let mut dotenv: BTreeMap<String, String> = BTreeMap::new();
        if let Some(path) = &env_file
            && let Err(e) = read_dotenv(path, &mut dotenv)
        {
            problems.push(e);
            dotenv.clear();
        }
        let mut values = BTreeMap::new();
        for var in VARS {
            let flag = opts.flags.iter().rev().find(|(n, _, _)| *n == var.name);
            let value = if let Some((_, flag, v)) = flag {
                SettingValue {
                    value: Some(v.clone()),
                    source: Source::Flag(flag.to_string()),
                }
            } else if let Some(v) = env(var.name) {
                SettingValue {
                    value: Some(v),
                    source: Source::Env,
                }
            } else if let (Some(v), Some(path)) = (dotenv.get(var.name), &env_file) {
                SettingValue {
                    value: Some(relative_to_dotenv(var.name, v, path)),
                    source: Source::DotEnv(path.clone()),
                }
            } else if let Some(d) = var.default {
                SettingValue {
                    value: Some(d.to_string()),
                    source: Source::Default,
                }
            } else {
                SettingValue {
                    value: None,
                    source: Source::Unset,
                }
            };
            values.insert(var.name, value);
        }
        let mut settings = Settings {
            values,
            env_file,
            mirrors: Vec::new(),
            names: Vec::new(),
            warnings: Vec::new(),
        };
        // An error names what the user typed: the flag when the URL came from one.
        let url_name = match settings.values.get("POLYCACHE_URL").map(|v| &v.source) {
            Some(Source::Flag(_)) => "--url",
            _ => "POLYCACHE_URL",
        };
        let url = match parse_base(url_name, settings.url()) {
            Ok(url) => url,
            Err(e) => {
                problems.push(e);
                normalize_base(settings.url())
            }
        };
        if let Some(supabase) = settings.get("SUPABASE_URL").filter(|u| !u.trim().is_empty())
            && let Err(e) = parse_base("SUPABASE_URL", supabase)
        {
            problems.push(e);
        }
        settings.values.get_mut("POLYCACHE_URL").expect("known var").value = Some(url.clone());
        let raw = settings.get("CACHE_MIRRORS").unwrap_or("").to_string();
        match parse_names(settings.get("POLYCACHE_NAMES").unwrap_or("")) {
            Ok(names) => settings.names = names,
            Err(e) => problems.push(e),
        }
        match parse_mirrors(&raw, &url) {
            Ok((mirrors, warnings)) => {
                settings.mirrors = mirrors;
                settings.warnings = warnings;
            }
            Err(e) => problems.push(e),
        }
        // `http://host/api` + `/api/auth/login` asks for `/api/api/...`: almost always the
        // base URL copied with the API's own prefix.
        let api_paths = [settings.auth_path(), settings.invalidate_path(), settings.stream_path()]
            .iter()
            .any(|p| p.starts_with("/api/"));
        let bases = std::iter::once((url_name, url.clone()))
            .chain(settings.mirrors.iter().map(|m| ("CACHE_MIRRORS", m.clone())));
        for (name, base) in bases.collect::<Vec<_>>() {
            if let Some(stripped) = base.strip_suffix("/api").filter(|_| api_paths) {
                settings.warnings.push(format!(
                    "{name} {base} ends in /api, and polycache adds the API's paths (/api/...) itself: did you mean {stripped}?"
                ));
            }
        }
        (settings, problems)
    }

    /// The name `POLYCACHE_NAMES` gives the target at `base`, if any.
    pub fn name_of(&self, base: &str) -> Option<&str> {
        let base = normalize_base(base);
        self.names
            .iter()
            .find(|(_, b)| b.eq_ignore_ascii_case(&base))
            .map(|(n, _)| n.as_str())
    }

    /// A variable's value, if set (or defaulted).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(|v| v.value.as_deref())
    }

    /// A variable's value and source.
    pub fn value(&self, name: &str) -> Option<&SettingValue> {
        self.values.get(name)
    }

    fn get_or_default(&self, name: &'static str) -> &str {
        self.get(name)
            .or_else(|| VARS.iter().find(|v| v.name == name).and_then(|v| v.default))
            .unwrap_or("")
    }

    pub fn url(&self) -> &str {
        self.get_or_default("POLYCACHE_URL")
    }
    pub fn auth_path(&self) -> &str {
        self.get_or_default("POLYCACHE_AUTH_PATH")
    }
    pub fn invalidate_path(&self) -> &str {
        self.get_or_default("POLYCACHE_INVALIDATE_PATH")
    }
    pub fn stream_path(&self) -> &str {
        self.get_or_default("POLYCACHE_STREAM_PATH")
    }
    pub fn redis_url(&self) -> &str {
        self.get_or_default("REDIS_URL")
    }
    pub fn cache_prefix(&self) -> &str {
        self.get_or_default("CACHE_PREFIX")
    }
    pub fn cache_log(&self) -> &str {
        self.get_or_default("CACHE_LOG")
    }

    /// `POLYCACHE_TOKEN`, trimmed, when set and not blank.
    pub fn token(&self) -> Option<&str> {
        self.get("POLYCACHE_TOKEN").map(str::trim).filter(|t| !t.is_empty())
    }

    /// The Supabase project (`SUPABASE_URL`, `SUPABASE_ANON_KEY`) when both are set.
    pub fn supabase(&self) -> Option<(&str, &str)> {
        match (self.get("SUPABASE_URL"), self.get("SUPABASE_ANON_KEY")) {
            (Some(url), Some(key)) if !url.trim().is_empty() => Some((url, key)),
            _ => None,
        }
    }

    /// `POLYCACHE_CACERT`: a certificate file to trust beside the built-in roots.
    pub fn cacert(&self) -> Option<&str> {
        self.get("POLYCACHE_CACERT").filter(|p| !p.trim().is_empty())
    }

    /// `POLYCACHE_TOKEN_CACHE` as written (on/off or a directory).
    pub fn token_cache(&self) -> Option<&str> {
        self.get("POLYCACHE_TOKEN_CACHE")
    }

    /// `POLYCACHE_LOG_LEVEL`: the lowest pino level a node writes (`info` by default).
    pub fn log_level(&self) -> &str {
        self.get_or_default("POLYCACHE_LOG_LEVEL")
    }

    /// `JWT_SECRET`, when set and not empty.
    pub fn jwt_secret(&self) -> Option<&str> {
        self.get("JWT_SECRET").filter(|s| !s.is_empty())
    }

    /// `POLYCACHE_CORS_ORIGINS` as written (comma-separated origins).
    pub fn cors_origins(&self) -> Option<&str> {
        self.get("POLYCACHE_CORS_ORIGINS")
    }

    /// The `CACHE_MIRRORS` entries as written, one by one (for checking each on its own).
    pub fn mirror_entries(&self) -> impl Iterator<Item = &str> {
        self.get("CACHE_MIRRORS")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }

    /// `CACHE_MIRRORS` as seen from `local` (a node's own address rather than
    /// POLYCACHE_URL): the mirrors, and the warnings about dropped entries.
    pub fn mirrors_from(&self, local: &str) -> Result<(Vec<String>, Vec<String>), ConfigError> {
        parse_mirrors(self.get("CACHE_MIRRORS").unwrap_or(""), local)
    }

    /// Every account configured (the service account, then the test account), each only
    /// when both its e-mail and password are set: the accounts a node accepts.
    pub fn accounts(&self) -> Vec<(&str, &str)> {
        [("SERVICE_EMAIL", "SERVICE_PASSWORD"), ("TEST_EMAIL", "TEST_PASSWORD")]
            .into_iter()
            .filter_map(|(e, p)| match (self.get(e), self.get(p)) {
                (Some(email), Some(pw)) if !email.is_empty() && !pw.is_empty() => Some((email, pw)),
                _ => None,
            })
            .collect()
    }

    /// The account to log in with: the service account, else the test account.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        match (self.get("SERVICE_EMAIL"), self.get("SERVICE_PASSWORD")) {
            (Some(e), Some(p)) if !e.is_empty() => Some((e, p)),
            _ => match (self.get("TEST_EMAIL"), self.get("TEST_PASSWORD")) {
                (Some(e), Some(p)) if !e.is_empty() => Some((e, p)),
                _ => None,
            },
        }
    }

    /// Rows for `polycache config`: name, shown value (secrets masked), source.
    pub fn rows(&self) -> Vec<ConfigRow> {
        VARS.iter()
            .map(|var| {
                let v = &self.values[var.name];
                let shown = match (&v.value, var.secret) {
                    (None, _) => "(unset)".to_string(),
                    (Some(_), true) => "••••".to_string(),
                    (Some(s), false) => redact_url_password(s),
                };
                ConfigRow {
                    name: var.name,
                    value: shown,
                    set: v.value.is_some(),
                    secret: var.secret,
                    source: v.source.clone(),
                }
            })
            .collect()
    }
}

/// One row of `polycache config`: never holds a secret's value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfigRow {
    pub name: &'static str,
    pub value: String,
    pub set: bool,
    pub secret: bool,
    pub source: Source,
}

/// Reads an env file's `KEY=value` lines into `out`.
fn read_dotenv(path: &Path, out: &mut BTreeMap<String, String>) -> Result<(), ConfigError> {
    let fail = |e: dotenvy::Error| ConfigError::EnvFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    for item in dotenvy::from_path_iter(path).map_err(fail)? {
        let (k, v) = item.map_err(fail)?;
        out.insert(k, v);
    }
    Ok(())
}

/// The settings that name files: written relative in a `.env`, they are relative to that
/// file's directory (as the platform's own tools read them), not to where polycache runs.
const PATH_VARS: [&str; 5] = [
    "CACHE_LOG",
    "POLYCACHE_CACERT",
    "POLYCACHE_TLS_CERT",
    "POLYCACHE_TLS_KEY",
    "POLYCACHE_STATE",
];

/// `value` of `name` from the `.env` at `dotenv`, a relative path made relative to its
/// directory.
fn relative_to_dotenv(name: &str, value: &str, dotenv: &Path) -> String {
    let dir = dotenv.parent().unwrap_or(Path::new("."));
    if !PATH_VARS.contains(&name) || value.trim().is_empty() || value == "-" || Path::new(value).is_absolute() {
        return value.to_string();
    }
    dir.join(value).display().to_string()
}

/// The nearest `.env` from `cwd` up: in a repository, up to its root (the first ancestor
/// holding `.git`); outside one, up to the home directory (never its parent, so a `.env`
/// of another user or of the system is not picked up), or to the filesystem root when `cwd`
/// is not under the home directory.
pub fn find_dotenv(cwd: &Path) -> Option<PathBuf> {
    let in_repo = cwd.ancestors().any(|d| d.join(".git").exists());
    let home = std::env::var_os("HOME").map(PathBuf::from).filter(|h| h.is_absolute());
    let stop = home.as_deref().filter(|h| cwd.starts_with(h)).and_then(Path::parent);
    for dir in cwd.ancestors() {
        if !in_repo && stop.is_some_and(|s| dir == s) {
            break;
        }
        let candidate = dir.join(".env");
        if candidate.is_file() {
            return Some(candidate);
        }
        if in_repo && dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// Strips whitespace and trailing slashes from a base URL.
pub fn normalize_base(s: &str) -> String {
    s.trim().trim_end_matches('/').to_string()
}

/// Checks a base URL (`POLYCACHE_URL`, a `CACHE_MIRRORS` entry, `--only`, `SUPABASE_URL`)
/// and returns it trimmed, without trailing `/`. The one place base URLs are judged:
///
/// - http or https, with a host; a port, if any, within 1-65535;
/// - a path prefix is fine (`https://h/prefix` + `/api/auth/login`);
/// - a query or a fragment is an error (endpoints are appended to the base);
/// - credentials (`user:pass@`) are an error: the account belongs in SERVICE_EMAIL and
///   SERVICE_PASSWORD. Every error shows the entry with its userinfo masked.
pub fn parse_base(name: &'static str, raw: &str) -> Result<String, ConfigError> {
    let entry = normalize_base(raw);
    let shown = redact_url_password(raw.trim());
    let bad = |reason: String| ConfigError::BadUrl {
        name,
        value: shown.clone(),
        reason,
    };
    let no_scheme = || match name {
        "CACHE_MIRRORS" | "--only" => ConfigError::MirrorNoScheme {
            name,
            entry: shown.clone(),
        },
        _ => bad("it has no scheme; write http://HOST[:PORT] or https://HOST".into()),
    };
    let bad_scheme = |scheme: &str| match name {
        "CACHE_MIRRORS" | "--only" => ConfigError::MirrorBadScheme {
            name,
            entry: shown.clone(),
            scheme: scheme.to_string(),
        },
        _ => bad(format!("it uses scheme `{scheme}`; only http and https are allowed")),
    };
    // Split the text as typed: `http://` must not lose its slashes to normalising.
    let Some((scheme, rest)) = raw.trim().split_once("://") else {
        // `host:3333` has no scheme; `javascript:alert(1)` or `mailto:x` has the wrong one.
        return match entry.split_once(':') {
            Some((scheme, after))
                if !after.is_empty()
                    && !after.bytes().all(|b| b.is_ascii_digit())
                    && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
            {
                Err(bad_scheme(scheme))
            }
            _ => Err(no_scheme()),
        };
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(bad_scheme(scheme));
    }
    if rest.trim_end_matches('/').is_empty() || rest.starts_with(['/', '?', '#']) {
        return Err(bad(format!(
            "there is no host after `{scheme}://`; write {scheme}://HOST[:PORT]"
        )));
    }
    let url = url::Url::parse(&entry).map_err(|e| match e {
        url::ParseError::InvalidPort => bad("the port is not a number from 1 to 65535".into()),
        other => bad(other.to_string()),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::UrlCredentials { name, value: shown });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host".into()));
    }
    if url.port() == Some(0) {
        return Err(bad("the port is not a number from 1 to 65535".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "a base URL cannot have a query (`?...`) or a fragment (`#...`): paths are appended to it".into(),
        ));
    }
    Ok(entry)
}

/// Writes a new file that only its owner can read (mode 0600 on Unix; elsewhere the
/// directory's own permissions): the one way polycache writes a secret to disk (the
/// throwaway accounts of `demo` and `serve --dev`, a dev certificate authority). Fails when
/// the file exists: the caller removes a stale one first.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(bytes)
}

/// Writes an env file only its owner can read ([`write_private`]): `header` as a comment,
/// then `KEY=value` lines, each value quoted so that `.env` reading gives it back whole.
pub fn write_env_file(path: &Path, header: &str, vars: &[(&str, &str)]) -> std::io::Result<()> {
    let mut text = format!("# {header}\n");
    for (k, v) in vars {
        text.push_str(&format!("{k}={}\n", env_quote(v)));
    }
    write_private(path, text.as_bytes())
}

/// A value as dotenv reads it back: bare when plain, else double-quoted.
fn env_quote(v: &str) -> String {
    if v.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:@,".contains(c)) {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Parses `POLYCACHE_NAMES`: `name=base-url` pairs separated by commas. polycache's own
/// setting (the platform's server reads CACHE_MIRRORS, which must stay plain URLs).
pub fn parse_names(raw: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let bad = |reason: &str| ConfigError::BadUrl {
            name: "POLYCACHE_NAMES",
            value: redact_url_password(entry),
            reason: reason.to_string(),
        };
        let Some((name, url)) = entry.split_once('=') else {
            return Err(bad(
                "write each entry as NAME=URL, e.g. production=https://service.polymech.info",
            ));
        };
        let name = name.trim();
        if name.is_empty() || name.chars().any(|c| c.is_control() || c.is_whitespace()) || name == "local" {
            return Err(bad(
                "a name is one word, not `local` (which names POLYCACHE_URL already)",
            ));
        }
        let url = parse_base("POLYCACHE_NAMES", url)?;
        if out.iter().any(|(n, u)| n == name || u.eq_ignore_ascii_case(&url)) {
            return Err(bad("each name and each URL may appear once"));
        }
        out.push((name.to_string(), url));
    }
    Ok(out)
}

/// Parses `CACHE_MIRRORS` by the rules of PROTOCOL section 1. Returns the mirrors and the
/// warnings for entries that were dropped.
pub fn parse_mirrors(raw: &str, local: &str) -> Result<(Vec<String>, Vec<String>), ConfigError> {
    parse_servers("CACHE_MIRRORS", raw, local)
}

/// A comma-separated list of base URLs named `name` (`CACHE_MIRRORS`, `--only`): each
/// checked by [`parse_base`], duplicates and `local` dropped with a warning.
pub fn parse_servers(name: &'static str, raw: &str, local: &str) -> Result<(Vec<String>, Vec<String>), ConfigError> {
    let mut out: Vec<String> = Vec::new();
    let mut warnings = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let url = parse_base(name, entry)?;
        if out.iter().any(|m| m.eq_ignore_ascii_case(&url)) {
            warnings.push(format!("{name} lists {url} twice; using it once"));
            continue;
        }
        if url.eq_ignore_ascii_case(local) {
            warnings.push(format!(
                "{name} lists {url}, which is the local server (POLYCACHE_URL); dropped so it is not invalidated twice"
            ));
            continue;
        }
        out.push(url);
    }
    Ok((out, warnings))
}

/// Masks the userinfo of every URL in `s` (one URL, or a comma-separated list such as
/// CACHE_MIRRORS): `redis://user:secret@host` -> `redis://user:••••@host`. A userinfo
/// without a password is masked whole for http(s) (it may be a token), kept for Redis
/// (an ACL user name). Text that is not a URL comes back as it is.
pub fn redact_url_password(s: &str) -> String {
    if s.contains(',') {
        return s.split(',').map(redact_one).collect::<Vec<_>>().join(",");
    }
    redact_one(s)
}

fn redact_one(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return s.to_string();
    };
    let http = scheme.trim().eq_ignore_ascii_case("http") || scheme.trim().eq_ignore_ascii_case("https");
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:••••@{host}{tail}"),
        None if http => format!("{scheme}://••••@{host}{tail}"),
        None => s.to_string(),
    }
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
/// `polycache config`: every setting, its value and its source.
pub struct ConfigReport {
    pub env_file: Option<String>,
    pub settings: Vec<ConfigRow>,
    pub mirrors: Vec<String>,
    pub warnings: Vec<String>,
    /// Where the search for `.env` started.
    #[serde(skip)]
    pub searched_from: std::path::PathBuf,
}

impl crate::hint::Hint for ConfigError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ConfigError::MirrorNoScheme { name: "--only", .. }
            | ConfigError::MirrorBadScheme { name: "--only", .. } => {
                "give a base URL such as http://127.0.0.1:3333 or https://service.polymech.info".to_string()
            }
            // `--mirrors posts` is almost always `--mirror` with a stray `s`.
            ConfigError::MirrorNoScheme { entry, .. }
                if entry.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                format!(
                    "`{entry}` is not a URL: did you mean --mirror (every CACHE_MIRRORS target)? --mirrors takes URLs, e.g. --mirrors https://{entry}.example"
                )
            }
            ConfigError::MirrorNoScheme { entry, .. } => format!("write it as https://{entry}"),
            ConfigError::MirrorBadScheme { .. } => "mirrors are reached over http:// or https:// only".to_string(),
            ConfigError::BadUrl { value, reason, .. } if reason.starts_with("it has no scheme") => {
                format!("write it as http://{value} (or https://{value})")
            }
            ConfigError::BadUrl { name, .. } if name.starts_with("--") => {
                format!("give {name} a base URL such as http://localhost:3333 or https://service.polymech.info/prefix")
            }
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `write_env_file` writes, `.env` reading gives back whole: spaces, quotes,
    /// backslashes and `#` in values; the file is the owner's only.
    #[test]
    fn an_env_file_written_is_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.env");
        let vars = [
            ("CACHE_LOG", "/tmp/my dir/it's \"a\" \\log #1.json"),
            ("POLYCACHE_URL", "http://127.0.0.1:1"),
        ];
        write_env_file(&path, "a test", &vars).unwrap();
        let read: Vec<(String, String)> = dotenvy::from_path_iter(&path).unwrap().map(|kv| kv.unwrap()).collect();
        assert_eq!(
            read,
            vars.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(
            write_private(&path, b"again").is_err(),
            "an existing file is not overwritten"
        );
    }

    #[test]
    fn mirrors_are_trimmed_deduplicated_and_local_dropped() {
        let (m, w) = parse_mirrors(
            " https://a.example/ ,, http://b.example:8080,https://a.example,http://localhost:3333/ ",
            "http://localhost:3333",
        )
        .unwrap();
        assert_eq!(m, ["https://a.example", "http://b.example:8080"]);
        assert_eq!(w.len(), 2);
        assert!(w[0].contains("twice"));
        assert!(w[1].contains("local server"));
    }

    #[test]
    fn bad_mirror_entries_are_named() {
        let e = parse_mirrors("https://ok.example, service.polymech.info", "http://x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "CACHE_MIRRORS entry `service.polymech.info` has no scheme"
        );
        let e = parse_mirrors("ftp://files.example", "http://x").unwrap_err();
        assert!(e.to_string().contains("`ftp://files.example`") && e.to_string().contains("`ftp`"));
    }

    #[test]
    fn later_sources_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "POLYCACHE_URL=http://from-dotenv:1\nREDIS_URL=redis://dotenv\nCACHE_PREFIX=dot:\n",
        )
        .unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let opts = LoadOptions {
            env_file: None,
            cwd: sub,
            flags: vec![("POLYCACHE_URL", "--url", "http://from-flag:3".into())],
        };
        let s = Settings::load_with_env(&opts, |k| {
            (k == "REDIS_URL" || k == "POLYCACHE_URL").then(|| format!("env-{k}"))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.url(), "http://from-flag:3");
        assert_eq!(s.value("POLYCACHE_URL").unwrap().source, Source::Flag("--url".into()));
        assert_eq!(s.redis_url(), "env-REDIS_URL");
        assert_eq!(s.cache_prefix(), "dot:");
        assert_eq!(
            s.value("CACHE_PREFIX").unwrap().source,
            Source::DotEnv(dir.path().join(".env"))
        );
        assert_eq!(s.cache_log(), "server/logs/cache.json");
        assert_eq!(s.value("CACHE_LOG").unwrap().source, Source::Default);
    }

    #[test]
    fn secrets_never_appear_in_rows() {
        let opts = LoadOptions::default();
        let s = Settings::load_with_env(&opts, |k| match k {
            "SERVICE_PASSWORD" => Some("hunter2-secret".into()),
            "REDIS_URL" => Some("redis://user:redispass@127.0.0.1:6379/0".into()),
            _ => None,
        })
        .unwrap();
        let text = format!("{:?}", s.rows());
        assert!(!text.contains("hunter2-secret"));
        assert!(!text.contains("redispass"));
        assert!(text.contains("redis://user:••••@127.0.0.1:6379/0"));
    }

    #[test]
    fn lenient_loading_reports_every_problem_and_keeps_the_rest() {
        let env = |k: &str| match k {
            "POLYCACHE_URL" => Some("localhost:3333".to_string()),
            "CACHE_MIRRORS" => Some("https://ok.example, ftp://files.example".to_string()),
            "CACHE_PREFIX" => Some("app:".to_string()),
            _ => None,
        };
        let opts = LoadOptions {
            env_file: Some(PathBuf::from("/nonexistent/polycache.env")),
            ..LoadOptions::default()
        };
        let (s, problems) = Settings::load_lenient_with_env(&opts, env);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(matches!(problems[0], ConfigError::EnvFile { .. }));
        assert!(matches!(
            problems[1],
            ConfigError::BadUrl {
                name: "POLYCACHE_URL",
                ..
            }
        ));
        assert!(matches!(problems[2], ConfigError::MirrorBadScheme { .. }));
        assert_eq!(s.cache_prefix(), "app:");
        assert!(s.mirrors.is_empty());
        // The strict load stops at the first of them.
        assert_eq!(Settings::load_with_env(&opts, env).unwrap_err(), problems[0]);
    }

    #[test]
    fn base_urls_are_judged_in_one_place() {
        assert_eq!(
            parse_base("POLYCACHE_URL", " https://h.example/prefix/ ").unwrap(),
            "https://h.example/prefix"
        );
        assert_eq!(
            parse_base("POLYCACHE_URL", "http://[::1]:3333").unwrap(),
            "http://[::1]:3333"
        );
        let err = |raw: &str| parse_base("CACHE_MIRRORS", raw).unwrap_err().to_string();
        let e = err("http://svc:hunter2@h.example:8080/x");
        assert!(
            e.contains("credentials") && e.contains("svc:••••@h.example:8080"),
            "{e}"
        );
        assert!(!e.contains("hunter2"), "{e}");
        let e = err("http://tok3n@h.example");
        assert!(!e.contains("tok3n") && e.contains("credentials"), "{e}");
        let e = err("http://h/x?y#z");
        assert!(e.contains("query") && e.contains("`http://h/x?y#z`"), "{e}");
        assert!(err("http://h.example:99999").contains("1 to 65535"));
        assert!(err("http://h.example:0").contains("1 to 65535"));
        let e = err("http://");
        assert!(e.contains("no host") && !e.contains("no scheme"), "{e}");
        assert_eq!(
            err("javascript:alert(1)"),
            "CACHE_MIRRORS entry `javascript:alert(1)` uses scheme `javascript`; only http and https are allowed"
        );
        assert_eq!(
            err("localhost:3333"),
            "CACHE_MIRRORS entry `localhost:3333` has no scheme"
        );
        let e = parse_base("POLYCACHE_URL", "ftp://x").unwrap_err().to_string();
        assert!(e.contains("POLYCACHE_URL") && e.contains("`ftp`"), "{e}");
    }

    #[test]
    fn targets_can_be_named() {
        let names = parse_names(" production=https://service.polymech.info/ , staging=http://10.0.0.2:3333").unwrap();
        assert_eq!(
            names,
            [
                ("production".to_string(), "https://service.polymech.info".to_string()),
                ("staging".to_string(), "http://10.0.0.2:3333".to_string())
            ]
        );
        assert!(parse_names("production").unwrap_err().to_string().contains("NAME=URL"));
        assert!(
            parse_names("local=http://h")
                .unwrap_err()
                .to_string()
                .contains("`local`")
        );
        assert!(
            parse_names("a=http://h,a=http://i")
                .unwrap_err()
                .to_string()
                .contains("once")
        );
        let e = parse_names("p=http://u:pw@h").unwrap_err().to_string();
        assert!(e.contains("credentials") && !e.contains("pw@"), "{e}");
    }

    #[test]
    fn every_url_of_a_list_is_masked() {
        assert_eq!(
            redact_url_password("http://a:pw1@h1:1,https://b:pw2@h2/x, http://t0k@h3"),
            "http://a:••••@h1:1,https://b:••••@h2/x, http://••••@h3"
        );
        assert_eq!(redact_url_password("redis://user@h:6379"), "redis://user@h:6379");
        assert_eq!(redact_url_password("not a url"), "not a url");
    }

    #[test]
    fn credentials_fall_back_to_test_account() {
        let s = Settings::load_with_env(&LoadOptions::default(), |k| match k {
            "TEST_EMAIL" => Some("t@example.com".into()),
            "TEST_PASSWORD" => Some("pw".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.credentials(), Some(("t@example.com", "pw")));
    }
}
