// `messaging`: the hackbench model. `groups` groups of `fds` senders and `fds` receivers;
// every sender writes `loops` messages of `size` bytes to every receiver of its group, over
// UNIX stream sockets or pipes, from processes or threads. Timed like hackbench: from the
// start signal (all tasks created and waiting) until every task is done.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/unique_fd.hpp"
#include "workloads/builtins.hpp"
#include "workloads/child.hpp"
#include "workloads/params.hpp"

namespace scxlab::workloads {
namespace {

struct Channel {
  int read_fd = -1, write_fd = -1;
};

struct MessagingConfig {
  long groups, fds, loops, size;
  bool pipes, threads;
};

Channel open_channel(bool pipes) {
  int fds[2];
  const int rc = pipes ? pipe(fds) : socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
  if (rc != 0) throw WorkloadFailure(std::string("cannot create a channel: ") + std::strerror(errno) +
                                     " (lower groups or fds, or raise the open-file limit)");
  return {fds[0], fds[1]};
}

void close_channels(const std::vector<Channel>& channels) {
  for (const auto& ch : channels) {
    close(ch.read_fd);
    close(ch.write_fd);
  }
}

void wait_for_start(int ready_fd, int start_fd) {
  write_all(ready_fd, "r");
  pollfd p{start_fd, POLLIN, 0};
  while (poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

// One message with write(2), for sockets and pipes alike, as hackbench does: one system call
// per message (a send() that fails with ENOTSOCK first would double a pipe's cost). SIGPIPE
// is ignored in the workload's process, so a receiver gone early is an EPIPE error.
bool write_message(int fd, const std::string& message) {
  for (std::size_t done = 0; done < message.size();) {
    const auto n = write(fd, message.data() + done, message.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void sender(const MessagingConfig& c, const std::vector<Channel>& receivers, int ready_fd, int start_fd) {
  wait_for_start(ready_fd, start_fd);
  const std::string message(static_cast<std::size_t>(c.size), 'm');
  for (long l = 0; l < c.loops; ++l) {
    for (const auto& r : receivers) {
      if (!write_message(r.write_fd, message)) throw WorkloadFailure(std::string("sender write: ") + std::strerror(errno));
    }
  }
}

void receiver(const MessagingConfig& c, const Channel& ch, int ready_fd, int start_fd) {
  wait_for_start(ready_fd, start_fd);
  std::vector<char> buf(static_cast<std::size_t>(c.size));
  long long left = static_cast<long long>(c.loops) * c.fds * c.size;
  while (left > 0) {
    const auto n = read(ch.read_fd, buf.data(), std::min<long long>(left, static_cast<long long>(buf.size())));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      throw WorkloadFailure("receiver: channel closed early");
    }
    left -= n;
  }
}

// Starts one task as a thread or a process.
class Tasks {
 public:
  explicit Tasks(bool threads) : threads_(threads) {}
  ~Tasks() { join(); }

  template <typename F>
  void spawn(F body) {
    if (threads_) {
      threads_list_.emplace_back([body, this] {
        try {
          body();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "messaging: %s\n", e.what());
          failed_ = true;
        }
      });
      return;
    }
    const pid_t pid = fork_dying_with_parent();
    if (pid < 0) throw WorkloadFailure(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      try {
        body();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "messaging: %s\n", e.what());
        _exit(1);
      }
      _exit(0);
    }
    pids_.push_back(pid);
  }

  // Waits for every task; false if any failed.
  bool join() {
    for (auto& t : threads_list_) t.join();
    threads_list_.clear();
    for (pid_t p : pids_) {
      int status = 0;
      while (waitpid(p, &status, 0) < 0 && errno == EINTR) {
      }
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed_ = true;
    }
    pids_.clear();
    return !failed_;
  }

 private:
  bool threads_;
  std::vector<std::thread> threads_list_;
  std::vector<pid_t> pids_;
  std::atomic<bool> failed_{false};
};

Measurements run_messaging(const Params& p) {
  const ParamReader r(p);
  const MessagingConfig c{r.integer("groups"), r.integer("fds"), r.integer("loops"), r.integer("size"),
                 r.text("ipc") == "pipes", r.text("mode") == "threads"};
  std::signal(SIGPIPE, SIG_IGN);  // this is the workload's own process (see write_message)
  const base::Pipe ready = base::make_pipe(O_CLOEXEC), start = base::make_pipe(O_CLOEXEC);
  std::vector<Channel> kept;  // threads share the channels until the end
  Tasks tasks(c.threads);
  for (long g = 0; g < c.groups; ++g) {
    std::vector<Channel> receivers;
    for (long i = 0; i < c.fds; ++i) receivers.push_back(open_channel(c.pipes));
    for (const auto& ch : receivers) {
      tasks.spawn([&c, ch, &ready, &start] { receiver(c, ch, ready.write_end.get(), start.read_end.get()); });
    }
    for (long i = 0; i < c.fds; ++i) {
      tasks.spawn([&c, receivers, &ready, &start] { sender(c, receivers, ready.write_end.get(), start.read_end.get()); });
    }
    // Processes have their copies: close ours now, as hackbench does, so later groups do not
    // inherit (and pay for closing at exit, inside the timed part) every earlier group's fds.
    if (c.threads) {
      kept.insert(kept.end(), receivers.begin(), receivers.end());
    } else {
      close_channels(receivers);
    }
  }
  // Every task is created and waiting: start them all at once and time until all are done.
  char byte;
  for (long n = 0; n < 2 * c.groups * c.fds; ++n) {
    if (read(ready.read_end.get(), &byte, 1) != 1) throw WorkloadFailure("a messaging task died before the start");
  }
  const auto t0 = std::chrono::steady_clock::now();
  write_all(start.write_end.get(), "s");
  const bool ok = tasks.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close_channels(kept);
  if (!ok) throw WorkloadFailure("a messaging task failed (see stderr)");
  const double messages = static_cast<double>(c.groups * c.fds * c.fds * c.loops);
  return {{workload_metric("time_s", seconds, "s", Direction::lower_is_better),
           workload_metric("messages_per_s", messages / seconds, "msg/s", Direction::higher_is_better)},
          {}};
}

}  // namespace

std::vector<MetricSpec> messaging_metric_specs() {
  return {{"time_s", "s", Direction::lower_is_better, true, "wall time from the start signal until all tasks are done"},
          {"messages_per_s", "msg/s", Direction::higher_is_better, false, "messages delivered per second"}};
}

Definition messaging_workload() {
  WorkloadInfo info;
  info.name = "messaging";
  info.summary = "hackbench model: groups of senders and receivers exchanging messages";
  info.params = {
      int_param("groups", 10, 1, 1000, "groups of senders and receivers"),
      int_param("fds", 20, 1, 1000, "senders and receivers per group"),
      int_param("loops", 100, 1, 10000000, "messages each sender sends to each receiver"),
      int_param("size", 100, 1, 65536, "message size in bytes"),
      enum_param("ipc", "sockets", {"sockets", "pipes"}, "UNIX stream sockets or pipes"),
      enum_param("mode", "processes", {"processes", "threads"}, "tasks as processes or threads"),
  };
  info.metrics = messaging_metric_specs();
  info.operation_rate = "messages_per_s";
  Definition d;
  d.info = std::move(info);
  d.generate = run_messaging;
  return d;
}

}  // namespace scxlab::workloads
