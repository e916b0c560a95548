//! Streaming separation of a model's visible reasoning from its answer.
//!
//! Thinking models on the Taiji site put their reasoning inline, at the very start of the answer,
//! wrapped in `<think>…</think>` (taiji-protocol.md §8). The upstream streams text in small
//! `string` frames, so either tag may be cut anywhere (`<thi` + `nk>`, `</th` + `ink>`).
//! [`ThinkSplitter`] consumes those frames one at a time and yields [`Piece::Reasoning`] and
//! [`Piece::Text`] pieces, holding back only what could still turn out to be part of a tag.
//!
//! Rules, chosen to match how the upstream emits reasoning:
//! - Reasoning is recognised only when `<think>` opens the answer, optionally after whitespace.
//!   A literal `<think>` later in ordinary text stays text (models quote it in explanations).
//! - Line breaks directly after `<think>` and directly after `</think>` are dropped: they are
//!   layout of the tag convention, and clients render reasoning and answer in separate places.
//!   Other whitespace (such as indentation that starts a code block) is kept.
//! - A reasoning block that never closes is reasoning until the end of the stream.

/// The tag that opens a reasoning block.
const OPEN: &str = "<think>";
/// The tag that closes a reasoning block.
const CLOSE: &str = "</think>";

/// One piece of classified output. Pieces are never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text inside `<think>…</think>`.
    Reasoning(String),
    /// Answer text.
    Text(String),
}

/// What one call to [`ThinkSplitter::push`] or [`ThinkSplitter::finish`] produced.
///
/// Within one call reasoning always precedes text (the grammar is "reasoning, then answer"), so
/// two optional slots suffice and no per-frame collection is allocated. Iterate it to get the
/// pieces in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pieces {
    /// Reasoning produced by this call, if any (never empty when present).
    pub reasoning: Option<String>,
    /// Answer text produced by this call, if any (never empty when present).
    pub text: Option<String>,
}

impl Pieces {
    /// Whether this call produced nothing (everything was held back or dropped).
    pub fn is_empty(&self) -> bool {
        self.reasoning.is_none() && self.text.is_none()
    }

    fn add_reasoning(&mut self, piece: &str) {
        if !piece.is_empty() {
            match &mut self.reasoning {
                Some(existing) => existing.push_str(piece),
                None => self.reasoning = Some(piece.to_owned()),
            }
        }
    }

    fn add_text(&mut self, piece: &str) {
        if !piece.is_empty() {
            match &mut self.text {
                Some(existing) => existing.push_str(piece),
                None => self.text = Some(piece.to_owned()),
            }
        }
    }
}

impl Iterator for Pieces {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        if let Some(reasoning) = self.reasoning.take() {
            return Some(Piece::Reasoning(reasoning));
        }
        self.text.take().map(Piece::Text)
    }
}

/// Where the splitter is in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing but whitespace and (possibly) the beginning of `<think>` seen so far.
    Start,
    /// Inside the reasoning block; `skip_newlines` while no reasoning character has been seen.
    Reasoning { skip_newlines: bool },
    /// In the answer; `skip_newlines` while directly after `</think>`.
    Answer { skip_newlines: bool },
}

/// Splits a stream of text deltas into reasoning and answer pieces. See the module docs.
///
/// ```
/// use taiji_core::dispatch::think::{Piece, ThinkSplitter};
/// let mut splitter = ThinkSplitter::new();
/// let mut pieces: Vec<Piece> = Vec::new();
/// for frame in ["<thi", "nk>plan", "</th", "ink>\n\nHello"] {
///     pieces.extend(splitter.push(frame));
/// }
/// pieces.extend(splitter.finish());
/// assert_eq!(pieces, [Piece::Reasoning("plan".into()), Piece::Text("Hello".into())]);
/// ```
#[derive(Debug, Clone)]
pub struct ThinkSplitter {
    mode: Mode,
    /// Held-back input: at the start, leading whitespace plus a possible partial `<think>`;
    /// inside reasoning, a possible partial `</think>` (at most 7 bytes). Its capacity is
    /// reused across frames, so steady-state pushes allocate only the emitted pieces.
    held: String,
    /// Whether `<think>` opened this answer.
    opened: bool,
}

impl Default for ThinkSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl ThinkSplitter {
    /// A splitter at the start of an answer.
    pub fn new() -> Self {
        Self {
            mode: Mode::Start,
            held: String::new(),
            opened: false,
        }
    }

    /// Whether a reasoning block has been opened in this answer.
    pub fn saw_reasoning(&self) -> bool {
        self.opened
    }

    /// Feeds the next text delta and returns what can be emitted now.
    pub fn push(&mut self, delta: &str) -> Pieces {
        let mut out = Pieces::default();
        if let Mode::Answer { skip_newlines: false } = self.mode {
            // The steady state of every non-thinking answer: pass the frame straight through.
            out.add_text(delta);
            return out;
        }
        let mut work = std::mem::take(&mut self.held);
        work.push_str(delta);
        let keep_from = self.process(&work, &mut out);
        work.replace_range(..keep_from, "");
        self.held = work;
        out
    }

    /// [`ThinkSplitter::push`] for a delta the caller owns: in the steady state of an answer the
    /// delta is passed on as it is, without a copy.
    pub fn push_owned(&mut self, delta: String) -> Pieces {
        if let Mode::Answer { skip_newlines: false } = self.mode {
            return Pieces {
                reasoning: None,
                text: (!delta.is_empty()).then_some(delta),
            };
        }
        self.push(&delta)
    }

    /// Ends the stream: whatever was held back is emitted as what it was taken for.
    pub fn finish(&mut self) -> Pieces {
        let mut out = Pieces::default();
        let held = std::mem::take(&mut self.held);
        match self.mode {
            // Only whitespace or a prefix of `<think>` arrived: it was answer text after all.
            Mode::Start => out.add_text(&held),
            // An unterminated block (or a partial `</th` at the very end) is reasoning.
            Mode::Reasoning { .. } => out.add_reasoning(&held),
            Mode::Answer { .. } => out.add_text(&held),
        }
        self.mode = Mode::Answer { skip_newlines: false };
        out
    }

    /// Classifies `input` (held-back bytes followed by the new delta), appending to `out`.
    /// Returns the byte offset from which `input` must be held back for the next frame.
    fn process(&mut self, input: &str, out: &mut Pieces) -> usize {
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            match self.mode {
                Mode::Start => {
                    let trimmed = rest.trim_start();
                    if let Some(after_open) = trimmed.strip_prefix(OPEN) {
                        pos = input.len() - after_open.len();
                        self.mode = Mode::Reasoning { skip_newlines: true };
                        self.opened = true;
                    } else if OPEN.starts_with(trimmed) {
                        // Only whitespace, or a proper prefix of `<think>`: wait for more.
                        return pos;
                    } else {
                        out.add_text(rest);
                        self.mode = Mode::Answer { skip_newlines: false };
                        return input.len();
                    }
                }
                Mode::Reasoning { skip_newlines } => {
                    let mut rest = rest;
                    if skip_newlines {
                        rest = trim_newlines(rest);
                        pos = input.len() - rest.len();
                        if rest.is_empty() {
                            return pos;
                        }
                        self.mode = Mode::Reasoning { skip_newlines: false };
                    }
                    if let Some(close_at) = rest.find(CLOSE) {
                        out.add_reasoning(&rest[..close_at]);
                        pos += close_at + CLOSE.len();
                        self.mode = Mode::Answer { skip_newlines: true };
                    } else {
                        let held = partial_tag_suffix(rest, CLOSE);
                        out.add_reasoning(&rest[..rest.len() - held]);
                        return input.len() - held;
                    }
                }
                Mode::Answer { skip_newlines } => {
                    let mut rest = rest;
                    if skip_newlines {
                        rest = trim_newlines(rest);
                        if rest.is_empty() {
                            return input.len();
                        }
                        self.mode = Mode::Answer { skip_newlines: false };
                    }
                    out.add_text(rest);
                    return input.len();
                }
            }
        }
    }
}

/// Drops leading line breaks (`\n`, `\r`).
fn trim_newlines(text: &str) -> &str {
    text.trim_start_matches(['\n', '\r'])
}

/// The length of the longest suffix of `text` that is a proper prefix of `tag`.
///
/// Compared byte-wise: `tag` is ASCII and ASCII bytes never occur inside a multi-byte UTF-8
/// sequence, so a match always starts on a character boundary.
fn partial_tag_suffix(text: &str, tag: &str) -> usize {
    let text = text.as_bytes();
    let tag = tag.as_bytes();
    let longest = (tag.len() - 1).min(text.len());
    (1..=longest)
        .rev()
        .find(|&len| text[text.len() - len..] == tag[..len])
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Runs `frames` through a fresh splitter; returns the pieces, merged per kind in order.
    fn run(frames: &[&str]) -> Vec<Piece> {
        let mut splitter = ThinkSplitter::new();
        let mut pieces = Vec::new();
        for frame in frames {
            pieces.extend(splitter.push(frame));
        }
        pieces.extend(splitter.finish());
        pieces
    }

    /// Concatenated reasoning and text of a run.
    fn totals(pieces: &[Piece]) -> (String, String) {
        let mut reasoning = String::new();
        let mut text = String::new();
        for piece in pieces {
            match piece {
                Piece::Reasoning(part) => reasoning.push_str(part),
                Piece::Text(part) => text.push_str(part),
            }
        }
        (reasoning, text)
    }

    /// A non-streaming statement of the same rules, to check the streaming one against.
    fn reference(input: &str) -> (String, String) {
        let trimmed = input.trim_start();
        let Some(after_open) = trimmed.strip_prefix(OPEN) else {
            return (String::new(), input.to_owned());
        };
        let body = after_open.trim_start_matches(['\n', '\r']);
        match body.find(CLOSE) {
            Some(close_at) => (
                body[..close_at].to_owned(),
                body[close_at + CLOSE.len()..]
                    .trim_start_matches(['\n', '\r'])
                    .to_owned(),
            ),
            None => (body.to_owned(), String::new()),
        }
    }

    #[test]
    fn splits_tags_cut_across_frames() {
        let pieces = run(&[
            "<thi",
            "nk>",
            "\nLet me ",
            "think.",
            "</th",
            "ink>",
            "\n\n",
            "Answer",
            ".",
        ]);
        assert_eq!(
            totals(&pieces),
            ("Let me think.".to_owned(), "Answer.".to_owned())
        );
        assert!(
            pieces
                .iter()
                .all(|piece| !matches!(piece, Piece::Text(t) | Piece::Reasoning(t) if t.is_empty()))
        );
    }

    #[test]
    fn tags_cut_at_every_position_give_the_same_result() {
        let input = "<think>\nabc</think>\n\nxyz";
        for cut in 0..=input.len() {
            let pieces = run(&[&input[..cut], &input[cut..]]);
            assert_eq!(
                totals(&pieces),
                ("abc".to_owned(), "xyz".to_owned()),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn plain_answer_passes_through_frame_by_frame() {
        let mut splitter = ThinkSplitter::new();
        assert_eq!(
            splitter.push("Hello").collect::<Vec<_>>(),
            [Piece::Text("Hello".into())]
        );
        assert_eq!(
            splitter.push(" <think>").collect::<Vec<_>>(),
            [Piece::Text(" <think>".into())]
        );
        assert!(splitter.finish().is_empty());
        assert!(!splitter.saw_reasoning());
    }

    #[test]
    fn later_think_tag_stays_text() {
        let pieces = run(&["Use the ", "<think>", " tag"]);
        assert_eq!(totals(&pieces), (String::new(), "Use the <think> tag".to_owned()));
    }

    #[test]
    fn leading_whitespace_before_think_is_dropped() {
        let pieces = run(&["  \n", "<think>r</think>t"]);
        assert_eq!(pieces, [Piece::Reasoning("r".into()), Piece::Text("t".into())]);
    }

    #[test]
    fn leading_whitespace_of_a_plain_answer_is_kept() {
        assert_eq!(run(&["\n", "    code"]), [Piece::Text("\n    code".into())]);
    }

    #[test]
    fn prefix_of_open_tag_that_is_not_a_tag_is_text() {
        assert_eq!(
            run(&["<thi", "s is html>"]),
            [Piece::Text("<this is html>".into())]
        );
        assert_eq!(run(&["<thin"]), [Piece::Text("<thin".into())]);
    }

    #[test]
    fn partial_close_tag_inside_reasoning_is_released_when_it_is_not_a_tag() {
        let mut splitter = ThinkSplitter::new();
        assert!(splitter.push("<think>a</th").reasoning.as_deref() == Some("a"));
        let next = splitter.push("eory");
        assert_eq!(next.reasoning.as_deref(), Some("</theory"));
    }

    #[test]
    fn unterminated_reasoning_is_flushed_as_reasoning() {
        let pieces = run(&["<think>still going</thi"]);
        assert_eq!(totals(&pieces), ("still going</thi".to_owned(), String::new()));
    }

    #[test]
    fn empty_blocks_and_frames_emit_nothing() {
        assert_eq!(run(&["", "<think>", "", "</think>", ""]), Vec::<Piece>::new());
        assert_eq!(run(&[]), Vec::<Piece>::new());
    }

    #[test]
    fn multibyte_text_next_to_tags() {
        let pieces = run(&["<think>思考🙂", "</think>答案"]);
        assert!(pieces.len() == 2);
        assert_eq!(
            pieces,
            [Piece::Reasoning("思考🙂".into()), Piece::Text("答案".into())]
        );
    }

    #[test]
    fn partial_tag_suffix_finds_the_longest_tail() {
        assert_eq!(partial_tag_suffix("abc</thin", CLOSE), 6);
        assert_eq!(partial_tag_suffix("abc<", CLOSE), 1);
        assert_eq!(partial_tag_suffix("abc", CLOSE), 0);
        assert_eq!(partial_tag_suffix("思", CLOSE), 0);
    }

    /// Inputs built from fragments that are likely to interact with the tags.
    fn input_strategy() -> impl Strategy<Value = String> {
        let fragment = prop_oneof![
            Just("<think>"),
            Just("</think>"),
            Just("<thi"),
            Just("</"),
            Just("<"),
            Just(">"),
            Just("\n"),
            Just(" "),
            Just("\r\n"),
            Just("a"),
            Just("思考"),
            Just("🙂"),
            Just("think"),
        ];
        prop::collection::vec(fragment, 0..24).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_reasoning_and_text(
            input in input_strategy(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        ) {
            let boundaries: Vec<usize> =
                (0..=input.len()).filter(|&at| input.is_char_boundary(at)).collect();
            let mut cut_points: Vec<usize> = cuts.iter().map(|cut| *cut.get(&boundaries)).collect();
            cut_points.sort_unstable();
            let mut frames = Vec::new();
            let mut from = 0;
            for at in cut_points {
                frames.push(&input[from..at]);
                from = at;
            }
            frames.push(&input[from..]);

            let pieces = run(&frames);
            // Owned deltas (the dispatcher's path) give exactly the same pieces.
            let mut splitter = ThinkSplitter::new();
            let mut owned = Vec::new();
            for frame in &frames {
                owned.extend(splitter.push_owned((*frame).to_owned()));
            }
            owned.extend(splitter.finish());
            prop_assert_eq!(&owned, &pieces);
            let no_empty_piece = pieces.iter().all(|piece| match piece {
                Piece::Reasoning(part) | Piece::Text(part) => !part.is_empty(),
            });
            prop_assert!(no_empty_piece);
            prop_assert_eq!(totals(&pieces), reference(&input));
        }
    }
}
