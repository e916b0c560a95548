//! The text side of prompt building: which images are attached, and the labelled-turns text.

use super::{ImageSource, Part, PromptError, Role, Transcript};
use crate::model::{FileLimits, ModelInfo};

/// The label of the system prompt block.
const SYSTEM_LABEL: &str = "系统提示：";
/// The label of a user turn.
const USER_LABEL: &str = "用户：";
/// The label of an assistant turn.
const ASSISTANT_LABEL: &str = "助手：";
/// The label of a tool-result turn.
const TOOL_LABEL: &str = "工具结果：";
/// Stands in for an image from an earlier turn that is not attached.
const OMITTED_IMAGE: &str = "[图片（未附上）]";
/// Separates blocks (system prompt, turns).
const BLOCK_SEPARATOR: &str = "\n\n";
/// Separates the parts of one turn.
const PART_SEPARATOR: &str = "\n";

/// The fate of every image part of a transcript, in transcript order.
#[derive(Debug)]
pub(super) struct ImagePlan<'t> {
    slots: Vec<Slot<'t>>,
}

#[derive(Debug, Clone, Copy)]
enum Slot<'t> {
    /// Sent as upstream file number `number` (1-based, in transcript order).
    Attached { number: usize, source: &'t ImageSource },
    /// Left out; a marker takes its place in the text.
    Omitted,
}

impl<'t> ImagePlan<'t> {
    /// The sources to load, in file order.
    pub(super) fn attached(&self) -> impl Iterator<Item = &'t ImageSource> + '_ {
        self.slots.iter().filter_map(|slot| match slot {
            Slot::Attached { source, .. } => Some(*source),
            Slot::Omitted => None,
        })
    }

    /// Every image attached, without limits (for [`render_text`]).
    fn unlimited(transcript: &'t Transcript) -> Self {
        let slots = images(transcript)
            .enumerate()
            .map(|(index, (_, source))| Slot::Attached {
                number: index + 1,
                source,
            })
            .collect();
        Self { slots }
    }
}

/// All image parts with the index of their turn, in transcript order.
fn images(transcript: &Transcript) -> impl Iterator<Item = (usize, &ImageSource)> {
    transcript
        .turns
        .iter()
        .enumerate()
        .flat_map(|(turn_index, turn)| {
            turn.parts.iter().filter_map(move |part| match part {
                Part::Image(source) => Some((turn_index, source)),
                Part::Text(_) => None,
            })
        })
}

/// The index of the turn the model is asked to answer: the last user or tool turn.
fn current_turn(transcript: &Transcript) -> Option<usize> {
    transcript.turns.iter().rposition(|turn| answerable(turn.role))
}

/// Whether a turn of `role` is something the model answers (a system turn only instructs).
fn answerable(role: Role) -> bool {
    matches!(role, Role::User | Role::Tool)
}

/// Decides which images are attached, enforcing the limits on the message being answered.
pub(super) fn plan_images<'t>(
    transcript: &'t Transcript,
    model: &ModelInfo,
    limits: FileLimits,
) -> Result<ImagePlan<'t>, PromptError> {
    let current = current_turn(transcript).ok_or(PromptError::NoUserMessage)?;
    let all: Vec<(usize, &ImageSource)> = images(transcript).collect();
    // Images the user sends must arrive; images a tool returned (a screenshot in an agent loop) go
    // when they fit and otherwise become markers, so the loop goes on with a text-only model.
    let required = transcript.turns[current].role == Role::User;
    let in_current = if required {
        all.iter().filter(|(turn, _)| *turn == current).count()
    } else {
        0
    };
    if in_current > 0 && !model.multimodal {
        return Err(PromptError::ImagesNotSupported {
            model: model.id.clone(),
        });
    }
    if in_current > limits.max_count {
        return Err(PromptError::TooManyImages {
            max: limits.max_count,
        });
    }

    // The current turn's images always go; the remaining slots go to the newest other images.
    let mut keep = vec![false; all.len()];
    let mut budget = if model.multimodal {
        limits.max_count - in_current
    } else {
        0
    };
    for (index, (turn, _)) in all.iter().enumerate().rev() {
        if required && *turn == current {
            keep[index] = true;
        } else if budget > 0 {
            keep[index] = true;
            budget -= 1;
        }
    }
    let mut number = 0;
    let slots = all
        .iter()
        .zip(keep)
        .map(|((_, source), kept)| {
            if kept {
                number += 1;
                Slot::Attached { number, source }
            } else {
                Slot::Omitted
            }
        })
        .collect();
    Ok(ImagePlan { slots })
}

/// The upstream text for `transcript`, with every image counted as attached.
///
/// This is the text [`super::build_prompt`] sends when no image is left out; the API layer can
/// use it to estimate input tokens without downloading anything.
pub fn render_text(transcript: &Transcript) -> Result<String, PromptError> {
    render(transcript, &ImagePlan::unlimited(transcript))
}

/// Renders `transcript` as one text, using `plan` for the image markers.
pub(super) fn render(transcript: &Transcript, plan: &ImagePlan<'_>) -> Result<String, PromptError> {
    let mut slots = plan.slots.iter();

    // The fast path: one plain user message goes to the model exactly as typed.
    let has_system = transcript.system.iter().any(|prompt| !prompt.trim().is_empty());
    if let ([turn], false) = (transcript.turns.as_slice(), has_system)
        && turn.role == Role::User
    {
        let text = join_text(&turn.parts);
        let has_image = turn.parts.iter().any(|part| matches!(part, Part::Image(_)));
        if text.trim().is_empty() && !has_image {
            return Err(PromptError::NoUserMessage);
        }
        return Ok(text);
    }

    let mut out = String::with_capacity(estimated_len(transcript));
    if has_system {
        out.push_str(SYSTEM_LABEL);
        let mut first = true;
        for prompt in transcript
            .system
            .iter()
            .filter(|prompt| !prompt.trim().is_empty())
        {
            if !first {
                out.push_str(BLOCK_SEPARATOR);
            }
            out.push_str(prompt);
            first = false;
        }
    }
    let mut answered_something = false;
    for turn in &transcript.turns {
        let block_start = out.len();
        if !out.is_empty() {
            out.push_str(BLOCK_SEPARATOR);
        }
        out.push_str(match turn.role {
            Role::User => USER_LABEL,
            Role::Assistant => ASSISTANT_LABEL,
            Role::Tool => TOOL_LABEL,
            Role::System => SYSTEM_LABEL,
        });
        let content_start = out.len();
        let mut first = true;
        for part in &turn.parts {
            let piece = match part {
                Part::Text(text) if text.is_empty() => continue,
                Part::Text(text) => PieceRef::Text(text),
                Part::Image(_) => match slots.next() {
                    Some(Slot::Attached { number, .. }) => PieceRef::Image(*number),
                    Some(Slot::Omitted) | None => PieceRef::Text(OMITTED_IMAGE),
                },
            };
            if !first {
                out.push_str(PART_SEPARATOR);
            }
            first = false;
            match piece {
                PieceRef::Text(text) => out.push_str(text),
                PieceRef::Image(number) => {
                    out.push_str("[图片 ");
                    out.push_str(&number.to_string());
                    out.push(']');
                }
            }
        }
        if out[content_start..].trim().is_empty() {
            // An empty turn (e.g. an assistant turn that only carried tool calls the API layer
            // dropped) would only confuse the model.
            out.truncate(block_start);
        } else if answerable(turn.role) {
            answered_something = true;
        }
    }
    if !answered_something {
        return Err(PromptError::NoUserMessage);
    }
    Ok(out)
}

/// One rendered piece of a turn.
enum PieceRef<'a> {
    Text(&'a str),
    Image(usize),
}

/// The text parts of a turn joined, for the fast path.
fn join_text(parts: &[Part]) -> String {
    let mut texts = parts.iter().filter_map(|part| match part {
        Part::Text(text) if !text.is_empty() => Some(text.as_str()),
        _ => None,
    });
    let Some(first) = texts.next() else {
        return String::new();
    };
    let mut out = first.to_owned();
    for text in texts {
        out.push_str(PART_SEPARATOR);
        out.push_str(text);
    }
    out
}

/// A capacity guess for the rendered text, so it is built without reallocating.
fn estimated_len(transcript: &Transcript) -> usize {
    let system: usize = transcript
        .system
        .iter()
        .map(|prompt| prompt.len() + BLOCK_SEPARATOR.len())
        .sum();
    let turns: usize = transcript
        .turns
        .iter()
        .map(|turn| {
            let parts: usize = turn
                .parts
                .iter()
                .map(|part| match part {
                    Part::Text(text) => text.len() + PART_SEPARATOR.len(),
                    Part::Image(_) => OMITTED_IMAGE.len(),
                })
                .sum();
            parts + ASSISTANT_LABEL.len() + BLOCK_SEPARATOR.len()
        })
        .sum();
    SYSTEM_LABEL.len() + system + turns
}
