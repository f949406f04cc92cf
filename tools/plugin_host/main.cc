// healthscore-plugin-host: scores for one isolated plugin instance, in a
// process of its own, so that a plugin that crashes, hangs or leaks takes
// down this process and not the server (docs/isolation.md).
//
// Started by the server (server/plugin/plugin_process.cc), never by hand:
//   healthscore-plugin-host --plugin=PATH --id=NAME@VERSION --dimension=NAME
//       --columns=N --parent=PID --memory-limit-mb=N
//       [--param=NAME=NUMBER | --text-param=NAME=TEXT]...
// with the shared region at descriptor 3 and the socket at descriptor 4;
// parameters in the plugin's declaration order. The protocol is in
// server/plugin/plugin_process.h.
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/plugin/instance.h"
#include "server/plugin/plugin.h"
#include "server/plugin/plugin_process.h"

namespace healthscore {
namespace {

namespace ph = plugin_host;

struct Args {
  std::string plugin;
  std::string id;
  std::string dimension;
  uint32_t columns = 0;
  pid_t parent = 0;
  uint64_t memory_limit_mb = 0;
  std::vector<ParamValue> params;
};

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    auto value = [&](absl::string_view flag, absl::string_view& out) {
      out = arg;
      return absl::ConsumePrefix(&out, flag);
    };
    absl::string_view v;
    if (value("--plugin=", v)) {
      args.plugin = std::string(v);
    } else if (value("--id=", v)) {
      args.id = std::string(v);
    } else if (value("--dimension=", v)) {
      args.dimension = std::string(v);
    } else if (value("--columns=", v)) {
      if (!absl::SimpleAtoi(v, &args.columns)) return false;
    } else if (value("--parent=", v)) {
      if (!absl::SimpleAtoi(v, &args.parent)) return false;
    } else if (value("--memory-limit-mb=", v)) {
      if (!absl::SimpleAtoi(v, &args.memory_limit_mb)) return false;
    } else if (value("--param=", v) || value("--text-param=", v)) {
      const size_t eq = v.find('=');
      if (eq == absl::string_view::npos) return false;
      ParamValue p{std::string(v.substr(0, eq)), 0, std::nullopt};
      if (absl::StartsWith(arg, "--text-param=")) {
        p.text = std::string(v.substr(eq + 1));
      } else {
        // strtod reads back the %.17g the server wrote exactly.
        const std::string number(v.substr(eq + 1));
        char* end = nullptr;
        p.value = std::strtod(number.c_str(), &end);
        if (end == number.c_str() || *end != '\0') return false;
      }
      args.params.push_back(std::move(p));
    } else {
      return false;
    }
  }
  return !args.plugin.empty() && args.parent > 0;
}

// The region, remapped whenever the server grows it.
class Region {
 public:
  bool Map(uint64_t size) {
    if (size == size_) return true;
    if (data_ != nullptr) munmap(data_, size_);
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   ph::kRegionFd, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
    size_ = data_ != nullptr ? size : 0;
    return data_ != nullptr;
  }
  char* data() { return data_; }
  uint64_t size() const { return size_; }
  ph::Header& header() { return *reinterpret_cast<ph::Header*>(data_); }

  // Writes `text` at `offset` (cut to fit) as the header's error.
  void SetError(uint64_t offset, absl::string_view text) {
    ph::Header& h = header();
    const uint64_t room = offset < size_ ? size_ - offset : 0;
    const size_t n = std::min<uint64_t>({text.size(), room, UINT32_MAX});
    std::memcpy(data_ + offset, text.data(), n);
    h.has_error = 1;
    h.error_offset = 0;
    h.error_size = static_cast<uint32_t>(n);
  }

 private:
  char* data_ = nullptr;
  uint64_t size_ = 0;
};

bool Send(ph::Message m) {
  const char c = m;
  ssize_t n;
  do {
    n = send(ph::kSocketFd, &c, 1, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

// The next message, or -1 when the server is gone.
int Receive() {
  char c = 0;
  ssize_t n;
  do {
    n = recv(ph::kSocketFd, &c, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n == 1 ? static_cast<unsigned char>(c) : -1;
}

// The scores array, placed so that it ends where a PROT_NONE page begins: a
// plugin writing past its output dies at the first byte past it (and is
// reported), instead of corrupting what this process sends back.
class GuardedScores {
 public:
  std::span<double> Get(uint32_t rows) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t need = (rows * sizeof(double) + page - 1) / page * page;
    if (need > usable_ || base_ == nullptr) {
      if (base_ != nullptr) munmap(base_, usable_ + page);
      void* p = mmap(nullptr, need + page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) {
        base_ = nullptr;
        usable_ = 0;
        return {};
      }
      base_ = static_cast<char*>(p);
      usable_ = need;
      mprotect(base_ + usable_, page, PROT_NONE);
    }
    double* scores = reinterpret_cast<double*>(base_ + usable_) - rows;
    std::fill_n(scores, rows, std::numeric_limits<double>::quiet_NaN());
    return {scores, rows};
  }

 private:
  char* base_ = nullptr;
  size_t usable_ = 0;
};

// What the plugin reports, kept until the answer is written.
struct Collect {
  struct Entry {
    uint32_t row;
    hs_status status;
    std::string message;
  };
  std::vector<Entry> statuses;
  bool has_error = false;
  std::string error;

  void Status(uint32_t row, hs_status status, const char* message) {
    statuses.push_back({row, status, message != nullptr ? message : ""});
  }
  void Error(const char* message) {
    has_error = true;
    error = message != nullptr ? message : "";
  }
};

int Run(const Args& args) {
  Region region;
  struct stat st;
  if (fstat(ph::kRegionFd, &st) != 0 ||
      !region.Map(static_cast<uint64_t>(st.st_size)) ||
      region.header().magic != ph::kMagic) {
    std::fprintf(stderr, "healthscore-plugin-host: no region at fd %d\n",
                 ph::kRegionFd);
    return 2;
  }
  auto start_failed = [&](absl::string_view why) {
    region.SetError(ph::AnswerOffset(0, 0), why);
    Send(ph::kStartFailed);
    return 1;
  };

  absl::StatusOr<std::shared_ptr<const Plugin>> plugin =
      Plugin::Load(args.plugin);
  if (!plugin.ok()) return start_failed(plugin.status().message());
  if ((*plugin)->id() != args.id) {
    return start_failed(
        absl::StrCat(args.plugin, " is now ", (*plugin)->id(), ", not ",
                     args.id, ": the file changed after the server loaded it"));
  }
  absl::StatusOr<std::shared_ptr<const PluginInstance>> instance =
      PluginInstance::Create(*plugin, args.params, args.dimension);
  if (!instance.ok()) return start_failed(instance.status().message());
  const PluginInstance& in = **instance;
  if (in.signals().size() != args.columns) {
    return start_failed(absl::StrCat("the instance reads ", in.signals().size(),
                                     " signals here and ", args.columns,
                                     " in the server"));
  }
  if (!Send(ph::kReady)) return 0;

  GuardedScores guarded;
  Records records;
  std::vector<const double*> columns;
  std::string text;
  for (;;) {
    const int m = Receive();
    if (m != ph::kBatch) return m < 0 ? 0 : 2;  // the server is gone
    if (!region.Map(region.header().region_size)) return 3;
    const ph::Header request = region.header();
    const uint32_t rows = request.num_rows;
    const uint64_t answer = ph::AnswerOffset(rows, request.num_columns);
    if (request.num_columns != args.columns || answer > region.size()) {
      return 2;
    }
    const double* in_columns =
        reinterpret_cast<const double*>(region.data() + ph::ColumnsOffset());
    columns.clear();
    for (uint32_t c = 0; c < args.columns; ++c) {
      columns.push_back(in_columns + uint64_t{c} * rows);
    }
    const std::span<double> scores = guarded.Get(rows);
    if (scores.size() != rows) return 3;

    Collect sink;
    hs_result result = HS_ERROR;
    // An exception out of score_batch crossed a C boundary: the plugin's
    // state is unknown, so this process reports it and ends.
    std::string fatal;
    try {
      result = in.Score(columns, scores, request.explain != 0, records, sink);
    } catch (const std::exception& e) {
      fatal = e.what();
    } catch (...) {
      fatal = "not a std::exception";
    }
    if (!fatal.empty()) {
      region.SetError(answer, fatal.substr(0, 512));
      Send(ph::kFatal);
      _exit(70);
    }

    // The answer.
    text.clear();
    std::vector<ph::StatusRecord> statuses;
    statuses.reserve(sink.statuses.size());
    for (const Collect::Entry& e : sink.statuses) {
      statuses.push_back({e.row, static_cast<uint32_t>(e.status),
                          static_cast<uint32_t>(text.size()),
                          static_cast<uint32_t>(e.message.size())});
      text += e.message;
    }
    const uint32_t error_offset = static_cast<uint32_t>(text.size());
    text += sink.error;
    const uint64_t size = answer + ph::AnswerSize(rows, records.reasons.size(),
                                                  records.actions.size(),
                                                  statuses.size(), text.size());
    if (size > region.size()) {
      region.header().needed = size;
      if (!Send(ph::kNeedSpace)) return 0;
      const int grown = Receive();
      if (grown != ph::kGrown) return grown < 0 ? 0 : 2;
      if (!region.Map(region.header().region_size) || size > region.size()) {
        return 3;
      }
    }
    char* p = region.data() + answer;
    auto put = [&p](const void* data, size_t bytes) {
      if (bytes > 0) std::memcpy(p, data, bytes);
      p += bytes;
    };
    put(scores.data(), rows * sizeof(double));
    put(records.reasons.data(),
        records.reasons.size() * sizeof(hs_reason_record));
    put(records.actions.data(),
        records.actions.size() * sizeof(hs_action_record));
    put(statuses.data(), statuses.size() * sizeof(ph::StatusRecord));
    put(text.data(), text.size());
    ph::Header& h = region.header();
    h.result = result;
    h.num_reasons = static_cast<uint32_t>(records.reasons.size());
    h.num_actions = static_cast<uint32_t>(records.actions.size());
    h.num_statuses = static_cast<uint32_t>(statuses.size());
    h.text_size = text.size();
    h.has_error = sink.has_error ? 1 : 0;
    h.error_offset = error_offset;
    h.error_size = static_cast<uint32_t>(sink.error.size());
    if (!Send(ph::kDone)) return 0;
  }
}

}  // namespace
}  // namespace healthscore

int main(int argc, char** argv) {
  healthscore::Args args;
  if (!healthscore::ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "healthscore-plugin-host: started by the server, not by "
                 "hand (see server/plugin/plugin_process.h)\n");
    return 2;
  }
  // Die with the server, and do not outlive one that died before this line.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != args.parent) return 0;
  // A leaking plugin meets this limit (its allocations fail) and dies here,
  // then the server starts another process.
  if (healthscore::plugin_host::kMemoryLimitApplies &&
      args.memory_limit_mb > 0) {
    const rlim_t bytes = static_cast<rlim_t>(args.memory_limit_mb) << 20;
    const rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_AS, &limit);
  }
  // The server reports how this process died; a handler that turns a signal
  // into an exit status (a sanitizer's, say) would hide it.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    signal(sig, SIG_DFL);
  }
  return healthscore::Run(args);
}
