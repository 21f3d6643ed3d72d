//! The short fuzz run of `scripts/test`: each target gets a few thousand
//! inputs from a seeded generator (random bytes and mutated seeds), without
//! libFuzzer. `FUZZ_RUNS` sets the number per target (default 5,000) and
//! `FUZZ_SEED` the seed; a failing input is printed so it can be added to
//! `corpus/<target>/` and replayed with `cargo fuzz run <target> <file>`.

use daibantong_fuzz::{seeds, Rng};

fn run(name: &str, target: fn(&[u8]), seeds: &[&[u8]]) {
    let runs: usize = std::env::var("FUZZ_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(15);
    let mut rng = Rng(seed ^ name.len() as u64);
    for s in seeds {
        target(s);
    }
    let started = std::time::Instant::now();
    for i in 0..runs {
        let input = rng.input(seeds);
        let outcome = std::panic::catch_unwind(|| target(&input));
        assert!(outcome.is_ok(), "{name}: run {i} failed on input {input:?} ({:?})", String::from_utf8_lossy(&input));
    }
    eprintln!("{name}: {runs} inputs in {:.2} s", started.elapsed().as_secs_f64());
}

#[test]
fn push_decoder() {
    run("push_decoder", daibantong_fuzz::push_decoder, seeds::PUSH);
}

#[test]
fn validators() {
    run("validators", daibantong_fuzz::validators, seeds::VALIDATORS);
}

#[test]
fn calendar() {
    run("calendar", daibantong_fuzz::calendar, seeds::CALENDAR);
}

/// The seeds are real pushes, so the mutated inputs reach the checks.
#[test]
fn push_seeds_decode() {
    for seed in &seeds::PUSH[..3] {
        let req: shared::sync::PushRequest = serde_json::from_slice(seed).expect("seed decodes");
        assert!(!req.mutations.is_empty());
    }
}
