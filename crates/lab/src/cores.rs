//! Where native training runs: on one of the CPU thread pool's own threads.
//!
//! burn Flex and [`crate::conv`] split their loops over rayon's global pool. Called from a
//! thread outside the pool (a program's main thread), every such loop hands its work to
//! the pool and sleeps until it is done: a wake-up through the kernel for each of the
//! hundreds of parallel loops in a training step (13% of a 6-layer step in `perf`,
//! BENCHMARKS.md, "Convolutions at the machine's speed"). Called from a pool thread, the
//! same loops start on the spot. The browser's trainer has no pool (one thread per
//! worker), so there this is a plain call.

/// `f()`, run on a thread of the global rayon pool where there is one (native builds with
/// `threads`), else on this thread. Blocks until `f` returns; a panic in `f` comes back
/// here.
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    #[cfg(all(feature = "threads", not(target_family = "wasm")))]
    {
        if rayon::current_thread_index().is_none() {
            // `join` from outside the pool runs both halves on pool threads and waits.
            return rayon::join(f, || ()).0;
        }
    }
    f()
}
