// Full results -> columns.
#include "server/service/compact.h"

#include <cmath>
#include <limits>
#include <string>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/plugin/instance.h"

namespace healthscore {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Builds the batch's name tables as rows need them.
class Tables {
 public:
  Tables(const Snapshot& snapshot, v1::CompactScores& out)
      : snapshot_(snapshot), out_(out) {
    const Variant& first = snapshot.variants()[0];
    for (size_t d = 0; d < first.dimensions.size(); ++d) {
      out.add_dimensions(first.dimensions[d].name);
      out.add_plugins(first.dimensions[d].plugin->id());
      dimension_[first.dimensions[d].name] = static_cast<int>(d);
    }
    for (size_t v = 0; v < snapshot.variants().size(); ++v) {
      const Variant& variant = snapshot.variants()[v];
      out.add_variants(variant.name);
      variant_[variant.name] = static_cast<uint32_t>(v);
      for (const BandSpec& band : variant.bands) {
        const auto key = std::make_pair(band.name, band.grade);
        if (band_.contains(key)) continue;
        band_[key] = static_cast<uint32_t>(out.bands_size());
        v1::CompactBand* b = out.add_bands();
        b->set_name(band.name);
        b->set_grade(band.grade);
      }
    }
  }

  int DimensionIndex(const std::string& name) const {
    auto it = dimension_.find(name);
    return it == dimension_.end() ? -1 : it->second;
  }
  uint32_t VariantIndex(const std::string& name) const {
    auto it = variant_.find(name);
    return it == variant_.end() ? 0 : it->second;
  }
  uint32_t BandIndex(const std::string& name, const std::string& grade) const {
    auto it = band_.find(std::make_pair(name, grade));
    return it == band_.end() ? 0 : it->second;
  }

  // The rules table's index of a driver's rule, under the variant that
  // scored the row (a segment's parameters may change a plugin's rules).
  uint32_t RuleIndex(uint32_t variant, const v1::Driver& driver) {
    const int dimension = DimensionIndex(driver.dimension());
    const auto key = std::make_tuple(variant, dimension, driver.rule_id());
    if (auto it = rule_.find(key); it != rule_.end()) return it->second;
    const uint32_t index = static_cast<uint32_t>(out_.rules_size());
    rule_[key] = index;
    v1::CompactRule* r = out_.add_rules();
    r->set_dimension(dimension);
    r->set_rule_id(driver.rule_id());
    r->set_signal(driver.signal());
    if (absl::StartsWith(driver.rule_id(), "gate:") || dimension < 0) {
      r->set_text(driver.message());  // a gate's message is its sentence
      return index;
    }
    const PluginInstance& instance =
        *snapshot_.variants()[variant].dimensions[dimension].instance;
    for (const RuleInfo& rule : instance.rules()) {
      if (rule.id != driver.rule_id()) continue;
      r->set_unit(rule.unit);
      r->set_raises(rule.raises.source());
      r->set_lowers(rule.lowers.source());
      r->set_text(rule.text.source());
      for (const std::string& arg : rule.args) r->add_args(arg);
    }
    return index;
  }

 private:
  const Snapshot& snapshot_;
  v1::CompactScores& out_;
  absl::flat_hash_map<std::string, int> dimension_;
  absl::flat_hash_map<std::string, uint32_t> variant_;
  absl::flat_hash_map<std::pair<std::string, std::string>, uint32_t> band_;
  absl::flat_hash_map<std::tuple<uint32_t, int, std::string>, uint32_t> rule_;
};

void AddDrivers(const google::protobuf::RepeatedPtrField<v1::Driver>& drivers,
                uint32_t variant, bool sentences, Tables& tables,
                v1::CompactScores& out) {
  for (const v1::Driver& d : drivers) {
    out.add_driver_rule(tables.RuleIndex(variant, d));
    out.add_driver_impact(d.impact());
    out.add_driver_observed(d.has_observed() ? d.observed() : kNaN);
    out.add_driver_threshold(d.has_threshold() ? d.threshold() : kNaN);
    for (int a = 0; a < HS_MAX_ARGS; ++a) {
      out.add_driver_args(a < d.args_size() ? d.args(a) : kNaN);
    }
    if (sentences) out.add_driver_message(d.message());
  }
}

v1::CompactNote* Note(v1::CompactScores& out, uint32_t row,
                      v1::CompactNote::Kind kind, int dimension) {
  v1::CompactNote* note = out.add_notes();
  note->set_row(row);
  note->set_kind(kind);
  note->set_dimension(dimension);
  return note;
}

}  // namespace

void CompactResults(const Snapshot& snapshot, bool sentences,
                    v1::ScoreBatchResponse& response) {
  v1::CompactScores& out = *response.mutable_compact();
  Tables tables(snapshot, out);
  const int rows = response.results_size();
  const int dims = out.dimensions_size();
  out.mutable_customer_ids()->Reserve(rows);
  out.mutable_score()->Reserve(rows);
  out.mutable_dimension_score()->Reserve(rows * dims);
  out.mutable_dimension_status()->Reserve(rows * dims);
  out.mutable_effective_weight()->Reserve(rows * dims);
  for (int i = 0; i < rows; ++i) {
    const v1::CustomerResult& result = response.results(i);
    const uint32_t row = static_cast<uint32_t>(i);
    out.add_customer_ids(result.customer_id());
    if (!result.has_score()) {
      out.add_score(kNaN);
      out.add_band(0);
      out.add_variant(0);
      out.add_coverage(kNaN);
      for (int d = 0; d < dims; ++d) {
        out.add_dimension_score(kNaN);
        out.add_dimension_status(v1::DIMENSION_STATUS_UNSPECIFIED);
        out.add_effective_weight(kNaN);
      }
      out.add_drivers_up(0);
      out.add_drivers_down(0);
      v1::CompactNote* note = Note(out, row, v1::CompactNote::KIND_ERROR, -1);
      note->set_code(absl::StrCat(result.error().code()));
      note->set_message(result.error().message());
      continue;
    }
    const v1::CustomerScore& s = result.score();
    const uint32_t variant = tables.VariantIndex(s.variant());
    out.add_score(s.score());
    out.add_band(tables.BandIndex(s.band(), s.grade()));
    out.add_variant(variant);
    out.add_coverage(s.coverage());
    for (int d = 0; d < dims; ++d) {
      const v1::DimensionResult& r = s.dimensions(d);
      const bool ok = r.status() == v1::DIMENSION_STATUS_OK;
      out.add_dimension_score(ok ? r.score() : kNaN);
      out.add_dimension_status(r.status());
      out.add_effective_weight(r.effective_weight());
      if (!ok) {
        Note(out, row, v1::CompactNote::KIND_STATUS, d)
            ->set_message(r.status_reason());
      }
    }
    out.add_drivers_up(s.top_drivers_up_size());
    out.add_drivers_down(s.top_drivers_down_size());
    AddDrivers(s.top_drivers_up(), variant, sentences, tables, out);
    AddDrivers(s.top_drivers_down(), variant, sentences, tables, out);
    for (const v1::Warning& w : s.warnings()) {
      v1::CompactNote* note = Note(out, row, v1::CompactNote::KIND_WARNING,
                                   tables.DimensionIndex(w.dimension()));
      note->set_code(w.code());
      note->set_message(w.message());
    }
  }
  response.clear_results();
}

}  // namespace healthscore
