//! The UI's copy of the shell's names, generated from the one list of each: command names from
//! [`crate::commands::COMMANDS`] and event names from [`crate::events::ALL`]. The generated file is
//! `ui/src/api/generated/shell.ts`; a test fails when it is stale, and
//! `TAIJI_UPDATE_BINDINGS=1 cargo test -p taiji-desktop bindings` rewrites it.
//!
//! Payload types are still written by hand in `ui/src/api/types.ts`.

use std::fmt::Write as _;

use crate::commands::COMMANDS;
use crate::events;

/// Where the generated file lives, relative to this crate.
pub const GENERATED_PATH: &str = "../ui/src/api/generated/shell.ts";

/// The TypeScript text of the generated file.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from src-tauri (commands/names.rs and events.rs) by src-tauri/src/bindings.rs; do not edit.\n\
         // Regenerate with `TAIJI_UPDATE_BINDINGS=1 cargo test -p taiji-desktop bindings`.\n\n\
         /** Every command the shell offers (`invoke` names). */\n\
         export const COMMANDS = [\n",
    );
    for command in COMMANDS {
        let _ = writeln!(out, "  '{command}',");
    }
    out.push_str(
        "] as const;\n\nexport type Command = (typeof COMMANDS)[number];\n\n\
         /** Every event the shell emits to the UI, by its constant name in events.rs. */\n\
         export const EVENTS = {\n",
    );
    for (name, event) in events::ALL {
        let _ = writeln!(out, "  {name}: '{event}',");
    }
    out.push_str("} as const;\n");
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
        let mut commands = COMMANDS.to_vec();
        commands.sort_unstable();
        commands.dedup();
        assert_eq!(commands.len(), COMMANDS.len(), "a command is listed twice");
        let mut names: Vec<_> = events::ALL.iter().map(|(_, event)| *event).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), events::ALL.len(), "an event is listed twice");
    }
}
