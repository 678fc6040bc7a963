//! A weights file (burnpack record) loaded into the 4-layer model: never a panic.
#![no_main]
use lab::spec::ModelKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let device = lab::backend::host_device();
    if let Err(e) = lab::session::load_weights(&ModelKind::Four.spec(), bytes.to_vec(), &device) {
        assert!(!e.to_string().is_empty());
    }
});
