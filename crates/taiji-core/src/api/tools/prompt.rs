//! The prompt side of the convention: the one template that describes the tools and the reply
//! format to the model, the compact tool descriptions, and the text forms of past calls and
//! results. Tune the wording here; the parser's contract is only the JSON object form
//! `{"tool_calls":[{"name":…,"arguments":{…}}]}`.

use serde_json::{Map, Value, json};

use super::{PastCall, ToolChoice, ToolConfig, ToolSpec};

/// The instructions added to the system part when tools may be called. `{tools}` is the list of
/// tool descriptions, `{choice}` the rule of `tool_choice` and `parallel_tool_calls`.
const TEMPLATE: &str = "\
# Tools
You can call the tools of the client application listed below (one per line: name, description, \
JSON Schema of the arguments).

{tools}

To call tools, reply with exactly one JSON object in this form, with no Markdown code fence and \
nothing after it:
{\"tool_calls\":[{\"name\":\"<tool name>\",\"arguments\":{<arguments matching its schema>}}]}
Put independent calls together in the list. Then stop: the client runs the tools and sends their \
results back in the next message, labelled 工具结果. Only call tools listed above, with arguments \
that match their schemas; text before the JSON object is shown to the user. {choice}";

/// The rule for `tool_choice: auto`.
const CHOICE_AUTO: &str = "If no tool is needed, answer as usual, without a tool_calls object.";
/// The rule for `required` / `any`.
const CHOICE_REQUIRED: &str = "This reply must call at least one tool.";
/// The rule for a named tool (`{name}` is replaced).
const CHOICE_NAMED: &str = "This reply must call the tool `{name}`.";
/// Added when only one call per answer is allowed.
const SINGLE_CALL: &str = " Call at most one tool per reply.";
/// The note when the client declared tools but `tool_choice` is `none`.
const TOOLS_OFF: &str = "Tools are not available for this reply: answer without any tool_calls \
object.";

/// How long the tool list may get, in chars. Claude Code sends 10–30 tools whose descriptions run
/// to thousands of chars each, next to a system prompt and history of its own, and the site
/// refuses texts over ~48,000 chars.
const TOOLS_BUDGET: usize = 16_000;
/// Ever shorter descriptions until the list fits the budget: the longest tool description kept
/// and the longest parameter description inside a schema (0: parameter descriptions left out),
/// in chars.
const DETAIL_LEVELS: [Detail; 3] = [
    Detail {
        description: 500,
        parameter: 160,
    },
    Detail {
        description: 250,
        parameter: 80,
    },
    Detail {
        description: 120,
        parameter: 0,
    },
];

/// How much of the descriptions is kept.
#[derive(Debug, Clone, Copy)]
struct Detail {
    description: usize,
    parameter: usize,
}

/// The system-part instructions for `config`, or `None` when no tools were declared.
pub fn instructions(config: &ToolConfig) -> Option<String> {
    if config.tools.is_empty() {
        return None;
    }
    if config.choice == ToolChoice::None {
        return Some(TOOLS_OFF.to_owned());
    }
    let tools = describe_all(&config.tools);
    let mut choice = match &config.choice {
        ToolChoice::Auto | ToolChoice::None => CHOICE_AUTO.to_owned(),
        ToolChoice::Required => CHOICE_REQUIRED.to_owned(),
        ToolChoice::Named(name) => CHOICE_NAMED.replace("{name}", name),
    };
    if !config.parallel {
        choice.push_str(SINGLE_CALL);
    }
    Some(TEMPLATE.replace("{tools}", &tools).replace("{choice}", &choice))
}

/// The tool list: one line per tool, at the most detailed level that fits [`TOOLS_BUDGET`].
fn describe_all(tools: &[ToolSpec]) -> String {
    let mut list = String::new();
    for detail in DETAIL_LEVELS {
        list = tools
            .iter()
            .map(|tool| describe(tool, detail))
            .collect::<Vec<_>>()
            .join("\n");
        if list.chars().count() <= TOOLS_BUDGET {
            break;
        }
    }
    list
}

/// One line describing a tool: `- name: description Arguments: {schema}`.
fn describe(tool: &ToolSpec, detail: Detail) -> String {
    let mut line = format!("- {}", tool.name);
    let description = trim_text(tool.description.trim(), detail.description);
    if !description.is_empty() {
        line.push_str(": ");
        line.push_str(&description.replace('\n', " "));
    }
    let schema = tool.schema.as_ref().map_or_else(
        || json!({"type": "object"}),
        |schema| compact_schema(schema, detail.parameter),
    );
    line.push_str(" Arguments: ");
    line.push_str(&schema.to_string());
    line
}

/// The schema without what only costs characters: no `$schema`, and parameter descriptions cut to
/// `limit` chars (left out when `limit` is 0).
fn compact_schema(schema: &Value, limit: usize) -> Value {
    match schema {
        Value::Object(object) => {
            let mut out = Map::with_capacity(object.len());
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("$schema", _) => {}
                    ("description", Value::String(_)) if limit == 0 => {}
                    ("description", Value::String(text)) => {
                        out.insert(key.clone(), Value::String(trim_text(text.trim(), limit)));
                    }
                    _ => {
                        out.insert(key.clone(), compact_schema(value, limit));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|item| compact_schema(item, limit)).collect()),
        other => other.clone(),
    }
}

/// `text` cut to at most `limit` chars: at the last paragraph or sentence end in the second half
/// of the window when there is one, else at the limit, marked with "…".
fn trim_text(text: &str, limit: usize) -> String {
    let Some((cut, _)) = text.char_indices().nth(limit) else {
        return text.to_owned();
    };
    let window = &text[..cut];
    let half = window.len() / 2;
    let boundary = ["\n\n", ". ", "。", "\n"]
        .iter()
        .filter_map(|mark| window.rfind(mark).map(|index| index + mark.len()))
        .filter(|&end| end > half)
        .max();
    match boundary {
        Some(end) => format!("{}…", window[..end].trim_end()),
        None => format!("{window}…"),
    }
}

/// Earlier assistant calls in the convention's own form: exactly what the model should write.
pub fn calls_text(calls: &[PastCall]) -> String {
    // Written by hand so `name` comes before `arguments`, as in the template.
    let mut text = String::from("{\"tool_calls\":[");
    for (index, call) in calls.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str("{\"name\":");
        text.push_str(&Value::from(call.name.as_str()).to_string());
        text.push_str(",\"arguments\":");
        text.push_str(&call.arguments.to_string());
        text.push('}');
    }
    text.push_str("]}");
    text
}

/// A tool result the client sent back, naming the tool when known: `[result of Bash (id toolu_1)]`
/// or `[error from Bash (id toolu_1)]`, then the content on the next line.
pub fn result_text(name: Option<&str>, id: Option<&str>, is_error: bool, content: &str) -> String {
    let mut text = String::from(if is_error { "[error from " } else { "[result of " });
    text.push_str(name.filter(|name| !name.is_empty()).unwrap_or("tool"));
    if let Some(id) = id.filter(|id| !id.is_empty()) {
        text.push_str(" (id ");
        text.push_str(id);
        text.push(')');
    }
    text.push_str("]\n");
    text.push_str(content);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, description: &str) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            description: description.into(),
            schema: Some(json!({
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {"command": {"type": "string", "description": "x".repeat(400)}},
                "required": ["command"]
            })),
        }
    }

    fn config(choice: ToolChoice, parallel: bool) -> ToolConfig {
        ToolConfig {
            tools: vec![spec("Bash", "Runs a command."), spec("Read", "Reads a file.")],
            choice,
            parallel,
        }
    }

    #[test]
    fn instructions_describe_tools_compactly_and_state_the_choice() {
        let text = instructions(&config(ToolChoice::Auto, true)).expect("instructions");
        assert!(text.contains("- Bash: Runs a command. Arguments: {"));
        assert!(text.contains(r#"{"tool_calls":[{"name":"<tool name>""#));
        assert!(text.ends_with(CHOICE_AUTO));
        assert!(!text.contains("$schema"));
        assert!(!text.contains(&"x".repeat(200)));
        let forced = instructions(&config(ToolChoice::Named("Read".into()), false)).expect("text");
        assert!(forced.ends_with("This reply must call the tool `Read`. Call at most one tool per reply."));
        assert!(
            instructions(&config(ToolChoice::Required, true))
                .expect("text")
                .ends_with(CHOICE_REQUIRED)
        );
        assert_eq!(
            instructions(&config(ToolChoice::None, true)).as_deref(),
            Some(TOOLS_OFF)
        );
        assert_eq!(instructions(&ToolConfig::default()), None);
    }

    #[test]
    fn long_descriptions_are_cut_at_a_sentence() {
        let long = format!("{} Second sentence. {}", "a".repeat(300), "b".repeat(800));
        let line = describe(&spec("T", &long), DETAIL_LEVELS[0]);
        assert!(line.contains("Second sentence.… Arguments"), "{line}");
        assert_eq!(trim_text("短", 10), "短");
        assert_eq!(trim_text(&"好".repeat(20), 10), format!("{}…", "好".repeat(10)));
    }

    #[test]
    fn many_big_tools_get_shorter_descriptions_to_fit_the_budget() {
        let tools: Vec<ToolSpec> = (0..30)
            .map(|i| {
                let mut tool = spec(&format!("Tool{i}"), &"Does things. ".repeat(300));
                tool.schema = Some(json!({"type": "object", "properties": {
                    "a": {"type": "string", "description": "y".repeat(1000)},
                    "b": {"type": "array", "items": {"type": "string", "description": "z".repeat(1000)}}
                }}));
                tool
            })
            .collect();
        let config = ToolConfig {
            tools,
            choice: ToolChoice::Auto,
            parallel: true,
        };
        let text = instructions(&config).expect("instructions");
        assert!(
            text.chars().count() < TOOLS_BUDGET + TEMPLATE.len() + 200,
            "{}",
            text.len()
        );
        assert!(text.contains("- Tool29: Does things."));
        assert!(!text.contains("yyyy") && text.contains(r#""items":{"type":"string"}"#));
        // A small list keeps the full detail.
        let small = instructions(&config_small()).expect("instructions");
        assert!(small.contains(&"x".repeat(150)));
    }

    fn config_small() -> ToolConfig {
        config(ToolChoice::Auto, true)
    }

    #[test]
    fn history_forms() {
        let calls = [
            PastCall::from_json_text("Bash", r#"{"command":"ls"}"#),
            PastCall::from_json_text("Read", ""),
        ];
        assert_eq!(
            calls_text(&calls),
            r#"{"tool_calls":[{"name":"Bash","arguments":{"command":"ls"}},{"name":"Read","arguments":{}}]}"#
        );
        assert_eq!(
            result_text(Some("Bash"), Some("toolu_1"), false, "a.txt"),
            "[result of Bash (id toolu_1)]\na.txt"
        );
        assert_eq!(result_text(None, None, true, "boom"), "[error from tool]\nboom");
    }
}
