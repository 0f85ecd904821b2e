//! A pino-compatible NDJSON log writer (PROTOCOL section 6): one JSON object per line,
//! written and flushed line by line so a crash or shutdown never leaves a lost line.
//! Self-contained so other code (and tests) can produce the same format.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// pino's numeric levels: the same definitions the `logs` reader uses.
pub mod level {
    pub use crate::logs::parse::{DEBUG, ERROR, FATAL, INFO, TRACE, WARN};
}

/// Appends pino lines to a file (or, for the path `-`, to standard output: one process, one
/// stream, as containers expect). Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct LogWriter {
    path: PathBuf,
    file: Mutex<Sink>,
    /// Lines below this pino level are not written.
    min_level: u32,
    pid: u32,
    hostname: String,
}

#[derive(Debug)]
enum Sink {
    File(File),
    Stdout,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Stdout => std::io::stdout().lock().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Stdout => std::io::stdout().lock().flush(),
        }
    }
}

impl LogWriter {
    /// Opens (creating it and its parent directories) `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<LogWriter> {
        LogWriter::open_at(path, level::INFO)
    }

    /// [`LogWriter::open`], writing only lines at `min_level` or above.
    pub fn open_at(path: &Path, min_level: u32) -> std::io::Result<LogWriter> {
        let sink = if path == Path::new("-") {
            Sink::Stdout
        } else {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            Sink::File(OpenOptions::new().create(true).append(true).open(path)?)
        };
        Ok(LogWriter {
            path: path.to_path_buf(),
            file: Mutex::new(sink),
            min_level,
            pid: std::process::id(),
            hostname: hostname(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the path again and writes there from now on (logrotate moved the file away and
    /// sent SIGHUP): lines written before went to the old file, none is lost in between
    /// (the swap happens under the lock every line takes).
    pub fn reopen(&self) -> std::io::Result<()> {
        if self.path == Path::new("-") {
            return Ok(()); // standard output is not rotated
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let fresh = OpenOptions::new().create(true).append(true).open(&self.path)?;
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let _ = file.flush();
        *file = Sink::File(fresh);
        Ok(())
    }

    /// Writes one line: `level`, `time`, `pid`, `hostname`, `msg`, then `fields` in order.
    /// Errors writing the log are swallowed: logging must never take the server down.
    pub fn write(&self, lvl: u32, msg: &str, fields: Map<String, Value>) {
        if lvl < self.min_level {
            return;
        }
        let line = self.line(lvl, msg, fields);
        if let Ok(mut f) = self.file.lock() {
            // One write call per line (the file is unbuffered), so lines never interleave.
            let _ = f.write_all(line.as_bytes());
            let _ = f.flush();
        }
    }

    pub fn info(&self, msg: &str, fields: Map<String, Value>) {
        self.write(level::INFO, msg, fields);
    }

    /// An error line with pino's `err` object.
    pub fn error(&self, msg: &str, err: &dyn std::error::Error, mut fields: Map<String, Value>) {
        fields.insert("err".into(), err_object(err));
        self.write(level::ERROR, msg, fields);
    }

    /// The serialized line, newline included.
    pub fn line(&self, lvl: u32, msg: &str, fields: Map<String, Value>) -> String {
        let mut obj = Map::new();
        obj.insert("level".into(), lvl.into());
        obj.insert("time".into(), now_ms().into());
        obj.insert("pid".into(), self.pid.into());
        obj.insert("hostname".into(), self.hostname.clone().into());
        obj.insert("msg".into(), msg.into());
        for (k, v) in fields {
            obj.insert(k, v);
        }
        let mut s = Value::Object(obj).to_string();
        s.push('\n');
        s
    }

    /// Forces buffered data to disk (used at shutdown).
    pub fn sync(&self) {
        if let Ok(mut f) = self.file.lock() {
            match &mut *f {
                Sink::File(file) => {
                    let _ = file.sync_data();
                }
                Sink::Stdout => {
                    let _ = f.flush();
                }
            }
        }
    }
}

/// pino's serialized error: `{"type": "Error", "message": ..., "stack": ...}`; the stack
/// lists the error's chain of causes.
/// The pino level named `name` (`trace` ... `fatal`), as `--log-level` takes it.
pub fn level_named(name: &str) -> Option<u32> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "trace" => level::TRACE,
        "debug" => level::DEBUG,
        "info" => level::INFO,
        "warn" => level::WARN,
        "error" => level::ERROR,
        "fatal" => level::FATAL,
        _ => return None,
    })
}

pub fn err_object(err: &dyn std::error::Error) -> Value {
    let message = err.to_string();
    let mut stack = format!("Error: {message}");
    let mut source = err.source();
    while let Some(s) = source {
        stack.push_str(&format!("\n    caused by: {s}"));
        source = s.source();
    }
    serde_json::to_value(PinoError {
        kind: "Error",
        message,
        stack,
    })
    .unwrap_or(Value::Null)
}

/// The `err` field of a pino line.
#[derive(serde::Serialize)]
struct PinoError {
    #[serde(rename = "type")]
    kind: &'static str,
    message: String,
    stack: String,
}

/// Builds the context fields of a line: `fields!{"module" => "cache", "type" => t}`.
#[macro_export]
macro_rules! log_fields {
    ($($k:expr => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = serde_json::Map::new();
        $( m.insert($k.to_string(), serde_json::to_value(&$v).unwrap_or(serde_json::Value::Null)); )*
        m
    }};
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The machine's name, as pino writes it (every platform: `gethostname`).
pub fn hostname() -> String {
    Some(gethostname::gethostname().to_string_lossy().trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_pino_ndjson() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/logs/cache.json");
        let w = LogWriter::open(&path).unwrap();
        w.info(
            "cache invalidated",
            log_fields! {"module" => "cache", "type" => "posts"},
        );
        let io = std::io::Error::other("connection refused");
        w.error(
            "mirror failed",
            &io,
            log_fields! {"module" => "mirror", "target" => "b:1"},
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["level"], 30);
        assert_eq!(lines[0]["msg"], "cache invalidated");
        assert_eq!(lines[0]["module"], "cache");
        assert!(lines[0]["time"].as_u64().unwrap() > 1_600_000_000_000);
        assert_eq!(lines[1]["level"], 50);
        assert_eq!(lines[1]["err"]["type"], "Error");
        assert_eq!(lines[1]["err"]["message"], "connection refused");
        let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
        assert_eq!(keys[..5], ["level", "time", "pid", "hostname", "msg"]);
    }
}
