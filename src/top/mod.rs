//! `polycache top`: the whole cache on one screen. [`model`] is the state, fed with
//! events and told the time; [`draw`] turns it into a ratatui frame; the runtime that
//! feeds it (streams, probes, the log, Redis, keys) is `commands/top.rs`.

pub mod draw;
pub mod model;

pub use draw::{Theme, draw};
pub use model::{Input, State, TargetKind, TargetState};
