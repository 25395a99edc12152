// The block I/O probe (bpf/block.bpf.c): per device and operation, the
// latency of requests from issue to completion, bytes and failed requests.
#pragma once

#include <memory>

#include "loader/probe.h"

namespace kscope {

std::unique_ptr<Probe> make_block_probe();

}  // namespace kscope
