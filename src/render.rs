//! How results look: tables and colour for people, JSON for scripts. Library code never
//! prints; commands hand their typed results here.

use std::io::IsTerminal;

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::ColorChoice;

/// Colour on or off, decided once from `--color`, NO_COLOR and whether stdout is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn detect(choice: ColorChoice) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
            }
        };
        Style { color }
    }

    pub fn plain() -> Style {
        Style { color: false }
    }

    /// Appends `s` to `out` in the colour `code` (an SGR code such as `"31"` or `"1;31"`),
    /// allocating nothing: for output written in a hot loop.
    pub fn paint_into(&self, out: &mut Vec<u8>, code: &str, s: &[u8]) {
        self.start(out, code);
        out.extend_from_slice(s);
        self.end(out, code);
    }

    /// Starts the colour `code` in `out` (for a piece built in place); [`Style::end`] ends it.
    pub fn start(&self, out: &mut Vec<u8>, code: &str) {
        if self.color && !code.is_empty() {
            out.extend_from_slice(b"\x1b[");
            out.extend_from_slice(code.as_bytes());
            out.push(b'm');
        }
    }

    pub fn end(&self, out: &mut Vec<u8>, code: &str) {
        if self.color && !code.is_empty() {
            out.extend_from_slice(b"\x1b[0m");
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    pub fn blue(&self, s: &str) -> String {
        self.paint("34", s)
    }
    pub fn magenta(&self, s: &str) -> String {
        self.paint("35", s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }
}

/// A table in the house style, with the given header.
pub fn table(style: Style, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| style.bold(h)));
    if !std::io::stdout().is_terminal() {
        // Without a terminal there is no width to fit; never wrap cells mid-word.
        t.set_content_arrangement(ContentArrangement::Disabled);
    }
    t
}

/// Pretty JSON for `--json`, with a trailing newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
