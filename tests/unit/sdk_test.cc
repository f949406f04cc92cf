// The SDK's C++ layer, driven through the C table it builds, as a host would.
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthscore/sdk/dimension.h"

namespace {

namespace sdk = healthscore::sdk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Doubles each value of `v`; throws on 13; refuses threshold < 0.
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
                         .max = 100}},
            .params = {{.name = "threshold", .default_value = 10, .min = 0}}};
  }
  explicit Doubler(const sdk::Params& params)
      : threshold_(params.Get("threshold")) {
    if (threshold_ < 0) throw std::invalid_argument("threshold is negative");
  }
  void Score(const sdk::Batch& batch, sdk::Output& out) const override {
    auto v = batch.Column("v");
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      if (sdk::IsMissing(v[row])) {
        out.SetInsufficientData(row, "missing signal v");
        continue;
      }
      if (v[row] == 13) throw std::runtime_error("unlucky 13");
      if (v[row] == 99) {
        out.SetScore(row + 1000, 0);  // a bad row index: caught, reported
      }
      out.SetScore(row, 2 * v[row]);
      out.AddReason(row, {.rule_id = "double",
                          .signal = "v",
                          .observed = v[row],
                          .threshold = threshold_,
                          .impact = v[row],
                          .message = "doubled"});
      out.AddAction(row, "act");
    }
  }

 private:
  double threshold_;
};

// Records what the plugin sends through the host callbacks.
struct Host {
  bool explain = true;
  std::string error;
  std::vector<std::string> reasons;
  std::vector<std::string> actions;
  std::vector<std::string> statuses;

  static Host& Of(void* ctx) { return *static_cast<Host*>(ctx); }
  static int32_t Wants(void* ctx) { return Of(ctx).explain ? 1 : 0; }
  static void Reason(void* ctx, uint32_t row, const hs_reason* r) {
    Of(ctx).reasons.push_back(std::to_string(row) + ":" + r->rule_id + ":" +
                              r->signal + ":" + std::to_string(r->impact));
  }
  static void Action(void* ctx, uint32_t row, const char* a) {
    Of(ctx).actions.push_back(std::to_string(row) + ":" + a);
  }
  static void Status(void* ctx, uint32_t row, hs_status s, const char* m) {
    Of(ctx).statuses.push_back(std::to_string(row) + ":" + std::to_string(s) +
                               ":" + m);
  }
  static void Error(void* ctx, const char* m) { Of(ctx).error = m; }
};
const hs_host_api kHost = {sizeof(hs_host_api), &Host::Wants,  &Host::Reason,
                           &Host::Action,       &Host::Status, &Host::Error};

const hs_plugin_v1& Api() { return *sdk::internal::Adapter<Doubler>::Entry(); }

hs_instance* Create(double threshold, Host& host) {
  hs_param_value params[] = {{"threshold", threshold}};
  hs_instance* instance = nullptr;
  EXPECT_EQ(Api().create(params, 1, &kHost, &host, &instance), HS_OK)
      << host.error;
  return instance;
}

TEST(SdkLayer, DescribesItselfAsPlainData) {
  const hs_plugin_v1& api = Api();
  EXPECT_EQ(api.struct_size, sizeof(hs_plugin_v1));
  EXPECT_STREQ(api.name, "doubler");
  EXPECT_STREQ(api.version, "2.1.0");
  ASSERT_EQ(api.num_signals, 2u);
  EXPECT_STREQ(api.signals[0].name, "v");
  EXPECT_EQ(api.signals[0].higher_is_better, 1);
  EXPECT_EQ(api.signals[0].required, 1);
  EXPECT_EQ(api.signals[0].min_value, 0);
  EXPECT_TRUE(std::isnan(api.signals[0].max_value));
  EXPECT_EQ(api.signals[1].higher_is_better, 0);
  EXPECT_EQ(api.signals[1].required, 0);
  EXPECT_EQ(api.signals[1].max_value, 100);
  ASSERT_EQ(api.num_params, 1u);
  EXPECT_STREQ(api.params[0].name, "threshold");
  EXPECT_EQ(api.params[0].default_value, 10);
}

TEST(SdkLayer, ScoresAColumnarBatchAndReportsThroughTheHost) {
  Host host;
  hs_instance* instance = Create(10, host);
  const double v[] = {1, NAN, 30};
  const double w[] = {NAN, NAN, NAN};
  const double* columns[] = {v, w};
  const hs_batch batch{3, 2, columns};
  double scores[3] = {-1, -1, -1};
  ASSERT_EQ(Api().score_batch(instance, &batch, &kHost, &host, scores), HS_OK);
  EXPECT_EQ(scores[0], 2);
  EXPECT_EQ(scores[1], -1);  // untouched: the row is INSUFFICIENT_DATA
  EXPECT_EQ(scores[2], 60);
  EXPECT_THAT(host.statuses, ElementsAre("1:1:missing signal v"));
  EXPECT_THAT(host.reasons,
              ElementsAre("0:double:v:1.000000", "2:double:v:30.000000"));
  EXPECT_THAT(host.actions, ElementsAre("0:act", "2:act"));
  Api().destroy(instance);
}

TEST(SdkLayer, SkipsExplanationsWhenTheHostWantsNone) {
  Host host;
  host.explain = false;
  hs_instance* instance = Create(10, host);
  const double v[] = {5};
  const double w[] = {NAN};
  const double* columns[] = {v, w};
  const hs_batch batch{1, 2, columns};
  double scores[1];
  ASSERT_EQ(Api().score_batch(instance, &batch, &kHost, &host, scores), HS_OK);
  EXPECT_EQ(scores[0], 10);
  EXPECT_TRUE(host.reasons.empty());
  EXPECT_TRUE(host.actions.empty());
  Api().destroy(instance);
}

TEST(SdkLayer, CatchesExceptionsFromScoreAndReportsThem) {
  Host host;
  hs_instance* instance = Create(10, host);
  const double v[] = {1, 13};
  const double w[] = {NAN, NAN};
  const double* columns[] = {v, w};
  const hs_batch batch{2, 2, columns};
  double scores[2];
  EXPECT_EQ(Api().score_batch(instance, &batch, &kHost, &host, scores),
            HS_ERROR);
  EXPECT_EQ(host.error, "unlucky 13");
  Api().destroy(instance);
}

TEST(SdkLayer, ABadRowIndexIsAnErrorNotAWildWrite) {
  Host host;
  hs_instance* instance = Create(10, host);
  const double v[] = {99};
  const double w[] = {NAN};
  const double* columns[] = {v, w};
  const hs_batch batch{1, 2, columns};
  double scores[1];
  EXPECT_EQ(Api().score_batch(instance, &batch, &kHost, &host, scores),
            HS_ERROR);
  EXPECT_THAT(host.error, HasSubstr("row 1000 of a batch with 1"));
  Api().destroy(instance);
}

TEST(SdkLayer, ConstructorExceptionsBecomeCreateErrors) {
  Host host;
  hs_param_value params[] = {{"threshold", -1}};
  hs_instance* instance = nullptr;
  EXPECT_EQ(Api().create(params, 1, &kHost, &host, &instance), HS_ERROR);
  EXPECT_EQ(instance, nullptr);
  EXPECT_EQ(host.error, "threshold is negative");
}

TEST(SdkLayer, AnUndeclaredParameterIsACreateError) {
  Host host;
  hs_instance* instance = nullptr;
  EXPECT_EQ(Api().create(nullptr, 0, &kHost, &host, &instance), HS_ERROR);
  EXPECT_EQ(host.error, "unknown parameter 'threshold'");
}

}  // namespace
