//! Parses the model catalog (`GET /api/chat/tmpl`) in both shapes: 2.x (taiji-protocol.md §3.3)
//! and 3.x (§9: `provider::model` values, `attr.capabilities`, a `providers` list).
//!
//! Models are deduplicated by `value`, keeping the first entry, because the session stores only
//! the value: variants listed under several groups are the same model upstream.
//!
//! Two properties are not declared by 2.x catalogs and are guessed from names (documented here
//! because the model list shown to users depends on it):
//! - **thinking**: 3.x `capabilities.thinking`, or the catalog's `thinkModel`, or a value or label
//!   containing "think" (thinking), "reasoner", "-r1" or "glm-z1", or a label saying 思考/推理;
//! - **image generation**: a 3.x `modelType` naming images/drawing, or a value or label containing
//!   "image", "dall-e", "midjourney", 绘图, 画图 or 生图 (e.g. `gpt-4o-image-vip`,
//!   `gemini-2.5-flash-image`, "Nano-banana绘图模型").

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::model::{Catalog, FileLimits, ModelInfo};

/// Builds the catalog from the envelope's `data`. Entries without a `value` are skipped.
pub fn parse_catalog(data: &Value) -> Catalog {
    let think_model = non_empty_str(data.get("thinkModel"));
    let providers: HashMap<String, String> = data
        .get("providers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|p| Some((non_empty_str(p.get("idKey"))?, non_empty_str(p.get("name"))?)))
                .collect()
        })
        .unwrap_or_default();

    let mut seen = HashSet::new();
    let models = data
        .get("models")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| parse_model(entry, think_model.as_deref(), &providers))
        .filter(|model| seen.insert(model.id.clone()))
        .collect();

    let defaults = FileLimits::default();
    let file_limits = FileLimits {
        max_count: data
            .get("mFileCount")
            .and_then(as_u64)
            .map_or(defaults.max_count, |n| n as usize),
        max_bytes: data
            .get("mFileSize")
            .and_then(as_u64)
            .map_or(defaults.max_bytes, |mb| (mb as usize).saturating_mul(1024 * 1024)),
    };

    Catalog {
        models,
        default_model: non_empty_str(data.get("defModel")),
        think_model,
        file_limits,
    }
}

fn parse_model(
    entry: &Value,
    think_model: Option<&str>,
    providers: &HashMap<String, String>,
) -> Option<ModelInfo> {
    let id = non_empty_str(entry.get("value"))?;
    let label = non_empty_str(entry.get("label")).unwrap_or_else(|| id.clone());
    let attr = entry.get("attr").unwrap_or(&Value::Null);
    let capabilities = attr.get("capabilities").unwrap_or(&Value::Null);
    let capability = |key: &str| capabilities.get(key).and_then(Value::as_bool).unwrap_or(false);

    let provider_key = non_empty_str(attr.get("providerKey"))
        .or_else(|| id.split_once("::").map(|(provider, _)| provider.to_owned()));
    let group = non_empty_str(attr.get("tag"))
        .or_else(|| non_empty_str(attr.get("providerName")))
        .or_else(|| provider_key.as_ref().and_then(|key| providers.get(key).cloned()))
        .or(provider_key)
        .unwrap_or_default();

    let price_text = match attr.get("integral") {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };

    let names = format!("{} {}", id.to_lowercase(), label.to_lowercase());
    let model_type = non_empty_str(attr.get("modelType"))
        .unwrap_or_default()
        .to_lowercase();
    let thinking = capability("thinking")
        || think_model == Some(id.as_str())
        || ["think", "reasoner", "-r1", "glm-z1", "思考", "推理"]
            .iter()
            .any(|n| names.contains(n));
    let image_generation = ["image", "draw", "绘图", "画图"]
        .iter()
        .any(|n| model_type.contains(n))
        || ["image", "dall-e", "midjourney", "绘图", "画图", "生图"]
            .iter()
            .any(|n| names.contains(n));

    Some(ModelInfo {
        price_points: parse_points(&price_text),
        price_text,
        multimodal: attr.get("multimodal").and_then(Value::as_bool).unwrap_or(false)
            || capability("imageInput"),
        thinking,
        image_generation,
        note: non_empty_str(attr.get("note")).unwrap_or_default(),
        reasoning_efforts: capabilities
            .get("reasoningEfforts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|level| non_empty_str(Some(level)))
            .collect(),
        group,
        label,
        id,
    })
}

/// "300000积分" → 300000; "1,000,000 积分" → 1000000; no digits → `None`.
pub fn parse_points(text: &str) -> Option<u64> {
    let digits: String = text
        .trim()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn non_empty_str(value: Option<&Value>) -> Option<String> {
    let s = value?.as_str()?.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v2_fixture() -> Value {
        json!({
            "cm": true, "defModel": "gpt-4.1-mini", "thinkModel": "deepseek-reasoner",
            "mFileCount": 5, "mFileSize": 5, "plugins": null, "mcp": null,
            "models": [
                {"label": "GT-4.1-mini", "value": "gpt-4.1-mini",
                 "attr": {"icon": "", "integral": "1积分", "multimodal": false, "note": "", "onlyImg": true, "plugin": false, "tag": "ChatGPT"}},
                {"label": "GT-5（联网）", "value": "gpt-5-all",
                 "attr": {"integral": "3积分", "multimodal": true, "onlyImg": true, "plugin": false, "tag": "联网模型"}},
                {"label": "GT-5（文件识别）", "value": "gpt-5-all",
                 "attr": {"integral": "5积分", "multimodal": true, "onlyImg": false, "plugin": false, "tag": "文件多模态"}},
                {"label": "DeepSeek-R", "value": "deepseek-reasoner",
                 "attr": {"integral": "1积分", "multimodal": false, "tag": "DeepSeek"}},
                {"label": "Claude-sonnet-4-5-thinking", "value": "claude-sonnet-4-5-thinking",
                 "attr": {"integral": "2000积分", "tag": "Claude"}},
                {"label": "GT-4o-image-vip（绘图模型）", "value": "gpt-4o-image-vip",
                 "attr": {"integral": "300000积分", "multimodal": true, "tag": "ChatGPT", "note": "画图"}},
                {"label": "Nano-banana绘图模型", "value": "gemini-2.5-flash-image",
                 "attr": {"integral": "100000积分", "multimodal": true, "tag": "Gemini"}},
                {"label": "", "value": "", "attr": {}}
            ]
        })
    }

    #[test]
    fn parses_the_2x_shape() {
        let catalog = parse_catalog(&v2_fixture());
        let ids: Vec<_> = catalog.models.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "gpt-4.1-mini",
                "gpt-5-all",
                "deepseek-reasoner",
                "claude-sonnet-4-5-thinking",
                "gpt-4o-image-vip",
                "gemini-2.5-flash-image"
            ]
        );
        assert_eq!(catalog.default_model.as_deref(), Some("gpt-4.1-mini"));
        assert_eq!(catalog.think_model.as_deref(), Some("deepseek-reasoner"));
        assert_eq!(
            catalog.file_limits,
            FileLimits {
                max_count: 5,
                max_bytes: 5 * 1024 * 1024
            }
        );

        let by_id = |id: &str| catalog.models.iter().find(|m| m.id == id).expect("model present");
        let mini = by_id("gpt-4.1-mini");
        assert_eq!(
            (mini.group.as_str(), mini.price_points, mini.price_text.as_str()),
            ("ChatGPT", Some(1), "1积分")
        );
        assert!(!mini.multimodal && !mini.thinking && !mini.image_generation);
        // The first of the duplicates wins.
        assert_eq!(by_id("gpt-5-all").group, "联网模型");
        assert!(by_id("deepseek-reasoner").thinking);
        assert!(by_id("claude-sonnet-4-5-thinking").thinking);
        let vip = by_id("gpt-4o-image-vip");
        assert!(vip.image_generation && vip.multimodal && !vip.thinking);
        assert_eq!(vip.price_points, Some(300_000));
        assert_eq!(vip.note, "画图");
        assert!(by_id("gemini-2.5-flash-image").image_generation);
    }

    #[test]
    fn parses_the_3x_shape() {
        let data = json!({
            "defModel": "openai::gpt-6-astra", "mFileCount": "3", "mFileSize": 10,
            "providers": [{"idKey": "openai", "name": "OpenAI", "sort": 1}, {"idKey": "deepseek", "name": "DeepSeek", "sort": 2}],
            "models": [
                {"label": "GPT-6 Astra", "value": "openai::gpt-6-astra",
                 "attr": {"integral": "10积分", "providerKey": "openai", "modelType": "chat",
                          "capabilities": {"imageInput": true, "stream": true, "thinking": false, "autoDetectThinking": true, "reasoningEfforts": [], "tools": false}}},
                {"label": "DeepSeek V4 Flash", "value": "deepseek::deepseek-v4-flash",
                 "attr": {"integral": 2, "modelType": "chat", "capabilities": {"imageInput": false, "thinking": true}}},
                {"label": "GPT-6 Astra (dup)", "value": "openai::gpt-6-astra", "attr": {}},
                {"label": "Painter", "value": "openai_chat::gpt-img-2",
                 "attr": {"providerName": "OpenAI Chat", "modelType": "image"}}
            ]
        });
        let catalog = parse_catalog(&data);
        assert_eq!(catalog.models.len(), 3);
        let astra = &catalog.models[0];
        assert_eq!(astra.id, "openai::gpt-6-astra");
        assert_eq!(astra.group, "OpenAI");
        assert!(astra.multimodal && !astra.thinking && !astra.image_generation);
        let flash = &catalog.models[1];
        assert_eq!(
            flash.group, "DeepSeek",
            "group from the providers list via the value prefix"
        );
        assert_eq!(flash.price_points, Some(2));
        assert!(flash.thinking && !flash.multimodal);
        let painter = &catalog.models[2];
        assert_eq!(painter.group, "OpenAI Chat");
        assert!(painter.image_generation);
        assert_eq!(
            catalog.file_limits,
            FileLimits {
                max_count: 3,
                max_bytes: 10 * 1024 * 1024
            }
        );
    }

    #[test]
    fn tolerates_missing_fields() {
        let catalog = parse_catalog(&json!({"models": [{"value": "x"}]}));
        assert_eq!(catalog.models[0].label, "x");
        assert_eq!(catalog.file_limits, FileLimits::default());
        assert_eq!(parse_catalog(&json!(null)).models.len(), 0);
    }

    #[test]
    fn points_parsing() {
        assert_eq!(parse_points("300000积分"), Some(300_000));
        assert_eq!(parse_points("1,000,000 积分"), Some(1_000_000));
        assert_eq!(parse_points("免费"), None);
        assert_eq!(parse_points(""), None);
    }
}
