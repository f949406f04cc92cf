// The per-call check runs as gRPC core's auth metadata processor: it sees
// the call's metadata and the connection's peer certificate before any
// service code, and its refusal is the call's status. It is set on the core
// credentials of either kind (the C++ InsecureServerCredentials refuse a
// processor; the core plaintext credentials take one).
#include "server/security/auth.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "spdlog/spdlog.h"

namespace healthscore::security {
namespace {

absl::string_view View(const grpc_slice& slice) {
  return absl::string_view(
      reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(slice)),
      GRPC_SLICE_LENGTH(slice));
}

// The names a verified client certificate carries: subject CN and SAN DNS
// names.
std::vector<std::string> PeerIdentities(const grpc_auth_context* context) {
  std::vector<std::string> names;
  if (context == nullptr) return names;
  for (const char* property :
       {GRPC_X509_CN_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME}) {
    grpc_auth_property_iterator it =
        grpc_auth_context_find_properties_by_name(context, property);
    while (const grpc_auth_property* p =
               grpc_auth_property_iterator_next(&it)) {
      names.emplace_back(p->value, p->value_length);
    }
  }
  return names;
}

void Process(void* state, grpc_auth_context* context, const grpc_metadata* md,
             size_t num_md, grpc_process_auth_metadata_done_cb done,
             void* user_data) {
  const AuthPolicy& policy =
      **static_cast<std::shared_ptr<const AuthPolicy>*>(state);
  absl::string_view path;
  std::optional<absl::string_view> authorization;
  const grpc_metadata* consumed = nullptr;
  for (size_t i = 0; i < num_md; ++i) {
    const absl::string_view key = View(md[i].key);
    if (key == ":path") path = View(md[i].value);
    if (key == "authorization") {
      authorization = View(md[i].value);
      consumed = &md[i];
    }
  }
  const grpc::Status status =
      policy.Authorize(path, authorization, PeerIdentities(context));
  if (status.ok()) {
    // The token goes no further than this check.
    done(user_data, consumed, consumed != nullptr ? 1 : 0, nullptr, 0,
         GRPC_STATUS_OK, nullptr);
    return;
  }
  spdlog::warn("refused a call to {}: {} {}", std::string(path),
               status.error_code() == grpc::StatusCode::UNAUTHENTICATED
                   ? "UNAUTHENTICATED"
                   : "PERMISSION_DENIED",
               status.error_message());
  done(user_data, nullptr, 0, nullptr, 0,
       static_cast<grpc_status_code>(status.error_code()),
       status.error_message().c_str());
}

void Destroy(void* state) {
  delete static_cast<std::shared_ptr<const AuthPolicy>*>(state);
}

// grpc::ServerCredentials over core credentials made per listening port.
class Credentials final : public grpc::ServerCredentials {
 public:
  Credentials(TlsFiles tls, absl::Duration reload_interval,
              std::shared_ptr<const AuthPolicy> policy)
      : tls_(std::move(tls)),
        reload_interval_(reload_interval),
        policy_(std::move(policy)) {}

  // The policy is the processor; another one is not taken.
  void SetAuthMetadataProcessor(
      const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {
    spdlog::error("SetAuthMetadataProcessor is not supported here");
  }

 private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    grpc_server_credentials* creds =
        tls_.enabled() ? TlsCredentials()
                       : grpc_insecure_server_credentials_create();
    if (policy_ != nullptr && policy_->required()) {
      grpc_server_credentials_set_auth_metadata_processor(
          creds, grpc_auth_metadata_processor{
                     &Process, &Destroy,
                     new std::shared_ptr<const AuthPolicy>(policy_)});
    }
    const int port = grpc_server_add_http2_port(server, addr.c_str(), creds);
    grpc_server_credentials_release(creds);
    return port;
  }

  grpc_server_credentials* TlsCredentials() const {
    grpc_tls_credentials_options* options =
        grpc_tls_credentials_options_create();
    const unsigned int seconds = static_cast<unsigned int>(
        std::max<int64_t>(1, absl::ToInt64Seconds(reload_interval_)));
    grpc_tls_certificate_provider* provider =
        grpc_tls_certificate_provider_file_watcher_create(
            tls_.key_file.c_str(), tls_.cert_file.c_str(),
            tls_.mutual() ? tls_.client_ca_file.c_str() : nullptr, seconds);
    grpc_tls_credentials_options_set_certificate_provider(options, provider);
    grpc_tls_certificate_provider_release(provider);  // the options hold it
    grpc_tls_credentials_options_watch_identity_key_cert_pairs(options);
    if (tls_.mutual()) {
      grpc_tls_credentials_options_watch_root_certs(options);
      grpc_tls_credentials_options_set_cert_request_type(
          options, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    } else {
      grpc_tls_credentials_options_set_cert_request_type(
          options, GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    }
    return grpc_tls_server_credentials_create(options);  // takes `options`
  }

  const TlsFiles tls_;
  const absl::Duration reload_interval_;
  const std::shared_ptr<const AuthPolicy> policy_;
};

}  // namespace

grpc::Status AuthPolicy::Authorize(
    absl::string_view path, std::optional<absl::string_view> authorization,
    const std::vector<std::string>& identities) const {
  if (!required() || absl::StartsWith(path, "/grpc.health.v1.Health/")) {
    return grpc::Status::OK;
  }
  for (const std::string& name : identities) {
    if (std::find(options_.allowed_clients.begin(),
                  options_.allowed_clients.end(),
                  name) != options_.allowed_clients.end()) {
      return grpc::Status::OK;
    }
  }
  const std::string token_flag =
      options_.token != nullptr ? options_.token->flag() : "";
  if (!authorization.has_value()) {
    if (!identities.empty() && !options_.allowed_clients.empty()) {
      return grpc::Status(
          grpc::StatusCode::PERMISSION_DENIED,
          absl::StrCat("the client certificate (",
                       absl::StrJoin(identities, ", "), ") is not allowed on ",
                       options_.api, ": ", options_.clients_flag, " lists ",
                       absl::StrJoin(options_.allowed_clients, ", "),
                       token_flag.empty()
                           ? ""
                           : absl::StrCat("; or send `authorization: Bearer "
                                          "<token>` (see ",
                                          token_flag, ")")));
    }
    if (options_.token == nullptr) {
      return grpc::Status(
          grpc::StatusCode::UNAUTHENTICATED,
          absl::StrCat("no client certificate: ", options_.api,
                       " needs one whose name is in ", options_.clients_flag));
    }
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat("missing bearer token: ", options_.api,
                     " needs `authorization: Bearer <token>` (see ", token_flag,
                     ")"));
  }
  absl::string_view value = *authorization;
  if (!absl::ConsumePrefix(&value, "Bearer ") &&
      !absl::ConsumePrefix(&value, "bearer ")) {
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat(
            "the authorization metadata is not `Bearer <token>`: ",
            options_.api, " takes a bearer token",
            token_flag.empty() ? "" : absl::StrCat(" (see ", token_flag, ")")));
  }
  if (options_.token == nullptr || !options_.token->Matches(value)) {
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        absl::StrCat("invalid bearer token for ", options_.api,
                     token_flag.empty()
                         ? absl::StrCat(": it accepts client certificates "
                                        "named in ",
                                        options_.clients_flag)
                         : absl::StrCat(" (see ", token_flag, ")")));
  }
  return grpc::Status::OK;
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(
    const TlsFiles& tls, absl::Duration reload_interval,
    std::shared_ptr<const AuthPolicy> policy) {
  return std::make_shared<Credentials>(tls, reload_interval, std::move(policy));
}

}  // namespace healthscore::security
