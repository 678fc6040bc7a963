//! A training run as a sequence of small steps, free of any transport.
//!
//! [`Runner::step`] does one unit of work, a training batch or one chunk of the
//! end-of-epoch evaluation, and returns the events it produced. The worker calls it in a
//! loop and yields to its event loop between calls, so pause and stop take effect within
//! one batch even while the test set is being evaluated. Native tests drive the same code.

use std::future::Future;
use std::pin::Pin;

use cifar::{ImageSet, NUM_CLASSES};
use lab::metrics::argmax_rows;
use lab::parallel::{SliceGrads, SliceSpec, slice_gradients, split};
use lab::session::EvalTally;
use lab::{Checkpoint, Device, Session, SessionError, StepReport};

use protocol::{
    BatchProgress, EpochReport, Event, Failure, FailureKind, Floats, Prediction, Predictions,
    RunConfig,
};

/// Validation images evaluated per step at the end of an epoch.
pub const EVAL_CHUNK: usize = 250;

/// Seconds of training between two checkpoints inside an epoch (one is also taken after
/// every finished epoch): at most this much of a learner's work is lost to a crash.
pub const CHECKPOINT_SECONDS: f64 = 60.0;

/// A clock in milliseconds (`performance.now()` in a browser).
pub type Clock = Box<dyn Fn() -> f64>;

/// One slice of a batch for another thread: where it sits in the step, its pixels and
/// labels.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceJob {
    /// The slice's place in its step.
    pub slice: SliceSpec,
    /// Its pixels, `[n, 3, 32, 32]` flat.
    pub pixels: Vec<f32>,
    /// Its labels.
    pub labels: Vec<u8>,
}

/// What another thread computed for its slice.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceResult {
    /// The slice's gradients, loss and correct count.
    pub grads: SliceGrads,
    /// Milliseconds the thread spent computing them.
    pub compute_ms: f64,
}

/// A future the helpers hand back (wasm futures are not `Send`).
pub type HelperFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<SliceResult>, String>> + 'a>>;

/// The other threads of a data-parallel run: each computes one slice of every batch while
/// the runner computes the first (in the browser, helper Web Workers: `trainer::pool`).
pub trait SliceHelpers {
    /// Threads besides the runner's own.
    fn count(&self) -> usize;
    /// Hand out one slice per helper (at most [`SliceHelpers::count`]), each to be computed
    /// under `weights` (flat, as `lab::parallel::flat_weights` gives them).
    fn send(&mut self, weights: Floats, jobs: Vec<SliceJob>) -> Result<(), String>;
    /// The results of what [`SliceHelpers::send`] handed out, in the same order.
    fn receive(&mut self) -> HelperFuture<'_>;
}

enum Phase {
    Training,
    Evaluating(Box<EvalProgress>),
    Done,
}

struct EvalProgress {
    epoch: usize,
    next: usize,
    /// Loss, accuracy and confusion so far, computed as `lab` computes every evaluation.
    tally: EvalTally,
    train_loss: f64,
    train_accuracy: f64,
    /// Training images and milliseconds the epoch trained.
    train_images: usize,
    train_ms: f64,
    partial: bool,
    /// Predicted class and its probability for each validation image so far.
    predictions: Predictions,
}

impl EvalProgress {
    /// The evaluation of `epoch`, whose training figures were `train_loss`/`train_accuracy`
    /// over `train_images` images in `train_ms`.
    fn start(
        epoch: usize,
        (train_loss, train_accuracy): (f64, f64),
        (train_images, train_ms): (usize, f64),
        partial: bool,
    ) -> Phase {
        Phase::Evaluating(Box::new(EvalProgress {
            epoch,
            next: 0,
            tally: EvalTally::default(),
            train_loss,
            train_accuracy,
            train_images,
            train_ms,
            partial,
            predictions: Predictions::default(),
        }))
    }
}

/// A session, its validation images and where the run stands.
pub struct Runner {
    session: Session,
    test: ImageSet,
    strip: Vec<usize>,
    epochs: usize,
    phase: Phase,
    clock: Clock,
    epoch_started: f64,
    /// Smoothed milliseconds per training batch (None until one is timed).
    ms_per_batch: Option<f64>,
    /// Smoothed milliseconds per batch spent synchronising threads (None on one thread).
    sync_ms: Option<f64>,
    /// Milliseconds per validation image, from the last evaluation chunk.
    ms_per_eval_image: Option<f64>,
    batches_timed: usize,
    /// Milliseconds spent on the current epoch's training batches.
    epoch_train_ms: f64,
    /// Training images the session trains on (to tell the page when more arrive).
    train_len: usize,
    /// Stop once the evaluation under way (if any) is done.
    stopping: bool,
    /// The latest finished evaluation's prediction for every validation image.
    predictions: Predictions,
    /// The other threads of a data-parallel run, if any.
    helpers: Option<Box<dyn SliceHelpers>>,
}

impl Runner {
    /// A run of `config` on `device`, training on `train` and validating on `test`.
    /// With a `checkpoint` (and `config.resume`), it continues that run exactly where the
    /// checkpoint was taken.
    pub fn new(
        config: &RunConfig,
        train: ImageSet,
        test: ImageSet,
        checkpoint: Option<Vec<u8>>,
        device: &Device,
        clock: Clock,
    ) -> Result<Runner, Failure> {
        if test.is_empty() {
            return Err(input("there are no validation images"));
        }
        if let Some(&bad) = config.strip.iter().find(|&&i| i >= test.len()) {
            return Err(input(&format!("strip image {bad} is not in the test set")));
        }
        let spec = config.model.spec();
        let mut session =
            Session::new(spec, config.hyper, config.seed, device, train).map_err(failure)?;
        match (config.resume, checkpoint) {
            (true, Some(bytes)) => {
                let checkpoint = Checkpoint::from_bytes(&bytes)
                    .map_err(|e| input(&format!("cannot continue the run: {e}")))?;
                session
                    .restore(&checkpoint)
                    .map_err(|e| input(&format!("cannot continue the run: {e}")))?;
            }
            (true, None) => return Err(input("a run to continue needs its checkpoint")),
            (false, _) => {}
        }
        let train_len = session.train_len();
        let phase = if session.epochs_done() >= config.hyper.epochs {
            Phase::Done
        } else {
            Phase::Training
        };
        let epoch_started = clock();
        Ok(Runner {
            session,
            test,
            strip: config.strip.clone(),
            epochs: config.hyper.epochs,
            phase,
            clock,
            epoch_started,
            ms_per_batch: None,
            sync_ms: None,
            ms_per_eval_image: None,
            batches_timed: 0,
            epoch_train_ms: 0.0,
            train_len,
            stopping: false,
            predictions: Predictions::default(),
            helpers: None,
        })
    }

    /// Train every batch on `helpers` and this thread together, from the next batch on.
    pub fn set_helpers(&mut self, helpers: Box<dyn SliceHelpers>) {
        self.helpers = Some(helpers);
    }

    /// Threads training: this one and its helpers.
    pub fn threads(&self) -> usize {
        1 + self.helpers.as_ref().map_or(0, |h| h.count())
    }

    /// Validation images.
    pub fn test_len(&self) -> usize {
        self.test.len()
    }

    /// Whether every epoch has been trained and evaluated.
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    /// End the run early. A part-trained epoch is evaluated first, so the model as
    /// stopped gets its confusion matrix and predictions; keep calling [`Runner::step`]
    /// until [`Runner::is_done`].
    pub fn stop(&mut self) {
        self.stopping = true;
        if !matches!(self.phase, Phase::Training) {
            return;
        }
        self.phase = match self.session.epoch_figures() {
            // Batches of an unfinished epoch were trained: evaluate the model as it is.
            Some(figures) => EvalProgress::start(
                self.session.epochs_done(),
                figures,
                (self.session.epoch_images(), self.epoch_train_ms),
                true,
            ),
            None => Phase::Done,
        };
    }

    /// Where the run stands, with its checkpoint, between two training batches
    /// ([`Event::Checkpoint`]); `None` while an epoch is being evaluated (the next batch
    /// boundary is a moment away) or once the run is done.
    pub async fn checkpoint(&self) -> Result<Option<Event>, Failure> {
        if !matches!(self.phase, Phase::Training) {
            return Ok(None);
        }
        let checkpoint = self.session.checkpoint().await.map_err(failure)?;
        let p = &checkpoint.point;
        Ok(Some(Event::Checkpoint {
            epoch: p.epoch,
            batch: p.batch(),
            batches_per_epoch: p.batches_per_epoch(),
            bytes: checkpoint.to_bytes().into(),
        }))
    }

    /// Train on `train` from the next epoch on (at once between epochs, and then the
    /// event that says so).
    pub fn set_train_data(&mut self, train: ImageSet) -> Result<Option<Event>, Failure> {
        self.session.set_train_data(train).map_err(failure)?;
        if self.session.train_len() == self.train_len {
            return Ok(None);
        }
        self.train_len = self.session.train_len();
        Ok(Some(Event::TrainImages {
            train_images: self.train_len,
            batches_per_epoch: self.session.batches_per_epoch(),
        }))
    }

    /// The trained weights (burnpack bytes).
    pub async fn weights(&self) -> Result<Vec<u8>, Failure> {
        self.session.weights_bytes().await.map_err(failure)
    }

    /// The latest evaluation's prediction for every validation image (empty before the
    /// first epoch ends).
    pub fn predictions(&self) -> &Predictions {
        &self.predictions
    }

    /// Do one unit of work and return what happened.
    pub async fn step(&mut self) -> Result<Vec<Event>, Failure> {
        match self.phase {
            Phase::Done => Ok(Vec::new()),
            Phase::Training => self.train_batch().await,
            Phase::Evaluating(_) => self.evaluate_chunk().await,
        }
    }

    async fn train_batch(&mut self) -> Result<Vec<Event>, Failure> {
        let mut events = Vec::new();
        let t0 = (self.clock)();
        let (report, sync_ms) = match self.helpers.as_mut() {
            Some(helpers) if helpers.count() > 0 => {
                match parallel_step(&mut self.session, helpers.as_mut(), &self.clock).await {
                    Ok((report, sync_ms)) => (report, Some(sync_ms)),
                    Err(StepError::Session(e)) => return Err(failure(e)),
                    // The batch was not applied: train it again here, on one thread.
                    Err(StepError::Helpers(why)) => {
                        self.helpers = None;
                        events.push(Event::Threads {
                            threads: 1,
                            note: format!(
                                "A training thread stopped ({why}); training goes on with one thread."
                            ),
                        });
                        (self.session.train_step().await.map_err(failure)?, None)
                    }
                }
            }
            _ => (self.session.train_step().await.map_err(failure)?, None),
        };
        let dt = (self.clock)() - t0;
        self.epoch_train_ms += dt;
        // The first batch compiles kernels (seconds on WebGPU): time the rest.
        self.batches_timed += 1;
        self.ms_per_batch = Some(match self.ms_per_batch {
            _ if self.batches_timed == 2 => dt,
            Some(avg) if self.batches_timed > 2 => 0.9 * avg + 0.1 * dt,
            _ => dt,
        });
        self.sync_ms = match (sync_ms, self.sync_ms) {
            (None, _) => None,
            (Some(now), Some(avg)) if self.batches_timed > 2 => Some(0.9 * avg + 0.1 * now),
            (Some(now), _) => Some(now),
        };
        let eval_images = self.test.len() + self.strip.len();
        let progress = BatchProgress {
            epoch: report.epoch,
            batch: report.batch,
            batches_per_epoch: report.batches_per_epoch,
            loss: report.loss,
            accuracy: report.accuracy,
            lr: report.lr,
            ms_per_batch: self.ms_per_batch.unwrap_or(dt),
            eval_ms_per_epoch: self.estimated_eval_ms(eval_images),
            sync_ms: self.sync_ms,
        };
        events.push(Event::Batch(progress));
        if report.epoch_done {
            let images = self.train_len;
            self.phase = EvalProgress::start(
                report.epoch,
                (report.epoch_loss, report.epoch_accuracy),
                (images, std::mem::take(&mut self.epoch_train_ms)),
                false,
            );
            // More images that arrived during the epoch are trained on from the next one.
            if self.session.train_len() != self.train_len {
                self.train_len = self.session.train_len();
                events.push(Event::TrainImages {
                    train_images: self.train_len,
                    batches_per_epoch: self.session.batches_per_epoch(),
                });
            }
        }
        Ok(events)
    }

    /// Evaluation costs about a third of a training image per image (forward only).
    fn estimated_eval_ms(&self, images: usize) -> f64 {
        match (self.ms_per_eval_image, self.ms_per_batch) {
            (Some(per_image), _) => per_image * images as f64,
            (None, Some(per_batch)) => {
                per_batch / self.session.hyper().batch_size as f64 / 3.0 * images as f64
            }
            (None, None) => 0.0,
        }
    }

    async fn evaluate_chunk(&mut self) -> Result<Vec<Event>, Failure> {
        let Phase::Evaluating(eval) = &mut self.phase else {
            return Ok(Vec::new());
        };
        let start = eval.next;
        let end = (start + EVAL_CHUNK).min(self.test.len());
        let indices: Vec<usize> = (start..end).collect();
        let t0 = (self.clock)();
        let probs = self
            .session
            .predict(&self.test, &indices)
            .await
            .map_err(failure)?;
        let dt = (self.clock)() - t0;
        self.ms_per_eval_image = Some(dt / indices.len().max(1) as f64);
        let labels: Vec<u8> = indices.iter().map(|&i| self.test.label(i)).collect();
        eval.tally.add(&probs, &labels);
        for p in &probs {
            eval.predictions.push(p);
        }
        eval.next = end;
        let mut events = vec![Event::Evaluating {
            done: end,
            total: self.test.len(),
        }];
        if end < self.test.len() {
            return Ok(events);
        }

        let strip = self.strip_predictions().await?;
        let Phase::Evaluating(eval) = std::mem::replace(&mut self.phase, Phase::Training) else {
            return Ok(events);
        };
        let now = (self.clock)();
        let evaluation = eval.tally.finish();
        events.push(Event::Epoch(Box::new(EpochReport {
            epoch: eval.epoch,
            train_loss: eval.train_loss,
            train_accuracy: eval.train_accuracy,
            val_loss: evaluation.loss,
            val_accuracy: evaluation.accuracy,
            confusion: evaluation.confusion.counts,
            strip,
            seconds: (now - self.epoch_started) / 1000.0,
            train_seconds: eval.train_ms / 1000.0,
            train_images: eval.train_images,
            partial: eval.partial,
        })));
        self.epoch_started = now;
        self.predictions = eval.predictions;
        if eval.epoch + 1 >= self.epochs || self.stopping {
            self.phase = Phase::Done;
        }
        Ok(events)
    }

    async fn strip_predictions(&self) -> Result<Vec<Prediction>, Failure> {
        let probs = self
            .session
            .predict(&self.test, &self.strip)
            .await
            .map_err(failure)?;
        Ok(self
            .strip
            .iter()
            .zip(probs)
            .map(|(&index, p)| {
                let predicted = argmax_rows(&p, NUM_CLASSES)[0];
                Prediction {
                    index,
                    label: self.test.label(index),
                    predicted: predicted as u8,
                    confidence: p[predicted],
                }
            })
            .collect())
    }
}

/// Why a data-parallel step failed: in the model (the run fails) or in the helpers (the
/// run goes on with one thread).
enum StepError {
    Session(SessionError),
    Helpers(String),
}

impl From<SessionError> for StepError {
    fn from(e: SessionError) -> Self {
        StepError::Session(e)
    }
}

/// One batch on this thread and `helpers` together: slice 0 here, one slice per helper
/// there, gradients summed and applied as one update. Returns the report and the
/// milliseconds of the step not spent computing gradients (the cost of synchronising).
async fn parallel_step(
    session: &mut Session,
    helpers: &mut dyn SliceHelpers,
    clock: &Clock,
) -> Result<(StepReport, f64), StepError> {
    let t0 = clock();
    let batch = session.next_batch();
    let parts = split(batch.len(), helpers.count() + 1);
    let weights = session.flat_weights().await?;
    let jobs = parts[1..]
        .iter()
        .map(|rows| {
            let (slice, pixels, labels) = batch.slice(rows.clone());
            SliceJob {
                slice,
                pixels: pixels.to_vec(),
                labels: labels.to_vec(),
            }
        })
        .collect();
    helpers
        .send(weights.into(), jobs)
        .map_err(StepError::Helpers)?;
    let t1 = clock();
    let (slice, pixels, labels) = batch.slice(parts[0].clone());
    let mut sum = slice_gradients(session.model(), slice, pixels, labels).await?;
    let local_ms = clock() - t1;
    let results = helpers.receive().await.map_err(StepError::Helpers)?;
    if results.len() + 1 != parts.len() {
        return Err(StepError::Helpers(format!(
            "{} slices came back of {}",
            results.len(),
            parts.len() - 1
        )));
    }
    let mut compute_ms = local_ms;
    for r in &results {
        compute_ms = compute_ms.max(r.compute_ms);
        sum.add(&r.grads)
            .map_err(|e| StepError::Helpers(e.to_string()))?;
    }
    let report = session.apply_gradients(sum).await?;
    Ok((report, (clock() - t0 - compute_ms).max(0.0)))
}

fn input(message: &str) -> Failure {
    Failure {
        kind: FailureKind::Input,
        message: message.to_string(),
    }
}

/// A session error as the page shows it.
pub fn failure(e: SessionError) -> Failure {
    let kind = match e {
        SessionError::Diverged { .. } => FailureKind::Diverged,
        SessionError::Device(_) => FailureKind::Device,
        _ => FailureKind::Input,
    };
    Failure {
        kind,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab::{BackendKind, ModelKind, block_on};
    use std::time::Instant;

    fn clock() -> Clock {
        let t = Instant::now();
        Box::new(move || t.elapsed().as_secs_f64() * 1000.0)
    }

    fn config(epochs: usize) -> RunConfig {
        let mut hyper = ModelKind::Four.spec().hyper;
        hyper.epochs = epochs;
        hyper.batch_size = 16;
        RunConfig {
            model: ModelKind::Four,
            hyper,
            seed: 3,
            backend: BackendKind::Flex,
            strip: vec![0, 5],
            resume: false,
            threads: 1,
        }
    }

    /// Steps until `pred` holds for an event or the run ends; returns every event.
    fn run_until(r: &mut Runner, mut pred: impl FnMut(&Event) -> bool) -> Vec<Event> {
        let mut all = Vec::new();
        while !r.is_done() {
            let events = block_on(r.step()).unwrap();
            let hit = events.iter().any(&mut pred);
            all.extend(events);
            if hit {
                break;
            }
        }
        all
    }

    #[test]
    fn a_run_trains_evaluates_in_chunks_and_reports_each_epoch() {
        let data = cifar::synthetic::dataset(4, 30, 1); // 40 train, 300 test
        let device = BackendKind::Flex.device().unwrap();
        let mut r = Runner::new(&config(2), data.train, data.test, None, &device, clock()).unwrap();
        let events = run_until(&mut r, |_| false);
        assert!(r.is_done());
        let batches = events
            .iter()
            .filter(|e| matches!(e, Event::Batch(_)))
            .count();
        assert_eq!(batches, 2 * 3, "40 images in batches of 16: 3 per epoch");
        let evaluating: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Evaluating { done, total } => Some((*done, *total)),
                _ => None,
            })
            .collect();
        assert_eq!(evaluating, [(250, 300), (300, 300), (250, 300), (300, 300)]);
        let epochs: Vec<&EpochReport> = events
            .iter()
            .filter_map(|e| match e {
                Event::Epoch(r) => Some(&**r),
                _ => None,
            })
            .collect();
        assert_eq!(epochs.len(), 2);
        for (i, rep) in epochs.iter().enumerate() {
            assert_eq!(rep.epoch, i);
            let total: u32 = rep.confusion.iter().flatten().sum();
            assert_eq!(total, 300);
            assert!(rep.val_loss.is_finite() && rep.val_loss > 0.0);
            let correct: u32 = (0..10).map(|c| rep.confusion[c][c]).sum();
            assert!((rep.val_accuracy - f64::from(correct) / 300.0).abs() < 1e-12);
            assert_eq!(rep.strip.len(), 2);
            assert_eq!(rep.strip[1].index, 5);
        }
        // The last evaluation's answers, one per validation image, agree with its matrix.
        let p = r.predictions();
        assert_eq!(p.len(), 300);
        let last = epochs[1];
        let labels = cifar::synthetic::dataset(4, 30, 1).test;
        for t in 0..10 {
            for c in 0..10 {
                let n = (0..300)
                    .filter(|&i| usize::from(labels.label(i)) == t && usize::from(p.class[i]) == c)
                    .count();
                assert_eq!(n as u32, last.confusion[t][c]);
            }
        }
        assert!(p.confidence.iter().all(|&c| (0.1..=1.0).contains(&c)));
        // The same model evaluated by `lab` (what `cnnlab eval` prints) reports the very
        // same loss, accuracy and matrix: one evaluation path for both front ends.
        let model = lab::session::load_weights(
            &ModelKind::Four.spec(),
            block_on(r.weights()).unwrap(),
            &device,
        )
        .unwrap();
        let lab_eval = block_on(lab::session::evaluate(&model, &labels, EVAL_CHUNK)).unwrap();
        assert_eq!(lab_eval.loss, last.val_loss);
        assert_eq!(lab_eval.accuracy, last.val_accuracy);
        assert_eq!(lab_eval.confusion.counts, last.confusion);
        // Nothing more to do once done.
        assert!(block_on(r.step()).unwrap().is_empty());
    }

    /// What a run learned, without its timings: per batch (epoch, batch, loss, accuracy,
    /// rate), per epoch (the report with its seconds zeroed).
    type Learned = (Vec<(usize, usize, f64, f64, f64)>, Vec<EpochReport>);

    fn learned(events: &[Event]) -> Learned {
        let batches = events
            .iter()
            .filter_map(|e| match e {
                Event::Batch(p) => Some((p.epoch, p.batch, p.loss, p.accuracy, p.lr)),
                _ => None,
            })
            .collect();
        let epochs = epoch_reports(events)
            .into_iter()
            .map(|r| EpochReport {
                seconds: 0.0,
                train_seconds: 0.0,
                ..r
            })
            .collect();
        (batches, epochs)
    }

    #[test]
    fn a_run_continued_from_a_mid_epoch_checkpoint_learns_what_the_uninterrupted_run_does() {
        let data = cifar::synthetic::dataset(4, 3, 1); // 40 train: 3 batches of 16 per epoch
        let device = BackendKind::Flex.device().unwrap();
        let new = |cfg: &RunConfig, checkpoint| {
            Runner::new(
                cfg,
                data.train.clone(),
                data.test.clone(),
                checkpoint,
                &device,
                clock(),
            )
            .unwrap()
        };
        let mut straight = new(&config(3), None);
        let expected = learned(&run_until(&mut straight, |_| false));

        // Interrupted after the second batch of epoch 1 (five batches in).
        let mut first = new(&config(3), None);
        let mut events = Vec::new();
        let mut batches = 0;
        while batches < 5 {
            let step = block_on(first.step()).unwrap();
            batches += step.iter().filter(|e| matches!(e, Event::Batch(_))).count();
            events.extend(step);
        }
        let Some(Event::Checkpoint {
            epoch: 1,
            batch: 2,
            batches_per_epoch: 3,
            bytes,
        }) = block_on(first.checkpoint()).unwrap()
        else {
            panic!("a checkpoint after epoch 1, batch 2 of 3");
        };
        let bytes = bytes.into_vec();
        drop(first);
        let resumed_config = RunConfig {
            resume: true,
            ..config(3)
        };
        let mut resumed = new(&resumed_config, Some(bytes));
        events.extend(run_until(&mut resumed, |_| false));
        assert_eq!(learned(&events), expected);
        // The weights files name parameters by run-specific ids: compare the values.
        let values = |r: &Runner| {
            let bytes = block_on(r.weights()).unwrap();
            let model = lab::session::load_weights(&ModelKind::Four.spec(), bytes, &device);
            block_on(lab::parallel::flat_weights(&model.unwrap())).unwrap()
        };
        assert_eq!(values(&resumed), values(&straight));
        assert_eq!(resumed.predictions(), straight.predictions());

        // No checkpoint while an epoch is being evaluated, nor once done.
        assert!(block_on(resumed.checkpoint()).unwrap().is_none());
        let mut r = new(&config(1), None);
        run_until(&mut r, |e| matches!(e, Event::Evaluating { .. }));
        assert!(block_on(r.checkpoint()).unwrap().is_none());

        // A checkpoint that is not one, or of another run, is refused with a reason.
        for (bytes, why) in [
            (b"garbage".to_vec(), "not a cnnlab checkpoint"),
            (
                {
                    let mut other = new(
                        &RunConfig {
                            seed: 9,
                            ..config(3)
                        },
                        None,
                    );
                    block_on(other.step()).unwrap();
                    match block_on(other.checkpoint()).unwrap() {
                        Some(Event::Checkpoint { bytes, .. }) => bytes.into_vec(),
                        other => panic!("{other:?}"),
                    }
                },
                "another seed",
            ),
        ] {
            let err = Runner::new(
                &resumed_config,
                data.train.clone(),
                data.test.clone(),
                Some(bytes),
                &device,
                clock(),
            )
            .err()
            .unwrap();
            assert_eq!(err.kind, FailureKind::Input);
            assert!(err.message.contains(why), "{}", err.message);
        }
    }

    #[test]
    fn more_images_arriving_mid_epoch_are_trained_on_from_the_next_epoch_and_said() {
        let data = cifar::synthetic::dataset(8, 3, 1); // 80 train
        let device = BackendKind::Flex.device().unwrap();
        let mut r = Runner::new(
            &config(3),
            data.train.first(40),
            data.test.clone(),
            None,
            &device,
            clock(),
        )
        .unwrap();
        let mut events = block_on(r.step()).unwrap(); // batch 0 of epoch 0
        assert_eq!(r.set_train_data(data.train.clone()).unwrap(), None);
        events.extend(run_until(&mut r, |_| false));
        let said: Vec<&Event> = events
            .iter()
            .filter(|e| matches!(e, Event::TrainImages { .. }))
            .collect();
        assert_eq!(
            said,
            [&Event::TrainImages {
                train_images: 80,
                batches_per_epoch: 5
            }]
        );
        let images: Vec<usize> = epoch_reports(&events)
            .iter()
            .map(|r| r.train_images)
            .collect();
        assert_eq!(images, [40, 80, 80]);
        assert!(
            epoch_reports(&events)
                .iter()
                .all(|r| r.train_seconds > 0.0 && r.train_seconds <= r.seconds)
        );

        // Between epochs the new set is used at once, and said at once.
        let mut r = Runner::new(
            &config(2),
            data.train.first(40),
            data.test.clone(),
            None,
            &device,
            clock(),
        )
        .unwrap();
        assert_eq!(
            r.set_train_data(data.train.clone()).unwrap(),
            Some(Event::TrainImages {
                train_images: 80,
                batches_per_epoch: 5
            })
        );
    }

    #[test]
    fn stopping_mid_epoch_evaluates_the_model_as_stopped_then_ends() {
        let data = cifar::synthetic::dataset(4, 3, 1); // 40 train (3 batches), 30 test
        let device = BackendKind::Flex.device().unwrap();
        let mut r = Runner::new(&config(5), data.train, data.test, None, &device, clock()).unwrap();
        block_on(r.step()).unwrap(); // one batch of epoch 0
        r.stop();
        assert!(!r.is_done(), "the part-trained epoch is evaluated first");
        let events = run_until(&mut r, |_| false);
        assert!(r.is_done());
        assert!(
            !events.iter().any(|e| matches!(e, Event::Batch(_))),
            "no more training"
        );
        let reports: Vec<&EpochReport> = events
            .iter()
            .filter_map(|e| match e {
                Event::Epoch(r) => Some(&**r),
                _ => None,
            })
            .collect();
        assert_eq!(reports.len(), 1);
        assert!(reports[0].partial);
        assert_eq!(reports[0].epoch, 0);
        assert_eq!(reports[0].confusion.iter().flatten().sum::<u32>(), 30);

        // Stopped before any batch: nothing to evaluate.
        let data = cifar::synthetic::dataset(1, 1, 1);
        let mut r = Runner::new(&config(5), data.train, data.test, None, &device, clock()).unwrap();
        r.stop();
        assert!(r.is_done());
    }

    /// Helpers in this process, each with its own replica of the model (as a helper
    /// worker keeps one), optionally failing at their `fail_at`-th step.
    struct LocalHelpers {
        replicas: Vec<Option<lab::model::Cnn>>,
        jobs: Vec<SliceJob>,
        weights: Vec<f32>,
        steps: usize,
        fail_at: Option<usize>,
    }

    impl LocalHelpers {
        fn new(count: usize, fail_at: Option<usize>) -> Self {
            let device = BackendKind::Flex.device().unwrap().autodiff();
            let replicas = (0..count)
                .map(|_| Some(lab::model::Cnn::new(&ModelKind::Four.spec(), &device).unwrap()))
                .collect();
            LocalHelpers {
                replicas,
                jobs: Vec::new(),
                weights: Vec::new(),
                steps: 0,
                fail_at,
            }
        }
    }

    impl SliceHelpers for LocalHelpers {
        fn count(&self) -> usize {
            self.replicas.len()
        }

        fn send(&mut self, weights: Floats, jobs: Vec<SliceJob>) -> Result<(), String> {
            assert!(jobs.len() <= self.count());
            self.weights = weights.into_vec();
            self.jobs = jobs;
            Ok(())
        }

        fn receive(&mut self) -> HelperFuture<'_> {
            Box::pin(async move {
                self.steps += 1;
                if Some(self.steps) == self.fail_at {
                    return Err("worker lost".into());
                }
                let mut out = Vec::new();
                for (slot, job) in self.replicas.iter_mut().zip(std::mem::take(&mut self.jobs)) {
                    let model =
                        lab::parallel::load_flat_weights(slot.take().unwrap(), &self.weights)
                            .map_err(|e| e.to_string())?;
                    let grads = slice_gradients(&model, job.slice, &job.pixels, &job.labels)
                        .await
                        .map_err(|e| e.to_string())?;
                    *slot = Some(model);
                    out.push(SliceResult {
                        grads,
                        compute_ms: 1.0,
                    });
                }
                Ok(out)
            })
        }
    }

    fn epoch_reports(events: &[Event]) -> Vec<EpochReport> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Epoch(r) => Some((**r).clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_run_on_three_threads_learns_what_one_thread_does() {
        // 40 images in batches of 16: 16, 16 and 8 cut into three slices each.
        let data = cifar::synthetic::dataset(4, 3, 1);
        let device = BackendKind::Flex.device().unwrap();
        let run = |helpers: Option<LocalHelpers>| {
            let mut r = Runner::new(
                &config(2),
                data.train.clone(),
                data.test.clone(),
                None,
                &device,
                clock(),
            )
            .unwrap();
            if let Some(h) = helpers {
                r.set_helpers(Box::new(h));
            }
            let threads = r.threads();
            (threads, run_until(&mut r, |_| false))
        };
        let (one_threads, one) = run(None);
        let (three_threads, three) = run(Some(LocalHelpers::new(2, None)));
        assert_eq!((one_threads, three_threads), (1, 3));
        let (a, b) = (epoch_reports(&one), epoch_reports(&three));
        assert_eq!(a.len(), 2);
        for (x, y) in a.iter().zip(&b) {
            // Only the order of floating-point sums differs (lab/tests/parallel.rs).
            assert!((x.train_loss - y.train_loss).abs() < 1e-4, "{x:?} vs {y:?}");
            assert!((x.val_loss - y.val_loss).abs() < 1e-4, "{x:?} vs {y:?}");
            assert_eq!(x.train_accuracy, y.train_accuracy);
        }
        let sync: Vec<Option<f64>> = three
            .iter()
            .filter_map(|e| match e {
                Event::Batch(p) => Some(p.sync_ms),
                _ => None,
            })
            .collect();
        assert_eq!(sync.len(), 6);
        assert!(sync.iter().all(|s| s.is_some_and(|ms| ms >= 0.0)));
        assert!(
            one.iter()
                .all(|e| !matches!(e, Event::Batch(p) if p.sync_ms.is_some()))
        );
    }

    #[test]
    fn a_failed_helper_leaves_the_run_on_one_thread_without_losing_a_batch() {
        let data = cifar::synthetic::dataset(4, 3, 1);
        let device = BackendKind::Flex.device().unwrap();
        let mut r = Runner::new(&config(1), data.train, data.test, None, &device, clock()).unwrap();
        r.set_helpers(Box::new(LocalHelpers::new(1, Some(2))));
        let events = run_until(&mut r, |_| false);
        assert_eq!(r.threads(), 1);
        let notes: Vec<&Event> = events
            .iter()
            .filter(|e| matches!(e, Event::Threads { .. }))
            .collect();
        assert_eq!(notes.len(), 1);
        assert!(
            matches!(notes[0], Event::Threads { threads: 1, note } if note.contains("worker lost")),
            "{notes:?}"
        );
        let batches: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                Event::Batch(p) => Some(p.batch),
                _ => None,
            })
            .collect();
        assert_eq!(
            batches,
            [0, 1, 2],
            "the failed batch is trained again, once"
        );
    }

    #[test]
    fn bad_inputs_are_failures_not_panics() {
        let data = cifar::synthetic::dataset(1, 1, 1);
        let device = BackendKind::Flex.device().unwrap();
        let mut cfg = config(1);
        cfg.strip = vec![99];
        let err = Runner::new(
            &cfg,
            data.train.clone(),
            data.test.clone(),
            None,
            &device,
            clock(),
        )
        .err()
        .unwrap();
        assert_eq!(err.kind, FailureKind::Input);
        assert!(err.message.contains("99"), "{}", err.message);

        let resume = RunConfig {
            resume: true,
            ..config(1)
        };
        let err = Runner::new(
            &resume,
            data.train.clone(),
            data.test.clone(),
            Some(b"not weights".to_vec()),
            &device,
            clock(),
        )
        .err()
        .unwrap();
        assert!(
            err.message.contains("not a cnnlab checkpoint"),
            "{}",
            err.message
        );
        let err = Runner::new(&resume, data.train, data.test, None, &device, clock())
            .err()
            .unwrap();
        assert!(
            err.message.contains("needs its checkpoint"),
            "{}",
            err.message
        );
    }
}
