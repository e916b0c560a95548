//! The gateway's view of one upstream model, as parsed from the catalog (`/api/chat/tmpl`, both the
//! 2.x and the 3.x shapes). Shared by the upstream client (which produces it), the model resolver
//! and the API layers (which list it).

use serde::{Deserialize, Serialize};

/// One model of the account's catalog, deduplicated by [`ModelInfo::id`].
#[derive(Default)] // An empty entry with no capabilities, for building one field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelInfo {
    /// The upstream `value`: the id sent when creating a session and shown to API clients.
    /// In 3.x catalogs this is the full `provider::model` string.
    pub id: String,
    /// The display label (deliberately obfuscated upstream, e.g. "GT-5" for gpt-5).
    pub label: String,
    /// The UI group (`attr.tag` in 2.x, the provider name in 3.x), e.g. "ChatGPT", "联网模型".
    pub group: String,
    /// Points charged per message, parsed from `attr.integral` ("300000积分" → 300000) when present.
    pub price_points: Option<u64>,
    /// The human-readable price text as the site shows it.
    pub price_text: String,
    /// Whether the model accepts image input (`attr.multimodal`, or 3.x `capabilities.imageInput`).
    pub multimodal: bool,
    /// Whether the model reasons visibly (thinking variants, `thinkModel`, 3.x `capabilities.thinking`).
    pub thinking: bool,
    /// Whether the model generates images (its output is markdown image links).
    pub image_generation: bool,
    /// Free-text note from the catalog.
    pub note: String,
    /// The reasoning levels the model accepts as `reasoningEffort` (3.x `capabilities.reasoningEfforts`);
    /// empty for 2.x catalogs and for models without levels, which refuse the field.
    #[serde(default)]
    pub reasoning_efforts: Vec<String>,
}

/// Upload limits announced by the catalog (`mFileCount`, `mFileSize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLimits {
    /// Maximum number of files per message.
    pub max_count: usize,
    /// Maximum size of one file in bytes.
    pub max_bytes: usize,
}

impl Default for FileLimits {
    fn default() -> Self {
        // The values every observed catalog announced (taiji-protocol.md §3.3).
        Self {
            max_count: 5,
            max_bytes: 5 * 1024 * 1024,
        }
    }
}

/// The whole parsed catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Models in catalog order, deduplicated by id (first occurrence wins).
    pub models: Vec<ModelInfo>,
    /// The site's default model id (`defModel`).
    pub default_model: Option<String>,
    /// The model behind the site's "deep think" toggle (`thinkModel`).
    pub think_model: Option<String>,
    /// Upload limits.
    pub file_limits: FileLimits,
}

#[cfg(test)]
impl Catalog {
    /// A catalog of plain models named `ids`, for unit tests.
    pub(crate) fn with_ids(ids: &[&str]) -> Self {
        let model = |id: &&str| ModelInfo {
            id: (*id).to_owned(),
            label: id.to_uppercase(),
            group: "test".to_owned(),
            price_points: Some(1),
            price_text: "1积分".to_owned(),
            ..ModelInfo::default()
        };
        Self {
            models: ids.iter().map(model).collect(),
            default_model: None,
            think_model: None,
            file_limits: FileLimits::default(),
        }
    }
}
