//! Colour, decided once: the bottom layer of output, below `render` and `logs`, so that
//! neither depends on the command line's types.

/// `--color`: when to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--color auto`, by the rules other command-line tools follow (the order anstream uses;
/// anstyle-query reads the variables): `NO_COLOR` turns colour off; else `CLICOLOR_FORCE`
/// (not `0`) colours even a pipe; else `CLICOLOR=0` turns it off; else a terminal gets
/// colour unless `TERM=dumb` (`CLICOLOR=1` colours even that).
pub fn auto_color(terminal: bool) -> bool {
    if anstyle_query::no_color() {
        return false;
    }
    if anstyle_query::clicolor_force() {
        return true;
    }
    match anstyle_query::clicolor() {
        Some(false) => false,
        Some(true) => terminal,
        None => terminal && anstyle_query::term_supports_color(),
    }
}

/// Colour on or off for one stream, decided once by the [`Printer`](crate::output::Printer)
/// from `--color`, NO_COLOR and whether the stream is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// The width text is fitted to (tables, prose): the terminal's; `None` when piped.
    pub width: Option<u16>,
}

impl Style {
    /// Colour for a stream that is (or is not) a terminal: `always`, `never`, or for `auto`
    /// the ecosystem's rules (see [`auto_color`]).
    pub fn for_stream(choice: ColorChoice, terminal: bool) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => auto_color(terminal),
        };
        Style { color, width: None }
    }

    /// The same style, fitted to `width` columns.
    pub fn with_width(self, width: Option<u16>) -> Style {
        Style { width, ..self }
    }

    /// The same choice for clap's help and usage errors (`terminal`: stdout is one).
    pub fn clap_choice(choice: ColorChoice, terminal: bool) -> clap::ColorChoice {
        match choice {
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
            ColorChoice::Auto if auto_color(terminal) => clap::ColorChoice::Always,
            ColorChoice::Auto => clap::ColorChoice::Never,
        }
    }

    /// A line of prose fitted to the width (left as it is when piped): broken only at
    /// spaces, so a path, a URL or a number is never split; continuation lines get `indent`.
    pub fn wrap(&self, line: &str, indent: &str) -> String {
        match self.width {
            Some(w) => textwrap::fill(
                line,
                textwrap::Options::new(usize::from(w))
                    .subsequent_indent(indent)
                    .break_words(false)
                    .word_splitter(textwrap::WordSplitter::NoHyphenation)
                    .word_separator(textwrap::WordSeparator::AsciiSpace),
            ),
            None => line.to_string(),
        }
    }

    /// Text fitted line by line: a line wider than the terminal is broken at spaces (as
    /// [`Style::wrap`]), its continuation lines indented two columns more than it; lines
    /// that fit (tables, trees) are left as they are.
    pub fn fit(&self, text: &str) -> String {
        let Some(w) = self.width else {
            return text.to_string();
        };
        if text.lines().all(|l| textwrap::core::display_width(l) <= usize::from(w)) {
            return text.to_string();
        }
        text.split('\n')
            .map(|l| {
                if textwrap::core::display_width(l) <= usize::from(w) {
                    return l.to_string();
                }
                let lead = l.len() - l.trim_start_matches(' ').len();
                self.wrap(l, &" ".repeat(lead + 2))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn plain() -> Style {
        Style {
            color: false,
            width: None,
        }
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
    /// Bright blue (SGR 94): the dark blue of SGR 34 is nearly unreadable on a black
    /// background, and 94 reads on light ones too.
    pub fn blue(&self, s: &str) -> String {
        self.paint("94", s)
    }
    pub fn magenta(&self, s: &str) -> String {
        self.paint("35", s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_dark_blue_text() {
        let st = Style {
            color: true,
            width: None,
        };
        assert_eq!(st.blue("x"), "\u{1b}[94mx\u{1b}[0m");
    }

    /// Prose wider than the terminal breaks at spaces only (never inside a time, a URL or a
    /// hyphenated word), continuation lines indented two more than the line; lines that fit
    /// and text for a pipe stay as they are.
    #[test]
    fn fit_breaks_long_lines_at_spaces_only() {
        let st = Style {
            color: false,
            width: Some(24),
        };
        let text = "25 entries from 2026-11-26T10:37:59.549Z to http://127.0.0.1:3333\n│ a ┆ b │\n";
        let fitted = st.fit(text);
        assert_eq!(
            fitted,
            "25 entries from\n  2026-11-26T10:37:59.549Z\n  to\n  http://127.0.0.1:3333\n│ a ┆ b │\n"
        );
        assert_eq!(
            st.fit("  indented line that is too long"),
            "  indented line that is\n    too long"
        );
        assert_eq!(Style::plain().fit(text), text);
        // Colour codes take no width.
        let coloured = Style {
            color: true,
            width: Some(10),
        };
        assert_eq!(coloured.fit(&coloured.red("0123456789")), coloured.red("0123456789"));
    }
}
