//! The parsers of files a learner's browser or disk hands back (a run's checkpoint, a run
//! report, a weights file), on random and on damaged inputs: never a panic; what is
//! accepted reads back to the same thing. The same checks run for hours under cargo-fuzz
//! (fuzz/fuzz_targets/checkpoint.rs, report.rs, weights.rs); here every `cargo test` runs
//! them on a few hundred inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::sync::OnceLock;

use lab::checkpoint::{Checkpoint, RunPoint};
use lab::report::{EpochLine, RunReport};
use lab::spec::ModelKind;
use lab::{BackendKind, block_on};
use proptest::collection::vec;
use proptest::prelude::*;

fn checkpoint() -> Vec<u8> {
    Checkpoint {
        point: RunPoint {
            model: "4-layer CNN".into(),
            hyper: ModelKind::Four.spec().hyper,
            seed: 1,
            train_len: 50,
            epoch: 1,
            cursor: 32,
            updates: 3,
            loss_sum: 70.5,
            correct: 9.0,
            images: 32,
        },
        weights: vec![0.5, -1.0, 2.0],
        velocity: Some(vec![0.0, 0.1, -0.1]),
    }
    .to_bytes()
}

fn report() -> String {
    let line = EpochLine {
        epoch: 1,
        train_loss: 1.5,
        train_accuracy: 0.4,
        val_loss: 1.4,
        val_accuracy: 0.45,
        seconds: 12.0,
        train_seconds: 10.0,
        train_images: 500,
        partial: false,
    };
    RunReport::new(
        ModelKind::Six,
        "flex",
        &ModelKind::Six.spec().hyper,
        1,
        vec![line],
    )
    .to_json()
}

/// Weights of the 4-layer model, made once.
fn weights() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let device = BackendKind::Flex.device().unwrap();
        let model = lab::Cnn::new(&ModelKind::Four.spec(), &device).unwrap();
        block_on(lab::session::weights_bytes(&model)).unwrap()
    })
}

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

fn check_checkpoint(bytes: &[u8]) {
    if let Ok(c) = Checkpoint::from_bytes(bytes) {
        assert_eq!(Checkpoint::from_bytes(&c.to_bytes()), Ok(c));
    }
}

fn check_report(text: &str) {
    if let Ok(r) = RunReport::from_json(text) {
        // Whatever is read prints and writes without a panic, and reads back.
        let _ = r.to_text();
        let again = RunReport::from_json(&r.to_json()).unwrap();
        assert_eq!(again.history.len(), r.history.len());
    }
}

fn check_weights(bytes: &[u8]) {
    let device = lab::backend::host_device();
    if let Err(e) = lab::session::load_weights(&ModelKind::Four.spec(), bytes.to_vec(), &device) {
        assert!(!e.to_string().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_as_a_checkpoint(bytes in vec(any::<u8>(), 0..512)) {
        check_checkpoint(&bytes);
    }

    #[test]
    fn a_damaged_checkpoint(edits in vec((any::<usize>(), any::<u8>()), 0..6), keep in 0.0..1.2f64) {
        check_checkpoint(&damage(checkpoint(), &edits, keep));
    }

    #[test]
    fn any_text_as_a_report(text in any::<String>()) {
        check_report(&text);
    }

    #[test]
    fn a_damaged_report(edits in vec((any::<usize>(), 0x20u8..0x7f), 0..6), keep in 0.0..1.2f64) {
        let bytes = damage(report().into_bytes(), &edits, keep);
        check_report(&String::from_utf8_lossy(&bytes));
    }
}

proptest! {
    // Each case builds a model: fewer of them.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_damaged_weights_file(edits in vec((any::<usize>(), any::<u8>()), 0..6), keep in 0.0..1.2f64) {
        check_weights(&damage(weights().to_vec(), &edits, keep));
    }
}

#[test]
fn the_undamaged_inputs_are_accepted() {
    assert!(Checkpoint::from_bytes(&checkpoint()).is_ok());
    assert!(RunReport::from_json(&report()).is_ok());
    let device = lab::backend::host_device();
    assert!(
        lab::session::load_weights(&ModelKind::Four.spec(), weights().to_vec(), &device).is_ok()
    );
}
