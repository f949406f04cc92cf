// The access log interceptor.
#include "server/observe/access_log.h"

#include <chrono>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/common/grpc_code_name.h"
#include "server/observe/logging.h"

namespace healthscore {
namespace {

namespace exp = grpc::experimental;

std::mt19937_64& Random() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return random;
}

class AccessLogInterceptor final : public exp::Interceptor {
 public:
  AccessLogInterceptor(std::string method, AccessLogOptions options)
      : method_(std::move(method)),
        options_(options),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(exp::InterceptorBatchMethods* methods) override {
    using Hook = exp::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_INITIAL_METADATA)) {
      ReadRequestId(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_MESSAGE)) {
      CountRows(methods->GetRecvMessage());
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdHeader, RequestId());
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      Log(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void ReadRequestId(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    const auto it = metadata.find(kRequestIdHeader);
    if (it == metadata.end()) return;
    const absl::string_view id(it->second.data(), it->second.size());
    if (UsableRequestId(id)) request_id_ = std::string(id);
  }

  // Scoring calls: the rows asked for (a call failing before its message
  // arrives counts none).
  void CountRows(void* message) {
    if (message == nullptr) return;
    if (method_ == "/healthscore.v1.HealthScoring/ScoreBatch") {
      rows_ = static_cast<v1::ScoreBatchRequest*>(message)->rows_size();
    } else if (method_ == "/healthscore.v1.HealthScoring/Score") {
      rows_ = 1;
    }
  }

  const std::string& RequestId() {
    if (request_id_.empty()) request_id_ = NewRequestId();
    return request_id_;
  }

  void Log(const grpc::Status& status) {
    const bool ok = status.ok();
    if (ok) {
      if (absl::StartsWith(method_, "/grpc.health.v1.Health/")) return;
      if (options_.sample <= 0) return;
      if (options_.sample < 1 && std::uniform_real_distribution<double>(
                                     0, 1)(Random()) >= options_.sample) {
        return;
      }
    }
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start_)
                          .count();
    std::vector<LogField> fields = {
        {"request_id", JsonString(RequestId())},
        {"method", JsonString(method_)},
        {"code", JsonString(GrpcCodeName(status.error_code()))},
        {"duration_ms", absl::StrFormat("%.3f", ms)},
    };
    if (rows_ >= 0) fields.emplace_back("rows", absl::StrCat(rows_));
    if (!ok) fields.emplace_back("error", JsonString(status.error_message()));
    LogWithFields("access", fields, /*warning=*/false);
  }

  const std::string method_;
  const AccessLogOptions options_;
  const std::chrono::steady_clock::time_point start_;
  std::string request_id_;
  int64_t rows_ = -1;
};

class Factory final : public exp::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(AccessLogOptions options) : options_(options) {}
  exp::Interceptor* CreateServerInterceptor(exp::ServerRpcInfo* info) override {
    return new AccessLogInterceptor(info->method(), options_);
  }

 private:
  const AccessLogOptions options_;
};

}  // namespace

std::string NewRequestId() {
  std::mt19937_64& random = Random();
  const uint64_t high = random();
  const uint64_t low = random();
  return absl::StrFormat("%016x%016x", high, low);
}

bool UsableRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        !absl::StrContains("-_.:/", c)) {
      return false;
    }
  }
  return true;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
AccessLogInterceptorFactory(AccessLogOptions options) {
  return std::make_unique<Factory>(options);
}

}  // namespace healthscore
