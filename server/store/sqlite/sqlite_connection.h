// SqlConnection over an SQLite file: WAL journal, synchronous=FULL (a commit
// is on disk before it returns), a busy timeout so that a reader never fails
// on a writer's lock.
#ifndef HEALTHSCORE_SERVER_STORE_SQLITE_SQLITE_CONNECTION_H_
#define HEALTHSCORE_SERVER_STORE_SQLITE_SQLITE_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/store/sql.h"

namespace healthscore::store {

// Opens (creating it, and its directory, if missing) the database at `path`.
absl::StatusOr<std::unique_ptr<SqlConnection>> OpenSqlite(
    const std::string& path);

}  // namespace healthscore::store

#endif  // HEALTHSCORE_SERVER_STORE_SQLITE_SQLITE_CONNECTION_H_
