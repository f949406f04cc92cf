// Alert webhooks: the store's delivery outbox (one row per alert event and
// webhook) turned into signed HTTP POSTs by a background thread, retried with
// exponential backoff and dead-lettered after a webhook's max_attempts.
// Reference: docs/alerts.md, "Webhooks".
#ifndef HEALTHSCORE_SERVER_HISTORY_WEBHOOKS_H_
#define HEALTHSCORE_SERVER_HISTORY_WEBHOOKS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "healthscore/v1/alerts.pb.h"
#include "server/config/scorecard.h"
#include "server/history/alerts.h"
#include "server/store/store.h"

namespace healthscore::history {

// The webhook --webhook-url and --webhook-secret-file configure (id "flag",
// the defaults of a scorecard webhook). Errors name the flag and the value
// (never the secret).
absl::StatusOr<WebhookSpec> FlagWebhook(const std::string& url,
                                        const std::string& secret_file);

// The JSON body posted for `event`: {"cursor", "kind", "at", "alert"}, the
// alert in the protobuf JSON mapping. A function of the event alone, so
// every attempt posts the same bytes.
std::string WebhookBody(const store::AlertEventRow& event);

// "sha256=" and the lower-case hex HMAC-SHA256 of `body` keyed by `secret`:
// the X-Healthscore-Signature header.
std::string WebhookSignature(absl::string_view secret, absl::string_view body);

// The wait after failed attempt number `attempts` (1 for the first):
// initial_backoff_ms * 2^(attempts - 1), at most max_backoff_ms, before
// jitter.
absl::Duration WebhookBackoff(const WebhookSpec& hook, int attempts);

// The API's view of a delivery.
v1::WebhookDelivery ToWebhookDelivery(const store::DeliveryRow& row);

// Posts the alert events to the configured webhooks, from one background
// thread. Each tick (when this process commits an alert event, see
// AlertSignal, or every `poll` for other replicas' events): queues each
// webhook's new events (Store::QueueDeliveries), claims the due deliveries
// (Store::ClaimDeliveries: with several replicas on one database each is
// claimed by one), posts them at once, and records each outcome. A replica
// that dies mid-delivery leaves its claims leased; they are tried again when
// the lease ends, with the same idempotency key (the event's cursor).
//
// Thread-safe: Start and Stop may be called from any thread. `store`,
// `signal` and whatever `webhooks` refers to must outlive the deliverer.
class WebhookDeliverer {
 public:
  struct Options {
    // How often an idle deliverer looks for other replicas' events and for
    // retries that fell due.
    absl::Duration poll = absl::Milliseconds(250);
    // Deliveries claimed and posted at once.
    int max_in_flight = 16;
    // Events queued per webhook per tick.
    int queue_batch = 1000;
    // A claim's lease: max(min_lease, 2 * the longest timeout_ms + 1 s). It
    // outlasts a round of posts (they run at once, each within its timeout).
    absl::Duration min_lease = absl::ZeroDuration();
  };
  // The webhooks to deliver to now (called every tick, so that a scorecard
  // reload changes them). A delivery to an id no longer returned stays
  // pending.
  using WebhookSource = std::function<std::vector<WebhookSpec>()>;

  WebhookDeliverer(store::Store* store, AlertSignal* signal,
                   WebhookSource webhooks, Options options);
  // Stops.
  ~WebhookDeliverer();
  WebhookDeliverer(const WebhookDeliverer&) = delete;
  WebhookDeliverer& operator=(const WebhookDeliverer&) = delete;

  // Queues once for every webhook configured now (so that a new webhook's
  // cursor starts at the events committed so far, before the server
  // serves), then starts the thread. Call once.
  void Start();
  // Wakes the thread and joins it. A post in flight is abandoned and its
  // delivery made due again (it may have arrived: the receiver sees the same
  // idempotency key twice). Idempotent.
  void Stop();

  // Attempts since start, by outcome: delivered (2xx), failed (to be tried
  // again) and dead-lettered (failed for the last time). /metrics shows them
  // as healthscore_webhook_deliveries_total.
  struct Counts {
    uint64_t delivered = 0;
    uint64_t failed = 0;
    uint64_t dead_lettered = 0;
  };
  Counts counts() const;

 private:
  struct Attempt;

  void Run();
  // One tick; returns when the next should run at the latest (InfinitePast
  // when there may be more work right away: the caller does not wait).
  absl::Time Tick();
  // Queues each webhook's new events; true when one had more than a batch.
  bool Queue(const std::vector<WebhookSpec>& hooks);
  // Posts the claimed deliveries at once and records their outcomes; the
  // earliest retry it scheduled lowers `next_due`.
  void Post(
      const std::vector<WebhookSpec>& hooks,
      std::vector<std::pair<store::DeliveryRow, store::AlertEventRow>>& claimed,
      absl::Time& next_due);
  void Finish(const Attempt& attempt, absl::Time& next_due);
  // Logs a store error, once per minute for the same message.
  void StoreTrouble(absl::string_view what, const absl::Status& status);

  store::Store* const store_;
  AlertSignal* const signal_;
  const WebhookSource webhooks_;
  const Options options_;
  void* multi_ = nullptr;  // CURLM*, used by the thread (and woken by Stop)
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> dead_lettered_{0};
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
  std::string last_trouble_;
  absl::Time last_trouble_at_ = absl::InfinitePast();
};

}  // namespace healthscore::history

#endif  // HEALTHSCORE_SERVER_HISTORY_WEBHOOKS_H_
