// The healthscore.v1.Overrides handlers.
#include "server/service/overrides_service.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/history/args.h"
#include "server/history/point.h"
#include "server/service/grpc_status.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

constexpr size_t kMaxReason = 1000;
constexpr size_t kMaxName = 256;
constexpr int kDefaultAuditLimit = 100;
constexpr int kMaxAuditLimit = 1000;
// The last second RFC 3339 can write (9999-12-31T23:59:59Z): "any point
// recorded so far" for LatestOf.
constexpr int64_t kEndOfTimeUs = int64_t{253402300799} * 1000000;

absl::Status NoStore() {
  return absl::FailedPreconditionError(
      "this server keeps no overrides: start it with --store (sqlite:PATH or "
      "a postgresql:// URI)");
}

// A required text of at most `limit` bytes; `empty_hint` says what to give.
absl::Status CheckText(const std::string& value, const char* field,
                       size_t limit, const char* empty_hint) {
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is empty: ", empty_hint));
  }
  return value.size() > limit
             ? absl::InvalidArgumentError(absl::StrCat(
                   field, " is ", value.size(), " bytes; the limit is ", limit))
             : absl::OkStatus();
}

// The band names of every variant of the scorecard, the default's first,
// each once.
std::vector<std::string> BandNames(const Snapshot& snapshot) {
  std::vector<std::string> names;
  for (const Variant& variant : snapshot.variants()) {
    for (const BandSpec& band : variant.bands) {
      if (std::find(names.begin(), names.end(), band.name) == names.end()) {
        names.push_back(band.name);
      }
    }
  }
  return names;
}

v1::Override ToProto(const store::OverrideRow& row) {
  v1::Override o;
  o.set_customer_id(row.customer_id);
  if (row.score.has_value()) o.set_score(*row.score);
  o.set_band(row.band);
  o.set_reason(row.reason);
  o.set_author(row.author);
  *o.mutable_set_at() = history::FromMicros(row.set_at_us);
  if (row.expires_at_us != 0) {
    *o.mutable_expires_at() = history::FromMicros(row.expires_at_us);
  }
  return o;
}

}  // namespace

absl::StatusOr<store::OverrideRow> OverridesService::CheckedRow(
    const v1::Override& o) const {
  RETURN_IF_ERROR(history::CheckCustomerId(o.customer_id()));
  RETURN_IF_ERROR(CheckText(o.reason(), "reason", kMaxReason,
                            "say why the score is overridden"));
  RETURN_IF_ERROR(CheckText(o.author(), "author", kMaxName,
                            "say who is overriding the score"));
  if (!o.has_score() && o.band().empty()) {
    return absl::InvalidArgumentError(
        "neither score nor band is set: an override sets at least one of "
        "them");
  }
  if (o.has_score()) {
    if (!std::isfinite(o.score())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "score=", o.score(), " is not a number between 0 and 100"));
    }
    if (o.score() < 0 || o.score() > 100) {
      return absl::InvalidArgumentError(
          absl::StrCat("score=", o.score(), " is outside 0-100"));
    }
  }
  if (!o.band().empty()) {
    std::shared_ptr<const Snapshot> snapshot = snapshots_->Current();
    if (snapshot == nullptr) {
      return absl::UnavailableError("no scorecard is live yet");
    }
    const std::vector<std::string> bands = BandNames(*snapshot);
    if (std::find(bands.begin(), bands.end(), o.band()) == bands.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("band '", o.band().substr(0, 100),
                       "' is not a band of the active scorecard (",
                       absl::StrJoin(bands, ", "), ")"));
    }
  }
  const int64_t now = absl::ToUnixMicros(absl::Now());
  int64_t expires = 0;
  if (o.has_expires_at()) {
    ASSIGN_OR_RETURN(expires, history::TimeArg(o.expires_at(), "expires_at"));
    if (expires <= now) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expires_at ", history::FormatMicros(expires),
          " is not in the future (leave it unset for an override that lasts "
          "until cleared)"));
    }
  }
  store::OverrideRow row;
  row.customer_id = o.customer_id();
  if (o.has_score()) row.score = o.score();
  row.band = o.band();
  row.reason = o.reason();
  row.author = o.author();
  row.set_at_us = now;
  row.expires_at_us = expires;
  return row;
}

void OverridesService::RefreshCache() {
  if (absl::Status s = cache_->Refresh(); !s.ok()) {
    spdlog::warn(
        "overrides: reloading after a change failed ({}); the next poll "
        "retries",
        s.ToString());
  }
}

absl::Status OverridesService::DoSetOverride(
    const v1::SetOverrideRequest& request, v1::Override& response) {
  if (store_ == nullptr) return NoStore();
  ASSIGN_OR_RETURN(store::OverrideRow row, CheckedRow(request.override()));
  // An override of a customer never scored is most likely a typo.
  const std::string ids[] = {row.customer_id};
  ASSIGN_OR_RETURN(std::vector<store::PointRow> latest,
                   store_->LatestOf(ids, kEndOfTimeUs));
  if (latest.empty()) {
    return absl::NotFoundError(
        absl::StrCat("customer '", row.customer_id, "' has no recorded score"));
  }
  RETURN_IF_ERROR(store_->SetOverride(row));
  RefreshCache();
  response = ToProto(row);
  return absl::OkStatus();
}

absl::Status OverridesService::DoClearOverride(
    const v1::ClearOverrideRequest& request, v1::Override& response) {
  if (store_ == nullptr) return NoStore();
  RETURN_IF_ERROR(history::CheckCustomerId(request.customer_id()));
  RETURN_IF_ERROR(CheckText(request.who(), "who", kMaxName,
                            "say who is clearing the override"));
  if (request.note().size() > kMaxReason) {
    return absl::InvalidArgumentError(
        absl::StrCat("note is ", request.note().size(), " bytes; the limit is ",
                     kMaxReason));
  }
  ASSIGN_OR_RETURN(store::OverrideRow ended,
                   store_->ClearOverride(request.customer_id(), request.who(),
                                         request.note()));
  RefreshCache();
  response = ToProto(ended);
  return absl::OkStatus();
}

absl::Status OverridesService::DoListOverrides(
    const v1::ListOverridesRequest& request,
    v1::ListOverridesResponse& response) {
  if (store_ == nullptr) return NoStore();
  if (!request.customer_id().empty()) {
    RETURN_IF_ERROR(history::CheckCustomerId(request.customer_id()));
  }
  ASSIGN_OR_RETURN(std::vector<store::OverrideRow> rows,
                   store_->ListOverrides(request.customer_id(),
                                         absl::ToUnixMicros(absl::Now())));
  for (const store::OverrideRow& row : rows) {
    *response.add_overrides() = ToProto(row);
  }
  return absl::OkStatus();
}

absl::Status OverridesService::DoGetOverrideAudit(
    const v1::GetOverrideAuditRequest& request,
    v1::GetOverrideAuditResponse& response) {
  if (store_ == nullptr) return NoStore();
  if (!request.customer_id().empty()) {
    RETURN_IF_ERROR(history::CheckCustomerId(request.customer_id()));
  }
  ASSIGN_OR_RETURN(const int limit,
                   history::CountArg(request.limit(), kDefaultAuditLimit,
                                     kMaxAuditLimit, "limit"));
  ASSIGN_OR_RETURN(std::vector<store::OverrideAuditRow> rows,
                   store_->OverrideAudit(request.customer_id(), limit));
  for (const store::OverrideAuditRow& row : rows) {
    v1::OverrideAuditEntry* entry = response.add_entries();
    entry->set_seq(row.seq);
    entry->set_action(static_cast<v1::OverrideAuditEntry::Action>(row.action));
    *entry->mutable_at() = history::FromMicros(row.at_us);
    entry->set_who(row.who);
    entry->set_note(row.note);
    *entry->mutable_override() = ToProto(row.override_row);
  }
  return absl::OkStatus();
}

grpc::Status OverridesService::SetOverride(
    grpc::ServerContext*, const v1::SetOverrideRequest* request,
    v1::Override* response) {
  return ToGrpcStatus(DoSetOverride(*request, *response));
}

grpc::Status OverridesService::ClearOverride(
    grpc::ServerContext*, const v1::ClearOverrideRequest* request,
    v1::Override* response) {
  return ToGrpcStatus(DoClearOverride(*request, *response));
}

grpc::Status OverridesService::ListOverrides(
    grpc::ServerContext*, const v1::ListOverridesRequest* request,
    v1::ListOverridesResponse* response) {
  return ToGrpcStatus(DoListOverrides(*request, *response));
}

grpc::Status OverridesService::GetOverrideAudit(
    grpc::ServerContext*, const v1::GetOverrideAuditRequest* request,
    v1::GetOverrideAuditResponse* response) {
  return ToGrpcStatus(DoGetOverrideAudit(*request, *response));
}

}  // namespace healthscore
