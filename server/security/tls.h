// TLS files of a listener (--tls-cert, --tls-key, --tls-client-ca), checked
// at start so a bad file stops the server with its name instead of failing
// every handshake later.
#ifndef HEALTHSCORE_SERVER_SECURITY_TLS_H_
#define HEALTHSCORE_SERVER_SECURITY_TLS_H_

#include <openssl/ssl.h>

#include <string>

#include "absl/status/status.h"

namespace healthscore::security {

struct TlsFiles {
  // PEM certificate chain and private key the server presents.
  std::string cert_file;
  std::string key_file;
  // PEM CA bundle; when set, clients must present a certificate it signed
  // (mTLS).
  std::string client_ca_file;

  bool enabled() const { return !cert_file.empty(); }
  bool mutual() const { return !client_ca_file.empty(); }
};

// Loads the files into `ctx` (certificate chain, key, and with a client CA,
// peer verification that requires a client certificate). Fails naming the
// flag and file whose content is wrong, or a key not matching the
// certificate.
absl::Status LoadTlsFiles(const TlsFiles& files, SSL_CTX* ctx);

// LoadTlsFiles into a scratch context: whether the files are usable.
absl::Status CheckTlsFiles(const TlsFiles& files);

}  // namespace healthscore::security

#endif  // HEALTHSCORE_SERVER_SECURITY_TLS_H_
