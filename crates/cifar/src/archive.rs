//! The official `cifar-10-binary.tar.gz`, streamed: gunzip and untar in pure Rust, one
//! entry at a time, so a browser can read a dropped-in archive without a second copy of it.

use std::cell::RefCell;
use std::io::{BufRead, Read};
use std::rc::Rc;

use flate2::bufread::GzDecoder;

use crate::{DataError, Dataset, DatasetBuilder};

/// Read a CIFAR-10 `.tar.gz` from `reader`. `file` names it in errors; `progress` is
/// called with the number of compressed bytes read so far (for a progress bar).
///
/// Errors: not gzip (wrong magic bytes), gzip data corrupt or cut short, not a tar inside,
/// a batch file that fails [`crate::parse_batch`], or a required file missing.
pub fn read_tar_gz<R: BufRead>(
    file: &str,
    mut reader: R,
    mut progress: impl FnMut(u64),
) -> Result<Dataset, DataError> {
    let io = |source| DataError::Io {
        file: file.into(),
        source,
    };
    let head = reader.fill_buf().map_err(io)?;
    if head.len() < 2 || head[0] != 0x1f || head[1] != 0x8b {
        return Err(DataError::NotGzip { file: file.into() });
    }

    // The tar reader wraps every read error in its own; remember the decoder's so a broken
    // gzip stream is reported as such rather than as a bad tar.
    let gzip_error = Rc::new(RefCell::new(None));
    let counted = Counting {
        inner: reader,
        read: 0,
        progress: &mut progress,
    };
    let decoder = Watched {
        inner: GzDecoder::new(counted),
        error: gzip_error.clone(),
    };
    let mut archive = tar::Archive::new(decoder);
    let mut builder = DatasetBuilder::new(file);
    let entry_error = |reason: std::io::Error| match gzip_error.borrow_mut().take() {
        Some(gz) => DataError::CorruptGzip {
            file: file.into(),
            reason: gz,
        },
        None => DataError::NotTar {
            file: file.into(),
            reason: reason.to_string(),
        },
    };
    let entries = archive.entries().map_err(entry_error)?;
    let mut bytes = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(entry_error)?;
        let path = entry
            .path()
            .map_err(entry_error)?
            .to_string_lossy()
            .into_owned();
        if !entry.header().entry_type().is_file() {
            continue;
        }
        bytes.clear();
        entry.read_to_end(&mut bytes).map_err(entry_error)?;
        builder.add_file(&format!("{file}:{path}"), &bytes)?;
    }
    builder.finish()
}

/// Counts the compressed bytes handed to the decoder.
struct Counting<'a, R, F> {
    inner: R,
    read: u64,
    progress: &'a mut F,
}

impl<R: BufRead, F: FnMut(u64)> Read for Counting<'_, R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        (self.progress)(self.read);
        Ok(n)
    }
}

impl<R: BufRead, F: FnMut(u64)> BufRead for Counting<'_, R, F> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.read += amt as u64;
        (self.progress)(self.read);
    }
}

/// Passes reads through and keeps the first error's message.
struct Watched<R> {
    inner: R,
    error: Rc<RefCell<Option<String>>>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            self.error.borrow_mut().get_or_insert_with(|| e.to_string());
        })
    }
}
