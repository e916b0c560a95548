//! The model catalog of `GET /api/chat/tmpl` (§3.3 2.x shape, §9 3.x shape) and model lookup by value.

use serde_json::{Value, json};

use crate::config::CatalogVersion;

/// How a model behaves in the simulator's replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// Plain chat reply.
    Chat,
    /// Starts with `<think>…</think>`.
    Thinking,
    /// Nano-banana style: short text and `![image](…)` lines.
    Image,
    /// GT-4o-image-vip style: json block, progress lines and `![gen_…](…)`.
    ImageVip,
    /// Plain chat reply whose frames use `slow_frame_delay`.
    Slow,
}

/// One catalog entry (one `models[]` item).
#[derive(Debug, Clone)]
pub struct ModelEntry {
    pub label: String,
    /// The public id: `gpt-4.1-mini` (2.x) or `openai::gpt-4.1-mini` (3.x).
    pub value: String,
    pub tag: &'static str,
    /// Points per message (`attr.integral` "N积分", `deductCount`).
    pub price: i64,
    pub multimodal: bool,
    pub only_img: bool,
    pub note: &'static str,
    pub kind: ModelKind,
    pub provider: &'static str,
    pub reasoning_efforts: &'static [&'static str],
}

struct Seed {
    label: &'static str,
    value: &'static str,
    tag: &'static str,
    price: i64,
    multimodal: bool,
    only_img: bool,
    kind: ModelKind,
    provider: &'static str,
}

const fn seed(
    label: &'static str,
    value: &'static str,
    tag: &'static str,
    price: i64,
    multimodal: bool,
    kind: ModelKind,
    provider: &'static str,
) -> Seed {
    Seed {
        label,
        value,
        tag,
        price,
        multimodal,
        only_img: true,
        kind,
        provider,
    }
}

use ModelKind::{Chat, Image, ImageVip, Slow, Thinking};

/// Modelled on the Feb 2026 capture: obfuscated labels, duplicate values under other tags, image models.
const SEEDS: &[Seed] = &[
    seed("GT-4.1-mini", "gpt-4.1-mini", "ChatGPT", 1, false, Chat, "openai"),
    seed("GT-4o", "gpt-4o", "ChatGPT", 2, true, Chat, "openai"),
    seed(
        "GT-4o-image-vip（绘图模型）",
        "gpt-4o-image-vip",
        "ChatGPT",
        300_000,
        true,
        ImageVip,
        "openai",
    ),
    seed("GT-5", "gpt-5", "ChatGPT", 5, true, Chat, "openai"),
    seed("GT-5-mini", "gpt-5-mini", "ChatGPT", 2, true, Chat, "openai"),
    seed("GT-5-all", "gpt-5-all", "ChatGPT", 10, true, Chat, "openai"),
    seed(
        "O3-pro【慢速推理】",
        "o3-pro",
        "ChatGPT",
        50,
        false,
        Slow,
        "openai",
    ),
    seed(
        "Claude-sonnet-4-5",
        "claude-sonnet-4-5",
        "Claude",
        20,
        true,
        Chat,
        "anthropic",
    ),
    seed(
        "Claude-sonnet-4-6",
        "claude-sonnet-4-6",
        "Claude",
        25,
        true,
        Chat,
        "anthropic",
    ),
    seed(
        "Claude-sonnet-4-5-thinking",
        "claude-sonnet-4-5-thinking",
        "Claude",
        30,
        true,
        Thinking,
        "anthropic",
    ),
    seed(
        "Claude-opus-4-6",
        "claude-opus-4-6",
        "Claude",
        1_000_000,
        true,
        Chat,
        "anthropic",
    ),
    seed(
        "Gemini-2.5-pro",
        "gemini-2.5-pro",
        "Gemini",
        20,
        true,
        Chat,
        "google",
    ),
    seed(
        "Nano-banana绘图模型",
        "gemini-2.5-flash-image",
        "Gemini",
        100_000,
        true,
        Image,
        "google",
    ),
    seed("Grok-4", "grok-4", "Grok马斯克", 20, false, Chat, "xai"),
    seed(
        "GT-5-all【联网搜索】",
        "gpt-5-all",
        "联网模型",
        10,
        true,
        Chat,
        "openai",
    ),
    Seed {
        only_img: false,
        ..seed(
            "GT-5-all【文件识别】",
            "gpt-5-all",
            "文件多模态",
            10,
            true,
            Chat,
            "openai",
        )
    },
    seed(
        "DeepSeek-V3.2",
        "deepseek-chat",
        "DeepSeek",
        1,
        false,
        Chat,
        "deepseek",
    ),
    seed(
        "DeepSeek-R1【深度思考】",
        "deepseek-reasoner",
        "DeepSeek",
        2,
        false,
        Thinking,
        "deepseek",
    ),
    seed("GLM-4.6", "glm-4.6", "清华智谱", 1, false, Chat, "zhipu"),
    seed("Qwen3-max", "qwen3-max", "阿里通义千问", 2, false, Chat, "qwen"),
    Seed {
        only_img: false,
        ..seed(
            "Kimi-K2-0905",
            "kimi-k2-0905-preview",
            "Kimi月之暗面",
            2,
            true,
            Chat,
            "moonshot",
        )
    },
];

const PROVIDERS: &[(&str, &str)] = &[
    ("openai", "OpenAI"),
    ("anthropic", "Anthropic"),
    ("google", "Google"),
    ("xai", "xAI"),
    ("deepseek", "DeepSeek"),
    ("zhipu", "智谱AI"),
    ("qwen", "阿里云百炼"),
    ("moonshot", "Moonshot"),
];

const GPT5_MINI_NOTE: &str = "在消息末尾追加 --reasoning_effort minimal|low|medium|high 可控制推理强度";

/// The catalog of one simulator instance.
pub struct Catalog {
    version: CatalogVersion,
    entries: Vec<ModelEntry>,
}

impl Catalog {
    pub fn new(version: CatalogVersion) -> Self {
        let entries = SEEDS
            .iter()
            .map(|s| ModelEntry {
                label: s.label.to_owned(),
                value: match version {
                    CatalogVersion::V2 => s.value.to_owned(),
                    CatalogVersion::V3 => format!("{}::{}", s.provider, s.value),
                },
                tag: s.tag,
                price: s.price,
                multimodal: s.multimodal,
                only_img: s.only_img,
                note: if s.value == "gpt-5-mini" {
                    GPT5_MINI_NOTE
                } else {
                    ""
                },
                kind: s.kind,
                provider: s.provider,
                reasoning_efforts: match s.value {
                    "gpt-5-mini" | "o3-pro" => &["low", "medium", "high"],
                    _ => &[],
                },
            })
            .collect();
        Self { version, entries }
    }

    pub fn version(&self) -> CatalogVersion {
        self.version
    }

    /// The first entry with this exact value (duplicates share a value; the first label wins, as upstream
    /// stores only the value in a session).
    pub fn find(&self, value: &str) -> Option<&ModelEntry> {
        self.entries.iter().find(|e| e.value == value)
    }

    fn value_of(&self, bare: &str) -> String {
        self.entries
            .iter()
            .zip(SEEDS)
            .find(|(_, s)| s.value == bare)
            .map(|(e, _)| e.value.clone())
            .unwrap_or_else(|| bare.to_owned())
    }

    /// `data` of `GET /api/chat/tmpl`.
    pub fn tmpl_json(&self) -> Value {
        let models: Vec<Value> = self.entries.iter().map(|e| self.model_json(e)).collect();
        let mut data = json!({
            "cm": true,
            "defModel": self.value_of("gpt-4.1-mini"),
            "defaultChat": "<p>您好，有什么可以帮助您的吗？</p>",
            "genLine": 2,
            "genTitle": false,
            "mFileCount": 5,
            "mFileSize": 5,
            "mcp": null,
            "models": models,
            "notice": "",
            "ocp": true,
            "p": true,
            "plugins": null,
            "rm": false,
            "sessionHoverSetting": true,
            "showTokens": false,
            "thinkModel": self.value_of("deepseek-reasoner"),
            "toggleTipTime": 3,
            "tooltipsText": "<p>以上内容为AI生成，仅供参考，请注意甄别</p>",
            "voice": true,
        });
        if self.version == CatalogVersion::V3 {
            let providers: Vec<Value> = PROVIDERS
                .iter()
                .enumerate()
                .map(|(i, (key, name))| json!({"idKey": key, "name": name, "sort": i}))
                .collect();
            data["providers"] = Value::Array(providers);
        }
        data
    }

    fn model_json(&self, e: &ModelEntry) -> Value {
        let mut attr = json!({
            "icon": format!("https://cdn.sim.invalid/icon/{}.png", e.provider),
            "integral": format!("{}积分", e.price),
            "multimodal": e.multimodal,
            "note": e.note,
            "onlyImg": e.only_img,
            "plugin": false,
            "tag": e.tag,
        });
        if self.version == CatalogVersion::V3 {
            let provider_name = PROVIDERS
                .iter()
                .find(|(key, _)| *key == e.provider)
                .map_or(e.provider, |(_, name)| *name);
            let image = matches!(e.kind, ModelKind::Image | ModelKind::ImageVip);
            attr["providerKey"] = json!(e.provider);
            attr["providerName"] = json!(provider_name);
            attr["modelType"] = json!(if image { "image" } else { "chat" });
            attr["capabilities"] = json!({
                "imageInput": e.multimodal,
                "stream": true,
                "thinking": e.kind == ModelKind::Thinking,
                // Like `openai::gpt-6-astra` on the real site: no declared thinking, but detected from the reply.
                "autoDetectThinking": e.value.ends_with("::gpt-5"),
                "reasoningEfforts": e.reasoning_efforts,
                "tools": false,
            });
        }
        json!({"label": e.label, "value": e.value, "attr": attr})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_required_models_exist() {
        let catalog = Catalog::new(CatalogVersion::V2);
        let gpt5_all = catalog.entries.iter().filter(|e| e.value == "gpt-5-all").count();
        assert_eq!(gpt5_all, 3);
        for value in [
            "gpt-4.1-mini",
            "gpt-4o",
            "deepseek-reasoner",
            "o3-pro",
            "claude-opus-4-6",
        ] {
            assert!(catalog.find(value).is_some(), "{value}");
        }
        assert_eq!(catalog.find("claude-opus-4-6").map(|e| e.price), Some(1_000_000));
    }

    #[test]
    fn v3_values_are_provider_qualified() {
        let catalog = Catalog::new(CatalogVersion::V3);
        assert!(catalog.find("gpt-4.1-mini").is_none());
        assert!(catalog.find("openai::gpt-4.1-mini").is_some());
        assert_eq!(catalog.tmpl_json()["thinkModel"], "deepseek::deepseek-reasoner");
    }
}
