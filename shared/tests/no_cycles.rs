//! The modules of `shared/src` form no import cycle: every file's
//! `crate::<module>` references (in `use` lines, in paths, in re-exports;
//! comments and string literals ignored) make a graph with no circle. A
//! rule that two modules need lives in the lower one (the basic codes in
//! `vocab`), so each module can be read, and changed, from the bottom up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The source with comments, string and char literals blanked out
/// (lifetimes kept), so only code is searched.
fn code_only(src: &str) -> String {
    let s: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !s.get(i.wrapping_sub(1)).is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while s.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if s.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= s.len() {
                    break;
                }
                if s[j] == '"' && (0..hashes).all(|k| s.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < s.len() && s[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if s.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first path segments after `crate::` in `code`: `crate::a::X` gives
/// `a`, `crate::{a::X, b}` gives `a` and `b`.
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + "crate".len()..];
        rest = after;
        if before.is_some_and(|c| is_ident(c) || c == '$') {
            continue;
        }
        let Some(path) = after.trim_start().strip_prefix("::") else { continue };
        let path = path.trim_start();
        if let Some(group) = path.strip_prefix('{') {
            // The top-level items of the group, up to its closing brace.
            let mut depth = 0;
            let mut item_start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !word.is_empty() {
                            refs.insert(std::mem::take(&mut word));
                        }
                        item_start = true;
                    }
                    c if depth == 0 && item_start && is_ident(c) => word.push(c),
                    _ => {
                        if !word.is_empty() {
                            refs.insert(std::mem::take(&mut word));
                            item_start = false;
                        }
                    }
                }
            }
            if !word.is_empty() {
                refs.insert(word);
            }
        } else {
            let name: String = path.chars().take_while(|c| is_ident(*c)).collect();
            if !name.is_empty() {
                refs.insert(name);
            }
        }
    }
    refs
}

/// Module → the other modules of the crate it refers to. `files` are
/// (module name, source) pairs; the crate root (`lib`) only declares.
fn module_graph(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&str> = files.iter().map(|(m, _)| m.as_str()).collect();
    files
        .iter()
        .filter(|(m, _)| m != "lib")
        .map(|(m, src)| {
            let deps =
                crate_refs(&code_only(src)).into_iter().filter(|d| d != m && modules.contains(d.as_str())).collect();
            (m.clone(), deps)
        })
        .collect()
}

/// One cycle of the graph, as the modules along it (the first repeated at
/// the end), or `None` when there is none.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(m.to_string(), Mark::OnPath);
        path.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            match marks.get(d).copied().unwrap_or(Mark::New) {
                Mark::OnPath => {
                    let from = path.iter().position(|p| p == d).unwrap();
                    let mut cycle = path[from..].to_vec();
                    cycle.push(d.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(d, graph, marks, path) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks.insert(m.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for m in graph.keys() {
        if marks.get(m).copied().unwrap_or(Mark::New) == Mark::New {
            if let Some(c) = visit(m, graph, &mut marks, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

/// The modules on some cycle: those in a strongly connected component of
/// more than one module.
fn modules_on_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for d in graph.get(&m).into_iter().flatten() {
                if d == to {
                    return true;
                }
                if seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        false
    };
    graph.keys().filter(|m| reaches(m, m)).cloned().collect()
}

fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert!(!path.is_dir(), "{}: nested modules are not read by this test; teach it to", path.display());
        if path.extension().is_some_and(|e| e == "rs") {
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            files.push((module, std::fs::read_to_string(&path).unwrap()));
        }
    }
    files.sort();
    files
}

#[test]
fn shared_modules_import_no_cycle() {
    let files = sources();
    assert!(files.len() > 10, "found only {} files in shared/src", files.len());
    let graph = module_graph(&files);
    if let Some(cycle) = find_cycle(&graph) {
        let all = modules_on_cycles(&graph);
        let edges: Vec<String> = all
            .iter()
            .map(|m| {
                let on: Vec<&str> = graph[m].iter().filter(|d| all.contains(*d)).map(String::as_str).collect();
                format!("  {m} -> {}", on.join(", "))
            })
            .collect();
        panic!(
            "shared/src has an import cycle: {}\nmodules on cycles, with their edges among them:\n{}",
            cycle.join(" -> "),
            edges.join("\n")
        );
    }
}

#[test]
fn the_reader_sees_paths_not_comments_or_strings() {
    let src = r##"
        //! See [`crate::doc_only`].
        use crate::a::{X, Y};
        use crate::{b::Z, c, d::{self, W}};
        /* crate::block_comment /* nested crate::n */ */
        pub use crate::e::V;
        fn f<'x>(s: &'x str) -> crate::f::T { let _ = "crate::in_string"; let _ = r#"crate::raw"#; let q = '"'; crate::g::h(q) }
        crate::code_enum! { }
        $crate::dollar::X;
        mycrate::not_this::Y;
    "##;
    let got = crate_refs(&code_only(src));
    let want: BTreeSet<String> = ["a", "b", "c", "d", "e", "f", "g", "code_enum"].map(String::from).into();
    assert_eq!(got, want);
}

#[test]
fn a_cycle_is_found_and_named() {
    let file = |m: &str, src: &str| (m.to_string(), src.to_string());
    let files = [
        file("lib", "pub mod a; pub mod b; pub mod c;"),
        file("a", "use crate::b::X;"),
        file("b", "pub fn f() -> crate::c::Y { Y } // crate::a::nothing"),
        file("c", "pub use crate::a::Z;"),
    ];
    let graph = module_graph(&files);
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(modules_on_cycles(&graph).len(), 3);
    // Without the re-export the graph is a line.
    let files = [files[0].clone(), files[1].clone(), files[2].clone(), file("c", "")];
    assert_eq!(find_cycle(&module_graph(&files)), None);
}
