// The what-if commands: parse `what-if` and `path-to-green`, call
// healthscore.v1.Validation, map each outcome to an exit code.
#include "clients/cli/whatif_commands.h"

#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/csv.h"
#include "clients/cli/requests.h"
#include "clients/cli/whatif_format.h"
#include "grpcpp/client_context.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

absl::string_view Name(WhatIfCommand command) {
  return command == WhatIfCommand::kWhatIf ? "what-if" : "path-to-green";
}

// "name=value" as a change: a finite number, or missing / nan.
absl::Status AddChange(absl::string_view word,
                       std::map<std::string, double>& changes) {
  const size_t eq = word.find('=');
  const std::string name(absl::StripAsciiWhitespace(word.substr(0, eq)));
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("change \"", word, "\" has no signal name before '='"));
  }
  const std::string text =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(word.substr(eq + 1)));
  double value = 0;
  if (text == "missing" || text == "nan") {
    value = std::nan("");
  } else if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "change ", name, ": \"", word.substr(eq + 1),
        "\" is not a finite number (or `missing` to make the signal missing)"));
  }
  if (!changes.emplace(name, value).second) {
    return absl::InvalidArgumentError(
        absl::StrCat("change ", name, " is given more than once"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WhatIfOptions> ParseWhatIfCommand(
    WhatIfCommand command, const std::vector<std::string>& words,
    const WhatIfFlags& flags) {
  const absl::string_view name = Name(command);
  WhatIfOptions options;
  options.command = command;
  // The first word is the customer's id unless it is a change.
  size_t first_change = 0;
  if (!words.empty() && words[0].find('=') == std::string::npos) {
    options.customer_id = words[0];
    first_change = 1;
  }
  for (size_t i = first_change; i < words.size(); ++i) {
    if (words[i].find('=') == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unexpected argument \"", words[i], "\" after ", name,
          command == WhatIfCommand::kWhatIf ? ": changes are NAME=VALUE"
                                            : ": it takes one customer id"));
    }
    if (command == WhatIfCommand::kPathToGreen) {
      return absl::InvalidArgumentError(
          absl::StrCat("path-to-green takes no changes (\"", words[i],
                       "\"): give the customer's signals with --signal"));
    }
    if (absl::Status s = AddChange(words[i], options.changes); !s.ok()) {
      return s;
    }
  }
  const bool by_id = !options.customer_id.empty();
  const bool by_flags = flags.given.contains("customer_id");
  const bool by_json = !flags.json_path.empty();
  if (by_id + by_flags + by_json != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        name,
        by_id + by_flags + by_json == 0 ? " needs a customer: "
                                        : " takes one customer: ",
        "its id (the server uses its newest recorded inputs), "
        "--customer-id ID with --signal NAME=VALUE..., or --json FILE"));
  }
  if (!by_flags) {
    for (const char* flag : {"segment", "signal"}) {
      if (flags.given.contains(flag)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag, " goes with --customer-id"));
      }
    }
  }
  if (by_flags) {
    options.customer_id =
        std::string(absl::StripAsciiWhitespace(flags.customer_id));
    if (options.customer_id.empty()) {
      return absl::InvalidArgumentError("--customer-id is empty");
    }
    options.segment = flags.segment;
    options.signals = flags.signals;
    // Checked here, so that a bad --signal is a usage error before any call.
    absl::StatusOr<v1::Customer> customer =
        BuildCustomer(options.customer_id, options.segment, options.signals);
    if (!customer.ok()) return customer.status();
  }
  options.json_path = flags.json_path;
  if (command == WhatIfCommand::kWhatIf && options.changes.empty()) {
    return absl::InvalidArgumentError(
        "what-if needs at least one change NAME=VALUE (NAME=missing makes "
        "the signal missing)");
  }
  if (!flags.explain.empty()) {
    if (command != WhatIfCommand::kWhatIf) {
      return absl::InvalidArgumentError(
          "--explain does not apply to path-to-green");
    }
    absl::StatusOr<v1::Explain> explain = ParseExplain(flags.explain);
    if (!explain.ok()) return explain.status();
    options.explain = *explain;
  }
  return options;
}

int RunWhatIf(v1::Validation::StubInterface& stub, const CommonOptions& options,
              const WhatIfOptions& command, std::ostream& out,
              std::ostream& err) {
  v1::Customer customer;
  if (!command.json_path.empty()) {
    absl::StatusOr<std::string> json = ReadFile(command.json_path);
    absl::StatusOr<v1::Customer> parsed =
        json.ok() ? ParseCustomerJson(*json, command.json_path)
                  : absl::StatusOr<v1::Customer>(json.status());
    if (!parsed.ok()) {
      err << "error: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    customer = *std::move(parsed);
  } else if (!command.signals.empty() || !command.segment.empty()) {
    absl::StatusOr<v1::Customer> built =
        BuildCustomer(command.customer_id, command.segment, command.signals);
    if (!built.ok()) {
      err << "error: " << built.status().message() << "\n";
      return kExitUsage;
    }
    customer = *std::move(built);
  } else {
    customer.set_customer_id(command.customer_id);
  }

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  if (command.command == WhatIfCommand::kWhatIf) {
    v1::SimulateRequest request;
    *request.mutable_customer() = std::move(customer);
    for (const auto& [name, value] : command.changes) {
      (*request.mutable_changes())[name] = value;
    }
    request.set_explain(command.explain);
    v1::SimulateResponse response;
    const grpc::Status status = stub.Simulate(&context, request, &response);
    if (!status.ok()) return RefusedOrFailed(status, options, err);
    PrintSimulation(request, response, options.format, out);
    return kExitOk;
  }
  v1::PathToGreenRequest request;
  *request.mutable_customer() = std::move(customer);
  v1::PathToGreenResponse response;
  const grpc::Status status = stub.PathToGreen(&context, request, &response);
  if (!status.ok()) return RefusedOrFailed(status, options, err);
  PrintPathToGreen(response, options.format, out);
  return kExitOk;
}

}  // namespace healthscore::cli
