//! `cargo xtask chaos`: does `cf-bindings apply` converge, truthfully, against a
//! server that misbehaves on a fraction of all requests?
//!
//! For each of N files: read the live bindings of the emulator's two demo prefixes
//! (with the emulator's chaos mode off), write a random bindings file 0 to 25
//! changes away from them (valid by construction, and checked by
//! `cf-bindings validate`), then run `cf-bindings apply --yes -f FILE` with chaos on
//! (every fault kind, a seed per file and run) until the live bindings match the
//! file or the runs run out. After every run, with chaos off again, it checks:
//! - **converged**: the live bindings are exactly the file's;
//! - **duplicates**: no two live bindings of a prefix have the same CIDR, and no
//!   create was refused as one (the emulator refuses a second binding of a CIDR
//!   with code 1032, so a client that would make a duplicate shows up that way);
//! - **contradictions**: what apply reported bears out: the bindings before the run
//!   with the steps reported done are the bindings after it (with exit code 5 the
//!   step whose outcome is unknown may be done or not), and an exit code 0 leaves
//!   the file's bindings.
//!
//! The next file starts from whatever the last run left. Everything is drawn from
//! one seed: the files, and the chaos seed of each run; so a run is reproduced by
//! its seed as long as the client sends the same requests.
//!
//! [`measure`] is the harness, used by `cargo xtask chaos` (against the emulator's
//! binary) and by the CLI's tests (a smaller run, against an emulator in process).
//! What it measures and its outcome are in `measurement`, one run of the CLI in
//! `run`.

mod generate;
mod measurement;
mod model;
mod report;
mod run;
mod server;

use std::time::Instant;

pub use measurement::{FileRecord, Measurement, Run, Settings};
pub use model::{ACCOUNT, PREFIXES, TOKEN};
pub use run::Target;
pub use server::Server;

use run::{run_once, validate};

/// The most changes a file is away from the live bindings.
pub const MAX_CHANGES: usize = 25;

/// A 64-bit mix of `values` (SplitMix64 steps): the seed of one file or run.
fn mix(values: &[u64]) -> u64 {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for v in values {
        x ^= v.wrapping_add(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
    }
    x
}

/// Runs the measurement; `progress` gets a line per run.
pub fn measure(
    target: &Target<'_>,
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> Result<Measurement, String> {
    let started = Instant::now();
    let mut files = Vec::with_capacity(settings.files);
    for number in 1..=settings.files {
        let seed = u64::try_from(number).unwrap_or(u64::MAX);
        let mut rng = fastrand::Rng::with_seed(mix(&[settings.seed, seed]));
        let before = target.server.live()?;
        let live = model::without_ids(&before);
        let drawn = rng.usize(0..=MAX_CHANGES);
        let wanted = generate::wanted(&mut rng, &live, drawn);
        let changes = model::all_changes(&live, &wanted);
        let file = target.workdir.join(format!("bindings-{number:02}.toml"));
        std::fs::write(&file, model::render_file(&wanted))
            .map_err(|e| format!("{}: {e}", file.display()))?;
        validate(target, &file)?;
        let mut record = FileRecord {
            number,
            changes,
            runs: Vec::new(),
        };
        let mut before = before;
        for attempt in 1..=settings.max_runs {
            let chaos_seed = mix(&[
                settings.seed,
                seed,
                u64::try_from(attempt).unwrap_or(u64::MAX),
            ]);
            let run = run_once(
                target, settings, &file, attempt, chaos_seed, &before, &wanted,
            )?;
            progress(&format!(
                "file {number:>2} ({changes:>2} changes) run {attempt}: exit {}, {}{}",
                run.exit.map_or("none".to_owned(), |c| c.to_string()),
                if run.converged {
                    "converged"
                } else {
                    "not converged"
                },
                run.error
                    .as_ref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ));
            let converged = run.converged;
            record.runs.push(run);
            if converged {
                break;
            }
            before = target.server.live()?;
        }
        files.push(record);
    }
    Ok(Measurement {
        settings: settings.clone(),
        files,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_per_file_and_run() {
        assert_ne!(mix(&[1, 1]), mix(&[1, 2]));
        assert_ne!(mix(&[1, 1, 1]), mix(&[1, 1, 2]));
        assert_eq!(mix(&[7, 3]), mix(&[7, 3]));
    }
}
