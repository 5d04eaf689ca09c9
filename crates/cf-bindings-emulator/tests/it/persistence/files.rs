//! Files kept private: modes under umask 000, a symlink at the lock path refused,
//! devices and FIFOs refused at once, files past their cap refused unread.

use super::*;

#[cfg(unix)]
#[tokio::test]
async fn files_and_directories_are_private_under_umask_000() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new").join("sub").join("state.json");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 000; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_cf-bindings-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--provisioning-delay",
            "0",
            "--state",
        ])
        .arg(&path)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // A change: the state file is written again through a temporary file.
    let created = reqwest::Client::new()
        .post(bindings_of(line.trim(), DEMO_IPV4_PREFIX_ID))
        .bearer_auth("emulator-token")
        .json(&json!({"cidr": "203.0.113.9/32", "service_id": CDN_SERVICE_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("203.0.113.9/32")
    );
    assert_eq!(mode_of(&path), 0o600, "state file");
    assert_eq!(
        mode_of(&dir.path().join("new/sub/state.json.lock")),
        0o600,
        "lock file"
    );
    assert_eq!(
        mode_of(&dir.path().join("new/sub")),
        0o700,
        "created directory"
    );
    assert_eq!(mode_of(&dir.path().join("new")), 0o700, "created directory");
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_at_the_lock_path_is_refused_and_its_target_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let lock = dir.path().join("state.json.lock");
    let missing_target = dir.path().join("created-through-the-link");
    let existing_target = dir.path().join("victim");
    std::fs::write(&existing_target, b"keep me").unwrap();
    let victim_mode = mode_of(&existing_target);
    for target in [&missing_target, &existing_target] {
        std::os::unix::fs::symlink(target, &lock).unwrap();
        for sharing in [StateSharing::Exclusive, StateSharing::Shared] {
            let err = Emulator::start(file_config(&path, sharing))
                .await
                .expect_err("a symlinked lock file is refused");
            let message = err.to_string();
            assert!(matches!(err, Error::StateIo { .. }), "{err:?}");
            assert!(
                message.contains("state.json.lock") && message.contains("symbolic link"),
                "{message}"
            );
        }
        assert!(
            std::fs::symlink_metadata(&lock)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        std::fs::remove_file(&lock).unwrap();
    }
    assert!(!missing_target.exists(), "the link's target was created");
    assert_eq!(std::fs::read(&existing_target).unwrap(), b"keep me");
    assert_eq!(mode_of(&existing_target), victim_mode);
    assert!(!path.exists(), "nothing was started");

    // In shared mode every request opens the lock again: a link planted then is
    // refused too, and the change is not made.
    let emu = start_with(file_config(&path, StateSharing::Shared)).await;
    std::fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&missing_target, &lock).unwrap();
    emu.create(DEMO_IPV4_PREFIX_ID, "203.0.113.7/32", CDN_SERVICE_ID)
        .await
        .expect_error(500, error_codes::STORAGE_FAILURE);
    assert!(!missing_target.exists(), "the link's target was created");
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("203.0.113.7/32")
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_and_fifos_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap().to_owned();
    for (option, path, kind) in [
        ("--state", "/dev/zero", "a character device"),
        ("--seed", "/dev/zero", "a character device"),
        ("--token-file", "/dev/zero", "a character device"),
        ("--api-key-file", "/dev/zero", "a character device"),
        ("--state", fifo.as_str(), "a FIFO"),
        ("--seed", fifo.as_str(), "a FIFO"),
        ("--token-file", fifo.as_str(), "a FIFO"),
        ("--api-key-file", fifo.as_str(), "a FIFO"),
    ] {
        let child = emulator_binary()
            .args(["--listen", "127.0.0.1:0", option, path])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (status, stderr) = exit_within_bound(child, &format!("{option} {path}"));
        assert_eq!(status.code(), Some(1), "{option} {path}: {stderr}");
        assert!(
            stderr.contains(path) && stderr.contains(&format!("not a regular file ({kind})")),
            "{option} {path}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // The state file's lock is not made beside a device.
    assert!(!Path::new("/dev/zero.lock").exists());
}

#[test]
fn files_past_their_cap_are_refused_before_being_read() {
    use cf_bindings_emulator::{
        CredentialFile, MAX_CREDENTIAL_FILE_BYTES, MAX_SEED_FILE_BYTES, MAX_STATE_FILE_BYTES, Seed,
    };
    let dir = tempfile::tempdir().unwrap();
    // Sparse files: their size costs no disk, and reading them whole would cost memory.
    let sized = |name: &str, len: u64| {
        let path = dir.path().join(name);
        std::fs::File::create(&path).unwrap().set_len(len).unwrap();
        path
    };
    let seed = sized("seed.json", MAX_SEED_FILE_BYTES + 1);
    let message = Seed::load(&seed).unwrap_err().to_string();
    assert!(
        message.contains("seed.json") && message.contains("larger than 1 MiB"),
        "{message}"
    );
    // At the cap it is read (and found not to be JSON).
    let seed = sized("seed-at-cap.json", MAX_SEED_FILE_BYTES);
    let message = Seed::load(&seed).unwrap_err().to_string();
    assert!(message.contains("invalid seed"), "{message}");

    let token = sized("token", MAX_CREDENTIAL_FILE_BYTES + 1);
    let message = CredentialFile::read(&token).unwrap_err().to_string();
    assert!(message.contains("larger than 4 KiB"), "{message}");

    let state = sized("state.json", MAX_STATE_FILE_BYTES + 1);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let err = runtime
        .block_on(Emulator::start(file_config(
            &state,
            StateSharing::Exclusive,
        )))
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::StateIo { .. }), "{err:?}");
    assert!(
        message.contains("state.json") && message.contains("larger than 16 MiB"),
        "{message}"
    );
    assert_eq!(
        std::fs::metadata(&state).unwrap().len(),
        MAX_STATE_FILE_BYTES + 1,
        "left untouched"
    );
}
