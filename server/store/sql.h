// The small SQL seam the score store is written against: one connection,
// typed parameters and rows. Two drivers implement it, SQLite (sqlite/) and
// PostgreSQL (postgres/), so the store's logic and queries exist once.
#ifndef HEALTHSCORE_SERVER_STORE_SQL_H_
#define HEALTHSCORE_SERVER_STORE_SQL_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace healthscore::store {

enum class Dialect { kSqlite, kPostgres };

// Bytes, as opposed to text (BLOB / BYTEA).
struct Blob {
  std::string bytes;
};

// A parameter or a column value. NULL is std::monostate.
using SqlValue =
    std::variant<std::monostate, int64_t, double, std::string, Blob>;
using SqlRow = std::vector<SqlValue>;

// Typed access to a row's values; a NULL or another type reads as the
// default (the store's own schema decides the types).
int64_t AsInt(const SqlValue& value);
double AsDouble(const SqlValue& value);
const std::string& AsText(const SqlValue& value);
bool IsNull(const SqlValue& value);

// One database connection. Not thread-safe: one user at a time (the store's
// pool hands connections out).
//
// SQL uses PostgreSQL's $1, $2, ... placeholders in both dialects (the SQLite
// driver reads them as ?1, ?2, ...).
//
// Errors: UNAVAILABLE when the database cannot be reached or written (a lost
// connection, a full or read-only disk, a lock that did not clear in time),
// INTERNAL for anything else; the message names the database and what the
// driver said.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  virtual Dialect dialect() const = 0;

  // Runs one statement (or, without params, several separated by ';').
  virtual absl::Status Exec(absl::string_view sql,
                            std::span<const SqlValue> params = {}) = 0;

  // Runs one statement and returns its rows.
  virtual absl::StatusOr<std::vector<SqlRow>> Query(
      absl::string_view sql, std::span<const SqlValue> params = {}) = 0;

  // Whether the connection is still usable; a pool replaces one that is not.
  virtual bool Healthy() = 0;
};

}  // namespace healthscore::store

#endif  // HEALTHSCORE_SERVER_STORE_SQL_H_
