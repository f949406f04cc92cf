// Who may call a listener: bearer tokens and mTLS client identities checked
// for every call before it reaches a service, and the gRPC server
// credentials (plaintext or TLS with certificates re-read as their files
// change) that run that check.
#ifndef HEALTHSCORE_SERVER_SECURITY_AUTH_H_
#define HEALTHSCORE_SERVER_SECURITY_AUTH_H_

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/security/tls.h"
#include "server/security/token_file.h"

namespace healthscore::security {

// The rule of one listener. Immutable once built; the token file re-reads
// itself. Thread-safe.
class AuthPolicy {
 public:
  struct Options {
    // The API's name in refusals ("the admin API").
    std::string api = "the API";
    // A call with `authorization: Bearer <this token>` is let in; null: no
    // token is accepted.
    std::shared_ptr<TokenFile> token;
    // A call over a connection whose verified client certificate has one of
    // these names (subject CN or a SAN DNS name) is let in without a token.
    std::vector<std::string> allowed_clients;
    // The flag listing allowed_clients, for messages.
    std::string clients_flag = "--admin-allowed-clients";
  };

  explicit AuthPolicy(Options options) : options_(std::move(options)) {}

  // Whether any credential is needed at all.
  bool required() const {
    return options_.token != nullptr || !options_.allowed_clients.empty();
  }

  // Decides one call to `path` (/package.Service/Method) carrying the
  // `authorization` value (nullopt: none) over a connection whose client
  // certificate names `identities` (empty without one). grpc.health.v1 is
  // always let in, so probes work. OK, UNAUTHENTICATED (no or a wrong
  // token) or PERMISSION_DENIED (a client certificate whose name is not
  // allowed, and no valid token).
  grpc::Status Authorize(absl::string_view path,
                         std::optional<absl::string_view> authorization,
                         const std::vector<std::string>& identities) const;

 private:
  const Options options_;
};

// Server credentials for one listener: TLS with `tls`'s files (certificates
// and the client CA re-read every `reload_interval` when they changed;
// clients must present a certificate the CA signed when it is set), or
// plaintext when `tls` is not enabled. Every call is put to `policy` first
// when it requires credentials. REQUIRES: CheckTlsFiles(tls) passed.
std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(
    const TlsFiles& tls, absl::Duration reload_interval,
    std::shared_ptr<const AuthPolicy> policy);

}  // namespace healthscore::security

#endif  // HEALTHSCORE_SERVER_SECURITY_AUTH_H_
