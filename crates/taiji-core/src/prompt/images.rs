//! The image side of prompt building: validating `data:` URLs and downloading `http(s)` images
//! into `data:` URLs, within the catalog's size limit.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::image_hosts::{HostPolicy, RefusedHost, check_host};
use super::{ImageSource, PromptError};
use crate::text::truncate;

/// The image types the upstream accepts (taiji-protocol.md §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ImageKind {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl ImageKind {
    /// Parses a MIME type (parameters and case ignored).
    fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "image/png" => Some(Self::Png),
            // `image/jpg` is not registered, but clients send it.
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(Self::Jpeg),
            "image/webp" => Some(Self::Webp),
            "image/gif" => Some(Self::Gif),
            _ => None,
        }
    }

    fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    /// The file extension used in upstream file names.
    pub(super) fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }
}

/// An image ready to attach.
#[derive(Debug)]
pub(super) struct LoadedImage {
    pub(super) kind: ImageKind,
    /// `data:<mime>;base64,<payload>`.
    pub(super) data_url: String,
}

/// How image URLs are downloaded: the client (built by [`super::image_hosts::client`] for
/// `policy`), its address policy and the whole-download time limit.
#[derive(Debug, Clone, Copy)]
pub struct Downloader<'a> {
    /// The guarded client.
    pub http: &'a reqwest::Client,
    /// The policy the client was built with, also applied to literal addresses before sending.
    pub policy: HostPolicy,
    /// Whether the client goes through a proxy, so host names are checked here before sending.
    pub proxied: bool,
    /// Connect, headers and body together.
    pub timeout: Duration,
}

/// Validates or downloads one image.
pub(super) async fn load(
    source: &ImageSource,
    max_bytes: usize,
    downloader: Downloader<'_>,
) -> Result<LoadedImage, PromptError> {
    match source {
        ImageSource::DataUrl(url) => validate_data_url(url, max_bytes),
        ImageSource::Url(url) => fetch(url, max_bytes, downloader).await,
    }
}

fn too_large(max_bytes: usize) -> PromptError {
    PromptError::ImageTooLarge {
        max_mb: max_bytes.div_ceil(1024 * 1024),
    }
}

fn bad_data_url(reason: impl Into<String>) -> PromptError {
    PromptError::BadDataUrl {
        reason: reason.into(),
    }
}

/// Checks a `data:image/…;base64,…` URL and returns it in canonical form.
fn validate_data_url(url: &str, max_bytes: usize) -> Result<LoadedImage, PromptError> {
    let rest = strip_prefix_ignore_case(url.trim(), "data:")
        .ok_or_else(|| bad_data_url("it does not start with `data:`"))?;
    let (header, payload) = rest
        .split_once(',')
        .ok_or_else(|| bad_data_url("it has no `,` before the data"))?;
    let mut params = header.split(';');
    let mime = params.next().unwrap_or_default();
    if !params.any(|param| param.trim().eq_ignore_ascii_case("base64")) {
        return Err(bad_data_url("only base64 data URLs are supported"));
    }
    let kind = ImageKind::from_mime(mime).ok_or_else(|| {
        bad_data_url(format!(
            "unsupported type `{}`; use PNG, JPEG, WebP or GIF",
            truncate_for_message(mime)
        ))
    })?;

    // Some clients wrap base64 at 76 columns; the upstream wants one clean line.
    let cleaned: std::borrow::Cow<'_, str> = if payload.bytes().any(|byte| byte.is_ascii_whitespace()) {
        payload
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect::<String>()
            .into()
    } else {
        payload.into()
    };
    // Reject oversized images before spending time and memory decoding them.
    if cleaned.len() / 4 * 3 > max_bytes + 3 {
        return Err(too_large(max_bytes));
    }
    let decoded_len =
        checked_base64_len(cleaned.as_bytes()).ok_or_else(|| bad_data_url("the data is not valid base64"))?;
    if decoded_len == 0 {
        return Err(bad_data_url("the image is empty"));
    }
    if decoded_len > max_bytes {
        return Err(too_large(max_bytes));
    }
    Ok(LoadedImage {
        kind,
        data_url: format!("data:{};base64,{cleaned}", kind.mime()),
    })
}

/// The decoded length of `base64` if it is valid, checked piece by piece into a small buffer: the
/// decoded image is never needed here, and decoding a 5 MB image whole would cost 5 MB per image
/// of every request in flight just to throw it away.
fn checked_base64_len(base64: &[u8]) -> Option<usize> {
    // A multiple of 4 characters decodes on its own; only the last piece may carry padding.
    const PIECE: usize = 4 * 1024;
    let mut buffer = [0u8; PIECE / 4 * 3];
    let mut total = 0;
    let pieces = base64.len().div_ceil(PIECE);
    for (index, piece) in base64.chunks(PIECE).enumerate() {
        if index + 1 < pieces && piece.contains(&b'=') {
            return None;
        }
        total += BASE64.decode_slice(piece, &mut buffer).ok()?;
    }
    Some(total)
}

/// Downloads an `http(s)` image and inlines it as a data URL. Every failure after the URL was
/// parsed is an [`PromptError::ImageFetch`] whose message says only "could not use this image URL":
/// what the target answered (refused connection, status, content type, size) would otherwise tell
/// the requester about hosts it cannot reach itself. The reason goes to the gateway's own log.
async fn fetch(
    raw_url: &str,
    max_bytes: usize,
    downloader: Downloader<'_>,
) -> Result<LoadedImage, PromptError> {
    let result = download(raw_url, max_bytes, downloader).await;
    if let Err(PromptError::ImageFetch { url, reason }) = &result {
        tracing::info!(%url, %reason, "an image URL could not be used");
    }
    result
}

async fn download(
    raw_url: &str,
    max_bytes: usize,
    Downloader {
        http,
        policy,
        proxied,
        timeout,
    }: Downloader<'_>,
) -> Result<LoadedImage, PromptError> {
    let shown = redact_url(raw_url);
    let failed = |reason: String| PromptError::ImageFetch {
        url: shown.clone(),
        reason,
    };
    let url = reqwest::Url::parse(raw_url.trim()).map_err(|_| failed("not a valid URL".to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(failed("only http and https image URLs are supported".to_owned()));
    }
    if policy.refuses_literal(&url) || (proxied && check_host(policy, &url).await.is_err()) {
        return Err(failed("the image host is not allowed".to_owned()));
    }
    let too_large = || failed(format!("larger than {max_bytes} bytes"));

    // The timeout covers connecting, the headers and the whole body.
    let mut response = http
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(|error| failed(describe_transport_error(&error, timeout)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("the server answered HTTP {}", status.as_u16())));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let kind = ImageKind::from_mime(&content_type).ok_or_else(|| {
        if content_type.trim().to_ascii_lowercase().starts_with("image/") {
            failed(format!(
                "unsupported image type `{}`; use PNG, JPEG, WebP or GIF",
                truncate_for_message(&content_type)
            ))
        } else if content_type.is_empty() {
            failed("the server did not say it is an image (no content type)".to_owned())
        } else {
            failed(format!(
                "not an image (content type `{}`)",
                truncate_for_message(&content_type)
            ))
        }
    })?;
    if response
        .content_length()
        .is_some_and(|length| length > max_bytes as u64)
    {
        return Err(too_large());
    }

    // Read in chunks and stop as soon as the limit is passed: a server may omit or understate
    // the length, and the gateway must not buffer an unbounded body.
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(64 * 1024, |length| length as usize),
    );
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| failed(describe_transport_error(&error, timeout)))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    if body.is_empty() {
        return Err(failed("the server sent an empty body".to_owned()));
    }
    let mut data_url = format!("data:{};base64,", kind.mime());
    BASE64.encode_string(&body, &mut data_url);
    Ok(LoadedImage { kind, data_url })
}

/// A short reason for a failed download, without the URL (which may carry a signed query).
fn describe_transport_error(error: &reqwest::Error, timeout: Duration) -> String {
    if refused_host(error) {
        "the image host is not allowed".to_owned()
    } else if error.is_timeout() {
        format!("no complete answer within {} s", timeout.as_secs_f64())
    } else if error.is_connect() {
        "could not connect to the server".to_owned()
    } else if error.is_redirect() {
        "too many redirects".to_owned()
    } else {
        "the download failed".to_owned()
    }
}

/// Whether `error` was caused by the address guard (in the resolver or the redirect policy).
fn refused_host(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if current.is::<RefusedHost>() {
            return true;
        }
        source = current.source();
    }
    false
}

/// The URL as shown in messages: scheme, host, port and path, without user info, query or
/// fragment (signed URLs carry credentials there), and shortened if very long.
fn redact_url(raw: &str) -> String {
    match reqwest::Url::parse(raw.trim()) {
        Ok(url) => {
            let host = url.host_str().unwrap_or_default();
            let port = url.port().map(|port| format!(":{port}")).unwrap_or_default();
            let path = if url.cannot_be_a_base() { "" } else { url.path() };
            let marker = if url.query().is_some() { "?…" } else { "" };
            truncate_for_message(&format!("{}://{host}{port}{path}{marker}", url.scheme()))
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

/// Shortens client-supplied text quoted in an error message.
fn truncate_for_message(text: &str) -> String {
    truncate(text, 120)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1024;

    fn data_url(mime: &str, bytes: &[u8]) -> String {
        format!("data:{mime};base64,{}", BASE64.encode(bytes))
    }

    #[test]
    fn accepts_supported_types_and_canonicalises() {
        let image = validate_data_url(&data_url("image/PNG", b"\x89PNG...."), MAX).unwrap();
        assert_eq!(image.kind, ImageKind::Png);
        assert!(image.data_url.starts_with("data:image/png;base64,"));
        let jpg = validate_data_url(&data_url("image/jpg", b"\xff\xd8\xff"), MAX).unwrap();
        assert_eq!(
            (jpg.kind, jpg.data_url.starts_with("data:image/jpeg;")),
            (ImageKind::Jpeg, true)
        );
        for mime in ["image/webp", "image/gif"] {
            assert!(validate_data_url(&data_url(mime, b"abc"), MAX).is_ok(), "{mime}");
        }
    }

    #[test]
    fn strips_line_wrapping() {
        let wrapped = format!("data:image/gif;base64,{}\n{}", "R0lG", "ODlh");
        let image = validate_data_url(&wrapped, MAX).unwrap();
        assert_eq!(image.data_url, "data:image/gif;base64,R0lGODlh");
    }

    #[test]
    fn rejects_malformed_data_urls_without_echoing_the_data() {
        let cases = [
            ("http://x/y.png", "does not start"),
            ("data:image/png;base64", "no `,`"),
            ("data:image/png,rawbytes", "only base64"),
            ("data:image/bmp;base64,QUJD", "unsupported type `image/bmp`"),
            ("data:image/png;base64,@@@secretpayload@@@", "not valid base64"),
            ("data:image/png;base64,", "empty"),
        ];
        for (url, expected) in cases {
            let error = validate_data_url(url, MAX).unwrap_err();
            let message = error.to_string();
            assert!(
                matches!(error, PromptError::BadDataUrl { .. }),
                "{url}: {error:?}"
            );
            assert!(message.contains(expected), "{url}: {message}");
            assert!(!message.contains("secretpayload"), "{message}");
        }
    }

    #[test]
    fn base64_is_checked_piece_by_piece() {
        for len in [0, 1, 2, 3, 3071, 3072, 3073, 10_000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let encoded = BASE64.encode(&bytes);
            assert_eq!(checked_base64_len(encoded.as_bytes()), Some(len), "{len}");
        }
        let mut broken = BASE64.encode(vec![1u8; 9000]);
        broken.replace_range(5000..5001, "@");
        assert_eq!(checked_base64_len(broken.as_bytes()), None);
        // Padding in the middle is invalid, as a whole decode would say, also where it ends a piece.
        let padded_middle = format!("{}{}", BASE64.encode([1u8; 4094]), BASE64.encode([2u8; 9]));
        assert_eq!(checked_base64_len(padded_middle.as_bytes()), None);
        let padded_at_boundary = format!("{}{}", BASE64.encode([1u8; 3071]), BASE64.encode([2u8; 9]));
        assert_eq!(BASE64.encode([1u8; 3071]).len(), 4096);
        assert_eq!(checked_base64_len(padded_at_boundary.as_bytes()), None);
    }

    #[test]
    fn size_limit_is_exact() {
        assert!(validate_data_url(&data_url("image/png", &[7; MAX]), MAX).is_ok());
        let error = validate_data_url(&data_url("image/png", &[7; MAX + 1]), MAX).unwrap_err();
        assert_eq!(error, PromptError::ImageTooLarge { max_mb: 1 });
        let huge = validate_data_url(&data_url("image/png", &[7; 10 * MAX]), MAX).unwrap_err();
        assert_eq!(huge, PromptError::ImageTooLarge { max_mb: 1 });
    }

    #[test]
    fn redacted_urls_hide_credentials_and_queries() {
        assert_eq!(
            redact_url("https://user:pw@cdn.example:8443/a/b.png?sig=SECRET#frag"),
            "https://cdn.example:8443/a/b.png?…"
        );
        assert_eq!(redact_url("http://127.0.0.1/x.png"), "http://127.0.0.1/x.png");
        assert_eq!(redact_url("not a url"), "(unparsable URL)");
        assert_eq!(
            redact_url(&format!("http://h/{}", "a".repeat(500)))
                .chars()
                .count(),
            121
        );
    }
}
