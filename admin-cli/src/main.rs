//! The admin CLI. Its commands arrive with the administration issue; for now it only parses `--help`.
use clap::Parser;

/// Administer a running eo-server over its control socket.
#[derive(Parser)]
#[command(version, about)]
struct Cli {}

fn main() {
    let _ = Cli::parse();
    eprintln!("eo-admin: no commands yet (the control socket arrives with the administration issue)");
    std::process::exit(1);
}
