// SPDX-License-Identifier: GPL-2.0
/* Empty programs that measure what the kernel charges for running any BPF
 * program on a hook, beyond the program's own run time (which the kernel's
 * BPF statistics count): userspace/budget/dispatch_calibration.h times a
 * loop of syscalls with and without one of them attached.
 *
 *   sys_enter    a raw-syscall tracepoint: every syscall on the host takes
 *                the tracing slow path, plus the dispatch to the program
 *   sys_exit     with sys_enter attached: one more program on the syscall
 *                path, the dispatch alone (the slow path is already taken)
 *   task_rename  any other tracepoint: the dispatch only (prctl(PR_SET_NAME)
 *                fires it a known number of times)
 *
 * Each in two forms: BTF-typed (tp_btf, what the probes use where BTF
 * exists) and raw_tp (their fallback). Each counts its runs with a plain
 * increment (a nanosecond or two): proof for userspace that the hook fired
 * for the calls it timed, not an exact tally (other CPUs' runs race). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 floor_runs = 0;

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter) { floor_runs++; return 0; }

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit) { floor_runs++; return 0; }

SEC("tp_btf/task_rename")
int BPF_PROG(floor_task_rename) { floor_runs++; return 0; }

SEC("raw_tp/sys_enter")
int floor_sys_enter_raw(void *ctx) { floor_runs++; return 0; }

SEC("raw_tp/sys_exit")
int floor_sys_exit_raw(void *ctx) { floor_runs++; return 0; }

SEC("raw_tp/task_rename")
int floor_task_rename_raw(void *ctx) { floor_runs++; return 0; }
