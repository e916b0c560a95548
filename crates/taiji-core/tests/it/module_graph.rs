//! The top-level modules of `taiji-core` (and of the other crates of the workspace) never import
//! each other in a circle (a rule of the developers' guide). This test reads each crate's source,
//! collects for every top-level module the other top-level modules it names through `crate::…`
//! paths (plain, grouped `crate::{a, b::c}` and fully qualified uses alike, test code included),
//! and fails with the cycle it finds.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The source without line comments, so that prose such as "see crate::x" in docs does not count.
fn strip_line_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string literal (a URL) is rare in paths that matter; cutting there
            // can only drop an edge, and the string would not hold a `crate::` path anyway.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn leading_ident(text: &str) -> &str {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first path segment after every `crate::` in `source`, expanding `crate::{a, b::c}` groups.
fn crate_roots(source: &str) -> BTreeSet<String> {
    let mut roots = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        // `$crate::` belongs to macros and names this crate's root too; counted the same.
        rest = &rest[at + "crate::".len()..];
        let trimmed = rest.trim_start();
        if let Some(group) = trimmed.strip_prefix('{') {
            // Split the group's top-level items at commas, skipping nested braces.
            let mut depth = 0usize;
            let mut item_start = 0usize;
            for (index, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        roots.insert(leading_ident(&group[item_start..index]).to_owned());
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        roots.insert(leading_ident(&group[item_start..index]).to_owned());
                        item_start = index + 1;
                    }
                    _ => {}
                }
            }
        } else {
            roots.insert(leading_ident(trimmed).to_owned());
        }
    }
    roots.remove("");
    roots
}

/// Top-level module → the other top-level modules it uses.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let source = fs::read_to_string(&file).expect("readable source");
        let uses = crate_roots(&strip_line_comments(&source));
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(uses.into_iter().filter(|used| *used != module));
    }
    // Keep only edges to real top-level modules (not `crate::SomeReexport` or macros).
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for edges in graph.values_mut() {
        edges.retain(|used| modules.contains(used));
    }
    graph
}

/// One cycle in `graph`, as the list of modules along it, if there is any.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|n| n == node).expect("on the stack");
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn the_parser_sees_plain_grouped_and_nested_crate_paths() {
    let source = "use crate::a::X;\nuse crate::{b::{Y, Z}, c};\nfn f() { crate::d::g(); }\n// crate::e\n";
    let roots = crate_roots(&strip_line_comments(source));
    let expected: BTreeSet<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    assert_eq!(roots, expected);
}

#[test]
fn the_cycle_finder_reports_a_cycle_and_accepts_a_tree() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_string()].into());
    graph.insert("b".into(), ["c".to_string()].into());
    graph.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    graph.get_mut("c").expect("c").insert("a".into());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn top_level_modules_of_taiji_core_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    assert!(graph.len() > 5, "the crate's modules were found: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "top-level modules import each other in a circle: {}\nfull graph: {graph:#?}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_other_crates_of_the_workspace_form_no_cycle_either() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for src in [
        "crates/taiji-gateway/src",
        "crates/taiji-sim/src",
        "src-tauri/src",
    ] {
        let graph = module_graph(&root.join(src));
        assert!(
            graph.len() > 3,
            "{src}: the crate's modules were found: {graph:?}"
        );
        if let Some(cycle) = find_cycle(&graph) {
            panic!(
                "{src}: top-level modules import each other in a circle: {}",
                cycle.join(" → ")
            );
        }
    }
}
