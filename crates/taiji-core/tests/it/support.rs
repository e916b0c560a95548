//! Small helpers more than one test module uses. The gateway harness is `gateway_support`.

/// The text of SSE frames as one string, as a client reads the stream.
pub fn text_of(frames: &[bytes::Bytes]) -> String {
    frames
        .iter()
        .map(|frame| String::from_utf8_lossy(frame).into_owned())
        .collect()
}
