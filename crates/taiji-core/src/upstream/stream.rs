//! [`CompletionStream`]: the live reply of one completions call, as typed frames.
//!
//! Dropping it drops the HTTP response at once, which closes the connection (or resets the HTTP/2
//! stream); that is the only way to stop the model, so nothing here buffers or detaches the body.
//! Between chunks at most the configured idle timeout may pass; there is no overall deadline.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::error::UpstreamError;
use super::frames::{Frame, FrameDecoder, StreamItem};

type FrameStream = Pin<Box<dyn Stream<Item = Result<Frame, UpstreamError>> + Send>>;

/// The frames of one reply: `Text`* then `Final`, then the stream ends. An error is the last item.
/// Ending without an error means `[DONE]` was received.
pub struct CompletionStream {
    frames: FrameStream,
    task_id_header: Option<String>,
}

impl CompletionStream {
    /// Decodes a stream of raw body chunks. The client uses this for the HTTP body; tests and
    /// benchmarks can use it with any chunk source.
    pub fn from_chunks<S>(chunks: S, idle_timeout: Duration, task_id_header: Option<String>) -> Self
    where
        S: Stream<Item = Result<Bytes, UpstreamError>> + Send + 'static,
    {
        let frames = async_stream::stream! {
            let mut chunks = Box::pin(chunks);
            let mut decoder = FrameDecoder::new();
            let mut items = Vec::new();
            // One timer for the whole stream, moved only when it fires, instead of a timer set and
            // removed per chunk: it fires `idle_timeout` after the last chunk, or earlier and is
            // then pushed to that point.
            let mut last_chunk = tokio::time::Instant::now();
            let idle = tokio::time::sleep_until(last_chunk + idle_timeout);
            tokio::pin!(idle);
            loop {
                let chunk = tokio::select! {
                    biased;
                    chunk = chunks.next() => chunk,
                    () = &mut idle => {
                        let deadline = last_chunk + idle_timeout;
                        if tokio::time::Instant::now() < deadline {
                            idle.as_mut().reset(deadline);
                            continue;
                        }
                        yield Err(UpstreamError::StreamIdle(idle_timeout));
                        break;
                    }
                };
                match chunk {
                    Some(Ok(bytes)) => {
                        last_chunk = tokio::time::Instant::now();
                        decoder.feed(&bytes, &mut items);
                    }
                    Some(Err(error)) => {
                        yield Err(error);
                        break;
                    }
                    None => decoder.finish(&mut items),
                }
                for item in items.drain(..) {
                    match item {
                        Ok(StreamItem::Frame(frame)) => yield Ok(frame),
                        Ok(StreamItem::Done) => {}
                        Err(error) => yield Err(error),
                    }
                }
                if decoder.is_finished() {
                    break;
                }
            }
        };
        Self {
            frames: Box::pin(frames),
            task_id_header,
        }
    }

    /// Wraps a `text/event-stream` response.
    pub(crate) fn from_response(response: reqwest::Response, idle_timeout: Duration) -> Self {
        let task_id = response
            .headers()
            .get("x-chat-task-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let chunks = response.bytes_stream().map(|chunk| {
            chunk.map_err(|e| UpstreamError::transport("reading the reply stream", e).after_send())
        });
        Self::from_chunks(chunks, idle_timeout, task_id)
    }

    /// The `X-Chat-Task-Id` response header (3.x sites), available before any frame.
    pub fn task_id_header(&self) -> Option<&str> {
        self.task_id_header.as_deref()
    }
}

impl Stream for CompletionStream {
    type Item = Result<Frame, UpstreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.frames.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for CompletionStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletionStream")
            .field("task_id_header", &self.task_id_header)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::ErrorClass;
    use futures::stream;

    fn chunks(parts: &[&str]) -> impl Stream<Item = Result<Bytes, UpstreamError>> + Send + 'static {
        let owned: Vec<_> = parts.iter().map(|p| Ok(Bytes::from(p.to_string()))).collect();
        stream::iter(owned)
    }

    #[tokio::test]
    async fn frames_then_end() {
        let body = [
            "data: {\"id\":\"1\",\"type\":\"string\",\"data\":\"你",
            "好\",\"code\":0}\r\n\r\ndata: {\"id\":\"1\",\"type\":\"object\",\"code\":0,\"data\":{\"useTokens\":3}}\n\nda",
            "ta: [DONE]\n\n",
        ];
        let frames: Vec<_> = CompletionStream::from_chunks(chunks(&body), Duration::from_secs(5), None)
            .collect()
            .await;
        assert_eq!(frames.len(), 2, "{frames:?}");
        assert!(matches!(&frames[0], Ok(Frame::Text(t)) if t == "你好"));
        assert!(matches!(&frames[1], Ok(Frame::Final(r)) if r.use_tokens == 3));
    }

    #[tokio::test]
    async fn eof_without_done_ends_with_an_error() {
        let body = ["data: {\"id\":\"1\",\"type\":\"string\",\"data\":\"a\",\"code\":0}\n\n"];
        let frames: Vec<_> = CompletionStream::from_chunks(chunks(&body), Duration::from_secs(5), None)
            .collect()
            .await;
        assert_eq!(frames.len(), 2);
        assert_eq!(
            frames[1].as_ref().expect_err("error").class(),
            ErrorClass::Malformed
        );
    }

    #[tokio::test]
    async fn silence_longer_than_the_idle_timeout_is_an_error() {
        let silent = chunks(&["data: {\"id\":\"1\",\"type\":\"string\",\"data\":\"a\",\"code\":0}\n\n"])
            .chain(stream::pending());
        let frames: Vec<_> = CompletionStream::from_chunks(silent, Duration::from_millis(50), None)
            .collect()
            .await;
        assert_eq!(frames.len(), 2);
        let error = frames[1].as_ref().expect_err("idle error");
        assert!(matches!(error, UpstreamError::StreamIdle(_)));
        assert!(error.may_have_reached_model());
    }
}
