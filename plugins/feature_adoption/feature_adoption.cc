// The feature_adoption dimension's declarations, key_features parsing and
// scoring: see feature_adoption.h for the model.
#include "feature_adoption.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "plugins/common/dimension_util.h"

#ifndef HEALTHSCORE_PLUGIN_VERSION
#error \
    "HEALTHSCORE_PLUGIN_VERSION must be defined (healthscore_add_dimension does)"
#endif

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kAdoption[] = "feature_adoption_pct";
constexpr char kFeedback[] = "feature_feedback_positive_pct";
constexpr int kNumFixedSignals = 2;

constexpr char kKeyFeaturesParam[] = "key_features";
constexpr char kDefaultKeyFeatures[] = "reports:3,integrations:2,dashboards:1";
constexpr size_t kMaxNameLength = 40;
constexpr double kMaxFeatureWeight = 1000;

// Describe() declares these after key_features, in this order; the
// constructor reads them back.
constexpr ParamSpec kParams[] = {
    {"weight_key_features", 0.6, 0, 100,
     "Weight of the key-feature component (renormalized over the components "
     "present)"},
    {"weight_adoption", 0.3, 0, 100,
     "Weight of the overall feature-adoption component "
     "(feature_adoption_pct)"},
    {"weight_feedback", 0.1, 0, 100,
     "Weight of the feature-feedback component "
     "(feature_feedback_positive_pct)"},
    {"strong_min_score", 90, 0, 100,
     "At or above this score feature adoption is strong"},
    {"underutilized_below", 60, 0, 100,
     "Below this score the product is under-utilized and the dimension "
     "recommends training or product guidance; key features used by fewer "
     "than this percentage of active users are named in it"},
};

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

// YAML allows 'quoted' and "quoted" scalars; the quotes are not the name.
std::string_view Unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return Trim(text.substr(1, text.size() - 2));
  }
  return text;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// "35%": percentages in reason texts.
std::string Percent(double value) { return Num(value) + "%"; }

std::vector<sdk::Signal> FixedSignals() {
  return {
      {.name = kAdoption,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description = "Share of licensed features in use",
       .min = 0,
       .max = 100},
      {.name = kFeedback,
       .unit = "percent",
       .direction = sdk::Direction::kHigherIsBetter,
       .requirement = sdk::Requirement::kOptional,
       .description =
           "Share of the customer's feedback on features (in-app ratings, "
           "survey answers about features) in the last 90 days that is "
           "positive",
       .min = 0,
       .max = 100},
  };
}

sdk::Signal KeyFeatureSignal(const FeatureAdoption::KeyFeature& feature) {
  return {.name = feature.signal,
          .unit = "percent",
          .direction = sdk::Direction::kHigherIsBetter,
          .requirement = sdk::Requirement::kOptional,
          .description = "Share of the customer's active users who used the " +
                         feature.name +
                         " key feature in the last 30 days (key-feature "
                         "weight " +
                         Num(feature.weight) + ")",
          .min = 0,
          .max = 100};
}

}  // namespace

std::vector<FeatureAdoption::KeyFeature> FeatureAdoption::ParseKeyFeatures(
    std::string_view text) {
  // Drop YAML comments line by line: names cannot hold '#'.
  std::string cleaned;
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    line = line.substr(0, line.find('#'));
    cleaned.append(line);
    cleaned.push_back('\n');
    pos = end + 1;
  }
  std::string_view body = Trim(cleaned);
  // A YAML flow mapping or sequence: the brackets only group the entries.
  if (body.size() >= 2 && ((body.front() == '{' && body.back() == '}') ||
                           (body.front() == '[' && body.back() == ']'))) {
    body = Trim(body.substr(1, body.size() - 2));
  }

  std::vector<KeyFeature> features;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t end = body.find_first_of(",\n", pos);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view raw = Trim(body.substr(pos, end - pos));
    pos = end + 1;
    std::string_view entry = raw;
    // A YAML block sequence item: "- reports" or "- reports: 3".
    if (!entry.empty() && entry.front() == '-' &&
        (entry.size() == 1 || entry[1] == ' ' || entry[1] == '\t')) {
      entry = Trim(entry.substr(1));
    }
    if (entry.empty()) continue;

    const std::string where =
        std::string(kKeyFeaturesParam) + " entry " + Quoted(raw) + ": ";
    const size_t colon = entry.find(':');
    const std::string_view name = Unquote(Trim(entry.substr(0, colon)));
    if (!IsValidName(name)) {
      throw std::invalid_argument(
          where + "feature name " + Quoted(name) +
          " must start with a lowercase letter, hold only a-z, 0-9 and _, "
          "and be at most " +
          std::to_string(kMaxNameLength) +
          " characters (key_features takes name:weight pairs, e.g. " +
          kDefaultKeyFeatures + ")");
    }
    double weight = 1;
    if (colon != std::string_view::npos) {
      const std::string_view weight_text =
          Unquote(Trim(entry.substr(colon + 1)));
      const char* first = weight_text.data();
      // YAML reads "+3" as 3; from_chars takes no '+'.
      if (weight_text.size() > 1 && *first == '+') ++first;
      const char* last = weight_text.data() + weight_text.size();
      const auto [ptr, ec] = std::from_chars(first, last, weight);
      if (weight_text.empty() || ec != std::errc() || ptr != last) {
        throw std::invalid_argument(where + "weight " + Quoted(weight_text) +
                                    " is not a number");
      }
      if (!std::isfinite(weight) || weight <= 0 || weight > kMaxFeatureWeight) {
        throw std::invalid_argument(where + "weight " + Exact(weight) +
                                    " must be above 0 and at most " +
                                    Exact(kMaxFeatureWeight));
      }
    }
    for (const KeyFeature& seen : features) {
      if (seen.name == name) {
        throw std::invalid_argument(std::string(kKeyFeaturesParam) +
                                    " names feature " + Quoted(name) +
                                    " twice");
      }
    }
    if (features.size() == kMaxKeyFeatures) {
      throw std::invalid_argument(
          std::string(kKeyFeaturesParam) + " names more than " +
          std::to_string(kMaxKeyFeatures) + " key features");
    }
    features.push_back({.name = std::string(name),
                        .weight = weight,
                        .signal = "feature_" + std::string(name) + "_use_pct",
                        .rule_id = "key_feature_" + std::string(name)});
  }
  if (features.empty()) {
    throw std::invalid_argument(
        std::string(kKeyFeaturesParam) + " = " + Quoted(text) +
        " names no key feature: give name:weight pairs, e.g. " +
        kDefaultKeyFeatures);
  }
  return features;
}

sdk::Info FeatureAdoption::Describe() {
  sdk::Info info;
  info.name = "feature_adoption";
  info.version = HEALTHSCORE_PLUGIN_VERSION;
  info.description =
      "How much the customer uses the key features the scorecard names "
      "(weighted), overall feature adoption, and feedback on features";
  // The signals of an instance with the default key_features; an instance
  // reads feature_<name>_use_pct for the key features its scorecard names
  // (Signals()).
  info.signals = FixedSignals();
  for (const KeyFeature& feature : ParseKeyFeatures(kDefaultKeyFeatures)) {
    info.signals.push_back(KeyFeatureSignal(feature));
  }
  info.params = {{.name = kKeyFeaturesParam,
                  .default_value = 0,
                  .description =
                      "The key features and their weights, as name:weight "
                      "pairs (a YAML mapping or list also works); the "
                      "dimension reads feature_<name>_use_pct for each",
                  .min = sdk::kNone,
                  .max = sdk::kNone,
                  .kind = sdk::ParamKind::kText,
                  .default_text = kDefaultKeyFeatures}};
  for (sdk::Param& param : ParamDecls(kParams)) {
    info.params.push_back(std::move(param));
  }
  return info;
}

FeatureAdoption::FeatureAdoption(const sdk::Params& params)
    : key_features_(ParseKeyFeatures(params.GetText(kKeyFeaturesParam))),
      weight_key_features_(ReadParam(kParams, params, "weight_key_features")),
      weight_adoption_(ReadParam(kParams, params, "weight_adoption")),
      weight_feedback_(ReadParam(kParams, params, "weight_feedback")),
      strong_min_score_(ReadParam(kParams, params, "strong_min_score")),
      underutilized_below_(ReadParam(kParams, params, "underutilized_below")) {
  // Feedback alone says how people feel about features, not whether they use
  // them: it cannot carry the score.
  if (weight_key_features_ + weight_adoption_ <= 0) {
    throw std::invalid_argument(
        "weight_key_features and weight_adoption are both 0: at least one "
        "usage component must be positive");
  }
  if (underutilized_below_ > strong_min_score_) {
    throw std::invalid_argument(
        "underutilized_below = " + Exact(underutilized_below_) +
        " must not be above strong_min_score = " + Exact(strong_min_score_));
  }
  std::string names;
  if (weight_adoption_ > 0) names = kAdoption;
  if (weight_key_features_ > 0) {
    for (const KeyFeature& feature : key_features_) {
      names += (names.empty() ? "" : ", ") + feature.signal;
    }
  }
  no_data_message_ = "missing usage data: none of " + names +
                     " is present (at least one is required)";
}

std::vector<sdk::Signal> FeatureAdoption::Signals() const {
  std::vector<sdk::Signal> signals = FixedSignals();
  for (const KeyFeature& feature : key_features_) {
    signals.push_back(KeyFeatureSignal(feature));
  }
  return signals;
}

bool FeatureAdoption::Evaluate(const Row& row, Evaluation& eval) const {
  eval.has_adoption = !sdk::IsMissing(row.adoption) && weight_adoption_ > 0;
  eval.has_feedback = !sdk::IsMissing(row.feedback) && weight_feedback_ > 0;

  double key_weight_sum = 0;
  double key_weighted = 0;
  for (size_t f = 0; f < key_features_.size(); ++f) {
    eval.key_present[f] = !sdk::IsMissing(row.use[f]);
    if (!eval.key_present[f]) continue;
    key_weight_sum += key_features_[f].weight;
    key_weighted +=
        key_features_[f].weight * std::clamp(row.use[f], 0.0, 100.0);
  }
  eval.has_key = key_weight_sum > 0 && weight_key_features_ > 0;
  if (!eval.has_key && !eval.has_adoption) return false;

  const double total = (eval.has_key ? weight_key_features_ : 0) +
                       (eval.has_adoption ? weight_adoption_ : 0) +
                       (eval.has_feedback ? weight_feedback_ : 0);
  eval.key_share = eval.has_key ? weight_key_features_ / total : 0;
  eval.adoption_share = eval.has_adoption ? weight_adoption_ / total : 0;
  eval.feedback_share = eval.has_feedback ? weight_feedback_ / total : 0;

  double score = 0;
  if (eval.has_adoption) {
    score += eval.adoption_share * std::clamp(row.adoption, 0.0, 100.0);
  }
  if (eval.has_feedback) {
    score += eval.feedback_share * std::clamp(row.feedback, 0.0, 100.0);
  }
  if (eval.has_key) {
    score += eval.key_share * key_weighted / key_weight_sum;
    // Split the component's impact so each key feature gets its own reason:
    // sum_f (w_f / W) * (use_f - 50) == key sub-score - 50.
    for (size_t f = 0; f < key_features_.size(); ++f) {
      if (!eval.key_present[f]) continue;
      eval.key_impact[f] = eval.key_share *
                           (key_features_[f].weight / key_weight_sum) *
                           (std::clamp(row.use[f], 0.0, 100.0) - kBaseline);
    }
  }
  eval.score = std::clamp(score, 0.0, 100.0);
  return true;
}

void FeatureAdoption::Explain(uint32_t index, const Row& row,
                              const Evaluation& eval, sdk::Output& out) const {
  // With sub-scores equal to the percentages, the band marks say where each
  // percentage alone would put the customer.
  const auto versus = [this](double pct, double& threshold) -> std::string {
    if (pct >= strong_min_score_) {
      threshold = strong_min_score_;
      return "at or above the " + Percent(strong_min_score_) + " strong mark";
    }
    if (pct >= underutilized_below_) {
      threshold = strong_min_score_;
      return "below the " + Percent(strong_min_score_) + " strong mark";
    }
    threshold = underutilized_below_;
    return "below the " + Percent(underutilized_below_) +
           " under-utilized mark";
  };

  if (eval.has_key) {
    for (size_t f = 0; f < key_features_.size(); ++f) {
      if (!eval.key_present[f]) continue;
      const KeyFeature& feature = key_features_[f];
      double threshold = 0;
      std::string message = "Key feature " + feature.name + " (weight " +
                            Num(feature.weight) + ") is used by " +
                            Percent(row.use[f]) + " of active users, " +
                            versus(row.use[f], threshold);
      out.AddReason(index, {.rule_id = feature.rule_id,
                            .signal = feature.signal,
                            .observed = row.use[f],
                            .threshold = threshold,
                            .impact = eval.key_impact[f],
                            .message = std::move(message)});
    }
  }
  if (eval.has_adoption) {
    double threshold = 0;
    std::string message = Percent(row.adoption) +
                          " of licensed features are in use, " +
                          versus(row.adoption, threshold);
    out.AddReason(index,
                  {.rule_id = "feature_adoption",
                   .signal = kAdoption,
                   .observed = row.adoption,
                   .threshold = threshold,
                   .impact = eval.adoption_share *
                             (std::clamp(row.adoption, 0.0, 100.0) - kBaseline),
                   .message = std::move(message)});
  }
  if (eval.has_feedback) {
    out.AddReason(
        index,
        {.rule_id = "feature_feedback",
         .signal = kFeedback,
         .observed = row.feedback,
         .threshold = kBaseline,
         .impact = eval.feedback_share *
                   (std::clamp(row.feedback, 0.0, 100.0) - kBaseline),
         .message = Percent(row.feedback) +
                    " of feedback on features is positive (" +
                    (row.feedback >= kBaseline ? "at or above" : "below") +
                    " the 50% neutral mark)"});
  }

  if (eval.score >= strong_min_score_) {
    out.AddReason(
        index, BandReason("strong_adoption", "Feature adoption", eval.score,
                          "at or above", strong_min_score_, "strong adoption"));
  } else if (eval.score < underutilized_below_) {
    out.AddReason(index, BandReason("underutilized", "Feature adoption",
                                    eval.score, "below", underutilized_below_,
                                    "the product is under-utilized"));
    // Name the key features to train on: those used by fewer than the mark.
    std::string weak;
    if (eval.has_key) {
      for (size_t f = 0; f < key_features_.size(); ++f) {
        if (!eval.key_present[f] || row.use[f] >= underutilized_below_) {
          continue;
        }
        weak += (weak.empty() ? "" : ", ") + key_features_[f].name + " (" +
                Percent(row.use[f]) + ")";
      }
    }
    out.AddAction(index,
                  weak.empty()
                      ? "Offer training or product guidance on unused features"
                      : "Offer training or product guidance on the under-used "
                        "key features: " +
                            weak);
  }
}

void FeatureAdoption::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns by name once per batch; the loop below only indexes.
  const std::span<const double> adoption = batch.Column(kAdoption);
  const std::span<const double> feedback = batch.Column(kFeedback);
  std::span<const double> use[kMaxKeyFeatures];
  const size_t num_features = key_features_.size();
  for (size_t f = 0; f < num_features; ++f) {
    use[f] = batch.Column(key_features_[f].signal);
  }
  const bool explain = out.WantsExplanation();

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    Row row;
    row.adoption = adoption[i];
    row.feedback = feedback[i];
    // The host refuses infinities; this guards a host that does not.
    const char* infinite =
        LastInfinite({{row.adoption, kAdoption}, {row.feedback, kFeedback}});
    for (size_t f = 0; f < num_features; ++f) {
      row.use[f] = use[f][i];
      if (std::isinf(row.use[f])) infinite = key_features_[f].signal.c_str();
    }
    if (FailIfInfinite(out, i, infinite)) continue;

    Evaluation eval;
    if (!Evaluate(row, eval)) {
      MarkInsufficientData(out, i, no_data_message_);
      continue;
    }
    if (SetFiniteScore(out, i, eval.score) && explain) {
      Explain(i, row, eval, out);
    }
  }
}

}  // namespace healthscore::plugins
