//! Getting images into the page: served by the site (`served`), dropped in by the
//! learner (`dropped`), or generated (the synthetic set, labelled as not CIFAR-10).
//! Parsing and validation are the `cifar` crate's, so every bad file gets the same
//! clear error as in the CLI.

pub mod dropped;
pub mod served;

use std::ops::Deref;
use std::rc::Rc;

use cifar::{Dataset, ImageSet, NUM_CLASSES};

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
}
