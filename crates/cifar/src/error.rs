//! One error type for every way a data file can be wrong.

use thiserror::Error;

/// What is wrong with a data file. Every variant names the file.
#[derive(Debug, Error)]
pub enum DataError {
    /// The size is not a whole number of 3,073-byte records.
    #[error(
        "{file}: {len} bytes is not a whole number of 3,073-byte records: record {record} is truncated ({partial} of 3,073 bytes)"
    )]
    Truncated {
        /// The file.
        file: String,
        /// Its size in bytes.
        len: usize,
        /// The 0-based index of the incomplete record.
        record: usize,
        /// Bytes present of that record.
        partial: usize,
    },
    /// A record's label byte is not a class index.
    #[error("{file}: record {record} has label {label}, outside 0-9")]
    BadLabel {
        /// The file.
        file: String,
        /// The 0-based record index.
        record: usize,
        /// The byte found.
        label: u8,
    },
    /// The file holds no records.
    #[error("{file}: the file is empty")]
    Empty {
        /// The file.
        file: String,
    },
    /// The file does not start with the gzip magic bytes.
    #[error("{file}: not a gzip file (expected a .tar.gz such as cifar-10-binary.tar.gz)")]
    NotGzip {
        /// The file.
        file: String,
    },
    /// The gzip stream breaks off or fails its checksum.
    #[error("{file}: the gzip data is corrupt or cut short: {reason}")]
    CorruptGzip {
        /// The file.
        file: String,
        /// What the decoder said.
        reason: String,
    },
    /// The gunzipped data is not a tar archive.
    #[error("{file}: not a tar archive inside the gzip: {reason}")]
    NotTar {
        /// The file.
        file: String,
        /// What the tar reader said.
        reason: String,
    },
    /// A file the dataset needs was not found.
    #[error("{file}: required file missing from {place}")]
    Missing {
        /// The missing file's name.
        file: String,
        /// Where it was looked for (a directory, an archive, the dropped files).
        place: String,
    },
    /// The class-name file is not ten non-empty lines.
    #[error("{file}: expected 10 class names, one a line, found {found}")]
    BadMeta {
        /// The file.
        file: String,
        /// How many names were found.
        found: usize,
    },
    /// The file could not be read at all.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}
