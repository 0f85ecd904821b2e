//! The edge where library errors become one readable message, a hint and an exit code.

use crate::config::ConfigError;
use crate::demo::DemoError;
use crate::graph::GraphError;
use crate::hint::Hint;
use crate::store::StoreError;

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const PARTIAL: u8 = 3;
    pub const AUTH: u8 = 4;
    /// Stopped by Ctrl-C or SIGTERM before the work was done (128 + SIGINT, as shells
    /// report it); the output says what was done.
    pub const INTERRUPTED: u8 = 130;
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

impl Failure {
    /// The failure of an error that knows its hint ([`Hint`]), with exit code `code`.
    pub fn of(code: u8, e: &dyn Hint) -> Failure {
        Failure {
            message: e.to_string(),
            hint: e.hint(),
            code,
        }
    }
}

impl From<GraphError> for Failure {
    fn from(e: GraphError) -> Failure {
        let code = match e {
            GraphError::UnknownType { .. } => exit::USAGE,
            _ => exit::ERROR,
        };
        Failure::of(code, &e)
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::of(exit::USAGE, &e)
    }
}

impl From<crate::client::CaError> for Failure {
    fn from(e: crate::client::CaError) -> Failure {
        let code = match e {
            crate::client::CaError::Client { .. } => exit::ERROR,
            _ => exit::USAGE,
        };
        Failure::of(code, &e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        let code = match e {
            StoreError::BadUrl { .. } => exit::USAGE,
            StoreError::Auth { .. } => exit::AUTH,
            _ => exit::ERROR,
        };
        Failure::of(code, &e)
    }
}

impl From<DemoError> for Failure {
    fn from(e: DemoError) -> Failure {
        match e {
            DemoError::Node(e) => Failure::from(e),
            DemoError::Settings(e) => Failure::from(e),
            DemoError::Client(e) => Failure::from(e),
            DemoError::Dir { .. } | DemoError::EnvFile { .. } => Failure::of(exit::ERROR, &e),
        }
    }
}
