//! Running a trained model on the page's own thread, on the CPU (Flex): one image at a
//! time for the lessons, or a few hundred test images in small chunks that yield to the
//! browser between them.

use std::rc::Rc;

use cifar::ImageSet;
use gloo::timers::future::TimeoutFuture;
use lab::Cnn;

use crate::store::runs::TrainedModel;
use crate::trainer::protocol::Predictions;

/// The model's module on the CPU, ready for inference (dropout off).
pub async fn load(model: &TrainedModel) -> Result<Rc<Cnn>, String> {
    let device = crate::settings::DEFAULT_CPU.device_async().await?;
    lab::inspect::load_for_inference(model.kind, model.weights.to_vec(), &device)
        .map(Rc::new)
        .map_err(|e| e.to_string())
}

/// Images per chunk when predicting many: small enough to keep the page responsive.
const CHUNK: usize = 20;

/// Predictions for the first `n` images of `set`, reporting (done, total) after each chunk.
pub async fn predict_first(
    model: &Cnn,
    set: &ImageSet,
    n: usize,
    on_progress: impl Fn(usize, usize),
) -> Result<Predictions, String> {
    let n = n.min(set.len());
    let mut out = Predictions::default();
    let all: Vec<usize> = (0..n).collect();
    for chunk in all.chunks(CHUNK) {
        let probs = lab::session::predict(model, set, chunk)
            .await
            .map_err(|e| e.to_string())?;
        for p in &probs {
            out.push(p);
        }
        on_progress(out.len(), n);
        TimeoutFuture::new(0).await;
    }
    Ok(out)
}
