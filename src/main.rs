use clap::Parser;

fn main() {
    let cli = dutydesk::cli::Cli::parse();
    if let Err(f) = dutydesk::cli::run(cli) {
        eprintln!("dutydesk: {}", f.message);
        std::process::exit(f.code);
    }
}
