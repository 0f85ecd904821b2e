//! What to do about an error: each error enum of the library says it itself, as hl's
//! `Error::tips()` does, so that every place that shows the error (a command's last line, a
//! `doctor` row) gives the same advice, written once beside the error.

/// An error that knows what the user can do about it.
pub trait Hint: std::fmt::Display {
    /// The next step, in words (a flag, a setting, a command to run); `None` when there is
    /// nothing better to say than the message.
    fn hint(&self) -> Option<String>;
}
