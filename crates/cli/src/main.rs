//! `cnnlab`: the tutorial's CNNs on the command line, for developers, teachers preparing a
//! class, and benchmarks.
//!
//! ```text
//! cnnlab summary --model six
//! cnnlab train --model six --epochs 10 --data cifar-10-binary.tar.gz --json run.json --save six.bpk
//! cnnlab eval --model six --weights six.bpk --data cifar-10-binary.tar.gz
//! cnnlab bench --model six --backend wgpu --batches 200
//! ```

#![forbid(unsafe_code)]

mod args;
mod bench;
mod data;
mod report;
mod train;

use std::process::ExitCode;

use clap::Parser;

/// Each training step allocates and frees buffers of megabytes (activations, column
/// matrices, gradients). glibc's allocator maps such buffers fresh from the system and
/// unmaps them when freed, so every pass page-faults them in again, and on several threads
/// each unmapping interrupts the other cores: mimalloc keeps them for reuse.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // On a thread of the CPU pool, so that burn's parallel loops start without a hand-off.
    let result = lab::cores::on_pool(|| match cli.command {
        Command::Summary(a) => {
            print!("{}", report::summary(a.model.kind()));
            Ok(())
        }
        Command::Train(a) => train::train(&a),
        Command::Eval(a) => train::eval(&a),
        Command::Bench(a) => bench::bench(&a),
        Command::Report(a) => train::report(&a),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line, never a backtrace.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
