// The override commands: parse `override set|clear|list|audit`, call
// healthscore.v1.Overrides, map each outcome to an exit code.
#include "clients/cli/overrides_commands.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "clients/cli/dates.h"
#include "clients/cli/overrides_format.h"
#include "grpcpp/client_context.h"

namespace healthscore::cli {
namespace {

namespace v1 = ::healthscore::v1;

// The flags each subcommand reads (besides --target, --format, --timeout).
const std::set<std::string>& FlagsOf(OverrideCommand command) {
  static const auto* const kSet = new std::set<std::string>{
      "score", "band", "reason", "author", "expires", "for"};
  static const auto* const kClear = new std::set<std::string>{"who", "note"};
  static const auto* const kList = new std::set<std::string>{};
  static const auto* const kAudit = new std::set<std::string>{"limit"};
  switch (command) {
    case OverrideCommand::kSet:
      return *kSet;
    case OverrideCommand::kClear:
      return *kClear;
    case OverrideCommand::kList:
      return *kList;
    case OverrideCommand::kAudit:
      return *kAudit;
  }
  return *kList;
}

std::string Dashed(absl::string_view name) {
  return absl::StrReplaceAll(name, {{"_", "-"}});
}

}  // namespace

absl::StatusOr<absl::Duration> ParseForDuration(absl::string_view text) {
  const std::string t(absl::StripAsciiWhitespace(text));
  absl::Duration d;
  int64_t days = 0;
  bool ok = false;
  if (!t.empty() && t.back() == 'd' &&
      absl::SimpleAtoi(absl::string_view(t).substr(0, t.size() - 1), &days) &&
      days >= 0 && days <= 36500) {
    d = absl::Hours(24) * days;
    ok = true;
  } else {
    ok = absl::ParseDuration(t, &d);
  }
  if (!ok || d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--for=", text,
        ": give a length of time from now, such as 7d, 36h or 90m"));
  }
  return d;
}

absl::StatusOr<OverrideCommandOptions> ParseOverrideCommand(
    const std::vector<std::string>& words, const OverrideFlags& flags,
    absl::Time now) {
  constexpr absl::string_view kSubcommands =
      "override takes a subcommand: set, clear, list or audit";
  if (words.empty()) return absl::InvalidArgumentError(kSubcommands);
  OverrideCommandOptions options;
  const std::string& sub = words[0];
  if (sub == "set") {
    options.command = OverrideCommand::kSet;
  } else if (sub == "clear") {
    options.command = OverrideCommand::kClear;
  } else if (sub == "list") {
    options.command = OverrideCommand::kList;
  } else if (sub == "audit") {
    options.command = OverrideCommand::kAudit;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown override subcommand \"", sub, "\": ", kSubcommands));
  }
  const std::set<std::string>& allowed = FlagsOf(options.command);
  for (const std::string& name : flags.given) {
    if (name == "target" || name == "format" || name == "timeout") continue;
    if (!allowed.contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", Dashed(name), " does not apply to override ", sub));
    }
  }
  // set and clear act on one customer; list and audit take one or none.
  const bool one_customer = options.command == OverrideCommand::kSet ||
                            options.command == OverrideCommand::kClear;
  if (words.size() > 2 || (one_customer && words.size() != 2)) {
    return absl::InvalidArgumentError(
        one_customer
            ? absl::StrCat("override ", sub,
                           " takes one argument: the customer id")
            : absl::StrCat("override ", sub,
                           " takes at most one argument: a customer id"));
  }
  if (words.size() == 2) options.customer_id = words[1];

  switch (options.command) {
    case OverrideCommand::kSet: {
      if (flags.given.contains("score")) options.score = flags.score;
      options.band = flags.band;
      options.reason = flags.reason;
      options.author = flags.author;
      if (!options.score.has_value() && options.band.empty()) {
        return absl::InvalidArgumentError(
            "override set needs --score N (0-100) or --band NAME, or both");
      }
      if (options.score.has_value() &&
          (!std::isfinite(*options.score) || *options.score < 0 ||
           *options.score > 100)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--score=", *options.score, " is outside 0-100"));
      }
      if (options.reason.empty()) {
        return absl::InvalidArgumentError(
            "override set needs --reason TEXT: why the score is overridden "
            "(kept in the audit log)");
      }
      if (options.author.empty()) {
        return absl::InvalidArgumentError(
            "override set needs --author NAME: who is overriding the score");
      }
      const bool has_expires = flags.given.contains("expires");
      const bool has_for = flags.given.contains("for");
      if (has_expires && has_for) {
        return absl::InvalidArgumentError(
            "give --expires TIME or --for DURATION, not both");
      }
      if (has_expires) {
        absl::StatusOr<absl::Time> t =
            ParseTimeFlag("expires", flags.expires, DateMeans::kStartOfDay);
        if (!t.ok()) return t.status();
        options.expires = *t;
      } else if (has_for) {
        absl::StatusOr<absl::Duration> d = ParseForDuration(flags.for_duration);
        if (!d.ok()) return d.status();
        options.expires = now + *d;
      }
      break;
    }
    case OverrideCommand::kClear:
      options.who = flags.who;
      options.note = flags.note;
      if (options.who.empty()) {
        return absl::InvalidArgumentError(
            "override clear needs --who NAME: who is clearing the override "
            "(kept in the audit log)");
      }
      break;
    case OverrideCommand::kList:
      break;
    case OverrideCommand::kAudit:
      if (flags.given.contains("limit")) {
        if (flags.limit < 1 || flags.limit > kMaxOverrideAudit) {
          return absl::InvalidArgumentError(absl::StrCat(
              "--limit=", flags.limit, " is outside 1-", kMaxOverrideAudit));
        }
        options.limit = static_cast<int>(flags.limit);
      }
      break;
  }
  return options;
}

int RunOverride(v1::Overrides::StubInterface& stub,
                const CommonOptions& options,
                const OverrideCommandOptions& command, std::ostream& out,
                std::ostream& err) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  grpc::Status status;
  switch (command.command) {
    case OverrideCommand::kSet: {
      v1::SetOverrideRequest request;
      v1::Override* o = request.mutable_override();
      o->set_customer_id(command.customer_id);
      if (command.score.has_value()) o->set_score(*command.score);
      o->set_band(command.band);
      o->set_reason(command.reason);
      o->set_author(command.author);
      if (command.expires.has_value()) {
        *o->mutable_expires_at() = ToTimestamp(*command.expires);
      }
      v1::Override response;
      status = stub.SetOverride(&context, request, &response);
      if (!status.ok()) return RefusedOrFailed(status, options, err);
      PrintOverride(response, "override set", options.format, out);
      return kExitOk;
    }
    case OverrideCommand::kClear: {
      v1::ClearOverrideRequest request;
      request.set_customer_id(command.customer_id);
      request.set_who(command.who);
      request.set_note(command.note);
      v1::Override response;
      status = stub.ClearOverride(&context, request, &response);
      if (!status.ok()) return RefusedOrFailed(status, options, err);
      PrintOverride(response, absl::StrCat("override cleared by ", command.who),
                    options.format, out);
      return kExitOk;
    }
    case OverrideCommand::kList: {
      v1::ListOverridesRequest request;
      request.set_customer_id(command.customer_id);
      v1::ListOverridesResponse response;
      status = stub.ListOverrides(&context, request, &response);
      if (!status.ok()) return RefusedOrFailed(status, options, err);
      PrintOverrides({response.overrides().begin(), response.overrides().end()},
                     options.format, out);
      return kExitOk;
    }
    case OverrideCommand::kAudit: {
      v1::GetOverrideAuditRequest request;
      request.set_customer_id(command.customer_id);
      request.set_limit(command.limit);
      v1::GetOverrideAuditResponse response;
      status = stub.GetOverrideAudit(&context, request, &response);
      if (!status.ok()) return RefusedOrFailed(status, options, err);
      PrintOverrideAudit({response.entries().begin(), response.entries().end()},
                         options.format, out);
      return kExitOk;
    }
  }
  return kExitUsage;
}

}  // namespace healthscore::cli
