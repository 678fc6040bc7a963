//! The official `cifar-10-binary.tar.gz` (or anything dropped in as one): never a panic,
//! every refusal names the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match cifar::read_tar_gz("c.tar.gz", bytes, |_| {}) {
        Ok(data) => assert!(!data.test.is_empty()),
        Err(e) => assert!(e.to_string().contains("c.tar.gz"), "{e}"),
    }
});
