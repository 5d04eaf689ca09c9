//! The only writer to standard output and standard error.
//!
//! Results go to stdout; errors, prompts, progress and logs go to stderr. A reader
//! that goes away (`cf-bindings ... | head`) is a normal end: a write to a closed
//! stdout gives [`Failure::Closed`], which ends the program quietly with status 0,
//! as `ls | head` does. Any other write error on stdout (a full disk) is a failure
//! of its own. A write to stderr that fails is dropped: there is nowhere left to
//! say so, and the exit status still tells.
//!
//! Text for a person is escaped by [`printable`]: a table cell, a message or a log
//! line on stderr with control or bidirectional format characters in it (from a
//! hostile server, say) cannot drive the terminal. JSON output escapes control
//! characters itself (format characters are data there, as in any JSON).
//!
//! Rust ignores SIGPIPE, so a closed pipe shows up here as an `EPIPE` error
//! rather than killing the process; that is what lets the embedded emulator shut
//! down cleanly, so the signal's disposition is left as it is.

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use cf_bindings::wait::LongWait;
use serde_json::Value;

use crate::exit::Failure;
use crate::table::{Table, printable, printable_log};

/// Writes `text` to stdout as is, and flushes it.
pub fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(stdout_failure)
}

/// Writes one line to stdout.
pub fn line(text: &str) -> Result<(), Failure> {
    out(&format!("{text}\n"))
}

/// A write whose reader may have gone: for output that must not stop the work it
/// reports (`apply` makes its changes even when nobody reads its table). Other
/// errors still fail.
pub fn unless_closed(written: Result<(), Failure>) -> Result<(), Failure> {
    match written {
        Err(Failure::Closed) => Ok(()),
        other => other,
    }
}

/// Writes a JSON value to stdout, pretty-printed, on lines of its own.
pub fn json(value: &Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::unfulfilled(format!("cannot render the result as JSON: {e}")))?;
    line(&text)
}

/// Writes a table to stdout, coloured when a person is looking.
pub fn table(table: &Table) -> Result<(), Failure> {
    out(&table.render(stdout_colour()))
}

/// Writes one line to stderr (progress, notes), its control characters escaped.
/// Errors are dropped.
pub fn note(text: &str) {
    to_stderr(&format!("{}\n", printable(text)));
}

/// Writes a question to stderr, without a newline, for the answer to follow; its
/// control characters escaped.
pub fn prompt(text: &str) {
    to_stderr(&printable(text));
}

/// Says why the command failed, on stderr, and gives its exit code. A closed
/// stdout says nothing.
pub fn report(failure: &Failure) -> ExitCode {
    if let Some(message) = failure.message() {
        note(&format!("error: {message}"));
    }
    failure.exit_code()
}

/// Prints what clap has to say instead of running a command (help, version, or a
/// usage error) and gives the exit code clap documents: 0 after help, 2 after an
/// error.
pub fn clap_message(error: &clap::Error) -> ExitCode {
    let styled = error.render();
    if error.use_stderr() {
        let text = if stderr_colour() {
            styled.ansi().to_string()
        } else {
            styled.to_string()
        };
        to_stderr(&text);
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    }
    let text = if stdout_colour() {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    };
    match out(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
}

/// Whether stdout gets colour: a terminal, and no `NO_COLOR` in the environment.
pub fn stdout_colour() -> bool {
    colour_allowed() && io::stdout().is_terminal()
}

/// Whether stderr gets colour: a terminal, and no `NO_COLOR` in the environment.
pub fn stderr_colour() -> bool {
    colour_allowed() && io::stderr().is_terminal()
}

/// Whether a person is watching stderr (for a spinner).
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn stdout_failure(error: io::Error) -> Failure {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Failure::Closed
    } else {
        Failure::unfulfilled(format!("cannot write to standard output: {error}"))
    }
}

fn to_stderr(text: &str) {
    let _ = write_stderr(text);
}

fn write_stderr(text: &str) -> io::Result<()> {
    let mut stderr = io::stderr().lock();
    stderr.write_all(text.as_bytes())?;
    stderr.flush()
}

/// The writer of log lines (tracing): stderr, with errors dropped. The logger
/// escapes the escape characters of what it logs but not the other control or
/// format characters, so each line is escaped here as [`printable`] escapes a
/// note, keeping its line breaks and, with `colour`, its colours.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWriter {
    /// Whether the lines carry colour codes (the logger's `with_ansi`).
    pub colour: bool,
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The logger writes each event whole, as UTF-8.
        let text = String::from_utf8_lossy(buf);
        let _ = io::stderr()
            .lock()
            .write_all(printable_log(&text, self.colour).as_bytes());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}

/// Tells a long wait of the client (more than two seconds: a `Retry-After`, a
/// backoff, the rate limit, a poll of a provisioning binding): at the end of the
/// progress line while one is drawn, counting down, else as one line on stderr.
/// Given to the client as its `on_long_wait` callback.
pub fn long_wait(wait: &LongWait) {
    let mut line = progress_line();
    if line.drawn {
        line.wait = Some((Instant::now(), wait.clone()));
    } else {
        drop(line);
        note(&wait.to_string());
    }
}

/// What the progress line shows at its end, shared with the client's callback.
struct ProgressLine {
    /// Whether a progress line is drawn.
    drawn: bool,
    /// The line's own text (a binding's state).
    message: String,
    /// The long wait in progress, and when it was told.
    wait: Option<(Instant, LongWait)>,
}

static PROGRESS_LINE: Mutex<ProgressLine> = Mutex::new(ProgressLine {
    drawn: false,
    message: String::new(),
    wait: None,
});

fn progress_line() -> MutexGuard<'static, ProgressLine> {
    PROGRESS_LINE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A progress line on stderr, drawn through this module: a bar of steps or a
/// spinner. While it is drawn, the client's long waits show at its end, counting
/// down, instead of as lines of their own. Dropping it clears it.
pub struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    /// A bar of `len` steps; lines printed with [`Progress::println`] appear above
    /// it.
    pub fn bar(len: usize) -> Progress {
        let style = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len}{status}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .with_key(
                "status",
                |state: &indicatif::ProgressState, w: &mut dyn fmt::Write| {
                    // The bar, a space, `pos/len`.
                    let used = 32
                        + state.pos().to_string().len()
                        + state.len().unwrap_or(0).to_string().len();
                    status(used, w);
                },
            );
        Progress::start(Some(len as u64), style, Duration::from_secs(1))
    }

    /// A spinner, followed by a message ([`Progress::set_message`]).
    pub fn spinner() -> Progress {
        let style = indicatif::ProgressStyle::with_template("{spinner}{status}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
            .with_key(
                "status",
                |_: &indicatif::ProgressState, w: &mut dyn fmt::Write| {
                    status(1, w);
                },
            );
        Progress::start(None, style, Duration::from_millis(120))
    }

    fn start(len: Option<u64>, style: indicatif::ProgressStyle, tick: Duration) -> Progress {
        *progress_line() = ProgressLine {
            drawn: true,
            message: String::new(),
            wait: None,
        };
        let target = indicatif::ProgressDrawTarget::term_like(Box::new(StderrTerminal));
        let bar = indicatif::ProgressBar::with_draw_target(len, target);
        bar.set_style(style);
        bar.enable_steady_tick(tick);
        Progress { bar }
    }

    /// Prints a line above the progress line.
    pub fn println(&self, line: impl AsRef<str>) {
        self.bar.println(line);
    }

    /// Counts one more step done.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Sets the text after the spinner.
    pub fn set_message(&self, text: impl Into<String>) {
        progress_line().message = text.into();
        self.bar.tick();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
        *progress_line() = ProgressLine {
            drawn: false,
            message: String::new(),
            wait: None,
        };
    }
}

/// Writes the end of the progress line: the long wait in progress with what is
/// left of it, or else the line's message; cut to the width of the terminal less
/// the `used` columns before it.
fn status(used: usize, w: &mut dyn fmt::Write) {
    let text = {
        let line = progress_line();
        let waiting = line.wait.as_ref().and_then(|(told, wait)| {
            countdown(told.elapsed(), wait.duration).map(|elapsed| wait.after(elapsed))
        });
        waiting.map_or_else(|| line.message.clone(), |wait| wait.to_string())
    };
    // A space before the text, and a column left free so the line never wraps.
    let room = usize::from(progress_width()).saturating_sub(used + 2);
    let _ = w.write_str(&fitted(&text, room));
}

/// How much of a wait of `duration` to count as past when `elapsed` has passed
/// since it was told: whole seconds, so that it counts down 5s, 4s, 3s rather than
/// 4.9s, 3.9s; `None` once it is over.
fn countdown(elapsed: Duration, duration: Duration) -> Option<Duration> {
    (elapsed < duration).then(|| Duration::from_secs(elapsed.as_secs()))
}

/// A space, then `text` cut to `room` columns, with an ellipsis in the last column
/// when cut; nothing for no text or no room.
fn fitted(text: &str, room: usize) -> String {
    if text.is_empty() || room == 0 {
        return String::new();
    }
    let mut shown: String = text.chars().take(room).collect();
    if text.chars().count() > room {
        shown.pop();
        shown.push('…');
    }
    format!(" {shown}")
}

/// The widest a progress line gets: a wide terminal does not make it longer.
const MAX_PROGRESS_WIDTH: u16 = 80;

/// The terminal's width (80 columns when unknown).
fn terminal_width() -> u16 {
    terminal_size::terminal_size().map_or(80, |(width, _)| width.0)
}

/// The width of a progress line's text: the terminal's, up to
/// [`MAX_PROGRESS_WIDTH`]. (indicatif itself is told the terminal's true width:
/// it pads each line to it to move on to the next.)
fn progress_width() -> u16 {
    terminal_width().min(MAX_PROGRESS_WIDTH)
}

/// Stderr as a terminal for indicatif: ANSI cursor movements, nothing else.
#[derive(Debug)]
struct StderrTerminal;

impl indicatif::TermLike for StderrTerminal {
    fn width(&self) -> u16 {
        terminal_width()
    }

    fn height(&self) -> u16 {
        terminal_size::terminal_size().map_or(24, |(_, height)| height.0)
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        move_cursor(n, 'A')
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        move_cursor(n, 'B')
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        move_cursor(n, 'C')
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        move_cursor(n, 'D')
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        write_stderr(&format!("{}\n", printable(s)))
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        write_stderr(&printable(s))
    }

    fn clear_line(&self) -> io::Result<()> {
        write_stderr("\r\x1b[2K")
    }

    fn flush(&self) -> io::Result<()> {
        io::stderr().flush()
    }
}

fn move_cursor(n: usize, direction: char) -> io::Result<()> {
    if n == 0 {
        return Ok(());
    }
    write_stderr(&format!("\x1b[{n}{direction}"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{countdown, fitted};

    #[test]
    fn a_wait_counts_down_in_whole_seconds_until_it_is_over() {
        let secs = Duration::from_secs;
        let wait = secs(3);
        assert_eq!(countdown(Duration::ZERO, wait), Some(Duration::ZERO));
        assert_eq!(countdown(Duration::from_millis(1_500), wait), Some(secs(1)));
        assert_eq!(countdown(Duration::from_millis(2_999), wait), Some(secs(2)));
        // Over: the line's own message again, never `waiting 0s`.
        assert_eq!(countdown(wait, wait), None);
        assert_eq!(countdown(secs(4), wait), None);
    }

    #[test]
    fn the_status_is_cut_to_its_room_with_an_ellipsis() {
        assert_eq!(fitted("waiting 3s", 20), " waiting 3s");
        assert_eq!(fitted("waiting 3s", 10), " waiting 3s");
        assert_eq!(fitted("waiting 3s", 9), " waiting …");
        assert_eq!(fitted("waiting 3s", 1), " …");
        assert_eq!(fitted("waiting 3s", 0), "");
        assert_eq!(fitted("", 20), "");
    }
}
