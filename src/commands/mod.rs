//! One module per subcommand: glue that takes settings and flags and returns a typed
//! result for `render`, or a [`Failure`](crate::error::Failure).

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
pub mod targets;

use crate::cli::GlobalArgs;
use crate::config::Settings;
use crate::render::Style;

/// What every command gets: the resolved settings, the global flags, the graph file and the
/// output style.
pub struct Context {
    pub settings: Settings,
    pub global: GlobalArgs,
    /// The graph file `--graph` names, for the commands that take it.
    pub graph_file: Option<std::path::PathBuf>,
    pub style: Style,
    pub cwd: std::path::PathBuf,
}

impl Context {
    /// Loads the dependency graph by the rules of PROTOCOL section 5.
    pub fn graph(&self) -> Result<crate::graph::Graph, crate::error::Failure> {
        Ok(crate::graph::Graph::load(self.graph_file.as_deref(), &self.cwd)?)
    }
}
