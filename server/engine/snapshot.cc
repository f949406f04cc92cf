// Building a Snapshot: binding a scorecard to plugin instances.
#include "server/engine/snapshot.h"

#include <cmath>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace healthscore {
namespace {

absl::Status FieldError(const ScorecardSpec& spec, int line,
                        absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(spec.source, ":", line, ": ", field, ": ", problem));
}

// Collects create()'s error message.
void SetError(void* ctx, const char* message) {
  *static_cast<std::string*>(ctx) = message != nullptr ? message : "";
}
int32_t NoExplanation(void*) { return 0; }
void IgnoreReason(void*, uint32_t, const hs_reason*) {}
void IgnoreAction(void*, uint32_t, const char*) {}
void IgnoreStatus(void*, uint32_t, hs_status, const char*) {}

const hs_host_api kCreateHost = {sizeof(hs_host_api), &NoExplanation,
                                 &IgnoreReason,       &IgnoreAction,
                                 &IgnoreStatus,       &SetError};

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> Snapshot::Build(
    ScorecardSpec spec, const Registry& registry) {
  // The Snapshot owns instances as soon as they exist, so an error part way
  // destroys the ones already made.
  std::shared_ptr<Snapshot> snapshot(new Snapshot);
  Snapshot& s = *snapshot;
  for (const DimensionSpec& d : spec.dimensions) {
    const std::string field = absl::StrCat("dimensions.", d.name);
    absl::StatusOr<std::shared_ptr<const Plugin>> plugin =
        registry.Find(d.plugin_ref);
    if (!plugin.ok()) {
      return FieldError(spec, d.line, field + ".plugin",
                        plugin.status().message());
    }
    const Plugin& p = **plugin;
    BoundDimension bound;
    bound.name = d.name;
    bound.weight = d.weight;
    bound.plugin = *plugin;

    for (const ParamSetting& setting : d.params) {
      const auto known = std::find_if(
          p.params().begin(), p.params().end(),
          [&](const ParamInfo& i) { return i.name == setting.name; });
      const std::string pfield = absl::StrCat(field, ".params.", setting.name);
      if (known == p.params().end()) {
        std::vector<std::string> names;
        for (const ParamInfo& i : p.params()) names.push_back(i.name);
        return FieldError(
            spec, setting.line, pfield,
            absl::StrCat("unknown parameter for plugin ", p.id(),
                         names.empty()
                             ? "; it takes no parameters"
                             : "; it takes: " + absl::StrJoin(names, ", ")));
      }
      const std::string written =
          setting.text.empty() ? "(empty)" : setting.text;
      if (known->is_text) continue;  // any scalar, list or mapping will do
      if (!setting.is_number) {
        return FieldError(
            spec, setting.line, pfield,
            absl::StrCat("expected a number, got '", written, "'"));
      }
      if (!std::isnan(known->min) && setting.value < known->min) {
        return FieldError(
            spec, setting.line, pfield,
            absl::StrCat(setting.value, " is below the minimum ", known->min));
      }
      if (!std::isnan(known->max) && setting.value > known->max) {
        return FieldError(
            spec, setting.line, pfield,
            absl::StrCat(setting.value, " is above the maximum ", known->max));
      }
    }
    // Every declared parameter, in declaration order, defaults filled in. The
    // texts are all in place before any pointer to them is taken, and the
    // vector never grows afterwards, so the pointers stay valid when the
    // BoundDimension moves.
    bound.param_texts.resize(p.params().size());
    for (size_t i = 0; i < p.params().size(); ++i) {
      const ParamInfo& info = p.params()[i];
      double value = info.is_text ? 0 : info.default_value;
      bound.param_texts[i] = info.default_text;
      for (const ParamSetting& setting : d.params) {
        if (setting.name != info.name) continue;
        if (info.is_text) {
          bound.param_texts[i] = setting.text;
        } else {
          value = setting.value;
        }
      }
      // The name points into the Plugin, which the BoundDimension keeps alive.
      bound.params.push_back(
          {info.name.c_str(), value,
           info.is_text ? bound.param_texts[i].c_str() : nullptr});
    }

    std::string error;
    hs_instance* instance = nullptr;
    if (p.api().create(bound.params.data(),
                       static_cast<uint32_t>(bound.params.size()), &kCreateHost,
                       &error, &instance) != HS_OK ||
        instance == nullptr) {
      return FieldError(
          spec, d.line, field,
          absl::StrCat("plugin ", p.id(), " refused its parameters: ",
                       error.empty() ? "no reason given" : error));
    }
    // From here the Snapshot owns the instance, even if binding fails below.
    bound.instance = instance;
    BoundDimension& b = s.dimensions_.emplace_back(std::move(bound));

    // What this instance reads: its own list when its inputs depend on its
    // parameters, else the declared signals.
    if (p.api().instance_signals != nullptr) {
      const hs_signal_decl* decls = nullptr;
      uint32_t count = 0;
      if (p.api().instance_signals(instance, &decls, &count) != HS_OK) {
        return FieldError(
            spec, d.line, field,
            absl::StrCat("plugin ", p.id(), " could not list its signals"));
      }
      absl::StatusOr<std::vector<SignalInfo>> signals = ReadSignals(
          decls, count, absl::StrCat(p.id(), " instance for ", d.name));
      if (!signals.ok()) {
        return FieldError(spec, d.line, field, signals.status().message());
      }
      b.signals = *std::move(signals);
    } else {
      b.signals = p.signals();
    }
    for (const SignalInfo& signal : b.signals) {
      auto [it, added] = s.signal_index_.try_emplace(
          signal.name, static_cast<int>(s.signals_.size()));
      if (added) {
        s.signals_.push_back(
            {signal.name, signal.unit, signal.min, signal.max, p.id(), p.id()});
      }
      SignalBinding& binding = s.signals_[it->second];
      if (!std::isnan(signal.min) &&
          (std::isnan(binding.min) || signal.min > binding.min)) {
        binding.min = signal.min;
        binding.min_owner = p.id();
      }
      if (!std::isnan(signal.max) &&
          (std::isnan(binding.max) || signal.max < binding.max)) {
        binding.max = signal.max;
        binding.max_owner = p.id();
      }
      b.signal_columns.push_back(it->second);
    }
    s.total_weight_ += b.weight;
  }

  // Prebuilt protos, so requests copy rather than rebuild them.
  s.provenance_.set_scorecard_name(spec.name);
  s.provenance_.set_scorecard_version(spec.version);
  s.provenance_.set_scorecard_hash(spec.hash);
  std::set<std::string> plugin_ids;
  for (const BoundDimension& d : s.dimensions_)
    plugin_ids.insert(d.plugin->id());
  for (const std::string& id : plugin_ids) s.provenance_.add_plugins(id);

  v1::Scorecard& sc = s.scorecard_proto_;
  sc.set_name(spec.name);
  sc.set_version(spec.version);
  sc.set_hash(spec.hash);
  sc.set_missing_data(spec.missing_data);
  sc.set_source(spec.source);
  for (const BoundDimension& d : s.dimensions_) {
    v1::ScorecardDimension* out = sc.add_dimensions();
    out->set_name(d.name);
    out->set_plugin(d.plugin->name());
    out->set_plugin_version(d.plugin->version());
    out->set_weight(d.weight);
    for (const hs_param_value& p : d.params) {
      if (p.text != nullptr) {
        (*out->mutable_text_params())[p.name] = p.text;
      } else {
        (*out->mutable_params())[p.name] = p.value;
      }
    }
    for (const SignalInfo& signal : d.signals) out->add_signals(signal.name);
  }
  for (const BandSpec& b : spec.bands) {
    v1::Band* out = sc.add_bands();
    out->set_name(b.name);
    out->set_grade(b.grade);
    out->set_min(b.min);
  }
  s.spec_ = std::move(spec);
  return snapshot;
}

Snapshot::~Snapshot() {
  for (BoundDimension& d : dimensions_) {
    if (d.instance != nullptr) d.plugin->api().destroy(d.instance);
  }
}

int Snapshot::FindSignal(absl::string_view name) const {
  auto it = signal_index_.find(name);
  return it == signal_index_.end() ? -1 : it->second;
}

const BandSpec& Snapshot::BandFor(double score) const {
  // Bands are sorted highest min first and the last starts at 0.
  for (const BandSpec& band : spec_.bands) {
    if (score >= band.min) return band;
  }
  return spec_.bands.back();
}

}  // namespace healthscore
