// The PostgreSQL driver of the store's SQL seam (libpq, binary format).
#include "server/store/postgres/postgres_connection.h"

#include <endian.h>
#include <libpq-fe.h>

#include <cstring>
#include <list>
#include <regex>

#include "absl/strings/str_cat.h"

namespace healthscore::store {
namespace {

// Type OIDs (pg_type.dat).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

// Statements kept prepared per connection.
constexpr size_t kCachedStatements = 32;

template <typename T>
T ReadBigEndian(const char* data) {
  T value;
  std::memcpy(&value, data, sizeof(T));
  if constexpr (sizeof(T) == 8) return static_cast<T>(be64toh(value));
  if constexpr (sizeof(T) == 4) return static_cast<T>(be32toh(value));
  if constexpr (sizeof(T) == 2) return static_cast<T>(be16toh(value));
  return value;
}

// SQLSTATE classes that mean "the database is not there right now":
// 08 connection exception, 53 insufficient resources, 57 operator
// intervention (shutdown), 40001/40P01 serialization failure / deadlock.
bool IsUnavailableState(const char* state) {
  if (state == nullptr) return true;  // no server answer at all
  return std::strncmp(state, "08", 2) == 0 ||
         std::strncmp(state, "53", 2) == 0 ||
         std::strncmp(state, "57", 2) == 0 ||
         std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0;
}

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(PGconn* conn, std::string name)
      : conn_(conn), name_(std::move(name)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  absl::Status Exec(absl::string_view sql,
                    std::span<const SqlValue> params) override {
    if (params.empty()) {
      const std::string text(sql);
      PGresult* result = PQexec(conn_, text.c_str());
      std::unique_ptr<PGresult, void (*)(PGresult*)> owner(result, &PQclear);
      return Check(result);
    }
    return Query(sql, params).status();
  }

  absl::StatusOr<std::vector<SqlRow>> Query(
      absl::string_view sql, std::span<const SqlValue> params) override {
    const size_t n = params.size();
    std::vector<Oid> types(n, 0);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 1);
    std::vector<uint64_t> numbers(n);  // big-endian copies of numbers
    for (size_t i = 0; i < n; ++i) {
      const SqlValue& v = params[i];
      if (const auto* x = std::get_if<int64_t>(&v)) {
        types[i] = kInt8Oid;
        numbers[i] = htobe64(static_cast<uint64_t>(*x));
        values[i] = reinterpret_cast<const char*>(&numbers[i]);
        lengths[i] = 8;
      } else if (const auto* d = std::get_if<double>(&v)) {
        types[i] = kFloat8Oid;
        uint64_t bits;
        std::memcpy(&bits, d, 8);
        numbers[i] = htobe64(bits);
        values[i] = reinterpret_cast<const char*>(&numbers[i]);
        lengths[i] = 8;
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        types[i] = kTextOid;
        values[i] = s->data();
        lengths[i] = static_cast<int>(s->size());
      } else if (const auto* b = std::get_if<Blob>(&v)) {
        types[i] = kByteaOid;
        values[i] = b->bytes.data();
        lengths[i] = static_cast<int>(b->bytes.size());
      }  // NULL: a null pointer, no type
    }
    absl::StatusOr<std::string> name = Prepare(sql, types);
    if (!name.ok()) return name.status();
    PGresult* result =
        PQexecPrepared(conn_, name->c_str(), static_cast<int>(n), values.data(),
                       lengths.data(), formats.data(), /*resultFormat=*/1);
    std::unique_ptr<PGresult, void (*)(PGresult*)> owner(result, &PQclear);
    absl::Status status = Check(result);
    if (!status.ok()) return status;
    std::vector<SqlRow> rows;
    const int num_rows = PQntuples(result);
    const int num_columns = PQnfields(result);
    rows.reserve(num_rows);
    for (int r = 0; r < num_rows; ++r) {
      SqlRow& row = rows.emplace_back();
      row.reserve(num_columns);
      for (int c = 0; c < num_columns; ++c) {
        if (PQgetisnull(result, r, c)) {
          row.emplace_back(std::monostate());
          continue;
        }
        const char* data = PQgetvalue(result, r, c);
        const int length = PQgetlength(result, r, c);
        switch (PQftype(result, c)) {
          case kInt8Oid:
            row.emplace_back(ReadBigEndian<int64_t>(data));
            break;
          case kInt4Oid:
            row.emplace_back(
                static_cast<int64_t>(ReadBigEndian<int32_t>(data)));
            break;
          case kInt2Oid:
            row.emplace_back(
                static_cast<int64_t>(ReadBigEndian<int16_t>(data)));
            break;
          case kBoolOid:
            row.emplace_back(static_cast<int64_t>(data[0] != 0));
            break;
          case kFloat8Oid: {
            const uint64_t bits = ReadBigEndian<uint64_t>(data);
            double d;
            std::memcpy(&d, &bits, 8);
            row.emplace_back(d);
            break;
          }
          case kFloat4Oid: {
            const uint32_t bits = ReadBigEndian<uint32_t>(data);
            float f;
            std::memcpy(&f, &bits, 4);
            row.emplace_back(static_cast<double>(f));
            break;
          }
          case kByteaOid:
            row.emplace_back(Blob{std::string(data, length)});
            break;
          default:  // text, varchar, name: the bytes as they are
            row.emplace_back(std::string(data, length));
        }
      }
    }
    return rows;
  }

  bool Healthy() override {
    if (PQstatus(conn_) == CONNECTION_OK) return true;
    PQreset(conn_);
    cache_.clear();  // a new session has no prepared statements
    return PQstatus(conn_) == CONNECTION_OK;
  }

 private:
  // The name of a prepared statement for `sql` with these parameter types,
  // from the cache or prepared now (evicting the least recently used): a
  // batch INSERT of 250 rows is parsed and planned once per connection.
  absl::StatusOr<std::string> Prepare(absl::string_view sql,
                                      const std::vector<Oid>& types) {
    std::string key(sql);
    key.append(reinterpret_cast<const char*>(types.data()),
               types.size() * sizeof(Oid));
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->first == key) {
        cache_.splice(cache_.begin(), cache_, it);
        return it->second;
      }
    }
    if (cache_.size() >= kCachedStatements) {
      const std::string drop = "DEALLOCATE " + cache_.back().second;
      PQclear(PQexec(conn_, drop.c_str()));
      cache_.pop_back();
    }
    std::string name = absl::StrCat("hs_", next_statement_++);
    const std::string text(sql);
    PGresult* result = PQprepare(conn_, name.c_str(), text.c_str(),
                                 static_cast<int>(types.size()), types.data());
    std::unique_ptr<PGresult, void (*)(PGresult*)> owner(result, &PQclear);
    absl::Status status = Check(result);
    if (!status.ok()) return status;
    cache_.emplace_front(std::move(key), name);
    return name;
  }

  absl::Status Check(const PGresult* result) const {
    const ExecStatusType status =
        result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      return absl::OkStatus();
    }
    std::string message = result != nullptr ? PQresultErrorMessage(result)
                                            : PQerrorMessage(conn_);
    while (!message.empty() &&
           (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    if (message.empty()) message = PQerrorMessage(conn_);
    const char* state = result != nullptr
                            ? PQresultErrorField(result, PG_DIAG_SQLSTATE)
                            : nullptr;
    std::string text = absl::StrCat(name_, ": ", message);
    if (PQstatus(conn_) != CONNECTION_OK || IsUnavailableState(state)) {
      return absl::UnavailableError(text);
    }
    return absl::InternalError(text);
  }

  PGconn* conn_;
  std::string name_;
  // (SQL + parameter types) -> statement name; most recently used first.
  std::list<std::pair<std::string, std::string>> cache_;
  int64_t next_statement_ = 0;
};

}  // namespace

std::string RedactUri(const std::string& uri) {
  // postgresql://user:secret@host -> postgresql://user:***@host
  static const std::regex kPassword(R"(^(postgres(?:ql)?://[^:/@]*:)[^@]*@)");
  std::string out = std::regex_replace(uri, kPassword, "$1***@");
  static const std::regex kParam(R"(([?&]password=)[^&]*)");
  return std::regex_replace(out, kParam, "$1***");
}

absl::StatusOr<std::unique_ptr<SqlConnection>> OpenPostgres(
    const std::string& uri) {
  const std::string name = RedactUri(uri);
  PGconn* conn = PQconnectdb(uri.c_str());
  if (conn == nullptr) {
    return absl::UnavailableError(absl::StrCat(name, ": out of memory"));
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() &&
           (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    PQfinish(conn);
    return absl::UnavailableError(
        absl::StrCat(name, ": cannot connect: ", message));
  }
  std::unique_ptr<SqlConnection> connection =
      std::make_unique<PostgresConnection>(conn, name);
  // Quiet the NOTICEs of CREATE ... IF NOT EXISTS; UTC for any timestamps.
  absl::Status status = connection->Exec(
      "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  if (!status.ok()) return status;
  return connection;
}

}  // namespace healthscore::store
