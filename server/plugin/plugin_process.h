// Scoring in a child process: a pool of healthscore-plugin-host processes for
// one isolated plugin instance, and the shared-memory protocol they speak (the
// child's side is tools/plugin_host/main.cc). See docs/isolation.md.
#ifndef HEALTHSCORE_SERVER_PLUGIN_PLUGIN_PROCESS_H_
#define HEALTHSCORE_SERVER_PLUGIN_PLUGIN_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "healthscore/sdk/abi.h"
#include "server/plugin/instance.h"

namespace healthscore {

// The wire between the server and a plugin host: one memfd region, mapped
// by both, and a SOCK_SEQPACKET socketpair carrying one-byte messages that
// say whose turn it is. Only the server writes the request part of the
// region; the child's answer is read into the server's own memory and checked
// there, so a child that scribbles on the region (or keeps writing after it
// said done) can make its own batch fail, never read outside the region.
namespace plugin_host {

// The child finds the region and the socket at these descriptors.
inline constexpr int kRegionFd = 3;
inline constexpr int kSocketFd = 4;
inline constexpr uint64_t kMagic = 0x68736873686f7374;  // "hshshost"

// Messages, one byte each. Server -> child: kBatch, kGrown. Child -> server:
// the others.
enum Message : char {
  kReady = 'R',        // the instance is created; waiting for batches
  kStartFailed = 'E',  // could not load or create; error text in the region
  kBatch = 'B',        // a batch is in the region
  kDone = 'D',         // the answer is in the region
  kNeedSpace = 'S',    // the answer needs Header::needed bytes of region
  kGrown = 'G',        // the region is now Header::region_size bytes
  kFatal = 'X',        // the plugin threw across the ABI; error text in the
                       // region; the child exits
};

// A status the plugin reported, its message in the text area.
struct StatusRecord {
  uint32_t row;
  uint32_t status;  // hs_status
  uint32_t message_offset;
  uint32_t message_size;
};

struct Header {
  uint64_t magic;
  uint64_t region_size;  // server: bytes mapped (the child remaps on change)
  // The batch (server).
  uint32_t num_rows;
  uint32_t num_columns;
  uint32_t explain;
  uint32_t reserved;
  // The answer (child).
  int32_t result;  // hs_result
  uint32_t num_reasons;
  uint32_t num_actions;
  uint32_t num_statuses;
  uint64_t text_size;  // bytes of message text after the statuses
  uint32_t has_error;  // a batch error (or start error) in the text area
  uint32_t error_offset;
  uint32_t error_size;
  uint32_t reserved2;
  uint64_t needed;  // kNeedSpace: the region size the answer needs
};

// After the header, 64-byte aligned: the batch's columns (num_columns x
// num_rows doubles, column after column), then the answer: scores[num_rows],
// reasons, actions, statuses, text. A start error's text sits at the answer
// of an empty batch.
inline constexpr uint64_t ColumnsOffset() {
  return (sizeof(Header) + 63) / 64 * 64;
}
inline constexpr uint64_t AnswerOffset(uint64_t rows, uint64_t columns) {
  return ColumnsOffset() + rows * columns * sizeof(double);
}
// Bytes of an answer. Counts are 32-bit and text is bounded by the region, so
// this cannot overflow 64 bits.
inline constexpr uint64_t AnswerSize(uint64_t rows, uint64_t reasons,
                                     uint64_t actions, uint64_t statuses,
                                     uint64_t text) {
  return rows * sizeof(double) + reasons * sizeof(hs_reason_record) +
         actions * sizeof(hs_action_record) + statuses * sizeof(StatusRecord) +
         text;
}

// The most region one instance's child may ask for.
inline constexpr uint64_t kMaxRegionBytes = uint64_t{1} << 30;

// Sanitizers reserve terabytes of address space for their shadow memory, so
// a sanitized child runs without its memory limit (Options::memory_limit_mb).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kMemoryLimitApplies = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
inline constexpr bool kMemoryLimitApplies = false;
#else
inline constexpr bool kMemoryLimitApplies = true;
#endif
#else
inline constexpr bool kMemoryLimitApplies = true;
#endif

}  // namespace plugin_host

// The time budget of an isolated call when the scorecard sets none: a hang
// must end somewhere, and no honest batch takes this long.
inline constexpr int64_t kDefaultProcessTimeBudgetMs = 30000;

// A pool of child processes scoring for one plugin instance. Children are
// started lazily, one per concurrent caller, up to `max_processes`; a caller
// finding all of them busy waits for one. A child that dies, throws across
// the ABI or runs over its time budget (then SIGKILLed) fails the batch it
// held with the reason, is logged and counted, and is replaced by the next
// call, after a backoff of 100 ms doubling per consecutive failure up to 5 s
// (during which calls that find no live child fail at once, saying so).
//
// Thread-safe: Score may be called from any number of threads at once.
class PluginProcess {
 public:
  struct Options {
    std::filesystem::path plugin_path;
    std::string plugin_id;  // name@version: the child checks it loaded this
    std::string dimension;  // for logs
    std::vector<ParamValue> params;
    uint32_t num_columns = 0;  // the instance's signals: the child checks
    int64_t time_budget_ms = kDefaultProcessTimeBudgetMs;
    // 0: $HEALTHSCORE_PLUGIN_PROCESSES, else the hardware threads (the
    // worker pool's callers).
    size_t max_processes = 0;
    // The child's address-space limit (RLIMIT_AS), so that a leaking plugin
    // dies and is restarted instead of taking the machine's memory. 0: none.
    uint64_t memory_limit_mb = 4096;
  };

  // Counts since creation (per pool) or since the process started (Total).
  struct Stats {
    uint64_t spawns = 0;         // children started (the first one included)
    uint64_t deaths = 0;         // children that died or were killed
    uint64_t budget_kills = 0;   // of which: over the time budget
    uint64_t failed_starts = 0;  // children that could not start
    uint64_t batches = 0;        // batches answered
  };

  // Checks that the plugin host program exists (HostPath()); no child is
  // started until the first Score.
  static absl::StatusOr<std::unique_ptr<PluginProcess>> Create(Options options);
  // Kills the children (SIGKILL: they hold nothing worth saving).
  ~PluginProcess();
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  // score_batch, in a child: sends `batch`, waits up to the time budget, and
  // replays the answer as score_batch would have written it: the scores into
  // out.scores, the records into `records` (out's reason and action pointers,
  // counts and capacities set to them), the statuses and the batch error
  // through `host` with `host_ctx`. A failure of the child itself is reported
  // the same way, as a batch error ("plugin process died: SIGSEGV; ...").
  hs_result Score(const hs_batch& batch, hs_output& out, Records& records,
                  const hs_host_api& host, void* host_ctx);

  Stats stats() const;
  static Stats TotalStats();

  // The plugin host program: $HEALTHSCORE_PLUGIN_HOST, or else
  // healthscore-plugin-host next to the running executable.
  static std::filesystem::path HostPath();

  int64_t time_budget_ms() const { return options_.time_budget_ms; }

 private:
  struct Child;
  // Why a child is gone, and whether it ran over its budget.
  struct Death {
    std::string what;  // "SIGSEGV", "exited with status 3", ...
    bool over_budget = false;
  };

  explicit PluginProcess(Options options);

  // An idle or new child, or nullptr with `why` (restarting, cannot start).
  std::unique_ptr<Child> Acquire(std::string& why);
  void Release(std::unique_ptr<Child> child);
  // Counts and logs a dead child; returns the batch error.
  std::string Bury(std::unique_ptr<Child> child, const Death& death);
  absl::StatusOr<std::unique_ptr<Child>> Spawn();

  const Options options_;
  const std::filesystem::path host_path_;
  size_t max_processes_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Child>> idle_ ABSL_GUARDED_BY(mu_);
  size_t live_ ABSL_GUARDED_BY(mu_) = 0;  // idle, busy or starting
  int consecutive_failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time next_spawn_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string last_death_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_PLUGIN_PLUGIN_PROCESS_H_
