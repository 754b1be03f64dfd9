use clap::Parser;

fn main() {
    // Records must never reach a core file: no dumps, whatever the crash.
    if let Err(e) = dutydesk::process::forbid_core_dumps() {
        dutydesk::process::say(&format!("dutydesk: cannot turn off core dumps: {e}"));
        std::process::exit(1);
    }
    // Like other Unix tools, stop quietly when the reader of our output goes
    // away (`dutydesk list | head`) instead of panicking on a broken pipe.
    // SAFETY: restoring the default disposition of a signal at start-up.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // A shell asking for completions (COMPLETE=bash dutydesk -- ...) is
    // answered here, before anything else is printed, and exits.
    dutydesk::cli::complete::serve();
    let cli = dutydesk::cli::Cli::parse();
    if let Err(f) = dutydesk::cli::run(cli) {
        dutydesk::process::say(&format!("dutydesk: {}", f.message));
        std::process::exit(f.code());
    }
}
