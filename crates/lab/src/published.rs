//! The tutorial's published results: test accuracy, training time and confusion matrix
//! for each model after 10, 20, 50 and 100 epochs on all 50,000 training images (Keras,
//! on a 16-core CPU). Shown beside a learner's own runs and always marked as published.
//!
//! Two matrices, as published, do not sum to 10,000 (6-layer 20 epochs: 10,030; 4-layer
//! 100 epochs: 9,964). They are kept as published; [`Published::total`] says so.

use cifar::NUM_CLASSES;

use crate::spec::ModelKind;

/// One published run.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// Which model.
    pub model: ModelKind,
    /// Epochs trained.
    pub epochs: usize,
    /// Test accuracy as reported, in percent.
    pub accuracy_percent: f64,
    /// Training time as reported.
    pub training_time: &'static str,
    /// Rows: true class, columns: predicted class, in label order.
    pub confusion: [[u32; NUM_CLASSES]; NUM_CLASSES],
}

impl Published {
    /// Images counted in the published matrix (10,000 for all but two).
    pub fn total(&self) -> u32 {
        self.confusion.iter().flatten().sum()
    }

    /// Accuracy computed from the matrix (correct / counted), which may differ slightly
    /// from the reported figure where the matrix does not sum to 10,000.
    pub fn matrix_accuracy(&self) -> f64 {
        let correct: u32 = (0..NUM_CLASSES).map(|i| self.confusion[i][i]).sum();
        f64::from(correct) / f64::from(self.total())
    }
}

/// Every published run: the 6-layer model's four, then the 4-layer model's four.
pub fn results() -> Vec<Published> {
    vec![
        Published {
            model: ModelKind::Six,
            epochs: 10,
            accuracy_percent: 75.61,
            training_time: "1 h 45 min",
            confusion: [
                [806, 9, 39, 13, 28, 4, 7, 9, 61, 24],
                [14, 870, 4, 10, 3, 4, 7, 0, 28, 60],
                [69, 1, 628, 64, 122, 36, 44, 19, 13, 4],
                [19, 5, 52, 582, 109, 99, 76, 29, 14, 15],
                [13, 2, 44, 46, 761, 27, 38, 62, 6, 1],
                [15, 1, 50, 189, 69, 588, 31, 48, 7, 2],
                [8, 3, 39, 53, 52, 14, 814, 4, 10, 3],
                [15, 3, 31, 45, 63, 29, 5, 795, 2, 12],
                [61, 13, 8, 10, 17, 1, 4, 4, 875, 7],
                [23, 52, 11, 10, 7, 7, 5, 12, 31, 842],
            ],
        },
        Published {
            model: ModelKind::Six,
            epochs: 20,
            accuracy_percent: 75.31,
            training_time: "3 h 40 min",
            confusion: [
                [810, 5, 30, 22, 14, 2, 9, 10, 60, 38],
                [13, 862, 7, 8, 3, 6, 4, 7, 20, 70],
                [85, 2, 626, 67, 84, 44, 44, 27, 12, 9],
                [39, 6, 47, 581, 73, 137, 50, 38, 17, 12],
                [22, 1, 52, 87, 744, 34, 22, 64, 2, 2],
                [20, 3, 40, 178, 44, 639, 21, 48, 2, 5],
                [12, 3, 42, 55, 67, 16, 782, 10, 7, 6],
                [15, 2, 24, 38, 59, 37, 3, 810, 5, 7],
                [79, 14, 10, 19, 6, 4, 8, 5, 827, 28],
                [25, 60, 8, 9, 8, 5, 2, 12, 21, 850],
            ],
        },
        Published {
            model: ModelKind::Six,
            epochs: 50,
            accuracy_percent: 69.93,
            training_time: "8 h 10 min",
            confusion: [
                [760, 5, 72, 32, 11, 6, 12, 7, 67, 28],
                [12, 862, 10, 16, 3, 2, 18, 4, 30, 43],
                [55, 1, 712, 67, 44, 35, 47, 20, 11, 8],
                [37, 7, 126, 554, 63, 81, 69, 45, 11, 7],
                [23, 2, 125, 86, 622, 27, 36, 69, 8, 2],
                [20, 2, 121, 201, 48, 488, 56, 50, 7, 7],
                [16, 7, 101, 65, 28, 27, 734, 8, 10, 4],
                [16, 4, 59, 60, 57, 36, 9, 749, 5, 5],
                [107, 13, 30, 32, 3, 10, 8, 6, 770, 21],
                [42, 100, 8, 26, 8, 7, 4, 21, 42, 742],
            ],
        },
        Published {
            model: ModelKind::Six,
            epochs: 100,
            accuracy_percent: 68.66,
            training_time: "17 h 10 min",
            confusion: [
                [736, 11, 54, 45, 30, 14, 15, 9, 61, 25],
                [10, 839, 6, 38, 3, 13, 7, 5, 22, 57],
                [47, 2, 566, 96, 145, 65, 51, 17, 7, 4],
                [23, 6, 56, 570, 97, 140, 57, 29, 12, 10],
                [16, 2, 52, 80, 700, 55, 25, 64, 3, 3],
                [10, 1, 64, 211, 59, 582, 24, 39, 6, 4],
                [4, 3, 42, 114, 121, 40, 650, 13, 5, 8],
                [14, 1, 40, 57, 69, 68, 11, 723, 3, 14],
                [93, 32, 26, 37, 16, 15, 6, 2, 752, 21],
                [34, 83, 8, 42, 12, 21, 6, 21, 25, 748],
            ],
        },
        Published {
            model: ModelKind::Four,
            epochs: 10,
            accuracy_percent: 71.29,
            training_time: "1 h 10 min",
            confusion: [
                [772, 5, 24, 19, 17, 6, 18, 10, 66, 63],
                [14, 637, 1, 4, 3, 7, 19, 2, 38, 275],
                [81, 0, 538, 50, 88, 86, 93, 27, 19, 18],
                [20, 1, 52, 468, 60, 180, 143, 33, 13, 30],
                [19, 1, 51, 59, 662, 33, 91, 66, 16, 2],
                [12, 0, 34, 135, 37, 664, 53, 41, 11, 13],
                [7, 0, 23, 29, 26, 13, 885, 2, 10, 5],
                [10, 0, 24, 45, 48, 69, 20, 756, 5, 23],
                [74, 4, 3, 9, 4, 6, 8, 4, 854, 34],
                [18, 8, 5, 13, 9, 4, 10, 6, 34, 893],
            ],
        },
        Published {
            model: ModelKind::Four,
            epochs: 20,
            accuracy_percent: 74.57,
            training_time: "2 h 15 min",
            confusion: [
                [729, 11, 56, 36, 52, 5, 12, 11, 58, 30],
                [8, 883, 1, 12, 5, 1, 19, 0, 11, 60],
                [40, 3, 545, 88, 152, 54, 71, 35, 7, 5],
                [10, 8, 30, 583, 128, 106, 75, 38, 10, 12],
                [7, 1, 15, 37, 806, 9, 43, 77, 5, 0],
                [6, 5, 18, 214, 76, 586, 32, 59, 2, 2],
                [3, 3, 23, 58, 65, 7, 825, 11, 4, 1],
                [5, 2, 12, 56, 73, 24, 11, 811, 0, 6],
                [39, 30, 11, 18, 18, 5, 11, 5, 847, 16],
                [30, 61, 3, 22, 9, 2, 7, 8, 16, 842],
            ],
        },
        Published {
            model: ModelKind::Four,
            epochs: 50,
            accuracy_percent: 75.32,
            training_time: "5 h 45 min",
            confusion: [
                [727, 8, 53, 25, 39, 5, 4, 13, 82, 44],
                [7, 821, 6, 10, 5, 2, 4, 2, 22, 121],
                [46, 0, 652, 66, 107, 43, 40, 30, 9, 7],
                [14, 2, 61, 577, 113, 125, 40, 32, 13, 23],
                [7, 0, 46, 39, 812, 15, 20, 49, 6, 6],
                [3, 1, 47, 150, 66, 649, 17, 49, 4, 14],
                [1, 3, 49, 69, 80, 27, 751, 2, 9, 9],
                [9, 0, 22, 47, 65, 38, 8, 791, 3, 17],
                [32, 19, 8, 21, 15, 1, 6, 8, 859, 31],
                [19, 30, 8, 14, 5, 0, 2, 9, 20, 893],
            ],
        },
        Published {
            model: ModelKind::Four,
            epochs: 100,
            accuracy_percent: 67.06,
            training_time: "11 h 10 min",
            confusion: [
                [599, 5, 74, 98, 55, 14, 12, 9, 117, 17],
                [16, 738, 12, 65, 9, 26, 7, 6, 40, 81],
                [31, 0, 523, 168, 136, 86, 33, 14, 9, 0],
                [10, 1, 31, 652, 90, 175, 19, 15, 5, 2],
                [6, 0, 34, 132, 717, 55, 16, 31, 9, 0],
                [5, 1, 17, 233, 53, 661, 10, 15, 4, 1],
                [2, 1, 39, 157, 105, 48, 637, 3, 7, 1],
                [6, 0, 14, 97, 103, 96, 5, 637, 5, 1],
                [41, 7, 28, 84, 19, 18, 6, 4, 783, 10],
                [25, 28, 8, 77, 29, 27, 5, 19, 59, 723],
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_runs_four_per_model_in_epoch_order() {
        let all = results();
        assert_eq!(all.len(), 8);
        for model in [ModelKind::Six, ModelKind::Four] {
            let epochs: Vec<usize> = all
                .iter()
                .filter(|r| r.model == model)
                .map(|r| r.epochs)
                .collect();
            assert_eq!(epochs, [10, 20, 50, 100]);
        }
    }

    #[test]
    fn matrices_sum_as_published() {
        for r in results() {
            let expected = match (r.model, r.epochs) {
                (ModelKind::Six, 20) => 10_030,
                (ModelKind::Four, 100) => 9_964,
                _ => 10_000,
            };
            assert_eq!(r.total(), expected, "{:?} {} epochs", r.model, r.epochs);
        }
    }

    #[test]
    fn the_diagonal_agrees_with_the_reported_accuracy() {
        // Each matrix's diagonal reproduces its reported accuracy to within 0.5 points
        // (the two odd-sized matrices included), so no row was copied wrongly.
        for r in results() {
            let gap = (r.matrix_accuracy() * 100.0 - r.accuracy_percent).abs();
            assert!(gap < 0.5, "{:?} {} epochs: gap {gap}", r.model, r.epochs);
        }
    }
}
