// The healthscore.v1.HealthScoring handlers: validate, take the snapshot,
// score, answer.
#include "server/service/scoring_service.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/common/echo.h"
#include "server/common/status_macros.h"
#include "server/engine/batch_builder.h"
#include "server/engine/engine.h"
#include "server/engine/worker_pool.h"
#include "server/history/point.h"
#include "server/history/rollup.h"
#include "server/service/compact.h"
#include "server/service/grpc_status.h"

namespace healthscore {
namespace {

// The longest customer id a score may carry (as the history stores them).
constexpr size_t kMaxCustomerId = 256;

absl::Status CheckCustomerId(const std::string& id, absl::string_view field) {
  if (id.empty())
    return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
  if (id.size() > kMaxCustomerId) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is ", id.size(), " bytes; the limit is ", kMaxCustomerId));
  }
  return absl::OkStatus();
}

absl::Status CheckExplain(int explain, absl::string_view field) {
  if (v1::Explain_IsValid(explain)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, " = ", explain,
                   " is not an Explain (EXPLAIN_NONE = 1, EXPLAIN_SUMMARY = 2, "
                   "EXPLAIN_FULL = 3; 0, unset, means SUMMARY)"));
}

// A google.protobuf.Timestamp as its definition allows: 0001-01-01 to
// 9999-12-31, nanos 0-999999999.
absl::Status CheckTimestamp(const google::protobuf::Timestamp& t,
                            absl::string_view field) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (t.seconds() < kMinSeconds || t.seconds() > kMaxSeconds) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".seconds = ", t.seconds(), " is outside ", kMinSeconds, "-",
        kMaxSeconds, " (0001-01-01 to 9999-12-31)"));
  }
  if (t.nanos() < 0 || t.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".nanos = ", t.nanos(), " is outside 0-999999999"));
  }
  return absl::OkStatus();
}

// Customers scored, and the dimension results that were not OK, into
// `metrics` (one lock per call, not per row).
void Count(Metrics* metrics, std::span<v1::CustomerScore* const> scores,
           std::span<const absl::Status> statuses) {
  if (metrics == nullptr) return;
  int64_t scored = 0;
  absl::flat_hash_map<std::pair<std::string, int>, int64_t> not_ok;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!statuses[i].ok()) continue;
    ++scored;
    for (const v1::DimensionResult& d : scores[i]->dimensions()) {
      if (d.status() != v1::DIMENSION_STATUS_OK) {
        ++not_ok[{d.name(), static_cast<int>(d.status())}];
      }
    }
  }
  metrics->AddScored(scored);
  for (const auto& [key, n] : not_ok) {
    metrics->AddDimensionStatus(
        key.first,
        key.second == v1::DIMENSION_STATUS_INSUFFICIENT_DATA
            ? "INSUFFICIENT_DATA"
            : "FAILED",
        n);
  }
}

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>>
ScoringService::CurrentSnapshot() const {
  std::shared_ptr<const Snapshot> snapshot = snapshots_->Current();
  if (snapshot == nullptr) {
    return absl::UnavailableError("no scorecard is live yet");
  }
  return snapshot;
}

absl::Status ScoringService::DoScore(const v1::ScoreRequest& request,
                                     v1::ScoreResponse& response,
                                     absl::Time deadline) const {
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, CurrentSnapshot());
  const v1::Customer& customer = request.customer();
  RETURN_IF_ERROR(
      CheckCustomerId(customer.customer_id(), "customer.customer_id"));
  RETURN_IF_ERROR(CheckExplain(request.explain(), "explain"));
  if (customer.has_as_of()) {
    RETURN_IF_ERROR(CheckTimestamp(customer.as_of(), "customer.as_of"));
  }
  RETURN_IF_ERROR(history::ReadAccountAttributes(customer.attributes(),
                                                 customer.customer_id(),
                                                 "customer.attributes")
                      .status());
  ASSIGN_OR_RETURN(const bool record, recorder_->Wants(request.record()));
  absl::Time as_of;
  if (record) {
    ASSIGN_OR_RETURN(as_of,
                     recorder_->RecordTime(
                         customer.has_as_of() ? &customer.as_of() : nullptr,
                         "customer.as_of", absl::Now()));
  }
  std::vector<std::string> unused;
  ASSIGN_OR_RETURN(const BatchColumns batch,
                   CustomerColumns(*snapshot, customer.signals(), &unused));
  for (std::string& name : unused) response.add_unused_signals(std::move(name));
  v1::CustomerScore* score = response.mutable_score();
  // Segment and as-of first: the engine routes and warns on them.
  score->set_customer_id(customer.customer_id());
  score->set_segment(customer.segment());
  if (record) {
    *score->mutable_as_of() = history::FromMicros(absl::ToUnixMicros(as_of));
  } else if (customer.has_as_of()) {
    *score->mutable_as_of() = customer.as_of();
  }
  std::vector<absl::Status> statuses = healthscore::ScoreColumns(
      *snapshot, batch, request.explain(), std::span(&score, 1), absl::Now(),
      ScoreOptions{.stop = Stop(deadline)});
  RETURN_IF_ERROR(statuses[0]);
  Count(options_.metrics, std::span(&score, 1), statuses);
  if (record) {
    // The record keeps what was sent, in name order.
    std::vector<std::pair<std::string, double>> signals(
        customer.signals().begin(), customer.signals().end());
    std::sort(signals.begin(), signals.end());
    std::vector<std::string> names;
    std::vector<double> values;
    for (auto& [name, value] : signals) {
      names.push_back(name);
      values.push_back(value);
    }
    const history::RowInputs inputs{names, values, &customer.attributes()};
    RETURN_IF_ERROR(recorder_->Record(*snapshot, std::span(&score, 1),
                                      std::span(&inputs, 1)));
  }
  // After recording: the history keeps the computed score, the reply shows
  // the override.
  if (overrides_ != nullptr) overrides_->Apply(*snapshot, score);
  return absl::OkStatus();
}

absl::Status ScoringService::DoScoreBatch(const v1::ScoreBatchRequest& request,
                                          v1::ScoreBatchResponse& response,
                                          absl::Time deadline) const {
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, CurrentSnapshot());
  ASSIGN_OR_RETURN(const bool record, recorder_->Wants(request.record()));
  RETURN_IF_ERROR(
      ScoreBatchImpl(*snapshot, request, record, response, deadline));
  // After recording, and not in ScoreBatchUnder (a dry run compares what
  // scorecards compute): see DoScore.
  if (overrides_ != nullptr) {
    for (v1::CustomerResult& result : *response.mutable_results()) {
      if (result.has_score()) {
        overrides_->Apply(*snapshot, result.mutable_score());
      }
    }
  }
  if (request.layout() == v1::LAYOUT_COMPACT) {
    CompactResults(*snapshot, request.sentences(), response);
  }
  return absl::OkStatus();
}

absl::Status ScoringService::ScoreBatchUnder(
    const Snapshot& snapshot, const v1::ScoreBatchRequest& request,
    v1::ScoreBatchResponse& response) const {
  if (request.record()) {
    return absl::InvalidArgumentError(
        "batch.record: a dry run records nothing; leave record unset");
  }
  RETURN_IF_ERROR(ScoreBatchImpl(snapshot, request, /*record=*/false, response,
                                 absl::InfiniteFuture()));
  if (request.layout() == v1::LAYOUT_COMPACT) {
    CompactResults(snapshot, request.sentences(), response);
  }
  return absl::OkStatus();
}

absl::Status ScoringService::ScoreBatchImpl(
    const Snapshot& snapshot, const v1::ScoreBatchRequest& request, bool record,
    v1::ScoreBatchResponse& response, absl::Time deadline) const {
  const int rows = request.rows_size();
  if (!v1::Layout_IsValid(request.layout())) {
    return absl::InvalidArgumentError(
        absl::StrCat("layout = ", request.layout(),
                     " is not a Layout (LAYOUT_FULL = 1, LAYOUT_COMPACT = 2)"));
  }
  RETURN_IF_ERROR(CheckExplain(request.explain(), "explain"));
  if (request.has_as_of()) {
    RETURN_IF_ERROR(CheckTimestamp(request.as_of(), "as_of"));
  }
  if (request.sentences() && request.layout() != v1::LAYOUT_COMPACT) {
    return absl::InvalidArgumentError(
        "sentences applies to layout LAYOUT_COMPACT only (the full layout "
        "always has them)");
  }
  if (rows == 0) {
    return absl::InvalidArgumentError(
        "rows is empty: a batch needs at least one row");
  }
  if (rows > options_.max_batch) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch has ", rows, " rows; the limit is ",
                     options_.max_batch, " (--max-batch)"));
  }
  // A response that cannot be sent is refused before the work, not after.
  const bool compact = request.layout() == v1::LAYOUT_COMPACT;
  if (const int64_t bytes = EstimateResponseBytes(
          snapshot, rows, request.explain(), compact, request.sentences());
      bytes > options_.max_response_bytes) {
    const int64_t per_row = std::max<int64_t>(1, bytes / rows);
    return absl::ResourceExhaustedError(absl::StrCat(
        "the response to ", rows, " rows at ",
        v1::Explain_Name(request.explain() == v1::EXPLAIN_UNSPECIFIED
                             ? v1::EXPLAIN_SUMMARY
                             : request.explain()),
        compact ? " (compact layout)" : " (full layout)", " would be about ",
        bytes >> 20, " MB (about ", per_row,
        " bytes a customer with this scorecard), over the ",
        options_.max_response_bytes >> 20,
        " MB a response may be (--max-message-bytes): send at most ",
        options_.max_response_bytes / per_row, " rows a batch",
        compact ? "" : ", or ask for layout LAYOUT_COMPACT"));
  }
  const std::vector<std::string> names(request.signal_names().begin(),
                                       request.signal_names().end());
  google::protobuf::Timestamp as_of;
  if (record) {
    ASSIGN_OR_RETURN(
        absl::Time t,
        recorder_->RecordTime(request.has_as_of() ? &request.as_of() : nullptr,
                              "as_of", absl::Now()));
    as_of = history::FromMicros(absl::ToUnixMicros(t));
  } else if (request.has_as_of()) {
    as_of = request.as_of();
  }
  ASSIGN_OR_RETURN(BatchBuilder builder,
                   BatchBuilder::Create(snapshot, request.signal_names(),
                                        static_cast<size_t>(rows)));

  // Each row's checks, in this order: its customer id (here: repeats are a
  // property of the whole batch), then its attributes and values (on the
  // worker pool: rows are independent, and each fills its own slot).
  std::vector<absl::Status> checks(rows);
  {
    absl::flat_hash_map<absl::string_view, int> first_row;
    first_row.reserve(rows);
    for (int i = 0; i < rows; ++i) {
      const std::string& id = request.rows(i).customer_id();
      checks[i] =
          CheckCustomerId(id, absl::StrCat("rows[", i, "].customer_id"));
      if (!checks[i].ok()) continue;
      if (auto [it, added] = first_row.try_emplace(id, i); !added) {
        checks[i] = absl::InvalidArgumentError(
            absl::StrCat("rows[", i, "].customer_id ", Echo(id),
                         " repeats rows[", it->second, "]"));
      }
    }
  }
  constexpr int kRowsPerCheck = 256;
  WorkerPool::Default().ParallelFor(
      (rows + kRowsPerCheck - 1) / kRowsPerCheck, [&](size_t part) {
        const int end = std::min<int>(rows, (part + 1) * kRowsPerCheck);
        for (int i = static_cast<int>(part) * kRowsPerCheck; i < end; ++i) {
          if (!checks[i].ok()) continue;
          const v1::Row& row = request.rows(i);
          checks[i] = history::ReadAccountAttributes(
                          row.attributes(), row.customer_id(),
                          absl::StrCat("rows[", i, "].attributes"))
                          .status();
          if (!checks[i].ok()) continue;
          checks[i] = builder.SetRow(
              i,
              std::span<const double>(row.values().data(), row.values_size()));
        }
      });

  // Rows that pass every check are scored together; the others get their
  // error and keep their place in the response.
  std::vector<v1::CustomerScore*> scores;
  scores.reserve(rows);
  std::vector<uint32_t> scored;  // request row of each entry of `scores`
  scored.reserve(rows);
  response.mutable_results()->Reserve(rows);
  for (int i = 0; i < rows; ++i) {
    const v1::Row& row = request.rows(i);
    v1::CustomerResult* result = response.add_results();
    result->set_customer_id(row.customer_id());
    if (!checks[i].ok()) {
      result->mutable_error()->set_code(static_cast<int>(checks[i].code()));
      result->mutable_error()->set_message(std::string(checks[i].message()));
      continue;
    }
    scored.push_back(static_cast<uint32_t>(i));
    // Segment and as-of first: the engine routes and warns on them.
    v1::CustomerScore* score = result->mutable_score();
    score->set_customer_id(row.customer_id());
    score->set_segment(row.segment());
    if (record || request.has_as_of()) *score->mutable_as_of() = as_of;
    scores.push_back(score);
  }
  for (const std::string& name : builder.unused_signals()) {
    response.add_unused_signals(name);
  }
  *response.mutable_provenance() = snapshot.provenance();
  if (scores.empty()) return absl::OkStatus();

  const BatchColumns batch = std::move(builder).Finish(scored);
  // A compact reply has no actions, and driver sentences only on request.
  const ScoreOptions options{
      .driver_sentences = !compact || request.sentences(),
      .actions = !compact,
      .provenance = !compact || record,
      .stop = Stop(deadline)};
  std::vector<absl::Status> statuses = healthscore::ScoreColumns(
      snapshot, batch, request.explain(), scores, absl::Now(), options);
  // A stopped call fails whole: its rows' scores are incomplete.
  for (const absl::Status& status : statuses) {
    if (absl::IsDeadlineExceeded(status) || absl::IsUnavailable(status)) {
      return status;
    }
  }
  Count(options_.metrics, scores, statuses);
  // The rows that scored, and what each was scored from (for the record).
  std::vector<v1::CustomerScore*> recorded;
  std::vector<history::RowInputs> inputs;
  for (size_t k = 0; k < scored.size(); ++k) {
    v1::CustomerResult* result = response.mutable_results(scored[k]);
    if (!statuses[k].ok()) {
      v1::Error* error = result->mutable_error();  // replaces the score
      error->set_code(static_cast<int>(statuses[k].code()));
      error->set_message(std::string(statuses[k].message()));
      continue;
    }
    if (record) {
      const v1::Row& row = request.rows(scored[k]);
      recorded.push_back(scores[k]);
      inputs.push_back(
          {names,
           std::span<const double>(row.values().data(), row.values_size()),
           &row.attributes()});
    }
  }
  if (record) {
    // Durable before acknowledged: the reply goes out after the commit, and
    // a batch that cannot be recorded fails whole (nothing of it is stored).
    RETURN_IF_ERROR(recorder_->Record(snapshot, recorded, inputs));
  }
  return absl::OkStatus();
}

void ScoringService::DoListDimensions(
    v1::ListDimensionsResponse& response) const {
  for (const PluginRecord& record : registry_->List()) {
    v1::DimensionInfo* info = response.add_dimensions();
    info->set_path(record.path.string());
    if (record.state == PluginRecord::State::kFailed) {
      info->set_name(record.path.stem().string());
      info->set_state(v1::PLUGIN_STATE_FAILED);
      info->set_state_reason(record.reason);
      continue;
    }
    const Plugin& p = *record.plugin;
    info->set_name(p.name());
    info->set_version(p.version());
    info->set_description(p.description());
    info->set_state(v1::PLUGIN_STATE_READY);
    info->set_abi_version(AbiVersionString(p.abi_version()));
    for (const SignalInfo& s : p.signals()) {
      v1::SignalSpec* spec = info->add_signals();
      spec->set_name(s.name);
      spec->set_unit(s.unit);
      spec->set_higher_is_better(s.higher_is_better);
      spec->set_required(s.required);
      spec->set_description(s.description);
      if (!std::isnan(s.min)) spec->set_min(s.min);
      if (!std::isnan(s.max)) spec->set_max(s.max);
    }
    for (const ParamInfo& param : p.params()) {
      v1::ParameterSpec* spec = info->add_parameters();
      spec->set_name(param.name);
      spec->set_text(param.is_text);
      spec->set_default_text(param.default_text);
      spec->set_default_value(param.default_value);
      spec->set_description(param.description);
      if (!std::isnan(param.min)) spec->set_min(param.min);
      if (!std::isnan(param.max)) spec->set_max(param.max);
    }
  }
}

absl::Status ScoringService::DoGetScorecard(
    v1::GetScorecardResponse& response) const {
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snapshot, CurrentSnapshot());
  *response.mutable_scorecard() = snapshot->scorecard_proto();
  return absl::OkStatus();
}

int64_t ScoringService::EstimateResponseBytes(const Snapshot& snapshot,
                                              int64_t rows, v1::Explain explain,
                                              bool compact, bool sentences) {
  // Bytes a customer, measured by score_bench with the default scorecard's
  // 13 dimensions (full: 2,075 / 4,276 / 11,926 at NONE / SUMMARY / FULL;
  // compact: 267 / 646, 1,117 with sentences), split into a part per
  // customer, a part per dimension and the drivers; then 20% of margin.
  if (explain == v1::EXPLAIN_UNSPECIFIED) explain = v1::EXPLAIN_SUMMARY;
  size_t dims = 0;
  for (const Variant& v : snapshot.variants()) {
    dims = std::max(dims, v.dimensions.size());
  }
  const int64_t d = static_cast<int64_t>(dims);
  int64_t per_customer = 0;
  if (compact) {
    per_customer = 60 + 16 * d;
    if (explain != v1::EXPLAIN_NONE) per_customer += sentences ? 850 : 380;
  } else {
    per_customer = 300 + (explain == v1::EXPLAIN_FULL ? 700 : 150) * d;
    if (explain != v1::EXPLAIN_NONE) per_customer += 2200;
    if (explain == v1::EXPLAIN_FULL) per_customer += 600;
  }
  return rows * per_customer * 6 / 5;
}

namespace {

// The call's deadline, if the client set one.
absl::Time DeadlineOf(const grpc::CallbackServerContext* context) {
  const auto deadline = context->deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// Runs `handler` (returning the call's status) on the scoring queue, or
// refuses the call at once when the queue will not take it.
template <typename Handler>
grpc::ServerUnaryReactor* Queue(ScoringQueue* queue,
                                grpc::CallbackServerContext* context,
                                int64_t rows, int64_t bytes, Handler handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (queue == nullptr) {
    reactor->Finish(ToGrpcStatus(handler()));
    return reactor;
  }
  absl::Status admitted =
      queue->Submit(rows, bytes, [reactor, handler](absl::Status status) {
        if (status.ok()) status = handler();
        reactor->Finish(ToGrpcStatus(status));
      });
  if (!admitted.ok()) reactor->Finish(ToGrpcStatus(admitted));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* ScoringService::Score(
    grpc::CallbackServerContext* context, const v1::ScoreRequest* request,
    v1::ScoreResponse* response) {
  const absl::Time deadline = DeadlineOf(context);
  return Queue(options_.queue, context, 1, 0,
               [=, this] { return DoScore(*request, *response, deadline); });
}

grpc::ServerUnaryReactor* ScoringService::ScoreBatch(
    grpc::CallbackServerContext* context, const v1::ScoreBatchRequest* request,
    v1::ScoreBatchResponse* response) {
  const absl::Time deadline = DeadlineOf(context);
  // Admission weighs the response it would build (the up-front refusal of
  // one that cannot be sent is in the handler, with the message).
  int64_t bytes = 0;
  if (std::shared_ptr<const Snapshot> snapshot = snapshots_->Current()) {
    bytes = EstimateResponseBytes(
        *snapshot, request->rows_size(), request->explain(),
        request->layout() == v1::LAYOUT_COMPACT, request->sentences());
  }
  return Queue(options_.queue, context, request->rows_size(),
               std::min(bytes, options_.max_response_bytes), [=, this] {
                 return DoScoreBatch(*request, *response, deadline);
               });
}

grpc::ServerUnaryReactor* ScoringService::ListDimensions(
    grpc::CallbackServerContext* context, const v1::ListDimensionsRequest*,
    v1::ListDimensionsResponse* response) {
  DoListDimensions(*response);
  return Finish(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* ScoringService::GetScorecard(
    grpc::CallbackServerContext* context, const v1::GetScorecardRequest*,
    v1::GetScorecardResponse* response) {
  return Finish(context, DoGetScorecard(*response));
}

}  // namespace healthscore
