// Alert webhooks over libcurl: one multi handle, the claimed deliveries posted
// at once, each outcome recorded in the store as it completes.
#include "server/history/webhooks.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "server/history/point.h"
#include "spdlog/spdlog.h"

namespace healthscore::history {
namespace {

using Claimed =
    std::vector<std::pair<store::DeliveryRow, store::AlertEventRow>>;

// Bytes of a receiver's answer kept for the error message.
constexpr size_t kMaxAnswerBytes = 200;

std::string KindName(int kind) {
  if (kind < store::AlertEventRow::kOpened ||
      kind > store::AlertEventRow::kResolved) {
    return absl::StrCat("kind", kind);
  }
  return std::string(WebhookEventName(static_cast<WebhookEvent>(kind)));
}

// Printable ASCII only, at most kMaxAnswerBytes: a receiver's answer goes
// into a log line and an API field.
std::string Printable(absl::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxAnswerBytes)) {
    out.push_back(c >= ' ' && c < 0x7f ? c : ' ');
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

size_t KeepAnswer(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (answer->size() < kMaxAnswerBytes) {
    answer->append(data, std::min(bytes, kMaxAnswerBytes - answer->size()));
  }
  return bytes;
}

absl::Duration Lease(const std::vector<WebhookSpec>& hooks,
                     absl::Duration min_lease) {
  int64_t longest_ms = 0;
  for (const WebhookSpec& h : hooks) {
    longest_ms = std::max(longest_ms, h.timeout_ms);
  }
  return std::max(min_lease,
                  absl::Milliseconds(2 * longest_ms) + absl::Seconds(1));
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

absl::StatusOr<WebhookSpec> FlagWebhook(const std::string& url,
                                        const std::string& secret_file) {
  if (url.empty()) {
    return absl::InvalidArgumentError(
        "--webhook-secret-file is set but --webhook-url is not: give the "
        "URL to post alert events to");
  }
  if (secret_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--webhook-url=", url.substr(0, 200),
        " needs --webhook-secret-file=PATH, the file holding the key its "
        "X-Healthscore-Signature is computed with"));
  }
  if (absl::Status s = CheckWebhookUrl(url, "--webhook-url"); !s.ok()) {
    return s;
  }
  WebhookSpec hook;
  hook.id = kFlagWebhookId;
  hook.url = url;
  absl::StatusOr<std::string> secret =
      ReadWebhookSecretFile(secret_file, "--webhook-secret-file");
  if (!secret.ok()) return secret.status();
  hook.secret = *std::move(secret);
  hook.secret_from = absl::StrCat("secret_file ", secret_file);
  return hook;
}

std::string WebhookBody(const store::AlertEventRow& event) {
  std::string alert;
  // Printing a message this binary built cannot fail; an empty object keeps
  // the body valid JSON if it ever did.
  if (!google::protobuf::util::MessageToJsonString(ToAlert(event.alert), &alert)
           .ok()) {
    alert = "{}";
  }
  return absl::StrCat(
      "{\"cursor\":", event.cursor, ",\"kind\":\"", KindName(event.kind),
      "\",\"at\":\"",
      google::protobuf::util::TimeUtil::ToString(FromMicros(event.at_us)),
      "\",\"alert\":", alert, "}");
}

std::string WebhookSignature(absl::string_view secret, absl::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest,
       &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

absl::Duration WebhookBackoff(const WebhookSpec& hook, int attempts) {
  // Doubling stops at the cap: no overflow however many attempts.
  int64_t ms = hook.initial_backoff_ms;
  for (int i = 1; i < attempts && ms < hook.max_backoff_ms; ++i) ms *= 2;
  return absl::Milliseconds(std::min(ms, hook.max_backoff_ms));
}

v1::WebhookDelivery ToWebhookDelivery(const store::DeliveryRow& row) {
  v1::WebhookDelivery d;
  d.set_webhook_id(row.webhook_id);
  d.set_cursor(row.cursor);
  d.set_event_kind(static_cast<v1::AlertEvent::Kind>(row.event_kind));
  d.set_state(static_cast<v1::WebhookDelivery::State>(row.state));
  d.set_attempts(row.attempts);
  d.set_last_error(row.last_error);
  if (row.state == store::DeliveryRow::kPending) {
    *d.mutable_next_attempt_at() = FromMicros(row.next_attempt_us);
  }
  *d.mutable_updated_at() = FromMicros(row.updated_at_us);
  return d;
}

// One post in flight: its easy handle and what it sends and hears.
struct WebhookDeliverer::Attempt {
  store::DeliveryRow delivery;
  const WebhookSpec* hook = nullptr;
  std::string body;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string answer;
  char error[CURL_ERROR_SIZE] = {};
  CURLcode result = CURLE_OK;
  long status = 0;  // NOLINT(runtime/int): libcurl's type
  bool done = false;

  ~Attempt() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (headers != nullptr) curl_slist_free_all(headers);
  }

  // Sets up the POST; false if libcurl could not (out of memory).
  bool Prepare(const store::AlertEventRow& event) {
    body = WebhookBody(event);
    easy = curl_easy_init();
    if (easy == nullptr) return false;
    for (const std::string& h :
         {std::string("Content-Type: application/json"),
          absl::StrCat("Idempotency-Key: ", delivery.cursor),
          absl::StrCat("X-Healthscore-Event: ", KindName(event.kind)),
          absl::StrCat("X-Healthscore-Webhook: ", hook->id),
          absl::StrCat("X-Healthscore-Attempt: ", delivery.attempts),
          absl::StrCat("X-Healthscore-Signature: ",
                       WebhookSignature(hook->secret, body)),
          // No "Expect: 100-continue" round trip before larger bodies.
          std::string("Expect:")}) {
      curl_slist* more = curl_slist_append(headers, h.c_str());
      if (more == nullptr) return false;
      headers = more;
    }
    curl_easy_setopt(easy, CURLOPT_URL, hook->url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "healthscore-webhooks/1");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(hook->timeout_ms));  // NOLINT
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &KeepAnswer);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
    return true;
  }

  bool Delivered() const {
    return result == CURLE_OK && status >= 200 && status < 300;
  }

  // Why it failed, for the store and the log.
  std::string Error() const {
    if (result != CURLE_OK) {
      return error[0] != '\0' ? std::string(error)
                              : std::string(curl_easy_strerror(result));
    }
    std::string out = absl::StrCat("HTTP ", status, " from the receiver");
    if (status >= 300 && status < 400) {
      absl::StrAppend(&out, " (redirects are not followed)");
    }
    if (std::string text = Printable(answer); !text.empty()) {
      absl::StrAppend(&out, ": ", text);
    }
    return out;
  }
};

WebhookDeliverer::WebhookDeliverer(store::Store* store, AlertSignal* signal,
                                   WebhookSource webhooks, Options options)
    : store_(store),
      signal_(signal),
      webhooks_(std::move(webhooks)),
      options_(options) {
  GlobalInitOnce();
  multi_ = curl_multi_init();
}

WebhookDeliverer::~WebhookDeliverer() {
  Stop();
  if (multi_ != nullptr) curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void WebhookDeliverer::Start() {
  std::vector<WebhookSpec> hooks = webhooks_();
  Queue(hooks);
  if (!hooks.empty()) {
    std::vector<std::string> ids;
    for (const WebhookSpec& h : hooks) ids.push_back(h.id);
    spdlog::info("alert webhooks: {} (claims leased for {})",
                 absl::StrJoin(ids, ", "),
                 absl::FormatDuration(Lease(hooks, options_.min_lease)));
  }
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void WebhookDeliverer::Stop() {
  absl::MutexLock lock(&mu_);
  if (!thread_.joinable()) return;
  stopping_ = true;
  signal_->Notify();
  if (multi_ != nullptr) curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
}

void WebhookDeliverer::Run() {
  while (!stopping_) {
    // Read the generation first: an event committed after it wakes the wait.
    const uint64_t seen = signal_->generation();
    const absl::Time next = Tick();
    if (stopping_) break;
    const absl::Duration wait = next - absl::Now();
    if (wait > absl::ZeroDuration()) signal_->Wait(seen, wait);
  }
}

absl::Time WebhookDeliverer::Tick() {
  const absl::Time idle = absl::Now() + options_.poll;
  std::vector<WebhookSpec> hooks = webhooks_();
  if (hooks.empty()) return idle;
  const bool more_events = Queue(hooks);
  std::vector<std::string> ids;
  for (const WebhookSpec& h : hooks) ids.push_back(h.id);
  const absl::Time now = absl::Now();
  absl::StatusOr<Claimed> claimed = store_->ClaimDeliveries(
      ids, absl::ToUnixMicros(now),
      absl::ToInt64Microseconds(Lease(hooks, options_.min_lease)),
      options_.max_in_flight);
  if (!claimed.ok()) {
    StoreTrouble("claiming deliveries", claimed.status());
    return idle;
  }
  absl::Time next_due = idle;
  Post(hooks, *claimed, next_due);
  if (more_events ||
      claimed->size() >= static_cast<size_t>(options_.max_in_flight)) {
    return absl::InfinitePast();
  }
  return next_due;
}

bool WebhookDeliverer::Queue(const std::vector<WebhookSpec>& hooks) {
  bool more = false;
  for (const WebhookSpec& h : hooks) {
    std::vector<int> kinds;
    for (WebhookEvent e : h.events) kinds.push_back(static_cast<int>(e));
    absl::StatusOr<int64_t> queued =
        store_->QueueDeliveries(h.id, kinds, options_.queue_batch);
    if (!queued.ok()) {
      StoreTrouble(absl::StrCat("queueing webhook ", h.id), queued.status());
      continue;
    }
    // A full batch of deliveries means a full window of events, or more.
    if (*queued >= options_.queue_batch) more = true;
  }
  return more;
}

void WebhookDeliverer::Post(const std::vector<WebhookSpec>& hooks,
                            Claimed& claimed, absl::Time& next_due) {
  CURLM* multi = static_cast<CURLM*>(multi_);
  std::vector<std::unique_ptr<Attempt>> attempts;
  for (auto& [delivery, event] : claimed) {
    auto attempt = std::make_unique<Attempt>();
    attempt->delivery = delivery;
    for (const WebhookSpec& h : hooks) {
      if (h.id == delivery.webhook_id) attempt->hook = &h;
    }
    if (attempt->hook == nullptr) continue;  // only configured ids are claimed
    if (event.cursor == 0) {
      // ClaimDeliveries found no event for the row: nothing to post.
      attempt->result = CURLE_SEND_ERROR;
      std::snprintf(attempt->error, sizeof(attempt->error),
                    "alert event %lld is not in the store",
                    static_cast<long long>(delivery.cursor));  // NOLINT
      attempt->done = true;
      Finish(*attempt, next_due);
      continue;
    }
    if (multi == nullptr || !attempt->Prepare(event) ||
        curl_multi_add_handle(multi, attempt->easy) != CURLM_OK) {
      attempt->result = CURLE_OUT_OF_MEMORY;
      attempt->done = true;
      Finish(*attempt, next_due);
      continue;
    }
    attempts.push_back(std::move(attempt));
  }
  int running = static_cast<int>(attempts.size());
  while (running > 0 && !stopping_) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Attempt* a = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &a);
      a->result = msg->data.result;
      curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &a->status);
      curl_multi_remove_handle(multi, a->easy);
      a->done = true;
      Finish(*a, next_due);
    }
    if (running > 0 && !stopping_) {
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
  }
  // Stopping (or libcurl failed): what is still in flight is made due again.
  for (const std::unique_ptr<Attempt>& a : attempts) {
    if (a->done) continue;
    curl_multi_remove_handle(multi, a->easy);
    const absl::Status s =
        store_->FinishDelivery(a->delivery.id, store::DeliveryRow::kPending,
                               absl::ToUnixMicros(absl::Now()),
                               "interrupted: the server stopped mid-delivery");
    if (!s.ok()) StoreTrouble("releasing a delivery", s);
  }
}

void WebhookDeliverer::Finish(const Attempt& attempt, absl::Time& next_due) {
  const store::DeliveryRow& d = attempt.delivery;
  const WebhookSpec& hook = *attempt.hook;
  absl::Status s;
  if (attempt.Delivered()) {
    spdlog::debug("webhook {}: alert {} cursor {} delivered (attempt {})",
                  hook.id, d.alert_id, d.cursor, d.attempts);
    delivered_.fetch_add(1, std::memory_order_relaxed);
    s = store_->FinishDelivery(d.id, store::DeliveryRow::kDelivered, 0, "");
  } else if (d.attempts >= hook.max_attempts) {
    const std::string error = attempt.Error();
    spdlog::warn(
        "webhook {}: alert {} cursor {} ({}) is dead-lettered after {} "
        "attempt(s): {}",
        hook.id, d.alert_id, d.cursor, KindName(d.event_kind), d.attempts,
        error);
    dead_lettered_.fetch_add(1, std::memory_order_relaxed);
    s = store_->FinishDelivery(d.id, store::DeliveryRow::kDead, 0, error);
  } else {
    const std::string error = attempt.Error();
    // Jitter spreads the retries of many deliveries that failed together.
    static thread_local absl::BitGen bits;
    const absl::Duration backoff = std::min(
        WebhookBackoff(hook, d.attempts) * absl::Uniform(bits, 0.8, 1.2),
        absl::Milliseconds(hook.max_backoff_ms));
    const absl::Time at = absl::Now() + backoff;
    next_due = std::min(next_due, at);
    spdlog::info(
        "webhook {}: alert {} cursor {} attempt {}/{} failed: {}; next in {}",
        hook.id, d.alert_id, d.cursor, d.attempts, hook.max_attempts, error,
        absl::FormatDuration(absl::Trunc(backoff, absl::Milliseconds(1))));
    failed_.fetch_add(1, std::memory_order_relaxed);
    s = store_->FinishDelivery(d.id, store::DeliveryRow::kPending,
                               absl::ToUnixMicros(at), error);
  }
  if (!s.ok()) StoreTrouble("recording a delivery", s);
}

WebhookDeliverer::Counts WebhookDeliverer::counts() const {
  return Counts{
      .delivered = delivered_.load(std::memory_order_relaxed),
      .failed = failed_.load(std::memory_order_relaxed),
      .dead_lettered = dead_lettered_.load(std::memory_order_relaxed)};
}

void WebhookDeliverer::StoreTrouble(absl::string_view what,
                                    const absl::Status& status) {
  const std::string message = absl::StrCat(what, ": ", status.ToString());
  const absl::Time now = absl::Now();
  if (message == last_trouble_ && now - last_trouble_at_ < absl::Minutes(1)) {
    return;
  }
  last_trouble_ = message;
  last_trouble_at_ = now;
  spdlog::warn("alert webhooks: {} (retried every tick)", message);
}

}  // namespace healthscore::history
