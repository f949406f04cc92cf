// TLS files loaded with OpenSSL, every failure naming its flag and file.
#include "server/security/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace healthscore::security {
namespace {

// The reason of OpenSSL's last error (and clears the queue).
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  std::string reason = "unknown error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    reason = buf;
  }
  ERR_clear_error();
  return reason;
}

}  // namespace

absl::Status LoadTlsFiles(const TlsFiles& files, SSL_CTX* ctx) {
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both or neither");
  }
  if (!files.enabled()) {
    if (files.mutual()) {
      return absl::InvalidArgumentError(
          "--tls-client-ca needs --tls-cert and --tls-key: mTLS is TLS with "
          "client certificates");
    }
    return absl::OkStatus();
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-cert=", files.cert_file,
        ": not a readable PEM certificate chain (", OpenSslError(), ")"));
  }
  // The key read apart from its use, to tell a bad file from a key of
  // another certificate.
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_file(files.key_file.c_str(), "r"), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio == nullptr
          ? nullptr
          : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
      &EVP_PKEY_free);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-key=", files.key_file, ": not a readable PEM private key (",
        OpenSslError(), ")"));
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-key=", files.key_file, " does not match --tls-cert=",
        files.cert_file, " (", OpenSslError(), ")"));
  }
  if (files.mutual()) {
    if (SSL_CTX_load_verify_locations(ctx, files.client_ca_file.c_str(),
                                      nullptr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--tls-client-ca=", files.client_ca_file,
          ": not a readable PEM CA bundle (", OpenSslError(), ")"));
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       nullptr);
  }
  return absl::OkStatus();
}

absl::Status CheckTlsFiles(const TlsFiles& files) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(
      SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (ctx == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot make a TLS context: ", OpenSslError()));
  }
  return LoadTlsFiles(files, ctx.get());
}

}  // namespace healthscore::security
