// The SDK's C++ layer, driven through the C table it builds, as a host would;
// and the host's sentence templates (server/plugin/wording.h).
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthscore/sdk/dimension.h"
#include "server/plugin/wording.h"

namespace {

namespace sdk = healthscore::sdk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A batch-level dimension: doubles v; throws on 13; refuses threshold < 0;
// 99 writes a row past the batch, 98 a reason for an undeclared rule.
class Doubler : public sdk::Dimension {
 public:
  static sdk::Info Describe() {
    return {.name = "doubler",
            .version = "2.1.0",
            .description = "test",
            .signals = {{.name = "v", .unit = "count", .min = 0},
                        {.name = "w",
                         .unit = "percent",
                         .direction = sdk::Direction::kLowerIsBetter,
                         .requirement = sdk::Requirement::kOptional,
                         .min = 0,
                         .max = 100,
                         .typical_min = 10,
                         .typical_max = 20}},
            .params = {{.name = "threshold", .default_value = 10, .min = 0}},
            .rules = {{.id = "double",
                       .signal = "v",
                       .raises = "v is {observed}",
                       .lowers = "v is only {observed}",
                       .args = {"twice"}}},
            .actions = {{.id = "act", .text = "act on {n}", .args = {"n"}}}};
  }
  explicit Doubler(const sdk::Params& params)
      : threshold_(params.Get("threshold")) {
    if (threshold_ < 0) throw std::invalid_argument("threshold is negative");
  }
  void Score(const sdk::Batch& batch, sdk::Output& out) const override {
    auto v = batch.Column("v");
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      if (v[row] == 13) throw std::runtime_error("unlucky 13");
      if (v[row] == 99) out.SetScore(row + 1000, 0);
      if (v[row] == 98) out.Reason(row, 7, 1);
      out.SetScore(row, 2 * v[row]);
      out.Reason(row, 0, 2 * v[row] - 50,
                 {.observed = v[row], .threshold = threshold_,
                  .args = {2 * v[row]}});
      out.Action(row, 0, {v[row]});
    }
  }

 private:
  double threshold_;
};

// What the plugin sends through the host: statuses, an error, and records
// in arrays the host grows on request.
struct Host {
  std::string error;
  std::vector<std::string> statuses;
  std::vector<hs_reason_record> reasons = std::vector<hs_reason_record>(1);
  std::vector<hs_action_record> actions = std::vector<hs_action_record>(1);
  int grows = 0;

  static Host& Of(void* ctx) { return *static_cast<Host*>(ctx); }
  static int32_t Grow(void* ctx, hs_output* out, int32_t which) {
    Host& h = Of(ctx);
    ++h.grows;
    if (which == 0) {
      h.reasons.resize(2 * h.reasons.size());
      out->reasons = h.reasons.data();
      out->reasons_capacity = static_cast<uint32_t>(h.reasons.size());
    } else {
      h.actions.resize(2 * h.actions.size());
      out->actions = h.actions.data();
      out->actions_capacity = static_cast<uint32_t>(h.actions.size());
    }
    return 1;
  }
  static void Status(void* ctx, uint32_t row, hs_status s, const char* m) {
    Of(ctx).statuses.push_back(std::to_string(row) + ":" + std::to_string(s) +
                               ":" + m);
  }
  static void Error(void* ctx, const char* m) { Of(ctx).error = m; }

  hs_output Output(double* scores, bool explain) {
    return {scores,         explain ? 1 : 0, reasons.data(), 0,
            1,              actions.data(),  0,              1};
  }
};
const hs_host_api kHost = {sizeof(hs_host_api), &Host::Grow, &Host::Status,
                           &Host::Error};

template <typename T>
const hs_plugin_v2& Api() {
  return *sdk::internal::Adapter<T>::Entry();
}

hs_instance* Create(double threshold, Host& host) {
  hs_param_value params[] = {{"threshold", threshold, nullptr}};
  hs_instance* instance = nullptr;
  EXPECT_EQ(Api<Doubler>().create(params, 1, &kHost, &host, &instance), HS_OK)
      << host.error;
  return instance;
}

TEST(SdkLayer, DescribesItselfAsPlainData) {
  const hs_plugin_v2& api = Api<Doubler>();
  EXPECT_EQ(api.struct_size, sizeof(hs_plugin_v2));
  EXPECT_STREQ(api.name, "doubler");
  EXPECT_STREQ(api.version, "2.1.0");
  ASSERT_EQ(api.num_signals, 2u);
  EXPECT_STREQ(api.signals[0].name, "v");
  EXPECT_EQ(api.signals[0].higher_is_better, 1);
  EXPECT_EQ(api.signals[0].required, 1);
  EXPECT_EQ(api.signals[0].min_value, 0);
  EXPECT_TRUE(std::isnan(api.signals[0].max_value));
  EXPECT_TRUE(std::isnan(api.signals[0].typical_min));
  EXPECT_EQ(api.signals[1].higher_is_better, 0);
  EXPECT_EQ(api.signals[1].required, 0);
  EXPECT_EQ(api.signals[1].max_value, 100);
  EXPECT_EQ(api.signals[1].typical_max, 20);
  ASSERT_EQ(api.num_params, 1u);
  EXPECT_STREQ(api.params[0].name, "threshold");
  EXPECT_EQ(api.params[0].default_value, 10);
  ASSERT_EQ(api.num_rules, 1u);
  EXPECT_STREQ(api.rules[0].id, "double");
  EXPECT_STREQ(api.rules[0].signal, "v");
  EXPECT_EQ(api.rules[0].unit, nullptr);  // the signal's
  EXPECT_STREQ(api.rules[0].raises, "v is {observed}");
  EXPECT_EQ(api.rules[0].text, nullptr);
  EXPECT_STREQ(api.rules[0].args[0], "twice");
  EXPECT_EQ(api.rules[0].args[1], nullptr);
  ASSERT_EQ(api.num_actions, 1u);
  EXPECT_STREQ(api.actions[0].text, "act on {n}");
}

TEST(SdkLayer, WritesScoresAndRecordsIntoTheHostsArrays) {
  Host host;
  hs_instance* instance = Create(10, host);
  const double v[] = {1, 20, 30};
  const double w[] = {NAN, NAN, NAN};
  const double* columns[] = {v, w};
  const hs_batch batch{3, 2, columns};
  double scores[3] = {-1, -1, -1};
  hs_output out = host.Output(scores, true);
  ASSERT_EQ(Api<Doubler>().score_batch(instance, &batch, &out, &kHost, &host),
            HS_OK)
      << host.error;
  EXPECT_EQ(scores[0], 2);
  EXPECT_EQ(scores[2], 60);
  ASSERT_EQ(out.num_reasons, 3u);
  EXPECT_GE(host.grows, 2);  // capacity 1 to start with: grown on demand
  EXPECT_EQ(out.reasons, host.reasons.data());
  EXPECT_EQ(out.reasons[2].row, 2u);
  EXPECT_EQ(out.reasons[2].rule, 0u);
  EXPECT_EQ(out.reasons[2].impact, 10);
  EXPECT_EQ(out.reasons[2].observed, 30);
  EXPECT_EQ(out.reasons[2].threshold, 10);
  EXPECT_EQ(out.reasons[2].args[0], 60);
  EXPECT_EQ(out.reasons[2].args[1], 0);  // not given: zero-initialized
  ASSERT_EQ(out.num_actions, 3u);
  EXPECT_EQ(out.actions[1].row, 1u);
  EXPECT_EQ(out.actions[1].args[0], 20);
  Api<Doubler>().destroy(instance);
}

TEST(SdkLayer, SkipsExplanationsWhenTheHostWantsNone) {
  Host host;
  hs_instance* instance = Create(10, host);
  const double v[] = {5};
  const double w[] = {NAN};
  const double* columns[] = {v, w};
  const hs_batch batch{1, 2, columns};
  double scores[1];
  hs_output out = host.Output(scores, false);
  ASSERT_EQ(Api<Doubler>().score_batch(instance, &batch, &out, &kHost, &host),
            HS_OK);
  EXPECT_EQ(scores[0], 10);
  EXPECT_EQ(out.num_reasons, 0u);
  EXPECT_EQ(out.num_actions, 0u);
  Api<Doubler>().destroy(instance);
}

hs_result ScoreOne(double value, Host& host) {
  hs_instance* instance = Create(10, host);
  const double v[] = {value};
  const double w[] = {NAN};
  const double* columns[] = {v, w};
  const hs_batch batch{1, 2, columns};
  double scores[1];
  hs_output out = host.Output(scores, true);
  const hs_result result =
      Api<Doubler>().score_batch(instance, &batch, &out, &kHost, &host);
  Api<Doubler>().destroy(instance);
  return result;
}

TEST(SdkLayer, CatchesExceptionsFromScoreAndReportsThem) {
  Host host;
  EXPECT_EQ(ScoreOne(13, host), HS_ERROR);
  EXPECT_EQ(host.error, "unlucky 13");
}

TEST(SdkLayer, ABadRowIndexIsAnErrorNotAWildWrite) {
  Host host;
  EXPECT_EQ(ScoreOne(99, host), HS_ERROR);
  EXPECT_THAT(host.error, HasSubstr("row 1000 of a batch with 1"));
}

TEST(SdkLayer, AnUndeclaredRuleIsAnError) {
  Host host;
  EXPECT_EQ(ScoreOne(98, host), HS_ERROR);
  EXPECT_EQ(host.error, "rule 7 of 1 declared");
}

TEST(SdkLayer, ConstructorExceptionsBecomeCreateErrors) {
  Host host;
  hs_param_value params[] = {{"threshold", -1, nullptr}};
  hs_instance* instance = nullptr;
  EXPECT_EQ(Api<Doubler>().create(params, 1, &kHost, &host, &instance),
            HS_ERROR);
  EXPECT_EQ(instance, nullptr);
  EXPECT_EQ(host.error, "threshold is negative");
}

TEST(SdkLayer, AnUndeclaredParameterIsACreateError) {
  Host host;
  hs_instance* instance = nullptr;
  EXPECT_EQ(Api<Doubler>().create(nullptr, 0, &kHost, &host, &instance),
            HS_ERROR);
  EXPECT_EQ(host.error, "unknown parameter 'threshold'");
}

// A row-level dimension: parameters bound to members (defaults from their
// initializers), Init() checks, the SDK's loop.
struct PairRow {
  double a;
  double b;
};
class Pair : public sdk::RowDimension<Pair, PairRow> {
 public:
  static Declaration Declare() {
    return {.description = "a + b, from 50",
            .signals = {{&PairRow::a, {.name = "a", .min = 0, .max = 50}},
                        {&PairRow::b,
                         {.name = "b",
                          .requirement = sdk::Requirement::kOptional,
                          .min = -50,
                          .max = 0}}},
            .params = {{&Pair::cap_, {.name = "cap", .min = 0, .max = 100}},
                       {&Pair::label_, {.name = "label"}}},
            .rules = {{.id = "a", .signal = "a", .text = "a is {observed}"},
                      {.id = "b", .signal = "b", .text = "b is {observed}"}}};
  }
  void Init() {
    if (label_ == "refuse") throw std::invalid_argument("label is refuse");
  }
  void Evaluate(const PairRow& row, sdk::RowOutput& out) const {
    if (row.a == 7) return;  // sets no score: the SDK fails the row
    if (row.a == 8) return out.InsufficientData("eight");
    out.Score(std::min(cap_, 50 + row.a + (std::isnan(row.b) ? 0 : row.b)));
    out.Reason(0, row.a, {.observed = row.a});
    if (!std::isnan(row.b)) out.Reason(1, row.b, {.observed = row.b});
  }

 private:
  double cap_ = 90;
  std::string label_ = "plain";
};

TEST(SdkRowDimension, DefaultsComeFromTheMembersInitializers) {
  const hs_plugin_v2& api = Api<Pair>();
  ASSERT_EQ(api.num_params, 2u);
  EXPECT_STREQ(api.params[0].name, "cap");
  EXPECT_EQ(api.params[0].default_value, 90);
  EXPECT_EQ(api.params[0].kind, HS_PARAM_NUMBER);
  EXPECT_STREQ(api.params[1].name, "label");
  EXPECT_EQ(api.params[1].kind, HS_PARAM_TEXT);
  EXPECT_STREQ(api.params[1].default_text, "plain");
  ASSERT_EQ(api.num_signals, 2u);
  EXPECT_STREQ(api.signals[1].name, "b");
}

hs_instance* CreatePair(double cap, const char* label, Host& host) {
  hs_param_value params[] = {{"cap", cap, nullptr}, {"label", 0, label}};
  hs_instance* instance = nullptr;
  Api<Pair>().create(params, 2, &kHost, &host, &instance);
  return instance;
}

TEST(SdkRowDimension, BindsParametersAndRunsTheRowLoop) {
  Host host;
  hs_instance* instance = CreatePair(60, "x", host);
  ASSERT_NE(instance, nullptr) << host.error;
  const double a[] = {10, 20, 7, 8};
  const double b[] = {-5, NAN, 0, 0};
  const double* columns[] = {a, b};
  const hs_batch batch{4, 2, columns};
  double scores[4] = {-1, -1, -1, -1};
  hs_output out = host.Output(scores, true);
  ASSERT_EQ(Api<Pair>().score_batch(instance, &batch, &out, &kHost, &host),
            HS_OK);
  EXPECT_EQ(scores[0], 55);
  EXPECT_EQ(scores[1], 60);  // 70 capped at the bound cap
  EXPECT_THAT(host.statuses,
              ElementsAre("2:2:the dimension set no score for this row",
                          "3:1:eight"));
  EXPECT_EQ(out.num_reasons, 3u);
  Api<Pair>().destroy(instance);
}

TEST(SdkRowDimension, RefusesOutOfRangeParametersAndWhatInitRefuses) {
  Host host;
  EXPECT_EQ(CreatePair(NAN, "x", host), nullptr);
  EXPECT_EQ(host.error, "parameter cap = nan is outside [0, 100]");
  EXPECT_EQ(CreatePair(10, "refuse", host), nullptr);
  EXPECT_EQ(host.error, "label is refuse");
}

}  // namespace

namespace healthscore {
namespace {

std::string Fill(const std::string& text, std::vector<std::string> args,
                 const std::string& unit, double observed, double threshold,
                 std::vector<double> values = {}) {
  absl::StatusOr<Wording> w = Wording::Compile(text, args, unit, true);
  if (!w.ok()) return "error: " + std::string(w.status().message());
  values.resize(HS_MAX_ARGS, NAN);
  std::string out;
  w->Append(observed, threshold, values.data(), out);
  return out;
}

TEST(Wording, FormatsByUnitAndByPlaceholderFormat) {
  EXPECT_EQ(Fill("CSAT {observed}", {}, "percent", 60.84, 0), "CSAT 60.8%");
  EXPECT_EQ(Fill("{observed} late", {}, "days", 1, 0), "1 day late");
  EXPECT_EQ(Fill("{observed} late", {}, "days", 12, 0), "12 days late");
  EXPECT_EQ(Fill("ARR {observed}", {}, "usd", 1234567.4, 0), "ARR $1,234,567");
  EXPECT_EQ(Fill("NPS {observed}", {}, "nps", 40, 0), "NPS +40");
  EXPECT_EQ(Fill("{observed:abs} down", {}, "", -3.25, 0), "3.2 down");
  EXPECT_EQ(Fill("{n:plural:touchpoint}", {"n"}, "", 0, 0, {1}),
            "1 touchpoint");
  EXPECT_EQ(Fill("{n:plural:touchpoint}", {"n"}, "", 0, 0, {4}),
            "4 touchpoints");
  EXPECT_EQ(Fill("{observed:points} vs {threshold:ratio}", {}, "", 2, 0.856),
            "2 points vs 0.86");
  EXPECT_EQ(Fill("{{literal}} {observed}", {}, "", NAN, 0), "{literal} n/a");
}

TEST(Wording, RefusesWhatItCannotResolve) {
  EXPECT_EQ(Fill("{obsrved}", {"prev"}, "", 0, 0),
            "error: unknown placeholder {obsrved} (known: observed, "
            "threshold, prev)");
  EXPECT_EQ(Fill("{observed:pct}", {}, "", 0, 0),
            "error: unknown format 'pct' in {observed:pct} (known: number, "
            "count, score, percent, points, days, months, hours, usd, signed, "
            "abs, flag, ratio, plural:<noun>)");
  EXPECT_EQ(Fill("oops {observed", {}, "", 0, 0),
            "error: unclosed '{' at offset 5");
}

}  // namespace
}  // namespace healthscore
