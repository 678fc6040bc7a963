//! The parsers a learner's files reach, on random and on damaged inputs: never a panic;
//! what is accepted is exactly what was given; what is refused names the file. The same
//! checks run for hours under cargo-fuzz (fuzz/fuzz_targets/batch.rs, archive.rs);
//! here every `cargo test` runs them on a few hundred inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::io::Write;

use cifar::{META_FILE, RECORD_BYTES, TEST_FILE, TRAIN_FILES, parse_batch, read_tar_gz};
use proptest::collection::vec;
use proptest::prelude::*;

/// Three valid records.
fn batch() -> Vec<u8> {
    cifar::synthetic::dataset(1, 1, 1)
        .train
        .first(3)
        .to_batch_bytes()
}

/// A valid archive of the official layout, with tiny batches.
fn archive() -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut files: Vec<(String, Vec<u8>)> = TRAIN_FILES
        .iter()
        .map(|n| (n.to_string(), batch()))
        .collect();
    files.push((TEST_FILE.into(), batch()));
    files.push((META_FILE.into(), cifar::CLASS_NAMES.join("\n").into_bytes()));
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("cifar-10-batches-bin/{name}"),
            &bytes[..],
        )
        .unwrap();
    }
    let mut gz = tar.into_inner().unwrap();
    gz.flush().unwrap();
    gz.finish().unwrap()
}

/// `bytes` with each (position, value) edit applied, then cut to `keep` of its length.
fn damage(mut bytes: Vec<u8>, edits: &[(usize, u8)], keep: f64) -> Vec<u8> {
    if !bytes.is_empty() {
        for &(at, v) in edits {
            let n = bytes.len();
            bytes[at % n] = v;
        }
    }
    let len = (bytes.len() as f64 * keep.clamp(0.0, 1.0)) as usize;
    bytes.truncate(len);
    bytes
}

fn check_batch(bytes: &[u8]) {
    match parse_batch("x.bin", bytes) {
        Ok(set) => {
            assert_eq!(set.len() * RECORD_BYTES, bytes.len());
            assert_eq!(
                set.to_batch_bytes(),
                bytes,
                "what is read is what was given"
            );
        }
        Err(e) => assert!(e.to_string().contains("x.bin"), "{e}"),
    }
}

fn check_archive(bytes: &[u8]) {
    match read_tar_gz("c.tar.gz", bytes, |_| {}) {
        Ok(data) => assert!(!data.test.is_empty()),
        Err(e) => assert!(e.to_string().contains("c.tar.gz"), "{e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_as_a_batch(bytes in vec(any::<u8>(), 0..4 * RECORD_BYTES)) {
        check_batch(&bytes);
    }

    #[test]
    fn a_damaged_batch(edits in vec((any::<usize>(), any::<u8>()), 0..6), keep in 0.0..1.2f64) {
        check_batch(&damage(batch(), &edits, keep));
    }

    #[test]
    fn any_bytes_as_an_archive(bytes in vec(any::<u8>(), 0..2048)) {
        check_archive(&bytes);
    }

    #[test]
    fn a_damaged_archive(edits in vec((any::<usize>(), any::<u8>()), 0..4), keep in 0.0..1.2f64) {
        check_archive(&damage(archive(), &edits, keep));
    }
}

#[test]
fn the_undamaged_inputs_are_accepted() {
    check_batch(&batch());
    assert_eq!(parse_batch("x.bin", &batch()).unwrap().len(), 3);
    assert!(read_tar_gz("c.tar.gz", &archive()[..], |_| {}).is_ok());
}
