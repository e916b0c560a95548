//! OpenAI's `o200k_base` byte-pair encoding in a compact form, for counting: the same pre-split
//! pattern and the same merge rule as `tiktoken`, over read-only tables in the binary instead of
//! the ~40 MB of hash maps `tiktoken-rs` builds (an encoder, a decoder and a sorted copy of 200,000
//! small heap allocations each), which made up most of an idle gateway's memory.
//!
//! The table (`o200k_base.bin`, written by `make_o200k_table.py` from the `o200k_base.tiktoken`
//! file `tiktoken-rs` ships) is every token in rank order as a length byte and the token's bytes.
//! `build.rs` lays out from it an offset per rank and an open-addressing index of ranks by token
//! bytes (`table_layout.rs`); all three stay in the binary's read-only data, so loading costs no
//! heap and no start-up time, and only the pages a count touches are read in. The test below
//! checks the table against `tiktoken-rs` token by token, and counts of varied texts against its
//! encoder.

use std::sync::OnceLock;

use fancy_regex::Regex;

use super::table_layout;

/// The tokens in rank order: a length byte, then the token's bytes.
static TABLE: &[u8] = include_bytes!("o200k_base.bin");
/// Where each rank's bytes start in [`TABLE`] (its length is the byte before): little-endian `u32`s.
static STARTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_starts.bin"));
/// Ranks by the hash of their bytes, linear probing, [`EMPTY`] for a free slot: little-endian
/// `u32`s, a power of two of them, at most half full.
static INDEX: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k_index.bin"));

/// `tiktoken`'s pre-split pattern for `o200k_base` (from `tiktoken-rs`'s `O200K_BASE_PAT_STR`).
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
    r"\s+(?!\S)",
    "|",
    r"\s+"
);

/// An empty slot of the index.
const EMPTY: u32 = u32::MAX;

/// The `o200k_base` encoding, for counting tokens and finding where they end.
pub(super) struct O200k {
    /// The pre-split pattern, compiled at the first count: the compiled automata take about half a
    /// megabyte of heap and their compiler's code a few hundred kilobytes of resident pages, which a
    /// gateway that has not served a request yet does not need to hold.
    regex: OnceLock<Regex>,
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
            regex: OnceLock::new(),
        })
    }

    /// Whether the pre-split pattern has been compiled.
    pub(super) fn is_compiled(&self) -> bool {
        self.regex.get().is_some()
    }

    /// The compiled pre-split pattern. It is a constant that the tests below compile and run, so
    /// compiling it cannot fail in a build that passed them.
    fn regex(&self) -> &Regex {
        self.regex
            .get_or_init(|| Regex::new(PATTERN).expect("the o200k pre-split pattern compiles"))
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
        for found in self.regex().find_iter(text) {
            // The pattern has no construct that can fail at run time on these inputs (bounded
            // look-ahead only); a failure would end the count early rather than panic.
            let Ok(found) = found else { return };
            let piece = found.as_str().as_bytes();
            let offset = found.start();
            if piece.len() == 1 || self.rank(piece).is_some() {
                if !token(found.end()) {
                    return;
                }
                continue;
            }
            self.merge(piece, &mut parts);
            for window in parts.windows(2) {
                if !token(offset + window[1].0) {
                    return;
                }
            }
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
}
