//! The share link's query, which anyone can write: never a panic; what is taken is valid.
//! The app is a binary crate, so its parser is included from its source file.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[allow(dead_code, unused_imports)]
#[path = "../../crates/app/src/settings.rs"]
mod settings;

fuzz_target!(|bytes: &[u8]| {
    let query = String::from_utf8_lossy(bytes);
    let base = settings::Settings::new(lab::ModelKind::Six);
    if let Some((s, _)) = settings::from_query(&query, &base) {
        assert_eq!(s.problem(), None);
    }
});
