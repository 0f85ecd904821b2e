//! The optional on-disk token cache (`POLYCACHE_TOKEN_CACHE`): tokens survive from one
//! `polycache` run to the next, so a script that invalidates every minute logs in once an
//! hour instead of every minute.
//!
//! One JSON file, `tokens.json`, in the user's cache directory (or the directory given),
//! created with mode 0600 in a 0700 directory and replaced atomically. It maps
//! `login URL + account` to the token; it never holds a password. Expired tokens are
//! dropped whenever the file is written. It is a cache: a file that cannot be read is
//! treated as empty, and a failed write only costs a login next time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::token::Token;

/// The token file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskTokens {
    path: PathBuf,
}

impl DiskTokens {
    /// `tokens.json` in `dir`.
    pub fn in_dir(dir: &Path) -> DiskTokens {
        DiskTokens {
            path: dir.join("tokens.json"),
        }
    }

    /// From the `POLYCACHE_TOKEN_CACHE` setting: `1`/`true`/`on` means the user cache
    /// directory (`$XDG_CACHE_HOME/polycache`, else `~/.cache/polycache`), another value is
    /// a directory; unset, empty, `0`/`false`/`off` means no disk cache.
    ///
    /// An existing directory that other users may write to (group or world writable, or
    /// owned by someone else) is refused: they could replace the file or plant links in it.
    pub fn from_setting(value: Option<&str>) -> Result<Option<DiskTokens>, UnsafeDir> {
        let Some(v) = value.map(str::trim) else {
            return Ok(None);
        };
        let disk = match v.to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "off" | "no" => None,
            "1" | "true" | "on" | "yes" => user_cache_dir().map(|d| DiskTokens::in_dir(&d)),
            _ => Some(DiskTokens::in_dir(Path::new(v))),
        };
        if let Some(d) = &disk {
            check_dir(d.path.parent().unwrap_or(Path::new(".")))?;
        }
        Ok(disk)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cached token for (login URL, account), if it is still usable for `margin`.
    pub fn get(&self, login_url: &str, account: &str, margin: Duration) -> Option<Token> {
        self.read()
            .remove(&key(login_url, account))
            .map(Token::new)
            .filter(|t| t.fresh_for(margin))
    }

    /// Stores a token, dropping expired ones.
    pub fn put(&self, login_url: &str, account: &str, token: &Token) -> std::io::Result<()> {
        let mut all = self.read();
        all.retain(|_, t| Token::new(t.as_str()).fresh_for(Duration::ZERO));
        all.insert(key(login_url, account), token.expose().to_string());
        self.write(&all)
    }

    /// Forgets every token obtained from `login_url` (after a 401).
    pub fn remove(&self, login_url: &str) -> std::io::Result<()> {
        let mut all = self.read();
        let prefix = format!("{login_url} ");
        let before = all.len();
        all.retain(|k, _| !k.starts_with(&prefix));
        if all.len() == before {
            return Ok(());
        }
        self.write(&all)
    }

    fn read(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn write(&self, all: &BTreeMap<String, String>) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let tmp = self.path.with_extension(format!("tmp{}", std::process::id()));
        let text = serde_json::to_string_pretty(all).map_err(std::io::Error::other)?;
        // Whatever is at the temporary name (a file left by a crash, or a link someone
        // planted) goes; the new file is then created, never opened through a link.
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if let Err(e) = write_private(&tmp, text.as_bytes()) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &self.path)
    }
}

fn key(login_url: &str, account: &str) -> String {
    format!("{login_url} {account}")
}

fn user_cache_dir() -> Option<PathBuf> {
    // A relative XDG_CACHE_HOME is invalid and ignored, as the XDG spec says.
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("polycache"))
}

/// The token cache's directory is not private.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("POLYCACHE_TOKEN_CACHE: the directory {dir} {why}, so tokens are not cached there")]
pub struct UnsafeDir {
    pub dir: String,
    pub why: String,
}

/// An existing directory must be writable by its owner only, and owned by this user.
#[cfg(unix)]
fn check_dir(dir: &Path) -> Result<(), UnsafeDir> {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(()); // made private when first written
    };
    let unsafe_dir = |why: String| UnsafeDir {
        dir: crate::escape::text(&dir.display().to_string()).into_owned(),
        why,
    };
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(unsafe_dir(format!("is writable by other users (mode {mode:o})")));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if me != meta.uid() {
        return Err(unsafe_dir(format!("belongs to another user (uid {})", meta.uid())));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_dir(_dir: &Path) -> Result<(), UnsafeDir> {
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Creates (truncating) a file readable and writable by its owner only.
#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    // `create_new`: fails on anything already there, a symbolic link included, instead of
    // writing through it.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode on open; make sure it is private.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(exp: u64) -> Token {
        let claims = serde_json::json!({"sub": "svc", "exp": exp});
        crate::jwt::install();
        Token::new(
            jsonwebtoken::encode(
                &jsonwebtoken::Header::default(),
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(b"k"),
            )
            .unwrap(),
        )
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn tokens_round_trip_per_target_and_account_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskTokens::in_dir(&dir.path().join("polycache"));
        let t = jwt(now() + 3600);
        cache.put("http://a/api/auth/login", "svc@x", &t).unwrap();
        let m = Duration::from_secs(60);
        assert_eq!(cache.get("http://a/api/auth/login", "svc@x", m), Some(t.clone()));
        assert_eq!(cache.get("http://b/api/auth/login", "svc@x", m), None);
        assert_eq!(cache.get("http://a/api/auth/login", "other@x", m), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(cache.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dmode = std::fs::metadata(dir.path().join("polycache"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
        cache.remove("http://a/api/auth/login").unwrap();
        assert_eq!(cache.get("http://a/api/auth/login", "svc@x", m), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_at_the_temporary_name_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("polycache");
        create_private_dir(&cache_dir).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let planted = cache_dir.join(format!("tokens.tmp{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let cache = DiskTokens::in_dir(&cache_dir);
        let t = jwt(now() + 3600);
        cache.put("http://a/api/auth/login", "svc@x", &t).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(cache.path()).unwrap().is_symlink());
        assert_eq!(
            cache.get("http://a/api/auth/login", "svc@x", Duration::from_secs(60)),
            Some(t)
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_others_may_write_to_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        for mode in [0o777, 0o770, 0o1777] {
            std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(mode)).unwrap();
            let e = DiskTokens::from_setting(Some(shared.to_str().unwrap())).unwrap_err();
            assert!(e.to_string().contains("is writable by other users"), "{e}");
        }
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(
            DiskTokens::from_setting(Some(shared.to_str().unwrap()))
                .unwrap()
                .is_some()
        );
        // A directory that does not exist yet is made private on first write.
        let fresh = dir.path().join("fresh");
        assert!(
            DiskTokens::from_setting(Some(fresh.to_str().unwrap()))
                .unwrap()
                .is_some()
        );
        assert_eq!(DiskTokens::from_setting(Some("off")), Ok(None));
        assert_eq!(DiskTokens::from_setting(None), Ok(None));
    }

    #[test]
    fn stale_tokens_are_not_returned_and_are_dropped_on_write() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskTokens::in_dir(dir.path());
        cache.put("u1", "a", &jwt(now() + 30)).unwrap();
        assert_eq!(cache.get("u1", "a", Duration::from_secs(60)), None, "within the margin");
        cache.put("u2", "a", &jwt(now() - 10)).unwrap();
        cache.put("u3", "a", &jwt(now() + 3600)).unwrap();
        let text = std::fs::read_to_string(cache.path()).unwrap();
        assert!(!text.contains("u2 a"), "{text}");
        assert!(text.contains("u3 a"), "{text}");
    }

    #[test]
    fn a_corrupt_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskTokens::in_dir(dir.path());
        std::fs::write(cache.path(), "{not json").unwrap();
        assert_eq!(cache.get("u", "a", Duration::ZERO), None);
        cache.put("u", "a", &jwt(now() + 3600)).unwrap();
        assert!(cache.get("u", "a", Duration::ZERO).is_some());
    }

    #[test]
    fn the_setting_picks_the_place() {
        assert_eq!(DiskTokens::from_setting(None), Ok(None));
        assert_eq!(DiskTokens::from_setting(Some("off")), Ok(None));
        assert_eq!(DiskTokens::from_setting(Some("")), Ok(None));
        assert_eq!(
            DiskTokens::from_setting(Some("/nonexistent-polycache/pc")),
            Ok(Some(DiskTokens::in_dir(Path::new("/nonexistent-polycache/pc"))))
        );
    }
}
