//! The messages between the page and the training worker: never a panic; what decodes
//! encodes to a message that decodes again. Included from the app's source file.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[allow(dead_code, unused_imports)]
#[path = "../../crates/app/src/trainer/protocol.rs"]
mod protocol;

use protocol::{Command, Event, Predictions};

fuzz_target!(|bytes: &[u8]| {
    if let Some(p) = Predictions::from_bytes(bytes) {
        assert_eq!(p.to_bytes(), bytes);
    }
    let text = String::from_utf8_lossy(bytes);
    if let Ok(c) = serde_json::from_str::<Command>(&text) {
        let text = serde_json::to_string(&c).expect("encodes");
        assert!(serde_json::from_str::<Command>(&text).is_ok());
    }
    if let Ok(e) = serde_json::from_str::<Event>(&text) {
        let text = serde_json::to_string(&e).expect("encodes");
        assert!(serde_json::from_str::<Event>(&text).is_ok());
    }
});
