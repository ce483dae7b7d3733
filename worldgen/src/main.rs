//! `eo-worldgen`: builds the bundled world from its sources.
//!
//! ```text
//! cargo run -p eo-worldgen -- [--src fixtures/world-src] [--out fixtures/world] [--check]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Builds the bundled EO world (EMF maps and pub files) from readable TOML sources.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The source folder (items.toml, npcs.toml, spells.toml, classes.toml, maps/NNNNN.toml;
    /// inns.toml and speech.toml if there are any).
    #[arg(long, default_value = "fixtures/world-src")]
    src: PathBuf,
    /// The output folder (maps/NNNNN.emf and pub/*).
    #[arg(long, default_value = "fixtures/world")]
    out: PathBuf,
    /// Build in memory only and fail if the output folder differs from the build.
    #[arg(long)]
    check: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let world = match eo_worldgen::build(&args.src) {
        Ok(world) => world,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.check {
        match world.compare(&args.out) {
            Ok(differences) if differences.is_empty() => {
                println!(
                    "{}: {} files match the sources in {}",
                    args.out.display(),
                    world.files.len(),
                    args.src.display()
                );
                ExitCode::SUCCESS
            }
            Ok(differences) => {
                eprintln!(
                    "{} is out of date with {} (rebuild it with `just world`):",
                    args.out.display(),
                    args.src.display()
                );
                for difference in differences {
                    eprintln!("  {difference}");
                }
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    } else {
        if let Err(e) = world.write(&args.out) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        for (name, bytes) in &world.files {
            println!(
                "{:>6} bytes  {}",
                bytes.len(),
                args.out.join(name).display()
            );
        }
        ExitCode::SUCCESS
    }
}
