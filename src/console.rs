//! Everything sitrep says to a person: diagnostics, summaries and progress, on stderr,
//! coloured only on a terminal.

use std::io::{IsTerminal, Write};

use crate::diagnostics::{Diagnostic, Severity};

fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Print diagnostics, errors first, each on its own line.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by(|a, b| (a.severity, &a.file, a.line, a.column).cmp(&(b.severity, &b.file, b.line, b.column)));
    let use_colour = colour();
    let mut err = std::io::stderr().lock();
    for d in sorted {
        let line = d.to_string();
        if use_colour {
            let code = match d.severity {
                Severity::Error => "31",
                Severity::Warning => "33",
            };
            let _ = writeln!(err, "\x1b[{code}m{line}\x1b[0m");
        } else {
            let _ = writeln!(err, "{line}");
        }
    }
}

/// A one-line message to the user.
pub fn say(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// "error: …" for failures that are not about one file.
pub fn fail(message: &str) {
    let text = format!("error: {message}");
    if colour() {
        say(&format!("\x1b[31m{text}\x1b[0m"));
    } else {
        say(&text);
    }
}

pub fn count_errors(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// A progress bar on stderr for long stages; invisible in a pipe or for short work.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// A bar for `total` steps, shown only on a terminal and only when the work is long.
    pub fn new(label: &str, total: usize, enabled: bool) -> Self {
        if !enabled || total < 200 || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {eta}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_string());
        Progress(Some(bar))
    }

    pub fn tick(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    pub fn finish(self) {
        if let Some(b) = self.0 {
            b.finish_and_clear();
        }
    }
}
