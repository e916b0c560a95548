//! Test support: one text cut into deltas at arbitrary points, for the property tests that check
//! that a streamed answer gives the same result however the upstream splits it (stop sequences,
//! tool-call parsing and shaping).

/// Cuts `text` at `cuts` (each taken modulo the text's length plus one; cuts inside a character
/// are dropped) into the deltas between them, in order; together they are `text` again.
pub(crate) fn split_at<'a>(text: &'a str, cuts: &[usize]) -> Vec<&'a str> {
    let mut boundaries: Vec<usize> = cuts
        .iter()
        .map(|cut| cut % (text.len() + 1))
        .filter(|&cut| text.is_char_boundary(cut))
        .collect();
    boundaries.sort_unstable();
    boundaries.dedup();
    let mut deltas = Vec::new();
    let mut previous = 0;
    for boundary in boundaries.into_iter().chain([text.len()]) {
        deltas.push(&text[previous..boundary]);
        previous = boundary;
    }
    deltas
}
