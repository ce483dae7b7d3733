//! The control socket: a Unix domain socket, mode 0600, answering one JSON request per line.
//!
//! **Creating it without a window.** The socket is bound inside a fresh private directory (mode
//! 0700, created next to the configured path so both are on one file system), chmod-ed to 0600
//! there, then renamed into place. Until the rename nobody else can reach it (the directory is
//! private), and the rename puts it in place already at 0600. The process umask is not touched:
//! it is process-wide, and other threads (the database's, tests running side by side) create
//! files at the same time.
//!
//! **A file already there.** If something answers on the path, another server is running and
//! start-up stops ([`StartError::ControlSocketInUse`]). If it is a socket nobody answers on (a
//! crashed server's), the rename replaces it. Anything else (a regular file, a directory) is left
//! alone and start-up stops.
//!
//! **Who may connect.** Only peers whose uid is the server's or root's; others are closed at
//! once. The server's uid is the owner of the private directory it just created.
//!
//! **Removal.** The file is removed when the [`ControlSocket`] is dropped (at shutdown, or when
//! start-up fails after binding), only if it is still the one this server created.

use std::io;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::commands::{Admin, CommandError, Source};
use crate::server::StartError;

/// The longest request line, in bytes; a longer one is answered with an error and skipped.
pub const MAX_LINE: usize = 64 * 1024;
/// Control connections open at once at most.
pub const MAX_CONNECTIONS: usize = 32;
/// How long writing one reply may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the liveness check of an existing socket waits for it to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long shutdown waits for control connections to finish the request they are running.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The bound control socket. Dropping it removes the file.
#[derive(Debug)]
pub struct ControlSocket {
    listener: UnixListener,
    file: SocketFile,
    server_uid: u32,
}

/// The socket file this server created: removed on drop if it is still the same file.
#[derive(Debug)]
struct SocketFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        match std::fs::symlink_metadata(&self.path) {
            Ok(meta) if meta.dev() == self.dev && meta.ino() == self.ino => {
                if let Err(error) = std::fs::remove_file(&self.path) {
                    warn!(path = %self.path.display(), %error, "cannot remove the control socket");
                }
            }
            _ => {}
        }
    }
}

/// Whether a peer with `peer_uid` may use the socket of a server running as `server_uid`.
pub fn peer_allowed(peer_uid: u32, server_uid: u32) -> bool {
    peer_uid == server_uid || peer_uid == 0
}

fn io_error(path: &Path, error: io::Error) -> StartError {
    StartError::ControlSocket {
        path: path.display().to_string(),
        error,
    }
}

impl ControlSocket {
    /// Binds the socket at `path` (see the module documentation).
    pub async fn bind(path: &Path) -> Result<ControlSocket, StartError> {
        check_existing(path).await?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if path.file_name().is_none() {
            return Err(io_error(
                path,
                io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"),
            ));
        }
        let private = dir.join(format!(
            ".eo-control-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&private)
            .map_err(|e| io_error(&private, e))?;
        let result = bind_in(&private, path);
        // The directory is empty after the rename (or holds the failed attempt's socket).
        let _ = std::fs::remove_file(private.join("s"));
        let _ = std::fs::remove_dir(&private);
        let (listener, server_uid) = result?;
        let meta = std::fs::symlink_metadata(path).map_err(|e| io_error(path, e))?;
        info!(path = %path.display(), "control socket listening");
        Ok(ControlSocket {
            listener,
            file: SocketFile {
                path: path.to_path_buf(),
                dev: meta.dev(),
                ino: meta.ino(),
            },
            server_uid,
        })
    }

    /// Where the socket is.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// Answers requests until `shutdown` is cancelled; then removes the socket file and waits
    /// (a little) for the connections to finish the request they are running.
    pub async fn serve(self, admin: Arc<Admin>, shutdown: CancellationToken) {
        let ControlSocket {
            listener,
            file,
            server_uid,
        } = self;
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let uid = match stream.peer_cred() {
                            Ok(cred) => cred.uid(),
                            Err(error) => {
                                warn!(%error, "control connection without credentials; closed");
                                continue;
                            }
                        };
                        if !peer_allowed(uid, server_uid) {
                            warn!(uid, "control connection from another user refused");
                            continue;
                        }
                        if connections.len() >= MAX_CONNECTIONS {
                            warn!(uid, "too many control connections; closed");
                            continue;
                        }
                        debug!(uid, "control connection");
                        connections.spawn(connection(stream, uid, Arc::clone(&admin), shutdown.clone()));
                    }
                    Err(error) => {
                        warn!(%error, "control accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
        drop(listener);
        drop(file);
        let all_done = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(SHUTDOWN_GRACE, all_done)
            .await
            .is_err()
        {
            warn!("control connections still busy after {SHUTDOWN_GRACE:?}; stopping anyway");
        }
    }
}

/// Refuses to start when a live server answers on `path` or the path is not a socket; a stale
/// socket is left for the rename to replace.
async fn check_existing(path: &Path) -> Result<(), StartError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(io_error(path, error)),
    };
    if !meta.file_type().is_socket() {
        return Err(io_error(
            path,
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a file that is not a socket is in the way",
            ),
        ));
    }
    match tokio::time::timeout(PROBE_TIMEOUT, UnixStream::connect(path)).await {
        // Something accepts connections there (or is too busy to refuse): a live server.
        Ok(Ok(_)) | Err(_) => Err(StartError::ControlSocketInUse {
            path: path.display().to_string(),
        }),
        Ok(Err(error))
            if matches!(
                error.kind(),
                io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound
            ) =>
        {
            info!(path = %path.display(), "replacing a stale control socket");
            Ok(())
        }
        Ok(Err(error)) => Err(io_error(path, error)),
    }
}

/// Binds in the private directory, sets 0600, renames into place; returns the listener and the
/// server's uid.
fn bind_in(private: &Path, path: &Path) -> Result<(UnixListener, u32), StartError> {
    let server_uid = std::fs::metadata(private)
        .map_err(|e| io_error(private, e))?
        .uid();
    let temporary = private.join("s");
    let listener = UnixListener::bind(&temporary).map_err(|e| io_error(&temporary, e))?;
    std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| io_error(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| io_error(path, e))?;
    Ok((listener, server_uid))
}

/// One line read from a connection.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    Complete(Vec<u8>),
    /// Longer than [`MAX_LINE`]; it was read to its end and dropped.
    TooLong,
    End,
}

/// Reads up to the next `\n` (or the end), keeping at most `max` bytes.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if too_long {
                Line::TooLong
            } else if line.is_empty() {
                Line::End
            } else {
                Line::Complete(line)
            });
        }
        let newline = available.iter().position(|b| *b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        if !too_long {
            if line.len() + chunk.len() > max {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = newline.map_or(available.len(), |at| at + 1);
        reader.consume(used);
        if newline.is_some() {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Complete(line)
            });
        }
    }
}

/// A request line, parsed.
#[derive(Debug, PartialEq)]
struct Request {
    /// Echoed in the reply.
    id: Value,
    command: String,
    args: Value,
    /// The character whose admin level the command runs with (`eo-admin --as NAME`).
    as_character: Option<String>,
}

/// A request line parsed; or the id (if any) and the error.
fn parse_request(line: &[u8]) -> Result<Request, (Value, CommandError)> {
    let request: Value = serde_json::from_slice(line).map_err(|e| {
        (
            Value::Null,
            CommandError::bad_request(format!("malformed JSON: {e}")),
        )
    })?;
    let Value::Object(mut request) = request else {
        return Err((
            Value::Null,
            CommandError::bad_request("a request is a JSON object"),
        ));
    };
    let id = request.remove("id").unwrap_or(Value::Null);
    let command = match request.remove("command") {
        Some(Value::String(command)) => command,
        _ => {
            return Err((
                id,
                CommandError::bad_request("\"command\" must be a string"),
            ));
        }
    };
    let args = request.remove("args").unwrap_or(Value::Null);
    let as_character = match request.remove("as") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if !name.trim().is_empty() => Some(name.trim().to_owned()),
        Some(_) => {
            return Err((
                id,
                CommandError::bad_request("\"as\" must be a character's name"),
            ));
        }
    };
    if let Some(key) = request.keys().next() {
        return Err((
            id,
            CommandError::bad_request(format!("unknown field {key:?} in the request")),
        ));
    }
    Ok(Request {
        id,
        command,
        args,
        as_character,
    })
}

/// The reply line for a result.
fn reply(id: Value, result: Result<Value, CommandError>) -> Vec<u8> {
    let reply = match result {
        Ok(result) => json!({ "id": id, "ok": true, "result": result }),
        Err(error) => json!({ "id": id, "ok": false, "error": error.to_json() }),
    };
    let mut line = reply.to_string().into_bytes();
    line.push(b'\n');
    line
}

/// One control connection: requests in order, each answered before the next is read.
async fn connection(stream: UnixStream, uid: u32, admin: Arc<Admin>, shutdown: CancellationToken) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let line = tokio::select! {
            () = shutdown.cancelled() => break,
            line = read_line(&mut reader, MAX_LINE) => line,
        };
        let answer = match line {
            Ok(Line::End) => break,
            Err(error) => {
                debug!(%error, "control connection read failed");
                break;
            }
            Ok(Line::TooLong) => reply(
                Value::Null,
                Err(CommandError::bad_request(format!(
                    "the request is longer than {MAX_LINE} bytes"
                ))),
            ),
            Ok(Line::Complete(line)) => {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match parse_request(&line) {
                    Ok(Request {
                        id,
                        command,
                        args,
                        as_character,
                    }) => {
                        let source = Source::Control { uid, as_character };
                        reply(id, admin.execute(&source, &command, args).await)
                    }
                    Err((id, error)) => reply(id, Err(error)),
                }
            }
        };
        match tokio::time::timeout(WRITE_TIMEOUT, write.write_all(&answer)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                debug!(%error, "control connection write failed");
                break;
            }
            Err(_) => {
                debug!("control connection does not read its replies; closed");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_user_and_root_may_connect() {
        assert!(peer_allowed(1000, 1000));
        assert!(peer_allowed(0, 1000));
        assert!(peer_allowed(0, 0));
        assert!(!peer_allowed(1001, 1000));
        assert!(!peer_allowed(1000, 0));
    }

    #[tokio::test]
    async fn lines_are_bounded_and_reading_goes_on_after_a_long_one() {
        let long = "x".repeat(100);
        let input = format!("short\n{long}\nnext\r\nlast");
        let mut reader = BufReader::with_capacity(7, input.as_bytes());
        assert_eq!(
            read_line(&mut reader, 50).await.unwrap(),
            Line::Complete(b"short".to_vec())
        );
        assert_eq!(read_line(&mut reader, 50).await.unwrap(), Line::TooLong);
        assert_eq!(
            read_line(&mut reader, 50).await.unwrap(),
            Line::Complete(b"next\r".to_vec())
        );
        assert_eq!(
            read_line(&mut reader, 50).await.unwrap(),
            Line::Complete(b"last".to_vec())
        );
        assert_eq!(read_line(&mut reader, 50).await.unwrap(), Line::End);
    }

    #[test]
    fn requests_are_parsed_or_answered_with_an_error() {
        let request =
            parse_request(br#"{"id": 7, "command": "kick", "args": {"name": "a"}}"#).unwrap();
        assert_eq!(
            request,
            Request {
                id: json!(7),
                command: "kick".into(),
                args: json!({"name": "a"}),
                as_character: None
            }
        );
        let request = parse_request(br#"{"command": "status"}"#).unwrap();
        assert_eq!((request.id, request.args), (Value::Null, Value::Null));
        let request = parse_request(br#"{"command": "kick", "as": " Bob "}"#).unwrap();
        assert_eq!(request.as_character.as_deref(), Some("Bob"));
        for bad in [
            &br#"{"id": 2, "command": "kick", "as": 5}"#[..],
            br#"{"id": 2, "command": "kick", "as": " "}"#,
        ] {
            assert_eq!(parse_request(bad).unwrap_err().0, json!(2));
        }
        assert_eq!(parse_request(b"{nope").unwrap_err().0, Value::Null);
        assert_eq!(parse_request(b"[1]").unwrap_err().0, Value::Null);
        assert_eq!(parse_request(b"\xff\xfe").unwrap_err().0, Value::Null);
        assert_eq!(
            parse_request(br#"{"id": "a", "command": 5}"#)
                .unwrap_err()
                .0,
            json!("a")
        );
        assert_eq!(
            parse_request(br#"{"id": 1, "command": "status", "extra": 1}"#)
                .unwrap_err()
                .0,
            json!(1)
        );
    }
}
