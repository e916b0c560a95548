//! From stored messages to the neutral transcript the prompt module flattens, and the estimate of
//! how long that transcript is (shown as the context length, and the reason to offer a summary).

use crate::api::tokens::{IMAGE_TOKENS, TokenEstimator};
use crate::prompt::{ImageSource, Part, Role, Transcript, Turn, render_text};

use super::types::{ChatMessage, MessageRole, MessageStatus};

/// Past this many estimated tokens the UI offers "start a new chat with a summary": every turn
/// resends the whole transcript (and costs its prompt tokens again), and the site refuses texts
/// past about 48,000 characters, which this is well below.
pub const CONTEXT_LONG_TOKENS: u64 = 16_000;

/// The transcript of `messages` (the selected versions, in order) under `system_prompt`. Answers
/// that failed or ended without any text are left out: they said nothing the model should see.
pub fn transcript(system_prompt: &str, messages: &[ChatMessage]) -> Transcript {
    let system = if system_prompt.trim().is_empty() {
        Vec::new()
    } else {
        vec![system_prompt.to_owned()]
    };
    let turns = messages
        .iter()
        .filter(|message| match message.role {
            MessageRole::User => true,
            MessageRole::Assistant => {
                message.status != MessageStatus::Failed && !message.content.trim().is_empty()
            }
        })
        .map(|message| match message.role {
            MessageRole::User => {
                let mut parts = vec![Part::Text(message.content.clone())];
                parts.extend(
                    message
                        .images
                        .iter()
                        .map(|image| Part::Image(ImageSource::DataUrl(image.data_url.clone()))),
                );
                Turn {
                    role: Role::User,
                    parts,
                }
            }
            MessageRole::Assistant => Turn::text(Role::Assistant, message.content.clone()),
        })
        .collect();
    Transcript { system, turns }
}

/// The estimated tokens of `transcript` as one upstream message (images at a fixed estimate).
pub fn estimate(tokens: &TokenEstimator, transcript: &Transcript) -> u64 {
    if transcript.turns.is_empty() {
        return 0;
    }
    let images = transcript
        .turns
        .iter()
        .flat_map(|turn| &turn.parts)
        .filter(|part| matches!(part, Part::Image(_)))
        .count() as u64;
    let text = render_text(transcript).unwrap_or_else(|_| {
        // Only a transcript without a user turn fails to render; count its raw text instead.
        transcript
            .turns
            .iter()
            .flat_map(|turn| &turn.parts)
            .filter_map(|part| match part {
                Part::Text(text) => Some(text.as_str()),
                Part::Image(_) => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    tokens.count(&text) + images * IMAGE_TOKENS
}
