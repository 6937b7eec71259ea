//! A connection's bytes on their way out, where the one answer the HTTP library writes by
//! itself that a client can provoke on purpose, a 431 with an empty body for headers past its
//! own limits, becomes a problem with a request id like every other refusal.
//!
//! The service's own limits ([`crate::app`]'s `limit_headers`) are far below the library's, so
//! this is met only by headers of hundreds of kilobytes or hundreds of fields. The library
//! writes such an answer as one response head with `content-length: 0` and then closes the
//! connection; the service's own 431 always has a body, so the two cannot be mistaken.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::http::StatusCode;
use hyper::rt::{Read, ReadBufCursor, Write};

use super::error::ApiError;

/// An HTTP/1 connection whose bare 431 answers are rewritten (see the module's doc).
pub struct ProblemRefusals<I> {
    inner: I,
    max_header_bytes: usize,
    max_header_fields: usize,
    /// A rewritten answer still being written, and how much of it is.
    pending: Option<(Vec<u8>, usize)>,
}

impl<I> ProblemRefusals<I> {
    pub fn new(inner: I, max_header_bytes: usize, max_header_fields: usize) -> Self {
        ProblemRefusals {
            inner,
            max_header_bytes,
            max_header_fields,
            pending: None,
        }
    }

    /// The answer written instead of the library's.
    fn problem(&self) -> Vec<u8> {
        let body = ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            "The request headers are too large",
            format!(
                "request headers are limited to {} bytes in all and {} fields; these are far over",
                self.max_header_bytes, self.max_header_fields
            ),
        )
        .body();
        format!(
            "HTTP/1.1 431 Request Header Fields Too Large\r\n\
             content-type: application/problem+json\r\n\
             x-request-id: {}\r\n\
             connection: close\r\n\
             content-length: {}\r\n\r\n{body}",
            uuid::Uuid::new_v4(),
            body.len()
        )
        .into_bytes()
    }
}

/// Whether `head` is the library's own 431: a response head with an empty body.
fn is_bare_431(head: &[u8]) -> bool {
    const START: &[u8] = b"HTTP/1.1 431 ";
    if !head.starts_with(START) {
        return false;
    }
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(head.len());
    head[..end]
        .split(|b| *b == b'\n')
        .any(|line| line.eq_ignore_ascii_case(b"content-length: 0\r"))
}

impl<I: Write + Unpin> ProblemRefusals<I> {
    /// Writes what is left of a rewritten answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written >= bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `len` bytes of the library's answer as written, and queues the problem instead.
    fn rewrite(&mut self, cx: &mut Context<'_>, len: usize) -> Poll<io::Result<usize>> {
        self.pending = Some((self.problem(), 0));
        // Whatever is not written now is written by the flush the library calls next.
        if let Poll::Ready(Err(e)) = self.poll_pending(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(len))
    }
}

impl<I: Read + Unpin> Read for ProblemRefusals<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<I: Write + Unpin> Write for ProblemRefusals<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if is_bare_431(buf) {
            return this.rewrite(cx, buf.len());
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        let first = bufs.iter().find(|b| !b.is_empty());
        if first.is_some_and(|b| is_bare_431(b)) {
            let len = bufs.iter().map(|b| b.len()).sum();
            return this.rewrite(cx, len);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::is_bare_431;

    #[test]
    fn only_the_library_s_empty_431_is_rewritten() {
        assert!(is_bare_431(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n"
        ));
        // The service's own 431 has a body.
        assert!(!is_bare_431(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 180\r\n\r\n{}"
        ));
        assert!(!is_bare_431(
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
        ));
        // A body that happens to say so does not count.
        assert!(!is_bare_431(
            b"HTTP/1.1 431 x\r\ncontent-length: 20\r\n\r\ncontent-length: 0\r\n"
        ));
    }
}
