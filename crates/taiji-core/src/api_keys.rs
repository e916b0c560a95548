//! API keys for the local endpoint: generation, naming and constant-time verification.
//!
//! Keys are stored in the settings document (`access.api_keys`, see [`crate::settings`]) so they
//! load, persist and apply live together with `api_keys_required`; the settings file is written
//! readable only by the user. A key looks like `tj-` followed by 32 random alphanumeric characters
//! (about 190 bits from the operating system's CSPRNG via `rand`). Each key has a name (one per
//! client app) which is what the request log records; the key itself is never logged.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use time::OffsetDateTime;

use crate::secret::Secret;

/// Every generated key starts with this, so users and secret scanners can recognise it.
pub const KEY_PREFIX: &str = "tj-";
/// The number of random characters after [`KEY_PREFIX`].
const RANDOM_CHARS: usize = 32;
/// The name of the key generated on first run.
pub const FIRST_KEY_NAME: &str = "default";

/// One API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// A unique, human-chosen name such as `cherry-studio`; shown in the request log.
    pub name: String,
    /// The key itself. Redacted in `Debug`.
    #[serde(rename = "key")]
    pub secret: Secret,
    /// When the key was created or last regenerated.
    #[serde(with = "time::serde::rfc3339", default = "OffsetDateTime::now_utc")]
    pub created_at: OffsetDateTime,
}

impl ApiKey {
    /// A new key with a freshly generated secret.
    pub fn generate(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            secret: generate_secret(),
            created_at: OffsetDateTime::now_utc(),
        }
    }
}

/// Generates a new key string: [`KEY_PREFIX`] + 32 random alphanumeric characters.
pub fn generate_secret() -> Secret {
    use rand::Rng;
    let random: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(RANDOM_CHARS)
        .map(char::from)
        .collect();
    Secret::new(format!("{KEY_PREFIX}{random}"))
}

/// Why an API-key operation was refused. Messages name the key, never its secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    /// No key has this name.
    #[error("no API key is named `{0}`")]
    NotFound(String),
    /// Another key already has this name (names are compared case-insensitively).
    #[error("an API key named `{0}` already exists")]
    DuplicateName(String),
    /// Names must not be empty.
    #[error("an API key name must not be empty")]
    EmptyName,
}

/// The set of keys that may use the local endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiKeys(Vec<ApiKey>);

impl ApiKeys {
    /// A set holding exactly these keys (e.g. keys given on the CLI command line).
    pub fn from_keys(keys: Vec<ApiKey>) -> Self {
        Self(keys)
    }

    /// Whether there is no key at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The keys, in creation order.
    pub fn iter(&self) -> std::slice::Iter<'_, ApiKey> {
        self.0.iter()
    }

    /// The key with this name, if any.
    pub fn get(&self, name: &str) -> Option<&ApiKey> {
        self.position(name).map(|index| &self.0[index])
    }

    /// Adds a key with a generated secret and returns it (so it can be shown once and copied).
    pub fn add(&mut self, name: &str) -> Result<ApiKey, ApiKeyError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiKeyError::EmptyName);
        }
        if self.position(name).is_some() {
            return Err(ApiKeyError::DuplicateName(name.to_owned()));
        }
        let key = ApiKey::generate(name);
        self.0.push(key.clone());
        Ok(key)
    }

    /// Replaces the secret of the named key; the old secret stops working at once.
    pub fn regenerate(&mut self, name: &str) -> Result<ApiKey, ApiKeyError> {
        let index = self
            .position(name)
            .ok_or_else(|| ApiKeyError::NotFound(name.to_owned()))?;
        let key = &mut self.0[index];
        key.secret = generate_secret();
        key.created_at = OffsetDateTime::now_utc();
        Ok(key.clone())
    }

    /// Removes the named key and returns it.
    pub fn remove(&mut self, name: &str) -> Result<ApiKey, ApiKeyError> {
        let index = self
            .position(name)
            .ok_or_else(|| ApiKeyError::NotFound(name.to_owned()))?;
        Ok(self.0.remove(index))
    }

    /// Checks a presented key against every stored key and returns the matching key's name.
    ///
    /// Both sides are hashed with SHA-256 first so the comparison does not depend on the keys'
    /// lengths, every key is compared (no early exit), and the comparison and selection use
    /// `subtle`'s constant-time primitives, so response timing reveals neither which key nearly
    /// matched nor how much of it.
    pub fn verify(&self, presented: &str) -> Option<&str> {
        let presented = Sha256::digest(presented.as_bytes());
        let mut found = subtle::Choice::from(0);
        let mut index = 0u64;
        for (candidate_index, key) in self.0.iter().enumerate() {
            let candidate = Sha256::digest(key.secret.expose().as_bytes());
            let equal = presented.as_slice().ct_eq(candidate.as_slice());
            index = u64::conditional_select(&index, &(candidate_index as u64), equal);
            found |= equal;
        }
        if bool::from(found) {
            usize::try_from(index)
                .ok()
                .and_then(|index| self.0.get(index))
                .map(|key| key.name.as_str())
        } else {
            None
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.0
            .iter()
            .position(|key| key.name.trim().eq_ignore_ascii_case(name))
    }
}

impl<'a> IntoIterator for &'a ApiKeys {
    type Item = &'a ApiKey;
    type IntoIter = std::slice::Iter<'a, ApiKey>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_prefix_and_are_distinct() {
        let first = generate_secret();
        let second = generate_secret();
        assert!(first.expose().starts_with(KEY_PREFIX));
        assert_eq!(first.expose().len(), KEY_PREFIX.len() + RANDOM_CHARS);
        assert!(
            first.expose()[KEY_PREFIX.len()..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        );
        assert_ne!(first, second);
    }

    #[test]
    fn verify_returns_the_name_of_the_matching_key() {
        let mut keys = ApiKeys::default();
        let cherry = keys.add("cherry").expect("added");
        let claude = keys.add("claude-code").expect("added");
        assert_eq!(keys.verify(cherry.secret.expose()), Some("cherry"));
        assert_eq!(keys.verify(claude.secret.expose()), Some("claude-code"));
        assert_eq!(keys.verify("tj-wrong"), None);
        assert_eq!(keys.verify(""), None);
        assert_eq!(ApiKeys::default().verify(""), None);
    }

    #[test]
    fn regenerate_invalidates_the_old_secret() {
        let mut keys = ApiKeys::default();
        let old = keys.add("app").expect("added");
        let new = keys.regenerate("APP").expect("regenerated");
        assert_ne!(old.secret, new.secret);
        assert_eq!(keys.verify(old.secret.expose()), None);
        assert_eq!(keys.verify(new.secret.expose()), Some("app"));
    }

    #[test]
    fn names_are_unique_and_removal_reports_unknown_names() {
        let mut keys = ApiKeys::default();
        keys.add("app").expect("added");
        assert_eq!(
            keys.add(" App "),
            Err(ApiKeyError::DuplicateName("App".to_owned()))
        );
        assert_eq!(keys.add("  "), Err(ApiKeyError::EmptyName));
        assert_eq!(
            keys.remove("other"),
            Err(ApiKeyError::NotFound("other".to_owned()))
        );
        keys.remove("app").expect("removed");
        assert!(keys.is_empty());
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let mut keys = ApiKeys::default();
        let key = keys.add("app").expect("added");
        let printed = format!("{keys:?}");
        assert!(!printed.contains(key.secret.expose()), "{printed}");
        assert!(printed.contains("app"));
    }
}
