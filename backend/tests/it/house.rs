//! The shape of the house (ARCHITECTURE.md), checked from the sources: the
//! layers import only downward, no file outgrows one screenful of modules,
//! `routes.rs` is the one route table and matches the OpenAPI document, and
//! ARCHITECTURE.md stays one screen naming paths that exist.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The code of a file without its comments (`//…` to the end of a line),
/// so a doc line may name what the code must not.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|line| match line.find("//") {
            // Not inside a string such as "sqlite://…" or "https://…".
            Some(i) if !line[..i].ends_with(':') && line[..i].matches('"').count() % 2 == 0 => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where a layer's files name what the layer must not: `(file, word)`.
fn breaches(layer: &str, forbidden: &[&str]) -> Vec<(String, String)> {
    let mut found = vec![];
    for file in rust_files(&src().join(layer)) {
        let code = code_of(&file);
        for word in forbidden {
            if code.contains(word) {
                found.push((file.strip_prefix(src()).unwrap().display().to_string(), word.to_string()));
            }
        }
    }
    found
}

#[test]
fn layers_import_only_downward() {
    // api/: HTTP only, no SQL.
    assert_eq!(breaches("api", &["sqlx"]), vec![], "api/ names sqlx: its queries belong in db/");
    // db/: SQL only, nothing of HTTP or of the layers above.
    let above = ["axum", "crate::api", "crate::workflow", "crate::render", "crate::routes", "crate::startup"];
    assert_eq!(breaches("db", &[&above[..], &["ApiContext"]].concat()), vec![], "db/ names a layer above it");
    // workflow/: the writer, no HTTP.
    let http = ["axum", "crate::api", "crate::routes", "crate::startup", "ApiContext"];
    assert_eq!(breaches("workflow", &http), vec![], "workflow/ names HTTP or the api layer");
    // render/: bytes from shared types only.
    let io = ["sqlx", "axum", "crate::api", "crate::db", "crate::workflow", "ApiContext"];
    assert_eq!(breaches("render", &io), vec![], "render/ names I/O or another layer");
    // The error type is every layer's, so it knows nothing of HTTP.
    assert!(!code_of(&src().join("error.rs")).contains("axum"), "error.rs names axum: see api/extract.rs");
}

#[test]
fn the_layer_check_sees_a_breach() {
    // The check itself: a comment may name sqlx, code may not.
    let dir = std::env::temp_dir().join(format!("house-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("x.rs");
    std::fs::write(&file, "//! about sqlx\nfn f() {} // sqlx here too\n").unwrap();
    assert!(!code_of(&file).contains("sqlx"));
    std::fs::write(&file, "use sqlx::Row;\nconst URL: &str = \"sqlite://x\"; // ok\n").unwrap();
    let code = code_of(&file);
    assert!(code.contains("sqlx::Row") && code.contains("sqlite://x"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn no_server_file_exceeds_600_lines() {
    let long: Vec<_> = rust_files(&src())
        .into_iter()
        .map(|f| (std::fs::read_to_string(&f).unwrap().lines().count(), f))
        .filter(|(n, _)| *n > 600)
        .collect();
    assert!(long.is_empty(), "files over 600 lines: {long:?}");
}

/// `(method, path)` of every `.route(…)` in `code`.
fn routes_in(code: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(".route(") {
        rest = &rest[i + ".route(".len()..];
        // The call's text, to its closing parenthesis.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find_map(|(j, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                (depth == 0).then_some(j)
            })
            .expect("a .route( call closes");
        let call = &rest[..end];
        let path = call.split('"').nth(1).expect("a route's path is a string literal").to_string();
        for method in ["get", "post", "put", "patch", "delete"] {
            let pattern = format!("{method}(");
            let mut from = 0;
            while let Some(k) = call[from..].find(&pattern) {
                let at = from + k;
                let before = call[..at].chars().last();
                if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':')) {
                    out.insert((method.to_string(), path.clone()));
                }
                from = at + pattern.len();
            }
        }
    }
    out
}

#[test]
fn routes_rs_is_the_one_route_table_and_matches_openapi() {
    // No other file registers a route.
    let elsewhere: Vec<_> = rust_files(&src())
        .into_iter()
        .filter(|f| !f.ends_with("routes.rs") && code_of(f).contains(".route("))
        .collect();
    assert!(elsewhere.is_empty(), "routes registered outside routes.rs: {elsewhere:?}");

    let table = routes_in(&code_of(&src().join("routes.rs")));
    assert!(table.len() > 80, "the route table was read: {} routes", table.len());
    // Every JSON API route is documented, and every documented one routed.
    let undocumented = ["/api/openapi.json"];
    let api: BTreeSet<_> =
        table.iter().filter(|(_, p)| p.starts_with("/api/") && !undocumented.contains(&p.as_str())).cloned().collect();
    use utoipa::OpenApi;
    let doc = serde_json::to_value(backend::api::openapi::ApiDoc::openapi()).unwrap();
    let documented: BTreeSet<_> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let missing: Vec<_> = api.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&api).collect();
    assert!(missing.is_empty(), "routes.rs serves these without OpenAPI documentation: {missing:?}");
    assert!(stale.is_empty(), "OpenAPI documents these but routes.rs does not serve them: {stale:?}");
}

#[test]
fn route_reading_sees_every_method() {
    let code = r#".route("/a/{id}", get(x::a).put(x::b).layer(DefaultBodyLimit::max(9)))
        .route(
            "/b",
            post(y::c),
        )"#;
    let got: Vec<_> = routes_in(code).into_iter().collect();
    let want = [("get", "/a/{id}"), ("post", "/b"), ("put", "/a/{id}")];
    assert_eq!(got, want.map(|(m, p)| (m.to_string(), p.to_string())));
}

#[test]
fn architecture_md_is_one_screen_naming_paths_that_exist() {
    let text = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() <= 80, "ARCHITECTURE.md has {} lines (at most 80)", lines.len());
    for (n, line) in lines.iter().enumerate() {
        assert!(line.chars().count() <= 80, "ARCHITECTURE.md:{} is {} columns", n + 1, line.chars().count());
    }
    // Every backquoted path names a file or folder of the repository: with
    // a slash, from the repository's root or a crate's `src/`; a bare file
    // name, somewhere.
    let mut checked = 0;
    for quoted in text.split('`').skip(1).step_by(2) {
        let is_path = !quoted.contains(' ')
            && !quoted.starts_with('/')
            && !quoted.contains("::")
            && !quoted.contains('{')
            && !quoted.contains('*')
            && (quoted.contains('/')
                || [".rs", ".md", ".js", ".toml", ".sql", ".html"].iter().any(|e| quoted.ends_with(e)));
        if !is_path {
            continue;
        }
        checked += 1;
        let exists = if quoted.contains('/') {
            ["", "backend/src", "shared/src", "frontend/src"].iter().any(|root| repo().join(root).join(quoted).exists())
        } else {
            find_named(&repo(), quoted)
        };
        assert!(exists, "ARCHITECTURE.md names `{quoted}`, which does not exist");
    }
    assert!(checked >= 10, "ARCHITECTURE.md names paths ({checked} checked)");
}

/// Whether a file named `name` is in the repository (outside build output).
fn find_named(dir: &Path, name: &str) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let path = e.path();
        let file = e.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            !["target", "node_modules", ".git", "dist", "data"].contains(&file.as_str()) && find_named(&path, name)
        } else {
            file == name
        }
    })
}
