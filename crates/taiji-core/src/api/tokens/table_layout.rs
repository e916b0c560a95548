//! The layout of the token table's lookup arrays, shared by the build script that writes them and
//! the tokenizer that reads them (`bpe.rs`): both must agree on the hash and the slot count bit for
//! bit, so they live in this one file, which `build.rs` includes by path.

/// The number of index slots for `tokens` tokens: a power of two, at most half full, so that linear
/// probing stays short.
pub fn index_slots(tokens: usize) -> usize {
    (tokens * 2).next_power_of_two()
}

/// FNV-1a folded to 64 bits: short keys, no allocation, good enough spread for linear probing. A
/// `u64` rather than a `usize`, so a build script running on another architecture than the
/// target lays out the same index.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ (hash >> 32)
}
