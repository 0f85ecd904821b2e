//! HTTPS for `polycache serve`: rustls with HTTP/2 and HTTP/1.1 offered by ALPN.
//!
//! Browsers open at most 6 HTTP/1.1 connections per host, and an `EventSource` holds one
//! for as long as it lives; over HTTP/2 every stream of a tab (and of every tab) shares one
//! connection. Browsers speak HTTP/2 only over TLS, hence this module: a certificate and
//! key from files (`--tls-cert`, `--tls-key`), or with `--dev --self-signed` a throwaway
//! certificate authority and a certificate for `localhost`, `127.0.0.1` and `::1` made at
//! startup. The authority's private key never leaves memory: once the node stops, nothing
//! can sign with it, even where a developer chose to trust it.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The protocols offered by ALPN, preferred first.
pub const ALPN: [&str; 2] = ["h2", "http/1.1"];

/// A handshake that has not finished by then is dropped (a stalled or port-scanning peer
/// must not hold a task forever).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the node's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// `--tls-cert FILE --tls-key FILE`: PEM files, the chain first then the key.
    Files { cert: PathBuf, key: PathBuf },
    /// `--dev --self-signed`: a throwaway authority and a loopback certificate it signed.
    SelfSigned,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS {what} {path}: {message}")]
    Read {
        what: &'static str,
        path: PathBuf,
        message: String,
    },
    #[error("{path} holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)")]
    NoCertificate { path: PathBuf },
    #[error("{path} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)")]
    NoKey { path: PathBuf },
    #[error("the key {key} does not belong to the certificate {cert}: {message}")]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        message: String,
    },
    #[error("cannot make the development certificate: {0}")]
    Generate(String),
}

/// A ready TLS setup, and what the banner says about it.
pub struct Tls {
    pub config: Arc<ServerConfig>,
    /// The throwaway authority's certificate (PEM), to be trusted by clients, for
    /// `--self-signed`; None for certificates from files.
    pub dev_ca_pem: Option<String>,
    /// The names the certificate was made for (`--self-signed`), or the certificate file.
    pub describe: String,
}

impl Tls {
    pub fn load(source: &TlsSource, bind: &str) -> Result<Tls, TlsError> {
        match source {
            TlsSource::Files { cert, key } => from_files(cert, key),
            TlsSource::SelfSigned => self_signed(bind),
        }
    }
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Read {
        what,
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn from_files(cert_path: &Path, key_path: &Path) -> Result<Tls, TlsError> {
    let cert_pem = read("certificate", cert_path)?;
    let key_pem = read("key", key_path)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .filter_map(Result::ok)
        .collect();
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: cert_path.to_path_buf(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| TlsError::NoKey {
        path: key_path.to_path_buf(),
    })?;
    let config = server_config(chain, key).map_err(|message| TlsError::Mismatch {
        cert: cert_path.to_path_buf(),
        key: key_path.to_path_buf(),
        message,
    })?;
    Ok(Tls {
        config,
        dev_ca_pem: None,
        describe: cert_path.display().to_string(),
    })
}

/// A rustls server config with ring, ALPN h2 + http/1.1, and a check that the key is the
/// certificate's (rustls would otherwise only fail at the first handshake).
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let signing_key = provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| e.to_string())?;
    let certified = rustls::sign::CertifiedKey::new(chain.clone(), signing_key);
    certified.keys_match().map_err(|e| match e {
        rustls::Error::InconsistentKeys(_) => "the key's public half differs from the certificate's".to_string(),
        other => other.to_string(),
    })?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = ALPN.iter().map(|p| p.as_bytes().to_vec()).collect();
    Ok(Arc::new(config))
}

/// The names a development certificate covers: loopback always, and the bind address when
/// it names one interface.
fn dev_names(bind: &str) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    if let Ok(ip) = bind.trim_matches(|c| c == '[' || c == ']').parse::<std::net::IpAddr>()
        && !ip.is_unspecified()
        && !names.contains(&ip.to_string())
    {
        names.push(ip.to_string());
    }
    names
}

fn self_signed(bind: &str) -> Result<Tls, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let fail = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let today = chrono::Utc::now().date_naive();
    let day = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };
    let from = day(today - chrono::Days::new(1));
    let until = day(today + chrono::Days::new(30));

    let ca_key = KeyPair::generate().map_err(fail)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("polycache serve --dev CA {}", crate::server::auth::random_hex(4)),
    );
    ca.distinguished_name
        .push(DnType::OrganizationName, "polycache (throwaway)");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = from;
    ca.not_after = until;
    let ca_cert = ca.self_signed(&ca_key).map_err(fail)?;
    let issuer = Issuer::new(ca, ca_key);

    let names = dev_names(bind);
    let leaf_key = KeyPair::generate().map_err(fail)?;
    let mut leaf = CertificateParams::new(names.clone()).map_err(fail)?;
    leaf.distinguished_name.push(DnType::CommonName, "localhost");
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = from;
    leaf.not_after = until;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(fail)?;

    let chain = vec![leaf_cert.der().clone()];
    let key = PrivateKeyDer::try_from(leaf_key.serialize_der()).map_err(|e| TlsError::Generate(e.to_string()))?;
    let config = server_config(chain, key).map_err(TlsError::Generate)?;
    Ok(Tls {
        config,
        dev_ca_pem: Some(ca_cert.pem()),
        describe: names.join(", "),
    })
}

/// Serves `app` over TLS until `signal` completes; then stops accepting and gives open
/// connections up to 10 s to finish (the node has already asked its streams to end).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: Arc<ServerConfig>,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let acceptor = TlsAcceptor::from(config);
    let builder = super::gate::http_builder();
    let gate = Arc::new(super::gate::Gate::default());
    let graceful = GracefulShutdown::new();
    tokio::pin!(signal);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                // Out of file descriptors: close the oldest idle connection to make room.
                Err(e) if super::gate::out_of_fds(&e) && gate.evict_oldest() => {
                    tokio::task::yield_now().await;
                    continue;
                }
                // Other failures: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut signal => break,
        };
        let _ = tcp.set_nodelay(true);
        let (acceptor, builder, app) = (acceptor.clone(), builder.clone(), app.clone());
        let watcher = graceful.watcher();
        let slot = gate.admit();
        let peer = tcp.peer_addr().ok().map(|a| super::limits::Peer(a.ip()));
        tokio::spawn(async move {
            let work = async {
                let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await else {
                    return;
                };
                let service = TowerToHyperService::new(super::conn::with_peer(app, peer));
                let io = TokioIo::new(super::gate::Watched::new(tls, slot.clone()));
                let conn = builder.serve_connection_with_upgrades(io, service);
                let _ = watcher.watch(conn.into_owned()).await;
            };
            tokio::select! {
                _ = work => {}
                _ = slot.evicted() => {}
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_names_cover_loopback_and_a_specific_bind_address() {
        assert_eq!(dev_names("127.0.0.1"), ["localhost", "127.0.0.1", "::1"]);
        assert_eq!(dev_names("0.0.0.0"), ["localhost", "127.0.0.1", "::1"]);
        assert_eq!(dev_names("[::1]"), ["localhost", "127.0.0.1", "::1"]);
        assert_eq!(
            dev_names("192.168.1.7"),
            ["localhost", "127.0.0.1", "::1", "192.168.1.7"]
        );
    }

    #[test]
    fn a_self_signed_setup_offers_h2_and_http11_and_hands_out_only_the_ca_certificate() {
        let tls = Tls::load(&TlsSource::SelfSigned, "127.0.0.1").unwrap();
        assert_eq!(tls.config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
        let pem = tls.dev_ca_pem.unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        assert!(!pem.contains("PRIVATE KEY"));
    }

    #[test]
    fn files_are_checked_and_a_key_of_another_certificate_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let make = |name: &str| {
            let key = rcgen::KeyPair::generate().unwrap();
            let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
                .unwrap()
                .self_signed(&key)
                .unwrap();
            let (c, k) = (
                dir.path().join(format!("{name}.crt")),
                dir.path().join(format!("{name}.key")),
            );
            std::fs::write(&c, cert.pem()).unwrap();
            std::fs::write(&k, key.serialize_pem()).unwrap();
            (c, k)
        };
        let (a_crt, a_key) = make("a");
        let (_, b_key) = make("b");
        let ok = Tls::load(
            &TlsSource::Files {
                cert: a_crt.clone(),
                key: a_key.clone(),
            },
            "127.0.0.1",
        );
        assert!(ok.is_ok());
        let err = Tls::load(
            &TlsSource::Files {
                cert: a_crt.clone(),
                key: b_key.clone(),
            },
            "127.0.0.1",
        )
        .err()
        .unwrap();
        let text = err.to_string();
        assert!(matches!(err, TlsError::Mismatch { .. }), "{text}");
        assert!(text.contains("b.key") && text.contains("a.crt"), "{text}");
        // Swapped files: the certificate file holds no key, the key file no certificate.
        let err = Tls::load(
            &TlsSource::Files {
                cert: a_key.clone(),
                key: a_crt.clone(),
            },
            "127.0.0.1",
        )
        .err()
        .unwrap();
        assert!(matches!(err, TlsError::NoCertificate { .. }), "{err}");
        let err = Tls::load(
            &TlsSource::Files {
                cert: dir.path().join("missing.crt"),
                key: a_key,
            },
            "127.0.0.1",
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("missing.crt"), "{err}");
    }
}
