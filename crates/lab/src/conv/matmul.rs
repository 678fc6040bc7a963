//! One safe matrix product over `f32` slices, on the `gemm` crate (the one burn Flex uses:
//! its AVX2/AVX-512/NEON kernels are chosen at run time, simd128 in wasm). The crate's
//! entry point takes raw pointers and strides; this wrapper checks, before the call, that
//! every element the product reads or writes lies inside its slice. It runs on the calling
//! thread: the convolutions spread whole images over the cores instead (one fork and join
//! per pass, not one per product).

/// A read-only matrix view: `rows × cols` elements of `data`, element (r, c) at
/// `r·row_stride + c·col_stride`.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The elements.
    pub data: &'a [f32],
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Distance between two rows.
    pub row_stride: usize,
    /// Distance between two columns.
    pub col_stride: usize,
}

impl<'a> View<'a> {
    /// `rows × cols` elements of `data`, stored row after row.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        View {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose: the same elements, rows and columns swapped (no copy).
    pub fn t(self) -> Self {
        View {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// Whether every element lies inside `data` (an empty matrix always does).
    fn fits(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1)
                .checked_mul(self.row_stride)
                .zip((self.cols - 1).checked_mul(self.col_stride))
                .and_then(|(a, b)| a.checked_add(b))
                .is_some_and(|last| last < self.data.len())
    }
}

/// `dst = lhs × rhs`, or `dst += lhs × rhs` when `accumulate`: `dst` is row-major with
/// `dst_row_stride` between rows (`lhs.rows × rhs.cols` of it are written).
///
/// Panics if the shapes do not agree or a view reaches past its slice: a caller's bug,
/// never a user's input (the convolutions compute every shape from their tensors).
pub fn matmul(
    dst: &mut [f32],
    dst_row_stride: usize,
    lhs: View<'_>,
    rhs: View<'_>,
    accumulate: bool,
) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(rhs.rows, k, "the product's inner sizes differ");
    let out = View {
        data: dst,
        rows: m,
        cols: n,
        row_stride: dst_row_stride,
        col_stride: 1,
    };
    assert!(
        lhs.fits() && rhs.fits() && out.fits(),
        "a matrix reaches past its slice"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            for row in dst.chunks_mut(dst_row_stride.max(1)).take(m) {
                row[..n].fill(0.0);
            }
        }
        return;
    }
    // The strides are element counts well inside `isize` (they index slices that exist).
    let s = |v: usize| v as isize;
    #[allow(
        unsafe_code,
        reason = "the gemm crate's entry point takes raw pointers; bounds checked above"
    )]
    // SAFETY: `gemm` reads lhs(i, p) at `lhs.data + i·rs + p·cs` for i < m, p < k, rhs
    // likewise for p < k, j < n, and reads (when `read_dst`) and writes dst(i, j) at
    // `dst + i·dst_row_stride + j` for i < m, j < n. `fits` checked above that the last of
    // those offsets lies inside each slice, and all strides are non-negative, so every
    // access is in bounds. `dst` is borrowed mutably here and the inputs immutably, so the
    // output overlaps neither input. `f32` has no alignment beyond its own.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            s(dst_row_stride),
            accumulate,
            lhs.data.as_ptr(),
            s(lhs.col_stride),
            s(lhs.row_stride),
            rhs.data.as_ptr(),
            s(rhs.col_stride),
            s(rhs.row_stride),
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        out
    }

    #[test]
    fn products_plain_transposed_and_accumulated() {
        let (m, k, n) = (3, 4, 5);
        let a: Vec<f32> = (0..m * k).map(|v| v as f32 - 5.0).collect();
        let b: Vec<f32> = (0..k * n).map(|v| (v % 7) as f32).collect();
        let want = naive(&a, &b, m, k, n);
        let mut out = vec![f32::NAN; m * n];
        let av = View {
            data: &a,
            rows: m,
            cols: k,
            row_stride: k,
            col_stride: 1,
        };
        let bv = View {
            data: &b,
            rows: k,
            cols: n,
            row_stride: n,
            col_stride: 1,
        };
        matmul(&mut out, n, av, bv, false);
        assert_eq!(out, want);
        // b given as its transpose's column-major view.
        let bt: Vec<f32> = (0..n)
            .flat_map(|j| (0..k).map(move |p| (p, j)))
            .map(|(p, j)| b[p * n + j])
            .collect();
        let btv = View {
            data: &bt,
            rows: k,
            cols: n,
            row_stride: 1,
            col_stride: k,
        };
        let mut again = vec![1.0; m * n];
        matmul(&mut again, n, av, btv, true);
        assert_eq!(again, want.iter().map(|v| v + 1.0).collect::<Vec<_>>());
    }

    #[test]
    #[should_panic(expected = "reaches past its slice")]
    fn a_view_past_its_slice_is_refused_before_the_call() {
        let a = [1.0; 5];
        let v = View {
            data: &a,
            rows: 2,
            cols: 3,
            row_stride: 3,
            col_stride: 1,
        };
        matmul(
            &mut [0.0; 4],
            2,
            v,
            View {
                data: &a,
                rows: 3,
                cols: 1,
                row_stride: 1,
                col_stride: 1,
            },
            false,
        );
    }
}
