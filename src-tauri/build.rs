//! Build script: generates the Tauri context and the permissions for our own commands.

/// Reads the command list in `src/commands/names.rs` for its names only (the types are not resolved
/// here, only parsed).
macro_rules! commands {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ok:ty;)*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("src/commands/names.rs");

fn main() {
    // Listing the app's commands makes tauri-build generate an `allow-<command>` permission for
    // each, so `capabilities/default.json` can grant exactly those and nothing more.
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri-build failed: {error:#}");
    }
}
