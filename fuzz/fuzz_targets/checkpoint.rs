//! A run's checkpoint, as IndexedDB hands it back: never a panic; what is accepted writes
//! back to itself.
#![no_main]
use lab::checkpoint::Checkpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(c) = Checkpoint::from_bytes(bytes) {
        assert_eq!(Checkpoint::from_bytes(&c.to_bytes()), Ok(c));
    }
});
