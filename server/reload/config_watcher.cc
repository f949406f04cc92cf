// The inotify loop behind ConfigWatcher.
#include "server/reload/config_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace healthscore {
namespace {

// The name Kubernetes gives the symlink it swaps when a ConfigMap changes.
constexpr char kKubernetesDataLink[] = "..data";

// Longest time a debounce may be stretched by a directory that never goes
// quiet, in debounce periods.
constexpr int kMaxDebouncePeriods = 10;

}  // namespace

absl::StatusOr<std::unique_ptr<ConfigWatcher>> ConfigWatcher::Start(
    const std::filesystem::path& file, absl::Duration debounce,
    std::function<void()> on_change) {
  std::unique_ptr<ConfigWatcher> watcher(new ConfigWatcher);
  const std::filesystem::path absolute = std::filesystem::absolute(file);
  watcher->directory_ = absolute.parent_path().string();
  watcher->file_name_ = absolute.filename().string();
  watcher->debounce_ = debounce;
  watcher->on_change_ = std::move(on_change);
  watcher->inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watcher->inotify_fd_ < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot watch ", file.string(), " (--watch-config): inotify_init1: ",
        std::strerror(errno), "; SIGHUP and the Reload RPC still reload it"));
  }
  if (inotify_add_watch(watcher->inotify_fd_, watcher->directory_.c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot watch directory ", watcher->directory_,
        " (--watch-config): inotify_add_watch: ", std::strerror(errno)));
  }
  watcher->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (watcher->wake_fd_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot watch ", file.string(),
                     " (--watch-config): eventfd: ", std::strerror(errno)));
  }
  watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  spdlog::info("watching {} for changes (directory {})", absolute.string(),
               watcher->directory_);
  return watcher;
}

void ConfigWatcher::Run() {
  // Large enough for many events at once; aligned as inotify_event requires.
  alignas(struct inotify_event) char buffer[16 * 1024];
  bool pending = false;
  absl::Time first_change;
  absl::Time fire_at;
  while (true) {
    int timeout_ms = -1;
    if (pending) {
      timeout_ms = static_cast<int>(std::max<int64_t>(
          0, absl::ToInt64Milliseconds(
                 absl::Ceil(fire_at - absl::Now(), absl::Milliseconds(1)))));
    }
    struct pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = poll(fds, 2, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      spdlog::error("config watcher: poll: {}; no longer watching {}/{}",
                    std::strerror(errno), directory_, file_name_);
      return;
    }
    if (fds[1].revents != 0) return;  // Stop()
    if (fds[0].revents != 0) {
      bool relevant = false;
      bool gone = false;
      while (true) {
        const ssize_t n = read(inotify_fd_, buffer, sizeof(buffer));
        if (n <= 0) break;  // EAGAIN: drained
        for (ssize_t at = 0; at < n;) {
          const auto* event =
              reinterpret_cast<const struct inotify_event*>(buffer + at);
          at += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
          if (event->mask & IN_Q_OVERFLOW)
            relevant = true;  // may have missed it
          if (event->mask & IN_IGNORED) gone = true;
          if (event->len == 0) continue;
          const char* name = event->name;
          if (file_name_ == name ||
              std::strcmp(name, kKubernetesDataLink) == 0) {
            relevant = true;
          }
        }
      }
      if (gone) {
        spdlog::error(
            "config watcher: directory {} is gone; no longer watching it "
            "(SIGHUP and the Reload RPC still reload)",
            directory_);
        return;
      }
      if (relevant) {
        const absl::Time now = absl::Now();
        if (!pending) first_change = now;
        pending = true;
        fire_at = std::min(now + debounce_,
                           first_change + kMaxDebouncePeriods * debounce_);
      }
    }
    if (pending && absl::Now() >= fire_at) {
      pending = false;
      on_change_();
    }
  }
}

void ConfigWatcher::Stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    // Cannot fail short of a full counter, which one write cannot reach.
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  inotify_fd_ = wake_fd_ = -1;
}

ConfigWatcher::~ConfigWatcher() { Stop(); }

}  // namespace healthscore
