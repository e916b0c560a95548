//! Validation of a whole [`Settings`] document. Every rule reports the dotted field path and a
//! sentence saying why, and all problems are collected so the user can fix them in one go.
//!
//! The access rules carry the security model of the local endpoint: requiring no key is allowed
//! only while bound to loopback, and binding anywhere else needs both LAN mode and keys.

use std::collections::HashSet;

use super::error::{FieldProblem, ValidationError};
use super::{CURRENT_SCHEMA_VERSION, Settings};

/// Bounds of the numeric settings, shared with the error messages.
const MAX_CONCURRENT: u32 = 64;
const MAX_REQUESTS_PER_MINUTE: u32 = 6000;
const MAX_BURST: u32 = 1000;
const MAX_AGE_DAYS: u32 = 3650;
const MIN_ROWS: u64 = 100;
const MAX_ROWS: u64 = 10_000_000;
const MAX_MB: u64 = 100_000;
const MIN_PREVIEW_BYTES: usize = 64;
const MAX_PREVIEW_BYTES: usize = 64 * 1024;
const MIN_KEY_LEN: usize = 16;
/// More points than any plan holds; a larger threshold is a typo.
const MAX_LOW_POINTS_THRESHOLD: u64 = 1_000_000_000_000;

pub(super) fn validate(settings: &Settings) -> Result<(), ValidationError> {
    let mut problems = Problems::default();
    if settings.schema_version != CURRENT_SCHEMA_VERSION {
        problems.push(
            "schema_version",
            format!(
                "must be {CURRENT_SCHEMA_VERSION} (this version of the app), found {}",
                settings.schema_version
            ),
        );
    }
    check_upstream(settings, &mut problems);
    check_access(settings, &mut problems);
    check_limits(settings, &mut problems);
    check_aliases(settings, &mut problems);
    if problems.0.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { problems: problems.0 })
    }
}

/// Whether `text` is a browser origin (`scheme://host[:port]`, no path) or `null`.
fn is_origin(text: &str) -> bool {
    if text == "null" {
        return true;
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let host = rest.trim_end_matches('/');
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !host.is_empty()
        && !host.contains(['/', '*', '?', '#', ' ', '@'])
}

#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn push(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.into(),
            reason: reason.into(),
        });
    }

    fn range<T: PartialOrd + std::fmt::Display>(&mut self, field: &str, value: T, min: T, max: T) {
        if value < min || value > max {
            self.push(field, format!("must be between {min} and {max}, found {value}"));
        }
    }
}

fn check_upstream(settings: &Settings, problems: &mut Problems) {
    let base_url = settings.upstream.base_url.trim();
    match reqwest::Url::parse(base_url) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => problems.push(
            "upstream.base_url",
            format!(
                "must start with https:// (or http://), found scheme `{}`",
                url.scheme()
            ),
        ),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => problems.push(
            "upstream.base_url",
            "must name a host, e.g. https://ai.txg2024.xyz",
        ),
        Ok(_) => {}
        Err(error) => problems.push(
            "upstream.base_url",
            format!("is not a valid URL ({error}); expected e.g. https://ai.txg2024.xyz"),
        ),
    }
    if settings.upstream.discovery {
        match reqwest::Url::parse(settings.upstream.entry_url.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {}
            _ => problems.push(
                "upstream.entry_url",
                "must be an http(s) URL, e.g. https://www.taijiai666.com (or turn discovery off)",
            ),
        }
    }
    for (index, origin) in settings.upstream.known_origins.iter().enumerate() {
        if !reqwest::Url::parse(origin.trim()).is_ok_and(|url| matches!(url.scheme(), "http" | "https")) {
            problems.push(
                format!("upstream.known_origins[{index}]"),
                "must be an http(s) origin, e.g. https://ai.txg2024.xyz",
            );
        }
    }
    if let Err(error) = crate::upstream::ProxySetting::parse(&settings.upstream.proxy) {
        // The message already shows the proxy redacted.
        problems.push("upstream.proxy", error.0);
    }
    let version = &settings.upstream.app_version;
    if version.is_empty() || version.len() > 32 || !version.chars().all(|c| c.is_ascii_graphic()) {
        problems.push(
            "upstream.app_version",
            "must be a short version string without spaces, e.g. 3.4.0",
        );
    }
}

fn check_access(settings: &Settings, problems: &mut Problems) {
    let access = &settings.access;
    let host = settings.listen.host.trim();
    match super::listen_ip(host) {
        None => problems.push(
            "listen.host",
            format!("`{host}` is not an IP address or `localhost`"),
        ),
        Some(ip) => {
            if !access.allows_listening_on(ip) {
                problems.push(
                    "listen.host",
                    format!(
                        "`{host}` is reachable from other machines; binding it requires \
                         access.lan_mode = true and access.api_keys_required = true"
                    ),
                );
            }
        }
    }
    for (index, origin) in access.allowed_origins.iter().enumerate() {
        if !is_origin(origin) {
            problems.push(
                format!("access.allowed_origins[{index}]"),
                format!(
                    "`{origin}` is not an origin; write scheme://host[:port] (e.g. https://chat.example), \
                     wildcards are not allowed"
                ),
            );
        }
    }
    if access.lan_mode && !access.api_keys_required {
        problems.push(
            "access.lan_mode",
            "LAN mode requires API keys: set access.api_keys_required = true",
        );
    }
    if access.api_keys_required && access.api_keys.is_empty() {
        problems.push(
            "access.api_keys",
            "API keys are required but none exists; add a key or set access.api_keys_required = false",
        );
    }
    let mut names = HashSet::new();
    for (index, key) in access.api_keys.iter().enumerate() {
        let field = format!("access.api_keys[{index}]");
        if key.name.trim().is_empty() {
            problems.push(format!("{field}.name"), "must not be empty");
        } else if !names.insert(key.name.trim().to_lowercase()) {
            problems.push(
                format!("{field}.name"),
                format!("`{}` is used by another key; names must be unique", key.name),
            );
        }
        // The key itself is never echoed: it is a secret.
        let secret = key.secret.expose();
        if secret.chars().count() < MIN_KEY_LEN || secret.chars().any(char::is_whitespace) {
            problems.push(
                format!("{field}.key"),
                format!("must be at least {MIN_KEY_LEN} characters without spaces"),
            );
        }
    }
}

fn check_limits(settings: &Settings, problems: &mut Problems) {
    problems.range("max_concurrent", settings.max_concurrent, 1, MAX_CONCURRENT);
    let pacing = &settings.pacing;
    problems.range(
        "pacing.requests_per_minute",
        pacing.requests_per_minute,
        1,
        MAX_REQUESTS_PER_MINUTE,
    );
    problems.range("pacing.burst", pacing.burst, 1, MAX_BURST);
    let retention = &settings.request_log.retention;
    problems.range(
        "request_log.retention.max_age_days",
        retention.max_age_days,
        1,
        MAX_AGE_DAYS,
    );
    problems.range(
        "request_log.retention.max_rows",
        retention.max_rows,
        MIN_ROWS,
        MAX_ROWS,
    );
    problems.range("request_log.retention.max_mb", retention.max_mb, 1, MAX_MB);
    problems.range(
        "request_log.previews.max_bytes",
        settings.request_log.previews.max_bytes,
        MIN_PREVIEW_BYTES,
        MAX_PREVIEW_BYTES,
    );
    problems.range(
        "notifications.low_points_threshold",
        settings.notifications.low_points_threshold,
        0,
        MAX_LOW_POINTS_THRESHOLD,
    );
}

fn check_aliases(settings: &Settings, problems: &mut Problems) {
    let mut seen = HashSet::new();
    for (from, to) in &settings.model_aliases {
        let field = format!("model_aliases.{from}");
        if from.trim().is_empty() {
            problems.push("model_aliases", "an alias name must not be empty");
        } else if !seen.insert(from.trim().to_lowercase()) {
            problems.push(
                field.clone(),
                "is defined twice (aliases are matched case-insensitively)",
            );
        }
        if to.trim().is_empty() {
            problems.push(field, "must name a catalog model id");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_origins_must_be_origins() {
        for origin in [
            "https://chat.example",
            "http://localhost:3000",
            "tauri://localhost",
            "null",
        ] {
            assert!(is_origin(origin), "{origin}");
        }
        for origin in [
            "*",
            "https://*.example",
            "chat.example",
            "https://chat.example/path",
            "",
        ] {
            assert!(!is_origin(origin), "{origin}");
        }
        let mut settings = Settings::default();
        settings.access.api_keys_required = false;
        settings.access.allowed_origins = vec!["*".into()];
        let error = validate(&settings).unwrap_err();
        assert!(error.to_string().contains("access.allowed_origins[0]"), "{error}");
    }
}
