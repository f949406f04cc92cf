// Loading and checking a dimension plugin with Boost.DLL.
#include "server/plugin/plugin.h"

#include <dlfcn.h>

#include <boost/dll/shared_library.hpp>
#include <cmath>
#include <cstddef>
#include <mutex>
#include <set>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/common/status_macros.h"

namespace healthscore {
namespace {

// Every library ever loaded, kept for the life of the process so that plugin
// code is never unmapped (see Plugin). Leaked on purpose.
void KeepLoaded(const boost::dll::shared_library& library) {
  static std::mutex* mu = new std::mutex;
  static auto* libraries = new std::vector<boost::dll::shared_library>;
  std::lock_guard<std::mutex> lock(*mu);
  libraries->push_back(library);  // a copy holds its own dlopen reference
}

std::string OrEmpty(const char* s) { return s == nullptr ? "" : s; }

// Names are [a-z][a-z0-9_]*: they appear in scorecards, CSV headers and
// metrics, where anything else needs quoting.
bool IsIdentifier(absl::string_view s) {
  if (s.empty() || !absl::ascii_islower(s[0])) return false;
  for (char c : s) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return true;
}

std::string Bounds(double min, double max) {
  return absl::StrFormat("[%s, %s]",
                         std::isnan(min) ? "-inf" : absl::StrCat(min),
                         std::isnan(max) ? "inf" : absl::StrCat(max));
}

}  // namespace

absl::StatusOr<std::vector<SignalInfo>> ReadSignals(const hs_signal_decl* decls,
                                                    uint32_t count,
                                                    absl::string_view what) {
  std::vector<SignalInfo> out;
  std::set<std::string> seen;
  for (uint32_t i = 0; i < count; ++i) {
    const hs_signal_decl& d = decls[i];
    SignalInfo s{OrEmpty(d.name),
                 OrEmpty(d.unit),
                 OrEmpty(d.description),
                 d.higher_is_better != 0,
                 d.required != 0,
                 d.min_value,
                 d.max_value,
                 d.typical_min,
                 d.typical_max};
    if (!IsIdentifier(s.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": signals[", i, "] name '", s.name,
                       "' is not an identifier ([a-z][a-z0-9_]*)"));
    }
    if (!seen.insert(s.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": signal '", s.name, "' is declared twice"));
    }
    if (!std::isnan(s.min) && !std::isnan(s.max) && s.min > s.max) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": signal '", s.name, "' has bounds ",
                       Bounds(s.min, s.max), " with min above max"));
    }
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// The declared argument names: identifiers, unique, up to the first NULL.
absl::StatusOr<std::vector<std::string>> ReadArgs(
    const char* const (&names)[HS_MAX_ARGS], absl::string_view where) {
  std::vector<std::string> args;
  for (int i = 0; i < HS_MAX_ARGS && names[i] != nullptr; ++i) {
    const std::string name = names[i];
    if (!IsIdentifier(name) || name == "observed" || name == "threshold") {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": args[", i, "] '", name,
          "' is not an identifier ([a-z][a-z0-9_]*) other than observed and "
          "threshold"));
    }
    for (const std::string& seen : args) {
      if (seen == name) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": argument '", name, "' is declared twice"));
      }
    }
    args.push_back(name);
  }
  return args;
}

absl::Status CompileInto(const char* text, const std::vector<std::string>& args,
                         absl::string_view unit, bool has_facts,
                         absl::string_view where, Wording& out) {
  if (text == nullptr) return absl::OkStatus();
  if (*text == '\0') {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " is empty (NULL when there is none)"));
  }
  absl::StatusOr<Wording> w = Wording::Compile(text, args, unit, has_facts);
  if (!w.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " '", text, "': ", w.status().message()));
  }
  out = *std::move(w);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<RuleInfo>> ReadRules(
    const hs_rule_decl* decls, uint32_t count,
    const std::vector<SignalInfo>& signals, absl::string_view what) {
  std::vector<RuleInfo> out;
  std::set<std::string> seen;
  for (uint32_t i = 0; i < count; ++i) {
    const hs_rule_decl& d = decls[i];
    RuleInfo r;
    r.id = OrEmpty(d.id);
    if (!IsIdentifier(r.id)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": rules[", i, "] id '", r.id,
                       "' is not an identifier ([a-z][a-z0-9_]*)"));
    }
    if (!seen.insert(r.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": rule '", r.id, "' is declared twice"));
    }
    const std::string where = absl::StrCat(what, ": rule '", r.id, "'");
    r.signal = OrEmpty(d.signal);
    r.unit = OrEmpty(d.unit);
    if (!r.signal.empty()) {
      const SignalInfo* signal = nullptr;
      for (const SignalInfo& s : signals) {
        if (s.name == r.signal) signal = &s;
      }
      if (signal == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, " names signal '", r.signal, "', which is not declared"));
      }
      if (d.unit == nullptr) r.unit = signal->unit;
    }
    ASSIGN_OR_RETURN(r.args, ReadArgs(d.args, where));
    RETURN_IF_ERROR(CompileInto(d.raises, r.args, r.unit, true,
                                absl::StrCat(where, " raises"), r.raises));
    RETURN_IF_ERROR(CompileInto(d.lowers, r.args, r.unit, true,
                                absl::StrCat(where, " lowers"), r.lowers));
    RETURN_IF_ERROR(CompileInto(d.text, r.args, r.unit, true,
                                absl::StrCat(where, " text"), r.text));
    if (r.text.empty() && r.raises.empty() && r.lowers.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where,
          " has no wording: it needs a neutral text, or raises and/or "
          "lowers"));
    }
    // For a sign the plugin gave no wording for (the checker reports that):
    // the rule's id and the observed value, never the other sign's sentence.
    r.fallback = RuleWording::Fallback(r.id, r.unit);
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::vector<ActionInfo>> ReadActions(const hs_action_decl* decls,
                                                    uint32_t count,
                                                    absl::string_view what) {
  std::vector<ActionInfo> out;
  std::set<std::string> seen;
  for (uint32_t i = 0; i < count; ++i) {
    const hs_action_decl& d = decls[i];
    ActionInfo a;
    a.id = OrEmpty(d.id);
    if (!IsIdentifier(a.id)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": actions[", i, "] id '", a.id,
                       "' is not an identifier ([a-z][a-z0-9_]*)"));
    }
    if (!seen.insert(a.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": action '", a.id, "' is declared twice"));
    }
    const std::string where = absl::StrCat(what, ": action '", a.id, "'");
    ASSIGN_OR_RETURN(a.args, ReadArgs(d.args, where));
    if (d.text == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(where, " has no text"));
    }
    RETURN_IF_ERROR(
        CompileInto(d.text, a.args, "", false, where + " text", a.text));
    out.push_back(std::move(a));
  }
  return out;
}

std::string AbiVersionString(uint32_t abi_version) {
  return absl::StrCat(HS_ABI_MAJOR(abi_version), ".",
                      HS_ABI_MINOR(abi_version));
}

absl::StatusOr<std::shared_ptr<const Plugin>> Plugin::Load(
    const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code fs_error;
  if (!std::filesystem::is_regular_file(path, fs_error)) {
    return absl::NotFoundError(
        absl::StrCat(file, ": not a regular file or does not exist"));
  }

  boost::dll::shared_library library;
  std::error_code dl_error;
  library.load(
      path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
      dl_error);
  if (dl_error) {
    // Boost.DLL's error_code says only "Bad file descriptor"; dlerror() says
    // why (e.g. "invalid ELF header", "undefined symbol: ...").
    const char* why = dlerror();
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": cannot be loaded as a shared library: ",
                     why != nullptr ? why : dl_error.message()));
  }
  // Its static initializers have run: from here on it stays, even if refused.
  KeepLoaded(library);

  if (!library.has(HS_ENTRY_ABI_VERSION)) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": missing entry point ", HS_ENTRY_ABI_VERSION,
        "; a plugin exports it with HEALTHSCORE_DIMENSION(YourClass) from "
        "healthscore/sdk/dimension.h, built with healthscore_add_dimension"));
  }
  auto plugin = std::shared_ptr<Plugin>(new Plugin);
  plugin->path_ = path;
  plugin->abi_version_ = library.get<uint32_t()>(HS_ENTRY_ABI_VERSION)();
  const uint32_t abi = plugin->abi_version_;
  if (HS_ABI_MAJOR(abi) < HS_ABI_VERSION_MAJOR) {
    return absl::FailedPreconditionError(absl::StrCat(
        file, ": built for plugin ABI ", AbiVersionString(abi), " (SDK ",
        HS_ABI_MAJOR(abi), ".x); this server loads ABI ", HS_ABI_VERSION_MAJOR,
        ".x plugins only. Rebuild it against SDK ", HS_ABI_VERSION_MAJOR, ".",
        HS_ABI_VERSION_MINOR,
        ": docs/plugin-sdk.md, \"From 1.x to 2.0\", says what changes"));
  }
  if (HS_ABI_MAJOR(abi) != HS_ABI_VERSION_MAJOR) {
    return absl::FailedPreconditionError(absl::StrCat(
        file, ": built for plugin ABI ", AbiVersionString(abi),
        "; this server speaks ABI ", AbiVersionString(HS_ABI_VERSION),
        " and loads only major version ", HS_ABI_VERSION_MAJOR,
        "; rebuild the plugin against this server's SDK"));
  }
  if (HS_ABI_MINOR(abi) > HS_ABI_VERSION_MINOR) {
    return absl::FailedPreconditionError(absl::StrCat(
        file, ": built for plugin ABI ", AbiVersionString(abi),
        ", newer than this server's ABI ", AbiVersionString(HS_ABI_VERSION),
        "; upgrade the server or rebuild the plugin against an older SDK"));
  }
  if (!library.has(HS_ENTRY_PLUGIN)) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": missing entry point ", HS_ENTRY_PLUGIN,
        "; a plugin exports it with HEALTHSCORE_DIMENSION(YourClass) from "
        "healthscore/sdk/dimension.h"));
  }
  const hs_plugin_v2* api =
      library.get<const hs_plugin_v2*()>(HS_ENTRY_PLUGIN)();
  if (api == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": ", HS_ENTRY_PLUGIN,
                     " returned NULL (the plugin's Describe() failed)"));
  }
  // A v2.0 table ends at score_batch; a newer minor may append fields.
  constexpr size_t kV2Size =
      offsetof(hs_plugin_v2, score_batch) + sizeof(api->score_batch);
  if (api->struct_size < kV2Size) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": hs_plugin_v2.struct_size is ", api->struct_size,
                     "; ABI 2.0 needs at least ", kV2Size));
  }
  if (api->create == nullptr || api->destroy == nullptr ||
      api->score_batch == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": hs_plugin_v2 has a NULL create, destroy or score_batch"));
  }
  plugin->api_ = api;
  plugin->name_ = OrEmpty(api->name);
  plugin->version_ = OrEmpty(api->version);
  plugin->description_ = OrEmpty(api->description);
  if (!IsIdentifier(plugin->name_)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": plugin name '", plugin->name_,
                     "' is not an identifier ([a-z][a-z0-9_]*)"));
  }
  if (plugin->version_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": plugin ", plugin->name_, " has no version"));
  }
  plugin->id_ = absl::StrCat(plugin->name_, "@", plugin->version_);

  ASSIGN_OR_RETURN(plugin->signals_,
                   ReadSignals(api->signals, api->num_signals, file));
  std::set<std::string> seen;
  for (uint32_t i = 0; i < api->num_params; ++i) {
    const hs_param_decl& d = api->params[i];
    ParamInfo p{OrEmpty(d.name),
                d.default_value,
                d.min_value,
                d.max_value,
                OrEmpty(d.description),
                d.kind == HS_PARAM_TEXT,
                OrEmpty(d.default_text)};
    if (d.kind != HS_PARAM_NUMBER && d.kind != HS_PARAM_TEXT) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": parameter '", p.name, "' has kind ", d.kind,
                       "; expected HS_PARAM_NUMBER (0) or HS_PARAM_TEXT (1)"));
    }
    if (!IsIdentifier(p.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": params[", i, "] name '", p.name,
                       "' is not an identifier ([a-z][a-z0-9_]*)"));
    }
    if (!seen.insert(p.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": parameter '", p.name, "' is declared twice"));
    }
    if (!p.is_text && (!std::isfinite(p.default_value) ||
                       (!std::isnan(p.min) && p.default_value < p.min) ||
                       (!std::isnan(p.max) && p.default_value > p.max))) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": parameter '", p.name, "' default ", p.default_value,
          " is outside its bounds ", Bounds(p.min, p.max)));
    }
    plugin->params_.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(plugin->rules_, ReadRules(api->rules, api->num_rules,
                                             plugin->signals_, file));
  ASSIGN_OR_RETURN(plugin->actions_,
                   ReadActions(api->actions, api->num_actions, file));

  return plugin;
}

}  // namespace healthscore
