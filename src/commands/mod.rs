//! One module per subcommand: glue that takes settings and flags, calls the library, and
//! hands typed results to the [`Printer`]; or returns a [`Failure`](crate::error::Failure).
//! No command does HTTP itself or calls another command.

pub mod check;
pub mod completions;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod graph;
pub mod invalidate;
pub mod logs;
pub mod redis;
pub mod serve;
pub mod tail;
pub mod top;

use crate::cli::GlobalArgs;
use crate::config::Settings;
use crate::output::Printer;

/// What every command gets: the resolved settings, the global flags, the graph file and
/// the run's one [`Printer`], which alone writes to stdout and stderr.
pub struct Context {
    pub settings: Settings,
    pub global: GlobalArgs,
    /// The graph file `--graph` names, for the commands that take it.
    pub graph_file: Option<std::path::PathBuf>,
    pub out: Printer,
    pub cwd: std::path::PathBuf,
}

impl Context {
    /// Loads the dependency graph by the rules of PROTOCOL section 5.
    pub fn graph(&self) -> Result<crate::graph::Graph, crate::error::Failure> {
        Ok(crate::graph::Graph::load(self.graph_file.as_deref(), &self.cwd)?)
    }

    /// The browser half of the cascade: the invalidator `--invalidator` names (an error when
    /// it cannot be read), else the one found searching up (a warning then, and no browser
    /// half), else none.
    pub fn browsers(
        &self,
        flag: &crate::cli::InvalidatorArgs,
        graph: &crate::graph::Graph,
    ) -> Result<Option<crate::check::browser::Browsers>, crate::error::Failure> {
        use crate::check::browser::{self, Browsers};
        match &flag.invalidator {
            Some(file) => {
                let path = self.cwd.join(file);
                Browsers::load(&path, &browser::root_of(&path), graph)
                    .map(Some)
                    .map_err(|e| {
                        crate::error::Failure::error(e.to_string()).with_hint(
                            "--invalidator names the component that handles app-update events (StreamInvalidator.tsx)",
                        )
                    })
            }
            None => match browser::discover(&self.cwd) {
                None => Ok(None),
                Some((path, root)) => match Browsers::load(&path, &root, graph) {
                    Ok(b) => Ok(Some(b)),
                    Err(e) => {
                        self.out.warn(&format!("{e}; what browsers reset is not shown"));
                        Ok(None)
                    }
                },
            },
        }
    }
}
