//! TLS for PostgreSQL connections: libpq's `sslmode` semantics over rustls.
//!
//! tokio-postgres negotiates TLS (the `SSLRequest` exchange, falling back to
//! plain text under `prefer` when the server answers `N`) and hands the socket
//! to a [`MakeTlsConnect`] implementation; this module provides one over
//! tokio-rustls with the ring provider, and chooses the certificate verifier
//! from the mode:
//!
//! | `sslmode` | encrypted | chain verified | host name checked |
//! |---|---|---|---|
//! | `disable` | no | | |
//! | `allow`, `prefer` (default) | when the server offers TLS | only with `sslrootcert` | no |
//! | `require` | yes, or an error | only with `sslrootcert` (as libpq) | no |
//! | `verify-ca` | yes | yes | no |
//! | `verify-full` | yes | yes | yes |
//!
//! The roots are the PEM file of `sslrootcert`, else Mozilla's root program
//! (webpki-roots, compiled in: the same on every machine, no system store
//! read). `sslrootcert=system` asks for those roots explicitly.

use oxalchemy_core::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_cert_signed_by_trust_anchor};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it (libpq's `allow` is read as `prefer`).
    Prefer,
    /// TLS or an error; the certificate is verified only against `sslrootcert`.
    Require,
    /// TLS with the chain verified; the host name is not checked.
    VerifyCa,
    /// TLS with the chain and the host name verified.
    VerifyFull,
}

impl SslMode {
    /// Parse libpq's spelling.
    pub(crate) fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// libpq's name of the mode, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// The negotiation tokio-postgres does for this mode.
    pub(crate) fn negotiation(self) -> tokio_postgres::config::SslMode {
        match self {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                tokio_postgres::config::SslMode::Require
            }
        }
    }
}

/// Where the trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RootCerts {
    /// Mozilla's roots (webpki-roots): no `sslrootcert`, or `sslrootcert=system`.
    System { explicit: bool },
    /// A PEM file of one or more certificates.
    File(PathBuf),
}

/// The TLS options of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsOptions {
    pub mode: SslMode,
    pub roots: RootCerts,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            mode: SslMode::Prefer,
            roots: RootCerts::System { explicit: false },
            client_cert: None,
            client_key: None,
        }
    }
}

/// How the server certificate is checked, after libpq's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Encrypt only: any certificate (the handshake signature is still checked).
    Nothing,
    /// The chain must lead to a trusted root.
    Chain,
    /// The chain and the host name.
    ChainAndName,
}

impl TlsOptions {
    fn check(&self) -> Check {
        let root_given = !matches!(self.roots, RootCerts::System { explicit: false });
        match self.mode {
            SslMode::VerifyFull => Check::ChainAndName,
            SslMode::VerifyCa => Check::Chain,
            // libpq: with a root certificate, require (and prefer) verify the chain.
            SslMode::Require | SslMode::Prefer | SslMode::Disable if root_given => Check::Chain,
            SslMode::Require | SslMode::Prefer | SslMode::Disable => Check::Nothing,
        }
    }

    /// The rustls connector for these options: reads `sslrootcert`, `sslcert`
    /// and `sslkey` (so a rotated certificate is picked up by the next
    /// connection). A file that cannot be read or holds no PEM certificate
    /// (key) is an `ArgumentError` naming the option and the path.
    pub(crate) fn connector(&self) -> Result<RustlsConnect> {
        // ring (no cmake or assembler toolchain needed, as aws-lc-rs would):
        // rustls 0.23.48 deprecates it only for lacking post-quantum key exchange.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        if self.mode == SslMode::Disable {
            // Never used (tokio-postgres sends no SSLRequest); no file is read.
            let config = ClientConfig::builder_with_provider(provider.clone())
                .with_safe_default_protocol_versions()
                .map_err(|e| Error::argument(format!("cannot set up TLS: {e}")))?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly {
                    algorithms: provider.signature_verification_algorithms,
                }))
                .with_no_client_auth();
            return Ok(RustlsConnect {
                config: Arc::new(config),
            });
        }
        let mut roots = RootCertStore::empty();
        match &self.roots {
            RootCerts::System { .. } => {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            RootCerts::File(path) => {
                let certs = read_certs("sslrootcert", path)?;
                let (added, _) = roots.add_parsable_certificates(certs);
                if added == 0 {
                    return Err(Error::argument(format!(
                        "sslrootcert={}: no usable certificate in the file",
                        path.display()
                    )));
                }
            }
        }
        let roots = Arc::new(roots);
        let verifier: Arc<dyn ServerCertVerifier> = match self.check() {
            Check::ChainAndName => {
                WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                    .build()
                    .map_err(|e| Error::argument(format!("cannot set up TLS: {e}")))?
            }
            Check::Chain => Arc::new(ChainOnly {
                roots,
                algorithms: provider.signature_verification_algorithms,
            }),
            Check::Nothing => Arc::new(EncryptOnly {
                algorithms: provider.signature_verification_algorithms,
            }),
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::argument(format!("cannot set up TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let config = match (&self.client_cert, &self.client_key) {
            (None, None) => builder.with_no_client_auth(),
            (Some(cert), Some(key)) => {
                let chain = read_certs("sslcert", cert)?;
                let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                    Error::argument(format!(
                        "sslkey={}: cannot read a PEM private key: {e}",
                        key.display()
                    ))
                })?;
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    Error::argument(format!("sslcert/sslkey: unusable client certificate: {e}"))
                })?
            }
            _ => {
                return Err(Error::argument(
                    "sslcert and sslkey go together: give both (a client certificate and its key) or neither",
                ));
            }
        };
        Ok(RustlsConnect {
            config: Arc::new(config),
        })
    }
}

fn read_certs(option: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| {
            Error::argument(format!(
                "{option}={}: cannot read PEM certificates: {e}",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(Error::argument(format!(
            "{option}={}: the file holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// `require` / `prefer` without a root: encryption without authentication, as
/// libpq. The handshake signature is verified against the presented key.
#[derive(Debug)]
struct EncryptOnly {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted root; the name is not checked.
#[derive(Debug)]
struct ChainOnly {
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A readable sentence when `err` (or an error it wraps) is a refused server
/// certificate, to word connect failures.
pub(crate) fn certificate_error(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(rustls::Error::InvalidCertificate(c)) = e.downcast_ref::<rustls::Error>() {
            return Some(match c {
                CertificateError::UnknownIssuer => {
                    "the server certificate is not signed by a trusted root (unknown issuer)"
                        .to_owned()
                }
                other => format!("the server certificate was refused: {other}"),
            });
        }
        current = match e.downcast_ref::<io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as _),
            None => e.source(),
        };
    }
    None
}

/// A [`MakeTlsConnect`] over tokio-rustls for tokio-postgres.
#[derive(Clone)]
pub(crate) struct RustlsConnect {
    config: Arc<ClientConfig>,
}

impl<S> MakeTlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnectOne;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<RustlsConnectOne> {
        let name = ServerName::try_from(domain.to_owned()).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{domain:?} is not a host name TLS can check: {e}"),
            )
        })?;
        Ok(RustlsConnectOne {
            config: self.config.clone(),
            name,
        })
    }
}

/// The connector for one host.
pub(crate) struct RustlsConnectOne {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsConnectOne
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let tls = tokio_rustls::TlsConnector::from(self.config)
                .connect(self.name, stream)
                .await?;
            Ok(RustlsStream(tls))
        })
    }
}

/// An encrypted PostgreSQL socket.
pub(crate) struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        // SCRAM channel binding (tls-server-end-point) needs the certificate's
        // hash algorithm; without it SCRAM runs unbound, as libpq's
        // channel_binding=prefer does with a server that offers none.
        ChannelBinding::none()
    }
}
