//! A TCP listener whose connections a handler can drop without sending a response.
//!
//! Each accepted stream carries a [`ConnHandle`]; a handler receives it through
//! `ConnectInfo` and calls [`ConnHandle::kill`]. From then on every read or write on the
//! stream fails, so hyper gives up on the connection and closes the socket before a
//! single byte of the response is written: the client sees a connection error.
//!
//! The listener also holds up to slow and greedy clients: at most
//! [`Limits::max_connections`] connections are open at once (one more is accepted
//! and closed at once, so the others keep being served), and a connection that sends
//! nothing for [`Limits::read_timeout`] (a half-sent header or body, or an idle
//! keep-alive connection) is closed, and so is one whose request (head and body)
//! is not whole within that time of its first byte (a client trickling a byte at a
//! time would otherwise hold its place for ever). The idle timer is paused while a
//! request is being handled ([`ConnHandle::busy`]): hyper keeps reading the socket
//! meanwhile, and a handler that takes longer than the timeout (a `delay` fault, a
//! wait for the state file's lock) still answers.

use std::{
    future::Future,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{extract::connect_info::Connected, serve::IncomingStream};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
    time::{Instant, Sleep},
};

/// How many connections the listener keeps and how long it waits for a byte.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_connections: usize,
    pub(crate) read_timeout: Duration,
}

/// The listener handed to `axum::serve`.
#[derive(Debug)]
pub(crate) struct KillableListener {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    read_timeout: Duration,
}

impl KillableListener {
    pub(crate) fn new(inner: TcpListener, limits: Limits) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            read_timeout: limits.read_timeout,
        }
    }
}

impl axum::serve::Listener for KillableListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let Ok(permit) = self.permits.clone().try_acquire_owned() else {
                        // Closing it at once keeps the backlog free for the clients
                        // being served, and tells this one to come back later.
                        tracing::warn!(%addr, "connection refused: too many connections open");
                        drop(stream);
                        continue;
                    };
                    // Small JSON answers: do not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    let stream = KillableStream {
                        inner: stream,
                        handle: ConnHandle::default(),
                        read_timeout: self.read_timeout,
                        idle: None,
                        request_started: None,
                        replacement: None,
                        _permit: permit,
                    };
                    return (stream, addr);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    // Per-connection errors are harmless; running out of file
                    // descriptors needs a pause before the next try.
                    if !matches!(
                        err.kind(),
                        io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionRefused
                            | io::ErrorKind::ConnectionReset
                    ) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// The kill switch of one connection, and whether a request on it is being
/// handled.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnHandle {
    killed: Arc<AtomicBool>,
    in_flight: Arc<AtomicUsize>,
}

/// A request being handled on a connection: the connection's read timeout is
/// paused until it is dropped.
#[derive(Debug)]
pub(crate) struct Busy {
    in_flight: Arc<AtomicUsize>,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ConnHandle {
    /// Makes every further read and write on the connection fail: the response being
    /// prepared is never sent and the socket is closed.
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Marks a request as being handled until the guard is dropped (once its
    /// response is made): the client owes no bytes meanwhile, so the read timeout
    /// does not run.
    pub(crate) fn busy(&self) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy {
            in_flight: self.in_flight.clone(),
        }
    }

    fn is_busy(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) > 0
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.io().handle.clone()
    }
}

/// A TCP stream that fails every operation once its [`ConnHandle`] is killed.
#[derive(Debug)]
pub(crate) struct KillableStream {
    inner: TcpStream,
    handle: ConnHandle,
    read_timeout: Duration,
    /// Running while a read waits for bytes and no request is being handled;
    /// reset whenever some arrive, and while a request is handled.
    idle: Option<Pin<Box<Sleep>>>,
    /// When the first byte of the request being received arrived; cleared once
    /// it is whole (its handler runs, or an answer is written).
    request_started: Option<Instant>,
    /// An envelope being written in place of hyper's own empty error answer, and
    /// how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
    /// Frees the connection's place when the stream is dropped.
    _permit: OwnedSemaphorePermit,
}

/// hyper answers a request it cannot parse (bytes not allowed in the request line,
/// a URI or headers too long) itself, before any handler, with an empty body. Every
/// answer of the emulator is Cloudflare's envelope with a `cf-ray` header, so such
/// an answer is replaced by one: the status stays, the body says what was wrong.
fn envelope_for_hyper_error(buf: &[u8]) -> Option<Vec<u8>> {
    const ANSWERS: &[(&str, u64, &str)] = &[
        (
            "HTTP/1.1 400 Bad Request\r\n",
            crate::error_codes::MALFORMED_REQUEST,
            "The request could not be parsed: its request line or headers have bytes HTTP does not allow",
        ),
        (
            "HTTP/1.1 414 URI Too Long\r\n",
            crate::error_codes::URI_TOO_LONG,
            "The request URI is too long",
        ),
        (
            "HTTP/1.1 431 Request Header Fields Too Large\r\n",
            crate::error_codes::HEADERS_TOO_LARGE,
            "The request headers are too large",
        ),
    ];
    let head = std::str::from_utf8(buf.get(..buf.len().min(512))?).ok()?;
    if !head
        .to_ascii_lowercase()
        .contains("\r\ncontent-length: 0\r\n")
    {
        return None;
    }
    let (status_line, code, message) =
        ANSWERS.iter().find(|(line, _, _)| head.starts_with(line))?;
    let body = super::ApiMessage::new(axum::http::StatusCode::BAD_REQUEST, *code, *message)
        .body()
        .to_string();
    Some(
        format!(
            "{status_line}content-type: application/json\r\ncontent-length: {}\r\ncf-ray: {}\r\nconnection: close\r\n\r\n{body}",
            body.len(),
            super::RayId::random().0
        )
        .into_bytes(),
    )
}

fn aborted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped by an injected fault",
    )
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(aborted()));
        }
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.idle = None;
                if this.handle.is_busy() {
                    this.request_started = None;
                } else if buf.filled().len() > before {
                    let started = *this.request_started.get_or_insert_with(Instant::now);
                    if started.elapsed() > this.read_timeout {
                        return Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the client did not send its whole request within the read timeout",
                        )));
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => {
                this.idle = None;
                Poll::Ready(Err(e))
            }
            Poll::Pending if this.handle.is_busy() => {
                // Once the response is made, hyper reads again and the timer
                // starts afresh.
                this.idle = None;
                Poll::Pending
            }
            Poll::Pending => {
                let timeout = this.read_timeout;
                let idle = this
                    .idle
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match idle.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client sent nothing for the read timeout",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl KillableStream {
    /// When `buf` starts hyper's own empty error answer (or one is being replaced),
    /// writes the envelope in its place: `Some` with the progress, `None` otherwise.
    fn poll_replacing(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<Poll<io::Result<()>>> {
        if self.replacement.is_none() {
            self.replacement = Some((envelope_for_hyper_error(buf)?, 0));
        }
        let (bytes, written) = self.replacement.as_mut()?;
        while *written < bytes.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(0)) => {
                    return Some(Poll::Ready(Err(io::ErrorKind::WriteZero.into())));
                }
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => return Some(Poll::Ready(Err(e))),
                Poll::Pending => return Some(Poll::Pending),
            }
        }
        Some(Poll::Ready(Ok(())))
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(aborted()));
        }
        let this = &mut *self;
        // An answer is being written: the request it answers is whole.
        this.request_started = None;
        if let Some(done) = this.poll_replacing(cx, buf) {
            return done.map_ok(|()| buf.len());
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(aborted()));
        }
        let this = &mut *self;
        this.request_started = None;
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        if let Some(done) = this.poll_replacing(cx, first) {
            let total = bufs.iter().map(|b| b.len()).sum();
            return done.map_ok(|()| total);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.handle.is_killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
