// The scx_loader backend: asks the scx_loader daemon over DBus (system bus, sd-bus) to start
// and stop a scheduler, and verifies everything through sysfs, never through the loader's
// properties (they report the request, not the kernel's state). Internal.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "schedulers/scx_backend.hpp"

struct sd_bus;

namespace scxlab::schedulers {

inline constexpr const char* kLoaderService = "org.scx.Loader";
inline constexpr const char* kLoaderPath = "/org/scx/Loader";
inline constexpr const char* kLoaderInterface = "org.scx.Loader";

// A connected bus (the system bus by default); throws std::runtime_error when unreachable.
using BusFactory = std::function<sd_bus*()>;
sd_bus* open_system_bus();

// One method call on org.scx.Loader; throws std::runtime_error with the DBus error.
void loader_start_with_args(sd_bus* bus, const std::string& scheduler, const std::vector<std::string>& args);
void loader_stop(sd_bus* bus);

// For the journal's replay: StopScheduler on the system bus, one line saying what happened.
std::string stop_via_scx_loader(const std::string& scheduler);

class LoaderBackend : public SchedExtBackend {
 public:
  LoaderBackend(const Manifest& m, Journal& journal, BackendOptions options, HostPaths paths = {}, Timing timing = {},
                BusFactory bus = open_system_bus);
  ~LoaderBackend() override;

  void start(const Config& config) override;
  Health check() override;
  std::vector<std::string> stop() override;

 private:
  Observation observe() const;
  BusFactory bus_factory_;
  sd_bus* bus_ = nullptr;
  bool started_ = false;
};

}  // namespace scxlab::schedulers
