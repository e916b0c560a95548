//! Lays out the token estimator's lookup arrays at build time (`src/api/tokens/bpe.rs`): where each
//! token of the embedded `o200k_base` table starts, and an open-addressing index of ranks by token
//! bytes. Built here rather than at start, they sit in the binary's read-only data like the table
//! itself: no start-up work, no heap (2.8 MB that every gateway process used to hold from its first
//! second), and only the pages a count touches are ever read in, shared between processes.

#[path = "src/api/tokens/table_layout.rs"]
mod table_layout;

use std::path::PathBuf;

const TABLE: &str = "src/api/tokens/o200k_base.bin";
/// An empty slot of the index (no rank is this large).
const EMPTY: u32 = u32::MAX;

fn main() {
    println!("cargo::rerun-if-changed={TABLE}");
    println!("cargo::rerun-if-changed=src/api/tokens/table_layout.rs");
    let table = std::fs::read(TABLE).unwrap_or_else(|error| panic!("reading {TABLE}: {error}"));

    // Every token is a length byte followed by its bytes; a start points past the length byte.
    let mut starts: Vec<u32> = Vec::with_capacity(200_000);
    let mut at = 0;
    while at < table.len() {
        let len = usize::from(table[at]);
        starts.push(u32::try_from(at + 1).expect("the token table fits in u32 offsets"));
        at += 1 + len;
    }
    assert!(at == table.len() && !starts.is_empty(), "{TABLE} is truncated");
    let token = |rank: usize| {
        let start = starts[rank] as usize;
        &table[start..start + usize::from(table[start - 1])]
    };

    let slots = table_layout::index_slots(starts.len());
    let mask = (slots - 1) as u64;
    let mut index = vec![EMPTY; slots];
    for rank in 0..starts.len() {
        let mut slot = (table_layout::hash(token(rank)) & mask) as usize;
        while index[slot] != EMPTY {
            slot = (slot + 1) & (slots - 1);
        }
        index[slot] = u32::try_from(rank).expect("ranks fit in u32");
    }

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_u32s(&out.join("o200k_starts.bin"), &starts);
    write_u32s(&out.join("o200k_index.bin"), &index);
}

/// Writes `values` little-endian, the order `bpe.rs` reads them in on every target.
fn write_u32s(path: &std::path::Path, values: &[u32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|value| value.to_le_bytes()).collect();
    std::fs::write(path, bytes).unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
}
