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
    let result = dutydesk::cli::run(cli);
    // `dutydesk bench` runs commands as children and asks each for its own
    // peak memory (a spawned child's resource usage also counts the parent
    // it was forked from).
    if std::env::var_os(dutydesk::bench::PEAK_ENV).is_some() {
        dutydesk::bench::say_peak();
    }
    if let Err(f) = result {
        dutydesk::process::say(&format!("dutydesk: {}", f.message));
        std::process::exit(f.code());
    }
}
