// Counters, histograms, gauges and their text format.
#include "server/observe/metrics.h"

#include <grpcpp/support/status.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/common/grpc_code_name.h"

namespace healthscore {
namespace {

// A label value escaped as the text format wants (\\, \", \n).
std::string Escape(absl::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string LabelSet(const std::vector<std::string>& names,
                     const std::vector<std::string>& values,
                     absl::string_view extra = "") {
  std::vector<std::string> parts;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    parts.push_back(absl::StrCat(names[i], "=\"", Escape(values[i]), "\""));
  }
  if (!extra.empty()) parts.emplace_back(extra);
  if (parts.empty()) return "";
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string Number(double v) { return absl::StrFormat("%.17g", v); }

// Counts one call from its start to the status it sends.
class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(Metrics* metrics, std::string method)
      : metrics_(metrics),
        method_(std::move(method)),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const std::chrono::duration<double> took =
          std::chrono::steady_clock::now() - start_;
      metrics_->RecordCall(method_,
                           GrpcCodeName(methods->GetSendStatus().error_code()),
                           took.count());
    }
    methods->Proceed();
  }

 private:
  Metrics* const metrics_;
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
};

class CallInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(metrics_, info->method());
  }

 private:
  Metrics* const metrics_;
};

}  // namespace

void Metrics::Histogram::Observe(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++counts[i];
      break;
    }
  }
  ++count;
  sum += seconds;
}

void Metrics::RecordCall(absl::string_view method, absl::string_view code,
                         double seconds) {
  absl::MutexLock lock(&mu_);
  ++calls_[{std::string(method), std::string(code)}];
  latency_[std::string(method)].Observe(seconds);
}

void Metrics::AddScored(int64_t customers) {
  absl::MutexLock lock(&mu_);
  scored_ += customers;
}

void Metrics::AddDimensionStatus(absl::string_view dimension,
                                 absl::string_view status, int64_t count) {
  absl::MutexLock lock(&mu_);
  dimension_status_[{std::string(dimension), std::string(status)}] += count;
}

void Metrics::RecordStore(absl::string_view operation, double seconds) {
  absl::MutexLock lock(&mu_);
  store_[std::string(operation)].Observe(seconds);
}

void Metrics::AddGauge(std::string name, std::string help,
                       std::vector<std::string> label_names, GaugeFn read) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back({"gauge", std::move(name), std::move(help),
                     std::move(label_names), std::move(read)});
}

void Metrics::AddCounter(std::string name, std::string help,
                         std::vector<std::string> label_names, GaugeFn read) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back({"counter", std::move(name), std::move(help),
                     std::move(label_names), std::move(read)});
}

std::string Metrics::Render() const {
  std::string out;
  auto histogram = [&](const std::string& name, const std::string& label,
                       const std::map<std::string, Histogram>& by) {
    for (const auto& [key, h] : by) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.counts[i];
        absl::StrAppend(
            &out, name, "_bucket",
            LabelSet({label}, {key},
                     absl::StrCat("le=\"", Number(kBuckets[i]), "\"")),
            " ", cumulative, "\n");
      }
      absl::StrAppend(&out, name, "_bucket",
                      LabelSet({label}, {key}, "le=\"+Inf\""), " ", h.count,
                      "\n");
      absl::StrAppend(&out, name, "_sum", LabelSet({label}, {key}), " ",
                      Number(h.sum), "\n");
      absl::StrAppend(&out, name, "_count", LabelSet({label}, {key}), " ",
                      h.count, "\n");
    }
  };
  std::vector<Gauge> gauges;
  {
    absl::MutexLock lock(&mu_);
    out +=
        "# HELP healthscore_requests_total RPCs finished, by method and gRPC "
        "status code (HTTP requests are counted through the RPC they call).\n"
        "# TYPE healthscore_requests_total counter\n";
    for (const auto& [key, n] : calls_) {
      absl::StrAppend(&out, "healthscore_requests_total",
                      LabelSet({"method", "code"}, {key.first, key.second}),
                      " ", n, "\n");
    }
    out +=
        "# HELP healthscore_request_duration_seconds RPC latency in the "
        "server, by method.\n"
        "# TYPE healthscore_request_duration_seconds histogram\n";
    histogram("healthscore_request_duration_seconds", "method", latency_);
    absl::StrAppend(
        &out,
        "# HELP healthscore_customers_scored_total Customers scored (Score and "
        "ScoreBatch rows that got a score).\n"
        "# TYPE healthscore_customers_scored_total counter\n"
        "healthscore_customers_scored_total ",
        scored_, "\n");
    out +=
        "# HELP healthscore_dimension_results_total Dimension results that "
        "were not OK, by dimension and status.\n"
        "# TYPE healthscore_dimension_results_total counter\n";
    for (const auto& [key, n] : dimension_status_) {
      absl::StrAppend(
          &out, "healthscore_dimension_results_total",
          LabelSet({"dimension", "status"}, {key.first, key.second}), " ", n,
          "\n");
    }
    out +=
        "# HELP healthscore_store_duration_seconds Score store operations' "
        "latency, by operation.\n"
        "# TYPE healthscore_store_duration_seconds histogram\n";
    histogram("healthscore_store_duration_seconds", "operation", store_);
    gauges = gauges_;
  }
  // Outside the lock: a gauge may take its own locks.
  for (const Gauge& g : gauges) {
    absl::StrAppend(&out, "# HELP ", g.name, " ", g.help, "\n# TYPE ", g.name,
                    " ", g.type, "\n");
    for (const auto& [labels, value] : g.read()) {
      absl::StrAppend(&out, g.name, LabelSet(g.label_names, labels), " ",
                      Number(value), "\n");
    }
  }
  return out;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::InterceptorFactory() {
  return std::make_unique<CallInterceptorFactory>(this);
}

}  // namespace healthscore
