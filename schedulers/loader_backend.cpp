#include "schedulers/loader_backend.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <systemd/sd-bus.h>

#include "schedulers/host_io.hpp"

namespace scxlab::schedulers {
namespace {

// sd-bus objects released at scope exit.
struct MessageRef {
  sd_bus_message* m = nullptr;
  ~MessageRef() { sd_bus_message_unref(m); }
};
struct ErrorRef {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~ErrorRef() { sd_bus_error_free(&e); }
};

void check(int r, const std::string& what) {
  if (r < 0) throw std::runtime_error(fmt::format("scx_loader: {}: {}", what, host::errno_text(-r)));
}

void call(sd_bus* bus, sd_bus_message* m, const std::string& method) {
  ErrorRef error;
  MessageRef reply;
  const int r = sd_bus_call(bus, m, 0, &error.e, &reply.m);
  if (r < 0) {
    throw std::runtime_error(fmt::format("scx_loader: {} failed: {}", method,
                                         error.e.message ? error.e.message : host::errno_text(-r)));
  }
}

}  // namespace

sd_bus* open_system_bus() {
  sd_bus* bus = nullptr;
  const int r = sd_bus_open_system(&bus);
  if (r < 0) {
    throw std::runtime_error(fmt::format("cannot connect to the DBus system bus (scx_loader lives there): {}",
                                         host::errno_text(-r)));
  }
  return bus;
}

void loader_start_with_args(sd_bus* bus, const std::string& scheduler, const std::vector<std::string>& args) {
  MessageRef m;
  check(sd_bus_message_new_method_call(bus, &m.m, kLoaderService, kLoaderPath, kLoaderInterface,
                                       "StartSchedulerWithArgs"), "building StartSchedulerWithArgs");
  check(sd_bus_message_append(m.m, "s", scheduler.c_str()), "appending the scheduler name");
  check(sd_bus_message_open_container(m.m, 'a', "s"), "opening the argument array");
  for (const auto& a : args) check(sd_bus_message_append(m.m, "s", a.c_str()), "appending an argument");
  check(sd_bus_message_close_container(m.m), "closing the argument array");
  call(bus, m.m, "StartSchedulerWithArgs");
}

void loader_stop(sd_bus* bus) {
  MessageRef m;
  check(sd_bus_message_new_method_call(bus, &m.m, kLoaderService, kLoaderPath, kLoaderInterface, "StopScheduler"),
        "building StopScheduler");
  call(bus, m.m, "StopScheduler");
}

std::string stop_via_scx_loader(const std::string& scheduler) {
  try {
    sd_bus* bus = open_system_bus();
    try {
      loader_stop(bus);
    } catch (...) {
      sd_bus_flush_close_unref(bus);
      throw;
    }
    sd_bus_flush_close_unref(bus);
    return fmt::format("asked scx_loader to stop {}", scheduler);
  } catch (const std::exception& e) {
    return fmt::format("could not ask scx_loader to stop {}: {}", scheduler, e.what());
  }
}

LoaderBackend::LoaderBackend(const Manifest& m, Journal& journal, BackendOptions options, HostPaths paths,
                             Timing timing, BusFactory bus)
    : SchedExtBackend(m, journal, std::move(options), std::move(paths), timing), bus_factory_(std::move(bus)) {}

LoaderBackend::~LoaderBackend() {
  stop();
  if (bus_) sd_bus_flush_close_unref(bus_);
}

Observation LoaderBackend::observe() const {
  Observation o;
  o.status = status();  // the loader's process is not ours to watch: sysfs tells
  return o;
}

void LoaderBackend::start(const Config& config) {
  if (started_) throw StartError(fmt::format("{}: already started; stop() it first", manifest_.name));
  if (!config.binary.empty()) {
    throw StartError(fmt::format("{}: binary={} cannot be run through scx_loader, which starts installed schedulers by "
                                 "name only", manifest_.name, config.binary));
  }
  std::vector<std::string> args;
  try {
    args = build_args(manifest_, config);
  } catch (const std::invalid_argument& e) {
    throw StartError(e.what());
  }
  check_host_is_free();
  const auto before = status();
  try {
    if (!bus_) bus_ = bus_factory_();
    hardware_.snapshot();
    kmsg_ = std::make_unique<KmsgCursor>(paths_.kmsg);
    journal_.started_via_scx_loader(manifest_.name);
    started_ = true;
    loader_start_with_args(bus_, manifest_.binary, args);
    wait_serving(before.enable_seq, [this] { return observe(); },
                 [] { return std::string("    (run by scx_loader: see its log, e.g. journalctl -u scx_loader)"); });
  } catch (const StartError&) {
    stop();
    throw;
  } catch (const std::exception& e) {
    stop();
    throw StartError(fmt::format("{}: {}", manifest_.name, e.what()));
  }
}

Health LoaderBackend::check() {
  if (!started_) return {false, status().state, "not started"};
  return watch([this] { return observe(); }, [] { return std::string(); });
}

std::vector<std::string> LoaderBackend::stop() {
  std::vector<std::string> notes;
  if (started_) {
    try {
      loader_stop(bus_);
    } catch (const std::exception& e) {
      notes.push_back(e.what());
    }
    const auto disabled = ensure_disabled();
    notes.insert(notes.end(), disabled.begin(), disabled.end());
    try {
      journal_.forget("scx_loader", manifest_.name);
    } catch (const std::exception& e) {
      notes.push_back(e.what());
    }
    started_ = false;
  }
  const auto restored = hardware_.restore();
  notes.insert(notes.end(), restored.begin(), restored.end());
  return notes;
}

}  // namespace scxlab::schedulers
