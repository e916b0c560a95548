//! The TypeScript declarations the generated `shell.ts` is made of (tests only): a command's
//! [`Signature`], [`Declarations`] of every named type met (through `ts-rs`), and [`Channel`], which
//! stands for a Tauri `Channel<T>` argument. `commands` and `events` describe themselves with these,
//! and `bindings` writes the file; kept apart so neither of those imports `bindings`, which imports
//! them.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::marker::PhantomData;

use ts_rs::{Config, TS, TypeVisitor};

/// One command's TypeScript signature.
pub struct Signature {
    /// The command name.
    pub name: &'static str,
    /// Its arguments as TypeScript object members, e.g. `page_size: number`.
    pub args: Vec<String>,
    /// The TypeScript type of its answer.
    pub ok: String,
}

/// Stands for a `tauri::ipc::Channel<T>` argument in `names.rs` (ts-rs cannot describe Tauri's
/// type): the UI passes a `Channel<T>` of `@tauri-apps/api/core`, which the generated file imports.
pub struct Channel<T>(PhantomData<T>);

impl<T: TS> TS for Channel<T> {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(cfg: &Config) -> String {
        format!("Channel<{}>", T::name(cfg))
    }

    fn inline(cfg: &Config) -> String {
        Self::name(cfg)
    }

    fn visit_dependencies(visitor: &mut impl TypeVisitor)
    where
        Self: 'static,
    {
        T::visit_dependencies(visitor);
    }

    fn visit_generics(visitor: &mut impl TypeVisitor)
    where
        Self: 'static,
    {
        T::visit_generics(visitor);
        visitor.visit::<T>();
    }
}

/// The TypeScript declarations of every named type met so far, by name.
pub struct Declarations {
    config: Config,
    seen: HashSet<TypeId>,
    declared: BTreeMap<String, String>,
}

impl Declarations {
    pub(crate) fn new() -> Self {
        Self {
            // JavaScript numbers hold every count, size and duration the shell sends exactly.
            config: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            declared: BTreeMap::new(),
        }
    }

    /// The TypeScript type of `T` (declaring it and what it uses).
    pub fn name<T: TS + 'static + ?Sized>(&mut self) -> String {
        self.visit::<T>();
        T::name(&self.config)
    }

    /// An argument `name: T` as an object member; `Option` arguments may be left out.
    pub fn argument<T: TS + 'static>(&mut self, name: &str) -> String {
        let optional = if T::IS_OPTION { "?" } else { "" };
        format!("{name}{optional}: {}", self.name::<T>())
    }
}

impl Declarations {
    /// Every declaration met, ordered by name.
    pub fn declarations(&self) -> impl Iterator<Item = &String> {
        self.declared.values()
    }
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // Named (derived) types have an output path; primitives and containers do not.
        if T::output_path().is_some() {
            let docs = T::docs().unwrap_or_default();
            let declaration = T::decl(&self.config);
            let name = T::ident(&self.config);
            let previous = self
                .declared
                .insert(name.clone(), format!("{docs}export {declaration}\n"));
            // One TypeScript name for two Rust types would silently drop one of them.
            assert!(
                previous.is_none(),
                "two Rust types are both called {name} in TypeScript"
            );
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_argument_is_typed_by_its_messages() {
        let mut types = Declarations::new();
        let argument = types.argument::<Channel<crate::settings_view::SettingsView>>("on_event");
        assert_eq!(argument, "on_event: Channel<SettingsView>");
        assert!(
            types.declared.contains_key("SettingsView"),
            "the message type is declared"
        );
    }
}
