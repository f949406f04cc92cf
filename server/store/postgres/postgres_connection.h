// SqlConnection over libpq. Parameters and results travel in binary, so a
// double comes back bit for bit and bytes need no escaping.
//
// libpq rather than libpqxx: the store needs a dozen calls (connect,
// PQexecParams, results, reset) behind its own small SQL seam; libpqxx would
// add a second C++ abstraction and its exceptions on top of that seam.
#ifndef HEALTHSCORE_SERVER_STORE_POSTGRES_POSTGRES_CONNECTION_H_
#define HEALTHSCORE_SERVER_STORE_POSTGRES_POSTGRES_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/store/sql.h"

namespace healthscore::store {

// Connects to `uri`, a libpq connection URI (postgresql://user@host:port/db).
// UNAVAILABLE, naming the server (never the password), when it cannot.
absl::StatusOr<std::unique_ptr<SqlConnection>> OpenPostgres(
    const std::string& uri);

// `uri` with any password replaced by "***", for messages and logs.
std::string RedactUri(const std::string& uri);

}  // namespace healthscore::store

#endif  // HEALTHSCORE_SERVER_STORE_POSTGRES_POSTGRES_CONNECTION_H_
