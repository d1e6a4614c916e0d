#include "workloads/task_attrs.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workloads/params.hpp"

namespace scxlab::workloads {
namespace {

// struct sched_attr, first version (48 bytes): glibc 2.36 has no wrapper for sched_setattr.
struct SchedAttr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
};
static_assert(sizeof(SchedAttr) == 48);

int policy_number(const std::string& name) {
  if (name == "batch") return SCHED_BATCH;
  if (name == "idle") return SCHED_IDLE;
  if (name == "fifo") return SCHED_FIFO;
  if (name == "rr") return SCHED_RR;
  return SCHED_OTHER;
}

bool is_rt(const std::string& policy) { return policy == "fifo" || policy == "rr"; }
bool has_slice(const std::string& policy) { return policy == "other" || policy == "batch"; }

std::string settings(const TaskAttrs& a) {
  std::string s = fmt::format("{}_policy={}", a.role, a.policy);
  if (is_rt(a.policy)) s += fmt::format(" rt_priority={}", a.rt_priority);
  if (!is_rt(a.policy)) s += fmt::format(" {}_nice={}", a.role, a.nice);
  if (a.slice_us > 0) s += fmt::format(" {}_slice_us={}", a.role, a.slice_us);
  return s;
}

std::string refusal_hint(int err) {
  if (err == EPERM) return " (negative nice and real-time policies need root or CAP_SYS_NICE)";
  if (err == EINVAL) return " (this combination is invalid for the kernel)";
  return "";
}

// What the kernel holds now differs from what was asked: say what and why it may be.
std::string check_read_back(const TaskAttrs& a, const SchedAttr& want) {
  SchedAttr got{};
  if (syscall(SYS_sched_getattr, 0, &got, sizeof got, 0) != 0) {
    return fmt::format("cannot read back the {} thread's attributes: {}", a.role, std::strerror(errno));
  }
  if (got.sched_policy != want.sched_policy) {
    return fmt::format("{}_policy={} was not applied by the kernel (policy is {})", a.role, a.policy, got.sched_policy);
  }
  if (has_slice(a.policy) && got.sched_nice != want.sched_nice) {
    return fmt::format("{}_nice={} was not applied by the kernel (nice is {})", a.role, a.nice, got.sched_nice);
  }
  if (a.slice_us > 0 && got.sched_runtime != want.sched_runtime) {
    if (got.sched_runtime == 0) {
      return fmt::format("{}_slice_us={}: this kernel ignores sched_runtime for {} (custom slices need Linux 6.12+)",
                         a.role, a.slice_us, a.policy);
    }
    return fmt::format("{}_slice_us={}: the kernel set {} us instead (it clamps custom slices to [100, 100000] us)",
                       a.role, a.slice_us, got.sched_runtime / 1000);
  }
  return "";
}

}  // namespace

std::vector<ParamSpec> task_attr_params(const std::string& role) {
  return {int_param(role + "_nice", 0, -20, 19, "nice of the " + role + " thread(s) (other, batch)"),
          int_param(role + "_slice_us", 0, 0, 100000,
                    "custom time slice of the " + role + " thread(s) via sched_runtime (other, batch; Linux 6.12+; "
                    "kernel range 100..100000), 0 = the kernel's default"),
          enum_param(role + "_policy", "other", {"other", "batch", "idle", "fifo", "rr"},
                     "scheduling policy of the " + role + " thread(s); fifo and rr use rt_priority")};
}

TaskAttrs read_task_attrs(const Params& p, const std::string& role, int rt_priority) {
  const ParamReader r(p);
  return {role, static_cast<int>(r.integer(role + "_nice")), r.integer(role + "_slice_us"), r.text(role + "_policy"),
          rt_priority};
}

std::string apply_to_this_thread(const TaskAttrs& a) {
  const bool defaults = a.policy == "other" && a.nice == 0 && a.slice_us == 0;
  if (defaults) return "";  // nothing to change: do not touch what the thread inherited
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = static_cast<std::uint32_t>(policy_number(a.policy));
  if (is_rt(a.policy)) attr.sched_priority = static_cast<std::uint32_t>(a.rt_priority);
  if (!is_rt(a.policy)) attr.sched_nice = a.nice;
  if (has_slice(a.policy)) attr.sched_runtime = static_cast<std::uint64_t>(a.slice_us) * 1000;
  if (a.slice_us > 0 && !has_slice(a.policy)) {
    return fmt::format("{}_slice_us={} applies to policies other and batch, not {}", a.role, a.slice_us, a.policy);
  }
  if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) {
    const int err = errno;
    return fmt::format("the kernel refused {}: {}{}", settings(a), std::strerror(err), refusal_hint(err));
  }
  return check_read_back(a, attr);
}

}  // namespace scxlab::workloads
