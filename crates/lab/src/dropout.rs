//! Dropout masks that depend only on (seed, update, layer, image), not on how a batch is cut.
//!
//! Training a batch on several threads gives each thread a slice of the batch. If masks came
//! from a random generator shared by the batch (as burn's `Dropout` draws them), the mask of
//! image 17 would depend on which images were drawn before it on the same thread, and a
//! two-thread step would be a different step. Here every element's keep/drop decision is a
//! hash of where it is: the run's seed, the update number, the dropout layer, the image's
//! row in the whole batch and the element's index in that image. Any split of a batch gives
//! every image the same masks as one thread does; it also makes every backend (ndarray,
//! Flex, wgpu) drop the same units, and it is drawn in bulk on the host, a few nanoseconds
//! per element, instead of through the backend's generator.

/// Where a slice of a batch sits, so its dropout masks are those the whole batch would draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskKey {
    /// The run's seed.
    pub seed: u64,
    /// The update (batch) number, counted across epochs from 0.
    pub update: u64,
    /// Row in the whole batch of this slice's first image.
    pub first_row: usize,
}

/// SplitMix64's finaliser: a fast, well-mixed 64-bit hash.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Fill `out` with the mask of `rows` images of `per_row` elements each, for dropout layer
/// `layer` (its index among the model's layers) at `rate`: each element is `0` (dropped,
/// with probability `rate`) or `1 / (1 - rate)` (kept and rescaled, as Keras does).
pub fn fill_mask(
    key: MaskKey,
    layer: usize,
    rate: f64,
    rows: usize,
    per_row: usize,
    out: &mut Vec<f32>,
) {
    out.clear();
    out.reserve(rows * per_row);
    let keep = (1.0 - rate).clamp(0.0, 1.0);
    let scale = if keep > 0.0 { (1.0 / keep) as f32 } else { 0.0 };
    // An element is kept when its 32-bit draw is below keep · 2³².
    let threshold = (keep * 4_294_967_296.0).min(u32::MAX as f64 + 1.0) as u64;
    let run = mix(key.seed ^ mix(key.update.wrapping_add(GOLDEN) ^ mix(layer as u64)));
    let pick = |draw: u64| if draw < threshold { scale } else { 0.0 };
    for row in key.first_row..key.first_row + rows {
        let base = mix(run ^ (row as u64).wrapping_mul(GOLDEN));
        // Two 32-bit draws per hash.
        for pair in 0..per_row.div_ceil(2) {
            let h = mix(base.wrapping_add((pair as u64).wrapping_mul(GOLDEN)));
            out.push(pick(h & 0xffff_ffff));
            if 2 * pair + 1 < per_row {
                out.push(pick(h >> 32));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(key: MaskKey, layer: usize, rate: f64, rows: usize, per_row: usize) -> Vec<f32> {
        let mut out = Vec::new();
        fill_mask(key, layer, rate, rows, per_row, &mut out);
        out
    }

    #[test]
    fn a_slice_gets_the_rows_the_whole_batch_would() {
        let whole = mask(
            MaskKey {
                seed: 7,
                update: 3,
                first_row: 0,
            },
            2,
            0.25,
            32,
            101,
        );
        for (first, rows) in [(0, 11), (11, 11), (22, 10), (5, 1)] {
            let part = mask(
                MaskKey {
                    seed: 7,
                    update: 3,
                    first_row: first,
                },
                2,
                0.25,
                rows,
                101,
            );
            assert_eq!(part, whole[first * 101..(first + rows) * 101]);
        }
    }

    #[test]
    fn the_drop_rate_and_scale_are_keras_s() {
        let key = MaskKey {
            seed: 1,
            update: 0,
            first_row: 0,
        };
        let m = mask(key, 0, 0.25, 64, 4096);
        let kept = m.iter().filter(|&&v| v > 0.0).count() as f64 / m.len() as f64;
        assert!((kept - 0.75).abs() < 0.005, "kept {kept}");
        assert!(m.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-6));
        assert!(mask(key, 0, 0.0, 2, 10).iter().all(|&v| v == 1.0));
        assert!(mask(key, 0, 1.0, 2, 10).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn masks_differ_by_seed_update_layer_and_row() {
        let key = MaskKey {
            seed: 1,
            update: 0,
            first_row: 0,
        };
        let base = mask(key, 0, 0.5, 1, 256);
        let others = [
            mask(MaskKey { seed: 2, ..key }, 0, 0.5, 1, 256),
            mask(MaskKey { update: 1, ..key }, 0, 0.5, 1, 256),
            mask(key, 1, 0.5, 1, 256),
            mask(
                MaskKey {
                    first_row: 1,
                    ..key
                },
                0,
                0.5,
                1,
                256,
            ),
        ];
        for other in others {
            let same = base.iter().zip(&other).filter(|(a, b)| a == b).count();
            // Independent fair coins agree on about half of 256 elements.
            assert!((90..=166).contains(&same), "{same} of 256 equal");
        }
    }
}
