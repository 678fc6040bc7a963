//! A run report (`cnnlab report FILE`): never a panic; what is read prints and reads back.
#![no_main]
use lab::report::RunReport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(r) = RunReport::from_json(&text) {
        let _ = r.to_text();
        let again = RunReport::from_json(&r.to_json()).expect("a written report reads back");
        assert_eq!(again.history.len(), r.history.len());
    }
});
