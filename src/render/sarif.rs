//! The part of SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) that
//! `check --format sarif` writes, as serde types: a log of one run of one tool, its rules,
//! and results at a line and column of a file relative to the checkout.

use std::collections::BTreeMap;

use serde::Serialize;

/// The schema a SARIF 2.1.0 log names (the OASIS standard with its errata).
pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base every relative `uri` is resolved against: the checkout.
pub const ROOT: &str = "ROOT";

#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

impl Log {
    pub fn new(run: Run) -> Log {
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: vec![run],
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    /// `ROOT` -> the checkout as an absolute `file:` URL ending in `/`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
    /// What a column counts (SARIF's default is UTF-16 code units).
    pub column_kind: ColumnKind,
    pub results: Vec<Result>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
pub struct Driver {
    pub name: String,
    pub version: String,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub short_description: Message,
    pub default_configuration: Configuration,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: Level,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    Error,
    Note,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ColumnKind {
    UnicodeCodePoints,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub text: String,
}

impl Message {
    pub fn new(text: &str) -> Message {
        Message { text: text.to_string() }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Result {
    pub rule_id: String,
    pub rule_index: usize,
    pub level: Level,
    pub message: Message,
    pub locations: Vec<Location>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
}
