// A plugin that misbehaves on purpose, for the process-isolation tests
// (tests/plugin/isolation_test.cc). Written against the C ABI alone: the C++
// SDK catches exceptions and checks writes, and this plugin must be able to
// do what a careless one does.
//
// It scores x (score = x, one reason of x - 50), except on a batch holding a
// row whose x equals `trigger`: then it does what `mode` says, so one
// poisoned row from a client sets it off:
//   none      nothing
//   throw     throws a C++ exception out of score_batch
//   segfault  writes to an unmapped address
//   abort     calls abort()
//   spin      loops for ever
//   sleep     sleeps `sleep_ms`, then scores
//   oob       writes a megabyte past the end of its scores
//   leak      allocates `leak_mb` MB that it never frees (on every
//             triggered batch), then scores
#include <time.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "healthscore/sdk/abi.h"

namespace {

enum class Mode {
  kNone,
  kThrow,
  kSegfault,
  kAbort,
  kSpin,
  kSleep,
  kOob,
  kLeak
};

struct Fault {
  Mode mode = Mode::kNone;
  double trigger = 13;
  double sleep_ms = 0;
  double leak_mb = 0;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const hs_signal_decl kSignals[] = {
    {"x", "score", 1, 0, "scored as is; the trigger value sets off the fault",
     0, 100, kNaN, kNaN}};

const hs_param_decl kParams[] = {
    {"mode", 0, kNaN, kNaN,
     "none, throw, segfault, abort, spin, sleep, oob or leak", HS_PARAM_TEXT,
     "none"},
    {"trigger", 13, 0, 100, "the x that sets the fault off", HS_PARAM_NUMBER,
     nullptr},
    {"sleep_ms", 1000, 0, 600000, "how long sleep sleeps", HS_PARAM_NUMBER,
     nullptr},
    {"leak_mb", 1024, 1, 65536, "how much leak leaks per batch",
     HS_PARAM_NUMBER, nullptr},
};

const hs_rule_decl kRules[] = {{"x_is",
                                "x",
                                nullptr,
                                "x is {observed}",
                                "x is {observed}",
                                "x is {observed}",
                                {nullptr, nullptr, nullptr, nullptr}}};

hs_result Create(const hs_param_value* params, uint32_t num_params,
                 const hs_host_api* host, void* host_ctx, hs_instance** out) {
  auto* fault = new Fault;
  for (uint32_t i = 0; i < num_params; ++i) {
    const std::string name = params[i].name;
    if (name == "mode") {
      const std::string m = params[i].text;
      const std::pair<const char*, Mode> modes[] = {
          {"none", Mode::kNone},         {"throw", Mode::kThrow},
          {"segfault", Mode::kSegfault}, {"abort", Mode::kAbort},
          {"spin", Mode::kSpin},         {"sleep", Mode::kSleep},
          {"oob", Mode::kOob},           {"leak", Mode::kLeak}};
      bool known = false;
      for (const auto& [text, mode] : modes) {
        if (m == text) {
          fault->mode = mode;
          known = true;
        }
      }
      if (!known) {
        host->set_error(host_ctx, ("unknown mode '" + m + "'").c_str());
        delete fault;
        return HS_ERROR;
      }
    } else if (name == "trigger") {
      fault->trigger = params[i].value;
    } else if (name == "sleep_ms") {
      fault->sleep_ms = params[i].value;
    } else if (name == "leak_mb") {
      fault->leak_mb = params[i].value;
    }
  }
  *out = reinterpret_cast<hs_instance*>(fault);
  return HS_OK;
}

void Destroy(hs_instance* instance) {
  delete reinterpret_cast<Fault*>(instance);
}

// An unmapped address, read at run time so that the compiler cannot turn
// the write into a trap instruction (SIGILL, not the SIGSEGV of a real bug);
// not null, so that UBSan's null check does not report it first.
int* volatile wild_pointer = reinterpret_cast<int*>(64);
// Where leaked blocks go, so that the allocations cannot be optimized away.
std::vector<void*>* leaked = new std::vector<void*>;

void SetOff(const Fault& f, const hs_batch* batch, hs_output* out) {
  switch (f.mode) {
    case Mode::kNone:
      return;
    case Mode::kThrow:
      throw std::runtime_error("poisoned row");
    case Mode::kSegfault:
      *wild_pointer = 1;
      return;
    case Mode::kAbort:
      std::abort();
    case Mode::kSpin:
      for (;;) {
        asm volatile("");  // a loop with a side effect: never optimized out
      }
    case Mode::kSleep: {
      timespec t{static_cast<time_t>(f.sleep_ms / 1000),
                 static_cast<long>(std::fmod(f.sleep_ms, 1000) * 1e6)};
      while (nanosleep(&t, &t) != 0 && errno == EINTR) {
      }
      return;
    }
    case Mode::kOob: {
      volatile double* scores = out->scores;
      for (uint32_t i = 0; i < (1u << 17); ++i) scores[batch->num_rows + i] = 1;
      return;
    }
    case Mode::kLeak: {
      // Like a cache that never evicts: untouched but for its first byte,
      // so that it costs address space rather than the machine's memory. At
      // the process's memory limit malloc returns NULL and the write below
      // crashes, as unchecked code does.
      auto* block = static_cast<volatile char*>(
          std::malloc(static_cast<size_t>(f.leak_mb) << 20));
      block[0] = 1;
      leaked->push_back(const_cast<char*>(block));
      return;
    }
  }
}

hs_result ScoreBatch(const hs_instance* instance, const hs_batch* batch,
                     hs_output* out, const hs_host_api* host, void* host_ctx) {
  const Fault& f = *reinterpret_cast<const Fault*>(instance);
  const double* x = batch->columns[0];
  for (uint32_t row = 0; row < batch->num_rows; ++row) {
    if (x[row] == f.trigger) {
      SetOff(f, batch, out);
      break;
    }
  }
  for (uint32_t row = 0; row < batch->num_rows; ++row) {
    if (std::isnan(x[row])) {
      host->set_status(host_ctx, row, HS_STATUS_INSUFFICIENT_DATA,
                       "missing signal x");
      continue;
    }
    out->scores[row] = x[row];
    if (!out->explain) continue;
    if (out->num_reasons == out->reasons_capacity &&
        !host->grow(host_ctx, out, 0)) {
      host->set_error(host_ctx, "no room for reasons");
      return HS_ERROR;
    }
    hs_reason_record& r = out->reasons[out->num_reasons++];
    r = {row, 0, x[row] - 50, x[row], kNaN, {0, 0, 0, 0}};
  }
  return HS_OK;
}

const hs_plugin_v2 kPlugin = {sizeof(hs_plugin_v2),
                              HEALTHSCORE_PLUGIN_NAME,
                              HEALTHSCORE_PLUGIN_VERSION,
                              "Test plugin: faults on a trigger row.",
                              kSignals,
                              1,
                              kParams,
                              4,
                              kRules,
                              1,
                              nullptr,
                              0,
                              &Create,
                              &Destroy,
                              nullptr,
                              &ScoreBatch};

}  // namespace

extern "C" HS_EXPORT uint32_t hs_plugin_abi_version(void) {
  return HS_ABI_VERSION;
}
extern "C" HS_EXPORT const hs_plugin_v2* hs_plugin_entry(void) {
  return &kPlugin;
}
