//! One conversation as Markdown: the title, the model and system prompt, then each selected
//! message under its speaker, reasoning quoted, images noted by name (their data stays out).

use std::fmt::Write;

use super::types::{Conversation, MessageRole, MessageStatus};

/// The Markdown of `conversation`.
pub fn to_markdown(conversation: &Conversation) -> String {
    let summary = &conversation.summary;
    let mut out = String::new();
    let title = if summary.title.is_empty() {
        "Conversation"
    } else {
        &summary.title
    };
    let _ = writeln!(out, "# {title}\n");
    if let Some(model) = &summary.model {
        let _ = writeln!(out, "- Model: `{model}`");
    }
    let _ = writeln!(out, "- Created: {}", summary.created_at);
    let _ = writeln!(
        out,
        "- Tokens: {} · Points: {}\n",
        summary.total_tokens, summary.total_points
    );
    if !conversation.system_prompt.trim().is_empty() {
        let _ = writeln!(
            out,
            "## System prompt\n\n{}\n",
            conversation.system_prompt.trim_end()
        );
    }
    for message in &conversation.messages {
        let speaker = match message.role {
            MessageRole::User => "User".to_owned(),
            MessageRole::Assistant => match &message.model_label {
                Some(label) => format!("Assistant ({label})"),
                None => "Assistant".to_owned(),
            },
        };
        let _ = writeln!(out, "## {speaker}\n");
        if !message.reasoning.trim().is_empty() {
            for line in message.reasoning.trim_end().lines() {
                let _ = writeln!(out, "> {line}");
            }
            out.push('\n');
        }
        if !message.content.is_empty() {
            let _ = writeln!(out, "{}\n", message.content.trim_end());
        }
        for image in &message.images {
            let _ = writeln!(out, "*[image: {}]*\n", image.name);
        }
        match message.status {
            MessageStatus::Stopped => out.push_str("*(stopped)*\n\n"),
            MessageStatus::Failed => {
                let reason = message.error.as_ref().map_or("", |e| e.message.as_str());
                let _ = writeln!(out, "*(failed: {reason})*\n");
            }
            MessageStatus::Complete | MessageStatus::Streaming => {}
        }
        if let Some(usage) = message.usage {
            let _ = writeln!(out, "*{} tokens · {} points*\n", usage.total_tokens, usage.points);
        }
    }
    out
}
