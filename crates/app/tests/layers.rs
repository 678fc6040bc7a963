//! The app's folders import each other in one direction only: no circle between the
//! top-level modules of `src/` (`workbench`, `data`, `store`, `trainer`, `components`,
//! `lessons`, `pages`, `workers`, …). Read from the sources: every `crate::<module>` a file names,
//! in a `use` or inline, is an edge from the module the file is in.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without `//` comments (doc comments mention paths that are not imports).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn identifier(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a file's code names after `crate::`, `crate::{a, b::c}` included.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group's first path segments, at its top level.
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 0 => {
                        found.insert(identifier(&group[i..]).to_string());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(identifier(rest).to_string());
        }
    }
    found
}

/// Edges between the top-level modules of `src/`: module → modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = src();
    let mut modules = BTreeSet::new();
    for entry in fs::read_dir(&root).expect("src/") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if name != "main" && (path.is_dir() || path.extension().is_some_and(|e| e == "rs")) {
            modules.insert(name);
        }
    }
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&root).expect("under src/");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        let from = first.trim_end_matches(".rs").to_string();
        if from == "main" {
            continue;
        }
        let text = fs::read_to_string(&file).expect("a source file");
        for to in named_modules(&code(&text)) {
            if to != from && modules.contains(&to) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// A circle in `edges`, as the path around it, if there is one.
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|start| visit(start, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_app_folders_import_each_other_in_one_direction() {
    let edges = graph();
    // The reading works: the workbench is used by the pages and starts the workers.
    assert!(edges["pages"].contains("workbench"), "{edges:?}");
    assert!(edges["workbench"].contains("workers"), "{edges:?}");
    if let Some(circle) = find_circle(&edges) {
        panic!(
            "the app's modules import each other in a circle: {}\n(every edge: {edges:#?})",
            circle.join(" → ")
        );
    }
}

#[test]
fn a_circle_is_found_where_there_is_one() {
    let names = |s: &str| named_modules(&code(s));
    assert_eq!(
        names(
            "use crate::{data::{self, X}, store::runs};\nlet a = crate::estimate::f(); // crate::pages"
        ),
        ["data", "estimate", "store"].map(String::from).into()
    );
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    assert_eq!(find_circle(&edges), None);
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        find_circle(&edges),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
}
