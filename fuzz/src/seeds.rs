//! Writes a few valid inputs per fuzz target into `corpus/<target>/`, made here from
//! synthetic data (never CIFAR-10), so the fuzzers start from what the parsers accept.
//! `scripts/fuzz` runs it before fuzzing.

use std::io::Write;
use std::path::Path;

use lab::checkpoint::{Checkpoint, RunPoint};
use lab::report::{EpochLine, RunReport};
use lab::spec::ModelKind;

fn put(target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = Path::new("corpus").join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), bytes)
}

fn archive(batch: &[u8]) -> std::io::Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut files: Vec<(String, Vec<u8>)> = cifar::TRAIN_FILES
        .iter()
        .map(|n| (n.to_string(), batch.to_vec()))
        .collect();
    files.push((cifar::TEST_FILE.into(), batch.to_vec()));
    files.push((
        cifar::META_FILE.into(),
        cifar::CLASS_NAMES.join("\n").into_bytes(),
    ));
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("cifar-10-batches-bin/{name}"),
            &bytes[..],
        )?;
    }
    let mut gz = tar.into_inner()?;
    gz.flush()?;
    gz.finish()
}

fn main() -> std::io::Result<()> {
    let batch = cifar::synthetic::dataset(1, 1, 1)
        .train
        .first(2)
        .to_batch_bytes();
    put("batch", "two-records", &batch)?;
    put("archive", "official-layout", &archive(&batch)?)?;

    let device = lab::backend::host_device();
    let model = lab::Cnn::new(&ModelKind::Four.spec(), &device).expect("the 4-layer model");
    let weights = lab::block_on(lab::session::weights_bytes(&model)).expect("weights");
    put("weights", "four-layer", &weights)?;
    put(
        "weights",
        "four-layer-head",
        &weights[..weights.len().min(4096)],
    )?;

    let checkpoint = Checkpoint {
        point: RunPoint {
            model: "4-layer CNN".into(),
            hyper: ModelKind::Four.spec().hyper,
            seed: 1,
            train_len: 50,
            epoch: 1,
            cursor: 32,
            updates: 3,
            loss_sum: 70.5,
            correct: 9.0,
            images: 32,
        },
        weights: vec![0.5, -1.0, 2.0],
        velocity: Some(vec![0.0, 0.1, -0.1]),
    };
    put("checkpoint", "small", &checkpoint.to_bytes())?;

    let line = EpochLine {
        epoch: 1,
        train_loss: 1.5,
        train_accuracy: 0.4,
        val_loss: 1.4,
        val_accuracy: 0.45,
        seconds: 12.0,
        train_seconds: 10.0,
        train_images: 500,
        partial: false,
    };
    let report = RunReport::new(
        ModelKind::Six,
        "flex",
        &ModelKind::Six.spec().hyper,
        1,
        vec![line],
    );
    put("report", "one-epoch", report.to_json().as_bytes())?;

    put(
        "share_link",
        "tutorial",
        b"?model=six&lr=0.01&momentum=0.9&nesterov=0&decay=0.000001&batch=32&epochs=10&train=5000&val=1000&seed=1",
    )?;
    // What the codec writes for real messages (their buffers by index; the target decodes
    // with a few buffers beside the JSON).
    let start = protocol::Command::Start(Box::new(protocol::StartRun {
        config: protocol::RunConfig {
            model: ModelKind::Four,
            hyper: ModelKind::Four.spec().hyper,
            seed: 1,
            backend: lab::BackendKind::Flex,
            strip: vec![0, 1],
            resume: true,
            threads: 2,
        },
        train: vec![1, 2, 3].into(),
        test: Vec::new().into(),
        checkpoint: None,
    }));
    let encoded = |m: &dyn Fn() -> Result<protocol::Envelope, String>| -> std::io::Result<Vec<u8>> {
        m().map(|e| e.json.into_bytes()).map_err(std::io::Error::other)
    };
    put("protocol", "start", &encoded(&|| protocol::codec::encode(&start))?)?;
    let checkpoint = protocol::Event::Checkpoint {
        epoch: 1,
        batch: 2,
        batches_per_epoch: 3,
        bytes: vec![1, 2, 3].into(),
    };
    put("protocol", "checkpoint", &encoded(&|| protocol::codec::encode(&checkpoint))?)?;
    let question = protocol::ModelRequest {
        id: 3,
        question: protocol::ModelQuestion::Maps {
            key: 1,
            pixels: vec![0.5, -1.0].into(),
        },
    };
    put("protocol", "maps", &encoded(&|| protocol::codec::encode(&question))?)?;
    put(
        "protocol",
        "epoch",
        br#"{"Epoch":{"epoch":0,"train_loss":1.5,"train_accuracy":0.4,"val_loss":1.4,"val_accuracy":0.45,"confusion":[[1,0,0,0,0,0,0,0,0,0],[0,1,0,0,0,0,0,0,0,0],[0,0,1,0,0,0,0,0,0,0],[0,0,0,1,0,0,0,0,0,0],[0,0,0,0,1,0,0,0,0,0],[0,0,0,0,0,1,0,0,0,0],[0,0,0,0,0,0,1,0,0,0],[0,0,0,0,0,0,0,1,0,0],[0,0,0,0,0,0,0,0,1,0],[0,0,0,0,0,0,0,0,0,1]],"strip":[{"index":4,"label":3,"predicted":5,"confidence":0.5}],"seconds":12.0,"train_seconds":10.0,"train_images":500,"partial":false}}"#,
    )?;
    put(
        "protocol",
        "predictions",
        &[3, 7, 0, 0, 0, 63, 0, 0, 128, 62],
    )?;
    println!("seeds written under corpus/");
    Ok(())
}
