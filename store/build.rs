// The migrations are compiled in (refinery's embed_migrations!); rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
