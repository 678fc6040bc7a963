//! What `summary` prints. (Run reports are `lab::report`'s, shared with the app.)

use lab::spec::ModelKind;

/// `cnnlab summary`: the model's name, its table and its settings.
pub fn summary(kind: ModelKind) -> String {
    let spec = kind.spec();
    let table = match spec.table() {
        Ok(t) => t.to_text(),
        Err(e) => format!("(inconsistent model description: {e})\n"),
    };
    let h = spec.hyper;
    format!(
        "{}\n\n{table}\nOptimizer: SGD, learning rate {}, momentum {}, nesterov {}, decay {}; batch {}\n",
        spec.name, h.lr, h.momentum, h.nesterov, h.decay, h.batch_size
    )
}
