//! A training run as a sequence of small steps, free of any transport.
//!
//! [`Runner::step`] does one unit of work, a training batch or one chunk of the
//! end-of-epoch evaluation, and returns the events it produced. The worker calls it in a
//! loop and yields to its event loop between calls, so pause and stop take effect within
//! one batch even while the test set is being evaluated. Native tests drive the same code.

use std::future::Future;
use std::pin::Pin;

use cifar::{ImageSet, NUM_CLASSES};
use lab::metrics::{ConfusionMatrix, argmax_rows};
use lab::parallel::{SliceGrads, SliceSpec, slice_gradients, split};
use lab::{Device, Session, SessionError, StepReport};

use super::protocol::{
    BatchProgress, EpochReport, Event, Failure, FailureKind, Prediction, Predictions, RunConfig,
};

/// Validation images evaluated per step at the end of an epoch.
pub const EVAL_CHUNK: usize = 250;

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
    fn send(&mut self, weights: &[f32], jobs: Vec<SliceJob>) -> Result<(), String>;
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
    loss_sum: f64,
    confusion: ConfusionMatrix,
    train_loss: f64,
    train_accuracy: f64,
    partial: bool,
    /// Predicted class and its probability for each validation image so far.
    predictions: Predictions,
}

impl EvalProgress {
    /// The evaluation of `epoch`, whose training figures were `train_loss`/`train_accuracy`.
    fn start(epoch: usize, train_loss: f64, train_accuracy: f64, partial: bool) -> Phase {
        Phase::Evaluating(Box::new(EvalProgress {
            epoch,
            next: 0,
            loss_sum: 0.0,
            confusion: ConfusionMatrix::default(),
            train_loss,
            train_accuracy,
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
    /// The last batch trained, and its epoch's running loss and accuracy.
    last: Option<BatchProgress>,
    last_epoch_figures: (f64, f64),
    /// Stop once the evaluation under way (if any) is done.
    stopping: bool,
    /// The latest finished evaluation's prediction for every validation image.
    predictions: Predictions,
    /// The other threads of a data-parallel run, if any.
    helpers: Option<Box<dyn SliceHelpers>>,
}

impl Runner {
    /// A run of `config` on `device`, training on `train` and validating on `test`.
    /// With `weights` (and `config.resume_at`), it continues a run from that epoch.
    pub fn new(
        config: &RunConfig,
        train: ImageSet,
        test: ImageSet,
        weights: Option<Vec<u8>>,
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
        if let Some(bytes) = weights {
            session.load_weights(bytes).map_err(failure)?;
        }
        if let Some(epoch) = config.resume_at {
            session.start_at_epoch(epoch).map_err(failure)?;
        }
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
            last: None,
            last_epoch_figures: (0.0, 0.0),
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
        let (train_loss, train_accuracy) = self.last_epoch_figures;
        self.phase = match self.last {
            // Batches of an unfinished epoch were trained: evaluate the model as it is.
            Some(p) if p.batch + 1 < p.batches_per_epoch => {
                EvalProgress::start(p.epoch, train_loss, train_accuracy, true)
            }
            _ => Phase::Done,
        };
    }

    /// Train on `train` from the next epoch on.
    pub fn set_train_data(&mut self, train: ImageSet) -> Result<(), Failure> {
        self.session.set_train_data(train).map_err(failure)
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
        if report.epoch_done {
            self.phase = EvalProgress::start(
                report.epoch,
                report.epoch_loss,
                report.epoch_accuracy,
                false,
            );
        }
        self.last = Some(progress);
        self.last_epoch_figures = (report.epoch_loss, report.epoch_accuracy);
        events.push(Event::Batch(progress));
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
        let flat: Vec<f32> = probs.iter().flatten().copied().collect();
        eval.confusion
            .add(&argmax_rows(&flat, NUM_CLASSES), &labels);
        for (p, &label) in probs.iter().zip(&labels) {
            // Keras clips probabilities to [1e-7, 1 - 1e-7] before the log.
            eval.loss_sum -= f64::from(p[usize::from(label)].clamp(1e-7, 1.0 - 1e-7)).ln();
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
        events.push(Event::Epoch(Box::new(EpochReport {
            epoch: eval.epoch,
            train_loss: eval.train_loss,
            train_accuracy: eval.train_accuracy,
            val_loss: eval.loss_sum / self.test.len() as f64,
            val_accuracy: eval.confusion.accuracy(),
            confusion: eval.confusion.counts,
            strip,
            seconds: (now - self.epoch_started) / 1000.0,
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
    helpers.send(&weights, jobs).map_err(StepError::Helpers)?;
    drop(weights);
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
            resume_at: None,
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
        // Nothing more to do once done.
        assert!(block_on(r.step()).unwrap().is_empty());
    }

    #[test]
    fn a_run_handed_over_mid_way_resumes_at_its_epoch_with_its_weights() {
        let data = cifar::synthetic::dataset(2, 1, 1);
        let device = BackendKind::Flex.device().unwrap();
        let mut first = Runner::new(
            &config(3),
            data.train.clone(),
            data.test.clone(),
            None,
            &device,
            clock(),
        )
        .unwrap();
        run_until(&mut first, |e| matches!(e, Event::Epoch(_)));
        let weights = block_on(first.weights()).unwrap();

        let mut cfg = config(3);
        cfg.resume_at = Some(1);
        cfg.strip = vec![0];
        let mut second =
            Runner::new(&cfg, data.train, data.test, Some(weights), &device, clock()).unwrap();
        let events = run_until(&mut second, |_| false);
        let epochs: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                Event::Epoch(r) => Some(r.epoch),
                _ => None,
            })
            .collect();
        assert_eq!(epochs, [1, 2]);
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

        fn send(&mut self, weights: &[f32], jobs: Vec<SliceJob>) -> Result<(), String> {
            assert!(jobs.len() <= self.count());
            self.weights = weights.to_vec();
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

        let err = Runner::new(
            &config(1),
            data.train,
            data.test,
            Some(b"not weights".to_vec()),
            &device,
            clock(),
        )
        .err()
        .unwrap();
        assert!(err.message.contains("weights"), "{}", err.message);
    }
}
