// The healthscore.v1.HealthScoring service (gRPC callback API).
#ifndef HEALTHSCORE_SERVER_SERVICE_SCORING_SERVICE_H_
#define HEALTHSCORE_SERVER_SERVICE_SCORING_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "healthscore/v1/health_scoring.grpc.pb.h"
#include "server/engine/engine.h"
#include "server/engine/snapshot_holder.h"
#include "server/history/overrides.h"
#include "server/history/recorder.h"
#include "server/observe/metrics.h"
#include "server/registry/registry.h"
#include "server/service/arena_allocator.h"
#include "server/service/scoring_queue.h"

namespace healthscore {

// Thread-safe. Every RPC takes the current snapshot once, at its start.
class ScoringService final : public v1::HealthScoring::CallbackService {
 public:
  struct Options {
    // The most rows one ScoreBatch may carry (--max-batch).
    int max_batch = 4000;
    // The largest response the server may send (--max-message-bytes): a
    // batch whose estimated response would not fit is refused before any
    // work.
    int64_t max_response_bytes = int64_t{64} << 20;
    // Where Score and ScoreBatch run, admitted or refused (null: on the
    // calling thread, as tests and benchmarks call the Do* handlers).
    ScoringQueue* queue = nullptr;
    // Set when the server's drain is over: calls still scoring stop with
    // UNAVAILABLE.
    const std::atomic<bool>* stopping = nullptr;
    // Counts customers scored and dimension results that were not OK
    // (null: not counted).
    Metrics* metrics = nullptr;
  };

  // `snapshots`, `registry`, `recorder` and `overrides` must outlive the
  // service. With `overrides` (null: no store), Score and ScoreBatch replies
  // show each customer's active override; what is recorded stays the
  // computed score.
  ScoringService(const SnapshotHolder* snapshots, const Registry* registry,
                 history::Recorder* recorder, Options options,
                 const history::OverrideCache* overrides = nullptr)
      : snapshots_(snapshots),
        registry_(registry),
        recorder_(recorder),
        overrides_(overrides),
        options_(options) {
    SetMessageAllocatorFor_Score(&score_allocator_);
    SetMessageAllocatorFor_ScoreBatch(&batch_allocator_);
  }

  grpc::ServerUnaryReactor* Score(grpc::CallbackServerContext* context,
                                  const v1::ScoreRequest* request,
                                  v1::ScoreResponse* response) override;
  grpc::ServerUnaryReactor* ScoreBatch(
      grpc::CallbackServerContext* context,
      const v1::ScoreBatchRequest* request,
      v1::ScoreBatchResponse* response) override;
  grpc::ServerUnaryReactor* ListDimensions(
      grpc::CallbackServerContext* context,
      const v1::ListDimensionsRequest* request,
      v1::ListDimensionsResponse* response) override;
  grpc::ServerUnaryReactor* GetScorecard(
      grpc::CallbackServerContext* context,
      const v1::GetScorecardRequest* request,
      v1::GetScorecardResponse* response) override;

  // The handlers, without gRPC: what the reactors finish with. Work stops
  // early, with DEADLINE_EXCEEDED, past `deadline`.
  absl::Status DoScore(const v1::ScoreRequest& request,
                       v1::ScoreResponse& response,
                       absl::Time deadline = absl::InfiniteFuture()) const;
  absl::Status DoScoreBatch(const v1::ScoreBatchRequest& request,
                            v1::ScoreBatchResponse& response,
                            absl::Time deadline = absl::InfiniteFuture()) const;

  // About how many bytes the response to `rows` customers under `snapshot`
  // takes (from sizes measured with the default scorecard, per dimension,
  // with a margin): enough to refuse up front a batch that cannot be sent.
  static int64_t EstimateResponseBytes(const Snapshot& snapshot, int64_t rows,
                                       v1::Explain explain, bool compact,
                                       bool sentences);
  void DoListDimensions(v1::ListDimensionsResponse& response) const;
  absl::Status DoGetScorecard(v1::GetScorecardResponse& response) const;

  // DoScoreBatch under a given snapshot rather than the live one, never
  // recording: DryRun scores a draft scorecard with it, before anything is
  // activated. A request with `record` set is refused.
  absl::Status ScoreBatchUnder(const Snapshot& snapshot,
                               const v1::ScoreBatchRequest& request,
                               v1::ScoreBatchResponse& response) const;

 private:
  absl::Status ScoreBatchImpl(const Snapshot& snapshot,
                              const v1::ScoreBatchRequest& request, bool record,
                              v1::ScoreBatchResponse& response,
                              absl::Time deadline) const;
  StopCheck Stop(absl::Time deadline) const {
    return StopCheck{deadline, options_.stopping};
  }

  absl::StatusOr<std::shared_ptr<const Snapshot>> CurrentSnapshot() const;

  const SnapshotHolder* snapshots_;
  const Registry* registry_;
  history::Recorder* recorder_;
  const history::OverrideCache* overrides_;
  const Options options_;
  ArenaMessageAllocator<v1::ScoreRequest, v1::ScoreResponse> score_allocator_;
  ArenaMessageAllocator<v1::ScoreBatchRequest, v1::ScoreBatchResponse>
      batch_allocator_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_SERVICE_SCORING_SERVICE_H_
