//! The `cnnlab` binary as a user runs it: tables, a short synthetic run with its JSON and
//! weights, evaluation of the saved weights, and one clear line for each bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn cnnlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cnnlab"))
        .args(args)
        .output()
        .expect("cnnlab runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cnnlab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn summary_prints_both_tables() {
    let six = cnnlab(&["summary", "--model", "six"]);
    assert!(six.status.success());
    let text = stdout(&six);
    assert!(text.contains("6-layer CNN"));
    assert!(text.contains("2,098,176") && text.contains("87.6%") && text.contains("2,395,434"));
    assert!(text.contains("momentum 0.9"));
    let four = stdout(&cnnlab(&["summary", "--model", "four"]));
    assert!(four.contains("(64, 6, 6)") && four.contains("94.3%") && four.contains("1,250,858"));
}

#[test]
fn synthetic_run_writes_json_and_weights_that_eval_reads() {
    let json = temp("run.json");
    let weights = temp("four.bpk");
    let out = cnnlab(&[
        "train",
        "--model",
        "four",
        "--synthetic",
        "--epochs",
        "2",
        "--per-class",
        "20",
        "--test-limit",
        "50",
        "--lr",
        "0.01",
        "--seed",
        "4",
        "--json",
        json.to_str().unwrap(),
        "--save",
        weights.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("NOT CIFAR-10"),
        "the synthetic set is labelled: {text}"
    );
    assert!(text.contains("Epoch 2/2 - ") && text.contains("val_accuracy"));
    assert!(text.contains("Confusion matrix"));

    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(run["model"], "four");
    assert_eq!(run["backend"], "flex");
    assert_eq!(run["epochs"], 2);
    assert_eq!(run["batch_size"], 32);
    assert_eq!(run["train_images"], 200);
    assert_eq!(run["history"].as_array().unwrap().len(), 2);
    for key in [
        "epoch",
        "train_loss",
        "train_accuracy",
        "val_loss",
        "val_accuracy",
        "seconds",
    ] {
        assert!(run["history"][1][key].is_number(), "history lacks {key}");
    }
    let cm = run["confusion_matrix"].as_array().unwrap();
    assert_eq!(cm.len(), 10);
    let total: u64 = cm
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(total, 50);
    let acc = run["test_accuracy"].as_f64().unwrap();
    assert!(run["images_per_second"].as_f64().unwrap() > 0.0);
    let (train_s, total_s) = (
        run["train_seconds"].as_f64().unwrap(),
        run["total_seconds"].as_f64().unwrap(),
    );
    assert!(0.0 < train_s && train_s < total_s, "{train_s} {total_s}");
    assert_eq!(run["lr"].as_f64(), Some(0.01));

    // The report reads back, printed as `train` prints a run.
    let shown = cnnlab(&["report", json.to_str().unwrap()]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(
        stdout(&shown).contains("Epoch 2/2 - "),
        "{}",
        stdout(&shown)
    );
    assert!(stdout(&shown).contains(&format!("Test accuracy: {:.2}%", 100.0 * acc)));
    // So does the browser app's report download (its own test pins this file).
    let app = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/app-report.json"
    );
    let shown = cnnlab(&["report", app]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(
        text.contains("six model on flex (CPU (Flex) · 2 threads)"),
        "{text}"
    );
    assert!(
        text.contains("Epoch 2/2 - 10s") && text.contains("625 images/s"),
        "{text}"
    );
    let bad = cnnlab(&["report", weights.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("four.bpk"), "{}", stderr(&bad));

    let eval = cnnlab(&[
        "eval",
        "--model",
        "four",
        "--weights",
        weights.to_str().unwrap(),
        "--synthetic",
        "--test-limit",
        "50",
    ]);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let want = format!("Test accuracy: {:.2}%", 100.0 * acc);
    assert!(
        stdout(&eval).contains(&want),
        "eval of saved weights repeats {want}: {}",
        stdout(&eval)
    );
    let loss = run["history"][1]["val_loss"].as_f64().unwrap();
    let want = format!("loss {loss:.4}");
    assert!(stdout(&eval).contains(&want), "{want}: {}", stdout(&eval));

    let wrong = cnnlab(&[
        "eval",
        "--model",
        "six",
        "--weights",
        weights.to_str().unwrap(),
        "--synthetic",
    ]);
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("do not fit the 6-layer CNN"),
        "{}",
        stderr(&wrong)
    );
}

fn one_line_error(args: &[&str], needle: &str) {
    let out = cnnlab(args);
    assert!(!out.status.success(), "{args:?} should fail");
    let err = stderr(&out);
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn bad_inputs_give_one_clear_line() {
    one_line_error(
        &["train", "--model", "six", "--data", "/no/such/dir"],
        "/no/such/dir",
    );
    let junk = temp("junk.tar.gz");
    std::fs::write(&junk, b"this is not an archive").unwrap();
    one_line_error(
        &["train", "--model", "six", "--data", junk.to_str().unwrap()],
        "not a gzip file",
    );
    one_line_error(
        &["train", "--model", "seven", "--synthetic"],
        "invalid value 'seven'",
    );
    one_line_error(&["train", "--model", "six"], "--data");
    one_line_error(
        &[
            "train",
            "--model",
            "six",
            "--synthetic",
            "--batch-size",
            "0",
        ],
        "batch size",
    );
    one_line_error(
        &[
            "train",
            "--model",
            "six",
            "--synthetic",
            "--json",
            "/no/such/dir/run.json",
        ],
        "cannot write /no/such/dir/run.json",
    );
    let missing = temp("missing.bpk");
    one_line_error(
        &[
            "eval",
            "--model",
            "six",
            "--weights",
            missing.to_str().unwrap(),
            "--synthetic",
        ],
        "cannot read",
    );
}
