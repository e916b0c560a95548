//! Deterministic token estimate used for every token field of the final record.
//!
//! Real tokenizers give roughly one token per CJK character and one per ~4 ASCII characters; the simulator
//! uses exactly that rule so tests can recompute the arithmetic.

/// Tokens billed per attached image (a flat figure; the real site's image cost is unknown).
pub const TOKENS_PER_IMAGE: u64 = 85;

/// Non-ASCII chars count one token each; ASCII chars count one token per started group of four.
pub fn count(text: &str) -> u64 {
    let ascii = text.chars().filter(char::is_ascii).count() as u64;
    let other = text.chars().count() as u64 - ascii;
    other + ascii.div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_cjk_per_char_and_ascii_per_four() {
        assert_eq!(count(""), 0);
        assert_eq!(count("hi"), 1);
        assert_eq!(count("hello"), 2);
        assert_eq!(count("你好"), 2);
        assert_eq!(count("你好 hi"), 3);
    }
}
