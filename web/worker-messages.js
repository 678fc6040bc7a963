// The only messages written outside Rust: a worker of the trainer whose wasm did not load
// says so in its role's own message type, in the envelope of crates/protocol/src/js.rs
// ({ json, bytes, floats }). crates/trainer/src/boot.rs decodes exactly what this writes
// (it runs this module under node), so the two cannot drift apart.
const WHO = { train: "the training worker", helper: "a helper thread", model: "the model worker" };

/** The message a worker playing `role` sends when the trainer cannot load (`error`). */
export function bootFailed(role, error) {
  const message = `${WHO[role] || "a worker"} could not load the trainer: ${(error && error.message) || error}`;
  // train: Event::Failed(Failure); helper: HelperEvent::Failed; model: ModelReply::Failed.
  const failed = role === "train" ? { Failed: { kind: "Device", message } } : { Failed: message };
  return { json: JSON.stringify(failed), bytes: [], floats: [] };
}
