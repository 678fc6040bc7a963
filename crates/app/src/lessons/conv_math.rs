//! The arithmetic of step 3, on one grey 32×32 image: a 3×3 convolution with "same"
//! padding, ReLU and 2×2 max-pooling, written out plainly so the page can show every
//! number of one output pixel.

use cifar::SIDE;

/// A 3×3 kernel, row by row.
pub type Kernel = [f32; 9];

/// Kernels to start from.
pub const PRESETS: [(&str, Kernel); 5] = [
    (
        "Vertical edges",
        [-1.0, 0.0, 1.0, -2.0, 0.0, 2.0, -1.0, 0.0, 1.0],
    ),
    (
        "Horizontal edges",
        [-1.0, -2.0, -1.0, 0.0, 0.0, 0.0, 1.0, 2.0, 1.0],
    ),
    ("Blur", [1.0 / 9.0; 9]),
    ("Sharpen", [0.0, -1.0, 0.0, -1.0, 5.0, -1.0, 0.0, -1.0, 0.0]),
    (
        "Outline",
        [-1.0, -1.0, -1.0, -1.0, 8.0, -1.0, -1.0, -1.0, -1.0],
    ),
];

/// Grey values in [0, 1] from a CHW CIFAR image (the usual luma weights).
pub fn grey(chw: &[u8]) -> Vec<f32> {
    let plane = SIDE * SIDE;
    (0..plane)
        .map(|i| {
            let (r, g, b) = (
                f32::from(chw[i]),
                f32::from(chw[plane + i]),
                f32::from(chw[2 * plane + i]),
            );
            (0.299 * r + 0.587 * g + 0.114 * b) / 255.0
        })
        .collect()
}

/// The 3×3 neighbourhood of (row, col) in a `side × side` image, zeros outside (the
/// "same" padding).
pub fn patch(image: &[f32], side: usize, row: usize, col: usize) -> [f32; 9] {
    std::array::from_fn(|k| {
        let (dr, dc) = (k / 3, k % 3);
        let (r, c) = (
            row as isize + dr as isize - 1,
            col as isize + dc as isize - 1,
        );
        if r < 0 || c < 0 || r >= side as isize || c >= side as isize {
            0.0
        } else {
            image[r as usize * side + c as usize]
        }
    })
}

/// One output value: the patch times the kernel, summed.
pub fn dot(patch: &[f32; 9], kernel: &Kernel) -> f32 {
    patch.iter().zip(kernel).map(|(a, b)| a * b).sum()
}

/// The kernel slid over every pixel of a `side × side` image, "same" padding (the output
/// has the input's size), as Keras computes it (a cross-correlation: the kernel is not
/// flipped).
pub fn convolve(image: &[f32], side: usize, kernel: &Kernel) -> Vec<f32> {
    (0..side * side)
        .map(|i| dot(&patch(image, side, i / side, i % side), kernel))
        .collect()
}

/// `max(0, x)` for every value.
pub fn relu(values: &[f32]) -> Vec<f32> {
    values.iter().map(|v| v.max(0.0)).collect()
}

/// 2×2 max-pooling of a `side × side` map: `side / 2` square (an odd last row and column
/// are dropped, as Keras floors).
pub fn max_pool(map: &[f32], side: usize) -> Vec<f32> {
    let half = side / 2;
    (0..half * half)
        .map(|i| {
            let (r, c) = (2 * (i / half), 2 * (i % half));
            [
                map[r * side + c],
                map[r * side + c + 1],
                map[(r + 1) * side + c],
                map[(r + 1) * side + c + 1],
            ]
            .into_iter()
            .fold(f32::MIN, f32::max)
        })
        .collect()
}

/// Smallest and largest value (0, 1 for an empty slice).
pub fn range(values: &[f32]) -> (f32, f32) {
    if values.is_empty() {
        return (0.0, 1.0);
    }
    values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vertical_edge_kernel_fires_on_a_vertical_edge_only() {
        // Left half black, right half white.
        let side = 8;
        let image: Vec<f32> = (0..side * side)
            .map(|i| if i % side >= 4 { 1.0 } else { 0.0 })
            .collect();
        let out = convolve(&image, side, &PRESETS[0].1);
        // Row 3: zero in flat regions, 4 (= 1 + 2 + 1) on the two columns at the edge.
        let row: Vec<f32> = out[3 * side..4 * side].to_vec();
        assert_eq!(row, [0.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, -4.0]);
        // The last column sees zero padding on its right: a falling edge, negative.
        assert_eq!(relu(&row), [0.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn one_output_is_the_patch_times_the_kernel() {
        let image: Vec<f32> = (0..16).map(|i| i as f32).collect();
        let p = patch(&image, 4, 0, 0);
        assert_eq!(p, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 4.0, 5.0]);
        let k = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        assert_eq!(dot(&p, &k), 5.0 * 0.0 + 6.0 * 1.0 + 8.0 * 4.0 + 9.0 * 5.0);
        assert_eq!(convolve(&image, 4, &k)[0], dot(&p, &k));
    }

    #[test]
    fn pooling_keeps_the_largest_of_each_block_and_floors_odd_sizes() {
        let map = [1.0, 5.0, 2.0, 0.0, 3.0, 4.0, 9.0, 1.0, 0.0];
        assert_eq!(max_pool(&map, 3), [5.0]);
        let map4: Vec<f32> = (0..16).map(|i| i as f32).collect();
        assert_eq!(max_pool(&map4, 4), [5.0, 7.0, 13.0, 15.0]);
    }

    #[test]
    fn grey_weights_sum_to_one() {
        let white = vec![255u8; 3 * SIDE * SIDE];
        assert!(grey(&white).iter().all(|v| (v - 1.0).abs() < 1e-6));
        assert_eq!(range(&[2.0, -1.0, 0.5]), (-1.0, 2.0));
    }
}
