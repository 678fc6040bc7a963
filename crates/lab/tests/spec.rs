//! Both architecture tables against the tutorial, row by row, and the burn module against
//! the table.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use burn::module::Module;
use lab::spec::{Dims, ModelKind, group_thousands};

fn map(c: usize, h: usize, w: usize) -> Dims {
    Dims::Map { c, h, w }
}

/// (operation, dims, weights) rows as the tutorial lists them, activations included.
fn rows(kind: ModelKind) -> Vec<(String, Dims, usize)> {
    kind.spec()
        .table()
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.operation, r.dims, r.weights))
        .collect()
}

fn expect(list: &[(&str, Dims, usize)]) -> Vec<(String, Dims, usize)> {
    list.iter()
        .map(|(o, d, w)| (o.to_string(), *d, *w))
        .collect()
}

#[test]
fn six_layer_table_matches_the_tutorial() {
    let want = expect(&[
        ("Conv2D", map(32, 32, 32), 896),
        ("relu", map(32, 32, 32), 0),
        ("Dropout", map(32, 32, 32), 0),
        ("Conv2D", map(32, 32, 32), 9_248),
        ("relu", map(32, 32, 32), 0),
        ("MaxPooling2D", map(32, 16, 16), 0),
        ("Conv2D", map(64, 16, 16), 18_496),
        ("relu", map(64, 16, 16), 0),
        ("Dropout", map(64, 16, 16), 0),
        ("Conv2D", map(64, 16, 16), 36_928),
        ("relu", map(64, 16, 16), 0),
        ("MaxPooling2D", map(64, 8, 8), 0),
        ("Conv2D", map(128, 8, 8), 73_856),
        ("relu", map(128, 8, 8), 0),
        ("Dropout", map(128, 8, 8), 0),
        ("Conv2D", map(128, 8, 8), 147_584),
        ("relu", map(128, 8, 8), 0),
        ("MaxPooling2D", map(128, 4, 4), 0),
        ("Flatten", Dims::Flat(2048), 0),
        ("Dropout", Dims::Flat(2048), 0),
        ("Dense", Dims::Flat(1024), 2_098_176),
        ("relu", Dims::Flat(1024), 0),
        ("Dropout", Dims::Flat(1024), 0),
        ("Dense", Dims::Flat(10), 10_250),
        ("softmax", Dims::Flat(10), 0),
    ]);
    assert_eq!(rows(ModelKind::Six), want);
    let table = ModelKind::Six.spec().table().unwrap();
    assert_eq!(table.total, 2_395_434);
    let dense = table.rows.iter().find(|r| r.weights == 2_098_176).unwrap();
    assert_eq!(format!("{:.1}", dense.percent), "87.6");
    assert_eq!(format!("{:.1}", table.rows[0].percent), "0.0");
}

#[test]
fn four_layer_table_matches_the_tutorial() {
    let want = expect(&[
        ("Conv2D", map(32, 32, 32), 896),
        ("relu", map(32, 32, 32), 0),
        ("Conv2D", map(32, 30, 30), 9_248),
        ("relu", map(32, 30, 30), 0),
        ("MaxPooling2D", map(32, 15, 15), 0),
        ("Dropout", map(32, 15, 15), 0),
        ("Conv2D", map(64, 15, 15), 18_496),
        ("relu", map(64, 15, 15), 0),
        ("Conv2D", map(64, 13, 13), 36_928),
        ("relu", map(64, 13, 13), 0),
        ("MaxPooling2D", map(64, 6, 6), 0),
        ("Dropout", map(64, 6, 6), 0),
        ("Flatten", Dims::Flat(2304), 0),
        ("Dense", Dims::Flat(512), 1_180_160),
        ("relu", Dims::Flat(512), 0),
        ("Dropout", Dims::Flat(512), 0),
        ("Dense", Dims::Flat(10), 5_130),
        ("softmax", Dims::Flat(10), 0),
    ]);
    assert_eq!(rows(ModelKind::Four), want);
    let table = ModelKind::Four.spec().table().unwrap();
    assert_eq!(table.total, 1_250_858);
    let dense = table.rows.iter().find(|r| r.weights == 1_180_160).unwrap();
    assert_eq!(format!("{:.1}", dense.percent), "94.3");
}

#[test]
fn tutorial_hyperparameters() {
    let six = ModelKind::Six.spec().hyper;
    assert_eq!(
        (
            six.lr,
            six.momentum,
            six.nesterov,
            six.decay,
            six.batch_size
        ),
        (0.01, 0.9, false, 1e-6, 32)
    );
    let four = ModelKind::Four.spec().hyper;
    assert_eq!(
        (
            four.lr,
            four.momentum,
            four.nesterov,
            four.decay,
            four.batch_size
        ),
        (0.1, 0.0, true, 1e-6, 32)
    );
    assert_eq!(ModelKind::Six.spec().max_norm_layer(), Some((14, 3.0)));
    assert_eq!(ModelKind::Four.spec().max_norm_layer(), None);
}

#[test]
fn burn_module_has_exactly_the_tables_weights() {
    let device = lab::backend::host_device();
    for kind in ModelKind::ALL {
        let spec = kind.spec();
        let model = lab::Cnn::new(&spec, &device).unwrap();
        assert_eq!(model.num_params(), spec.param_count().unwrap(), "{kind:?}");
        let x = burn::tensor::Tensor::<4>::zeros([2, 3, 32, 32], &device);
        assert_eq!(model.forward(x).dims(), [2, 10]);
    }
}

#[test]
fn text_table_has_the_tutorial_columns_and_total() {
    let text = ModelKind::Six.spec().table().unwrap().to_text();
    assert!(text.starts_with("OPERATION"));
    assert!(text.contains("WEIGHTS(%)"));
    assert!(text.contains("2,098,176"));
    assert!(text.contains("87.6%"));
    assert!(text.contains("(128, 4, 4)"));
    assert!(text.trim_end().ends_with("2,395,434"));
    assert_eq!(group_thousands(1_250_858), "1,250,858");
    assert_eq!(group_thousands(896), "896");
}

#[test]
fn inconsistent_specs_are_errors() {
    let mut spec = ModelKind::Four.spec();
    spec.layers
        .retain(|l| !matches!(l, lab::spec::LayerSpec::Flatten));
    assert!(spec.table().is_err());
    assert!(lab::Cnn::new(&spec, &lab::backend::host_device()).is_err());
}
