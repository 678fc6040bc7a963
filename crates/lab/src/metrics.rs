//! Accuracy, loss and the confusion matrix, in plain Rust on host data.
//!
//! Arg-max and sorting happen here rather than on the device: on WebGPU, device-side
//! sort, arg-sort and top-k are not available, and the logits are read back anyway.

use serde::{Deserialize, Serialize};

use cifar::NUM_CLASSES;

/// Index of the largest value in each row of `logits` (`rows × classes`, row-major).
/// Ties go to the lower index; NaN never wins.
pub fn argmax_rows(logits: &[f32], classes: usize) -> Vec<usize> {
    logits
        .chunks_exact(classes)
        .map(|row| {
            let mut best = 0;
            for (i, &v) in row.iter().enumerate() {
                if v > row[best] || (row[best].is_nan() && !v.is_nan()) {
                    best = i;
                }
            }
            best
        })
        .collect()
}

/// Fraction of `predicted` equal to `labels` (0 for no items).
pub fn accuracy(predicted: &[usize], labels: &[u8]) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    let right = predicted
        .iter()
        .zip(labels)
        .filter(|(p, l)| **p == usize::from(**l))
        .count();
    right as f64 / labels.len() as f64
}

/// Keras clips probabilities to `[ε, 1 − ε]` before the log (ε = 1e-7).
pub const KERAS_PROBABILITY_CLIP: f32 = 1e-7;

/// Keras's categorical cross-entropy of one image: `−ln p(label)`, with `p` clipped as
/// Keras clips it, so a confidently wrong answer costs at most `−ln 1e-7 ≈ 16.1`.
pub fn keras_cross_entropy(probabilities: &[f32], label: u8) -> f64 {
    let p = probabilities
        .get(usize::from(label))
        .copied()
        .unwrap_or(0.0)
        .clamp(KERAS_PROBABILITY_CLIP, 1.0 - KERAS_PROBABILITY_CLIP);
    -f64::from(p).ln()
}

/// Keras's categorical cross-entropy of softmax(`logits`) against `labels`, summed over
/// rows (divide by the row count for the mean): [`softmax`], then
/// [`keras_cross_entropy`], as every evaluation in this crate computes it.
pub fn cross_entropy_sum(logits: &[f32], labels: &[u8], classes: usize) -> f64 {
    logits
        .chunks_exact(classes)
        .zip(labels)
        .map(|(row, &label)| keras_cross_entropy(&softmax(row), label))
        .sum()
}

/// Softmax of one row of logits.
pub fn softmax(row: &[f32]) -> Vec<f32> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = row.iter().map(|&v| (v - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// A 10×10 confusion matrix: rows are the true class, columns the predicted class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// `counts[true][predicted]`.
    pub counts: [[u32; NUM_CLASSES]; NUM_CLASSES],
}

impl ConfusionMatrix {
    /// Count each (label, prediction) pair.
    pub fn add(&mut self, predicted: &[usize], labels: &[u8]) {
        for (&p, &l) in predicted.iter().zip(labels) {
            self.counts[usize::from(l)][p] += 1;
        }
    }

    /// Build from rows as published (e.g. the tutorial's matrices).
    pub fn from_rows(rows: [[u32; NUM_CLASSES]; NUM_CLASSES]) -> Self {
        Self { counts: rows }
    }

    /// All counted items.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().map(|&c| u64::from(c)).sum()
    }

    /// Items on the diagonal.
    pub fn correct(&self) -> u64 {
        (0..NUM_CLASSES).map(|i| u64::from(self.counts[i][i])).sum()
    }

    /// Overall accuracy (0 when empty).
    pub fn accuracy(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            0.0
        } else {
            self.correct() as f64 / total as f64
        }
    }

    /// For each true class, the fraction predicted correctly (recall); 0 for an absent class.
    pub fn per_class_accuracy(&self) -> [f64; NUM_CLASSES] {
        std::array::from_fn(|i| {
            let row: u64 = self.counts[i].iter().map(|&c| u64::from(c)).sum();
            if row == 0 {
                0.0
            } else {
                f64::from(self.counts[i][i]) / row as f64
            }
        })
    }

    /// The most frequent off-diagonal (true, predicted, count) pairs, largest first.
    pub fn top_confusions(&self, n: usize) -> Vec<(usize, usize, u32)> {
        let mut pairs: Vec<(usize, usize, u32)> = (0..NUM_CLASSES)
            .flat_map(|t| (0..NUM_CLASSES).map(move |p| (t, p)))
            .filter(|(t, p)| t != p)
            .map(|(t, p)| (t, p, self.counts[t][p]))
            .filter(|&(_, _, c)| c > 0)
            .collect();
        pairs.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        pairs.truncate(n);
        pairs
    }

    /// The matrix as aligned text with class names as row labels.
    pub fn to_text(&self, class_names: &[String]) -> String {
        let width = class_names
            .iter()
            .map(|n| n.len())
            .max()
            .unwrap_or(0)
            .max(4);
        let mut out = format!("{:>width$} |", "true\\pred");
        for j in 0..NUM_CLASSES {
            let name = class_names.get(j).map(String::as_str).unwrap_or("?");
            out += &format!(" {:>5}", &name[..name.len().min(5)]);
        }
        out.push('\n');
        for (i, row) in self.counts.iter().enumerate() {
            let name = class_names.get(i).map(String::as_str).unwrap_or("?");
            out += &format!("{name:>width$} |");
            for c in row {
                out += &format!(" {c:>5}");
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_picks_largest_and_lower_index_on_ties() {
        let logits = [
            0.1,
            0.9,
            0.3,
            /* */ 2.0,
            2.0,
            -1.0,
            /* */ f32::NAN,
            -5.0,
            -6.0,
        ];
        assert_eq!(argmax_rows(&logits, 3), vec![1, 0, 1]);
    }

    #[test]
    fn accuracy_counts_matches() {
        assert_eq!(accuracy(&[1, 2, 3, 4], &[1, 2, 0, 0]), 0.5);
        assert_eq!(accuracy(&[], &[]), 0.0);
    }

    #[test]
    fn cross_entropy_matches_hand_values() {
        // Uniform logits over 10 classes: -ln(1/10) each (probabilities are f32, as in Keras).
        let logits = [0.0f32; 20];
        let sum = cross_entropy_sum(&logits, &[3, 7], 10);
        assert!((sum - 2.0 * 10f64.ln()).abs() < 1e-6);
        // Two classes, logits (ln 3, 0): p = 3/4 for class 0.
        let l = [3f32.ln(), 0.0];
        assert!((cross_entropy_sum(&l, &[0], 2) - (4.0f64 / 3.0).ln()).abs() < 1e-6);
        assert!((cross_entropy_sum(&l, &[1], 2) - 4.0f64.ln()).abs() < 1e-6);
        // A certain wrong answer costs what Keras charges: the clipped probability.
        let clipped = cross_entropy_sum(&[1000.0, 0.0], &[1], 2);
        assert!((clipped - -f64::from(KERAS_PROBABILITY_CLIP).ln()).abs() < 1e-9);
        assert!(cross_entropy_sum(&[1000.0, 0.0], &[0], 2) < 1e-6);
    }

    #[test]
    fn softmax_sums_to_one() {
        let p = softmax(&[1.0, 2.0, 3.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[2] > p[1] && p[1] > p[0]);
    }

    #[test]
    fn confusion_matrix_maths() {
        let mut m = ConfusionMatrix::default();
        m.add(&[0, 0, 1, 2, 2, 2], &[0, 1, 1, 2, 2, 1]);
        assert_eq!(m.total(), 6);
        assert_eq!(m.correct(), 4);
        assert!((m.accuracy() - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(m.counts[1], [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
        let per = m.per_class_accuracy();
        assert_eq!(per[0], 1.0);
        assert!((per[1] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(per[2], 1.0);
        assert_eq!(per[5], 0.0);
        assert_eq!(m.top_confusions(5), vec![(1, 0, 1), (1, 2, 1)]);
        let names: Vec<String> = cifar::CLASS_NAMES.iter().map(|s| s.to_string()).collect();
        assert!(m.to_text(&names).contains("automobile |     1     1     1"));
    }
}
