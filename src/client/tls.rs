//! How the client checks a server's certificate when the user names one with `--cacert`
//! (POLYCACHE_CACERT), and TLS failures in words.
//!
//! The usual WebPKI checks run against the built-in roots plus the given certificates. On
//! top of that, as curl does, a certificate the user pinned that *is* the server's own
//! certificate is accepted when the name the client asked for is in it and it is within
//! its validity period: the first recipe everyone finds (`openssl req -x509 ...`) makes a
//! self-signed certificate marked as a certificate authority (CA:TRUE), which WebPKI
//! refuses as a server's (`CaUsedAsEndEntity`). The handshake's signatures are checked as
//! always: only the holder of the key can use the pinned certificate.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_name};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

/// WebPKI, or a certificate the user pinned (see the module's documentation).
#[derive(Debug)]
struct PinnedOrWebPki {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for PinnedOrWebPki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let refused = match self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if !self.pinned.iter().any(|p| p.as_ref() == end_entity.as_ref()) {
            return Err(refused);
        }
        let parsed = ParsedCertificate::try_from(end_entity)?;
        verify_server_name(&parsed, server_name)?;
        in_validity_period(end_entity, now)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

fn in_validity_period(der: &CertificateDer<'_>, now: UnixTime) -> Result<(), Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref())
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let at = x509_parser::time::ASN1Time::from_timestamp(now_secs)
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let validity = cert.validity();
    if at < validity.not_before {
        Err(Error::InvalidCertificate(CertificateError::NotValidYet))
    } else if at > validity.not_after {
        Err(Error::InvalidCertificate(CertificateError::Expired))
    } else {
        Ok(())
    }
}

/// The TLS setup of a client that also trusts `pinned` (from `--cacert`): the built-in
/// roots, those certificates as roots, and those certificates as the server's own.
pub fn config_trusting(pinned: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // A certificate that cannot be a root (unusual encodings) may still be pinned.
    let _ = roots.add_parsable_certificates(pinned.iter().cloned());
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
        .build()
        .map_err(|e| Error::General(e.to_string()))?;
    let verifier = PinnedOrWebPki { webpki, pinned };
    let mut config = rustls::ClientConfig::builder_with_provider(provider as Arc<CryptoProvider>)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// A certificate problem in words, with what to do, when `e`'s chain holds one.
pub fn describe_certificate_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = Some(e);
    while let Some(s) = source {
        if let Some(Error::InvalidCertificate(c)) = s.downcast_ref::<Error>() {
            return Some(certificate_words(c));
        }
        // An I/O error's `source` skips the error it wraps (often another I/O error):
        // step into it instead.
        source = match s.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    None
}

fn certificate_words(c: &CertificateError) -> String {
    let fix = "trust the server's certificate (or its authority) with --cacert FILE";
    match c {
        CertificateError::UnknownIssuer => {
            format!("the server's certificate is signed by an authority this machine does not trust: {fix}")
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the server's certificate has expired: renew it on the server".to_string()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the server's certificate is not valid yet: check the server's and this machine's clocks".to_string()
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "the server's certificate is not for the name in the URL: use the name the certificate was made for, \
             or make one that includes it (subjectAltName)"
                .to_string()
        }
        CertificateError::BadEncoding => "the server's certificate is not a valid certificate".to_string(),
        CertificateError::Revoked => "the server's certificate has been revoked".to_string(),
        CertificateError::BadSignature => "the server's certificate has a bad signature".to_string(),
        CertificateError::Other(o) if format!("{o:?}").contains("CaUsedAsEndEntity") => {
            "the server's certificate is marked as a certificate authority (CA:TRUE), which is not accepted \
             as a server's: pass that very certificate with --cacert FILE"
                .to_string()
        }
        other => format!("the server's certificate was refused ({other:?}): {fix}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_errors_read_as_words() {
        let e = Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = std::io::Error::other(e);
        let words = describe_certificate_error(&io).unwrap();
        assert!(words.contains("--cacert"), "{words}");
        assert!(describe_certificate_error(&std::io::Error::other("plain")).is_none());
    }
}
