//! Issue 3, bad input at start-up: one clear line, exit code 2, nothing half-created.

use std::process::Command;

use tavoli_tests::tavoli_bin;

fn run(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = Command::new(tavoli_bin());
    command
        .args(args)
        .env_remove("TAVOLI_ADDR")
        .env_remove("TAVOLI_DATABASE_URL")
        .env_remove("TAVOLI_DATA_DIR");
    for (key, value) in envs {
        command.env(key, value);
    }
    let output = command.output().expect("tavoli runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn help_explains_every_setting() {
    let (code, stdout, _) = run(&["--help"], &[]);
    assert_eq!(code, 0);
    for needle in [
        "TAVOLI_ADDR",
        "TAVOLI_DATABASE_URL",
        "TAVOLI_DATA_DIR",
        "TAVOLI_LOG",
        "admin",
        "demo",
    ] {
        assert!(
            stdout.contains(needle),
            "--help mentions {needle}:\n{stdout}"
        );
    }
}

/// What is wrong, the arguments, the environment, and what the message must say.
type Case<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);

#[test]
fn bad_start_up_input_is_one_clear_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let readonly = dir.path().join("readonly");
    std::fs::create_dir(&readonly).unwrap();
    let mut perms = std::fs::metadata(&readonly).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o500);
    std::fs::set_permissions(&readonly, perms).unwrap();
    let unwritable = readonly.join("data");
    let running_as_root = running_as_root_user();

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_addr = busy.local_addr().unwrap().to_string();

    let mut cases: Vec<Case> = vec![
        ("an unknown flag", vec!["--colour"], vec![], "--colour"),
        (
            "an unknown database scheme",
            vec!["migrate"],
            vec![("TAVOLI_DATABASE_URL", "mysql://x/y")],
            "unknown database URL scheme `mysql`",
        ),
        (
            "an address that is not one",
            vec!["serve"],
            vec![("TAVOLI_ADDR", "localhost"), ("TAVOLI_DATA_DIR", data)],
            "not an address:port",
        ),
        (
            "a port in use",
            vec!["serve"],
            vec![("TAVOLI_ADDR", &busy_addr), ("TAVOLI_DATA_DIR", data)],
            "cannot listen on",
        ),
    ];
    let unwritable = unwritable.to_str().unwrap().to_string();
    if !running_as_root {
        // root writes anywhere, so this case only means something for an ordinary user.
        cases.push((
            "an unwritable data directory",
            vec!["migrate"],
            vec![("TAVOLI_DATA_DIR", &unwritable)],
            "data directory",
        ));
    }
    for (what, args, envs, needle) in cases {
        let (code, _, stderr) = run(&args, &envs);
        assert_eq!(code, 2, "{what}: exit code 2, stderr: {stderr}");
        assert!(
            stderr.contains(needle),
            "{what}: says `{needle}`, got: {stderr}"
        );
        assert!(
            stderr.lines().filter(|l| !l.trim().is_empty()).count() <= 3,
            "{what}: short message, got: {stderr}"
        );
    }
    drop(busy);
}

#[test]
fn a_data_dir_under_a_file_is_refused_without_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let data = file.join("data");
    let (code, _, stderr) = run(&["migrate"], &[("TAVOLI_DATA_DIR", data.to_str().unwrap())]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot create the data directory"),
        "{stderr}"
    );
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "nothing was created beside the file");
}

#[test]
fn admin_create_makes_an_account_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let args = [
        "admin",
        "create",
        "--email",
        "udp@comune.example",
        "--password",
        "una-password-lunga",
    ];
    let (code, stdout, stderr) = run(&args, &[("TAVOLI_DATA_DIR", data)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("udp@comune.example"));
    let (code, _, stderr) = run(&args, &[("TAVOLI_DATA_DIR", data)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already exists"), "{stderr}");
}

fn running_as_root_user() -> bool {
    // Reading our own uid from /proc avoids a libc dependency for one check.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}
