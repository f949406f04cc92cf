// The healthscore.v1.Validation handlers.
#include "server/service/validation_service.h"

#include <cmath>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/config/scorecard.h"
#include "server/history/args.h"
#include "server/service/grpc_status.h"
#include "server/validation/backtest.h"
#include "server/validation/weights.h"
#include "server/validation/whatif.h"

namespace healthscore {
namespace {

// Outcomes per RecordOutcomes call.
constexpr int kMaxOutcomes = 100000;
// A draft scorecard's size, as a reload's.
constexpr size_t kMaxDraftBytes = 1 << 20;

absl::Status NoStore() {
  return absl::FailedPreconditionError(
      "this server keeps no history (started with --store=none): outcomes "
      "and backtests need a --store");
}

absl::StatusOr<std::shared_ptr<const Snapshot>> Live(
    const SnapshotHolder* snapshots) {
  std::shared_ptr<const Snapshot> live = snapshots->Current();
  if (live == nullptr) return absl::UnavailableError("no scorecard is live yet");
  return live;
}

absl::Status DoRecordOutcomes(store::Store* store,
                              const v1::RecordOutcomesRequest& request,
                              v1::RecordOutcomesResponse& response) {
  if (store == nullptr) return NoStore();
  if (request.outcomes_size() == 0) {
    return absl::InvalidArgumentError("outcomes is empty");
  }
  if (request.outcomes_size() > kMaxOutcomes) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcomes has ", request.outcomes_size(),
                     " entries; the limit is ", kMaxOutcomes, " per call"));
  }
  std::vector<store::OutcomeRow> rows;
  rows.reserve(request.outcomes_size());
  for (int i = 0; i < request.outcomes_size(); ++i) {
    const v1::Outcome& o = request.outcomes(i);
    const std::string field = absl::StrCat("outcomes[", i, "]");
    if (absl::Status s = history::CheckCustomerId(o.customer_id()); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".", s.message()));
    }
    if (!o.has_date()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".date is unset: the day it happened"));
    }
    ASSIGN_OR_RETURN(const int64_t date,
                     history::TimeArg(o.date(), field + ".date"));
    if (o.kind() == v1::OUTCOME_KIND_UNSPECIFIED ||
        !v1::OutcomeKind_IsValid(o.kind())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".kind = ", o.kind(),
          " is not one of CHURNED, RENEWED, EXPANDED, CONTRACTED"));
    }
    if (!std::isfinite(o.value()) || o.value() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".value = ", o.value(), " is not a finite number >= 0"));
    }
    rows.push_back({o.customer_id(), date, static_cast<int>(o.kind()),
                    o.value()});
  }
  RETURN_IF_ERROR(store->PutOutcomes(rows));
  response.set_recorded(static_cast<int64_t>(rows.size()));
  return absl::OkStatus();
}

absl::Status DoBacktest(store::Store* store, const SnapshotHolder* snapshots,
                        const Registry* registry,
                        const v1::BacktestRequest& request,
                        v1::BacktestResponse& response) {
  if (store == nullptr) return NoStore();
  validation::BacktestOptions options;
  options.horizon_days = request.horizon_days();
  options.segment = request.segment();
  if (request.has_from()) {
    ASSIGN_OR_RETURN(options.from_us, history::TimeArg(request.from(), "from"));
  }
  if (request.has_to()) {
    ASSIGN_OR_RETURN(options.to_us, history::TimeArg(request.to(), "to"));
  }
  if (request.has_from() && request.has_to()) {
    RETURN_IF_ERROR(history::CheckRange(options.from_us, options.to_us));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> active, Live(snapshots));
  // The draft first: one that does not bind is refused before the work.
  std::shared_ptr<const Snapshot> draft;
  if (!request.draft_yaml().empty()) {
    if (request.draft_yaml().size() > kMaxDraftBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("draft_yaml is ", request.draft_yaml().size(),
                       " bytes; the limit is ", kMaxDraftBytes));
    }
    ASSIGN_OR_RETURN(ScorecardSpec spec,
                     ParseScorecard(request.draft_yaml(), "draft",
                                    SecretReading::kSkip));
    ASSIGN_OR_RETURN(draft, Snapshot::Build(std::move(spec), *registry));
  }
  ASSIGN_OR_RETURN(validation::Dataset dataset,
                   validation::Dataset::Load(*store, options));
  ASSIGN_OR_RETURN(validation::Scores scores,
                   validation::ScoreDataset(*active, dataset));
  ASSIGN_OR_RETURN(*response.mutable_active(),
                   validation::Evaluate(*active, dataset, scores, {}, true));
  if (draft != nullptr) {
    ASSIGN_OR_RETURN(validation::Scores draft_scores,
                     validation::ScoreDataset(*draft, dataset));
    ASSIGN_OR_RETURN(
        *response.mutable_draft(),
        validation::Evaluate(*draft, dataset, draft_scores, {}, true));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status ValidationService::RecordOutcomes(
    grpc::ServerContext*, const v1::RecordOutcomesRequest* request,
    v1::RecordOutcomesResponse* response) {
  return ToGrpcStatus(DoRecordOutcomes(store_, *request, *response));
}

grpc::Status ValidationService::Backtest(grpc::ServerContext*,
                                         const v1::BacktestRequest* request,
                                         v1::BacktestResponse* response) {
  return ToGrpcStatus(
      DoBacktest(store_, snapshots_, registry_, *request, *response));
}

grpc::Status ValidationService::SuggestWeights(
    grpc::ServerContext*, const v1::SuggestWeightsRequest* request,
    v1::SuggestWeightsResponse* response) {
  if (store_ == nullptr) return ToGrpcStatus(NoStore());
  absl::StatusOr<std::shared_ptr<const Snapshot>> active = Live(snapshots_);
  if (!active.ok()) return ToGrpcStatus(active.status());
  return ToGrpcStatus(validation::SuggestWeights(*store_, **active, *registry_,
                                                 *request, *response));
}

grpc::Status ValidationService::Simulate(grpc::ServerContext*,
                                         const v1::SimulateRequest* request,
                                         v1::SimulateResponse* response) {
  absl::StatusOr<std::shared_ptr<const Snapshot>> active = Live(snapshots_);
  if (!active.ok()) return ToGrpcStatus(active.status());
  return ToGrpcStatus(
      validation::Simulate(store_, **active, *request, *response));
}

grpc::Status ValidationService::PathToGreen(
    grpc::ServerContext*, const v1::PathToGreenRequest* request,
    v1::PathToGreenResponse* response) {
  absl::StatusOr<std::shared_ptr<const Snapshot>> active = Live(snapshots_);
  if (!active.ok()) return ToGrpcStatus(active.status());
  return ToGrpcStatus(
      validation::PathToGreen(store_, **active, *request, *response));
}

}  // namespace healthscore
