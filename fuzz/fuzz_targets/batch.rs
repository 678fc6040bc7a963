//! A CIFAR-10 `.bin` batch: never a panic; what is accepted is exactly what was given.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match cifar::parse_batch("x.bin", bytes) {
        Ok(set) => {
            assert_eq!(set.len() * cifar::RECORD_BYTES, bytes.len());
            assert_eq!(set.to_batch_bytes(), bytes);
        }
        Err(e) => assert!(e.to_string().contains("x.bin"), "{e}"),
    }
});
