//! Prompt building: flattening a chat transcript into the one upstream message.
//!
//! The upstream takes a single `text` plus image files per message and keeps its own history, so
//! the gateway (which gets the whole conversation from the client on every request and uses a
//! fresh session each time) writes the conversation into that text as labelled turns:
//!
//! ```text
//! 系统提示：You are terse.
//!
//! 用户：What is 2+2?
//!
//! 助手：4
//!
//! 用户：And times 3?
//! ```
//!
//! A single user message with no system prompt is sent as-is, without labels, so simple requests
//! reach the model exactly as typed.
//!
//! Images become upstream files (`data:` URLs). Data URLs are validated and passed through;
//! `http(s)` URLs are downloaded with size, time and content-type limits and inlined. The
//! catalog's limits apply: at most `max_count` files of `max_bytes` each, and only for models
//! that accept images. A user message being answered must fit those limits or the request fails
//! before anything is sent upstream; images from earlier turns and images tool results returned
//! that do not fit (too many, or a model without image input) are left out, and the text says so
//! with a marker in their place, so a long conversation with pictures (or an agent loop whose tool
//! returned a screenshot) keeps working.

mod format;
mod image_hosts;
mod images;

use std::time::Duration;

use crate::chat::UpstreamFile;
use crate::model::{FileLimits, ModelInfo};

pub use format::render_text;
pub use image_hosts::{HostPolicy, ImageClients};

/// The neutral conversation the API layers convert their requests into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// System (and developer) prompts, in order.
    pub system: Vec<String>,
    /// The conversation, oldest first.
    pub turns: Vec<Turn>,
}

impl Transcript {
    /// A conversation of one user message, as the built-in chat and the CLI send it.
    pub fn single_user(text: impl Into<String>) -> Self {
        Self {
            system: Vec::new(),
            turns: vec![Turn::text(Role::User, text)],
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Who said it.
    pub role: Role,
    /// What was said, in order.
    pub parts: Vec<Part>,
}

impl Turn {
    /// A turn consisting of one text part.
    pub fn text(role: Role, text: impl Into<String>) -> Self {
        Self {
            role,
            parts: vec![Part::Text(text.into())],
        }
    }
}

/// The speaker of a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The person (or client app) asking.
    User,
    /// The model's earlier answers (tool calls rendered as text by the API layer).
    Assistant,
    /// Tool results, already rendered as labelled text by the API layer.
    Tool,
    /// A system message in the middle of the conversation (Anthropic's mid-conversation system
    /// beta, which Claude Code uses), kept at its place rather than moved to the system prompt.
    System,
}

/// One piece of a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Plain text.
    Text(String),
    /// An image.
    Image(ImageSource),
}

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// A `data:image/…;base64,…` URL (OpenAI `image_url` with a data URL; Anthropic base64
    /// sources are converted to this by the API layer).
    DataUrl(String),
    /// An `http(s)://` URL to download.
    Url(String),
}

/// What one upstream message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPrompt {
    /// The upstream `text`.
    pub text: String,
    /// The upstream `files`, as `data:` URLs.
    pub files: Vec<UpstreamFile>,
}

/// Settings for prompt building.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptOptions {
    /// The whole-download time limit for one image URL (connect, headers and body).
    pub image_fetch_timeout: Duration,
    /// Whether image URLs may point at this machine or the LAN (`images.allow_private_hosts`).
    pub allow_private_hosts: bool,
}

impl Default for PromptOptions {
    fn default() -> Self {
        Self {
            image_fetch_timeout: Duration::from_secs(20),
            allow_private_hosts: false,
        }
    }
}

/// Why a transcript cannot be sent. Messages never contain image data, URL queries or
/// credentials, so they can be shown to the client and logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    /// There is nothing for the model to answer.
    #[error("the conversation has no user message")]
    NoUserMessage,
    /// The message being answered has images but the model does not accept them.
    #[error("model `{model}` does not accept images; choose a model with image input")]
    ImagesNotSupported {
        /// The resolved model id.
        model: String,
    },
    /// The message being answered has more images than the upstream accepts.
    #[error("too many images: at most {max} per message")]
    TooManyImages {
        /// The catalog's limit.
        max: usize,
    },
    /// An image is larger than the upstream accepts.
    #[error("image larger than {max_mb} MB")]
    ImageTooLarge {
        /// The catalog's limit, in whole megabytes (rounded up).
        max_mb: usize,
    },
    /// A `data:` URL is malformed or not a supported image.
    #[error("invalid image data URL: {reason}")]
    BadDataUrl {
        /// What is wrong, without the data.
        reason: String,
    },
    /// An image URL could not be downloaded or is not a supported image. The message deliberately
    /// says nothing about what the target answered (see `images::fetch`); `reason` is for the
    /// gateway's own log and tests.
    #[error("could not use this image URL")]
    ImageFetch {
        /// The URL without query, fragment or user info.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// Builds the upstream message for `transcript` sent to `model`.
///
/// Everything that can fail is checked here, before any upstream call: no user message, images
/// for a text-only model, too many or too large images, bad data URLs and failed downloads.
/// `clients` download image URLs (pass the core's; no global client is used), refusing hosts on
/// this machine and the LAN unless `options.allow_private_hosts`.
pub async fn build_prompt(
    transcript: &Transcript,
    model: &ModelInfo,
    limits: FileLimits,
    clients: &ImageClients,
    options: &PromptOptions,
) -> Result<BuiltPrompt, PromptError> {
    let plan = format::plan_images(transcript, model, limits)?;
    let text = format::render(transcript, &plan)?;
    let (http, policy) = clients.for_setting(options.allow_private_hosts);
    let downloader = images::Downloader {
        http,
        policy,
        proxied: clients.proxied(),
        timeout: options.image_fetch_timeout,
    };
    let fetches = plan
        .attached()
        .map(|source| images::load(source, limits.max_bytes, downloader));
    let loaded = futures::future::try_join_all(fetches).await?;
    let files = loaded
        .into_iter()
        .enumerate()
        .map(|(index, image)| UpstreamFile {
            name: format!("image-{}.{}", index + 1, image.kind.extension()),
            data: image.data_url,
        })
        .collect();
    Ok(BuiltPrompt { text, files })
}

#[cfg(test)]
mod tests;
