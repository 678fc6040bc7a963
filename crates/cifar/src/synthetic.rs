//! A small, deterministic 10-class image set that a CNN can learn in seconds.
//!
//! Each class is a kind of pattern (stripes, a disc, a checkerboard, …) drawn in random
//! colours, sizes and places with pixel noise, so a network must learn shapes rather than a
//! colour. It exists for tests and for an offline demo; its [`crate::Source`] is
//! [`crate::Source::Synthetic`] and its class names are the patterns' names, so it is
//! never shown as CIFAR-10.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::{Dataset, ImageSet, NUM_CLASSES, SIDE, Source};

/// The pattern each synthetic class draws, in label order.
pub const SYNTHETIC_CLASS_NAMES: [&str; NUM_CLASSES] = [
    "h-stripes",
    "v-stripes",
    "disc",
    "square",
    "diagonal",
    "checker",
    "cross",
    "ring",
    "gradient",
    "triangle",
];

/// `per_class` images of each class, classes interleaved (0, 1, …, 9, 0, 1, …), from `seed`.
pub fn images(per_class: usize, seed: u64) -> ImageSet {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = per_class * NUM_CLASSES;
    let mut pixels = Vec::with_capacity(n * crate::IMAGE_BYTES);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = i % NUM_CLASSES;
        draw(class, &mut rng, &mut pixels);
        labels.push(class as u8);
    }
    ImageSet::from_raw(pixels, labels)
}

/// A train set of `train_per_class` and a test set of `test_per_class` images a class.
pub fn dataset(train_per_class: usize, test_per_class: usize, seed: u64) -> Dataset {
    Dataset {
        train: images(train_per_class, seed),
        test: images(test_per_class, seed ^ 0xA5A5_A5A5),
        class_names: SYNTHETIC_CLASS_NAMES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        source: Source::Synthetic,
    }
}

/// Draw one image of `class` and append its CHW bytes to `out`.
fn draw(class: usize, rng: &mut StdRng, out: &mut Vec<u8>) {
    // A dark background and a bright foreground, each in a random colour: the pattern,
    // not the colour, tells the class.
    let bg: [f32; 3] = std::array::from_fn(|_| rng.random_range(0.0..0.4));
    let fg: [f32; 3] = std::array::from_fn(|_| rng.random_range(0.6..1.0));
    let period = rng.random_range(4.0..9.0f32);
    let phase = rng.random_range(0.0..period);
    let cx = rng.random_range(10.0..22.0f32);
    let cy = rng.random_range(10.0..22.0f32);
    let r = rng.random_range(5.0..9.0f32);
    let mut mask = [0f32; SIDE * SIDE];
    for y in 0..SIDE {
        for x in 0..SIDE {
            let (fx, fy) = (x as f32, y as f32);
            let (dx, dy) = (fx - cx, fy - cy);
            let stripe = |v: f32| ((v + phase) % period) < period / 2.0;
            let on = match class {
                0 => stripe(fy),
                1 => stripe(fx),
                2 => dx * dx + dy * dy <= r * r,
                3 => dx.abs() <= r && dy.abs() <= r,
                4 => stripe(fx + fy),
                5 => ((x / 4) + (y / 4)) % 2 == 0,
                6 => dx.abs() <= 2.0 || dy.abs() <= 2.0,
                7 => ((dx * dx + dy * dy).sqrt() - r).abs() <= 1.5,
                8 => {
                    mask[y * SIDE + x] = fx / (SIDE - 1) as f32;
                    continue;
                }
                _ => dy >= -r && dy <= r && dx.abs() <= (dy + r) / 2.0,
            };
            mask[y * SIDE + x] = if on { 1.0 } else { 0.0 };
        }
    }
    for c in 0..3 {
        for &m in &mask {
            let noise = rng.random_range(-0.05..0.05f32);
            let v = bg[c] * (1.0 - m) + fg[c] * m + noise;
            out.push((v.clamp(0.0, 1.0) * 255.0).round() as u8);
        }
    }
}
