//! TLS for wss:// (rustls, driven sans-IO).
//!
//! The connection task keeps doing its own non-blocking reads and writes; this
//! layer only turns ciphertext into plaintext and back, so plain and TLS
//! connections share one code path.

use std::io::{self, Read, Write};
use std::sync::Arc;

use bytes::BytesMut;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection};

/// Loads a PEM certificate chain and private key into a server config.
pub fn load_config(cert_file: &str, key_file: &str) -> io::Result<Arc<ServerConfig>> {
    let bad = |what: &str, file: &str, e: &dyn std::fmt::Display| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{what} {file}: {e}"))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .map_err(|e| bad("cannot read certificate", cert_file, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("bad certificate", cert_file, &e))?;
    if certs.is_empty() {
        return Err(bad("no certificate in", cert_file, &"empty"));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| bad("cannot read private key", key_file, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("TLS setup", cert_file, &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad("certificate and key do not match:", cert_file, &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// One TLS session over a connection.
pub struct Tls {
    conn: ServerConnection,
}

impl Tls {
    pub fn new(config: &Arc<ServerConfig>) -> io::Result<Tls> {
        let mut conn = ServerConnection::new(config.clone()).map_err(io::Error::other)?;
        // The connection task bounds what it hands over; rustls must take all of it.
        conn.set_buffer_limit(None);
        Ok(Tls { conn })
    }

    /// Feeds received ciphertext; appends the plaintext it yields to `plain`.
    pub fn receive(&mut self, mut ciphertext: &[u8], plain: &mut BytesMut) -> io::Result<()> {
        while !ciphertext.is_empty() {
            self.conn.read_tls(&mut ciphertext)?;
            let state = self
                .conn
                .process_new_packets()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let mut left = state.plaintext_bytes_to_read();
            let mut chunk = [0u8; 16 * 1024];
            while left > 0 {
                let n = self.conn.reader().read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                plain.extend_from_slice(&chunk[..n]);
                left = left.saturating_sub(n);
            }
        }
        Ok(())
    }

    /// Encrypts plaintext for sending.
    pub fn send(&mut self, plain: &[u8]) -> io::Result<()> {
        self.conn.writer().write_all(plain)
    }

    /// Ciphertext is waiting to be written.
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Writes pending ciphertext into `out` (a non-blocking socket writer).
    pub fn write_to(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        self.conn.write_tls(out)
    }

    /// Queues a close_notify alert.
    pub fn close(&mut self) {
        self.conn.send_close_notify();
    }
}
