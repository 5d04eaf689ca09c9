//! SIGINT (Ctrl-C) and SIGTERM (how CI cancels a job), for the commands that must
//! not be cut short: `apply` and the waits. The only module that knows about the
//! operating system's signals.
//!
//! Once [`Signals::listen`] is called, those signals no longer end the program by
//! themselves: the command asks for them with [`Signals::next`] and decides.
//! `apply` finishes the step in flight on the first and exits at once on the
//! second; a wait stops at the first. Each ends with the exit code of its signal
//! ([`Signal::exit`]), as a shell reports a program that a signal killed.

use crate::exit::Exit;

/// A signal that asks the program to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C on a terminal.
    Interrupt,
    /// SIGTERM: a service manager or CI cancelling the job.
    Terminate,
}

impl Signal {
    /// `SIGINT`, `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a command it stopped: 128 + the signal's number.
    pub fn exit(self) -> Exit {
        match self {
            Signal::Interrupt => Exit::Interrupted,
            Signal::Terminate => Exit::Terminated,
        }
    }
}

/// The SIGINT and SIGTERM received since [`Signals::listen`].
pub struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
    first: Option<Signal>,
}

impl Signals {
    /// Starts listening (in a tokio runtime): from now on, to the end of the
    /// program, SIGINT and SIGTERM are told to [`Signals::next`] instead of ending
    /// it. When they cannot be listened to, a warning says so and they keep their
    /// default action.
    pub fn listen() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(interrupt), Ok(terminate)) => Some((interrupt, terminate)),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!("cannot listen for SIGINT and SIGTERM: {e}");
                    None
                }
            };
            Signals {
                streams,
                first: None,
            }
        }
        #[cfg(not(unix))]
        {
            Signals { first: None }
        }
    }

    /// The next signal, one received since the last call included (signals that
    /// come together count once); never ends when none can be listened to.
    pub async fn next(&mut self) -> Signal {
        let signal = self.receive().await;
        self.first.get_or_insert(signal);
        signal
    }

    /// The first signal [`Signals::next`] returned, if any.
    pub fn first(&self) -> Option<Signal> {
        self.first
    }

    #[cfg(unix)]
    async fn receive(&mut self) -> Signal {
        let Some((interrupt, terminate)) = &mut self.streams else {
            return std::future::pending().await;
        };
        tokio::select! {
            Some(()) = interrupt.recv() => Signal::Interrupt,
            Some(()) = terminate.recv() => Signal::Terminate,
            else => std::future::pending().await,
        }
    }

    #[cfg(not(unix))]
    async fn receive(&mut self) -> Signal {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Signal::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}
