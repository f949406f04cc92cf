// A bearer token kept in a file (--admin-token-file, --api-token-file):
// re-read when the file changes (a rotated Kubernetes Secret), compared in
// constant time.
#ifndef HEALTHSCORE_SERVER_SECURITY_TOKEN_FILE_H_
#define HEALTHSCORE_SERVER_SECURITY_TOKEN_FILE_H_

#include <array>
#include <ctime>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace healthscore::security {

class TokenFile {
 public:
  // Reads the token at `path` (the file's text without surrounding
  // whitespace). Fails naming `flag` when the file cannot be read or holds
  // no token.
  static absl::StatusOr<std::unique_ptr<TokenFile>> Open(std::string path,
                                                         std::string flag);

  // Whether `presented` is the token. Compares SHA-256 digests with
  // CRYPTO_memcmp, so the time taken says nothing about how much matched.
  // Re-reads the file first when its modification time, size or inode
  // changed; a file that cannot be read then keeps the last token (logged).
  // Thread-safe.
  bool Matches(absl::string_view presented);

  const std::string& flag() const { return flag_; }

 private:
  struct Stamp {
    std::timespec mtime{};
    long long size = -1;
    unsigned long long inode = 0;
    bool operator==(const Stamp& o) const {
      return mtime.tv_sec == o.mtime.tv_sec &&
             mtime.tv_nsec == o.mtime.tv_nsec && size == o.size &&
             inode == o.inode;
    }
  };
  using Digest = std::array<unsigned char, 32>;

  TokenFile(std::string path, std::string flag)
      : path_(std::move(path)), flag_(std::move(flag)) {}
  // Reads the file into digest_ if its stamp changed.
  absl::Status Refresh() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const std::string flag_;
  absl::Mutex mu_;
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  Digest digest_ ABSL_GUARDED_BY(mu_){};
};

}  // namespace healthscore::security

#endif  // HEALTHSCORE_SERVER_SECURITY_TOKEN_FILE_H_
