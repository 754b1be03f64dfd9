use clap::Parser;

fn main() {
    // Like other Unix tools, stop quietly when the reader of our output goes
    // away (`dutydesk list | head`) instead of panicking on a broken pipe.
    // SAFETY: restoring the default disposition of a signal at start-up.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = dutydesk::cli::Cli::parse();
    if let Err(f) = dutydesk::cli::run(cli) {
        eprintln!("dutydesk: {}", f.message);
        std::process::exit(f.code);
    }
}
