// Shared by the history and alerts tests: a real server on port 0 with the
// test_echo plugin and a real store (an SQLite file, or a fresh database on
// the PostgreSQL server that the ctest fixture started), and helpers to
// record points at fixed dates.
#ifndef HEALTHSCORE_TESTS_HISTORY_HISTORY_FIXTURE_H_
#define HEALTHSCORE_TESTS_HISTORY_HISTORY_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "healthscore/v1/history.grpc.pb.h"
#include "server/server.h"
#include "tests/test_util.h"

namespace healthscore::testing {

// 2026-01-01T00:00:00Z
inline constexpr int64_t kDay0 = 1767225600;

inline google::protobuf::Timestamp Day(int day) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(
      kDay0 + int64_t{day} * 86400);
}

// The PostgreSQL server the ctest fixture started: its URI is in the file
// $HS_TEST_POSTGRES_URI_FILE.
inline std::string PostgresAdminUri() {
  const char* file = std::getenv("HS_TEST_POSTGRES_URI_FILE");
  if (file == nullptr) return "";
  std::ifstream in(file);
  std::string uri;
  std::getline(in, uri);
  return uri;
}

// Runs one SQL command on `uri`; returns libpq's error, empty when it worked.
inline std::string PgExec(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK &&
        PQresultStatus(r) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

// A new empty database on the fixture's server, for one test.
inline std::string FreshPostgresDatabase() {
  const std::string admin = PostgresAdminUri();
  if (admin.empty()) {
    ADD_FAILURE() << "HS_TEST_POSTGRES_URI_FILE is not set: run this test "
                     "through ctest, whose fixture starts PostgreSQL";
    return "";
  }
  static std::atomic<int> counter{0};
  const std::string name = absl::StrCat("hs_", getpid(), "_", counter++);
  const std::string error = PgExec(admin, "CREATE DATABASE " + name);
  EXPECT_EQ(error, "");
  return std::regex_replace(admin, std::regex("/[^/]*$"), "/" + name);
}

// "sqlite:<temp>/history.db" or a fresh PostgreSQL database.
inline std::string NewStore(const std::string& backend) {
  if (backend == "postgres") return FreshPostgresDatabase();
  return "sqlite:" + (MakeTempDir() / "data/history.db").string();
}

class HistoryServer {
 public:
  // Starts a server on port 0 with `scorecard` and the test_echo plugin.
  static std::unique_ptr<HistoryServer> Start(
      const std::string& store, const std::string& scorecard,
      history::RecordMode record = history::RecordMode::kRequest) {
    auto h = std::unique_ptr<HistoryServer>(new HistoryServer);
    h->dir_ = MakeTempDir();
    const auto plugins = h->dir_ / "plugins/test_echo/1.0.0";
    std::filesystem::create_directories(plugins);
    std::filesystem::copy_file(TestPlugin("test_echo"),
                               plugins / "libtest_echo.so");
    h->config_ = WriteFile(h->dir_, "scorecard.yaml", scorecard);
    Server::Options options;
    options.listen = "127.0.0.1:0";
    options.config_path = h->config_.string();
    options.plugin_dir = (h->dir_ / "plugins").string();
    options.store = store;
    options.record = record;
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::BuildAndStart(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    h->server_ = *std::move(server);
    auto channel = grpc::CreateChannel(h->server_->address(),
                                       grpc::InsecureChannelCredentials());
    h->channel_ = channel;
    h->scoring_ = v1::HealthScoring::NewStub(channel);
    h->history_ = v1::History::NewStub(channel);
    return h;
  }

  // Makes `scorecard` live (as an edit of the file and a reload would).
  void Reload(const std::string& scorecard) {
    WriteFile(dir_, "scorecard.yaml", scorecard);
    ReloadOutcome outcome = server_->reloader().Reload(ReloadTrigger::kRpc);
    ASSERT_TRUE(outcome.status.ok()) << outcome.status;
    ASSERT_TRUE(outcome.changed);
  }

  // Score with record=true; x or y NaN leaves the signal out.
  grpc::Status Record(const std::string& id, int day, double x, double y,
                      v1::ScoreResponse* response = nullptr,
                      const std::string& segment = "smb") {
    v1::ScoreRequest request;
    request.set_record(true);
    request.set_explain(v1::EXPLAIN_NONE);
    v1::Customer* c = request.mutable_customer();
    c->set_customer_id(id);
    c->set_segment(segment);
    *c->mutable_as_of() = Day(day);
    if (!std::isnan(x)) (*c->mutable_signals())["x"] = x;
    if (!std::isnan(y)) (*c->mutable_signals())["y"] = y;
    v1::ScoreResponse local;
    grpc::ClientContext context;
    return scoring_->Score(&context, request, response ? response : &local);
  }

  grpc::Status GetHistory(const v1::GetHistoryRequest& request,
                          v1::GetHistoryResponse* response) {
    grpc::ClientContext context;
    return history_->GetHistory(&context, request, response);
  }

  grpc::Status Explain(const std::string& id, int from, int to,
                       v1::ExplainChangeResponse* response) {
    v1::ExplainChangeRequest request;
    request.set_customer_id(id);
    *request.mutable_from() = Day(from);
    *request.mutable_to() = Day(to);
    grpc::ClientContext context;
    return history_->ExplainChange(&context, request, response);
  }

  Server& server() { return *server_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  v1::HealthScoring::Stub& scoring() { return *scoring_; }
  v1::History::Stub& history() { return *history_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::HealthScoring::Stub> scoring_;
  std::unique_ptr<v1::History::Stub> history_;
};

}  // namespace healthscore::testing

#endif  // HEALTHSCORE_TESTS_HISTORY_HISTORY_FIXTURE_H_
