//! What the learner chose (model, hyperparameters, data sizes, backend), kept in the
//! browser's localStorage so a reload loses nothing.

use lab::{BackendKind, Hyper, ModelKind};
use serde::{Deserialize, Serialize};

/// Where to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendChoice {
    /// WebGPU on a real GPU when there is one, else the faster CPU backend.
    Auto,
    /// WebGPU.
    WebGpu,
    /// burn's Flex CPU backend.
    Flex,
    /// burn-ndarray on the CPU.
    NdArray,
}

impl BackendChoice {
    /// Every choice, in the order the page lists them.
    pub const ALL: [BackendChoice; 4] = [
        BackendChoice::Auto,
        BackendChoice::WebGpu,
        BackendChoice::Flex,
        BackendChoice::NdArray,
    ];

    /// The label the page shows.
    pub fn label(self) -> &'static str {
        match self {
            BackendChoice::Auto => "Automatic",
            BackendChoice::WebGpu => "WebGPU (GPU)",
            BackendChoice::Flex => "CPU: Flex",
            BackendChoice::NdArray => "CPU: ndarray",
        }
    }

    /// A stable id for forms and storage.
    pub fn id(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::WebGpu => "webgpu",
            BackendChoice::Flex => "flex",
            BackendChoice::NdArray => "ndarray",
        }
    }

    /// Parse an [`BackendChoice::id`].
    pub fn parse(id: &str) -> Option<BackendChoice> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The backend to use, given whether a usable (non-fallback) GPU adapter is there.
    pub fn resolve(self, real_gpu: bool) -> BackendKind {
        match self {
            BackendChoice::Auto if real_gpu => BackendKind::Wgpu,
            BackendChoice::Auto => DEFAULT_CPU,
            BackendChoice::WebGpu => BackendKind::Wgpu,
            BackendChoice::Flex => BackendKind::Flex,
            BackendChoice::NdArray => BackendKind::NdArray,
        }
    }
}

/// The CPU backend used when none is chosen: Flex, the faster of the two in the browser
/// (a first probe here: 54 ms against 145 ms per batch of a small CNN; see BENCHMARKS.md).
pub const DEFAULT_CPU: BackendKind = BackendKind::Flex;

/// A learner's settings for the next run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Which model.
    pub model: ModelKind,
    /// Its hyperparameters (the tutorial's by default).
    pub hyper: Hyper,
    /// Training images to use (the first N of the training set).
    pub train_size: usize,
    /// Validation images (the first N of the test set).
    pub val_size: usize,
    /// Seed for weights, dropout and shuffling.
    pub seed: u64,
    /// Where to train.
    pub backend: BackendChoice,
    /// CPU threads to train on; 0 lets the page choose ([`resolve_threads`]). The
    /// learner's own device: a share link does not carry it.
    #[serde(default)]
    pub threads: usize,
}

/// The most threads the page picks by itself. Synchronising the threads costs ~25 ms per
/// 6-layer batch plus ~5 ms per helper (the weights go out to each, the gradients come
/// back), so past about 8 threads it eats what smaller slices of a batch of 32 save
/// (BENCHMARKS.md, "Training on several CPU threads").
pub const AUTO_THREADS_MAX: usize = 8;

/// The most threads a learner can ask for: a batch of 32 cut 16 ways is two images a slice.
pub const THREADS_MAX: usize = 16;

/// The threads a run uses for the `chosen` setting on a device with `cores` logical cores:
/// the chosen number (at most [`THREADS_MAX`]), or for 0 the cores, at most
/// [`AUTO_THREADS_MAX`].
pub fn resolve_threads(chosen: usize, cores: usize) -> usize {
    match chosen {
        0 => cores.clamp(1, AUTO_THREADS_MAX),
        n => n.min(THREADS_MAX),
    }
}

/// Logical cores as the browser reports them (`navigator.hardwareConcurrency`; 1 where it
/// says nothing).
pub fn logical_cores() -> usize {
    #[cfg(target_family = "wasm")]
    {
        let global = js_sys::global();
        let n = js_sys::Reflect::get(&global, &"navigator".into())
            .and_then(|nav| js_sys::Reflect::get(&nav, &"hardwareConcurrency".into()))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(1.0);
        (n as usize).max(1)
    }
    #[cfg(not(target_family = "wasm"))]
    {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Training images in a quick class run.
pub const QUICK_TRAIN: usize = 5_000;
/// Validation images in a quick class run.
pub const QUICK_VAL: usize = 1_000;

impl Settings {
    /// The tutorial's hyperparameters for `model`, on a training set small enough to
    /// finish in minutes (one batch file: 10,000 images).
    pub fn new(model: ModelKind) -> Settings {
        Settings {
            model,
            hyper: model.spec().hyper,
            train_size: 10_000,
            val_size: 2_000,
            seed: 1,
            backend: BackendChoice::Auto,
            threads: 0,
        }
    }

    /// The tutorial exactly: all 50,000 training and 10,000 test images.
    pub fn tutorial(model: ModelKind) -> Settings {
        Settings {
            train_size: 50_000,
            val_size: 10_000,
            ..Settings::new(model)
        }
    }

    /// A run a class can finish in a few minutes on a laptop CPU.
    pub fn quick(model: ModelKind) -> Settings {
        let mut s = Settings::new(model);
        s.train_size = QUICK_TRAIN;
        s.val_size = QUICK_VAL;
        s.hyper.epochs = 3;
        s
    }

    /// Switch model, taking its tutorial hyperparameters but keeping the data sizes.
    pub fn with_model(&self, model: ModelKind) -> Settings {
        Settings {
            model,
            hyper: model.spec().hyper,
            ..self.clone()
        }
    }

    /// The settings, checked: a sentence saying what is out of range, if anything.
    pub fn problem(&self) -> Option<String> {
        let h = &self.hyper;
        if !(h.lr > 0.0 && h.lr.is_finite()) {
            return Some("the learning rate must be a positive number".into());
        }
        if !(0.0..1.0).contains(&h.momentum) {
            return Some("momentum must be at least 0 and below 1".into());
        }
        if !(h.decay >= 0.0 && h.decay.is_finite()) {
            return Some("decay must be 0 or more".into());
        }
        if h.batch_size == 0 || h.batch_size > 1024 {
            return Some("the batch size must be between 1 and 1024".into());
        }
        if h.epochs == 0 || h.epochs > 200 {
            return Some("epochs must be between 1 and 200".into());
        }
        if self.train_size == 0 {
            return Some("train on at least one image".into());
        }
        if self.val_size == 0 {
            return Some("validate on at least one image".into());
        }
        None
    }
}

/// The settings as URL query parameters, so a teacher can hand a class one starting
/// point: `model=six&lr=0.01&momentum=0.9&nesterov=0&decay=0.000001&batch=32&epochs=10&train=5000&val=1000&seed=1`.
/// The backend stays each learner's own choice.
pub fn to_query(s: &Settings) -> String {
    let h = &s.hyper;
    format!(
        "model={}&lr={}&momentum={}&nesterov={}&decay={}&batch={}&epochs={}&train={}&val={}&seed={}",
        s.model.id(),
        h.lr,
        h.momentum,
        u8::from(h.nesterov),
        h.decay,
        h.batch_size,
        h.epochs,
        s.train_size,
        s.val_size,
        s.seed
    )
}

/// Settings from a URL query (with or without the leading `?`), on top of `base`: the
/// model first (bringing its tutorial hyperparameters), then each other parameter given.
/// Returns `None` when the query names none of them; unknown or unreadable parameters
/// are listed in the second value so the page can say what it ignored.
pub fn from_query(query: &str, base: &Settings) -> Option<(Settings, Vec<String>)> {
    let pairs: Vec<(&str, &str)> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    let mut s = base.clone();
    let mut ignored = Vec::new();
    let mut any = false;
    if let Some((_, v)) = pairs.iter().find(|(k, _)| *k == "model") {
        match ModelKind::parse(v) {
            Some(kind) => {
                s = s.with_model(kind);
                any = true;
            }
            None => ignored.push(format!("model={v}")),
        }
    }
    for &(k, v) in &pairs {
        let ok = match k {
            "model" => continue,
            "lr" => v.parse().map(|x| s.hyper.lr = x).is_ok(),
            "momentum" => v.parse().map(|x| s.hyper.momentum = x).is_ok(),
            "nesterov" => match v {
                "1" | "true" => Some(true),
                "0" | "false" => Some(false),
                _ => None,
            }
            .map(|x| s.hyper.nesterov = x)
            .is_some(),
            "decay" => v.parse().map(|x| s.hyper.decay = x).is_ok(),
            "batch" => v.parse().map(|x| s.hyper.batch_size = x).is_ok(),
            "epochs" => v.parse().map(|x| s.hyper.epochs = x).is_ok(),
            "train" => v.parse().map(|x| s.train_size = x).is_ok(),
            "val" => v.parse().map(|x| s.val_size = x).is_ok(),
            "seed" => v.parse().map(|x| s.seed = x).is_ok(),
            // Not ours (e.g. a tracking parameter): leave it alone, say nothing.
            _ => continue,
        };
        if ok {
            any = true;
        } else {
            ignored.push(format!("{k}={v}"));
        }
    }
    if let Some(problem) = s.problem() {
        return Some((
            base.clone(),
            vec![format!("the link's settings: {problem}")],
        ));
    }
    any.then_some((s, ignored))
}

const KEY: &str = "cnnlab.settings.v1";

/// The saved settings, or the defaults when none are saved (or they no longer parse).
pub fn load() -> Settings {
    use gloo::storage::{LocalStorage, Storage};
    LocalStorage::get(KEY).unwrap_or_else(|_| Settings::new(ModelKind::Six))
}

/// Save the settings (quietly does nothing where storage is off).
pub fn save(settings: &Settings) {
    use gloo::storage::{LocalStorage, Storage};
    let _ = LocalStorage::set(KEY, settings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_tutorials_hyperparameters() {
        for kind in ModelKind::ALL {
            assert_eq!(Settings::new(kind).hyper, kind.spec().hyper);
            assert_eq!(Settings::tutorial(kind).train_size, 50_000);
            assert!(Settings::new(kind).problem().is_none());
        }
    }

    #[test]
    fn auto_prefers_a_real_gpu_and_else_the_faster_cpu() {
        assert_eq!(BackendChoice::Auto.resolve(true), BackendKind::Wgpu);
        assert_eq!(BackendChoice::Auto.resolve(false), DEFAULT_CPU);
        assert_eq!(BackendChoice::NdArray.resolve(true), BackendKind::NdArray);
        for c in BackendChoice::ALL {
            assert_eq!(BackendChoice::parse(c.id()), Some(c));
        }
    }

    #[test]
    fn settings_survive_a_trip_through_the_url() {
        let mut s = Settings::quick(ModelKind::Four);
        s.hyper.lr = 0.05;
        s.hyper.decay = 1e-6;
        s.seed = 42;
        s.backend = BackendChoice::NdArray;
        s.threads = 3;
        let mut base = Settings::new(ModelKind::Six);
        base.threads = 2;
        let (back, ignored) = from_query(&format!("?{}", to_query(&s)), &base).unwrap();
        assert!(ignored.is_empty(), "{ignored:?}");
        assert!(!to_query(&s).contains("thread"));
        // The backend and the threads are the learner's own: they stay as they were.
        assert_eq!(back.backend, base.backend);
        assert_eq!(back.threads, 2);
        assert_eq!(
            Settings {
                backend: s.backend,
                threads: s.threads,
                ..back
            },
            s
        );
    }

    #[test]
    fn a_link_with_only_a_model_brings_its_tutorial_settings_and_bad_values_are_named() {
        let base = Settings::quick(ModelKind::Six);
        let (s, ignored) = from_query("model=four&epochs=x&utm=1", &base).unwrap();
        assert_eq!(s.hyper, ModelKind::Four.spec().hyper);
        assert_eq!(s.train_size, base.train_size);
        assert_eq!(ignored, ["epochs=x"]);
        assert_eq!(from_query("", &base), None);
        assert_eq!(from_query("?utm=1", &base), None);
        let (kept, why) = from_query("lr=-1", &base).unwrap();
        assert_eq!(kept, base);
        assert!(why[0].contains("learning rate"), "{why:?}");
    }

    #[test]
    fn threads_default_to_the_cores_within_limits_and_old_settings_read_as_automatic() {
        assert_eq!(resolve_threads(0, 2), 2);
        assert_eq!(resolve_threads(0, 0), 1);
        assert_eq!(resolve_threads(0, 64), AUTO_THREADS_MAX);
        assert_eq!(resolve_threads(3, 2), 3);
        assert_eq!(resolve_threads(99, 2), THREADS_MAX);
        let mut old = serde_json::to_value(Settings::new(ModelKind::Four)).unwrap();
        old.as_object_mut().unwrap().remove("threads");
        let back: Settings = serde_json::from_value(old).unwrap();
        assert_eq!(back.threads, 0);
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let mut s = Settings::new(ModelKind::Four);
        s.hyper.lr = 0.0;
        assert!(s.problem().unwrap().contains("learning rate"));
        let mut s = Settings::new(ModelKind::Four);
        s.hyper.momentum = 1.5;
        assert!(s.problem().unwrap().contains("momentum"));
        let mut s = Settings::new(ModelKind::Four);
        s.train_size = 0;
        assert!(s.problem().unwrap().contains("image"));
    }

    mod fuzzed {
        //! The share-link query, which anyone can write, on random text: never a panic;
        //! what is taken is valid; a link made here reads back to the same settings. The
        //! same check runs for hours under cargo-fuzz (fuzz/fuzz_targets/share_link.rs).
        use super::*;
        use proptest::prelude::*;

        fn settings() -> impl Strategy<Value = Settings> {
            (
                any::<bool>(),
                (1e-6..1.0f64, 0.0..0.999f64, any::<bool>(), 0.0..1e-2f64),
                (
                    1usize..=1024,
                    1usize..=200,
                    1usize..60_000,
                    1usize..10_001,
                    any::<u64>(),
                ),
            )
                .prop_map(
                    |(six, (lr, momentum, nesterov, decay), (batch, epochs, train, val, seed))| {
                        let kind = if six { ModelKind::Six } else { ModelKind::Four };
                        let mut s = Settings::new(kind);
                        s.hyper = Hyper {
                            lr,
                            momentum,
                            nesterov,
                            decay,
                            batch_size: batch,
                            epochs,
                        };
                        s.train_size = train;
                        s.val_size = val;
                        s.seed = seed;
                        s
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_query_gives_valid_settings_or_none(query in any::<String>()) {
                let base = Settings::new(ModelKind::Six);
                if let Some((s, _)) = from_query(&query, &base) {
                    prop_assert_eq!(s.problem(), None);
                }
            }

            #[test]
            fn a_query_of_pairs_gives_valid_settings_or_none(
                pairs in proptest::collection::vec(("(model|lr|momentum|nesterov|decay|batch|epochs|train|val|seed|x)", "[-+.eE0-9a-z]{0,12}"), 0..8)
            ) {
                let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let base = Settings::new(ModelKind::Four);
                if let Some((s, _)) = from_query(&query.join("&"), &base) {
                    prop_assert_eq!(s.problem(), None);
                }
            }

            #[test]
            fn a_link_reads_back_to_its_settings(s in settings()) {
                let base = Settings::new(ModelKind::Six);
                let (back, ignored) = from_query(&to_query(&s), &base).unwrap();
                prop_assert!(ignored.is_empty());
                prop_assert_eq!(back.hyper, s.hyper);
                prop_assert_eq!((back.model, back.train_size, back.val_size, back.seed), (s.model, s.train_size, s.val_size, s.seed));
            }
        }
    }
}
