// The admin commands: call the Registry service with a deadline, print, and
// map the outcome to an exit code.
#include "clients/cli/admin_commands.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/admin_format.h"
#include "clients/cli/csv.h"
#include "grpcpp/client_context.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

// The plugin a LoadPlugin / UnloadPlugin call answers with, printed as a
// one-row ListPlugins.
void PrintOne(const v1::PluginInfo& plugin, const CommonOptions& options,
              std::ostream& out) {
  v1::ListPluginsResponse one;
  *one.add_plugins() = plugin;
  PrintPlugins(one, options.format, out);
}

}  // namespace

int RunPlugins(v1::Registry::StubInterface& stub, const CommonOptions& options,
               std::ostream& out, std::ostream& err) {
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::ListPluginsResponse response;
  const grpc::Status status =
      stub.ListPlugins(&context, v1::ListPluginsRequest(), &response);
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintPlugins(response, options.format, out);
  return kExitOk;
}

int RunReload(v1::Registry::StubInterface& stub, const CommonOptions& options,
              bool rescan_plugins, std::ostream& out, std::ostream& err) {
  v1::ReloadRequest request;
  request.set_rescan_plugins(rescan_plugins);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::ReloadResponse response;
  const grpc::Status status = stub.Reload(&context, request, &response);
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintReload(response, options.format, out);
  return response.ok() ? kExitOk : kExitRefused;
}

int RunLoadPlugin(v1::Registry::StubInterface& stub,
                  const CommonOptions& options, const std::string& plugin,
                  std::ostream& out, std::ostream& err) {
  v1::LoadPluginRequest request;
  request.set_plugin(plugin);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::LoadPluginResponse response;
  const grpc::Status status = stub.LoadPlugin(&context, request, &response);
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintOne(response.plugin(), options, out);
  return kExitOk;
}

int RunUnloadPlugin(v1::Registry::StubInterface& stub,
                    const CommonOptions& options, const std::string& plugin,
                    std::ostream& out, std::ostream& err) {
  v1::UnloadPluginRequest request;
  request.set_plugin(plugin);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::UnloadPluginResponse response;
  const grpc::Status status = stub.UnloadPlugin(&context, request, &response);
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintOne(response.plugin(), options, out);
  return kExitOk;
}

int RunDryRun(v1::Registry::StubInterface& stub, const CommonOptions& options,
              const DryRunOptions& dry_run, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<std::string> yaml = ReadFile(dry_run.scorecard_path);
  if (!yaml.ok()) {
    err << "error: " << yaml.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<Portfolio> portfolio = ReadPortfolioCsv(dry_run.csv_path);
  if (!portfolio.ok()) {
    err << "error: " << portfolio.status().message() << "\n";
    return kExitUsage;
  }
  if (portfolio->rows.empty()) {
    err << "error: " << dry_run.csv_path
        << " has a header but no customer rows\n";
    return kExitUsage;
  }
  v1::DryRunRequest request;
  request.set_scorecard_yaml(*std::move(yaml));
  request.set_source(dry_run.scorecard_path);
  *request.mutable_batch() =
      BuildBatchRequest(*portfolio, portfolio->rows.size(), 0, options.explain);
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::DryRunResponse response;
  const grpc::Status status = stub.DryRun(&context, request, &response);
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintDryRun(response, options.format, out);
  return kExitOk;
}

}  // namespace healthscore::cli
