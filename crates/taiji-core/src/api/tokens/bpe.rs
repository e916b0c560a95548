//! OpenAI's `o200k_base` byte-pair encoding in a compact form, for counting: the same pre-split
//! pattern and the same merge rule as `tiktoken`, over read-only tables in the binary instead of
//! the ~40 MB of hash maps `tiktoken-rs` builds (an encoder, a decoder and a sorted copy of 200,000
//! small heap allocations each), which made up most of an idle gateway's memory.
//!
//! The table (`o200k_base.bin`, written by `make_o200k_table.py` from the `o200k_base.tiktoken`
//! file `tiktoken-rs` ships) is every token in rank order as a length byte and the token's bytes.
//! `build.rs` lays out from it an offset per rank and an open-addressing index of ranks by token
//! bytes (`table_layout.rs`); all three stay in the binary's read-only data, so loading costs no
//! heap and no start-up time, and only the pages a count touches are read in. The tests below
//! check the table against `tiktoken-rs` token by token, and counts of varied and generated texts
//! against its encoder.
//!
//! The pattern's one look-ahead (`\s+(?!\S)`) is applied in code ([`O200k::for_each_piece`]), so
//! the pre-split runs on `regex-automata`'s lazy DFA instead of a backtracking engine: `tiktoken`
//! needs `fancy-regex` for that look-ahead alone, and its backtracking VM cost about a thousand
//! instructions per byte of answer text. Every character of a text is part of some piece, so each
//! piece is searched anchored where the last one ended: one forward pass of a lazy DFA, no search
//! for a start.

use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::OnceLock;

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::{Anchored, Input};

use super::table_layout;

/// The tokens in rank order: a length byte, then the token's bytes.
static TABLE: &[u8] = include_bytes!("o200k_base.bin");
/// Where each rank's bytes start in [`TABLE`] (its length is the byte before): little-endian `u32`s.
static STARTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_starts.bin"));
/// Ranks by the hash of their bytes, linear probing, [`EMPTY`] for a free slot: little-endian
/// `u32`s, a power of two of them, at most half full.
static INDEX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_index.bin"));

/// `tiktoken`'s pre-split pattern for `o200k_base` (`tiktoken-rs`'s `O200K_BASE_PAT_STR`) without
/// its look-ahead: the original's last two alternatives, `\s+(?!\S)|\s+`, are `\s+` here, and
/// [`O200k::for_each_piece`] gives back what the look-ahead would not have matched.
const PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"\p{N}{1,3}",
    "|",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    "|",
    r"\s*[\r\n]+",
    "|",
    r"\s+"
);

/// The most memory each thread's lazy DFA cache may take before it is cleared and rebuilt. The
/// states that ordinary text visits fit in far less; the default (2 MiB per thread) showed as
/// megabytes of resident memory after a long answer was counted.
const DFA_CACHE_BYTES: usize = 256 * 1024;

/// An empty slot of the index.
const EMPTY: u32 = u32::MAX;

/// The `o200k_base` encoding, for counting tokens and finding where they end.
pub(super) struct O200k {
    /// The pre-split pattern, compiled at the first count: the automaton and its caches take a few
    /// hundred kilobytes of heap and the compiler's code a few hundred kilobytes of resident pages,
    /// which a gateway that has not served a request yet does not need to hold.
    pre_split: OnceLock<PreSplit>,
}

/// Makes a lazy DFA cache for a thread that has none yet.
type NewCache = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// The pre-split pattern as a forward lazy DFA that only searches anchored, with its caches.
struct PreSplit {
    dfa: DFA,
    /// One cache per thread that searches, handed out by the pool.
    caches: Pool<Cache, NewCache>,
}

impl PreSplit {
    /// Compiles [`PATTERN`]. It is a constant that the tests below compile and run, so compiling
    /// it cannot fail in a build that passed them.
    fn compile() -> Self {
        let dfa = DFA::builder()
            .configure(DFA::config().cache_capacity(DFA_CACHE_BYTES))
            .build(PATTERN)
            .expect("the o200k pre-split pattern compiles");
        let for_caches = dfa.clone();
        let caches = Pool::new(Box::new(move || for_caches.create_cache()) as NewCache);
        Self { dfa, caches }
    }

    /// Where the piece that starts at `at` ends: the leftmost-first match anchored there, or the
    /// next character when there is none (the alternatives cover every character, so that never
    /// happens; it keeps the split total and finite whatever the automaton answers).
    fn piece_end(&self, cache: &mut Cache, text: &str, at: usize) -> usize {
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        match self.dfa.try_search_fwd(cache, &input) {
            Ok(Some(found)) if found.offset() > at => found.offset(),
            _ => at + text[at..].chars().next().map_or(1, char::len_utf8),
        }
    }

    /// This thread's cache, for one split.
    fn cache(&self) -> PoolGuard<'_, Cache, NewCache> {
        self.caches.get()
    }
}

impl O200k {
    /// Checks the embedded tables; the pattern is compiled when first needed.
    pub(super) fn load() -> Result<Self, String> {
        let tokens = STARTS.len() / 4;
        if tokens == 0
            || !STARTS.len().is_multiple_of(4)
            || INDEX.len() != 4 * table_layout::index_slots(tokens)
            || start_of(tokens - 1) + usize::from(TABLE[start_of(tokens - 1) - 1]) != TABLE.len()
        {
            return Err("the token tables do not match".to_owned());
        }
        Ok(Self {
            pre_split: OnceLock::new(),
        })
    }

    /// Whether the pre-split pattern has been compiled.
    pub(super) fn is_compiled(&self) -> bool {
        self.pre_split.get().is_some()
    }

    /// The rank of a token, if these bytes are one.
    fn rank(&self, bytes: &[u8]) -> Option<u32> {
        let mask = INDEX.len() / 4 - 1;
        // Only the low bits survive the mask, so the truncation to `usize` loses nothing.
        let mut slot = table_layout::hash(bytes) as usize & mask;
        loop {
            let rank = u32_at(INDEX, slot);
            if rank == EMPTY {
                return None;
            }
            if token_at(rank as usize) == bytes {
                return Some(rank);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The number of tokens of `text`.
    pub(super) fn count(&self, text: &str) -> u64 {
        let mut count = 0;
        self.for_each_token(text, |_| {
            count += 1;
            true
        });
        count
    }

    /// Calls `token` with the end (a byte offset in `text`) of each token of `text` in order, until
    /// it returns `false`.
    pub(super) fn for_each_token(&self, text: &str, mut token: impl FnMut(usize) -> bool) {
        let mut parts = Vec::new();
        self.for_each_piece(text, |offset, end| {
            let piece = &text.as_bytes()[offset..end];
            if piece.len() == 1 || self.rank(piece).is_some() {
                return token(end);
            }
            self.merge(piece, &mut parts);
            parts.windows(2).all(|window| token(offset + window[1].0))
        });
    }

    /// Calls `piece` with the start and end of each piece of `text` as `tiktoken`'s pre-split
    /// finds them, until it returns `false`.
    ///
    /// `\s+(?!\S)|\s+` in the original pattern: a run of whitespace followed by a non-space
    /// leaves its last character to the next piece (which may then start with it, as in " word"),
    /// unless the run is that one character. Only a match of the last alternative is such a run:
    /// whitespace without a line break (a run with one is matched earlier, by `\s*[\r\n]+`),
    /// and it always runs to the end of the whitespace, since `\s+` is greedy.
    fn for_each_piece(&self, text: &str, mut piece: impl FnMut(usize, usize) -> bool) {
        let pre_split = self.pre_split.get_or_init(PreSplit::compile);
        let mut cache = pre_split.cache();
        let mut start = 0;
        while start < text.len() {
            let mut end = pre_split.piece_end(&mut cache, text, start);
            let matched = &text[start..end];
            if end < text.len() && is_spaces(matched) {
                // Where the run's last character starts; 0 when the run is that one character.
                let last = matched.char_indices().next_back().map_or(0, |(i, _)| i);
                if last > 0 {
                    end = start + last;
                }
            }
            if !piece(start, end) {
                return;
            }
            start = end;
        }
    }

    /// `tiktoken`'s byte-pair merge of one piece: repeatedly joins the adjacent pair whose joined
    /// bytes have the lowest rank (the leftmost among equals). Leaves the token starts in `parts`,
    /// followed by the piece's end.
    fn merge(&self, piece: &[u8], parts: &mut Vec<(usize, u32)>) {
        parts.clear();
        let mut min = (u32::MAX, usize::MAX);
        for start in 0..piece.len() - 1 {
            let rank = self.rank(&piece[start..start + 2]).unwrap_or(u32::MAX);
            if rank < min.0 {
                min = (rank, start);
            }
            parts.push((start, rank));
        }
        parts.push((piece.len() - 1, u32::MAX));
        parts.push((piece.len(), u32::MAX));
        // The rank of the bytes from part `i` to part `i + 3` (what `i` covers once `i + 1` is
        // removed).
        let joined = |parts: &[(usize, u32)], i: usize| {
            if i + 3 < parts.len() {
                self.rank(&piece[parts[i].0..parts[i + 3].0]).unwrap_or(u32::MAX)
            } else {
                u32::MAX
            }
        };
        while min.0 != u32::MAX {
            let i = min.1;
            if i > 0 {
                parts[i - 1].1 = joined(parts, i - 1);
            }
            parts[i].1 = joined(parts, i);
            parts.remove(i + 1);
            min = (u32::MAX, usize::MAX);
            for (index, &(_, rank)) in parts[..parts.len() - 1].iter().enumerate() {
                if rank < min.0 {
                    min = (rank, index);
                }
            }
        }
    }
}

/// Whether `matched` is whitespace without a line break: a match of the pattern's last
/// alternative, `\s+` (`\s` and [`char::is_whitespace`] are both Unicode's `White_Space`).
fn is_spaces(matched: &str) -> bool {
    matched
        .chars()
        .all(|c| c.is_whitespace() && c != '\r' && c != '\n')
}

/// The `index`-th little-endian `u32` of `bytes`.
fn u32_at(bytes: &[u8], index: usize) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[4 * index..4 * index + 4]);
    u32::from_le_bytes(word)
}

/// Where the bytes of token `rank` start in [`TABLE`].
fn start_of(rank: usize) -> usize {
    u32_at(STARTS, rank) as usize
}

/// The bytes of token `rank`.
fn token_at(rank: usize) -> &'static [u8] {
    let start = start_of(rank);
    &TABLE[start..start + usize::from(TABLE[start - 1])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_tiktokens_token_by_token() {
        let reference = tiktoken_rs::o200k_base().expect("tiktoken-rs loads");
        let ours = O200k::load().expect("the table loads");
        assert_eq!(STARTS.len() / 4, 199_998);
        for rank in 0..STARTS.len() / 4 {
            let theirs = reference
                .decode_bytes(&[rank as u32])
                .expect("every rank decodes");
            assert_eq!(token_at(rank), theirs.as_slice(), "rank {rank}");
            assert_eq!(ours.rank(&theirs), Some(rank as u32));
        }
    }

    #[test]
    fn counts_and_token_ends_match_tiktoken() {
        let reference = tiktoken_rs::o200k_base().expect("tiktoken-rs loads");
        let ours = O200k::load().expect("the table loads");
        let texts = [
            "hello world",
            "Hello, world! I'm here; they'll've gone.",
            "你好，世界！这是一个测试。Rust 的所有权和借用规则。",
            "emoji 😀🎉👍🏽 and ZWJ 👨‍👩‍👧",
            "numbers 1234567 3.14159 -42 1e10",
            "   leading spaces\n\n\ttabs\r\n  and   gaps   ",
            "```rust\nfn main() {\n    println!(\"{}\", x);\n}\n```",
            "supercalifragilisticexpialidocious antidisestablishmentarianism",
            "!!!???...---***///",
            "Ａｂｃ１２３ ﾃｽﾄ ⅷ ñ é ü",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "",
        ];
        for text in texts {
            assert_same_tokens(&reference, &ours, text);
        }
    }

    /// Texts made of the fragments where the pre-split's alternatives meet (whitespace runs of
    /// every kind before words, numbers and punctuation; line breaks; contractions; marks; CJK),
    /// in a few thousand deterministic orders: the look-ahead applied in code must split them all
    /// as `tiktoken`'s `fancy-regex` does.
    #[test]
    fn generated_texts_split_and_count_like_tiktoken() {
        const FRAGMENTS: &[&str] = &[
            " ",
            "  ",
            "   ",
            "\t",
            "\n",
            "\r\n",
            "\n\n",
            " \n",
            "\n ",
            " \t ",
            "\u{3000}",
            "\u{a0}",
            "\u{2003}\u{2003}",
            "\x0b",
            "word",
            "Word",
            "WORD",
            "wOrD",
            "'s",
            "'LL",
            "'re",
            "'d",
            "1",
            "12",
            "1234567",
            "3.14",
            "-",
            "!!",
            "...",
            "/",
            "//",
            "{",
            "}\n",
            "你好",
            "世界。",
            "，",
            "e\u{301}",
            "😀",
            "👍🏽",
            "Ａｂｃ",
            "ⅷ",
            "_",
            "__init__",
            "x",
            "\"quoted\"",
            "#",
            "日本語",
        ];
        let reference = tiktoken_rs::o200k_base().expect("tiktoken-rs loads");
        let ours = O200k::load().expect("the table loads");
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..20_000 {
            let length = 1 + next(24);
            let text: String = (0..length).map(|_| FRAGMENTS[next(FRAGMENTS.len())]).collect();
            assert_same_tokens(&reference, &ours, &text);
        }
    }

    /// Checks that `text` has the same tokens, by count and by where each one ends, for both.
    fn assert_same_tokens(reference: &tiktoken_rs::CoreBPE, ours: &O200k, text: &str) {
        let tokens = reference.encode_ordinary(text);
        assert_eq!(ours.count(text), tokens.len() as u64, "{text:?}");
        let mut ends = Vec::new();
        ours.for_each_token(text, |end| {
            ends.push(end);
            true
        });
        let mut expected = Vec::new();
        let mut at = 0;
        for token in &tokens {
            at += reference.decode_bytes(&[*token]).expect("decodes").len();
            expected.push(at);
        }
        assert_eq!(ends, expected, "{text:?}");
    }
}
