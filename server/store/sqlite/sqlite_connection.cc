// The SQLite driver of the store's SQL seam.
#include "server/store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <cctype>
#include <filesystem>
#include <list>
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

// Statements kept prepared per connection (the store's queries are few; a
// batch INSERT of 250 rows is parsed once, not once a batch).
constexpr size_t kCachedStatements = 32;

// $1 -> ?1: the store writes PostgreSQL's placeholders; SQLite's ?NNN are
// the same numbered parameters. When they run $1, $2, $3... in order, plain
// ? is the same and parses in linear time (SQLite looks ?NNN names up one by
// one). The store's SQL has no string literals holding '$'.
std::string ToSqlitePlaceholders(absl::string_view sql) {
  std::string numbered;
  std::string plain;
  int expected = 1;
  bool sequential = true;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '$' && i + 1 < sql.size() &&
        std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      size_t end = i + 1;
      int n = 0;
      while (end < sql.size() &&
             std::isdigit(static_cast<unsigned char>(sql[end]))) {
        n = n * 10 + (sql[end] - '0');
        ++end;
      }
      sequential = sequential && n == expected++;
      numbered.push_back('?');
      numbered.append(sql.data() + i + 1, end - i - 1);
      plain.push_back('?');
      i = end - 1;
      continue;
    }
    numbered.push_back(sql[i]);
    plain.push_back(sql[i]);
  }
  return sequential ? plain : numbered;
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path)
      : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

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
    sqlite3_stmt* stmt = nullptr;
    int rc = Prepare(sql, &stmt);
    if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
    // Back to a clean state for the next use, whatever happens here.
    struct Reset {
      sqlite3_stmt* stmt;
      ~Reset() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } reset{stmt};
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
  // A prepared statement for `sql`, from the cache or newly made (and
  // cached, evicting the least recently used).
  int Prepare(absl::string_view sql, sqlite3_stmt** stmt) {
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->first == sql) {
        cache_.splice(cache_.begin(), cache_, it);
        *stmt = it->second;
        return SQLITE_OK;
      }
    }
    const std::string text = ToSqlitePlaceholders(sql);
    const int rc =
        sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                           SQLITE_PREPARE_PERSISTENT, stmt, nullptr);
    if (rc != SQLITE_OK) return rc;
    if (cache_.size() >= kCachedStatements) {
      sqlite3_finalize(cache_.back().second);
      cache_.pop_back();
    }
    cache_.emplace_front(std::string(sql), *stmt);
    return SQLITE_OK;
  }

  absl::Status Error(int rc, absl::string_view message) const {
    std::string text = absl::StrCat("sqlite:", path_, ": ", message);
    if (IsUnavailable(rc)) return absl::UnavailableError(text);
    return absl::InternalError(text);
  }

  sqlite3* db_;
  std::string path_;
  // Most recently used first.
  std::list<std::pair<std::string, sqlite3_stmt*>> cache_;
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
      "PRAGMA foreign_keys=ON; "
      // Pages are read through a memory map, not one pread() each, with a
      // 64 MB cache per connection (SQLite's default is 2 MB).
      "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536");
  if (!status.ok()) return status;
  return connection;
}

}  // namespace healthscore::store
