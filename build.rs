//! The page's wasm is linked with its relocations kept (`--emit-relocs`): `scripts/split-wasm.sh`
//! needs them to move each lazily loaded page's code out of the main module. Only the final link
//! changes, so no dependency is rebuilt for it.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bin=likely-app=--emit-relocs");
    }
}
