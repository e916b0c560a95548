//! The UI's copy of the shell's interface, generated from its one declaration of each part: the
//! commands with their arguments and answers from `commands/names.rs`, the events with their
//! payloads from [`crate::events`], and the TypeScript declaration of every type those carry from
//! the Rust types themselves (`ts-rs`: a `#[cfg_attr(test, derive(ts_rs::TS))]` in this crate,
//! `#[cfg_attr(feature = "ts", derive(ts_rs::TS))]` in `taiji-core`).
//!
//! The generated file is `ui/src/api/generated/shell.ts`; a test fails when it is stale, and
//! `TAIJI_UPDATE_BINDINGS=1 cargo test -p taiji-desktop bindings` rewrites it. Only tests compile
//! this module, so ordinary builds never compile `ts-rs`.

use std::fmt::Write as _;

use ts_rs::TypeVisitor;

use crate::ts_types::Declarations;
use crate::{commands, events};

/// Where the generated file lives, relative to this crate.
pub const GENERATED_PATH: &str = "../ui/src/api/generated/shell.ts";

/// The TypeScript text of the generated file.
pub fn typescript() -> String {
    let mut types = Declarations::new();
    let signatures = commands::signatures(&mut types);
    let payloads = events::payloads(&mut types);
    // What every failed command rejects with.
    types.visit::<commands::CommandError>();

    let mut out = String::from(
        "// Generated from src-tauri (commands/names.rs, events.rs and the Rust types they name) by\n\
         // src-tauri/src/bindings.rs; do not edit.\n\
         // Regenerate with `TAIJI_UPDATE_BINDINGS=1 cargo test -p taiji-desktop bindings`.\n\n",
    );
    if signatures
        .iter()
        .any(|signature| signature.args.iter().any(|arg| arg.contains("Channel<")))
    {
        out.push_str("import type { Channel } from '@tauri-apps/api/core';\n\n");
    }
    for declaration in types.declarations() {
        out.push_str(declaration);
        out.push('\n');
    }

    out.push_str("/** Every command the shell offers (`invoke` names). */\nexport const COMMANDS = [\n");
    for signature in &signatures {
        let _ = writeln!(out, "  '{}',", signature.name);
    }
    out.push_str("] as const;\n\nexport type Command = (typeof COMMANDS)[number];\n\n");
    out.push_str(
        "/** What each command takes (`args`, snake_case as the shell reads them) and answers (`ok`). */\n\
         export interface Commands {\n",
    );
    for signature in &signatures {
        let args = if signature.args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            format!("{{ {} }}", signature.args.join("; "))
        };
        let _ = writeln!(
            out,
            "  {}: {{ args: {args}; ok: {} }};",
            signature.name, signature.ok
        );
    }
    out.push_str("}\n\n/** Every event the shell emits to the UI, by its constant name in events.rs. */\nexport const EVENTS = {\n");
    for (name, event) in events::ALL {
        let _ = writeln!(out, "  {name}: '{event}',");
    }
    out.push_str("} as const;\n\n/** The payload of each event. */\nexport interface EventPayloads {\n");
    for (event, payload) in &payloads {
        let _ = writeln!(out, "  '{event}': {payload};");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn bindings_match_the_generated_file() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED_PATH);
        let expected = typescript();
        if std::env::var_os("TAIJI_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected).expect("generated file written");
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{} is stale; run `TAIJI_UPDATE_BINDINGS=1 cargo test -p taiji-desktop bindings`",
            path.display()
        );
    }

    #[test]
    fn every_name_is_listed_once() {
        let mut commands = commands::COMMANDS.to_vec();
        commands.sort_unstable();
        commands.dedup();
        assert_eq!(
            commands.len(),
            commands::COMMANDS.len(),
            "a command is listed twice"
        );
        let mut names: Vec<_> = events::ALL.iter().map(|(_, event)| *event).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), events::ALL.len(), "an event is listed twice");
    }
}
