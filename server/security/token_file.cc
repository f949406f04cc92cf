// Token files: read, re-read on change, compared by digest.
#include "server/security/token_file.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace healthscore::security {
namespace {

std::array<unsigned char, 32> Sha256(absl::string_view text) {
  std::array<unsigned char, 32> digest;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest.data());
  return digest;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenFile>> TokenFile::Open(std::string path,
                                                           std::string flag) {
  std::unique_ptr<TokenFile> file(
      new TokenFile(std::move(path), std::move(flag)));
  absl::MutexLock lock(&file->mu_);
  if (absl::Status s = file->Refresh(); !s.ok()) return s;
  return file;
}

absl::Status TokenFile::Refresh() {
  struct stat st;
  if (stat(path_.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag_, "=", path_,
                     ": cannot read the token file: ", std::strerror(errno)));
  }
  const Stamp stamp{st.st_mtim, static_cast<long long>(st.st_size),
                    static_cast<unsigned long long>(st.st_ino)};
  if (stamp == stamp_) return absl::OkStatus();
  std::ifstream in(path_, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag_, "=", path_, ": cannot read the token file"));
  }
  const absl::string_view token = absl::StripAsciiWhitespace(text);
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag_, "=", path_,
                     ": the token file is empty (one token, any "
                     "printable text without spaces, is expected)"));
  }
  digest_ = Sha256(token);
  const bool reread = stamp_.size >= 0;
  stamp_ = stamp;
  if (reread) spdlog::info("{}: read the new token from {}", flag_, path_);
  return absl::OkStatus();
}

bool TokenFile::Matches(absl::string_view presented) {
  const Digest digest = Sha256(presented);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Refresh(); !s.ok()) {
    spdlog::warn("{}; keeping the token read before", std::string(s.message()));
  }
  return CRYPTO_memcmp(digest.data(), digest_.data(), digest.size()) == 0;
}

}  // namespace healthscore::security
