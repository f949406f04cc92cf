// Building a Snapshot: binding a scorecard and its segment variants to plugin
// instances.
#include "server/engine/snapshot.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "server/common/status_macros.h"

namespace healthscore {

// Does the work of Snapshot::Build with access to its members.
class SnapshotBuilder {
 public:
  SnapshotBuilder(const ScorecardSpec& spec, const Registry& registry,
                  Snapshot& snapshot)
      : spec_(spec), registry_(registry), s_(snapshot) {}

  absl::Status Build() {
    ASSIGN_OR_RETURN(Variant def, DefaultVariant());
    s_.variants_.push_back(std::move(def));
    for (const SegmentSpec& seg : spec_.segments) {
      ASSIGN_OR_RETURN(Variant v, SegmentVariant(seg));
      s_.variant_index_[seg.name] = static_cast<int>(s_.variants_.size());
      s_.variants_.push_back(std::move(v));
    }
    for (Variant& v : s_.variants_) {
      for (BoundDimension& d : v.dimensions) BindColumns(d);
    }
    RETURN_IF_ERROR(CheckNotActionable());
    BuildProtos();
    return absl::OkStatus();
  }

 private:
  absl::Status FieldError(int line, absl::string_view field,
                          absl::string_view problem) const {
    return absl::InvalidArgumentError(
        absl::StrCat(spec_.source, ":", line, ": ", field, ": ", problem));
  }

  // Checks `settings` against the plugin's parameters. `field` is the
  // settings' path, e.g. "dimensions.a.params".
  absl::Status CheckParams(const Plugin& p,
                           const std::vector<ParamSetting>& settings,
                           absl::string_view field) const {
    for (const ParamSetting& setting : settings) {
      const auto known = std::find_if(
          p.params().begin(), p.params().end(),
          [&](const ParamInfo& i) { return i.name == setting.name; });
      const std::string pfield = absl::StrCat(field, ".", setting.name);
      if (known == p.params().end()) {
        std::vector<std::string> names;
        for (const ParamInfo& i : p.params()) names.push_back(i.name);
        return FieldError(
            setting.line, pfield,
            absl::StrCat("unknown parameter for plugin ", p.id(),
                         names.empty()
                             ? "; it takes no parameters"
                             : "; it takes: " + absl::StrJoin(names, ", ")));
      }
      if (known->is_text) continue;  // any scalar, list or mapping will do
      if (!setting.is_number) {
        return FieldError(
            setting.line, pfield,
            absl::StrCat("expected a number, got '",
                         setting.text.empty() ? "(empty)" : setting.text, "'"));
      }
      if (!std::isnan(known->min) && setting.value < known->min) {
        return FieldError(
            setting.line, pfield,
            absl::StrCat(setting.value, " is below the minimum ", known->min));
      }
      if (!std::isnan(known->max) && setting.value > known->max) {
        return FieldError(
            setting.line, pfield,
            absl::StrCat(setting.value, " is above the maximum ", known->max));
      }
    }
    return absl::OkStatus();
  }

  // A plugin instance for dimension `d` with `settings` (later settings of
  // the same name win). `line` and `field` place errors; `params_field` is
  // where the settings are written ("dimensions.a.params").
  absl::StatusOr<BoundDimension> Bind(const DimensionSpec& d,
                                      const std::vector<ParamSetting>& settings,
                                      int line, absl::string_view field,
                                      absl::string_view params_field) const {
    const std::string dfield = absl::StrCat("dimensions.", d.name);
    absl::StatusOr<std::shared_ptr<const Plugin>> plugin =
        registry_.Find(d.plugin_ref);
    if (!plugin.ok()) {
      return FieldError(d.line, dfield + ".plugin", plugin.status().message());
    }
    const Plugin& p = **plugin;
    RETURN_IF_ERROR(CheckParams(p, settings, params_field));
    BoundDimension bound;
    bound.name = d.name;
    bound.weight = d.weight;
    bound.warn_below = d.warn_below;
    bound.plugin = *plugin;

    // Every declared parameter, in declaration order, defaults filled in.
    std::vector<ParamValue> params;
    params.reserve(p.params().size());
    for (const ParamInfo& info : p.params()) {
      ParamValue value{info.name, info.is_text ? 0 : info.default_value,
                       std::nullopt};
      if (info.is_text) value.text = info.default_text;
      for (const ParamSetting& setting : settings) {
        if (setting.name != info.name) continue;
        if (info.is_text) {
          value.text = setting.text;
        } else {
          value.value = setting.value;
        }
      }
      params.push_back(std::move(value));
    }
    // The dimension's own isolation, else the server's default.
    InstanceOptions options;
    options.isolated = d.isolation.value_or(registry_.default_isolation()) ==
                       Isolation::kProcess;
    options.time_budget_ms = d.time_budget_ms.value_or(0);
    absl::StatusOr<std::shared_ptr<const PluginInstance>> instance =
        PluginInstance::Create(*plugin, std::move(params), d.name, options);
    if (!instance.ok()) {
      return FieldError(line, field, instance.status().message());
    }
    bound.instance = *std::move(instance);
    bound.signals = bound.instance->signals();
    return bound;
  }

  // Groups, gates and actions of a variant whose dimensions are in place.
  void Arrange(Variant& v,
               const std::map<std::string, double>& group_weights) const {
    auto dim_index = [&](absl::string_view name) {
      for (size_t i = 0; i < v.dimensions.size(); ++i) {
        if (v.dimensions[i].name == name) return static_cast<int>(i);
      }
      return -1;
    };
    v.aggregate = spec_.aggregate;
    v.named_groups = !spec_.groups.empty();
    if (spec_.groups.empty()) {
      GroupBinding all{"", spec_.aggregate, 1, {}};
      for (size_t i = 0; i < v.dimensions.size(); ++i) {
        all.dimensions.push_back(static_cast<int>(i));
      }
      v.groups.push_back(std::move(all));
    } else {
      for (const GroupSpec& g : spec_.groups) {
        GroupBinding group{g.name, g.aggregate, g.weight, {}};
        if (auto it = group_weights.find(g.name); it != group_weights.end()) {
          group.weight = it->second;
        }
        for (const std::string& name : g.dimensions) {
          const int i = dim_index(name);
          group.dimensions.push_back(i);
          v.dimensions[i].group = static_cast<int>(v.groups.size());
        }
        v.groups.push_back(std::move(group));
      }
    }
    for (const GateSpec& gate : spec_.gates) {
      GateBinding b{gate, dim_index(gate.target), -1};
      if (b.dimension < 0) {
        for (size_t g = 0; g < v.groups.size(); ++g) {
          if (v.groups[g].name == gate.target) b.group = static_cast<int>(g);
        }
      }
      v.gates.push_back(std::move(b));
    }
    for (const ActionSpec& action : spec_.actions) {
      v.actions.push_back({action, action.dimension.empty()
                                       ? -1
                                       : dim_index(action.dimension)});
    }
    v.total_weight = 0;
    for (const BoundDimension& d : v.dimensions) v.total_weight += d.weight;
  }

  absl::StatusOr<Variant> DefaultVariant() const {
    Variant v;
    v.name = "default";
    for (const DimensionSpec& d : spec_.dimensions) {
      const std::string field = absl::StrCat("dimensions.", d.name);
      ASSIGN_OR_RETURN(BoundDimension bound,
                       Bind(d, d.params, d.line, field, field + ".params"));
      v.dimensions.push_back(std::move(bound));
    }
    v.bands = spec_.bands;
    Arrange(v, {});
    return v;
  }

  absl::StatusOr<Variant> SegmentVariant(const SegmentSpec& seg) const {
    const Variant& def = s_.variants_[0];
    Variant v;
    v.name = seg.name;
    for (size_t i = 0; i < spec_.dimensions.size(); ++i) {
      const DimensionSpec& d = spec_.dimensions[i];
      BoundDimension bound;
      if (auto it = seg.params.find(d.name); it != seg.params.end()) {
        // Its own parameters: its own instance. The segment's settings come
        // after the default's, so they win.
        std::vector<ParamSetting> settings = d.params;
        settings.insert(settings.end(), it->second.begin(), it->second.end());
        const std::string field =
            absl::StrCat("segments.", seg.name, ".params.", d.name);
        ASSIGN_OR_RETURN(
            bound, Bind(d, settings, seg.param_lines.at(d.name), field, field));
      } else {
        bound = def.dimensions[i];  // shares the default's instance
      }
      if (auto it = seg.weights.find(d.name); it != seg.weights.end()) {
        bound.weight = it->second;
      }
      v.dimensions.push_back(std::move(bound));
    }
    v.bands = seg.bands.empty() ? spec_.bands : seg.bands;
    Arrange(v, seg.group_weights);
    return v;
  }

  // Every not_actionable signal must be one some dimension reads: a typo
  // would otherwise let PathToGreen move what the team said it cannot.
  absl::Status CheckNotActionable() const {
    for (size_t i = 0; i < spec_.not_actionable.size(); ++i) {
      if (!s_.signal_index_.contains(spec_.not_actionable[i])) {
        return FieldError(spec_.not_actionable_lines[i],
                          absl::StrCat("not_actionable[", i, "]"),
                          absl::StrCat("'", spec_.not_actionable[i],
                                       "' is read by no dimension"));
      }
    }
    return absl::OkStatus();
  }

  // Adds the dimension's signals to the snapshot's union, tightening bounds.
  void BindColumns(BoundDimension& d) {
    d.signal_columns.clear();
    const std::string& owner = d.plugin->id();
    for (const SignalInfo& signal : d.signals) {
      auto [it, added] = s_.signal_index_.try_emplace(
          signal.name, static_cast<int>(s_.signals_.size()));
      if (added) {
        s_.signals_.push_back(
            {signal.name, signal.unit, signal.min, signal.max, owner, owner});
      }
      SignalBinding& binding = s_.signals_[it->second];
      if (!std::isnan(signal.min) &&
          (std::isnan(binding.min) || signal.min > binding.min)) {
        binding.min = signal.min;
        binding.min_owner = owner;
      }
      if (!std::isnan(signal.max) &&
          (std::isnan(binding.max) || signal.max < binding.max)) {
        binding.max = signal.max;
        binding.max_owner = owner;
      }
      d.signal_columns.push_back(it->second);
    }
  }

  // Prebuilt protos, so requests copy rather than rebuild them.
  void BuildProtos() {
    v1::Provenance& prov = s_.provenance_;
    prov.set_scorecard_name(spec_.name);
    prov.set_scorecard_version(spec_.version);
    prov.set_scorecard_hash(spec_.hash);
    std::set<std::string> plugin_ids;
    for (const Variant& v : s_.variants_) {
      for (const BoundDimension& d : v.dimensions) {
        plugin_ids.insert(d.plugin->id());
      }
    }
    for (const std::string& id : plugin_ids) prov.add_plugins(id);

    v1::Scorecard& sc = s_.scorecard_proto_;
    sc.set_name(spec_.name);
    sc.set_version(spec_.version);
    sc.set_hash(spec_.hash);
    sc.set_missing_data(spec_.missing_data);
    sc.set_source(spec_.source);
    sc.set_aggregate(std::string(AggregateName(spec_.aggregate)));
    for (const BoundDimension& d : s_.variants_[0].dimensions) {
      v1::ScorecardDimension* out = sc.add_dimensions();
      out->set_name(d.name);
      out->set_plugin(d.plugin->name());
      out->set_plugin_version(d.plugin->version());
      out->set_weight(d.weight);
      for (const ParamValue& p : d.instance->params()) {
        if (p.text.has_value()) {
          (*out->mutable_text_params())[p.name] = *p.text;
        } else {
          (*out->mutable_params())[p.name] = p.value;
        }
      }
      for (const SignalInfo& signal : d.signals) out->add_signals(signal.name);
    }
    for (const BandSpec& b : spec_.bands) {
      v1::Band* out = sc.add_bands();
      out->set_name(b.name);
      out->set_grade(b.grade);
      out->set_min(b.min);
    }
    for (const SegmentSpec& seg : spec_.segments) sc.add_segments(seg.name);
    for (const GroupSpec& g : spec_.groups) {
      v1::ScorecardGroup* out = sc.add_groups();
      out->set_name(g.name);
      for (const std::string& d : g.dimensions) out->add_dimensions(d);
      out->set_weight(g.weight);
      out->set_aggregate(std::string(AggregateName(g.aggregate)));
    }
    for (const GateSpec& g : spec_.gates) {
      v1::Gate* out = sc.add_gates();
      out->set_id(g.id);
      out->set_dimension(g.target);
      out->set_below(g.below);
      out->set_cap(g.cap);
      out->set_message(g.say);
    }
  }

  const ScorecardSpec& spec_;
  const Registry& registry_;
  Snapshot& s_;
};

absl::StatusOr<std::shared_ptr<const Snapshot>> Snapshot::Build(
    ScorecardSpec spec, const Registry& registry) {
  std::shared_ptr<Snapshot> snapshot(new Snapshot);
  snapshot->spec_ = std::move(spec);
  SnapshotBuilder builder(snapshot->spec_, registry, *snapshot);
  RETURN_IF_ERROR(builder.Build());
  return snapshot;
}

const Variant* Snapshot::FindVariant(absl::string_view segment) const {
  auto it = variant_index_.find(segment);
  return it == variant_index_.end() ? nullptr : &variants_[it->second];
}

int Snapshot::FindSignal(absl::string_view name) const {
  auto it = signal_index_.find(name);
  return it == signal_index_.end() ? -1 : it->second;
}

const BandSpec& Variant::BandFor(double score) const {
  // Bands are sorted highest min first and the last starts at 0.
  for (const BandSpec& band : bands) {
    if (score >= band.min) return band;
  }
  return bands.back();
}

}  // namespace healthscore
