//! Every key the code names with `t!("…")` or `tl!(lang, "…")` is in both catalogues: a
//! message nobody renders in a test still cannot go missing.

use std::path::Path;

use locale::Lang;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            // This crate's own examples and tests name keys that are not meant to exist.
            if name != "target" && name != ".git" && name != "node_modules" && path != Path::new(env!("CARGO_MANIFEST_DIR")) {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The literal keys after each `t!(` and `tl!(…, ` in `source`.
fn keys_named(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for (marker, skip_first_arg) in [("t!(\"", false), ("tl!(", true)] {
        for (at, _) in source.match_indices(marker) {
            // `format!(` ends like `t!(`: only a macro named exactly `t` or `tl` counts.
            if source[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &source[at + marker.len()..];
            let rest = if skip_first_arg {
                match rest.find(", \"") {
                    Some(i) if !rest[..i].contains(')') || rest[..i].contains('(') => &rest[i + 3..],
                    _ => continue,
                }
            } else {
                rest
            };
            if let Some(end) = rest.find('"') {
                keys.push(rest[..end].to_owned());
            }
        }
    }
    keys
}

#[test]
fn every_key_in_the_code_is_in_both_catalogues() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut missing = Vec::new();
    let mut seen = 0;
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for key in keys_named(&source) {
            seen += 1;
            for lang in Lang::ALL {
                if !locale::has(lang, &key) {
                    missing.push(format!("{key} (ftl/{lang}, named in {})", file.strip_prefix(root).unwrap().display()));
                }
            }
        }
    }
    assert!(seen > 50, "only {seen} keys found: is the scan still reading the code?");
    assert!(missing.is_empty(), "keys missing from a catalogue:\n{}", missing.join("\n"));
}

#[test]
fn the_scan_finds_both_forms() {
    let code = r#"t!("a-key") + &tl!(lang, "b-key", n = 1) + &locale::t!("c-key", x = y) + format!("{x}") "#;
    assert_eq!(keys_named(code), ["a-key", "c-key", "b-key"]);
}
