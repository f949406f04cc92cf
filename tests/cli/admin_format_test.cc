// The admin commands' output, exact text: plugins, a refused reload, a dry
// run in table and CSV form.
#include "clients/cli/admin_format.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "healthscore/v1/registry.pb.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

TEST(AdminFormatTest, PluginsTableShowsStateUsersAndWhyNotReady) {
  v1::ListPluginsResponse response;
  v1::PluginInfo* ready = response.add_plugins();
  ready->set_name("test_echo");
  ready->set_version("1.1.0");
  ready->set_abi_version("1.0");
  ready->set_state(v1::PluginInfo::STATE_READY);
  ready->mutable_load_time()->set_seconds(1795000000);  // 2026-11-18 11:06:40
  ready->add_used_by("echo_x");
  ready->add_used_by("echo_y");
  ready->set_path("/p/test_echo/1.1.0/libtest_echo.so");
  v1::PluginInfo* unloaded = response.add_plugins();
  *unloaded = *ready;
  unloaded->set_version("1.0.0");
  unloaded->set_state(v1::PluginInfo::STATE_UNLOADED);
  unloaded->clear_used_by();
  unloaded->mutable_unload_time()->set_seconds(1795000060);
  unloaded->set_path("/p/test_echo/1.0.0/libtest_echo.so");
  v1::PluginInfo* failed = response.add_plugins();
  failed->set_name("libbroken");
  failed->set_state(v1::PluginInfo::STATE_FAILED);
  failed->set_state_reason("file too short");
  failed->set_path("/p/libbroken.so");
  failed->mutable_load_time()->set_seconds(1795000000);

  std::ostringstream table;
  PrintPlugins(response, OutputFormat::kTable, table);
  EXPECT_EQ(table.str(),
            "plugin           state     abi  loaded (UTC)         used by\n"
            "test_echo@1.1.0  READY     1.0  2026-11-18 11:06:40  echo_x, "
            "echo_y\n"
            "test_echo@1.0.0  UNLOADED  1.0  2026-11-18 11:06:40  -\n"
            "  unloaded 2026-11-18 11:07:40 UTC\n"
            "  file: /p/test_echo/1.0.0/libtest_echo.so\n"
            "libbroken        FAILED    -    2026-11-18 11:06:40  -\n"
            "  reason: file too short\n"
            "  file: /p/libbroken.so\n");

  std::ostringstream csv;
  PrintPlugins(response, OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "name,version,state,abi_version,load_time,unload_time,used_by,"
            "path,state_reason\n"
            "test_echo,1.1.0,READY,1.0,2026-11-18 11:06:40,,echo_x;echo_y,"
            "/p/test_echo/1.1.0/libtest_echo.so,\n"
            "test_echo,1.0.0,UNLOADED,1.0,2026-11-18 11:06:40,2026-11-18 "
            "11:07:40,,/p/test_echo/1.0.0/libtest_echo.so,\n"
            "libbroken,,FAILED,,2026-11-18 11:06:40,,,/p/libbroken.so,file "
            "too short\n");
}

TEST(AdminFormatTest, ARefusedReloadSaysWhyAndWhatStaysLive) {
  v1::ReloadResponse reply;
  reply.set_ok(false);
  reply.set_error("card.yaml:8: dimensions.a.weight: -5 is negative");
  reply.set_error_code(3);
  reply.set_message("reload refused; scorecard echo version 2 stays live");
  reply.set_scorecard_name("echo");
  reply.set_scorecard_version("2");
  reply.set_scorecard_hash("0123456789abcdef");
  reply.mutable_counters()->set_successes(3);
  reply.mutable_counters()->set_unchanged(1);
  reply.mutable_counters()->set_failures(1);
  reply.mutable_counters()->set_last_error(reply.error());
  reply.mutable_counters()->set_last_error_trigger("rpc");
  reply.mutable_counters()->mutable_last_error_time()->set_seconds(1795000000);
  std::ostringstream out;
  PrintReload(reply, OutputFormat::kTable, out);
  EXPECT_EQ(out.str(),
            "refused: card.yaml:8: dimensions.a.weight: -5 is negative\n"
            "live: scorecard echo  version 2  sha256 0123456789ab\n"
            "reloads: 3 succeeded (1 unchanged), 1 failed; last failure (rpc, "
            "2026-11-18 11:06:40 UTC): card.yaml:8: dimensions.a.weight: -5 "
            "is negative\n");
}

TEST(AdminFormatTest, DryRunPrintsOneSentencePerMoveAndASummary) {
  v1::DryRunResponse r;
  r.mutable_draft()->set_scorecard_name("echo");
  r.mutable_draft()->set_scorecard_version("draft-1");
  r.mutable_draft()->set_scorecard_hash("aaaaaaaaaaaaaaaa");
  r.mutable_active()->set_scorecard_name("echo");
  r.mutable_active()->set_scorecard_version("A-1");
  r.mutable_active()->set_scorecard_hash("bbbbbbbbbbbbbbbb");
  r.add_sentences("3 customers would go from yellow to red");
  r.add_sentences("1 customer would go from yellow to green");
  r.set_compared(9);
  r.set_unchanged(5);
  r.set_no_longer_scored(1);
  r.set_mean_score_change(-70.0 / 9);
  for (auto [band, count] :
       {std::pair{"green", 2}, {"yellow", 6}, {"red", 1}}) {
    v1::BandCount* b = r.add_active_bands();
    b->set_band(band);
    b->set_count(count);
  }
  v1::RowChange* change = r.add_changes();
  change->set_customer_id("c3");
  change->set_active_score(55);
  change->set_active_band("yellow");
  change->set_draft_score(70);
  change->set_draft_band("green");

  std::ostringstream table;
  PrintDryRun(r, OutputFormat::kTable, table);
  EXPECT_EQ(table.str(),
            "draft   echo  version draft-1  sha256 aaaaaaaaaaaa\n"
            "active  echo  version A-1  sha256 bbbbbbbbbbbb\n"
            "3 customers would go from yellow to red\n"
            "1 customer would go from yellow to green\n"
            "1 customer scored now could not be scored under the draft\n"
            "9 compared: 5 keep their band, 4 move; mean score change -7.8\n"
            "bands now:   green 2, yellow 6, red 1\n"
            "bands draft: -\n");
  std::ostringstream csv;
  PrintDryRun(r, OutputFormat::kCsv, csv);
  EXPECT_EQ(csv.str(),
            "customer_id,active_score,active_band,draft_score,draft_band,"
            "moved\n"
            "c3,55.0,yellow,70.0,green,true\n");
}

}  // namespace
}  // namespace healthscore::cli
