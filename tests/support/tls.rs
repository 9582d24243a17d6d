//! A real TLS server, `openssl s_server`, with certificates `openssl` makes: a CA of the test's
//! own and a certificate for `127.0.0.1` it signs, as a company proxy that re-signs TLS has.
//! The TLS stack and the certificates are OpenSSL's; the test only feeds `s_server` the reply
//! to write once it has printed a whole request.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "linkup-{what}-{}-{:?}",
            std::process::id(),
            Instant::now()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("this test runs a real TLS server: install openssl (apt-get install openssl)");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const EC: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

/// Certificates for one test: a CA, and a server certificate for `127.0.0.1` and `localhost`
/// that the CA signs (or, [`Pki::self_signed`], that nothing vouches for).
pub struct Pki {
    dir: TempDir,
}

impl Pki {
    /// A CA called `name`, and a server certificate it signs.
    pub fn new(name: &str) -> Pki {
        Pki::with_names(name, "IP:127.0.0.1,DNS:localhost")
    }

    /// The same, with a server certificate for `names` (openssl's `subjectAltName` syntax).
    pub fn with_names(name: &str, names: &str) -> Pki {
        let pki = Pki {
            dir: TempDir::new("pki"),
        };
        let dir = &pki.dir.0;
        // Our own config, so that the system's openssl.cnf changes nothing.
        std::fs::write(
            dir.join("openssl.cnf"),
            format!(
                "[req]\ndistinguished_name = dn\n[dn]\n\
             [ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n\
             subjectKeyIdentifier = hash\n\
             [server]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n\
             extendedKeyUsage = serverAuth\nsubjectAltName = {names}\n\
             authorityKeyIdentifier = keyid\n"
            ),
        )
        .unwrap();
        let subject = format!("/CN={name}");
        let mut ca = vec!["req", "-config", "openssl.cnf", "-x509", "-nodes"];
        ca.extend(EC);
        ca.extend(["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"]);
        ca.extend(["-subj", &subject, "-extensions", "ca"]);
        openssl(dir, &ca);
        let mut csr = vec!["req", "-config", "openssl.cnf", "-nodes"];
        csr.extend(EC);
        csr.extend(["-keyout", "server.key", "-out", "server.csr"]);
        csr.extend(["-subj", "/CN=127.0.0.1"]);
        openssl(dir, &csr);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "openssl.cnf",
                "-extensions",
                "server",
            ],
        );
        pki
    }

    /// A server certificate signed by itself: no CA to trust.
    pub fn self_signed() -> Pki {
        let pki = Pki {
            dir: TempDir::new("pki"),
        };
        let mut args = vec!["req", "-x509", "-nodes"];
        args.extend(EC);
        args.extend(["-keyout", "server.key", "-out", "server.pem", "-days", "2"]);
        args.extend(["-subj", "/CN=127.0.0.1"]);
        openssl(&pki.dir.0, &args);
        pki
    }

    /// The CA's certificate, PEM, as a company hands it out.
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.ca_path()).unwrap()
    }

    pub fn ca_path(&self) -> PathBuf {
        self.dir.0.join("ca.pem")
    }

    /// The server's certificate, PEM, for a TLS server of the test's own.
    pub fn server_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.0.join("server.pem")).unwrap()
    }

    /// The server's private key, PEM: what a user might pass by mistake.
    pub fn server_key_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.0.join("server.key")).unwrap()
    }
}

/// `openssl s_server` on 127.0.0.1, with a [`Pki`]'s server certificate, writing `reply` to
/// each request it receives in whole.
pub struct TlsServer {
    child: Child,
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    _pki_dir: PathBuf,
}

impl TlsServer {
    pub fn start(pki: &Pki, reply: Vec<u8>) -> TlsServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut child = Command::new("openssl")
            .args(["s_server", "-quiet", "-accept", &addr.to_string()])
            .args(["-cert", "server.pem", "-key", "server.key"])
            .current_dir(&pki.dir.0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("this test runs a real TLS server: install openssl (apt-get install openssl)");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let recorded = Arc::clone(&requests);
        std::thread::spawn(move || answer(stdout, stdin, &reply, &recorded));
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "s_server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        TlsServer {
            child,
            addr,
            requests,
            _pki_dir: pki.dir.0.clone(),
        }
    }

    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The requests received in whole, head and body, as decrypted by the server.
    pub fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads what clients send (s_server prints it), and writes `reply` once a request is whole.
fn answer(
    mut from_clients: impl Read,
    mut to_client: ChildStdin,
    reply: &[u8],
    requests: &Mutex<Vec<Vec<u8>>>,
) {
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(len) = whole_request(&seen) {
            requests.lock().unwrap().push(seen.drain(..len).collect());
            if to_client
                .write_all(reply)
                .and_then(|()| to_client.flush())
                .is_err()
            {
                return;
            }
        }
        match from_clients.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The length of the request at the start of `bytes`, once its head and body are in.
fn whole_request(bytes: &[u8]) -> Option<usize> {
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let body: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |len| len.trim().parse().unwrap());
    (bytes.len() >= head_end + body).then_some(head_end + body)
}

/// An HTTP reply `s_server` can write for us: the connection closes after it, so each request
/// gets a connection (and a handshake) of its own.
pub fn closing_reply(status: u16, body: &[u8]) -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    reply.extend_from_slice(body);
    reply
}

/// A TCP relay to `target` that counts the connections made through it: one per TLS handshake
/// a client tries.
pub struct Relay {
    pub addr: SocketAddr,
    connections: Arc<Mutex<usize>>,
}

impl Relay {
    pub fn start(target: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(Mutex::new(0));
        let counted = Arc::clone(&connections);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                *counted.lock().unwrap() += 1;
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                let pipe = |mut from: TcpStream, mut to: TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                };
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Relay { addr, connections }
    }

    /// `https://` to the relay: the certificate names 127.0.0.1, so it matches.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}
