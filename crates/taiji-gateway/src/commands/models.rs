//! `models`: the account's model catalog as a table (or JSON with `--json`).

use comfy_table::{ContentArrangement, Table, presets};
use taiji_core::model::ModelInfo;
use taiji_core::runtime::SettingsOverrides;

use super::{out, with_core};
use crate::cli::{GlobalArgs, ModelsArgs};
use crate::error::CliError;
use crate::open::{open_core, sign_in};

/// `taiji-gateway models`.
pub async fn run(global: &GlobalArgs, args: &ModelsArgs) -> Result<(), CliError> {
    let core = open_core(global, SettingsOverrides::default()).await?;
    with_core(core, async |core| {
        sign_in(core).await?;
        let upstream = core.settings().upstream.base_url;
        let catalog = core
            .catalog()
            .await
            .map_err(|error| CliError::from_core(error, &upstream))?;
        if args.json {
            let json = serde_json::to_string_pretty(&catalog.models)
                .map_err(|e| CliError::Other(format!("internal error: {e}")))?;
            out(&format!("{json}\n"))
        } else {
            out(&format!(
                "{}\n",
                table(&catalog.models, catalog.default_model.as_deref())
            ))
        }
    })
    .await
}

/// The table: one row per model, the site's default marked with `*`.
fn table(models: &[ModelInfo], default_model: Option<&str>) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["id", "label", "group", "price", "vision", "thinking"]);
    for model in models {
        let id = if Some(model.id.as_str()) == default_model {
            format!("{} *", model.id)
        } else {
            model.id.clone()
        };
        table.add_row([
            id,
            model.label.clone(),
            model.group.clone(),
            price(model),
            yes(model.multimodal),
            yes(model.thinking),
        ]);
    }
    table
}

/// The site's own price text, or the parsed points when the text is empty.
fn price(model: &ModelInfo) -> String {
    match (model.price_text.trim(), model.price_points) {
        ("", Some(points)) => format!("{points} points"),
        ("", None) => String::new(),
        (text, _) => text.to_owned(),
    }
}

fn yes(flag: bool) -> String {
    if flag { "yes" } else { "" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str, price_text: &str, price_points: Option<u64>) -> ModelInfo {
        ModelInfo {
            id: id.to_owned(),
            label: format!("{id} label"),
            group: "ChatGPT".to_owned(),
            price_points,
            price_text: price_text.to_owned(),
            multimodal: true,
            ..ModelInfo::default()
        }
    }

    #[test]
    fn the_table_lists_every_model_and_marks_the_default() {
        let rendered = table(
            &[
                model("gpt-4o", "300积分", Some(300)),
                model("o3-pro", "", Some(9)),
            ],
            Some("gpt-4o"),
        )
        .to_string();
        assert!(rendered.contains("gpt-4o *"), "{rendered}");
        assert!(rendered.contains("300积分"), "{rendered}");
        assert!(rendered.contains("9 points"), "{rendered}");
        assert!(rendered.contains("o3-pro label"), "{rendered}");
        assert!(!rendered.contains("o3-pro *"), "{rendered}");
    }
}
