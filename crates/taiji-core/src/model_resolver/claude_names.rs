//! The shapes of Anthropic model names that clients send, reduced to what the catalog and the
//! aliases know. Claude Code asks for Anthropic's own ids, and they change with every release:
//! dated (`claude-sonnet-4-5-20250929`), undated (`claude-opus-4-6`), with a context-window
//! suffix (`claude-sonnet-4-6[1m]`), as `-latest`, or from other hosts' naming (`anthropic/…`,
//! Vertex's `@20250929`). Two reductions cover them without a table that goes stale:
//! [`undecorated`] strips the decorations so the plain model id can be looked up, and [`family`]
//! names the model family (`opus`, `sonnet`, `haiku`), whose alias is the last resort.

/// The families whose name appears in Anthropic model ids, and which are alias names.
const FAMILIES: [&str; 3] = ["opus", "sonnet", "haiku"];

/// `name` without a provider prefix (`anthropic/`, `anthropic.`), a trailing `[…]` context-window
/// suffix, `-latest`, and a trailing date (`-20250929` or `@20250929`), lower-cased. `None` when
/// nothing was stripped.
pub(super) fn undecorated(name: &str) -> Option<String> {
    let lower = name.trim().to_ascii_lowercase();
    let mut rest = lower.as_str();
    for prefix in ["anthropic/", "anthropic."] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    if let Some(open) = rest.rfind('[')
        && rest.ends_with(']')
    {
        rest = &rest[..open];
    }
    rest = rest.strip_suffix("-latest").unwrap_or(rest);
    if let Some((head, date)) = rest.rsplit_once(['-', '@'])
        && date.len() == 8
        && date.bytes().all(|byte| byte.is_ascii_digit())
    {
        rest = head;
    }
    (rest != lower && !rest.is_empty()).then(|| rest.to_owned())
}

/// The family of a Claude model id (`claude-opus-5-5` → `opus`, `claude-3-5-sonnet-20241022` →
/// `sonnet`), or `None` for anything that is not a Claude id.
pub(super) fn family(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    let mut words = lower.split(['-', '/', '.', '[', '@']);
    if !lower.contains("claude") {
        return None;
    }
    words.find_map(|word| FAMILIES.into_iter().find(|family| *family == word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorations_are_stripped() {
        let cases = [
            ("claude-sonnet-4-5-20250929", Some("claude-sonnet-4-5")),
            ("claude-haiku-4-5-20251001", Some("claude-haiku-4-5")),
            ("claude-sonnet-4-6[1m]", Some("claude-sonnet-4-6")),
            ("Claude-Opus-4-6[1M]", Some("claude-opus-4-6")),
            ("claude-3-7-sonnet-latest", Some("claude-3-7-sonnet")),
            ("claude-sonnet-4-5@20250929", Some("claude-sonnet-4-5")),
            ("anthropic/claude-sonnet-4-6", Some("claude-sonnet-4-6")),
            ("claude-opus-5-5", None),
            ("gpt-4.1-mini", None),
            ("gpt-4.1-2025-04-14", None),
            ("[1m]", None),
        ];
        for (name, expected) in cases {
            assert_eq!(undecorated(name).as_deref(), expected, "{name}");
        }
    }

    #[test]
    fn families_of_claude_ids_only() {
        assert_eq!(family("claude-opus-5-5"), Some("opus"));
        assert_eq!(family("claude-sonnet-4-6[1m]"), Some("sonnet"));
        assert_eq!(family("claude-3-5-haiku-20241022"), Some("haiku"));
        assert_eq!(
            family("anthropic.claude-3-5-sonnet-20241022-v2:0"),
            Some("sonnet")
        );
        assert_eq!(family("claude-mythos-1"), None);
        assert_eq!(family("sonnet"), None);
        assert_eq!(family("my-sonnet-model"), None);
    }
}
