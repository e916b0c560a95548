//! Cutting text to a length for messages, logs and limits: the one place that shortens a string
//! by characters (never inside one) and marks the cut with `…`.

/// `text` cut to `max` characters, with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => {
            let mut short = text[..end].to_owned();
            short.push('…');
            short
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_by_characters_and_marks_the_cut() {
        assert_eq!(truncate("日本語テキスト", 3), "日本語…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("", 0), "");
        assert_eq!(truncate("ab", 0), "…");
    }
}
