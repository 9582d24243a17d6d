//! The house's shape: the files of `src/` import one way, from the ground up (`src/ground.rs`
//! imports nothing of the crate); no file imports, through others, one that imports it. A
//! `use` under `#[cfg(doc)]` (a doc link) or in a test module does not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module a file of `src/` belongs to.
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path
        .strip_prefix(src)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    rel.split('/')
        .next()
        .unwrap()
        .trim_end_matches(".rs")
        .to_owned()
}

/// Each module's imports of other modules of the crate.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.clone()];
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            if path.ends_with("bin") {
                continue; // the tools: the crate's users, above it all
            }
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = module_of(&path, &src);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut doc_only = false;
        for line in text.lines() {
            let line = line.trim();
            if line == "#[cfg(test)]" {
                break; // the rest of the file is its tests
            }
            if line.starts_with("#[cfg(doc)]") {
                doc_only = true;
                continue;
            }
            if let Some(path) = line.strip_prefix("use crate::") {
                if !doc_only {
                    let path = path.trim_start_matches('{');
                    let name: String = path
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                        .collect();
                    if !name.is_empty() && name != module {
                        graph.entry(module.clone()).or_default().insert(name);
                    }
                }
            }
            doc_only = false;
        }
        graph.entry(module).or_default();
    }
    graph
}

#[test]
fn the_files_of_src_import_one_way_from_the_ground_up() {
    let graph = imports();
    assert!(
        graph["ground"].is_empty(),
        "the ground imports {:?}",
        graph["ground"]
    );
    // Every module reaches only modules that do not reach it back.
    for module in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = graph[module].iter().collect();
        while let Some(next) = todo.pop() {
            assert_ne!(
                next, module,
                "{module} imports itself through others: {graph:#?}"
            );
            if seen.insert(next.clone()) {
                todo.extend(graph.get(next).into_iter().flatten());
            }
        }
    }
}
