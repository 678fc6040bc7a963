//! Batch files: records of one label byte and 3,072 pixel bytes.

use crate::{DataError, IMAGE_BYTES, NUM_CLASSES, RECORD_BYTES};

/// A set of labelled images held as the format's raw bytes (CHW, `u8`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageSet {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

/// Parse one batch file (e.g. `data_batch_1.bin`) from its bytes.
///
/// `file` names the file in errors. A size that is not a multiple of 3,073 bytes, an empty
/// file or a label outside 0–9 is an error naming the record.
pub fn parse_batch(file: &str, bytes: &[u8]) -> Result<ImageSet, DataError> {
    if bytes.is_empty() {
        return Err(DataError::Empty { file: file.into() });
    }
    let partial = bytes.len() % RECORD_BYTES;
    if partial != 0 {
        return Err(DataError::Truncated {
            file: file.into(),
            len: bytes.len(),
            record: bytes.len() / RECORD_BYTES,
            partial,
        });
    }
    let count = bytes.len() / RECORD_BYTES;
    let mut set = ImageSet {
        pixels: Vec::with_capacity(count * IMAGE_BYTES),
        labels: Vec::with_capacity(count),
    };
    for (record, chunk) in bytes.chunks_exact(RECORD_BYTES).enumerate() {
        let label = chunk[0];
        if usize::from(label) >= NUM_CLASSES {
            return Err(DataError::BadLabel {
                file: file.into(),
                record,
                label,
            });
        }
        set.labels.push(label);
        set.pixels.extend_from_slice(&chunk[1..]);
    }
    Ok(set)
}

/// Parse `batches.meta.txt`: ten class names, one a line (blank lines ignored).
pub fn parse_meta(file: &str, bytes: &[u8]) -> Result<Vec<String>, DataError> {
    let text = String::from_utf8_lossy(bytes);
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect();
    if names.len() != NUM_CLASSES {
        return Err(DataError::BadMeta {
            file: file.into(),
            found: names.len(),
        });
    }
    Ok(names)
}

impl ImageSet {
    /// Build a set from raw CHW pixel bytes and labels.
    ///
    /// # Panics
    /// If the pixel count is not `labels.len() * 3072` or a label is not below 10: callers
    /// build these from their own generated data, never from a file (use [`parse_batch`]).
    pub fn from_raw(pixels: Vec<u8>, labels: Vec<u8>) -> Self {
        assert_eq!(pixels.len(), labels.len() * IMAGE_BYTES, "pixel count");
        assert!(
            labels.iter().all(|&l| usize::from(l) < NUM_CLASSES),
            "labels"
        );
        Self { pixels, labels }
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set holds no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// All labels, in order.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The label of image `i`.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// The raw CHW bytes of image `i` (red plane, green plane, blue plane).
    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * IMAGE_BYTES..(i + 1) * IMAGE_BYTES]
    }

    /// Append another set's images after this one's.
    pub fn extend(&mut self, other: &ImageSet) {
        self.pixels.extend_from_slice(&other.pixels);
        self.labels.extend_from_slice(&other.labels);
    }

    /// The first `n` images (all of them if there are fewer).
    pub fn first(&self, n: usize) -> ImageSet {
        let n = n.min(self.len());
        ImageSet {
            pixels: self.pixels[..n * IMAGE_BYTES].to_vec(),
            labels: self.labels[..n].to_vec(),
        }
    }

    /// The first `n` images of each class, in their original order.
    pub fn per_class(&self, n: usize) -> ImageSet {
        let mut taken = [0usize; NUM_CLASSES];
        let mut out = ImageSet::default();
        for i in 0..self.len() {
            let class = usize::from(self.labels[i]);
            if taken[class] < n {
                taken[class] += 1;
                out.pixels.extend_from_slice(self.image(i));
                out.labels.push(self.labels[i]);
            }
        }
        out
    }

    /// How many images each class has.
    pub fn class_counts(&self) -> [usize; NUM_CLASSES] {
        let mut counts = [0; NUM_CLASSES];
        for &l in &self.labels {
            counts[usize::from(l)] += 1;
        }
        counts
    }

    /// The images at `indices` as one NCHW `f32` buffer scaled to `[0, 1]`, and their labels.
    ///
    /// Writes into the caller's buffers (cleared first) so a training loop reuses them.
    pub fn batch_f32(&self, indices: &[usize], pixels: &mut Vec<f32>, labels: &mut Vec<u8>) {
        pixels.clear();
        labels.clear();
        pixels.reserve(indices.len() * IMAGE_BYTES);
        for &i in indices {
            pixels.extend(self.image(i).iter().map(|&b| f32::from(b) / 255.0));
            labels.push(self.labels[i]);
        }
    }

    /// Serialize back to the batch-file format (label byte, then 3,072 pixel bytes).
    pub fn to_batch_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * RECORD_BYTES);
        for i in 0..self.len() {
            out.push(self.labels[i]);
            out.extend_from_slice(self.image(i));
        }
        out
    }
}
