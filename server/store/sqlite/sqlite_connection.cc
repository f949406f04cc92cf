// The SQLite driver of the store's SQL seam.
#include "server/store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <cctype>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace healthscore::store {
namespace {

// How long a statement waits for another connection's write lock.
constexpr int kBusyTimeoutMs = 10000;

bool IsUnavailable(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return true;
    default:
      return false;
  }
}

// $1 -> ?1: the store writes PostgreSQL's placeholders; SQLite's ?NNN are
// the same numbered parameters. (The store's SQL has no string literals
// holding '$'.)
std::string ToSqlitePlaceholders(absl::string_view sql) {
  std::string out(sql);
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && std::isdigit(static_cast<unsigned char>(out[i + 1]))) {
      out[i] = '?';
    }
  }
  return out;
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path)
      : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Dialect dialect() const override { return Dialect::kSqlite; }

  absl::Status Exec(absl::string_view sql,
                    std::span<const SqlValue> params) override {
    if (params.empty()) {
      char* message = nullptr;
      const std::string text = ToSqlitePlaceholders(sql);
      const int rc =
          sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
      if (rc != SQLITE_OK) {
        absl::Status status = Error(rc, message != nullptr ? message : "");
        sqlite3_free(message);
        return status;
      }
      return absl::OkStatus();
    }
    return Query(sql, params).status();
  }

  absl::StatusOr<std::vector<SqlRow>> Query(
      absl::string_view sql, std::span<const SqlValue> params) override {
    const std::string text = ToSqlitePlaceholders(sql);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, text.c_str(),
                                static_cast<int>(text.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(
        stmt, &sqlite3_finalize);
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(),
                                 SQLITE_STATIC, SQLITE_UTF8);
      } else {
        const Blob& b = std::get<Blob>(v);
        rc = sqlite3_bind_blob64(stmt, index, b.bytes.data(), b.bytes.size(),
                                 SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
    }
    std::vector<SqlRow> rows;
    const int columns = sqlite3_column_count(stmt);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      SqlRow& row = rows.emplace_back();
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            row.emplace_back(
                static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_TEXT:
            row.emplace_back(std::string(
                reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                sqlite3_column_bytes(stmt, c)));
            break;
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(stmt, c);
            const int size = sqlite3_column_bytes(stmt, c);
            row.emplace_back(
                Blob{data == nullptr
                         ? std::string()
                         : std::string(static_cast<const char*>(data), size)});
            break;
          }
          default:
            row.emplace_back(std::monostate());
        }
      }
    }
    if (rc != SQLITE_DONE) return Error(rc, sqlite3_errmsg(db_));
    return rows;
  }

  bool Healthy() override { return true; }

 private:
  absl::Status Error(int rc, absl::string_view message) const {
    std::string text = absl::StrCat("sqlite:", path_, ": ", message);
    if (IsUnavailable(rc)) return absl::UnavailableError(text);
    return absl::InternalError(text);
  }

  sqlite3* db_;
  std::string path_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqlConnection>> OpenSqlite(
    const std::string& path) {
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("sqlite:", path, ": cannot create directory ",
                       parent.string(), ": ", ec.message()));
    }
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return absl::UnavailableError(
        absl::StrCat("sqlite:", path, ": cannot open: ", message));
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::unique_ptr<SqlConnection> connection =
      std::make_unique<SqliteConnection>(db, path);
  // WAL: readers never block the writer nor each other. synchronous=FULL:
  // a commit has reached the disk when it returns, so an acknowledged point
  // survives a crash of the machine, not only of the process.
  absl::Status status = connection->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
      "PRAGMA foreign_keys=ON");
  if (!status.ok()) return status;
  return connection;
}

}  // namespace healthscore::store
