//! Migration of older settings documents to the current shape, on the raw JSON value before it is
//! deserialised, one version step at a time.
//!
//! Version 0 is the flat shape of the first prototype (no `schema_version` field):
//!
//! ```json
//! { "api_base": "https://ai.aurod.cn", "app_version": "2.14.0", "host": "127.0.0.1", "port": 8760,
//!   "max_concurrent": 5, "api_key": "tj-…", "require_api_key": true,
//!   "model_map": { "claude-sonnet-4-5": "claude-sonnet-4-6" }, "log_max_days": 14 }
//! ```
//!
//! Version 1 is the nested shape of [`super::Settings`]. Version 2 (the current one) adds origin
//! discovery and the proxy to `upstream`, and moves documents that still carry the old defaults
//! (`https://ai.aurod.cn`, `2.16.0`: a dead origin and an outdated front end since the site moved) to
//! today's defaults; an origin the user chose is kept, with discovery on only when it is one of the
//! site's own known origins. Fields a version does not know keep their defaults thanks to
//! `#[serde(default)]`.
//!
//! A document without `schema_version` is version 0 only when it has a field that only version 0
//! had ([`V0_ONLY_FIELDS`]). Otherwise a person wrote it by hand in today's shape (say
//! `{"pacing":{"enabled":false}}`), and it is read as the current version with defaults filled in,
//! so nothing they wrote is dropped.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

/// The schema version this build writes.
pub const CURRENT_SCHEMA_VERSION: u32 = 2;

/// The top-level fields of the version-0 shape that no later version has (`max_concurrent` is in
/// both, so it tells nothing).
const V0_ONLY_FIELDS: [&str; 8] = [
    "api_base",
    "app_version",
    "host",
    "port",
    "api_key",
    "require_api_key",
    "model_map",
    "log_max_days",
];

/// The outcome of [`migrate`].
#[derive(Debug, PartialEq)]
pub(super) struct Migrated {
    /// The document in the current shape.
    pub(super) value: Value,
    /// The version the document had on disk.
    pub(super) from_version: u32,
}

/// Brings `value` up to [`CURRENT_SCHEMA_VERSION`]. A document from a *newer* build is left as it
/// is: its known fields load, its unknown ones are ignored, and the next save writes this build's
/// version (the user downgraded; there is nothing better to do).
pub(super) fn migrate(mut value: Value) -> Result<Migrated, String> {
    let Value::Object(object) = &value else {
        return Err("the settings file is not a JSON object".to_owned());
    };
    let from_version = match object.get("schema_version") {
        None if V0_ONLY_FIELDS.iter().any(|field| object.contains_key(*field)) => 0,
        None => CURRENT_SCHEMA_VERSION,
        Some(version) => version
            .as_u64()
            .and_then(|version| u32::try_from(version).ok())
            .ok_or_else(|| format!("schema_version is not a number: {version}"))?,
    };
    let mut version = from_version;
    while version < CURRENT_SCHEMA_VERSION {
        value = match version {
            0 => v0_to_v1(value),
            1 => v1_to_v2(value),
            _ => return Err(format!("no migration from schema version {version}")),
        };
        version += 1;
    }
    Ok(Migrated { value, from_version })
}

/// Version 0 (flat prototype) → version 1 (nested).
fn v0_to_v1(value: Value) -> Value {
    let Value::Object(old) = value else {
        return value;
    };
    let mut upstream = Map::new();
    move_field(&old, "api_base", &mut upstream, "base_url");
    move_field(&old, "app_version", &mut upstream, "app_version");

    let mut listen = Map::new();
    move_field(&old, "host", &mut listen, "host");
    move_field(&old, "port", &mut listen, "port");

    let mut access = Map::new();
    move_field(&old, "require_api_key", &mut access, "api_keys_required");
    if let Some(Value::String(key)) = old.get("api_key")
        && !key.is_empty()
    {
        // Version 0 had one unnamed key; keep it working for the apps already configured with it.
        let created_at = OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        access.insert(
            "api_keys".to_owned(),
            json!([{ "name": "default", "key": key, "created_at": created_at }]),
        );
    }

    let mut new = Map::new();
    new.insert("schema_version".to_owned(), json!(1));
    new.insert("upstream".to_owned(), Value::Object(upstream));
    new.insert("listen".to_owned(), Value::Object(listen));
    new.insert("access".to_owned(), Value::Object(access));
    move_field(&old, "max_concurrent", &mut new, "max_concurrent");
    move_field(&old, "model_map", &mut new, "model_aliases");
    if let Some(days) = old.get("log_max_days") {
        new.insert(
            "request_log".to_owned(),
            json!({ "retention": { "max_age_days": days } }),
        );
    }
    Value::Object(new)
}

/// Version 1 → version 2: today's site by default.
fn v1_to_v2(mut value: Value) -> Value {
    use crate::upstream::config::{KNOWN_ORIGINS, LEGACY_APP_VERSION, LEGACY_BASE_URL};
    let Value::Object(document) = &mut value else {
        return value;
    };
    document.insert("schema_version".to_owned(), json!(2));
    let upstream = document
        .entry("upstream")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(upstream) = upstream else {
        return value;
    };
    let base_url = upstream
        .get("base_url")
        .and_then(Value::as_str)
        .map(|url| url.trim().trim_end_matches('/').to_owned());
    match base_url.as_deref() {
        // Missing means the old default, which is what the old build used.
        None | Some(LEGACY_BASE_URL) => {
            upstream.remove("base_url");
            if upstream
                .get("app_version")
                .and_then(Value::as_str)
                .is_none_or(|v| v.trim() == LEGACY_APP_VERSION)
            {
                upstream.remove("app_version");
            }
        }
        Some(custom) => {
            upstream.insert("discovery".to_owned(), json!(KNOWN_ORIGINS.contains(&custom)));
        }
    }
    value
}

fn move_field(from: &Map<String, Value>, old_name: &str, to: &mut Map<String, Value>, new_name: &str) {
    if let Some(value) = from.get(old_name) {
        to.insert(new_name.to_owned(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_version_is_left_alone() {
        let value = json!({ "schema_version": CURRENT_SCHEMA_VERSION, "max_concurrent": 4 });
        let migrated = migrate(value.clone()).expect("migrates");
        assert_eq!(migrated.value, value);
        assert_eq!(migrated.from_version, CURRENT_SCHEMA_VERSION);
    }

    #[test]
    fn a_non_object_is_refused() {
        assert!(migrate(json!([1, 2])).is_err());
        assert!(migrate(json!({ "schema_version": "one" })).is_err());
    }

    #[test]
    fn a_hand_written_document_without_a_version_is_read_as_the_current_one() {
        let written = json!({ "pacing": { "enabled": false } });
        let migrated = migrate(written.clone()).expect("reads");
        assert_eq!(migrated.from_version, CURRENT_SCHEMA_VERSION);
        assert_eq!(migrated.value, written);
        let flat = migrate(json!({ "port": 8800, "max_concurrent": 2 })).expect("migrates");
        assert_eq!(
            flat.from_version, 0,
            "a version-0 field marks the flat prototype shape"
        );
        assert_eq!(flat.value["listen"]["port"], 8800);
    }

    #[test]
    fn version_zero_becomes_nested() {
        let migrated = migrate(json!({ "api_base": "https://x.example", "port": 9000 })).expect("migrates");
        assert_eq!(migrated.from_version, 0);
        assert_eq!(migrated.value["upstream"]["base_url"], "https://x.example");
        assert_eq!(migrated.value["listen"]["port"], 9000);
        assert_eq!(migrated.value["schema_version"], 2);
    }

    #[test]
    fn the_old_default_site_moves_to_todays_and_a_chosen_one_stays() {
        let old = migrate(json!({"schema_version": 1, "upstream": {"base_url": "https://ai.aurod.cn/", "app_version": "2.16.0"}}))
            .expect("migrates");
        assert_eq!(old.value["schema_version"], 2);
        assert!(old.value["upstream"].get("base_url").is_none(), "{}", old.value);
        assert!(old.value["upstream"].get("app_version").is_none());
        let untouched = migrate(json!({"schema_version": 1})).expect("migrates");
        assert!(untouched.value["upstream"].get("base_url").is_none());

        let custom = migrate(json!({"schema_version": 1, "upstream": {"base_url": "https://ai8.example.com", "app_version": "3.1.0"}}))
            .expect("migrates");
        assert_eq!(custom.value["upstream"]["base_url"], "https://ai8.example.com");
        assert_eq!(custom.value["upstream"]["app_version"], "3.1.0");
        assert_eq!(custom.value["upstream"]["discovery"], false);
        let known = migrate(json!({"schema_version": 1, "upstream": {"base_url": "https://ai.avuuq.cn", "app_version": "3.2.1"}}))
            .expect("migrates");
        assert_eq!(known.value["upstream"]["discovery"], true);
        assert_eq!(known.value["upstream"]["app_version"], "3.2.1");
    }
}
