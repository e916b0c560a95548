//! Model resolution: which catalog model a client means by the `model` it sent. The catalog it
//! runs against is cached by [`crate::catalog_cache`].
//!
//! Clients rarely send the upstream id verbatim. Claude Code asks for Anthropic's own names
//! (`claude-opus-5-5`, `claude-sonnet-4-5-20250929`, `claude-sonnet-4-6[1m]`), people type ids in
//! another case, and 3.x catalogs name models `provider::model` while clients send the bare model.
//! [`ModelResolver::resolve`] tries, in order:
//! 1. the exact id;
//! 2. the id ignoring ASCII case;
//! 3. a configured alias (case-insensitive); its target is then resolved by rules 1, 2 and 4.
//!    Aliases come after catalog ids so that a default alias for a name the site also offers
//!    (Claude Code's `claude-sonnet-4-5`, say) never hides that model;
//! 4. the bare model part: `gpt-4.1-mini` matches `openai::gpt-4.1-mini` when exactly one
//!    provider offers it, and `openai::gpt-4.1-mini` matches a 2.x `gpt-4.1-mini`;
//! 5. the name without its decorations (date, `[1m]`, `-latest`, `anthropic/`; see
//!    [`claude_names`]) by rules 1–4, so `claude-sonnet-4-6[1m]` is the site's
//!    `claude-sonnet-4-6` when the catalog has it;
//! 6. for a Claude id the catalog does not have (`claude-opus-5-5`), the alias named after its
//!    family: `opus`, `sonnet` or `haiku` (see `settings::default_model_aliases`).
//!
//! A name that matches nothing yields the closest catalog ids as suggestions.

mod claude_names;

use std::collections::HashMap;

use crate::model::{Catalog, ModelInfo};

/// How many suggestions an unknown model error carries at most.
const MAX_SUGGESTIONS: usize = 5;

/// The similarity (Jaro-Winkler, 0..1) a catalog id needs to be suggested.
const SUGGESTION_THRESHOLD: f64 = 0.8;

/// Why a requested model could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Nothing in the catalog matches.
    #[error("{}", unknown_message(requested, None, suggestions))]
    Unknown {
        /// The model the client asked for.
        requested: String,
        /// The closest catalog ids, best first (possibly empty).
        suggestions: Vec<String>,
    },
    /// A user-configured alias points at a model the catalog does not have.
    #[error("{}", unknown_message(target, Some(alias), suggestions))]
    AliasTargetUnknown {
        /// The alias the client asked for.
        alias: String,
        /// What the alias maps to.
        target: String,
        /// The closest catalog ids to `target`, best first (possibly empty).
        suggestions: Vec<String>,
    },
    /// A bare model name is offered by several providers.
    #[error("model `{requested}` is ambiguous; use one of: {}", candidates.join(", "))]
    Ambiguous {
        /// The model the client asked for.
        requested: String,
        /// The full ids that match.
        candidates: Vec<String>,
    },
}

fn unknown_message(requested: &str, alias: Option<&str>, suggestions: &[String]) -> String {
    let mut message = match alias {
        Some(alias) => {
            format!("model alias `{alias}` points to `{requested}`, which is not in the model list")
        }
        None => format!("model `{requested}` is not in the model list"),
    };
    if !suggestions.is_empty() {
        message.push_str("; did you mean ");
        message.push_str(&suggestions.join(", "));
        message.push('?');
    }
    message
}

/// Resolves requested model names against a catalog, with user-configured aliases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelResolver {
    /// Lower-cased alias → target as configured.
    aliases: HashMap<String, String>,
}

impl ModelResolver {
    /// A resolver with the given `alias → model id` map. Alias names are matched ignoring case.
    pub fn new<I, A, T>(aliases: I) -> Self
    where
        I: IntoIterator<Item = (A, T)>,
        A: AsRef<str>,
        T: Into<String>,
    {
        let aliases = aliases
            .into_iter()
            .map(|(alias, target)| (alias.as_ref().trim().to_ascii_lowercase(), target.into()))
            .collect();
        Self { aliases }
    }

    /// The alias map (keys lower-cased).
    pub fn aliases(&self) -> &HashMap<String, String> {
        &self.aliases
    }

    /// Finds the catalog model `requested` stands for. See the module docs for the rules.
    pub fn resolve<'c>(&self, catalog: &'c Catalog, requested: &str) -> Result<&'c ModelInfo, ResolveError> {
        let requested = requested.trim();
        if let Some(model) = self.resolve_name(catalog, requested)? {
            return Ok(model);
        }
        if let Some(plain) = claude_names::undecorated(requested)
            && let Some(model) = self.resolve_name(catalog, &plain)?
        {
            return Ok(model);
        }
        if let Some(family) = claude_names::family(requested)
            && let Some(target) = self.aliases.get(family)
        {
            return resolve_direct(catalog, target)?.ok_or_else(|| ResolveError::AliasTargetUnknown {
                alias: family.to_owned(),
                target: target.clone(),
                suggestions: suggestions(catalog, target),
            });
        }
        Err(ResolveError::Unknown {
            requested: requested.to_owned(),
            suggestions: suggestions(catalog, requested),
        })
    }

    /// Rules 1–4 of the module docs for one name. `Ok(None)` when nothing matches.
    fn resolve_name<'c>(
        &self,
        catalog: &'c Catalog,
        name: &str,
    ) -> Result<Option<&'c ModelInfo>, ResolveError> {
        if let Some(model) = find_id(catalog, name) {
            return Ok(Some(model));
        }
        if let Some(target) = self.aliases.get(&name.to_ascii_lowercase()) {
            return match resolve_direct(catalog, target)? {
                Some(model) => Ok(Some(model)),
                None => Err(ResolveError::AliasTargetUnknown {
                    alias: name.to_owned(),
                    target: target.clone(),
                    suggestions: suggestions(catalog, target),
                }),
            };
        }
        // Rules 1 and 2 were tried above.
        resolve_bare(catalog, name)
    }
}

/// Rules 1 and 2 of the module docs: the id, exactly or ignoring case.
fn find_id<'c>(catalog: &'c Catalog, requested: &str) -> Option<&'c ModelInfo> {
    catalog
        .models
        .iter()
        .find(|model| model.id == requested)
        .or_else(|| {
            catalog
                .models
                .iter()
                .find(|model| model.id.eq_ignore_ascii_case(requested))
        })
}

/// Rules 1, 2 and 4 of the module docs. `Ok(None)` when nothing matches.
fn resolve_direct<'c>(catalog: &'c Catalog, requested: &str) -> Result<Option<&'c ModelInfo>, ResolveError> {
    if let Some(model) = find_id(catalog, requested) {
        return Ok(Some(model));
    }
    resolve_bare(catalog, requested)
}

/// Rule 4 of the module docs: the one catalog model whose bare model part is `requested`'s.
fn resolve_bare<'c>(catalog: &'c Catalog, requested: &str) -> Result<Option<&'c ModelInfo>, ResolveError> {
    let bare = bare_model(requested);
    let mut matches = catalog
        .models
        .iter()
        .filter(|model| bare_model(&model.id).eq_ignore_ascii_case(bare));
    // Every request of a client that sends bare names scans the catalog (150 models and more on
    // the site); the list of candidates is built only for the rare ambiguous name.
    let Some(first) = matches.next() else {
        return Ok(None);
    };
    let Some(second) = matches.next() else {
        return Ok(Some(first));
    };
    Err(ResolveError::Ambiguous {
        requested: requested.to_owned(),
        candidates: [first, second]
            .into_iter()
            .chain(matches)
            .map(|model| model.id.clone())
            .collect(),
    })
}

/// The model part of a 3.x `provider::model` id (after the last `::`); the whole id otherwise.
fn bare_model(id: &str) -> &str {
    // A byte search for the separator's last colon: `rsplit_once` with a string pattern sets up a
    // substring searcher for every id, which was most of a bare name's resolution (`cargo bench
    // -p taiji-core --bench hot_path -- resolve`).
    let bytes = id.as_bytes();
    let mut end = bytes.len();
    while let Some(colon) = memchr::memrchr(b':', &bytes[..end]) {
        if colon > 0 && bytes[colon - 1] == b':' {
            return &id[colon + 1..];
        }
        end = colon;
    }
    id
}

/// The catalog ids closest to `requested`, best first.
fn suggestions(catalog: &Catalog, requested: &str) -> Vec<String> {
    let wanted = bare_model(requested).to_ascii_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &str)> = catalog
        .models
        .iter()
        .map(|model| {
            let candidate = bare_model(&model.id).to_ascii_lowercase();
            // A name that contains the other (`sonnet` ↔ `claude-sonnet-4-6`) is a strong hint
            // that Jaro-Winkler alone would undervalue for short inputs.
            let contains = candidate.contains(&wanted) || wanted.contains(&candidate);
            let similarity = strsim::jaro_winkler(&wanted, &candidate);
            (
                if contains { similarity.max(0.9) } else { similarity },
                model.id.as_str(),
            )
        })
        .filter(|(score, _)| *score >= SUGGESTION_THRESHOLD)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, id)| id.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(ids: &[&str]) -> Catalog {
        Catalog::with_ids(ids)
    }

    proptest::proptest! {
        /// The byte search finds the part after the last `::` exactly as a substring search does,
        /// colons in runs of any length included.
        #[test]
        fn the_bare_model_is_the_part_after_the_last_separator(id in "[a:é]{0,12}") {
            let expected = id.rsplit_once("::").map_or(id.as_str(), |(_, model)| model);
            proptest::prop_assert_eq!(bare_model(&id), expected);
        }
    }

    #[test]
    fn a_bare_name_offered_by_two_providers_is_ambiguous_and_lists_both() {
        let catalog = catalog(&["openai::gpt-4.1-mini", "azure::gpt-4.1-mini", "qwen::qwen-max"]);
        let error = ModelResolver::default()
            .resolve(&catalog, "GPT-4.1-mini")
            .unwrap_err();
        assert_eq!(
            error,
            ResolveError::Ambiguous {
                requested: "GPT-4.1-mini".to_owned(),
                candidates: vec![
                    "openai::gpt-4.1-mini".to_owned(),
                    "azure::gpt-4.1-mini".to_owned()
                ],
            }
        );
        assert_eq!(
            resolved(&ModelResolver::default(), &catalog, "qwen-max"),
            "qwen::qwen-max"
        );
    }

    fn resolved(resolver: &ModelResolver, catalog: &Catalog, requested: &str) -> String {
        resolver
            .resolve(catalog, requested)
            .map(|model| model.id.clone())
            .unwrap()
    }

    #[test]
    fn exact_id_wins_over_case_insensitive_match() {
        let catalog = catalog(&["GLM-4", "glm-4"]);
        let resolver = ModelResolver::default();
        assert_eq!(resolved(&resolver, &catalog, "glm-4"), "glm-4");
        assert_eq!(resolved(&resolver, &catalog, "GLM-4"), "GLM-4");
    }

    #[test]
    fn case_insensitive_and_trimmed() {
        let catalog = catalog(&["gpt-4.1-mini", "deepseek-reasoner"]);
        let resolver = ModelResolver::default();
        assert_eq!(resolved(&resolver, &catalog, "GPT-4.1-Mini"), "gpt-4.1-mini");
        assert_eq!(
            resolved(&resolver, &catalog, " deepseek-reasoner\n"),
            "deepseek-reasoner"
        );
    }

    #[test]
    fn aliases_map_client_names_but_never_hide_catalog_ids() {
        let catalog = catalog(&["claude-sonnet-4-6", "gpt-4.1", "gpt-4.1-mini", "openai::gpt-5"]);
        let resolver = ModelResolver::new([
            ("claude-sonnet-4-5-20250929", "claude-sonnet-4-6"),
            ("GPT-4.1", "gpt-4.1-mini"),
            ("fast", "GPT-5"),
        ]);
        assert_eq!(
            resolved(&resolver, &catalog, "claude-sonnet-4-5-20250929"),
            "claude-sonnet-4-6"
        );
        assert_eq!(
            resolved(&resolver, &catalog, "CLAUDE-SONNET-4-5-20250929"),
            "claude-sonnet-4-6"
        );
        // A catalog id wins over an alias of the same name, in any case.
        assert_eq!(resolved(&resolver, &catalog, "gpt-4.1"), "gpt-4.1");
        assert_eq!(resolved(&resolver, &catalog, "Gpt-4.1"), "gpt-4.1");
        // Alias targets go through the case and 3.x suffix rules.
        assert_eq!(resolved(&resolver, &catalog, "fast"), "openai::gpt-5");
    }

    #[test]
    fn claude_code_names_resolve_to_the_named_site_model_or_their_family_alias() {
        let catalog = catalog(&["claude-sonnet-4-6", "claude-opus-4-6", "gpt-4.1-mini"]);
        let resolver = ModelResolver::new(crate::settings::default_model_aliases());
        let cases = [
            // The site has the named model: decorations do not matter.
            ("claude-sonnet-4-6", "claude-sonnet-4-6"),
            ("claude-sonnet-4-6[1m]", "claude-sonnet-4-6"),
            ("claude-sonnet-4-6-20260217", "claude-sonnet-4-6"),
            ("anthropic/claude-sonnet-4-6", "claude-sonnet-4-6"),
            // Named explicitly, the site's Opus is used (the user chose its price).
            ("claude-opus-4-6", "claude-opus-4-6"),
            ("claude-opus-4-6[1m]", "claude-opus-4-6"),
            // Not on the site: the family alias. Opus goes to Sonnet, never to the site's Opus.
            ("claude-opus-5-5", "claude-sonnet-4-6"),
            ("claude-opus-4-1-20250805", "claude-sonnet-4-6"),
            ("claude-opus-4-5[1m]", "claude-sonnet-4-6"),
            ("claude-sonnet-4-5-20250929", "claude-sonnet-4-6"),
            ("claude-sonnet-5", "claude-sonnet-4-6"),
            ("claude-haiku-4-5-20251001", "gpt-4.1-mini"),
            ("claude-haiku-4-5", "gpt-4.1-mini"),
            ("claude-3-5-haiku-latest", "gpt-4.1-mini"),
            ("sonnet", "claude-sonnet-4-6"),
            ("opus", "claude-sonnet-4-6"),
            ("haiku", "gpt-4.1-mini"),
        ];
        for (requested, expected) in cases {
            assert_eq!(resolved(&resolver, &catalog, requested), expected, "{requested}");
        }
        // A family alias the user removed leaves Claude ids unknown, with suggestions.
        let without_opus = ModelResolver::new([("sonnet", "claude-sonnet-4-6")]);
        assert!(matches!(
            without_opus.resolve(&catalog, "claude-opus-5-5"),
            Err(ResolveError::Unknown { .. })
        ));
        // A user alias for the exact decorated name still wins over the family.
        let pinned = ModelResolver::new([("claude-opus-5-5", "claude-opus-4-6"), ("opus", "gpt-4.1-mini")]);
        assert_eq!(resolved(&pinned, &catalog, "claude-opus-5-5"), "claude-opus-4-6");
        assert_eq!(resolved(&pinned, &catalog, "claude-opus-4-5"), "gpt-4.1-mini");
    }

    #[test]
    fn alias_to_a_missing_model_is_its_own_error() {
        let catalog = catalog(&["claude-sonnet-4-6"]);
        let resolver = ModelResolver::new([("sonnet", "claude-sonnet-4-5")]);
        let error = resolver.resolve(&catalog, "sonnet").unwrap_err();
        assert_eq!(
            error,
            ResolveError::AliasTargetUnknown {
                alias: "sonnet".to_owned(),
                target: "claude-sonnet-4-5".to_owned(),
                suggestions: vec!["claude-sonnet-4-6".to_owned()],
            }
        );
        assert!(
            error
                .to_string()
                .contains("alias `sonnet` points to `claude-sonnet-4-5`")
        );
    }

    #[test]
    fn bare_name_matches_a_unique_provider_model() {
        let catalog = catalog(&["openai::gpt-4.1-mini", "deepseek::deepseek-v4-flash"]);
        let resolver = ModelResolver::default();
        assert_eq!(
            resolved(&resolver, &catalog, "gpt-4.1-mini"),
            "openai::gpt-4.1-mini"
        );
        assert_eq!(
            resolved(&resolver, &catalog, "DeepSeek-V4-Flash"),
            "deepseek::deepseek-v4-flash"
        );
    }

    #[test]
    fn provider_qualified_name_matches_a_bare_catalog_id() {
        let catalog = catalog(&["gpt-4.1-mini"]);
        assert_eq!(
            resolved(&ModelResolver::default(), &catalog, "openai::gpt-4.1-mini"),
            "gpt-4.1-mini"
        );
    }

    #[test]
    fn ambiguous_bare_name_lists_the_candidates() {
        let catalog = catalog(&["openai::gpt-5.4", "openai_chat::gpt-5.4", "openai::gpt-6-astra"]);
        let error = ModelResolver::default().resolve(&catalog, "gpt-5.4").unwrap_err();
        assert_eq!(
            error,
            ResolveError::Ambiguous {
                requested: "gpt-5.4".to_owned(),
                candidates: vec!["openai::gpt-5.4".to_owned(), "openai_chat::gpt-5.4".to_owned()],
            }
        );
        assert_eq!(
            error.to_string(),
            "model `gpt-5.4` is ambiguous; use one of: openai::gpt-5.4, openai_chat::gpt-5.4"
        );
        // The full id still resolves.
        assert_eq!(
            resolved(&ModelResolver::default(), &catalog, "openai_chat::gpt-5.4"),
            "openai_chat::gpt-5.4"
        );
    }

    #[test]
    fn unknown_model_suggests_the_closest_ids() {
        let catalog = catalog(&[
            "claude-sonnet-4-20250514",
            "claude-sonnet-4-6",
            "claude-opus-4-6",
            "gpt-4.1-mini",
            "deepseek-reasoner",
        ]);
        let Err(ResolveError::Unknown {
            requested,
            suggestions,
        }) = ModelResolver::default().resolve(&catalog, "claude-sonnet-4-5-20250929")
        else {
            panic!("expected an unknown-model error");
        };
        assert_eq!(requested, "claude-sonnet-4-5-20250929");
        assert_eq!(
            suggestions.first().map(String::as_str),
            Some("claude-sonnet-4-20250514")
        );
        assert!(suggestions.contains(&"claude-sonnet-4-6".to_owned()));
        assert!(!suggestions.contains(&"deepseek-reasoner".to_owned()));
        assert!(!suggestions.contains(&"gpt-4.1-mini".to_owned()));
    }

    #[test]
    fn unrelated_names_get_no_suggestions() {
        let catalog = catalog(&["gpt-4.1-mini", "deepseek-reasoner"]);
        let error = ModelResolver::default().resolve(&catalog, "whisper").unwrap_err();
        assert_eq!(
            error,
            ResolveError::Unknown {
                requested: "whisper".to_owned(),
                suggestions: vec![]
            }
        );
        assert_eq!(error.to_string(), "model `whisper` is not in the model list");
        let empty = ModelResolver::default().resolve(&catalog, "").unwrap_err();
        assert!(matches!(empty, ResolveError::Unknown { suggestions, .. } if suggestions.is_empty()));
    }

    #[test]
    fn short_fragments_suggest_the_models_containing_them() {
        let catalog = catalog(&["claude-sonnet-4-6", "gpt-4.1-mini"]);
        let error = ModelResolver::default().resolve(&catalog, "sonnet").unwrap_err();
        assert_eq!(
            error.to_string(),
            "model `sonnet` is not in the model list; did you mean claude-sonnet-4-6?"
        );
    }
}
