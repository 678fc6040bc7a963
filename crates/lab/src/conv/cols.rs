//! The column matrix of a convolution (im2col) and its adjoint (col2im), on host `f32`s.
//!
//! For one image of `ci` channels, `h × w` pixels, a `k × k` kernel at stride 1 and zero
//! padding `pad`, the column matrix has `ci·k·k` rows, one per (channel, kernel row, kernel
//! column), and `ho·wo` columns, one per output pixel: entry ((c, ky, kx), (oy, ox)) is the
//! input pixel (c, oy + ky − pad, ox + kx − pad), or 0 outside the image. A convolution is
//! then one matrix product, `W [co, ci·k·k] × cols [ci·k·k, ho·wo]`; its input gradient is
//! `col2im(Wᵀ × dY)`, its weight gradient `dY × colsᵀ`.
//!
//! Both loops run row by row over contiguous memory: for a fixed (c, ky, kx, oy), the
//! output columns ox map to a contiguous run of input pixels, so each row is a copy (or a
//! sum) of one slice, with the padding's zeros at its ends.

/// The shape of a stride-1 square convolution over a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvShape {
    /// Images.
    pub n: usize,
    /// Input channels.
    pub ci: usize,
    /// Input rows.
    pub h: usize,
    /// Input columns.
    pub w: usize,
    /// Output channels (filters).
    pub co: usize,
    /// Kernel side.
    pub k: usize,
    /// Zero padding on every side.
    pub pad: usize,
}

impl ConvShape {
    /// Output rows.
    pub fn ho(&self) -> usize {
        (self.h + 2 * self.pad + 1).saturating_sub(self.k)
    }
    /// Output columns.
    pub fn wo(&self) -> usize {
        (self.w + 2 * self.pad + 1).saturating_sub(self.k)
    }
    /// Rows of one image's column matrix (`ci·k·k`).
    pub fn col_rows(&self) -> usize {
        self.ci * self.k * self.k
    }
    /// Columns of one image's column matrix (`ho·wo`).
    pub fn col_cols(&self) -> usize {
        self.ho() * self.wo()
    }
    /// Values of one input image.
    pub fn image_len(&self) -> usize {
        self.ci * self.h * self.w
    }
}

/// For output column `ox` and kernel column `kx`, the output range whose input column
/// `ox + kx − pad` lies inside `0..w`, as (first output column, count).
fn inside(kx: usize, pad: usize, w: usize, wo: usize) -> (usize, usize) {
    // ox + kx >= pad  and  ox + kx - pad < w
    let first = pad.saturating_sub(kx);
    let last = (w + pad).saturating_sub(kx).min(wo); // exclusive
    (first.min(last), last.saturating_sub(first))
}

/// Write image `x` (`[ci, h, w]`) as its column matrix into `cols` (`[ci·k·k, ho·wo]`,
/// row-major; every entry is written).
pub fn im2col(s: &ConvShape, x: &[f32], cols: &mut [f32]) {
    let (ho, wo, k, pad) = (s.ho(), s.wo(), s.k, s.pad);
    debug_assert_eq!(x.len(), s.image_len());
    debug_assert_eq!(cols.len(), s.col_rows() * s.col_cols());
    for c in 0..s.ci {
        let plane = &x[c * s.h * s.w..(c + 1) * s.h * s.w];
        for ky in 0..k {
            for kx in 0..k {
                let row = ((c * k + ky) * k + kx) * ho * wo;
                let (first, count) = inside(kx, pad, s.w, wo);
                for oy in 0..ho {
                    let out = &mut cols[row + oy * wo..row + (oy + 1) * wo];
                    let iy = (oy + ky) as isize - pad as isize;
                    if iy < 0 || iy >= s.h as isize || count == 0 {
                        out.fill(0.0);
                        continue;
                    }
                    let src = iy as usize * s.w + first + kx - pad;
                    out[..first].fill(0.0);
                    out[first..first + count].copy_from_slice(&plane[src..src + count]);
                    out[first + count..].fill(0.0);
                }
            }
        }
    }
}

/// Add the column matrix `cols` (`[ci·k·k, ho·wo]`) back into image `dx` (`[ci, h, w]`),
/// the adjoint of [`im2col`]: every column entry is added to the pixel it was taken from.
pub fn col2im_add(s: &ConvShape, cols: &[f32], dx: &mut [f32]) {
    let (ho, wo, k, pad) = (s.ho(), s.wo(), s.k, s.pad);
    debug_assert_eq!(dx.len(), s.image_len());
    debug_assert_eq!(cols.len(), s.col_rows() * s.col_cols());
    for c in 0..s.ci {
        let plane = &mut dx[c * s.h * s.w..(c + 1) * s.h * s.w];
        for ky in 0..k {
            for kx in 0..k {
                let row = ((c * k + ky) * k + kx) * ho * wo;
                let (first, count) = inside(kx, pad, s.w, wo);
                if count == 0 {
                    continue;
                }
                for oy in 0..ho {
                    let iy = (oy + ky) as isize - pad as isize;
                    if iy < 0 || iy >= s.h as isize {
                        continue;
                    }
                    let dst = iy as usize * s.w + first + kx - pad;
                    let src = &cols[row + oy * wo + first..row + oy * wo + first + count];
                    for (d, v) in plane[dst..dst + count].iter_mut().zip(src) {
                        *d += v;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The column matrix straight from its definition.
    fn naive_cols(s: &ConvShape, x: &[f32]) -> Vec<f32> {
        let (ho, wo, k) = (s.ho(), s.wo(), s.k);
        let mut out = vec![0.0; s.col_rows() * ho * wo];
        for c in 0..s.ci {
            for ky in 0..k {
                for kx in 0..k {
                    for oy in 0..ho {
                        for ox in 0..wo {
                            let iy = (oy + ky) as isize - s.pad as isize;
                            let ix = (ox + kx) as isize - s.pad as isize;
                            let v =
                                if iy >= 0 && ix >= 0 && (iy as usize) < s.h && (ix as usize) < s.w
                                {
                                    x[(c * s.h + iy as usize) * s.w + ix as usize]
                                } else {
                                    0.0
                                };
                            out[(((c * k + ky) * k + kx) * ho + oy) * wo + ox] = v;
                        }
                    }
                }
            }
        }
        out
    }

    fn shape() -> impl Strategy<Value = ConvShape> {
        (
            1usize..4,
            1usize..9,
            1usize..9,
            prop_oneof![Just(1usize), Just(3), Just(5)],
            0usize..3,
        )
            .prop_filter("the kernel fits the padded image", |&(_, h, w, k, pad)| {
                h + 2 * pad >= k && w + 2 * pad >= k
            })
            .prop_map(|(ci, h, w, k, pad)| ConvShape {
                n: 1,
                ci,
                h,
                w,
                co: 1,
                k,
                pad,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn im2col_is_the_definition(s in shape(), seed in any::<u64>()) {
            let x: Vec<f32> = (0..s.image_len()).map(|i| ((i as u64 ^ seed) % 97) as f32 - 48.0).collect();
            let mut cols = vec![f32::NAN; s.col_rows() * s.col_cols()];
            im2col(&s, &x, &mut cols);
            prop_assert_eq!(cols, naive_cols(&s, &x));
        }

        /// col2im is im2col's adjoint: <im2col(x), c> = <x, col2im(c)> for every x and c.
        #[test]
        fn col2im_is_the_adjoint(s in shape(), seed in any::<u64>()) {
            let x: Vec<f32> = (0..s.image_len()).map(|i| ((i as u64 * 7 + seed) % 13) as f32).collect();
            let c: Vec<f32> = (0..s.col_rows() * s.col_cols()).map(|i| ((i as u64 * 3 + seed) % 11) as f32).collect();
            let mut cols = vec![0.0; c.len()];
            im2col(&s, &x, &mut cols);
            let mut back = vec![0.0; x.len()];
            col2im_add(&s, &c, &mut back);
            let left: f64 = cols.iter().zip(&c).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
            let right: f64 = x.iter().zip(&back).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
            prop_assert_eq!(left, right);
        }
    }
}
