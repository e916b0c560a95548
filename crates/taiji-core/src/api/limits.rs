//! Emulation of what the upstream ignores: stop sequences and output limits. The upstream has no
//! `stop` and no `max_tokens`, so the gateway watches the answer as it streams, cuts it at the first
//! stop sequence or once the token budget is spent, and tells the route to drop the upstream stream
//! at once ([`LimitOutcome::Cut`]) so the model stops generating and the user stops paying.
//!
//! [`OutputLimiter`] is the one place that turns the dispatcher's [`ChatEvent`]s into the
//! [`OutputEvent`]s the encoders consume; with no limits it is a plain pass-through.

use crate::api::output::{Finish, OutputEvent, StopReason};
use crate::api::tokens::TokenEstimator;
use crate::chat::{ChatEvent, Usage};

/// What the client asked to limit, already validated and merged from the request's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputLimits {
    /// Stop sequences (OpenAI `stop`, Anthropic `stop_sequences`); empty strings are ignored.
    pub stop_sequences: Vec<String>,
    /// The output budget in tokens (reasoning included, as both APIs count it).
    pub max_output_tokens: Option<u64>,
}

/// The result of feeding text to a [`StopMatcher`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopScan {
    /// No stop sequence so far: this text is safe to emit (a possible partial match is held back).
    Pass(String),
    /// A stop sequence matched: emit this text (everything before the match) and stop.
    Stopped {
        /// The text before the match.
        text: String,
        /// The stop sequence that matched.
        sequence: String,
    },
}

/// Finds stop sequences in a stream of text deltas, however the text is split.
///
/// It holds back the longest tail that could still become a stop sequence, and cuts at the match
/// that completes first (among matches completing at the same place, the one starting earliest).
/// That rule is what makes the output independent of how the text is split into deltas.
#[derive(Debug, Clone, Default)]
pub struct StopMatcher {
    sequences: Vec<String>,
    held: String,
    stopped: bool,
}

impl StopMatcher {
    /// A matcher for these sequences; empty ones are dropped.
    pub fn new(sequences: &[String]) -> Self {
        let sequences = sequences
            .iter()
            .filter(|sequence| !sequence.is_empty())
            .cloned()
            .collect();
        Self {
            sequences,
            held: String::new(),
            stopped: false,
        }
    }

    /// Whether there is anything to match.
    pub fn is_active(&self) -> bool {
        !self.sequences.is_empty()
    }

    /// Feeds the next delta. After a stop, everything is swallowed.
    pub fn push(&mut self, delta: &str) -> StopScan {
        if self.stopped {
            return StopScan::Pass(String::new());
        }
        if !self.is_active() {
            return StopScan::Pass(delta.to_owned());
        }
        self.held.push_str(delta);
        if let Some((start, sequence)) = self.first_completed_match() {
            self.stopped = true;
            let mut text = std::mem::take(&mut self.held);
            text.truncate(start);
            return StopScan::Stopped { text, sequence };
        }
        let keep_from = self.partial_match_start();
        let tail = self.held.split_off(keep_from);
        StopScan::Pass(std::mem::replace(&mut self.held, tail))
    }

    /// Ends the text: whatever was held back as a possible partial match is released.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.held)
    }

    /// The match that ends first in the held text: its start and the sequence.
    fn first_completed_match(&self) -> Option<(usize, String)> {
        self.sequences
            .iter()
            .filter_map(|sequence| {
                self.held
                    .find(sequence.as_str())
                    .map(|start| (start + sequence.len(), start, sequence))
            })
            .min_by_key(|&(end, start, _)| (end, start))
            .map(|(_, start, sequence)| (start, sequence.clone()))
    }

    /// The earliest position from which the held text is a proper prefix of some sequence (the
    /// text's length when there is none).
    fn partial_match_start(&self) -> usize {
        let longest = self.sequences.iter().map(String::len).max().unwrap_or(0);
        let window_start = self.held.len().saturating_sub(longest);
        (window_start..self.held.len())
            .filter(|&index| self.held.is_char_boundary(index))
            .find(|&index| {
                let tail = &self.held[index..];
                self.sequences.iter().any(|sequence| sequence.starts_with(tail))
            })
            .unwrap_or(self.held.len())
    }
}

/// What the route must do after feeding one event to the [`OutputLimiter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitOutcome {
    /// Keep reading the upstream stream.
    Continue,
    /// A stop sequence or the budget ended the answer: drop the upstream stream now. The step's
    /// events already end with [`OutputEvent::Finished`].
    Cut {
        /// Why ([`StopReason::StopSequence`] or [`StopReason::MaxTokens`]).
        reason: StopReason,
    },
}

/// The events one [`ChatEvent`] turned into, and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitStep {
    /// Events to encode, in order (possibly none).
    pub events: Vec<OutputEvent>,
    /// Whether to keep reading.
    pub outcome: LimitOutcome,
}

impl LimitStep {
    fn continuing(events: Vec<OutputEvent>) -> Self {
        Self {
            events,
            outcome: LimitOutcome::Continue,
        }
    }
}

/// How much answer text may wait uncounted before it is counted (bytes, per kind).
const UNCOUNTED_LIMIT: usize = 4096;
/// The same for text while neither a budget nor a stop sequence applies: its count is needed only
/// if the upstream's final record never comes, so most answers are never counted at all; longer
/// ones are counted in batches of this size, to bound what each stream keeps.
const UNCOUNTED_PASS_THROUGH_LIMIT: usize = 64 * 1024;

/// Applies stop sequences and the output budget to one request's events, and assembles the final
/// [`Finish`] (upstream usage when it arrived, the gateway's estimate otherwise).
///
/// Counting every delta on its own would cost a tokenizer pass per frame; instead the text is
/// counted in batches of up to [`UNCOUNTED_LIMIT`] bytes, at the end, and whenever the budget
/// could be reached: a token is at least one byte, so while the counted tokens plus the uncounted
/// bytes stay below the budget, it cannot be spent. Without a budget or stop sequences the answer
/// text is only counted when the estimate is used (the final record is missing), in batches of
/// [`UNCOUNTED_PASS_THROUGH_LIMIT`]; reasoning is always counted, for the usage's reasoning tokens.
#[derive(Debug, Clone)]
pub struct OutputLimiter {
    estimator: TokenEstimator,
    stop: StopMatcher,
    max_output_tokens: Option<u64>,
    prompt_tokens: PromptTokens,
    /// Counted output tokens (reasoning included).
    output_tokens: u64,
    /// Counted reasoning tokens.
    reasoning_tokens: u64,
    /// Emitted reasoning not counted yet.
    uncounted_reasoning: String,
    /// Emitted text not counted yet.
    uncounted_text: String,
    upstream_usage: Option<Usage>,
    finished: bool,
}

/// The prompt's side of an estimated usage.
#[derive(Debug, Clone)]
enum PromptTokens {
    Counted(u64),
    /// The upstream prompt's text and image count, counted only if an estimate is reported: most
    /// answers end with the upstream's own usage, and counting a prompt costs tens of microseconds
    /// per sentence of Chinese and milliseconds for a coding agent's context.
    Uncounted {
        text: String,
        images: usize,
    },
}

impl OutputLimiter {
    /// A limiter for one request. `prompt_tokens_estimate` is reported as the prompt usage if the
    /// upstream's final record never arrives.
    pub fn new(estimator: TokenEstimator, limits: &OutputLimits, prompt_tokens_estimate: u64) -> Self {
        Self {
            estimator,
            stop: StopMatcher::new(&limits.stop_sequences),
            max_output_tokens: limits.max_output_tokens,
            prompt_tokens: PromptTokens::Counted(prompt_tokens_estimate),
            output_tokens: 0,
            reasoning_tokens: 0,
            uncounted_reasoning: String::new(),
            uncounted_text: String::new(),
            upstream_usage: None,
            finished: false,
        }
    }

    /// Sets the upstream prompt (its text and image count) whose tokens are reported as the prompt
    /// usage if the upstream's final record never arrives or the answer is cut; it is counted
    /// only then, on the relay's thread. A long prompt's count (milliseconds for 40 KiB) then
    /// delays that answer's last frame: rare, and far cheaper than counting every prompt.
    pub fn set_prompt(&mut self, text: String, images: usize) {
        self.prompt_tokens = PromptTokens::Uncounted { text, images };
    }

    /// The prompt usage to report, counted now if it was not yet.
    fn prompt_tokens_estimate(&mut self) -> u64 {
        let tokens = match &self.prompt_tokens {
            PromptTokens::Counted(tokens) => return *tokens,
            PromptTokens::Uncounted { text, images } => self.estimator.estimate_prompt(text, *images),
        };
        self.prompt_tokens = PromptTokens::Counted(tokens);
        tokens
    }

    /// Output tokens emitted so far, by the gateway's estimate.
    pub fn output_tokens(&mut self) -> u64 {
        self.count_pending();
        self.output_tokens
    }

    /// Whether the answer has ended (finished or cut); later events are ignored.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Feeds one dispatcher event.
    pub fn apply(&mut self, event: ChatEvent) -> LimitStep {
        if self.finished {
            return LimitStep::continuing(Vec::new());
        }
        match event {
            ChatEvent::ReasoningDelta(delta) => self.reasoning(&delta),
            ChatEvent::TextDelta(delta) => self.text(delta),
            ChatEvent::Usage(usage) => {
                self.upstream_usage = Some(usage);
                LimitStep::continuing(Vec::new())
            }
            ChatEvent::Finished { .. } => {
                let mut events = Vec::new();
                push_text(&mut events, self.stop.finish());
                events.push(self.finish(StopReason::EndTurn));
                LimitStep::continuing(events)
            }
        }
    }

    fn reasoning(&mut self, delta: &str) -> LimitStep {
        let (allowed, exhausted) = self.spend(delta, true);
        let mut events = Vec::new();
        if !allowed.is_empty() {
            events.push(OutputEvent::Reasoning(allowed.to_owned()));
        }
        if exhausted {
            return self.cut(events, StopReason::MaxTokens);
        }
        LimitStep::continuing(events)
    }

    fn text(&mut self, delta: String) -> LimitStep {
        let (allowed, exhausted) = self.spend(&delta, false);
        if !exhausted && !self.stop.is_active() && allowed.len() == delta.len() {
            // The common case, every delta of a plain answer: it passes whole, so it is moved on
            // rather than copied.
            let mut events = Vec::with_capacity(1);
            push_text(&mut events, delta);
            return LimitStep::continuing(events);
        }
        let mut events = Vec::new();
        match self.stop.push(allowed) {
            StopScan::Stopped { text, sequence } => {
                push_text(&mut events, text);
                self.cut(events, StopReason::StopSequence(sequence))
            }
            StopScan::Pass(text) => {
                push_text(&mut events, text);
                if exhausted {
                    // The budget is spent: what was held back as a possible stop prefix is part of
                    // the answer after all.
                    push_text(&mut events, self.stop.finish());
                    return self.cut(events, StopReason::MaxTokens);
                }
                LimitStep::continuing(events)
            }
        }
    }

    /// Charges `delta` (reasoning or text) against the budget: the part that fits, and whether the
    /// budget is now spent.
    fn spend<'a>(&mut self, delta: &'a str, reasoning: bool) -> (&'a str, bool) {
        let uncounted = self.uncounted_reasoning.len() + self.uncounted_text.len() + delta.len();
        let safe = match self.max_output_tokens {
            None => true,
            // Tokens never outnumber bytes.
            Some(max) => self.output_tokens + (uncounted as u64) < max,
        };
        if safe {
            let pending = if reasoning {
                &mut self.uncounted_reasoning
            } else {
                &mut self.uncounted_text
            };
            pending.push_str(delta);
            let limit = if reasoning || self.max_output_tokens.is_some() || self.stop.is_active() {
                UNCOUNTED_LIMIT
            } else {
                UNCOUNTED_PASS_THROUGH_LIMIT
            };
            if pending.len() >= limit {
                self.count_pending();
            }
            return (delta, false);
        }
        self.count_pending();
        let max = self.max_output_tokens.unwrap_or(u64::MAX);
        let room = max.saturating_sub(self.output_tokens);
        let (bytes, tokens) = self.estimator.prefix_within(delta, room);
        self.output_tokens += tokens;
        if reasoning {
            self.reasoning_tokens += tokens;
        }
        // Spent when the delta did not fit whole, or filled the budget exactly.
        let exhausted = bytes < delta.len() || self.output_tokens >= max;
        (&delta[..bytes], exhausted)
    }

    /// Counts the text emitted but not counted yet.
    fn count_pending(&mut self) {
        if !self.uncounted_reasoning.is_empty() {
            let tokens = self.estimator.count(&self.uncounted_reasoning);
            self.reasoning_tokens += tokens;
            self.output_tokens += tokens;
            self.uncounted_reasoning.clear();
        }
        if !self.uncounted_text.is_empty() {
            self.output_tokens += self.estimator.count(&self.uncounted_text);
            self.uncounted_text.clear();
        }
    }

    fn cut(&mut self, mut events: Vec<OutputEvent>, reason: StopReason) -> LimitStep {
        events.push(self.finish(reason.clone()));
        LimitStep {
            events,
            outcome: LimitOutcome::Cut { reason },
        }
    }

    fn finish(&mut self, reason: StopReason) -> OutputEvent {
        self.finished = true;
        if reason == StopReason::EndTurn && self.upstream_usage.is_some() {
            // The upstream's own usage is reported; only the reasoning tokens are the gateway's.
            self.uncounted_text.clear();
        }
        self.count_pending();
        let (usage, usage_estimated) = match self.upstream_usage {
            // A cut stream never delivers the final record; a finished one may lack it too.
            Some(usage) if reason == StopReason::EndTurn => (usage, false),
            _ => {
                let prompt_tokens = self.prompt_tokens_estimate();
                let usage = Usage {
                    prompt_tokens,
                    completion_tokens: self.output_tokens,
                    total_tokens: prompt_tokens + self.output_tokens,
                    points: 0,
                };
                (usage, true)
            }
        };
        OutputEvent::Finished(Finish {
            reason,
            usage,
            usage_estimated,
            reasoning_tokens: self.reasoning_tokens.min(usage.completion_tokens),
        })
    }
}

fn push_text(events: &mut Vec<OutputEvent>, text: String) {
    if !text.is_empty() {
        events.push(OutputEvent::Text(text));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;
    use crate::api::split::split_at;

    // Loaded once per test binary (seconds in debug builds); an immutable fixture.
    static ESTIMATOR: LazyLock<TokenEstimator> =
        LazyLock::new(|| TokenEstimator::new().expect("the embedded table loads"));

    fn stops(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Runs deltas through a matcher: the emitted text and the matched sequence.
    fn run_matcher(sequences: &[String], deltas: &[&str]) -> (String, Option<String>) {
        let mut matcher = StopMatcher::new(sequences);
        let mut out = String::new();
        for delta in deltas {
            match matcher.push(delta) {
                StopScan::Pass(text) => out.push_str(&text),
                StopScan::Stopped { text, sequence } => {
                    out.push_str(&text);
                    return (out, Some(sequence));
                }
            }
        }
        out.push_str(&matcher.finish());
        (out, None)
    }

    #[test]
    fn cuts_at_a_match_split_across_deltas() {
        let (text, sequence) = run_matcher(&stops(&["END"]), &["Hello E", "N", "D tail"]);
        assert_eq!(text, "Hello ");
        assert_eq!(sequence.as_deref(), Some("END"));
    }

    #[test]
    fn holds_back_only_what_could_still_match() {
        let mut matcher = StopMatcher::new(&stops(&["END"]));
        assert_eq!(matcher.push("abcE"), StopScan::Pass("abc".into()));
        assert_eq!(matcher.push("x"), StopScan::Pass("Ex".into()));
        assert_eq!(matcher.push("EN"), StopScan::Pass(String::new()));
        assert_eq!(matcher.finish(), "EN");
    }

    #[test]
    fn the_match_that_completes_first_wins() {
        let (text, sequence) = run_matcher(&stops(&["abcd", "bc"]), &["xabcd"]);
        assert_eq!((text.as_str(), sequence.as_deref()), ("xa", Some("bc")));
        let (text, sequence) = run_matcher(&stops(&["bc", "abc"]), &["xabc"]);
        assert_eq!((text.as_str(), sequence.as_deref()), ("x", Some("abc")));
    }

    #[test]
    fn multibyte_stop_sequences_and_text() {
        let (text, sequence) = run_matcher(&stops(&["。\n"]), &["你好", "。", "\n再见"]);
        assert_eq!((text.as_str(), sequence.as_deref()), ("你好", Some("。\n")));
    }

    #[test]
    fn no_sequences_and_empty_sequences_pass_everything() {
        assert_eq!(run_matcher(&[], &["a", "b"]), ("ab".into(), None));
        assert_eq!(run_matcher(&stops(&[""]), &["a", "b"]), ("ab".into(), None));
    }

    proptest! {
        #[test]
        fn any_split_of_the_deltas_gives_the_same_output(
            text in "[abc你😀\n]{0,40}",
            sequences in proptest::collection::vec("[abc你😀\n]{1,4}", 0..4),
            cuts in proptest::collection::vec(0usize..64, 0..8),
        ) {
            let whole = run_matcher(&sequences, &[text.as_str()]);
            let deltas = split_at(&text, &cuts);
            prop_assert_eq!(run_matcher(&sequences, &deltas), whole);
        }
    }

    fn limiter(stop: &[&str], max: Option<u64>) -> OutputLimiter {
        let limits = OutputLimits {
            stop_sequences: stops(stop),
            max_output_tokens: max,
        };
        OutputLimiter::new(ESTIMATOR.clone(), &limits, 10)
    }

    fn finish_of(step: &LimitStep) -> Option<&Finish> {
        match step.events.last() {
            Some(OutputEvent::Finished(finish)) => Some(finish),
            _ => None,
        }
    }

    #[test]
    fn pass_through_uses_upstream_usage() {
        let mut limiter = limiter(&[], None);
        assert_eq!(
            limiter.apply(ChatEvent::ReasoningDelta("hmm".into())).events,
            vec![OutputEvent::Reasoning("hmm".into())]
        );
        assert_eq!(
            limiter.apply(ChatEvent::TextDelta("Hi".into())).events,
            vec![OutputEvent::Text("Hi".into())]
        );
        let usage = Usage {
            prompt_tokens: 200,
            completion_tokens: 3,
            total_tokens: 203,
            points: 1,
        };
        assert!(limiter.apply(ChatEvent::Usage(usage)).events.is_empty());
        let step = limiter.apply(ChatEvent::Finished { model_label: None });
        assert_eq!(step.outcome, LimitOutcome::Continue);
        let finish = finish_of(&step).expect("finish");
        assert_eq!(finish.reason, StopReason::EndTurn);
        assert_eq!(finish.usage, usage);
        assert!(!finish.usage_estimated);
        assert_eq!(finish.reasoning_tokens, ESTIMATOR.count("hmm"));
        assert!(limiter.is_finished());
    }

    #[test]
    fn stop_sequence_cuts_and_reports_it() {
        let mut limiter = limiter(&["STOP"], None);
        assert_eq!(
            limiter.apply(ChatEvent::TextDelta("one ST".into())).events,
            vec![OutputEvent::Text("one ".into())]
        );
        let step = limiter.apply(ChatEvent::TextDelta("OP two".into()));
        assert_eq!(
            step.outcome,
            LimitOutcome::Cut {
                reason: StopReason::StopSequence("STOP".into())
            }
        );
        let finish = finish_of(&step).expect("finish");
        assert!(finish.usage_estimated);
        assert_eq!(finish.usage.prompt_tokens, 10);
        // Later events are ignored.
        assert!(
            limiter
                .apply(ChatEvent::TextDelta("more".into()))
                .events
                .is_empty()
        );
    }

    #[test]
    fn held_back_prefix_is_released_at_the_end() {
        let mut limiter = limiter(&["STOP"], None);
        assert_eq!(
            limiter.apply(ChatEvent::TextDelta("one ST".into())).events,
            vec![OutputEvent::Text("one ".into())]
        );
        let step = limiter.apply(ChatEvent::Finished { model_label: None });
        assert_eq!(step.events[0], OutputEvent::Text("ST".into()));
        assert_eq!(
            finish_of(&step).map(|finish| &finish.reason),
            Some(&StopReason::EndTurn)
        );
    }

    #[test]
    fn max_tokens_cuts_inside_a_delta() {
        let mut limiter = limiter(&[], Some(3));
        assert_eq!(
            limiter.apply(ChatEvent::TextDelta("one".into())).outcome,
            LimitOutcome::Continue
        );
        let step = limiter.apply(ChatEvent::TextDelta(" two three four".into()));
        assert_eq!(
            step.outcome,
            LimitOutcome::Cut {
                reason: StopReason::MaxTokens
            }
        );
        assert_eq!(step.events[0], OutputEvent::Text(" two three".into()));
        let finish = finish_of(&step).expect("finish");
        assert_eq!(finish.usage.completion_tokens, 3);
        assert_eq!(limiter.output_tokens(), 3);
    }

    #[test]
    fn max_tokens_counts_reasoning_and_cuts_when_exactly_spent() {
        let mut limiter = limiter(&[], Some(2));
        assert_eq!(
            limiter.apply(ChatEvent::ReasoningDelta("think".into())).outcome,
            LimitOutcome::Continue
        );
        let step = limiter.apply(ChatEvent::TextDelta("done".into()));
        assert_eq!(
            step.outcome,
            LimitOutcome::Cut {
                reason: StopReason::MaxTokens
            }
        );
        let finish = finish_of(&step).expect("finish");
        assert_eq!(finish.reasoning_tokens, 1);
    }

    #[test]
    fn budget_cut_releases_a_held_stop_prefix() {
        let mut limiter = limiter(&["STOPPER"], Some(2));
        let step = limiter.apply(ChatEvent::TextDelta("one STOP more".into()));
        assert_eq!(
            step.outcome,
            LimitOutcome::Cut {
                reason: StopReason::MaxTokens
            }
        );
        let text: String = step
            .events
            .iter()
            .filter_map(|event| match event {
                OutputEvent::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(text, "one STOP");
    }

    /// Without a budget or stop sequences the answer text is counted only when the estimate is
    /// reported: a long answer whose final record never came is still counted exactly.
    #[test]
    fn a_pass_through_answer_without_a_final_record_is_counted_exactly() {
        let mut limiter = limiter(&[], None);
        let delta = "长答案 with mixed text, 数字 12345 and code `x += 1;`\n";
        let mut answer = String::new();
        // Past the pass-through batch size, so both a counted batch and a pending rest are summed.
        while answer.len() < 3 * UNCOUNTED_PASS_THROUGH_LIMIT / 2 {
            limiter.apply(ChatEvent::TextDelta(delta.into()));
            answer.push_str(delta);
        }
        let step = limiter.apply(ChatEvent::Finished { model_label: None });
        let finish = finish_of(&step).expect("finish");
        assert!(finish.usage_estimated);
        assert_eq!(finish.usage.completion_tokens, ESTIMATOR.count(&answer));
    }
}
