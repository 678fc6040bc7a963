//! A training run's exact state as bytes, so a run stopped anywhere between two batches (a
//! reloaded tab, a closed laptop, a crashed worker) continues as if never interrupted.
//!
//! What a run needs to continue is small: the weights and the optimizer's velocities, and
//! where the run stands (epoch, images of the epoch trained, updates so far for Keras's
//! decay, the epoch's running loss and accuracy). Nothing random needs saving: the shuffle
//! order is a function of (seed, epoch) (`cifar::order`) and every dropout mask a function of
//! (seed, update, layer, image) (`crate::dropout`).
//!
//! Layout: the 8 bytes `CNNLABCK`, a little-endian `u32` format version, a `u32` header
//! length, the header as JSON ([`Header`]), then the weights and the velocities as
//! little-endian `f32`, in the module's visiting order. Every length is checked before it is
//! used, so a truncated or hostile file is an error naming what is wrong, never a panic.

use serde::{Deserialize, Serialize};

use crate::spec::Hyper;

/// The first bytes of every checkpoint.
pub const MAGIC: &[u8; 8] = b"CNNLABCK";
/// The layout this build writes and reads.
pub const VERSION: u32 = 1;
/// A header longer than this is not one this crate wrote.
const MAX_HEADER: usize = 64 * 1024;

/// Why bytes are not a checkpoint this build can continue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a checkpoint at all.
    #[error("not a cnnlab checkpoint (it does not start with CNNLABCK)")]
    NotACheckpoint,
    /// Written by a newer version.
    #[error("checkpoint format {0} is not one this version reads (it reads {VERSION})")]
    Version(u32),
    /// Cut short, or lengths that do not add up.
    #[error("the checkpoint is damaged: {0}")]
    Damaged(String),
}

/// Where a run stands between two batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPoint {
    /// The model's name ("6-layer CNN"), to refuse continuing another model.
    pub model: String,
    /// The run's hyperparameters.
    pub hyper: Hyper,
    /// The run's seed.
    pub seed: u64,
    /// Training images the run trains on (the epoch's shuffle order depends on it).
    pub train_len: usize,
    /// Epochs finished.
    pub epoch: usize,
    /// Images of the current epoch already trained.
    pub cursor: usize,
    /// Updates (batches) done across epochs: Keras's `t` in the decay.
    pub updates: u64,
    /// The current epoch's summed batch losses (each batch's mean times its images), as
    /// `f64::to_bits` so that it reads back to the bit.
    #[serde(with = "bits")]
    pub loss_sum: f64,
    /// The current epoch's correct predictions during training (as bits, like `loss_sum`).
    #[serde(with = "bits")]
    pub correct: f64,
    /// The current epoch's images trained (equals `cursor`).
    pub images: usize,
}

impl RunPoint {
    /// Batches finished in the current epoch.
    pub fn batch(&self) -> usize {
        self.cursor / self.hyper.batch_size.max(1)
    }

    /// Batches in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.train_len.div_ceil(self.hyper.batch_size.max(1))
    }
}

/// The JSON header: where the run stands and how many values follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Where the run stands.
    pub point: RunPoint,
    /// Weight values that follow.
    pub weights: usize,
    /// Velocity values that follow the weights (0 at momentum 0).
    pub velocity: usize,
}

/// Everything a run needs to continue exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Where the run stands.
    pub point: RunPoint,
    /// Every parameter, flat in visiting order.
    pub weights: Vec<f32>,
    /// Every parameter's velocity, same order; `None` at momentum 0.
    pub velocity: Option<Vec<f32>>,
}

impl Checkpoint {
    /// The checkpoint as bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            point: self.point.clone(),
            weights: self.weights.len(),
            velocity: self.velocity.as_ref().map_or(0, Vec::len),
        };
        // A header of numbers and a model name always serialises.
        let json = serde_json::to_vec(&header).unwrap_or_default();
        let values = header.weights + header.velocity;
        let mut out = Vec::with_capacity(16 + json.len() + 4 * values);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for v in self.weights.iter().chain(self.velocity.iter().flatten()) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Read what [`Checkpoint::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
        let header = Self::header(bytes)?;
        let start = 16 + header_len(bytes)?;
        let values = header
            .weights
            .checked_add(header.velocity)
            .and_then(|n| n.checked_mul(4))
            .ok_or_else(|| damaged("its value counts overflow"))?;
        let body = &bytes[start..];
        if body.len() != values {
            return Err(damaged(format!(
                "{} bytes of values where the header announces {values}",
                body.len()
            )));
        }
        let floats: Vec<f32> = body
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        // A run that reached a NaN or an infinity stopped as diverged: such values are
        // damage, and continuing from them would only diverge again.
        if !floats.iter().all(|v| v.is_finite()) {
            return Err(damaged("it holds values that are not finite numbers"));
        }
        let (weights, velocity) = floats.split_at(header.weights);
        Ok(Checkpoint {
            point: header.point,
            weights: weights.to_vec(),
            velocity: (header.velocity > 0).then(|| velocity.to_vec()),
        })
    }

    /// Only the header: where a checkpoint's run stands, without reading its values.
    pub fn header(bytes: &[u8]) -> Result<Header, CheckpointError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(CheckpointError::NotACheckpoint);
        }
        let version = read_u32(bytes, 8)?;
        if version != VERSION {
            return Err(CheckpointError::Version(version));
        }
        let len = header_len(bytes)?;
        let json = bytes
            .get(16..16 + len)
            .ok_or_else(|| damaged("its header is cut short"))?;
        let header: Header = serde_json::from_slice(json)
            .map_err(|e| damaged(format!("its header is not valid: {e}")))?;
        let p = &header.point;
        if !(p.loss_sum.is_finite() && p.correct.is_finite()) {
            return Err(damaged("its running loss is not a finite number"));
        }
        if p.hyper.batch_size == 0 || p.cursor > p.train_len || p.images != p.cursor {
            return Err(damaged("its position does not add up"));
        }
        if header.velocity != 0 && header.velocity != header.weights {
            return Err(damaged(
                "it has velocities for a different number of weights",
            ));
        }
        Ok(header)
    }
}

/// An `f64` as its bit pattern: JSON numbers need not read back to the same bits.
mod bits {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(v.to_bits())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        u64::deserialize(d).map(f64::from_bits)
    }
}

fn damaged(why: impl Into<String>) -> CheckpointError {
    CheckpointError::Damaged(why.into())
}

fn read_u32(bytes: &[u8], at: usize) -> Result<u32, CheckpointError> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| damaged("it is cut short"))
}

fn header_len(bytes: &[u8]) -> Result<usize, CheckpointError> {
    let len = read_u32(bytes, 12)? as usize;
    if len > MAX_HEADER {
        return Err(damaged(format!("a header of {len} bytes")));
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ModelKind;

    fn sample() -> Checkpoint {
        Checkpoint {
            point: RunPoint {
                model: "4-layer CNN".into(),
                hyper: ModelKind::Four.spec().hyper,
                seed: 7,
                train_len: 100,
                epoch: 2,
                cursor: 64,
                updates: 10,
                loss_sum: 123.456_789_012_345_67,
                correct: 20.0,
                images: 64,
            },
            weights: vec![1.5, -2.25, f32::MIN_POSITIVE, 3.0e-7],
            velocity: Some(vec![0.0, -0.5, 0.25, 1.0]),
        }
    }

    #[test]
    fn a_checkpoint_survives_bytes_exactly() {
        let c = sample();
        let bytes = c.to_bytes();
        assert_eq!(Checkpoint::from_bytes(&bytes), Ok(c.clone()));
        let plain = Checkpoint {
            velocity: None,
            ..c
        };
        assert_eq!(Checkpoint::from_bytes(&plain.to_bytes()), Ok(plain));
        let p = sample().point;
        assert_eq!((p.batch(), p.batches_per_epoch()), (2, 4));
    }

    #[test]
    fn damaged_bytes_are_errors_that_say_what_is_wrong() {
        let bytes = sample().to_bytes();
        assert_eq!(
            Checkpoint::from_bytes(b"PK\x03\x04 a zip file"),
            Err(CheckpointError::NotACheckpoint)
        );
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert_eq!(
            Checkpoint::from_bytes(&newer),
            Err(CheckpointError::Version(9))
        );
        // Every truncation is an error, none a panic.
        for cut in 0..bytes.len() {
            assert!(
                Checkpoint::from_bytes(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        let err = Checkpoint::from_bytes(&long).unwrap_err().to_string();
        assert!(err.contains("announces"), "{err}");
        let mut huge = bytes;
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Checkpoint::from_bytes(&huge).is_err());
    }

    /// Found by `scripts/fuzz checkpoint`: a NaN in the values was accepted (and would
    /// have been trained on). Non-finite values and running sums are refused.
    #[test]
    fn values_that_are_not_finite_numbers_are_refused() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut c = sample();
            c.velocity = Some(vec![bad, 0.1, -0.1, 0.0]);
            let err = Checkpoint::from_bytes(&c.to_bytes()).unwrap_err();
            assert!(err.to_string().contains("not finite"), "{err}");
            let mut c = sample();
            c.weights[1] = bad;
            assert!(Checkpoint::from_bytes(&c.to_bytes()).is_err());
        }
        let mut c = sample();
        c.point.loss_sum = f64::NAN;
        let err = Checkpoint::from_bytes(&c.to_bytes()).unwrap_err();
        assert!(err.to_string().contains("running loss"), "{err}");
    }
}
