//! The one token estimator of the gateway: counts tokens with OpenAI's `o200k_base` byte-pair
//! encoding (`bpe.rs`: the same encoding as `tiktoken`, over a compact table embedded in the
//! binary, so nothing is downloaded at run time). The upstream never tells us its tokenizer, so
//! every count here is an honest estimate, but a tokenizer-based one rather than a character ratio.
//! It serves `/v1/messages/count_tokens`, the `input_tokens` announced before the upstream reports
//! usage, and the emulated `max_tokens` limits.
//!
//! The table and its index are read-only data laid out at build time and the pre-split pattern is
//! compiled at the first count, so [`TokenEstimator::new`] is cheap and an idle gateway holds
//! nothing of it; the one estimator is shared through cheap clones, and the owner (the core) passes
//! it to whoever needs it.

mod bpe;
mod table_layout;

use std::fmt;
use std::sync::Arc;

use bpe::O200k;

/// The estimate for one image, whatever its size: Anthropic bills about `width * height / 750`
/// tokens and scales images down to about 1.15 megapixels, i.e. at most about 1,600 tokens.
pub const IMAGE_TOKENS: u64 = 1_600;

/// The estimate for one non-text document (a PDF): about one dense page. Such documents are not
/// sent upstream (the chat routes reject them), so this only keeps `count_tokens` from ignoring them.
pub const DOCUMENT_TOKENS: u64 = 1_600;

/// The fixed per-message overhead (role markers and separators), as in OpenAI's own accounting.
pub const MESSAGE_OVERHEAD_TOKENS: u64 = 4;

/// The longest piece of text handed to the tokenizer at once. A run the pre-split cannot cut (a
/// long word, a long run of spaces) is merged in time quadratic in its length; bounded pieces keep
/// the count fast for any input.
const MAX_PIECE_BYTES: usize = 2_048;

/// Why the tokenizer could not be loaded (its embedded table failed to parse; a packaging bug).
#[derive(Debug, thiserror::Error)]
#[error("failed to load the o200k_base tokenizer: {0}")]
pub struct TokenizerLoadError(String);

/// Counts tokens. Cheap to clone (the table is shared); load it once with [`TokenEstimator::new`].
#[derive(Clone)]
pub struct TokenEstimator {
    bpe: Arc<O200k>,
}

impl fmt::Debug for TokenEstimator {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("TokenEstimator(o200k_base)")
    }
}

impl TokenEstimator {
    /// Loads the embedded `o200k_base` table.
    pub fn new() -> Result<Self, TokenizerLoadError> {
        let bpe = O200k::load().map_err(TokenizerLoadError)?;
        Ok(Self { bpe: Arc::new(bpe) })
    }

    /// Whether the first count has already compiled the tokenizer's pattern (a few milliseconds),
    /// so that a short count costs only microseconds.
    pub fn is_ready(&self) -> bool {
        self.bpe.is_compiled()
    }

    /// The number of tokens of `text`.
    pub fn count(&self, text: &str) -> u64 {
        pieces(text).map(|piece| self.bpe.count(piece)).sum()
    }

    /// The estimated input of one upstream message: its text plus a fixed estimate per image. The
    /// routes report this as prompt usage when the upstream's own count never arrives (a cut).
    pub fn estimate_prompt(&self, text: &str, image_count: usize) -> u64 {
        self.count(text) + IMAGE_TOKENS * image_count as u64
    }

    /// The longest prefix of `text` that fits in `max_tokens` tokens: its length in bytes (always
    /// a character boundary) and its token count. A token that would split a multi-byte character
    /// is left out with the rest.
    pub fn prefix_within(&self, text: &str, max_tokens: u64) -> (usize, u64) {
        let mut taken_bytes = 0;
        let mut taken_tokens = 0;
        for piece in pieces(text) {
            let room = max_tokens - taken_tokens;
            // Where the piece's first `room` tokens end, or `None` when the whole piece fits.
            let mut tokens = 0;
            let mut last_end = 0;
            let mut cut = None;
            self.bpe.for_each_token(piece, |end| {
                if tokens == room {
                    cut = Some(last_end);
                    return false;
                }
                tokens += 1;
                last_end = end;
                true
            });
            let Some(prefix_len) = cut else {
                taken_bytes += piece.len();
                taken_tokens += tokens;
                continue;
            };
            let mut boundary = prefix_len;
            while !piece.is_char_boundary(boundary) {
                boundary -= 1;
            }
            let counted = self.count(&piece[..boundary]);
            return (taken_bytes + boundary, taken_tokens + counted);
        }
        (taken_bytes, taken_tokens)
    }
}

/// Splits `text` into pieces of at most [`MAX_PIECE_BYTES`] bytes. A cut is placed, where possible,
/// just before a space that follows a non-space: the tokenizer's own pre-splitting starts a word
/// there, so such cuts do not change the count.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() <= MAX_PIECE_BYTES {
            let piece = rest;
            rest = "";
            return Some(piece);
        }
        let cut = word_boundary_cut(rest).unwrap_or_else(|| char_boundary_at_most(rest, MAX_PIECE_BYTES));
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

/// The last position in the second half of the first [`MAX_PIECE_BYTES`] bytes where a space
/// follows a non-whitespace character.
fn word_boundary_cut(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let limit = MAX_PIECE_BYTES.min(bytes.len() - 1);
    (MAX_PIECE_BYTES / 2..=limit)
        .rev()
        .find(|&index| bytes[index] == b' ' && !bytes[index - 1].is_ascii_whitespace())
}

/// The largest character boundary of `text` that is at most `max` (and above zero for non-empty
/// text, so the split always makes progress).
fn char_boundary_at_most(text: &str, max: usize) -> usize {
    let mut cut = max.min(text.len());
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if cut == 0 {
        text.chars().next().map_or(text.len(), char::len_utf8)
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    // One table for the whole test binary: loading it takes seconds in debug builds. This is an
    // immutable test fixture, not runtime state.
    static ESTIMATOR: LazyLock<TokenEstimator> =
        LazyLock::new(|| TokenEstimator::new().expect("the embedded table loads"));

    #[test]
    fn counts_known_strings_like_tiktoken() {
        // Reference counts from OpenAI's tokenizer for o200k_base.
        assert_eq!(ESTIMATOR.count(""), 0);
        assert_eq!(ESTIMATOR.count("hello world"), 2);
        assert_eq!(ESTIMATOR.count("Hello, world!"), 4);
        assert_eq!(ESTIMATOR.estimate_prompt("hello world", 2), 2 + 2 * IMAGE_TOKENS);
    }

    #[test]
    fn long_whitespace_runs_neither_panic_nor_miscount_wildly() {
        let spaces = " ".repeat(200_000);
        let count = ESTIMATOR.count(&spaces);
        assert!(count > 0 && count < 2_000, "count {count}");
    }

    #[test]
    fn piece_cuts_at_word_boundaries_do_not_change_the_count() {
        let text = "The quick brown fox jumps over the lazy dog. ".repeat(300);
        assert!(text.len() > 4 * MAX_PIECE_BYTES);
        let whole = ESTIMATOR.bpe.count(&text);
        assert_eq!(ESTIMATOR.count(&text), whole);
    }

    #[test]
    fn pieces_cover_the_text_exactly_at_char_boundaries() {
        let text = "你好😀 a".repeat(2_000);
        let joined: String = pieces(&text).collect();
        assert_eq!(joined, text);
        assert!(pieces(&text).all(|piece| piece.len() <= MAX_PIECE_BYTES));
    }

    #[test]
    fn prefix_within_respects_the_budget_and_char_boundaries() {
        let text = "one two three four five";
        let (bytes, tokens) = ESTIMATOR.prefix_within(text, 2);
        assert_eq!(&text[..bytes], "one two");
        assert_eq!(tokens, 2);
        let (bytes, tokens) = ESTIMATOR.prefix_within(text, 100);
        assert_eq!((bytes, tokens), (text.len(), ESTIMATOR.count(text)));
        let (bytes, tokens) = ESTIMATOR.prefix_within(text, 0);
        assert_eq!((bytes, tokens), (0, 0));
        let emoji = "😀😀😀";
        let (bytes, _) = ESTIMATOR.prefix_within(emoji, 1);
        assert!(emoji.is_char_boundary(bytes));
    }
}
