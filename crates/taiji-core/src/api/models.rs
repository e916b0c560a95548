//! The one `/v1/models` body that satisfies the openai and anthropic SDKs, Cherry Studio and
//! Claude Code at once (client-conformance §2.7), and the single-model body of `/v1/models/{id}`.
//!
//! Each item carries both OpenAI's fields (`object`, `created`, `owned_by`) and Anthropic's
//! (`type`, `display_name`, `created_at`, `lifecycle`), plus our UI's own (`label`, `group`,
//! `price_points`, …); every client ignores the fields it does not know. The list is always one
//! page: `has_more` is `false`, so the anthropic SDK's pager never asks for a next page.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::ModelInfo;

/// Who "owns" a model when the catalog gives it no group.
const DEFAULT_OWNER: &str = "taiji";

/// One model, in the dual OpenAI/Anthropic shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelObject {
    /// The id clients send as `model`.
    pub id: String,
    /// Always `"model"` (OpenAI).
    pub object: &'static str,
    /// Unix seconds (OpenAI; Cherry's schema requires a number).
    pub created: i64,
    /// Never null (Cherry's schema rejects null): the catalog group, or `taiji`.
    pub owned_by: String,
    /// Always `"model"` (Anthropic).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The label shown by Anthropic clients and Claude Code.
    pub display_name: String,
    /// RFC 3339 (Anthropic).
    pub created_at: String,
    /// Always `"active"` (required by the anthropic SDK 2.x).
    pub lifecycle: &'static str,
    /// The upstream's display label.
    pub label: String,
    /// The catalog group.
    pub group: String,
    /// Points per message, when the catalog states a number.
    pub price_points: Option<u64>,
    /// The price as the site shows it.
    pub price_text: String,
    /// Accepts image input.
    pub multimodal: bool,
    /// Reasons visibly.
    pub thinking: bool,
    /// Generates images.
    pub image_generation: bool,
}

impl ModelObject {
    /// The body for one model. `created` is the Unix time to report (the catalog has no dates; the
    /// route passes the time it fetched the catalog).
    pub fn new(model: &ModelInfo, created: i64) -> Self {
        let owned_by = if model.group.trim().is_empty() {
            DEFAULT_OWNER.to_owned()
        } else {
            model.group.clone()
        };
        let display_name = if model.label.trim().is_empty() {
            model.id.clone()
        } else {
            model.label.clone()
        };
        Self {
            id: model.id.clone(),
            object: "model",
            created,
            owned_by,
            kind: "model",
            display_name,
            created_at: rfc3339(created),
            lifecycle: "active",
            label: model.label.clone(),
            group: model.group.clone(),
            price_points: model.price_points,
            price_text: model.price_text.clone(),
            multimodal: model.multimodal,
            thinking: model.thinking,
            image_generation: model.image_generation,
        }
    }
}

/// The whole list, in the dual shape, in one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelList {
    /// Always `"list"` (OpenAI).
    pub object: &'static str,
    /// Every model.
    pub data: Vec<ModelObject>,
    /// Always `false` (Anthropic pagination).
    pub has_more: bool,
    /// The first id, or null for an empty list.
    pub first_id: Option<String>,
    /// The last id, or null for an empty list.
    pub last_id: Option<String>,
}

impl ModelList {
    /// The list of `models` in catalog order.
    pub fn new(models: &[ModelInfo], created: i64) -> Self {
        let data: Vec<ModelObject> = models
            .iter()
            .map(|model| ModelObject::new(model, created))
            .collect();
        Self {
            object: "list",
            first_id: data.first().map(|model| model.id.clone()),
            last_id: data.last().map(|model| model.id.clone()),
            data,
            has_more: false,
        }
    }
}

/// `created` as RFC 3339 in UTC; the Unix epoch for a timestamp out of range.
fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn model(id: &str, label: &str, group: &str) -> ModelInfo {
        ModelInfo {
            id: id.into(),
            label: label.into(),
            group: group.into(),
            price_points: Some(1),
            price_text: "1积分".into(),
            multimodal: true,
            ..ModelInfo::default()
        }
    }

    #[test]
    fn list_has_both_shapes_in_one_page() {
        let list = ModelList::new(
            &[model("gpt-5", "GT-5", "ChatGPT"), model("x", "", "")],
            1_700_000_000,
        );
        let body = serde_json::to_value(&list).expect("serialises");
        assert_eq!(
            body,
            json!({
                "object": "list",
                "data": [
                    {"id": "gpt-5", "object": "model", "created": 1_700_000_000, "owned_by": "ChatGPT",
                     "type": "model", "display_name": "GT-5", "created_at": "2023-11-14T22:13:20Z",
                     "lifecycle": "active", "label": "GT-5", "group": "ChatGPT", "price_points": 1,
                     "price_text": "1积分", "multimodal": true, "thinking": false, "image_generation": false},
                    {"id": "x", "object": "model", "created": 1_700_000_000, "owned_by": "taiji",
                     "type": "model", "display_name": "x", "created_at": "2023-11-14T22:13:20Z",
                     "lifecycle": "active", "label": "", "group": "", "price_points": 1,
                     "price_text": "1积分", "multimodal": true, "thinking": false, "image_generation": false}
                ],
                "has_more": false,
                "first_id": "gpt-5",
                "last_id": "x"
            })
        );
    }

    #[test]
    fn empty_list_has_null_ids_and_no_more_pages() {
        let body = serde_json::to_value(ModelList::new(&[], 0)).expect("serialises");
        assert_eq!(
            body,
            json!({"object": "list", "data": [], "has_more": false, "first_id": null, "last_id": null})
        );
    }
}
