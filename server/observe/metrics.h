// What an operator scrapes: counters and histograms kept as the server
// works, gauges read when scraped, all rendered in Prometheus' text format
// (GET /metrics on the HTTP listener; docs/metrics.md lists them).
#ifndef HEALTHSCORE_SERVER_OBSERVE_METRICS_H_
#define HEALTHSCORE_SERVER_OBSERVE_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace healthscore {

class Metrics {
 public:
  // Label values of one sample, in the family's label order.
  using Labels = std::vector<std::string>;
  // A gauge family read at scrape time: each sample's labels and value.
  using GaugeFn = std::function<std::vector<std::pair<Labels, double>>()>;

  // Latency buckets, in seconds (upper bounds; +Inf is implied).
  static constexpr std::array<double, 12> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  // One finished RPC (gRPC, and HTTP through it): counted by method and
  // status code, its latency into the method's histogram.
  void RecordCall(absl::string_view method, absl::string_view code,
                  double seconds);
  // Customers scored, and dimension results that were not OK, by dimension
  // and status (FAILED, INSUFFICIENT_DATA).
  void AddScored(int64_t customers);
  void AddDimensionStatus(absl::string_view dimension, absl::string_view status,
                          int64_t count);
  // A store operation's latency (by operation: record, read, ...).
  void RecordStore(absl::string_view operation, double seconds);

  // A gauge family: `name` (healthscore_...), its help line and label
  // names; `read` is called at every scrape.
  void AddGauge(std::string name, std::string help,
                std::vector<std::string> label_names, GaugeFn read);
  // The same for a counter another component keeps (its name ends in
  // _total): rendered with TYPE counter.
  void AddCounter(std::string name, std::string help,
                  std::vector<std::string> label_names, GaugeFn read);

  // Every family, in Prometheus text format 0.0.4.
  std::string Render() const;

  // Counts every call of the server it is installed on (ServerBuilder's
  // experimental().SetInterceptorCreators).
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory();

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // per bucket, not summed
    uint64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
  };
  struct Gauge {
    const char* type;  // "gauge" or "counter"
    std::string name;
    std::string help;
    std::vector<std::string> label_names;
    GaugeFn read;
  };

  mutable absl::Mutex mu_;
  // (method, code) -> calls
  std::map<std::pair<std::string, std::string>, uint64_t> calls_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> latency_ ABSL_GUARDED_BY(mu_);
  uint64_t scored_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> dimension_status_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> store_ ABSL_GUARDED_BY(mu_);
  std::vector<Gauge> gauges_ ABSL_GUARDED_BY(mu_);
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_OBSERVE_METRICS_H_
