// The server's side of process isolation: starting plugin hosts, handing them
// batches through shared memory, and turning whatever happens to them into
// answers or batch errors.
#include "server/plugin/plugin_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "spdlog/spdlog.h"

extern char** environ;

namespace healthscore {
namespace {

namespace ph = plugin_host;

constexpr absl::Duration kStartTimeout = absl::Seconds(10);
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);
constexpr uint64_t kInitialRegion = uint64_t{1} << 20;

// Process-wide counters (PluginProcess::TotalStats).
std::atomic<uint64_t> total_spawns{0};
std::atomic<uint64_t> total_deaths{0};
std::atomic<uint64_t> total_budget_kills{0};
std::atomic<uint64_t> total_failed_starts{0};
std::atomic<uint64_t> total_batches{0};

std::string ErrnoText(absl::string_view what) {
  return absl::StrCat(what, ": ", std::strerror(errno));
}

// Children are spawned from one thread that lives as long as the process:
// the child's PR_SET_PDEATHSIG fires when the *thread* that forked it exits,
// and scoring threads (gRPC's among them) come and go.
class Spawner {
 public:
  static Spawner& Get() {
    static Spawner* spawner = new Spawner;  // never destroyed, as its thread
    return *spawner;
  }

  template <typename F>
  auto Run(F fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.emplace_back([&task] { task(); });
    }
    wake_.notify_one();
    return result.get();
  }

 private:
  Spawner() {
    std::thread([this] {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock<std::mutex> lock(mu_);
          wake_.wait(lock, [this] { return !tasks_.empty(); });
          task = std::move(tasks_.front());
          tasks_.pop_front();
        }
        task();
      }
    }).detach();
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
};

// "SIGSEGV", or "signal 77" for one without a name.
std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? absl::StrCat("SIG", abbrev)
                           : absl::StrCat("signal ", sig);
}

std::string DescribeWait(int status) {
  if (WIFSIGNALED(status)) return SignalName(WTERMSIG(status));
  if (WIFEXITED(status)) {
    return absl::StrCat("exited with status ", WEXITSTATUS(status));
  }
  return absl::StrCat("wait status ", status);
}

// Milliseconds left until `deadline`, for poll(): at least 0, at most INT_MAX.
int PollTimeout(absl::Time deadline) {
  const int64_t ms = absl::ToInt64Milliseconds(
      absl::Ceil(deadline - absl::Now(), absl::Milliseconds(1)));
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 1 << 30));
}

}  // namespace

// One child: its process, its socket and its region.
struct PluginProcess::Child {
  pid_t pid = -1;
  int sock = -1;
  int memfd = -1;
  char* region = nullptr;
  uint64_t size = 0;

  ~Child() {
    if (sock >= 0) close(sock);
    if (pid > 0) {
      kill(pid, SIGKILL);
      int status = 0;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (region != nullptr) munmap(region, size);
    if (memfd >= 0) close(memfd);
  }

  ph::Header& header() { return *reinterpret_cast<ph::Header*>(region); }

  absl::Status Grow(uint64_t bytes) {
    if (bytes <= size) return absl::OkStatus();
    bytes = std::max(bytes, 2 * size);
    bytes = (bytes + 4095) / 4096 * 4096;
    if (ftruncate(memfd, static_cast<off_t>(bytes)) != 0) {
      return absl::ResourceExhaustedError(ErrnoText("ftruncate"));
    }
    void* grown =
        mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (grown == MAP_FAILED) {
      return absl::ResourceExhaustedError(ErrnoText("mmap"));
    }
    if (region != nullptr) munmap(region, size);
    region = static_cast<char*>(grown);
    size = bytes;
    header().magic = ph::kMagic;
    header().region_size = size;
    return absl::OkStatus();
  }

  bool Send(ph::Message m) {
    const char c = m;
    ssize_t n;
    do {
      n = send(sock, &c, 1, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == 1;
  }

  // The next message, or 0 at the deadline, or -1 when the child is gone.
  int Receive(absl::Time deadline) {
    for (;;) {
      pollfd p{sock, POLLIN, 0};
      const int ready = poll(&p, 1, PollTimeout(deadline));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) return 0;
      if (ready < 0) return -1;
      char c = 0;
      ssize_t n;
      do {
        n = recv(sock, &c, 1, 0);
      } while (n < 0 && errno == EINTR);
      return n == 1 ? static_cast<unsigned char>(c) : -1;
    }
  }

  // Reaps a child that closed its end: waits for it to exit until
  // `deadline` (it normally already has), then kills it.
  std::string Reap(absl::Time deadline) {
    int status = 0;
    for (;;) {
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) break;
      if (r < 0 && errno != EINTR) return ErrnoText("waitpid");
      if (absl::Now() >= deadline) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    pid = -1;
    return DescribeWait(status);
  }

  // SIGKILL, then reap.
  void Kill() {
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
  }

  // The text the child left at [offset, offset + size) of the text area
  // starting at `text` of `text_size` bytes, or "" when out of it.
  static std::string Text(const char* text, uint64_t text_size, uint64_t offset,
                          uint64_t size) {
    if (offset > text_size || size > text_size - offset) return "";
    return std::string(text + offset, size);
  }
};

absl::StatusOr<std::unique_ptr<PluginProcess>> PluginProcess::Create(
    Options options) {
  std::unique_ptr<PluginProcess> self(new PluginProcess(std::move(options)));
  if (access(self->host_path_.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "isolation: process needs the plugin host ", self->host_path_.string(),
        ", which is not an executable file (", std::strerror(errno),
        "); set HEALTHSCORE_PLUGIN_HOST to its path"));
  }
  return self;
}

// Options::max_processes when set, else $HEALTHSCORE_PLUGIN_PROCESSES (an
// operator's cap on a many-core machine, and the benchmark's knob), else the
// hardware threads: one child per scoring thread, so isolation does not
// serialize a batch's shares.
size_t MaxProcesses(size_t option) {
  if (option > 0) return option;
  if (const char* env = std::getenv("HEALTHSCORE_PLUGIN_PROCESSES")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n > 0) return static_cast<size_t>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

PluginProcess::PluginProcess(Options options)
    : options_(std::move(options)),
      host_path_(HostPath()),
      max_processes_(MaxProcesses(options_.max_processes)) {}

PluginProcess::~PluginProcess() = default;  // each Child kills its process

std::filesystem::path PluginProcess::HostPath() {
  if (const char* env = std::getenv("HEALTHSCORE_PLUGIN_HOST");
      env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code error;
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", error);
  return (error ? std::filesystem::path(".") : self.parent_path()) /
         "healthscore-plugin-host";
}

PluginProcess::Stats PluginProcess::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

PluginProcess::Stats PluginProcess::TotalStats() {
  return {total_spawns.load(), total_deaths.load(), total_budget_kills.load(),
          total_failed_starts.load(), total_batches.load()};
}

absl::StatusOr<std::unique_ptr<PluginProcess::Child>> PluginProcess::Spawn() {
  auto child = std::make_unique<Child>();
  const std::string name = absl::StrCat("healthscore-", options_.plugin_id);
  child->memfd = memfd_create(name.c_str(), MFD_CLOEXEC);
  if (child->memfd < 0) return absl::InternalError(ErrnoText("memfd_create"));
  if (absl::Status s = child->Grow(kInitialRegion); !s.ok()) return s;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::InternalError(ErrnoText("socketpair"));
  }
  child->sock = sv[0];
  // Descriptors above the two the child expects, so that the dup2s below
  // cannot overwrite one another.
  const int region_fd = fcntl(child->memfd, F_DUPFD_CLOEXEC, 10);
  const int socket_fd = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
  close(sv[1]);

  std::vector<std::string> args = {
      host_path_.string(),
      absl::StrCat("--plugin=", options_.plugin_path.string()),
      absl::StrCat("--id=", options_.plugin_id),
      absl::StrCat("--dimension=", options_.dimension),
      absl::StrCat("--columns=", options_.num_columns),
      absl::StrCat("--parent=", getpid()),
      absl::StrCat("--memory-limit-mb=", options_.memory_limit_mb)};
  for (const ParamValue& p : options_.params) {
    // %.17g reads back as the same double.
    args.push_back(p.text.has_value()
                       ? absl::StrCat("--text-param=", p.name, "=", *p.text)
                       : absl::StrFormat("--param=%s=%.17g", p.name, p.value));
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int spawn_error = 0;
  pid_t pid = -1;
  if (region_fd < 0 || socket_fd < 0) {
    spawn_error = errno;
  } else {
    spawn_error = Spawner::Get().Run([&]() -> int {
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_adddup2(&actions, region_fd, ph::kRegionFd);
      posix_spawn_file_actions_adddup2(&actions, socket_fd, ph::kSocketFd);
      // Nothing else of the server's (listeners, database connections)
      // reaches code the server does not trust.
      posix_spawn_file_actions_addclosefrom_np(&actions, ph::kSocketFd + 1);
      const int e = posix_spawn(&pid, host_path_.c_str(), &actions, nullptr,
                                argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      return e;
    });
  }
  if (region_fd >= 0) close(region_fd);
  if (socket_fd >= 0) close(socket_fd);
  if (spawn_error != 0) {
    return absl::InternalError(absl::StrCat("cannot start ",
                                            host_path_.string(), ": ",
                                            std::strerror(spawn_error)));
  }
  child->pid = pid;

  const absl::Time deadline = absl::Now() + kStartTimeout;
  const int m = child->Receive(deadline);
  if (m == ph::kReady) return child;
  if (m == ph::kStartFailed) {
    const ph::Header h = child->header();
    const uint64_t text = ph::AnswerOffset(0, 0);
    std::string why =
        h.has_error ? Child::Text(child->region + text, child->size - text,
                                  h.error_offset, h.error_size)
                    : "";
    return absl::FailedPreconditionError(
        why.empty() ? "the plugin host gave no reason" : why);
  }
  if (m == 0) {
    child->Kill();
    return absl::DeadlineExceededError(
        absl::StrCat("the plugin host did not start within ",
                     absl::FormatDuration(kStartTimeout)));
  }
  return absl::InternalError(
      absl::StrCat("the plugin host died starting: ", child->Reap(deadline)));
}

std::unique_ptr<PluginProcess::Child> PluginProcess::Acquire(std::string& why) {
  absl::MutexLock lock(&mu_);
  for (;;) {
    if (!idle_.empty()) {
      std::unique_ptr<Child> child = std::move(idle_.back());
      idle_.pop_back();
      return child;
    }
    if (live_ < max_processes_) break;
    mu_.Await(absl::Condition(
        +[](PluginProcess* self) {
          return !self->idle_.empty() || self->live_ < self->max_processes_;
        },
        this));
  }
  const absl::Time now = absl::Now();
  if (now < next_spawn_) {
    why = absl::StrCat("plugin process is restarting after ", last_death_,
                       "; next start in ",
                       absl::ToInt64Milliseconds(next_spawn_ - now), " ms");
    return nullptr;
  }
  ++live_;
  mu_.Unlock();
  absl::StatusOr<std::unique_ptr<Child>> child = Spawn();
  mu_.Lock();
  if (child.ok()) {
    ++stats_.spawns;
    ++total_spawns;
    return *std::move(child);
  }
  --live_;
  ++stats_.failed_starts;
  ++total_failed_starts;
  const absl::Duration backoff = std::min(
      kMaxBackoff, kFirstBackoff * (1 << std::min(consecutive_failures_, 10)));
  ++consecutive_failures_;
  next_spawn_ = absl::Now() + backoff;
  last_death_ =
      absl::StrCat("it could not start (", child.status().message(), ")");
  spdlog::error(
      "plugin {} process could not start for dimension {}: {}; retrying in "
      "{} ms",
      options_.plugin_id, options_.dimension,
      std::string(child.status().message()),
      absl::ToInt64Milliseconds(backoff));
  why = absl::StrCat("cannot start the plugin process: ",
                     child.status().message());
  return nullptr;
}

void PluginProcess::Release(std::unique_ptr<Child> child) {
  absl::MutexLock lock(&mu_);
  consecutive_failures_ = 0;
  ++stats_.batches;
  ++total_batches;
  idle_.push_back(std::move(child));
}

std::string PluginProcess::Bury(std::unique_ptr<Child> child,
                                const Death& death) {
  child.reset();  // kills and reaps what is left of it
  absl::MutexLock lock(&mu_);
  --live_;
  ++stats_.deaths;
  ++total_deaths;
  if (death.over_budget) {
    ++stats_.budget_kills;
    ++total_budget_kills;
  }
  const absl::Duration backoff = std::min(
      kMaxBackoff, kFirstBackoff * (1 << std::min(consecutive_failures_, 10)));
  ++consecutive_failures_;
  next_spawn_ = absl::Now() + backoff;
  const int64_t backoff_ms = absl::ToInt64Milliseconds(backoff);
  std::string what;
  if (death.over_budget) {
    what = absl::StrCat("plugin process exceeded its time budget of ",
                        options_.time_budget_ms, " ms; killed");
    last_death_ = "it was killed over its time budget";
    spdlog::error(
        "plugin {} process exceeded its time budget of {} ms while scoring "
        "dimension {}; killed; restarting in {} ms",
        options_.plugin_id, options_.time_budget_ms, options_.dimension,
        backoff_ms);
  } else {
    what = absl::StrCat("plugin process died: ", death.what);
    last_death_ = absl::StrCat("it died (", death.what, ")");
    spdlog::error(
        "plugin {} process died: {} while scoring dimension {}; restarting "
        "in {} ms",
        options_.plugin_id, death.what, options_.dimension, backoff_ms);
  }
  return absl::StrCat(what, "; restarting it in ", backoff_ms, " ms");
}

hs_result PluginProcess::Score(const hs_batch& batch, hs_output& out,
                               Records& records, const hs_host_api& host,
                               void* host_ctx) {
  std::string why;
  std::unique_ptr<Child> child = Acquire(why);
  if (child == nullptr) {
    host.set_error(host_ctx, why.c_str());
    return HS_ERROR;
  }
  const absl::Time deadline =
      absl::Now() + absl::Milliseconds(options_.time_budget_ms);
  const uint32_t rows = batch.num_rows;
  const uint32_t columns = batch.num_columns;

  // The request.
  const uint64_t answer = ph::AnswerOffset(rows, columns);
  const uint64_t guess =
      ph::AnswerSize(rows, out.explain ? out.reasons_capacity : 0,
                     out.explain ? out.actions_capacity : 0, 0, 4096);
  if (absl::Status s = child->Grow(answer + guess); !s.ok()) {
    const std::string error = absl::StrCat(
        "cannot size the plugin process's shared memory: ", s.message());
    Release(std::move(child));
    host.set_error(host_ctx, error.c_str());
    return HS_ERROR;
  }
  {
    ph::Header& h = child->header();
    h.num_rows = rows;
    h.num_columns = columns;
    h.explain = out.explain ? 1 : 0;
    h.needed = 0;
    double* in = reinterpret_cast<double*>(child->region + ph::ColumnsOffset());
    for (uint32_t c = 0; c < columns; ++c) {
      std::memcpy(in + uint64_t{c} * rows, batch.columns[c],
                  rows * sizeof(double));
    }
  }

  Death death;
  int m = child->Send(ph::kBatch) ? child->Receive(deadline) : -1;
  while (m == ph::kNeedSpace) {
    const uint64_t needed = child->header().needed;
    if (needed > ph::kMaxRegionBytes) {
      child->Kill();
      const std::string error =
          absl::StrCat("the plugin's answer needs ", needed >> 20,
                       " MB of shared memory; the limit is ",
                       ph::kMaxRegionBytes >> 20, " MB");
      Bury(std::move(child), {"its answer was too large"});
      host.set_error(host_ctx, error.c_str());
      return HS_ERROR;
    }
    if (!child->Grow(needed).ok()) {
      m = -1;
      break;
    }
    m = child->Send(ph::kGrown) ? child->Receive(deadline) : -1;
  }
  if (m == 0) {
    child->Kill();
    death.over_budget = true;
  } else if (m == ph::kFatal) {
    // The child's last words, at the start of the answer.
    const ph::Header h = child->header();
    std::string what =
        h.has_error
            ? Child::Text(child->region + answer, child->size - answer,
                          h.error_offset, std::min<uint32_t>(h.error_size, 512))
            : "";
    child->Reap(absl::Now() + absl::Seconds(1));
    death.what = absl::StrCat("a C++ exception crossed the plugin ABI (",
                              what.empty() ? "unknown" : what, ")");
  } else if (m != ph::kDone) {
    death.what = child->Reap(deadline);
  }
  if (m != ph::kDone) {
    const std::string error = Bury(std::move(child), death);
    host.set_error(host_ctx, error.c_str());
    return HS_ERROR;
  }

  // The answer: copied out of the region once, then checked, so that what
  // the child does to the region from now on changes nothing.
  const ph::Header h = child->header();
  const uint64_t text_size = h.text_size;
  const uint64_t available = child->size - answer;
  if (text_size > available ||
      ph::AnswerSize(rows, h.num_reasons, h.num_actions, h.num_statuses,
                     text_size) > available) {
    child->Kill();
    const std::string error =
        Bury(std::move(child), {"it answered past its shared memory"});
    host.set_error(host_ctx, error.c_str());
    return HS_ERROR;
  }
  const char* p = child->region + answer;
  std::memcpy(out.scores, p, rows * sizeof(double));
  p += rows * sizeof(double);
  const bool explain = out.explain != 0;
  records.reasons.resize(explain ? h.num_reasons : 0);
  if (!records.reasons.empty()) {
    std::memcpy(records.reasons.data(), p,
                h.num_reasons * sizeof(hs_reason_record));
  }
  p += h.num_reasons * sizeof(hs_reason_record);
  records.actions.resize(explain ? h.num_actions : 0);
  if (!records.actions.empty()) {
    std::memcpy(records.actions.data(), p,
                h.num_actions * sizeof(hs_action_record));
  }
  p += h.num_actions * sizeof(hs_action_record);
  out.reasons = records.reasons.data();
  out.num_reasons = out.reasons_capacity =
      static_cast<uint32_t>(records.reasons.size());
  out.actions = records.actions.data();
  out.num_actions = out.actions_capacity =
      static_cast<uint32_t>(records.actions.size());
  std::vector<ph::StatusRecord> statuses(h.num_statuses);
  if (!statuses.empty()) {
    std::memcpy(statuses.data(), p, h.num_statuses * sizeof(ph::StatusRecord));
  }
  p += h.num_statuses * sizeof(ph::StatusRecord);
  const std::string text(p, text_size);
  Release(std::move(child));

  for (const ph::StatusRecord& s : statuses) {
    const hs_status status = s.status == HS_STATUS_INSUFFICIENT_DATA
                                 ? HS_STATUS_INSUFFICIENT_DATA
                             : s.status == HS_STATUS_OK ? HS_STATUS_OK
                                                        : HS_STATUS_FAILED;
    const std::string message =
        Child::Text(text.data(), text.size(), s.message_offset, s.message_size);
    host.set_status(host_ctx, s.row, status, message.c_str());
  }
  if (h.has_error) {
    const std::string message =
        Child::Text(text.data(), text.size(), h.error_offset, h.error_size);
    host.set_error(host_ctx, message.c_str());
  }
  return h.result == HS_OK ? HS_OK : HS_ERROR;
}

}  // namespace healthscore
