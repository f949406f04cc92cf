// The healthscore.v1.Alerts handlers.
#include "server/service/alerts_service.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/history/args.h"
#include "server/history/point.h"
#include "server/history/webhooks.h"
#include "server/service/grpc_status.h"

namespace healthscore {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr size_t kMaxText = 1000;
// Events sent per read of the outbox.
constexpr int kEventsPerRead = 500;

grpc::Status NoStore() {
  return ToGrpcStatus(absl::FailedPreconditionError(
      "this server keeps no history (started with --store=none)"));
}

bool Matches(const v1::WatchAlertsRequest& request,
             const store::AlertRow& alert) {
  return (request.segment().empty() || request.segment() == alert.segment) &&
         (request.severity().empty() || request.severity() == alert.severity);
}

}  // namespace

grpc::Status AlertsService::ListAlerts(grpc::ServerContext*,
                                       const v1::ListAlertsRequest* request,
                                       v1::ListAlertsResponse* response) {
  if (store_ == nullptr) return NoStore();
  absl::StatusOr<int> page_size = history::CountArg(
      request->page_size(), kDefaultPageSize, kMaxPageSize, "page_size");
  if (!page_size.ok()) return ToGrpcStatus(page_size.status());
  if (absl::Status s = history::CheckSeverity(request->severity()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  int64_t before = 0;
  if (!request->page_token().empty() &&
      (!absl::SimpleAtoi(request->page_token(), &before) || before <= 0)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("page_token '", request->page_token().substr(0, 40),
                     "' is not one this server returned")));
  }
  store::AlertFilter filter;
  filter.state = request->state();
  filter.segment = request->segment();
  filter.severity = request->severity();
  filter.customer_id = request->customer_id();
  filter.dead_lettered = request->dead_lettered();
  absl::StatusOr<std::vector<store::AlertRow>> rows =
      store_->ListAlerts(filter, before, *page_size + 1);
  if (!rows.ok()) return ToGrpcStatus(rows.status());
  if (static_cast<int>(rows->size()) > *page_size) {
    rows->pop_back();
    response->set_next_page_token(absl::StrCat(rows->back().id));
  }
  // The page's webhook deliveries, in one read.
  std::vector<int64_t> ids;
  ids.reserve(rows->size());
  for (const store::AlertRow& row : *rows) ids.push_back(row.id);
  absl::StatusOr<std::vector<store::DeliveryRow>> deliveries =
      store_->DeliveriesOf(ids);
  if (!deliveries.ok()) return ToGrpcStatus(deliveries.status());
  absl::flat_hash_map<int64_t, std::vector<const store::DeliveryRow*>> of;
  for (const store::DeliveryRow& d : *deliveries) of[d.alert_id].push_back(&d);
  for (const store::AlertRow& row : *rows) {
    v1::Alert* alert = response->add_alerts();
    *alert = history::ToAlert(row);
    if (auto it = of.find(row.id); it != of.end()) {
      for (const store::DeliveryRow* d : it->second) {
        *alert->add_deliveries() = history::ToWebhookDelivery(*d);
      }
    }
    if (request->explain()) {
      if (absl::Status s = Explain(*alert); !s.ok()) return ToGrpcStatus(s);
    }
  }
  return grpc::Status::OK;
}

absl::Status AlertsService::Explain(v1::Alert& alert) {
  if (!alert.has_explained_from()) return absl::OkStatus();
  v1::ExplainChangeRequest request;
  request.set_customer_id(alert.customer_id());
  *request.mutable_from() = alert.explained_from();
  *request.mutable_to() = alert.opened_at();
  return history_->ExplainChange(request, *alert.mutable_explanation());
}

grpc::Status AlertsService::WatchAlerts(
    grpc::ServerContext* context, const v1::WatchAlertsRequest* request,
    grpc::ServerWriter<v1::AlertEvent>* writer) {
  if (store_ == nullptr) return NoStore();
  if (absl::Status s = history::CheckSeverity(request->severity()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<int64_t> last = store_->LastAlertCursor();
  if (!last.ok()) return ToGrpcStatus(last.status());
  if (request->after_cursor() < 0 || request->after_cursor() > *last) {
    return ToGrpcStatus(absl::OutOfRangeError(absl::StrCat(
        "after_cursor=", request->after_cursor(),
        " is not a cursor this history has given: the newest event's is ",
        *last)));
  }
  int64_t cursor = request->after_cursor();
  while (!context->IsCancelled()) {
    // Read the generation first: an event committed after it wakes the wait.
    const uint64_t seen = signal_->generation();
    absl::StatusOr<std::vector<store::AlertEventRow>> events =
        store_->AlertEventsAfter(cursor, kEventsPerRead);
    if (!events.ok()) return ToGrpcStatus(events.status());
    for (const store::AlertEventRow& e : *events) {
      cursor = e.cursor;
      if (!Matches(*request, e.alert)) continue;
      v1::AlertEvent event;
      event.set_cursor(e.cursor);
      event.set_kind(static_cast<v1::AlertEvent::Kind>(e.kind));
      *event.mutable_alert() = history::ToAlert(e.alert);
      *event.mutable_at() = history::FromMicros(e.at_us);
      if (!writer->Write(event)) return grpc::Status::OK;  // client gone
    }
    if (events->size() < static_cast<size_t>(kEventsPerRead)) {
      signal_->Wait(seen, options_.poll);
    }
  }
  return grpc::Status::OK;
}

grpc::Status AlertsService::SetState(int64_t id, int state,
                                     const std::string& who,
                                     const std::string& note,
                                     v1::Alert* response) {
  if (store_ == nullptr) return NoStore();
  if (id <= 0) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("id=", id, " is not an alert id (ids start at 1)")));
  }
  if (who.empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "who is empty: say who is acting on the alert"));
  }
  if (who.size() > kMaxText || note.size() > kMaxText) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        who.size() > kMaxText ? "who" : "note", " is ",
        std::max(who.size(), note.size()), " bytes; the limit is ", kMaxText)));
  }
  absl::StatusOr<store::AlertRow> row =
      store_->SetAlertState(id, state, who, note);
  if (!row.ok()) return ToGrpcStatus(row.status());
  signal_->Notify();
  *response = history::ToAlert(*row);
  return grpc::Status::OK;
}

grpc::Status AlertsService::AcknowledgeAlert(
    grpc::ServerContext*, const v1::AcknowledgeAlertRequest* request,
    v1::Alert* response) {
  return SetState(request->id(), store::AlertRow::kAcknowledged, request->who(),
                  request->note(), response);
}

grpc::Status AlertsService::ResolveAlert(grpc::ServerContext*,
                                         const v1::ResolveAlertRequest* request,
                                         v1::Alert* response) {
  return SetState(request->id(), store::AlertRow::kResolved, request->who(),
                  request->note(), response);
}

}  // namespace healthscore
