// Fuzz target: request validation, in process, through the scoring service's
// handlers without gRPC (ScoringService::DoScore / DoScoreBatch, as
// bench/score_bench.cc drives them): the batch builder's checks of names,
// values and bounds (server/engine/batch_builder.cc), segments, explain
// levels, layouts, then the engine, aggregation, explanations and the compact
// writer on whatever passed. Against scorecards/default.yaml (every built-in
// plugin, the rules plugin, segments, groups, gates).
//
// Input: a request in protobuf text format; a ScoreBatchRequest, or a
// ScoreRequest when the input starts with "#score". Seeds:
// fuzz/corpus/request/; field names in fuzz/request.dict.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_util.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "healthscore/v1/health_scoring.pb.h"
#include "server/engine/snapshot_holder.h"
#include "server/history/recorder.h"
#include "server/service/scoring_service.h"

namespace {

namespace v1 = healthscore::v1;

// Text-format errors are the fuzzer's everyday input: not worth a log line.
class Silent : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, int, const std::string&) override {}
  void AddWarning(int, int, const std::string&) override {}
};

struct Service {
  healthscore::SnapshotHolder holder;
  healthscore::history::Recorder no_history{nullptr, {}};
  healthscore::ScoringService service{
      &holder,
      &healthscore::fuzz::PluginsIn(HS_PLUGIN_DIR),
      &no_history,
      {.max_batch = 1000}};
  Service() {
    holder.Swap(healthscore::fuzz::SnapshotOf(
        HS_SCORECARD, healthscore::fuzz::PluginsIn(HS_PLUGIN_DIR)));
  }
};

Service& TheService() {
  static Service* service = new Service;
  return *service;
}

template <typename Message>
bool Parse(absl::string_view text, Message& message) {
  Silent silent;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&silent);
  return parser.ParseFromString(std::string(text), &message);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  healthscore::fuzz::Quiet();
  TheService();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const healthscore::ScoringService& service = TheService().service;
  google::protobuf::Arena arena;
  if (text.substr(0, 6) == "#score") {
    auto* request =
        google::protobuf::Arena::CreateMessage<v1::ScoreRequest>(&arena);
    if (!Parse(text, *request)) return 0;
    auto* response =
        google::protobuf::Arena::CreateMessage<v1::ScoreResponse>(&arena);
    (void)service.DoScore(*request, *response);
    (void)response->ByteSizeLong();
  } else {
    auto* request =
        google::protobuf::Arena::CreateMessage<v1::ScoreBatchRequest>(&arena);
    if (!Parse(text, *request)) return 0;
    auto* response =
        google::protobuf::Arena::CreateMessage<v1::ScoreBatchResponse>(&arena);
    (void)service.DoScoreBatch(*request, *response);
    (void)response->ByteSizeLong();
  }
  return 0;
}
