// The feature_adoption dimension's declarations, key_features parsing and
// scoring: see feature_adoption.h.
#include "feature_adoption.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <system_error>

namespace healthscore::plugins {
namespace {

namespace sdk = ::healthscore::sdk;

constexpr char kDefaultKeyFeatures[] = "reports:3,integrations:2,dashboards:1";
constexpr size_t kMaxNameLength = 40;
constexpr double kMaxFeatureWeight = 1000;
constexpr size_t kNumFixedSignals = 2;  // adoption, feedback

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
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

// A key feature's weight in a sentence or description: "3", "0.25".
std::string Weight(double weight) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", weight);
  return buf;
}

std::string SignalName(const FeatureAdoption::KeyFeature& f) {
  return "feature_" + f.name + "_use_pct";
}

// "Key feature reports (weight 3)": the subject of its sentences.
std::string Subject(const FeatureAdoption::KeyFeature& f) {
  return "Key feature " + f.name + " (weight " + Weight(f.weight) + ")";
}

std::vector<sdk::Signal> SignalsFor(
    const std::vector<FeatureAdoption::KeyFeature>& features) {
  std::vector<sdk::Signal> signals = {
      {.name = "feature_adoption_pct",
       .unit = "percent",
       .requirement = sdk::Requirement::kOptional,
       .description = "Share of licensed features in use",
       .min = 0,
       .max = 100},
      {.name = "feature_feedback_positive_pct",
       .unit = "percent",
       .requirement = sdk::Requirement::kOptional,
       .description = "Share of the customer's feedback on features (in-app "
                      "ratings, survey answers about features) in the last 90 "
                      "days that is positive",
       .min = 0,
       .max = 100}};
  for (const FeatureAdoption::KeyFeature& f : features) {
    signals.push_back(
        {.name = SignalName(f),
         .unit = "percent",
         .requirement = sdk::Requirement::kOptional,
         .description = "Share of the customer's active users who used the " +
                        f.name +
                        " key feature in the last 30 days (key-feature "
                        "weight " +
                        Weight(f.weight) + ")",
         .min = 0,
         .max = 100});
  }
  return signals;
}

// In the order of enum Rule, then key_feature_<name> per key feature.
std::vector<sdk::Rule> RulesFor(
    const std::vector<FeatureAdoption::KeyFeature>& features) {
  std::vector<sdk::Rule> rules = {
      {.id = "feature_adoption",
       .signal = "feature_adoption_pct",
       .raises = "{observed} of licensed features are in use, more than half",
       .lowers = "Only {observed} of licensed features are in use, less than "
                 "half",
       .text = "{observed} of licensed features are in use, exactly half"},
      {.id = "feature_feedback",
       .signal = "feature_feedback_positive_pct",
       .raises = "{observed} of feedback on features is positive, more than "
                 "half",
       .lowers = "Only {observed} of feedback on features is positive, less "
                 "than half",
       .text = "{observed} of feedback on features is positive, exactly half"},
      {.id = "strong_adoption",
       .text = "Feature adoption {observed:score} is at or above "
               "{threshold:score}: strong adoption"},
      {.id = "underutilized",
       .text = "Feature adoption {observed:score} is below {threshold:score}: "
               "the product is under-utilized"}};
  for (const FeatureAdoption::KeyFeature& f : features) {
    const std::string subject = Subject(f);
    rules.push_back(
        {.id = "key_feature_" + f.name,
         .signal = SignalName(f),
         .raises = subject + " is used by {observed} of active users, more "
                             "than half",
         .lowers = subject + " is used by only {observed} of active users, "
                             "less than half",
         .text = subject + " is used by {observed} of active users, exactly "
                           "half"});
  }
  return rules;
}

std::vector<sdk::Action> ActionsFor(
    const std::vector<FeatureAdoption::KeyFeature>& features) {
  std::vector<sdk::Action> actions = {
      {.id = "offer_training",
       .text = "Offer training or product guidance on unused features"}};
  for (const FeatureAdoption::KeyFeature& f : features) {
    actions.push_back({.id = "train_key_feature_" + f.name,
                       .text = "Offer training or product guidance on the "
                               "under-used key feature " +
                               f.name + " ({use:percent} of active users)",
                       .args = {"use"}});
  }
  return actions;
}

}  // namespace

std::vector<FeatureAdoption::KeyFeature> FeatureAdoption::ParseKeyFeatures(
    std::string_view text) {
  // Drop YAML comments line by line: names cannot hold '#'.
  std::string cleaned;
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    cleaned.append(line.substr(0, line.find('#'))).push_back('\n');
    pos = end + 1;
  }
  std::string_view body = Trim(cleaned);
  // A YAML flow mapping or sequence: the brackets only group the entries.
  if (body.size() >= 2 && ((body.front() == '{' && body.back() == '}') ||
                           (body.front() == '[' && body.back() == ']'))) {
    body = Trim(body.substr(1, body.size() - 2));
  }

  std::vector<KeyFeature> features;
  for (size_t pos = 0; pos <= body.size();) {
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

    const std::string where = "key_features entry " + Quoted(raw) + ": ";
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
        throw std::invalid_argument(where + "weight " + sdk::Exact(weight) +
                                    " must be above 0 and at most " +
                                    sdk::Exact(kMaxFeatureWeight));
      }
    }
    for (const KeyFeature& seen : features) {
      if (seen.name == name) {
        throw std::invalid_argument("key_features names feature " +
                                    Quoted(name) + " twice");
      }
    }
    if (features.size() == kMaxKeyFeatures) {
      throw std::invalid_argument("key_features names more than " +
                                  std::to_string(kMaxKeyFeatures) +
                                  " key features");
    }
    features.push_back({.name = std::string(name), .weight = weight});
  }
  if (features.empty()) {
    throw std::invalid_argument(
        "key_features = " + Quoted(text) +
        " names no key feature: give name:weight pairs, e.g. " +
        kDefaultKeyFeatures);
  }
  return features;
}

std::vector<sdk::Setting<FeatureAdoption>> FeatureAdoption::Settings() {
  using F = FeatureAdoption;
  return {
      {&F::key_features_text_,
       {.name = "key_features",
        .description = "The key features and their weights, as name:weight "
                       "pairs (a YAML mapping or list also works); the "
                       "dimension reads feature_<name>_use_pct for each"}},
      {&F::weight_key_features_,
       {.name = "weight_key_features",
        .description = "Weight of the key-feature component (renormalized "
                       "over the components present)",
        .min = 0,
        .max = 100}},
      {&F::weight_adoption_,
       {.name = "weight_adoption",
        .description = "Weight of the overall feature-adoption component "
                       "(feature_adoption_pct)",
        .min = 0,
        .max = 100}},
      {&F::weight_feedback_,
       {.name = "weight_feedback",
        .description = "Weight of the feature-feedback component "
                       "(feature_feedback_positive_pct)",
        .min = 0,
        .max = 100}},
      {&F::strong_min_score_,
       {.name = "strong_min_score",
        .description = "At or above this score feature adoption is strong",
        .min = 0,
        .max = 100}},
      {&F::underutilized_below_,
       {.name = "underutilized_below",
        .description = "Below this score the product is under-utilized and "
                       "the dimension recommends training or product "
                       "guidance; key features used by fewer than this "
                       "percentage of active users are named in it",
        .min = 0,
        .max = 100}},
  };
}

sdk::Info FeatureAdoption::Describe() {
  const std::vector<KeyFeature> features =
      ParseKeyFeatures(kDefaultKeyFeatures);
  sdk::Info info{
      .description =
          "How much the customer uses the key features the scorecard names "
          "(weighted), overall feature adoption, and feedback on features",
      .signals = SignalsFor(features),
      .rules = RulesFor(features),
      .actions = ActionsFor(features)};
  // The members' initializers are the defaults: written once.
  const FeatureAdoption defaults;
  for (const sdk::Setting<FeatureAdoption>& s : Settings()) {
    sdk::Param p = s.param;
    if (s.number != nullptr) p.default_value = defaults.*(s.number);
    if (s.text != nullptr) p.default_text = defaults.*(s.text);
    info.params.push_back(std::move(p));
  }
  return info;
}

FeatureAdoption::FeatureAdoption(const sdk::Params& params) {
  sdk::BindParams(Settings(), params, *this);
  key_features_ = ParseKeyFeatures(key_features_text_);
  // Feedback alone says how people feel about features, not whether they use
  // them: it cannot carry the score.
  if (weight_key_features_ + weight_adoption_ <= 0) {
    throw std::invalid_argument(
        "weight_key_features and weight_adoption are both 0: at least one "
        "usage component must be positive");
  }
  if (underutilized_below_ > strong_min_score_) {
    throw std::invalid_argument(
        "underutilized_below = " + sdk::Exact(underutilized_below_) +
        " must not be above strong_min_score = " +
        sdk::Exact(strong_min_score_));
  }
  std::string names = weight_adoption_ > 0 ? "feature_adoption_pct" : "";
  if (weight_key_features_ > 0) {
    for (const KeyFeature& f : key_features_) {
      names += (names.empty() ? "" : ", ") + SignalName(f);
    }
  }
  no_data_message_ = "missing usage data: none of " + names +
                     " is present (at least one is required)";
}

std::vector<sdk::Signal> FeatureAdoption::Signals() const {
  return SignalsFor(key_features_);
}
std::vector<sdk::Rule> FeatureAdoption::Rules() const {
  return RulesFor(key_features_);
}
std::vector<sdk::Action> FeatureAdoption::Actions() const {
  return ActionsFor(key_features_);
}

void FeatureAdoption::Score(const sdk::Batch& batch, sdk::Output& out) const {
  // Columns in Signals() order, once per batch; the loop below only indexes.
  const std::span<const double> adoption_column = batch.Column(size_t{0});
  const std::span<const double> feedback_column = batch.Column(size_t{1});
  const size_t num_features = key_features_.size();
  std::array<std::span<const double>, kMaxKeyFeatures> use_column;
  for (size_t f = 0; f < num_features; ++f) {
    use_column[f] = batch.Column(kNumFixedSignals + f);
  }
  std::array<double, kMaxKeyFeatures> use{};

  for (uint32_t i = 0; i < batch.num_rows(); ++i) {
    const double adoption = adoption_column[i];
    const double feedback = feedback_column[i];
    const bool has_adoption = !sdk::IsMissing(adoption) && weight_adoption_ > 0;
    const bool has_feedback = !sdk::IsMissing(feedback) && weight_feedback_ > 0;
    double key_weight_sum = 0;
    double key_weighted = 0;
    for (size_t f = 0; f < num_features; ++f) {
      use[f] = use_column[f][i];
      if (sdk::IsMissing(use[f])) continue;
      key_weight_sum += key_features_[f].weight;
      key_weighted += key_features_[f].weight * std::clamp(use[f], 0.0, 100.0);
    }
    const bool has_key = key_weight_sum > 0 && weight_key_features_ > 0;
    if (!has_key && !has_adoption) {
      out.SetInsufficientData(i, no_data_message_);
      continue;
    }

    const double total = (has_key ? weight_key_features_ : 0) +
                         (has_adoption ? weight_adoption_ : 0) +
                         (has_feedback ? weight_feedback_ : 0);
    const double key_share = has_key ? weight_key_features_ / total : 0;
    const double adoption_share = has_adoption ? weight_adoption_ / total : 0;
    const double feedback_share = has_feedback ? weight_feedback_ / total : 0;
    const double adoption_sub = std::clamp(adoption, 0.0, 100.0);
    const double feedback_sub = std::clamp(feedback, 0.0, 100.0);
    double sum = 0;
    if (has_adoption) sum += adoption_share * adoption_sub;
    if (has_feedback) sum += feedback_share * feedback_sub;
    if (has_key) sum += key_share * key_weighted / key_weight_sum;
    const double score = std::clamp(sum, 0.0, 100.0);
    out.SetScore(i, score);
    if (!out.WantsExplanation()) continue;

    // The key-feature component's impact, split by the features' weights:
    // sum_f (w_f / W) * (use_f - 50) == key sub-score - 50.
    for (size_t f = 0; has_key && f < num_features; ++f) {
      if (sdk::IsMissing(use[f])) continue;
      out.Reason(i, static_cast<uint32_t>(kFirstKeyFeature + f),
                 key_share * (key_features_[f].weight / key_weight_sum) *
                     (std::clamp(use[f], 0.0, 100.0) - sdk::kNeutral),
                 {.observed = use[f], .threshold = sdk::kNeutral});
    }
    if (has_adoption) {
      out.Reason(i, kAdoption, adoption_share * (adoption_sub - sdk::kNeutral),
                 {.observed = adoption, .threshold = sdk::kNeutral});
    }
    if (has_feedback) {
      out.Reason(i, kFeedback, feedback_share * (feedback_sub - sdk::kNeutral),
                 {.observed = feedback, .threshold = sdk::kNeutral});
    }
    if (score >= strong_min_score_) {
      out.Reason(i, kStrong, 0,
                 {.observed = score, .threshold = strong_min_score_});
    } else if (score < underutilized_below_) {
      out.Reason(i, kUnderutilized, 0,
                 {.observed = score, .threshold = underutilized_below_});
      // Train on the key features used by fewer than the mark.
      bool named = false;
      for (size_t f = 0; has_key && f < num_features; ++f) {
        if (sdk::IsMissing(use[f]) || use[f] >= underutilized_below_) continue;
        out.Action(i, static_cast<uint32_t>(kFirstTrainKeyFeature + f),
                   {use[f]});
        named = true;
      }
      if (!named) out.Action(i, kOfferTraining);
    }
  }
}

}  // namespace healthscore::plugins
