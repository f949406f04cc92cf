// A dimension plugin loaded into the process: the shared library, its checked
// ABI version and its declaration, copied into C++ types.
#ifndef HEALTHSCORE_SERVER_PLUGIN_PLUGIN_H_
#define HEALTHSCORE_SERVER_PLUGIN_PLUGIN_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "healthscore/sdk/abi.h"
#include "server/plugin/wording.h"

namespace healthscore {

// A signal as the plugin declares it. Bounds are NaN when absent.
struct SignalInfo {
  std::string name;
  std::string unit;
  std::string description;
  bool higher_is_better = true;
  bool required = false;
  double min = 0;
  double max = 0;
  double typical_min = 0;  // NaN when not declared
  double typical_max = 0;
};

// A rule as the plugin declares it, its templates compiled (RuleWording
// holds them and chooses by sign).
struct RuleInfo : RuleWording {
  std::string id;
  std::string signal;  // "" when it names none
  std::string unit;    // of observed and threshold (the signal's by default)
  std::vector<std::string> args;
};

// An action as the plugin declares it.
struct ActionInfo {
  std::string id;
  std::vector<std::string> args;
  Wording text;
};

// A parameter as the plugin declares it. Bounds are NaN when absent.
struct ParamInfo {
  std::string name;
  double default_value = 0;
  double min = 0;
  double max = 0;
  std::string description;
  bool is_text = false;
  std::string default_text;
};

// Copies and checks a plugin's signal declarations (names are identifiers and
// unique, min <= max). `what` names them in errors ("file: signals").
absl::StatusOr<std::vector<SignalInfo>> ReadSignals(const hs_signal_decl* decls,
                                                    uint32_t count,
                                                    absl::string_view what);

// Copies and checks rule declarations against the signals they may name: ids
// are identifiers and unique, a named signal is one of `signals`, each rule
// has a neutral text or both signed wordings, and every template compiles
// (its placeholders resolve). `what` names them in errors.
absl::StatusOr<std::vector<RuleInfo>> ReadRules(
    const hs_rule_decl* decls, uint32_t count,
    const std::vector<SignalInfo>& signals, absl::string_view what);

// The same for action declarations.
absl::StatusOr<std::vector<ActionInfo>> ReadActions(const hs_action_decl* decls,
                                                    uint32_t count,
                                                    absl::string_view what);

// "MAJOR.MINOR" of an HS_ABI_VERSION value.
std::string AbiVersionString(uint32_t abi_version);

// A loaded plugin. Immutable and safe to share between threads. Its code stays
// mapped for the life of the process, even after the last Plugin referring to
// it is gone: unloading code that a snapshot or a thread may still run is how
// plugin hosts crash (Boost.DLL FAQ; Triton), and a process only ever loads a
// bounded number of plugins.
class Plugin {
 public:
  // Loads the shared library at `path` with Boost.DLL (rtld_now, so a missing
  // symbol fails here, and rtld_local, so plugins cannot see each other's
  // symbols), checks its ABI version against the host's and validates its
  // declaration. Errors name the file and what is wrong with it.
  static absl::StatusOr<std::shared_ptr<const Plugin>> Load(
      const std::filesystem::path& path);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  // name@version
  const std::string& id() const { return id_; }
  const std::string& description() const { return description_; }
  const std::filesystem::path& path() const { return path_; }
  uint32_t abi_version() const { return abi_version_; }
  const std::vector<SignalInfo>& signals() const { return signals_; }
  const std::vector<ParamInfo>& params() const { return params_; }
  const std::vector<RuleInfo>& rules() const { return rules_; }
  const std::vector<ActionInfo>& actions() const { return actions_; }

 private:
  // Only an instance calls the plugin's functions.
  friend class PluginInstance;

  Plugin() = default;

  // The plugin's function table. Valid for the life of the process.
  const hs_plugin_v2& api() const { return *api_; }

  std::filesystem::path path_;
  uint32_t abi_version_ = 0;
  const hs_plugin_v2* api_ = nullptr;
  std::string name_;
  std::string version_;
  std::string id_;
  std::string description_;
  std::vector<SignalInfo> signals_;
  std::vector<ParamInfo> params_;
  std::vector<RuleInfo> rules_;
  std::vector<ActionInfo> actions_;
};

}  // namespace healthscore

#endif  // HEALTHSCORE_SERVER_PLUGIN_PLUGIN_H_
