//! The real binary under a service manager (systemd, `Type=notify`): it says `READY=1` on
//! `NOTIFY_SOCKET` once it listens and answers on its control socket, and `STOPPING=1` when it
//! begins to shut down.

#[path = "common/binary.rs"]
mod binary;

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use binary::{BinaryServer, config_in};

fn next_state(socket: &UnixDatagram) -> String {
    let mut buffer = [0u8; 512];
    let read = socket.recv(&mut buffer).expect("a notification in time");
    String::from_utf8_lossy(&buffer[..read]).into_owned()
}

#[test]
fn the_binary_tells_the_service_manager_it_is_ready_and_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let config = config_in(dir.path(), |_| {});
    let control = config.control.socket.clone();
    let mut server = BinaryServer::start_with_env(
        dir.path(),
        config,
        &[("NOTIFY_SOCKET", path.to_str().unwrap())],
    );
    assert_eq!(next_state(&socket), "READY=1\n");
    // Ready means the control socket answers too.
    assert!(std::os::unix::net::UnixStream::connect(&control).is_ok());
    assert!(server.stop().success());
    assert_eq!(next_state(&socket), "STOPPING=1\n");
}
