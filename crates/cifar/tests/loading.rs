//! Loader round trips and every bad-input case, on data the tests make themselves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::io::Write;

use cifar::{
    DataError, Dataset, DatasetBuilder, IMAGE_BYTES, META_FILE, RECORD_BYTES, TEST_FILE,
    TRAIN_FILES, parse_batch, synthetic,
};

/// A tiny batch file: `n` records whose labels cycle 0..9 and whose pixels encode the index.
fn batch_bytes(n: usize, offset: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(((i + offset) % 10) as u8);
        out.extend((0..IMAGE_BYTES).map(|p| ((i + offset + p) % 251) as u8));
    }
    out
}

fn meta_bytes() -> Vec<u8> {
    (cifar::CLASS_NAMES.join("\n") + "\n\n").into_bytes()
}

/// All seven files of the official layout, small.
fn files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = TRAIN_FILES
        .iter()
        .enumerate()
        .map(|(k, name)| (name.to_string(), batch_bytes(4, k * 4)))
        .collect();
    files.push((TEST_FILE.into(), batch_bytes(3, 100)));
    files.push((META_FILE.into(), meta_bytes()));
    files
}

fn tar_gz(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("cifar-10-batches-bin/{name}"),
            &bytes[..],
        )
        .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cifar-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn batch_round_trip_keeps_labels_and_pixels() {
    let bytes = batch_bytes(5, 0);
    let set = parse_batch("b.bin", &bytes).unwrap();
    assert_eq!(set.len(), 5);
    assert_eq!(set.labels(), &[0, 1, 2, 3, 4]);
    assert_eq!(set.image(2)[0], 2);
    assert_eq!(set.image(2)[10], 12);
    assert_eq!(set.to_batch_bytes(), bytes);
}

#[test]
fn batch_f32_scales_to_unit_range_in_nchw_order() {
    let mut bytes = batch_bytes(2, 0);
    bytes[1] = 255; // image 0, red plane, pixel (0,0)
    bytes[1 + 1024] = 0; // image 0, green plane, pixel (0,0)
    let set = parse_batch("b.bin", &bytes).unwrap();
    let (mut px, mut labels) = (Vec::new(), Vec::new());
    set.batch_f32(&[1, 0], &mut px, &mut labels);
    assert_eq!(labels, vec![1, 0]);
    assert_eq!(px.len(), 2 * IMAGE_BYTES);
    assert_eq!(px[IMAGE_BYTES], 1.0);
    assert_eq!(px[IMAGE_BYTES + 1024], 0.0);
    assert!(
        (px[0] - 1.0 / 255.0).abs() < 1e-7,
        "image 1 pixel 0 is byte 1"
    );
    assert!(px.iter().all(|&v| (0.0..=1.0).contains(&v)));
}

#[test]
fn truncated_batch_names_the_file_and_record() {
    let mut bytes = batch_bytes(3, 0);
    bytes.truncate(2 * RECORD_BYTES + 100);
    let err = parse_batch("data_batch_2.bin", &bytes).unwrap_err();
    assert!(matches!(
        err,
        DataError::Truncated {
            record: 2,
            partial: 100,
            ..
        }
    ));
    let msg = err.to_string();
    assert!(msg.contains("data_batch_2.bin"), "{msg}");
    assert!(msg.contains("record 2"), "{msg}");
}

#[test]
fn bad_label_names_the_record() {
    let mut bytes = batch_bytes(3, 0);
    bytes[RECORD_BYTES] = 10;
    let err = parse_batch("test_batch.bin", &bytes).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadLabel {
                record: 1,
                label: 10,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("test_batch.bin: record 1 has label 10")
    );
}

#[test]
fn empty_batch_is_an_error() {
    let err = parse_batch("x.bin", &[]).unwrap_err();
    assert!(matches!(err, DataError::Empty { .. }));
}

#[test]
fn subsets_take_the_first_images_or_n_per_class() {
    let set = parse_batch("b", &batch_bytes(40, 0)).unwrap();
    assert_eq!(set.first(7).len(), 7);
    assert_eq!(set.first(1000).len(), 40);
    let per = set.per_class(2);
    assert_eq!(per.len(), 20);
    assert_eq!(per.class_counts(), [2; 10]);
    assert_eq!(per.image(0), set.image(0));
    assert_eq!(
        per.image(10),
        set.image(10),
        "second of class 0 is image 10"
    );
}

#[test]
fn directory_round_trip() {
    let dir = temp_dir("dir");
    for (name, bytes) in files() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let data = Dataset::open(&dir).unwrap();
    assert_eq!(data.train.len(), 20);
    assert_eq!(data.test.len(), 3);
    assert_eq!(data.class_names[9], "truck");
    assert!(data.source.is_cifar10());
    // Training batches are concatenated in file order.
    assert_eq!(data.train.label(4), 4);
    assert_eq!(
        data.train.image(4),
        parse_batch("b", &batch_bytes(4, 4)).unwrap().image(0)
    );
}

#[test]
fn directory_missing_a_file_names_it() {
    let dir = temp_dir("missing");
    for (name, bytes) in files() {
        if name != "data_batch_4.bin" {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let err = Dataset::open(&dir).unwrap_err();
    assert!(
        matches!(&err, DataError::Missing { file, .. } if file == "data_batch_4.bin"),
        "{err}"
    );
}

#[test]
fn a_path_that_does_not_exist_is_an_error_not_a_panic() {
    let err = Dataset::open(std::path::Path::new("/no/such/cifar")).unwrap_err();
    assert!(err.to_string().starts_with("/no/such/cifar"), "{err}");
}

#[test]
fn tar_gz_round_trip_reports_progress() {
    let archive = tar_gz(&files());
    let mut last = 0;
    let data = cifar::read_tar_gz("c.tar.gz", &archive[..], |n| last = n).unwrap();
    assert_eq!(data.train.len(), 20);
    assert_eq!(data.test.len(), 3);
    assert_eq!(data.test.label(0), 0);
    assert!(last > 0 && last <= archive.len() as u64);

    let dir = temp_dir("targz");
    let path = dir.join("cifar-10-binary.tar.gz");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&archive)
        .unwrap();
    assert_eq!(Dataset::open(&path).unwrap().train.len(), 20);
}

#[test]
fn not_gzip_is_reported() {
    let err = cifar::read_tar_gz("photo.png", &b"\x89PNG\r\n\x1a\n...."[..], |_| {}).unwrap_err();
    assert!(matches!(err, DataError::NotGzip { .. }), "{err}");
    assert!(err.to_string().contains("photo.png"));
    let err = cifar::read_tar_gz("empty.tar.gz", &b""[..], |_| {}).unwrap_err();
    assert!(matches!(err, DataError::NotGzip { .. }), "{err}");
}

#[test]
fn gzip_of_something_else_is_not_a_tar() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&[7u8; 2000]).unwrap();
    let bytes = gz.finish().unwrap();
    let err = cifar::read_tar_gz("notes.gz", &bytes[..], |_| {}).unwrap_err();
    assert!(matches!(err, DataError::NotTar { .. }), "{err}");
}

#[test]
fn cut_short_archive_is_corrupt_gzip() {
    let archive = tar_gz(&files());
    let cut = &archive[..archive.len() / 2];
    let err = cifar::read_tar_gz("half.tar.gz", cut, |_| {}).unwrap_err();
    assert!(matches!(err, DataError::CorruptGzip { .. }), "{err}");
}

#[test]
fn archive_with_a_bad_batch_names_the_member() {
    let mut files = files();
    files[1].1.truncate(RECORD_BYTES + 5);
    let err = cifar::read_tar_gz("c.tar.gz", &tar_gz(&files)[..], |_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("c.tar.gz:cifar-10-batches-bin/data_batch_2.bin"),
        "{msg}"
    );
    assert!(msg.contains("record 1"), "{msg}");
}

#[test]
fn archive_missing_the_test_batch() {
    let files: Vec<_> = files()
        .into_iter()
        .filter(|(n, _)| n != TEST_FILE)
        .collect();
    let err = cifar::read_tar_gz("c.tar.gz", &tar_gz(&files)[..], |_| {}).unwrap_err();
    assert!(
        matches!(&err, DataError::Missing { file, .. } if file == TEST_FILE),
        "{err}"
    );
}

#[test]
fn bad_meta_file() {
    let mut b = DatasetBuilder::new("drop");
    let err = b.add_file("batches.meta.txt", b"cat\ndog\n").unwrap_err();
    assert!(matches!(err, DataError::BadMeta { found: 2, .. }), "{err}");
}

#[test]
fn builder_can_start_before_all_files_arrive() {
    let mut b = DatasetBuilder::new("served");
    assert!(!b.can_start());
    assert!(
        b.add_file("data/test_batch.bin", &batch_bytes(3, 0))
            .unwrap()
    );
    assert!(
        !b.add_file("data/readme.html", b"<html>").unwrap(),
        "unknown files are skipped"
    );
    assert!(!b.can_start());
    b.add_file("data/data_batch_1.bin", &batch_bytes(4, 0))
        .unwrap();
    assert!(b.can_start());
    let partial = b.clone().finish_partial().unwrap();
    assert_eq!(partial.train.len(), 4);
    assert!(matches!(b.finish(), Err(DataError::Missing { .. })));
}

#[test]
fn synthetic_set_is_deterministic_balanced_and_labelled_as_such() {
    let a = synthetic::dataset(5, 2, 3);
    let b = synthetic::dataset(5, 2, 3);
    assert_eq!(a.train, b.train);
    assert_ne!(a.train, synthetic::dataset(5, 2, 4).train);
    assert_eq!(a.train.class_counts(), [5; 10]);
    assert_eq!(a.test.class_counts(), [2; 10]);
    assert!(!a.source.is_cifar10());
    assert!(a.source.describe().contains("NOT CIFAR-10"));
    assert!(
        !a.class_names
            .iter()
            .any(|n| cifar::CLASS_NAMES.contains(&n.as_str()))
    );
    assert_ne!(
        a.train.image(0),
        a.train.image(10),
        "two images of one class differ"
    );
}
