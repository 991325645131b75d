//! Gathers every `ftl/<lang>/*.ftl` file into the binary, so a new catalogue file needs no
//! code change.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=ftl");
    let mut out = String::new();
    for lang in ["en", "fr"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ftl").join(lang);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir).expect("ftl directory").map(|e| e.expect("ftl entry").path()).collect();
        files.retain(|p| p.extension().is_some_and(|e| e == "ftl"));
        files.sort();
        writeln!(out, "pub const {}: &[(&str, &str)] = &[", lang.to_uppercase()).unwrap();
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            writeln!(out, "    ({name:?}, include_str!({:?})),", f.display().to_string()).unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    std::fs::write(Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogues.rs"), out).unwrap();
}
