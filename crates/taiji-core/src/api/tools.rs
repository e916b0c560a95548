//! What the gateway does with tools (function calling), and the text forms it uses for them.
//!
//! The upstream web chat has no tool calling at all: it takes one text and streams text back. So,
//! honestly and predictably:
//!
//! - **Tool definitions are accepted but not forwarded.** Clients such as Claude Code and Cherry
//!   Studio (MCP) always send tools; refusing them would make those clients unusable for plain
//!   chat. The definitions are not pasted into the prompt either: they are large (Claude Code's run
//!   to tens of thousands of characters, beyond what the upstream accepts) and the model could not
//!   call them anyway. Instead one short note in the system part tells the model the client's
//!   tools exist but cannot be called, so it answers in plain text instead of inventing calls.
//! - **The gateway never emits tool calls.** Answers are text; `finish_reason` is never
//!   `tool_calls` and `stop_reason` never `tool_use`, so no agent loop waits for a result.
//! - **A request that forces a tool call is refused with a 400**: OpenAI `tool_choice: "required"`
//!   or a named function (and legacy `function_call: {"name"}`), Anthropic `tool_choice` of type
//!   `any` or `tool`. The client asked for something we cannot deliver; a text answer would break
//!   its contract silently.
//! - **Tool history is kept as labelled text.** Earlier assistant tool calls and the results the
//!   client sent back become text in the transcript (see [`tool_call_text`] and
//!   [`tool_result_text`]), so the model still sees what happened in the conversation.

use std::fmt::Write as _;

/// The note added to the system part when the client declared tools. `names` are the tool names.
pub fn tools_unavailable_note(names: &[String]) -> String {
    let mut note = String::from(
        "The client application declared tools, but you cannot call tools in this conversation. \
         Answer directly in plain text and do not imitate tool-call syntax.",
    );
    if !names.is_empty() {
        let _ = write!(note, " (Declared tools: {}.)", names.join(", "));
    }
    note
}

/// The text form of one tool call the assistant made earlier: `[tool call <name> (id <id>)]:
/// <arguments>`. `arguments` is the JSON text of the arguments.
pub fn tool_call_text(id: Option<&str>, name: &str, arguments: &str) -> String {
    let mut text = format!("[tool call {name}");
    if let Some(id) = id.filter(|id| !id.is_empty()) {
        let _ = write!(text, " (id {id})");
    }
    text.push_str("]: ");
    text.push_str(arguments);
    text
}

/// The text form of one tool result the client sent back: `[tool result (id <id>)]: <content>`,
/// marked when the tool failed.
pub fn tool_result_text(id: Option<&str>, is_error: bool, content: &str) -> String {
    let mut text = String::from("[tool result");
    if let Some(id) = id.filter(|id| !id.is_empty()) {
        let _ = write!(text, " (id {id})");
    }
    if is_error {
        text.push_str(", error");
    }
    text.push_str("]: ");
    text.push_str(content);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_are_stable() {
        assert_eq!(
            tool_call_text(Some("call_1"), "get_weather", r#"{"city":"Paris"}"#),
            r#"[tool call get_weather (id call_1)]: {"city":"Paris"}"#
        );
        assert_eq!(tool_call_text(None, "f", "{}"), "[tool call f]: {}");
        assert_eq!(
            tool_result_text(Some("call_1"), false, "sunny"),
            "[tool result (id call_1)]: sunny"
        );
        assert_eq!(tool_result_text(None, true, "boom"), "[tool result, error]: boom");
        assert!(
            tools_unavailable_note(&["Bash".into(), "Read".into()])
                .ends_with("(Declared tools: Bash, Read.)")
        );
    }
}
