//! Per-epoch shuffling from a seed: the same seed and epoch give the same order on every
//! machine and in the browser.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The order in which to visit `len` training images in `epoch` (0-based) for `seed`.
pub fn epoch_order(len: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    // Mix the epoch into the seed so each epoch has its own permutation.
    let mixed = seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    order.shuffle(&mut StdRng::seed_from_u64(mixed));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_permutation_that_depends_on_seed_and_epoch() {
        let a = epoch_order(1000, 7, 0);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        assert_eq!(
            a,
            epoch_order(1000, 7, 0),
            "same seed and epoch, same order"
        );
        assert_ne!(a, epoch_order(1000, 7, 1), "a new epoch reshuffles");
        assert_ne!(a, epoch_order(1000, 8, 0), "another seed, another order");
        assert_ne!(a, (0..1000).collect::<Vec<_>>(), "actually shuffled");
    }
}
