//! Deterministic replies derived from what the "model" received (text, label, history, files), and
//! their split into SSE pieces at awkward points (next to multi-byte chars, emoji, inside markdown).

use serde_json::json;

use crate::catalog::ModelKind;

/// Piece lengths in chars, cycled. Odd small sizes make pieces end inside `**`, next to emoji and CJK.
const PATTERN: [usize; 11] = [4, 3, 1, 5, 2, 7, 1, 6, 2, 3, 5];
/// Texts longer than this (chars) are echoed as head + "…" + tail.
const ECHO_LIMIT: usize = 4000;
const ECHO_PART: usize = 1500;
/// Upper bound of `[[sim:long=N]]`, so a typo cannot exhaust memory.
const LONG_MAX: usize = 200_000;

/// What the simulated model saw.
pub struct ReplyInput<'a> {
    pub label: &'a str,
    pub kind: ModelKind,
    pub text: &'a str,
    /// History messages replayed into this turn.
    pub history: usize,
    pub files: usize,
    /// Used for image ids.
    pub task_id: &'a str,
}

/// The full reply and where forced frame breaks sit (byte offsets), e.g. inside `<think>`.
pub struct Reply {
    pub text: String,
    breaks: Vec<usize>,
}

impl Reply {
    fn push_segment(&mut self, segment: &str) {
        self.text.push_str(segment);
        self.breaks.push(self.text.len());
    }

    /// The `string` frame payloads, in order; concatenated they give `text`.
    pub fn pieces(&self) -> Pieces<'_> {
        Pieces {
            reply: self,
            pos: 0,
            step: 0,
        }
    }
}

pub struct Pieces<'a> {
    reply: &'a Reply,
    pos: usize,
    step: usize,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.reply.text.as_str();
        if self.pos >= text.len() {
            return None;
        }
        let limit = self
            .reply
            .breaks
            .iter()
            .copied()
            .find(|&b| b > self.pos)
            .unwrap_or(text.len());
        let want = PATTERN[self.step % PATTERN.len()];
        self.step += 1;
        let rest = &text[self.pos..limit];
        let end = rest.char_indices().nth(want).map_or(limit, |(i, _)| self.pos + i);
        let piece = &text[self.pos..end];
        self.pos = end;
        Some(piece)
    }
}

/// Builds the reply for one turn.
pub fn build(input: &ReplyInput<'_>) -> Reply {
    let mut reply = Reply {
        text: String::new(),
        breaks: Vec::new(),
    };
    if input.kind == ModelKind::Thinking {
        // The tags are separate segments split mid-tag, as the real stream does ("<thi" + "nk>").
        reply.push_segment("<thi");
        reply.push_segment("nk>");
        reply.push_segment(&format!(
            "用户发来 {} 个字符，会话里有 {} 条历史消息、{} 个附件。我应该以 **{}** 的身份作答 🤔",
            input.text.chars().count(),
            input.history,
            input.files,
            input.label
        ));
        reply.push_segment("</th");
        reply.push_segment("ink>");
        reply.push_segment("\n\n");
    }
    let body = match long_directive(input.text) {
        Some(n) => long_words(n),
        None => body(input),
    };
    reply.push_segment(&body);
    reply
}

/// A scripted answer: `<think>thinking</think>` (tags split mid-tag like the real stream) when given, then
/// `text`; the pieces split as awkwardly as for any other reply.
pub fn scripted(thinking: Option<&str>, text: &str) -> Reply {
    let mut reply = Reply {
        text: String::new(),
        breaks: Vec::new(),
    };
    if let Some(thinking) = thinking {
        reply.push_segment("<thi");
        reply.push_segment("nk>");
        reply.push_segment(thinking);
        reply.push_segment("</th");
        reply.push_segment("ink>");
    }
    reply.push_segment(text);
    reply
}

fn body(input: &ReplyInput<'_>) -> String {
    let echo = echo(input.text);
    let id = input.task_id;
    match input.kind {
        ModelKind::Chat | ModelKind::Slow | ModelKind::Thinking => format!(
            "你好！我是 **{}** 🤖，收到你的消息啦。\n\n- 历史消息 history={}\n- 附件 files={}\n\n你说：「{}」\n\n> 以上为模拟回复 ✅",
            input.label, input.history, input.files, echo
        ),
        ModelKind::Image => format!(
            "好的，我是 **{}**，这就根据「{}」为你作画 🎨\n\n![image](https://cdn.sim.invalid/img/{id}.png)\n",
            input.label, echo
        ),
        ModelKind::ImageVip => {
            let request = json!({"prompt": echo, "ratio": "1:1", "n": 1});
            format!(
                "```json\n{request}\n```\n\n> ID: `{id}`\n\n🕐 排队中.\n\n⚡ 生成中.....\n\n\
                 🏃\u{200d} 进度 73..[100](https://cdn.sim.invalid/preview/{id}.webp)\n\n✅ 生成完成\n\n\
                 ![gen_{id}](https://cdn.sim.invalid/img/gen_{id}.png)\n\n\
                 [点击下载](https://cdn.sim.invalid/download/gen_{id}.png)\n"
            )
        }
    }
}

/// The received text verbatim, or its head and tail when it is very long.
fn echo(text: &str) -> String {
    let chars = text.chars().count();
    if chars <= ECHO_LIMIT {
        return text.to_owned();
    }
    let head: String = text.chars().take(ECHO_PART).collect();
    let tail: String = text.chars().skip(chars - ECHO_PART).collect();
    format!("{head}…{tail}")
}

/// `[[sim:long=N]]` anywhere in the text.
fn long_directive(text: &str) -> Option<usize> {
    const OPEN: &str = "[[sim:long=";
    let start = text.find(OPEN)? + OPEN.len();
    let rest = &text[start..];
    let digits = rest.find("]]")?;
    rest[..digits]
        .trim()
        .parse::<usize>()
        .ok()
        .map(|n| n.min(LONG_MAX))
}

fn long_words(n: usize) -> String {
    (1..=n).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: ModelKind, text: &str) -> ReplyInput<'_> {
        ReplyInput {
            label: "GT-4.1-mini",
            kind,
            text,
            history: 2,
            files: 1,
            task_id: "1",
        }
    }

    #[test]
    fn pieces_rebuild_the_text_and_split_awkwardly() {
        let reply = build(&input(ModelKind::Thinking, "你好 **world** 🌍"));
        let pieces: Vec<&str> = reply.pieces().collect();
        assert_eq!(pieces.concat(), reply.text);
        assert_eq!(&pieces[..2], &["<thi", "nk>"]);
        assert!(reply.text.contains("</think>\n\n你好！"));
        assert!(!pieces.iter().any(|p| p.contains("</think>")));
        assert!(pieces.iter().all(|p| !p.is_empty() && p.chars().count() <= 7));
        assert!(reply.text.contains("history=2") && reply.text.contains("files=1"));
        assert!(reply.text.contains("你好 **world** 🌍"));
    }

    #[test]
    fn scripted_reply_keeps_its_text_and_splits_the_think_tags() {
        let reply = scripted(Some("想一想"), "{\"tool_calls\":[]}");
        assert_eq!(reply.text, "<think>想一想</think>{\"tool_calls\":[]}");
        let pieces: Vec<&str> = reply.pieces().collect();
        assert_eq!(pieces.concat(), reply.text);
        assert_eq!(&pieces[..2], &["<thi", "nk>"]);
        assert_eq!(scripted(None, "plain").text, "plain");
    }

    #[test]
    fn long_directive_and_echo_truncation() {
        let reply = build(&input(ModelKind::Chat, "x [[sim:long=5]] y"));
        assert_eq!(reply.text, "w1 w2 w3 w4 w5");
        let long = "a".repeat(3000) + &"b".repeat(3000);
        let reply = build(&input(ModelKind::Chat, &long));
        let expected = format!("{}…{}", "a".repeat(1500), "b".repeat(1500));
        assert!(reply.text.contains(&expected));
    }
}
