// Columns -> CustomerResults.
#include "clients/cli/compact.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/plugin/wording.h"

namespace healthscore::cli {
namespace {

constexpr int kArgs = 4;  // HS_MAX_ARGS: arguments per driver

// A rule's templates, compiled once per reply; the choice by sign is the
// server's own (RuleWording::For).
struct Templates : RuleWording {
  bool ok = true;
};

Templates Compile(const v1::CompactRule& rule) {
  Templates t;
  const std::vector<std::string> args(rule.args().begin(), rule.args().end());
  auto compile = [&](const std::string& source, Wording& out) {
    if (source.empty()) return;
    absl::StatusOr<Wording> w = Wording::Compile(source, args, rule.unit(),
                                                 /*has_facts=*/true);
    if (w.ok()) {
      out = *std::move(w);
    } else {
      t.ok = false;
    }
  };
  compile(rule.raises(), t.raises);
  compile(rule.lowers(), t.lowers);
  compile(rule.text(), t.text);
  t.fallback = RuleWording::Fallback(rule.rule_id(), rule.unit());
  return t;
}

absl::Status Mismatch(absl::string_view array, size_t size, size_t expected) {
  return absl::DataLossError(absl::StrCat("compact reply: ", array, " has ",
                                          size, " entries; expected ",
                                          expected));
}

}  // namespace

absl::StatusOr<std::vector<v1::CustomerResult>> ExpandCompact(
    const v1::ScoreBatchResponse& response) {
  const v1::CompactScores& c = response.compact();
  const size_t rows = c.customer_ids_size();
  const size_t dims = c.dimensions_size();
  for (const auto& [name, size] :
       {std::pair<const char*, size_t>{"score", c.score_size()},
        {"band", c.band_size()},
        {"variant", c.variant_size()},
        {"coverage", c.coverage_size()},
        {"drivers_up", c.drivers_up_size()},
        {"drivers_down", c.drivers_down_size()}}) {
    if (size != rows) return Mismatch(name, size, rows);
  }
  for (const auto& [name, size] :
       {std::pair<const char*, size_t>{"dimension_score",
                                       c.dimension_score_size()},
        {"dimension_status", c.dimension_status_size()},
        {"effective_weight", c.effective_weight_size()}}) {
    if (size != rows * dims) return Mismatch(name, size, rows * dims);
  }
  if (static_cast<size_t>(c.plugins_size()) != dims) {
    return Mismatch("plugins", c.plugins_size(), dims);
  }
  size_t drivers = 0;
  for (size_t i = 0; i < rows; ++i) {
    drivers += c.drivers_up(i) + c.drivers_down(i);
  }
  for (const auto& [name, size] :
       {std::pair<const char*, size_t>{"driver_rule", c.driver_rule_size()},
        {"driver_impact", c.driver_impact_size()},
        {"driver_observed", c.driver_observed_size()},
        {"driver_threshold", c.driver_threshold_size()}}) {
    if (size != drivers) return Mismatch(name, size, drivers);
  }
  if (static_cast<size_t>(c.driver_args_size()) != drivers * kArgs) {
    return Mismatch("driver_args", c.driver_args_size(), drivers * kArgs);
  }
  const bool sentences = c.driver_message_size() > 0;
  if (sentences && static_cast<size_t>(c.driver_message_size()) != drivers) {
    return Mismatch("driver_message", c.driver_message_size(), drivers);
  }
  std::vector<Templates> templates;
  for (const v1::CompactRule& rule : c.rules()) {
    if (rule.dimension() >= static_cast<int>(dims)) {
      return absl::DataLossError(
          absl::StrCat("compact reply: rule ", rule.rule_id(),
                       " names dimension ", rule.dimension(), " of ", dims));
    }
    templates.push_back(sentences ? Templates() : Compile(rule));
  }

  std::vector<v1::CustomerResult> results(rows);
  size_t next = 0;  // the next driver
  for (size_t i = 0; i < rows; ++i) {
    v1::CustomerResult& result = results[i];
    result.set_customer_id(c.customer_ids(i));
    if (std::isnan(c.score(i))) continue;  // its error is among the notes
    if (c.band(i) >= static_cast<uint32_t>(c.bands_size()) ||
        c.variant(i) >= static_cast<uint32_t>(c.variants_size())) {
      return absl::DataLossError(
          absl::StrCat("compact reply: row ", i, " names band ", c.band(i),
                       " of ", c.bands_size(), " or variant ", c.variant(i),
                       " of ", c.variants_size()));
    }
    v1::CustomerScore& s = *result.mutable_score();
    s.set_customer_id(c.customer_ids(i));
    s.set_score(c.score(i));
    s.set_band(c.bands(c.band(i)).name());
    s.set_grade(c.bands(c.band(i)).grade());
    s.set_coverage(c.coverage(i));
    s.set_variant(c.variants(c.variant(i)));
    *s.mutable_provenance() = response.provenance();
    for (size_t d = 0; d < dims; ++d) {
      const size_t k = i * dims + d;
      v1::DimensionResult* r = s.add_dimensions();
      r->set_name(c.dimensions(d));
      r->set_plugin(c.plugins(d));
      r->set_status(c.dimension_status(k));
      r->set_effective_weight(c.effective_weight(k));
      if (r->status() != v1::DIMENSION_STATUS_OK) continue;
      const double share = c.effective_weight(k);
      const double score = c.dimension_score(k);
      r->set_score(score);
      // As the server computes them, so the numbers are the same bits.
      r->set_contribution(share * score);
      r->set_points_lost(share * (100 - score));
    }
    for (uint32_t n = 0; n < c.drivers_up(i) + c.drivers_down(i); ++n) {
      const size_t k = next++;
      const uint32_t rule_index = c.driver_rule(k);
      if (rule_index >= static_cast<uint32_t>(c.rules_size())) {
        return absl::DataLossError(absl::StrCat("compact reply: driver ", k,
                                                " names rule ", rule_index,
                                                " of ", c.rules_size()));
      }
      const v1::CompactRule& rule = c.rules(rule_index);
      v1::Driver* d = n < c.drivers_up(i) ? s.add_top_drivers_up()
                                          : s.add_top_drivers_down();
      if (rule.dimension() >= 0)
        d->set_dimension(c.dimensions(rule.dimension()));
      d->set_rule_id(rule.rule_id());
      d->set_signal(rule.signal());
      d->set_impact(c.driver_impact(k));
      const double observed = c.driver_observed(k);
      const double threshold = c.driver_threshold(k);
      if (!std::isnan(observed)) d->set_observed(observed);
      if (!std::isnan(threshold)) d->set_threshold(threshold);
      double args[kArgs];
      for (int a = 0; a < kArgs; ++a) args[a] = c.driver_args(k * kArgs + a);
      for (int a = 0; a < rule.args_size() && a < kArgs; ++a) {
        d->add_args(args[a]);
      }
      if (sentences) {
        d->set_message(c.driver_message(k));
      } else if (absl::StartsWith(rule.rule_id(), "gate:")) {
        d->set_message(rule.text());  // a gate's message, as written
      } else if (templates[rule_index].ok) {
        templates[rule_index]
            .For(c.driver_impact(k))
            .Append(observed, threshold, args, *d->mutable_message());
      }
    }
  }
  for (const v1::CompactNote& note : c.notes()) {
    if (note.row() >= rows) {
      return absl::DataLossError(absl::StrCat("compact reply: a note for row ",
                                              note.row(), " of ", rows));
    }
    v1::CustomerResult& result = results[note.row()];
    switch (note.kind()) {
      case v1::CompactNote::KIND_ERROR:
        result.mutable_error()->set_code(std::atoi(note.code().c_str()));
        result.mutable_error()->set_message(note.message());
        break;
      case v1::CompactNote::KIND_STATUS:
        if (result.has_score() && note.dimension() >= 0 &&
            note.dimension() < result.score().dimensions_size()) {
          result.mutable_score()
              ->mutable_dimensions(note.dimension())
              ->set_status_reason(note.message());
        }
        break;
      case v1::CompactNote::KIND_WARNING:
        if (result.has_score()) {
          v1::Warning* w = result.mutable_score()->add_warnings();
          w->set_code(note.code());
          w->set_message(note.message());
          if (note.dimension() >= 0 &&
              note.dimension() < static_cast<int>(dims)) {
            w->set_dimension(c.dimensions(note.dimension()));
          }
        }
        break;
      default:
        break;
    }
  }
  return results;
}

}  // namespace healthscore::cli
