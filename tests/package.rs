//! The Debian package (issue 20, point 1): its metadata in Cargo.toml, every
//! asset it names, the generated ones (a manual page per subcommand, the
//! completion scripts) current with the binary, the sample system file
//! listing every setting, the maintainer scripts making the hardened
//! install, and, when `cargo deb` is installed, the .deb itself built and
//! its contents read back with `dpkg-deb`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest() -> toml::Table {
    toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap()
}

/// `[package.metadata.deb]`.
fn deb() -> toml::Table {
    manifest()["package"]["metadata"]["deb"]
        .as_table()
        .expect("[package.metadata.deb] in Cargo.toml")
        .clone()
}

/// (source, destination, mode) of every asset.
fn assets() -> Vec<(String, String, String)> {
    deb()["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_array().unwrap();
            (
                a[0].as_str().unwrap().to_string(),
                a[1].as_str().unwrap().to_string(),
                a[2].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The binary with neither the tester's settings nor a system file.
fn dd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dutydesk"));
    c.env("DUTYDESK_CONFIG", "/dev/null")
        .env("DUTYDESK_SYSTEM_CONFIG", "/dev/null")
        .env_remove("DUTYDESK_DB")
        .env_remove("COMPLETE");
    c
}

/// Every path of the command tree, as manual page names: `dutydesk`,
/// `dutydesk-staff`, `dutydesk-staff-add`...
fn page_names(cmd: &clap::Command, prefix: &str, out: &mut BTreeSet<String>) {
    out.insert(format!("{prefix}.1"));
    for s in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        page_names(s, &format!("{prefix}-{}", s.get_name()), out);
    }
}

#[test]
fn every_asset_exists_and_the_metadata_makes_the_hardened_install() {
    let d = deb();
    assert_eq!(d["maintainer-scripts"].as_str(), Some("packaging/debian/"));
    assert!(d["depends"].as_str().unwrap().contains("adduser"));
    assert!(root().join("LICENSE").is_file(), "a LICENSE file");
    assert_eq!(
        manifest()["package"]["license"].as_str(),
        Some("MIT"),
        "the licence Cargo.toml names is LICENSE's"
    );
    assert!(
        std::fs::read_to_string(root().join("LICENSE"))
            .unwrap()
            .starts_with("MIT License")
    );
    let mut dests = Vec::new();
    for (src, dest, mode) in assets() {
        dests.push(dest.clone());
        assert!(
            mode == "644" || mode == "755",
            "{src}: mode {mode}; setgid comes from dpkg-statoverride in postinst"
        );
        if src.starts_with("target/release/") {
            continue;
        }
        if let Some(dir) = src.strip_suffix("/*.1") {
            let n = std::fs::read_dir(root().join(dir)).unwrap().count();
            assert!(n > 10, "{src}: {n} pages");
            continue;
        }
        assert!(root().join(&src).is_file(), "asset {src} is missing");
    }
    for want in [
        "usr/bin/",
        "etc/dutydesk/config.toml",
        "lib/systemd/system/",
        "usr/libexec/dutydesk/backup-nightly",
        "usr/share/man/man1/",
        "usr/share/bash-completion/completions/dutydesk",
        "usr/share/zsh/vendor-completions/_dutydesk",
        "usr/share/fish/vendor_completions.d/dutydesk.fish",
        "usr/share/doc/dutydesk/LICENSE",
    ] {
        assert!(dests.iter().any(|d| d == want), "no asset for {want}");
    }
    let units: Vec<String> = assets()
        .into_iter()
        .filter(|(_, d, _)| d == "lib/systemd/system/")
        .map(|(s, _, _)| s)
        .collect();
    for unit in [
        "dutydesk-notifier.service",
        "dutydesk-backup.service",
        "dutydesk-backup.timer",
        "dutydesk-verify.service",
        "dutydesk-verify.timer",
    ] {
        assert!(
            units.iter().any(|u| u.ends_with(unit)),
            "{unit} is not packaged"
        );
    }
}

/// The maintainer scripts: valid shell, the dutydesk group, the setgid
/// binary through dpkg-statoverride (kept across upgrades), the database
/// directory 2770, the service accounts, and records never removed.
#[test]
fn the_maintainer_scripts_make_the_group_the_directory_and_the_setgid_binary() {
    let dir = root().join("packaging/debian");
    for s in ["postinst", "prerm", "postrm"] {
        let p = dir.join(s);
        let st = Command::new("sh").arg("-n").arg(&p).status().unwrap();
        assert!(st.success(), "{s} is not valid sh");
        use std::os::unix::fs::PermissionsExt;
        assert!(
            p.metadata().unwrap().permissions().mode() & 0o111 != 0,
            "{s} must be executable"
        );
    }
    let post = std::fs::read_to_string(dir.join("postinst")).unwrap();
    for want in [
        "addgroup --system --quiet dutydesk",
        "dpkg-statoverride --update --add root dutydesk 2755 /usr/bin/dutydesk",
        "install -d -o root -g dutydesk -m 2770 /var/lib/dutydesk",
        "dutydesk-notify dutydesk-backup",
        "install -d -o dutydesk-backup -g dutydesk-backup -m 0700 /var/backups/dutydesk",
    ] {
        assert!(post.contains(want), "postinst lacks {want:?}");
    }
    let postrm = std::fs::read_to_string(dir.join("postrm")).unwrap();
    assert!(
        !postrm.contains("rm -r") && !postrm.contains("/var/lib/dutydesk\n"),
        "records are never removed with the package"
    );
}

/// The units run what the package installs, as the accounts it makes, and
/// never with no-new-privileges (which would void the setgid bit).
#[test]
fn the_units_run_the_packaged_programs_under_their_accounts() {
    let dir = root().join("packaging/systemd");
    for (unit, user, exec) in [
        (
            "dutydesk-notifier.service",
            "dutydesk-notify",
            "/usr/bin/dutydesk notifier",
        ),
        (
            "dutydesk-backup.service",
            "dutydesk-backup",
            "/usr/libexec/dutydesk/backup-nightly",
        ),
        (
            "dutydesk-verify.service",
            "dutydesk-backup",
            "/usr/bin/dutydesk verify",
        ),
    ] {
        let text = std::fs::read_to_string(dir.join(unit)).unwrap();
        assert!(text.contains(&format!("User={user}")), "{unit}");
        assert!(text.contains(&format!("ExecStart={exec}")), "{unit}");
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            for bad in [
                "NoNewPrivileges",
                "SystemCallFilter",
                "RestrictNamespaces",
                "PrivateDevices",
            ] {
                assert!(!line.starts_with(bad), "{unit}: {line}");
            }
        }
    }
    for timer in ["dutydesk-backup.timer", "dutydesk-verify.timer"] {
        let text = std::fs::read_to_string(dir.join(timer)).unwrap();
        assert!(text.contains("OnCalendar=*-*-* 0"), "{timer}: nightly");
        assert!(text.contains("Persistent=true"), "{timer}");
    }
    let nightly = root().join("packaging/backup-nightly");
    assert!(
        Command::new("sh")
            .arg("-n")
            .arg(&nightly)
            .status()
            .unwrap()
            .success()
    );
    let text = std::fs::read_to_string(nightly).unwrap();
    assert!(
        text.contains("PATH=/usr/bin:/bin"),
        "works with cron's PATH"
    );
}

/// The sample /etc/dutydesk/config.toml lists every setting of the system
/// file, commented out; with every line uncommented it is a valid file
/// setting each one.
#[test]
fn the_sample_system_file_lists_every_setting() {
    let text = std::fs::read_to_string(root().join("packaging/config.toml")).unwrap();
    let parsed: dutydesk::config::SystemConfig = toml::from_str(&text).unwrap();
    assert_eq!(
        parsed,
        dutydesk::config::SystemConfig::default(),
        "as shipped, every setting is commented out"
    );
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if rest.contains(" = ") && !rest.starts_with(' ') => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let table: toml::Table = toml::from_str(&uncommented).unwrap();
    for key in dutydesk::config::SystemConfig::keys() {
        let found = match key.split_once('.') {
            Some((section, k)) => table.get(section).and_then(|s| s.get(k)).is_some(),
            None => table.get(&key).is_some(),
        };
        assert!(found, "the sample does not list {key}");
    }
    let all: dutydesk::config::SystemConfig = toml::from_str(&uncommented)
        .unwrap_or_else(|e| panic!("uncommented sample does not parse: {e}"));
    assert!(all.database.is_some() && all.backup.account.is_some());
}

/// One manual page per subcommand, and the committed pages and completion
/// scripts are what this binary makes (regenerate with `packaging/generate`).
#[test]
fn manual_pages_and_completions_are_current() {
    let mut want = BTreeSet::new();
    page_names(
        &<dutydesk::cli::Cli as clap::CommandFactory>::command(),
        "dutydesk",
        &mut want,
    );
    let tmp = tempfile::tempdir().unwrap();
    let o = dd()
        .args(["man", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let names = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let made = names(tmp.path());
    assert_eq!(made, want, "a page for every subcommand, no other");
    let committed = root().join("packaging/man");
    assert_eq!(
        names(&committed),
        made,
        "packaging/man is stale: run packaging/generate"
    );
    for name in &made {
        assert_eq!(
            std::fs::read(committed.join(name)).unwrap(),
            std::fs::read(tmp.path().join(name)).unwrap(),
            "packaging/man/{name} is stale: run packaging/generate"
        );
    }
    for (shell, file) in [
        ("bash", "dutydesk.bash"),
        ("zsh", "_dutydesk"),
        ("fish", "dutydesk.fish"),
    ] {
        let o = dd().args(["completions", shell]).output().unwrap();
        assert!(o.status.success());
        assert_eq!(
            std::fs::read(root().join("packaging/completions").join(file)).unwrap(),
            o.stdout,
            "packaging/completions/{file} is stale: run packaging/generate"
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("COMPLETE="),
            "{shell}: the script asks dutydesk for the values"
        );
    }
}

/// Builds the .deb with `cargo deb` around the binary these tests built (no
/// second compilation), then reads it back: files, modes, conffiles, the
/// maintainer scripts and the control fields. Skips, saying why, when
/// cargo-deb is not installed (`cargo install cargo-deb`; CI installs it).
#[test]
fn the_package_builds_and_holds_what_it_should() {
    let have = Command::new("cargo")
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!(
            "SKIPPED the_package_builds_and_holds_what_it_should: cargo-deb is not installed (`cargo install cargo-deb`); the metadata and assets are still checked by the other tests"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("target");
    std::fs::create_dir_all(target.join("release")).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_dutydesk"),
        target.join("release/dutydesk"),
    )
    .unwrap();
    let deb = tmp.path().join("dutydesk.deb");
    let o = Command::new("cargo")
        .current_dir(root())
        .env("CARGO_TARGET_DIR", &target)
        .args(["deb", "--no-build", "--no-strip", "--fast", "-o"])
        .arg(&deb)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "cargo deb: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let list = Command::new("dpkg-deb")
        .arg("-c")
        .arg(&deb)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    let entry = |path: &str| -> Option<String> {
        list.lines()
            .find(|l| l.ends_with(&format!(" ./{path}")) || l.contains(&format!(" ./{path} ")))
            .map(str::to_string)
    };
    for (path, mode) in [
        ("usr/bin/dutydesk", "-rwxr-xr-x"),
        ("etc/dutydesk/config.toml", "-rw-r--r--"),
        ("lib/systemd/system/dutydesk-notifier.service", "-rw-r--r--"),
        ("lib/systemd/system/dutydesk-backup.timer", "-rw-r--r--"),
        ("lib/systemd/system/dutydesk-verify.timer", "-rw-r--r--"),
        ("usr/libexec/dutydesk/backup-nightly", "-rwxr-xr-x"),
        (
            "usr/share/bash-completion/completions/dutydesk",
            "-rw-r--r--",
        ),
        ("usr/share/zsh/vendor-completions/_dutydesk", "-rw-r--r--"),
        (
            "usr/share/fish/vendor_completions.d/dutydesk.fish",
            "-rw-r--r--",
        ),
        ("usr/share/doc/dutydesk/LICENSE", "-rw-r--r--"),
    ] {
        let line = entry(path).unwrap_or_else(|| panic!("{path} not in the package:\n{list}"));
        assert!(line.starts_with(mode), "{path}: {line}");
        assert!(
            line.contains("root/root") || line.contains(" 0/0 "),
            "{path} belongs to root: {line}"
        );
    }
    let mut want = BTreeSet::new();
    page_names(
        &<dutydesk::cli::Cli as clap::CommandFactory>::command(),
        "dutydesk",
        &mut want,
    );
    for page in &want {
        assert!(
            list.contains(&format!("usr/share/man/man1/{page}")),
            "man page {page} not in the package"
        );
    }
    let control = tmp.path().join("control");
    let o = Command::new("dpkg-deb")
        .arg("-e")
        .arg(&deb)
        .arg(&control)
        .output()
        .unwrap();
    assert!(o.status.success());
    let fields = std::fs::read_to_string(control.join("control")).unwrap();
    assert!(fields.contains("Package: dutydesk"), "{fields}");
    assert!(
        fields.contains("Depends: adduser, libc6 (>= 2.34)"),
        "{fields}"
    );
    let conffiles = std::fs::read_to_string(control.join("conffiles")).unwrap();
    assert!(
        conffiles.contains("/etc/dutydesk/config.toml"),
        "{conffiles}"
    );
    let postinst = std::fs::read_to_string(control.join("postinst")).unwrap();
    assert!(postinst.contains("2770") && postinst.contains("dpkg-statoverride"));
    for s in ["postinst", "prerm", "postrm"] {
        use std::os::unix::fs::PermissionsExt;
        let m = control.join(s).metadata().unwrap().permissions().mode();
        assert!(m & 0o111 != 0, "{s} in the package is not executable");
    }
}
