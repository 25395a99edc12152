#include "symbolize/symbolizer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/sysmacros.h>

#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "common/escape.h"
#include "symbolize/demangle.h"
#include "symbolize/elf_cache.h"
#include "common/file_read.h"
#include "symbolize/kallsyms.h"
#include "symbolize/proc_identity.h"
#include "symbolize/process_cache.h"
#include "symbolize/text_parse.h"
#include "symbolize/vdso.h"

namespace kscope {

namespace {

constexpr std::string_view kUnknown = "[unknown]";
constexpr size_t kMaxDemangleCache = 65536;

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Tables stay valid for a mapping whose identity is unchanged.
auto map_identity(const MapEntry& m) {
  return std::make_tuple(m.start, m.end, m.offset, m.inode, m.path);
}

}  // namespace

struct Symbolizer::Impl {
  explicit Impl(SymbolizerOptions o)
      : options(std::move(o)),
        elf_cache(options.max_binaries, options.debug_dirs),
        processes(options.max_processes, options.max_dead_processes) {}

  SymbolizerOptions options;
  mutable std::mutex mu;
  std::optional<KernelSymbols> kernel;
  bool kernel_tried = false;
  ElfCache elf_cache;
  ProcessCache processes;
  std::optional<Vdso> vdso;
  std::unordered_map<std::string, std::string> demangled;
  uint64_t call_number = 1;  // counts symbolize_user/remember calls

  std::string proc_dir(pid_t pid) const { return options.proc_root + "/" + std::to_string(pid); }

  const KernelSymbols* kernel_symbols() {
    if (!kernel_tried) {
      kernel_tried = true;
      auto loaded = KernelSymbols::load(options.kallsyms_path);
      if (loaded) {
        kernel = std::move(*loaded);
        if (kernel->restricted()) {
          spdlog::warn(
              "symbolize: kernel addresses are hidden (kptr_restrict); kernel frames "
              "will be unnamed: run as root or set kernel.kptr_restrict=0");
        }
      } else {
        spdlog::warn("symbolize: {}", loaded.error().to_string());
      }
    }
    return kernel ? &*kernel : nullptr;
  }

  std::string display_name(std::string_view name) {
    if (!options.demangle || !name.starts_with("_Z")) return std::string(name);
    std::string key(name);
    if (auto it = demangled.find(key); it != demangled.end()) return it->second;
    if (demangled.size() >= kMaxDemangleCache) demangled.clear();
    std::string out = demangle(name);
    demangled.emplace(std::move(key), out);
    return out;
  }

  Frame kernel_frame(uint64_t address) {
    Frame f;
    f.address = address;
    f.kind = FrameKind::kKernel;
    f.module = "[kernel.kallsyms]";
    const KernelSymbols* table = kernel_symbols();
    auto sym = table != nullptr ? table->find(address) : std::nullopt;
    if (!sym) {
      f.function = "[kernel.kallsyms]+" + hex_string(address);
      return f;
    }
    if (!sym->module.empty()) f.module = "[" + std::string(sym->module) + "]";
    f.function = std::string(sym->name);
    f.offset = sym->offset;
    f.resolved = true;
    return f;
  }

  // Reads pid's maps afresh. Keeps the tables of mappings that did not
  // change; starts over when the pid now belongs to another process. Returns
  // the entry to use, which is the old one (marked dead) when the process is
  // gone, or nullptr when nothing is known.
  ProcessImage* refresh(pid_t pid) {
    ProcessImage* old = processes.find(pid);
    if (old != nullptr && !old->alive) return old;
    auto start_time = read_start_time(options.proc_root, pid);
    auto maps = start_time ? read_proc_maps(pid, options.proc_root)
                           : Result<std::vector<MapEntry>>(Error("gone"));
    if (!maps) {
      if (old != nullptr) processes.mark_dead(pid);
      return processes.find(pid);
    }
    ProcessImage image;
    image.pid = pid;
    image.start_time = *start_time;
    image.maps = std::move(*maps);
    image.tables.resize(image.maps.size());
    image.tried.resize(image.maps.size(), false);
    if (old != nullptr && old->start_time == image.start_time) {
      std::map<decltype(map_identity(MapEntry{})), size_t> known;
      for (size_t i = 0; i < old->maps.size(); ++i) known.emplace(map_identity(old->maps[i]), i);
      for (size_t i = 0; i < image.maps.size(); ++i) {
        auto it = known.find(map_identity(image.maps[i]));
        if (it == known.end()) continue;
        image.tables[i] = old->tables[it->second];
        image.tried[i] = old->tried[it->second];
      }
      image.jit = old->jit;
    }
    return &processes.put(std::move(image));
  }

  // Opens the file behind mapping `m` of a live process. maps prints paths
  // relative to the reader's root, so a process in another mount namespace
  // shows its own paths (open them in its root) while a chrooted one in ours
  // shows host paths (open them as they are). Each candidate must be the
  // mapped inode; map_files reaches deleted and replaced files (root only).
  std::optional<std::pair<UniqueFd, struct stat>> open_mapped_file(pid_t pid, const MapEntry& m) {
    struct stat st;
    if (!m.deleted) {
      auto fd = open_regular_file(proc_dir(pid) + "/root" + m.path, &st);
      if (fd && static_cast<uint64_t>(st.st_ino) == m.inode) {
        return std::make_pair(std::move(*fd), st);
      }
      fd = open_regular_file(m.path, &st);
      if (fd && static_cast<uint64_t>(st.st_ino) == m.inode &&
          st.st_dev == makedev(m.dev_major, m.dev_minor)) {
        return std::make_pair(std::move(*fd), st);
      }
    }
    auto fd = open_regular_file(
        fmt::format("{}/map_files/{:x}-{:x}", proc_dir(pid), m.start, m.end), &st);
    if (fd) return std::make_pair(std::move(*fd), st);
    return std::nullopt;
  }

  const ElfSymbolTable* table_for(ProcessImage& image, size_t index) {
    const MapEntry& m = image.maps[index];
    if (m.path == "[vdso]") {
      if (!vdso) vdso = load_own_vdso();
      return vdso->size == m.end - m.start ? vdso->table.get() : nullptr;
    }
    if (!m.is_file()) return nullptr;
    if (!image.tried[index] && image.alive) {
      image.tried[index] = true;
      if (auto opened = open_mapped_file(image.pid, m)) {
        image.tables[index] = elf_cache.get(std::move(opened->first), opened->second, m.path,
                                            proc_dir(image.pid) + "/root");
      }
    }
    return image.tables[index].get();
  }

  // Loads the perf map when there is one and it changed since last time.
  const PerfMap* perf_map_for(ProcessImage& image) {
    ProcessImage::Jit& jit = image.jit;
    if (image.alive && jit.checked_in_call != call_number) {
      jit.checked_in_call = call_number;
      if (jit.ns_pid == 0) jit.ns_pid = read_innermost_pid(options.proc_root, image.pid);
      std::string path = fmt::format("{}/root/tmp/perf-{}.map", proc_dir(image.pid), jit.ns_pid);
      struct stat st;
      auto fd = open_regular_file(path, &st);
      if (fd && (st.st_size != jit.size || st.st_mtim.tv_sec != jit.mtime.tv_sec ||
                 st.st_mtim.tv_nsec != jit.mtime.tv_nsec)) {
        if (auto loaded = PerfMap::load(path)) {
          jit.map = std::make_shared<PerfMap>(std::move(*loaded));
          jit.size = st.st_size;
          jit.mtime = st.st_mtim;
        }
      }
    }
    return jit.map.get();
  }

  void load_all(ProcessImage& image) {
    for (size_t i = 0; i < image.maps.size(); ++i) {
      if (image.maps[i].executable) table_for(image, i);
    }
    perf_map_for(image);
  }

  Frame user_frame(ProcessImage* image, uint64_t address) {
    Frame f;
    f.address = address;
    f.kind = FrameKind::kUser;
    f.function = std::string(kUnknown);
    const MapEntry* m = image != nullptr ? find_mapping(image->maps, address) : nullptr;
    if (m == nullptr) return f;
    size_t index = static_cast<size_t>(m - image->maps.data());
    f.map_start = m->start;
    f.map_limit = m->end;
    f.map_offset = m->offset;
    f.module = m->path.empty() ? "[anon]" : m->path;

    uint64_t file_offset = address - m->start + m->offset;
    if (const ElfSymbolTable* table = table_for(*image, index)) {
      f.build_id = table->build_id();
      auto vaddr = table->vaddr_for_file_offset(file_offset);
      auto sym = vaddr ? table->find(*vaddr) : std::nullopt;
      if (sym) {
        f.function = display_name(sym->name);
        f.offset = sym->offset;
        f.resolved = true;
        return f;
      }
      if (vaddr) {
        file_offset = *vaddr;
        // No name, but the function's start: every address in it gets the
        // same frame ("nginx+0x4f2a0"), so a stripped binary's samples still
        // add up per function.
        if (auto start = table->function_start(*vaddr)) {
          f.function = base_name(m->path) + "+" + hex_string(*start);
          f.offset = *vaddr - *start;
          return f;
        }
      }
    }
    if (!m->is_file() || m->deleted) {
      // JIT code lives in anonymous or memfd mappings.
      if (const PerfMap* jit = perf_map_for(*image)) {
        if (auto sym = jit->find(address)) {
          f.kind = FrameKind::kJit;
          f.function = display_name(sym->name);
          f.offset = sym->offset;
          f.resolved = true;
          return f;
        }
      }
    }
    if (m->is_file() || m->path == "[vdso]") {
      f.function = base_name(m->path) + "+" + hex_string(file_offset);
    }
    return f;
  }

  std::vector<Frame> symbolize_user(pid_t pid, std::span<const uint64_t> addresses) {
    ++call_number;
    ProcessImage* image = processes.find(pid);
    if (image == nullptr) image = refresh(pid);
    bool refreshed = false;
    std::vector<Frame> out;
    out.reserve(addresses.size());
    for (uint64_t address : addresses) {
      // An address outside the known maps may be in a library loaded since;
      // re-read once per call, not once per address.
      if (image != nullptr && image->alive && !refreshed &&
          find_mapping(image->maps, address) == nullptr) {
        refreshed = true;
        image = refresh(pid);
      }
      out.push_back(user_frame(image, address));
    }
    return out;
  }
};

Symbolizer::Symbolizer(SymbolizerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

Symbolizer::~Symbolizer() = default;

std::vector<Frame> Symbolizer::symbolize_kernel(std::span<const uint64_t> addresses) {
  std::lock_guard lock(impl_->mu);
  std::vector<Frame> out;
  out.reserve(addresses.size());
  for (uint64_t a : addresses) out.push_back(impl_->kernel_frame(a));
  return out;
}

Frame Symbolizer::symbolize_kernel(uint64_t address) {
  return symbolize_kernel(std::span<const uint64_t>(&address, 1)).front();
}

std::vector<Frame> Symbolizer::symbolize_user(pid_t pid, std::span<const uint64_t> addresses) {
  std::lock_guard lock(impl_->mu);
  return impl_->symbolize_user(pid, addresses);
}

Frame Symbolizer::symbolize_user(pid_t pid, uint64_t address) {
  return symbolize_user(pid, std::span<const uint64_t>(&address, 1)).front();
}

Status Symbolizer::remember(pid_t pid) {
  std::lock_guard lock(impl_->mu);
  ProcessImage* image = impl_->refresh(pid);
  if (image == nullptr || !image->alive) {
    return Error(fmt::format("cannot remember process {}: it has exited", pid));
  }
  ++impl_->call_number;
  impl_->load_all(*image);
  return ok_status();
}

void Symbolizer::forget(pid_t pid) {
  std::lock_guard lock(impl_->mu);
  impl_->processes.erase(pid);
}

void Symbolizer::sweep() {
  std::lock_guard lock(impl_->mu);
  for (pid_t pid : impl_->processes.pids()) {
    // Checking liveness is not a use: the LRU order must not change.
    ProcessImage* image = impl_->processes.find(pid, /*touch=*/false);
    if (image == nullptr || !image->alive) continue;
    if (read_start_time(impl_->options.proc_root, pid) != image->start_time) {
      impl_->processes.mark_dead(pid);
    }
  }
}

Status Symbolizer::reload_kernel_symbols() {
  std::lock_guard lock(impl_->mu);
  auto loaded = KernelSymbols::load(impl_->options.kallsyms_path);
  impl_->kernel_tried = true;
  if (!loaded) return loaded.error();
  impl_->kernel = std::move(*loaded);
  return ok_status();
}

SymbolizerStats Symbolizer::stats() const {
  std::lock_guard lock(impl_->mu);
  SymbolizerStats s;
  s.processes = impl_->processes.size();
  s.dead_processes = impl_->processes.dead();
  s.binaries = impl_->elf_cache.size();
  s.binaries_parsed = impl_->elf_cache.files_parsed();
  s.kernel_symbols = impl_->kernel ? impl_->kernel->size() : 0;
  return s;
}

}  // namespace kscope
