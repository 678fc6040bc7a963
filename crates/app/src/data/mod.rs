//! Getting images into the page: served by the site (`served`), dropped in by the
//! learner (`dropped`), or generated (the synthetic set, labelled as not CIFAR-10).
//! Parsing and validation are the `cifar` crate's, so every bad file gets the same
//! clear error as in the CLI.

pub mod dropped;
pub mod loading;
pub mod served;

use std::ops::Deref;
use std::rc::Rc;

use cifar::{Dataset, ImageSet, NUM_CLASSES};
use serde::{Deserialize, Serialize};

/// A loaded dataset shared by the page's parts. Equal only to itself (pointer equality),
/// so comparing props never compares 180 MB of pixels.
#[derive(Debug, Clone)]
pub struct Images(pub Rc<Dataset>);

impl PartialEq for Images {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Images {
    type Target = Dataset;
    fn deref(&self) -> &Dataset {
        &self.0
    }
}

/// The synthetic stand-in: 500 training and 100 test images per class.
pub fn synthetic() -> Dataset {
    cifar::synthetic::dataset(500, 100, 1)
}

/// The first `n` training images (the whole set if it has fewer).
pub fn training_subset(data: &Dataset, n: usize) -> ImageSet {
    data.train.first(n.min(data.train.len()))
}

/// The first `n` test images.
pub fn validation_subset(data: &Dataset, n: usize) -> ImageSet {
    data.test.first(n.min(data.test.len()))
}

/// Test images for the prediction strip: the first two of each class, in test-set order.
pub fn strip_indices(test: &ImageSet) -> Vec<usize> {
    let mut taken = [0usize; NUM_CLASSES];
    let mut out = Vec::new();
    for i in 0..test.len() {
        let c = usize::from(test.label(i));
        if taken[c] < 2 {
            taken[c] += 1;
            out.push(i);
        }
    }
    out
}

/// The images a run trains and validates on, as a saved run in progress remembers them:
/// enough to tell the learner what to load, and to recognise the same images after a
/// reload before continuing on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDataInfo {
    /// The dataset's description ("CIFAR-10 (served by this site)").
    pub source: String,
    /// Training images (the first this many of the dataset).
    pub train_images: usize,
    /// Validation images (the first this many of the test set).
    pub val_images: usize,
    /// [`fingerprint`] of the training and validation bytes.
    pub fingerprint: u64,
}

impl RunDataInfo {
    /// The info of a run on `train` and `val` (bytes in the official record layout) from
    /// `data`.
    pub fn new(data: &Dataset, train: &[u8], val: &[u8]) -> Self {
        RunDataInfo {
            source: data.source.describe(),
            train_images: train.len() / cifar::RECORD_BYTES,
            val_images: val.len() / cifar::RECORD_BYTES,
            fingerprint: fingerprint(&[train, val]),
        }
    }
}

/// A 64-bit fingerprint of some byte strings (their lengths and contents), to recognise the
/// same images again. It guards against mistakes (other files, another subset), not
/// against an adversary. Eight bytes per round: 150 MB take a few tens of milliseconds.
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let round = |h: u64, word: u64| (h ^ word).wrapping_mul(K).rotate_left(29);
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for part in parts {
        h = round(h, part.len() as u64);
        let words = part.chunks_exact(8);
        let tail = words.remainder();
        for w in words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            h = round(h, u64::from_le_bytes(b));
        }
        for &b in tail {
            h = round(h, u64::from(b));
        }
    }
    h ^ (h >> 31)
}

/// The image bytes of a run (official record layout): training, validation.
#[derive(Clone)]
pub struct RunData {
    /// Training images.
    pub train: Rc<Vec<u8>>,
    /// Validation images.
    pub val: Rc<Vec<u8>>,
    /// What they are, to recognise them after a reload.
    pub info: RunDataInfo,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strip_shows_two_of_each_class_in_order() {
        let data = cifar::synthetic::dataset(1, 3, 2);
        let strip = strip_indices(&data.test);
        assert_eq!(strip.len(), 20);
        assert!(strip.windows(2).all(|w| w[0] < w[1]));
        let mut counts = [0; NUM_CLASSES];
        for &i in &strip {
            counts[usize::from(data.test.label(i))] += 1;
        }
        assert_eq!(counts, [2; NUM_CLASSES]);
    }

    #[test]
    fn subsets_take_the_first_images_and_never_more_than_there_are() {
        let data = cifar::synthetic::dataset(2, 1, 2);
        assert_eq!(training_subset(&data, 5).len(), 5);
        assert_eq!(training_subset(&data, 500).len(), 20);
        assert_eq!(training_subset(&data, 5).image(3), data.train.image(3));
        assert_eq!(validation_subset(&data, 500).len(), 10);
    }

    #[test]
    fn a_fingerprint_tells_other_images_apart() {
        let data = cifar::synthetic::dataset(3, 1, 2);
        let train = training_subset(&data, 20).to_batch_bytes();
        let val = validation_subset(&data, 10).to_batch_bytes();
        let info = RunDataInfo::new(&data, &train, &val);
        assert_eq!((info.train_images, info.val_images), (20, 10));
        assert_eq!(info, RunDataInfo::new(&data, &train, &val), "stable");
        let fewer = training_subset(&data, 19).to_batch_bytes();
        assert_ne!(fingerprint(&[&fewer, &val]), info.fingerprint);
        let mut one_pixel = train.clone();
        one_pixel[5000] ^= 1;
        assert_ne!(fingerprint(&[&one_pixel, &val]), info.fingerprint);
        // Where the cut between the parts falls counts too.
        let mut both = train.clone();
        both.extend_from_slice(&val);
        assert_ne!(fingerprint(&[&both, &[]]), info.fingerprint);
        let other = cifar::synthetic::dataset(3, 1, 3);
        let other_train = training_subset(&other, 20).to_batch_bytes();
        assert_ne!(fingerprint(&[&other_train, &val]), info.fingerprint);
    }
}
