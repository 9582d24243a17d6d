//! Root certificates: `Config::add_root_certificates` refuses, before anything is sent, every
//! `CERTIFICATE` block rustls could not use as a root (it drops such a root without a word,
//! and every call would then fail as if the CA were refused). Checked, through the public
//! check, against the reader rustls uses, `rustls-webpki`'s `anchor_from_trusted_cert`, on real
//! certificates made by openssl and broken at random.

use linkup_sent_invitations::Config;

/// DER tags.
const BOOLEAN: u8 = 0x01;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
/// `[0] EXPLICIT`: the version; `[3] EXPLICIT`: the extensions.
const VERSION: u8 = 0xA0;
const EXTENSIONS: u8 = 0xA3;

/// Whether the crate takes `der`, as the one block of a PEM, as a root.
fn is_root_certificate(der: &[u8]) -> bool {
    Config::new("test-api-key")
        .add_root_certificates(pem_of(der))
        .check()
        .is_ok()
}

/// `der` as a PEM `CERTIFICATE` block.
fn pem_of(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestError, TestRng, TestRunner};

/// A version 3 CA as `openssl req -x509` makes one (P-256, basicConstraints, keyUsage,
/// subjectKeyIdentifier).
const V3: &str = "-----BEGIN CERTIFICATE-----
MIIBdDCCARqgAwIBAgIUCu+Q6dV43/2Q9uihztF9FufaFzswCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMVGVzdCBSb290IENBMCAXDTI2MTIwMjAyMDQyNloYDzIxMjYx
MTA4MDIwNDI2WjAXMRUwEwYDVQQDDAxUZXN0IFJvb3QgQ0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQ2PjEnMAZg6BC1/n/KUZwzSRmdl28SB399SzAaGfSakSTJ
fodeCIkpOQtMRX1JfGNEOpR7p7IDN0oLcIXjUpBKo0IwQDAPBgNVHRMBAf8EBTAD
AQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUYKaUf3lLs5U24h1WBHAG3SPE
pHcwCgYIKoZIzj0EAwIDSAAwRQIgaSEBSjETZpkA5qUwW+npq7f2ndZZHMZ8xBfG
OuPEk64CIQCcn0PuxsDVLJIHDZ/o5jNQkADE7DAfLzH3Gm5XgojAGA==
-----END CERTIFICATE-----
";
/// A version 1 certificate (`openssl x509 -req -signkey` without extensions).
const V1: &str = "-----BEGIN CERTIFICATE-----
MIIBJTCBzQIUbztuc5/zkcQUBVFH7yAA9Qn/hHQwCgYIKoZIzj0EAwIwFTETMBEG
A1UEAwwKVGVzdCB2MSBDQTAgFw0yNjEyMDIwMjA0MjZaGA8yMTI2MTEwODAyMDQy
NlowFTETMBEGA1UEAwwKVGVzdCB2MSBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABC5EFPkKZ15fdxXwNzum61BYErxBk56xTQxygOqqWOiUGTrMd2ziUelht574
/q+OKIQv6dJDi8pS0Cep+ActyTEwCgYIKoZIzj0EAwIDRwAwRAIgZpToeXBQLQqV
/HPl7oFwlntTFPite8AdINq9/W5WJa8CIG88jTWcr9qO2cDWlUkjc5oT9vzzD285
RaZbeT23pnbu
-----END CERTIFICATE-----
";

/// A certificate request and a public key of the same CA: DER SEQUENCEs, no certificates.
const CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIHHMHACAQAwDjEMMAoGA1UEAwwDY3NyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD
QgAENj4xJzAGYOgQtf5/ylGcM0kZnZdvEgd/fUswGhn0mpEkyX6HXgiJKTkLTEV9
SXxjRDqUe6eyAzdKC3CF41KQSqAAMAoGCCqGSM49BAMCA0cAMEQCIAKvh67d79+7
No7PpJmozJ0QkUdWNfqAczFUz8Q/q7E/AiBTYwUYmFp6AIdwoLZoRKXdQLfU1ePJ
Ggct+4xacYAcRQ==
-----END CERTIFICATE REQUEST-----
";
const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENj4xJzAGYOgQtf5/ylGcM0kZnZdv
Egd/fUswGhn0mpEkyX6HXgiJKTkLTEV9SXxjRDqUe6eyAzdKC3CF41KQSg==
-----END PUBLIC KEY-----
";

/// The DER of a PEM's one block, whatever its label.
fn der(pem: &str) -> Vec<u8> {
    let mut reader = pem.as_bytes();
    let (_, der) = rustls_pki_types::pem::from_buf(&mut reader)
        .unwrap()
        .unwrap();
    der
}

fn webpki_takes(der: &[u8]) -> bool {
    let der = rustls_pki_types::CertificateDer::from(der);
    webpki::anchor_from_trusted_cert(&der).is_ok()
}

#[test]
fn real_certificates_pass_and_other_der_does_not() {
    for pem in [V3, V1] {
        assert!(webpki_takes(&der(pem)));
        assert!(is_root_certificate(&der(pem)));
    }
    let mut version_retagged = der(V3);
    assert_eq!(version_retagged[8], VERSION);
    version_retagged[8] = OCTET_STRING;
    let mut extension_retagged = der(V3);
    assert_eq!(extension_retagged[236], OCTET_STRING);
    extension_retagged[236] = 0x05;
    for bad in [
        der(CSR),
        der(PUBLIC_KEY),
        vec![0x30, 0x02, 0x30, 0x00],
        vec![0x30, 0x81, 0x02, 0x30, 0x00],
        version_retagged,
        extension_retagged,
        Vec::new(),
    ] {
        assert!(!webpki_takes(&bad), "{bad:02x?}");
        assert!(!is_root_certificate(&bad), "{bad:02x?}");
    }
}

/// One change to a certificate's bytes.
#[derive(Clone, Debug)]
enum Change {
    Set { at: usize, byte: u8 },
    Insert { at: usize, byte: u8 },
    Delete { at: usize, len: usize },
    Truncate { len: usize },
}

impl Change {
    fn apply(&self, der: &mut Vec<u8>) {
        let n = der.len();
        match *self {
            Change::Set { at, byte } => der[at % n] = byte,
            Change::Insert { at, byte } => der.insert(at % (n + 1), byte),
            Change::Delete { at, len } => {
                let at = at % n;
                der.drain(at..(at + len).min(n));
            }
            Change::Truncate { len } => der.truncate(len % n),
        }
    }
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Change::Set { at, byte }),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Change::Insert { at, byte }),
        2 => (any::<usize>(), 1..4usize).prop_map(|(at, len)| Change::Delete { at, len }),
        1 => any::<usize>().prop_map(|len| Change::Truncate { len }),
    ]
}

/// A DER element, read by the test alone (not by the code under test).
#[derive(Clone, Debug)]
enum Node {
    Primitive(u8, Vec<u8>),
    Constructed(u8, Vec<Node>),
}

impl Node {
    fn read(der: &mut &[u8]) -> Node {
        let tag = der[0];
        let (len, header) = match der[1] {
            n @ 0..=0x7F => (usize::from(n), 2),
            0x81 => (usize::from(der[2]), 3),
            0x82 => (usize::from(der[2]) << 8 | usize::from(der[3]), 4),
            _ => unreachable!("the test's certificates are small"),
        };
        let mut content = &der[header..header + len];
        *der = &der[header + len..];
        if tag & 0x20 == 0 {
            return Node::Primitive(tag, content.to_vec());
        }
        let mut children = Vec::new();
        while !content.is_empty() {
            children.push(Node::read(&mut content));
        }
        Node::Constructed(tag, children)
    }

    /// Written back; `long` lengths in the non-canonical long form.
    fn write(&self, long: &dyn Fn(&Node) -> bool, out: &mut Vec<u8>) {
        let (tag, content) = match self {
            Node::Primitive(tag, bytes) => (*tag, bytes.clone()),
            Node::Constructed(tag, children) => {
                let mut content = Vec::new();
                for child in children {
                    child.write(long, &mut content);
                }
                (*tag, content)
            }
        };
        out.push(tag);
        match content.len() {
            n if n < 0x80 && !long(self) => out.push(n as u8),
            n if n < 0x100 => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend(content);
    }

    /// How many elements: this one and all within it.
    fn count(&self) -> usize {
        match self {
            Node::Primitive(..) => 1,
            Node::Constructed(_, children) => 1 + children.iter().map(Node::count).sum::<usize>(),
        }
    }

    /// The `index`th node in preorder (or how many are left to count).
    fn nth(&mut self, index: usize) -> Result<&mut Node, usize> {
        if index == 0 {
            return Ok(self);
        }
        let mut index = index - 1;
        if let Node::Constructed(_, children) = self {
            for child in children {
                match child.nth(index) {
                    Ok(found) => return Ok(found),
                    Err(left) => index = left,
                }
            }
        }
        Err(index)
    }
}

/// One change to a certificate's structure, at the `at`th element (modulo their number).
#[derive(Clone, Debug)]
enum Edit {
    Retag {
        at: usize,
        tag: u8,
    },
    /// The length in the long form, where the short one is canonical.
    LongLength {
        at: usize,
    },
    /// The content of a primitive element replaced.
    Content {
        at: usize,
        bytes: Vec<u8>,
    },
    /// A child removed, duplicated, or swapped with the next.
    Drop {
        at: usize,
        child: usize,
    },
    Duplicate {
        at: usize,
        child: usize,
    },
    Swap {
        at: usize,
        child: usize,
    },
    /// An element appended to a constructed one.
    Append {
        at: usize,
        node: u8,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    let tags = prop::sample::select(vec![
        BOOLEAN,
        INTEGER,
        BIT_STRING,
        OCTET_STRING,
        0x05,
        OID,
        0x0C,
        0x17,
        0x18,
        SEQUENCE,
        0x31,
        VERSION,
        0xA1,
        0xA3,
        0x81,
    ]);
    prop_oneof![
        (any::<usize>(), tags).prop_map(|(at, tag)| Edit::Retag { at, tag }),
        any::<usize>().prop_map(|at| Edit::LongLength { at }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 0..3))
            .prop_map(|(at, bytes)| Edit::Content { at, bytes }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, child)| Edit::Drop { at, child }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, child)| Edit::Duplicate { at, child }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, child)| Edit::Swap { at, child }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, node)| Edit::Append { at, node }),
    ]
}

/// The certificate after `edits`.
fn edited(pem: &str, edits: &[Edit]) -> Vec<u8> {
    let der = der(pem);
    let mut root = Node::read(&mut der.as_slice());
    let mut long = Vec::new();
    for edit in edits {
        let at = match edit {
            Edit::Retag { at, .. }
            | Edit::LongLength { at }
            | Edit::Content { at, .. }
            | Edit::Drop { at, .. }
            | Edit::Duplicate { at, .. }
            | Edit::Swap { at, .. }
            | Edit::Append { at, .. } => at % root.count(),
        };
        let node = root.nth(at).unwrap_or_else(|_| unreachable!());
        match (edit, node) {
            (Edit::Retag { tag, .. }, Node::Primitive(t, _) | Node::Constructed(t, _)) => {
                *t = *tag;
            }
            (Edit::LongLength { .. }, node) => long.push(format!("{node:?}")),
            (Edit::Content { bytes, .. }, Node::Primitive(_, content)) => {
                *content = bytes.clone();
            }
            (Edit::Drop { child, .. }, Node::Constructed(_, children)) if !children.is_empty() => {
                children.remove(child % children.len());
            }
            (Edit::Duplicate { child, .. }, Node::Constructed(_, children))
                if !children.is_empty() =>
            {
                let i = child % children.len();
                children.insert(i, children[i].clone());
            }
            (Edit::Swap { child, .. }, Node::Constructed(_, children)) if children.len() > 1 => {
                let i = child % (children.len() - 1);
                children.swap(i, i + 1);
            }
            (Edit::Append { node, .. }, Node::Constructed(_, children)) => {
                children.push(Node::Primitive(*node, Vec::new()));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    root.write(&|node| long.contains(&format!("{node:?}")), &mut out);
    out
}

/// The V3 certificate with its extensions changed by `change`.
fn with_extensions(change: impl FnOnce(&mut Vec<Node>)) -> Vec<u8> {
    let der = der(V3);
    let mut root = Node::read(&mut der.as_slice());
    let Node::Constructed(_, parts) = &mut root else {
        unreachable!()
    };
    let Node::Constructed(_, tbs) = &mut parts[0] else {
        unreachable!()
    };
    let Some(Node::Constructed(EXTENSIONS, tagged)) = tbs.last_mut() else {
        unreachable!()
    };
    let Node::Constructed(_, extensions) = &mut tagged[0] else {
        unreachable!()
    };
    change(extensions);
    let mut out = Vec::new();
    root.write(&|_| false, &mut out);
    out
}

/// What an outside trial made with openssl (`basicConstraints=critical,DER:0500`, a SAN of
/// `DER:0400`, basicConstraints twice, an SCT list of NULL): webpki drops each as a root.
#[test]
fn the_extensions_webpki_keeps_must_be_once_and_of_their_type() {
    let extension = |last: u8, value: Vec<u8>| {
        Node::Constructed(
            SEQUENCE,
            vec![
                Node::Primitive(OID, vec![0x55, 0x1D, last]),
                Node::Primitive(OCTET_STRING, value),
            ],
        )
    };
    let sct = Node::Constructed(
        SEQUENCE,
        vec![
            Node::Primitive(OID, vec![0x2B, 6, 1, 4, 1, 0xD6, 0x79, 2, 4, 2]),
            Node::Primitive(OCTET_STRING, vec![0x05, 0x00]),
        ],
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "basicConstraints NULL",
            with_extensions(|e| e[0] = extension(19, vec![5, 0])),
        ),
        (
            "SAN OCTET STRING",
            with_extensions(|e| e.push(extension(17, vec![4, 0]))),
        ),
        (
            "EKU NULL",
            with_extensions(|e| e.push(extension(37, vec![5, 0]))),
        ),
        ("SCT NULL", with_extensions(|e| e.push(sct))),
        (
            "basicConstraints twice",
            with_extensions(|e| e.push(e[0].clone())),
        ),
        (
            "a SEQUENCE and more",
            with_extensions(|e| e.push(extension(17, vec![0x30, 0, 5, 0]))),
        ),
    ];
    for (what, der) in cases {
        assert!(!webpki_takes(&der), "{what}");
        assert!(!is_root_certificate(&der), "{what}");
    }
    // Unknown ones, critical or not, and one twice: ignored by both.
    let unknown = |critical: bool| {
        let mut parts = vec![Node::Primitive(OID, vec![0x2A, 3, 4])];
        if critical {
            parts.push(Node::Primitive(BOOLEAN, vec![0xFF]));
        }
        parts.push(Node::Primitive(OCTET_STRING, vec![5, 0]));
        Node::Constructed(SEQUENCE, parts)
    };
    let der = with_extensions(|e| e.extend([unknown(true), unknown(false), unknown(true)]));
    assert!(webpki_takes(&der) && is_root_certificate(&der));
}

/// For certificates broken at random, by bytes or by structure: every one webpki takes
/// passes (no good root is refused), and every one that passes webpki takes (none is
/// dropped without a word).
#[test]
fn the_check_agrees_with_webpki_on_certificates_broken_at_random() {
    let seed: u64 = std::env::var("LINKUP_DER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xCE27_5EED);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = proptest::test_runner::Config {
        cases: 20_000,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let cases = (
        any::<bool>(),
        prop::collection::vec(change(), 0..3),
        prop::collection::vec(edit(), 0..3),
    );
    let outcome = runner.run(&cases, |(v3, changes, edits)| {
        let pem = if v3 { V3 } else { V1 };
        let mut der = edited(pem, &edits);
        for change in &changes {
            change.apply(&mut der);
            if der.is_empty() {
                return Ok(());
            }
        }
        let (ours, theirs) = (is_root_certificate(&der), webpki_takes(&der));
        prop_assert!(ours || !theirs, "refused what webpki takes: {der:02x?}");
        prop_assert!(!ours || theirs, "passed what webpki drops: {der:02x?}");
        Ok(())
    });
    match outcome {
        Ok(()) => {}
        Err(TestError::Fail(why, case)) => panic!(
            "seed {seed} (rerun: LINKUP_DER_SEED={seed} cargo test --test it roots): {why}\n\
             case: {case:?}"
        ),
        Err(err) => panic!("seed {seed}: {err}"),
    }
}
