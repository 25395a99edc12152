#include "symbolize/vdso.h"

#include <sys/auxv.h>

#include <vector>

#include "symbolize/proc_maps.h"

namespace kscope {

Vdso load_own_vdso() {
  Vdso vdso;
  uint64_t base = getauxval(AT_SYSINFO_EHDR);
  if (base == 0) return vdso;
  auto maps = read_proc_maps(getpid(), "/proc");
  if (!maps) return vdso;
  const MapEntry* m = find_mapping(*maps, base);
  if (m == nullptr || m->path != "[vdso]") return vdso;
  // libelf wants a mutable image that outlives the Elf handle; the table
  // copies what it keeps, so a temporary copy does.
  std::vector<char> image(reinterpret_cast<const char*>(m->start),
                          reinterpret_cast<const char*>(m->end));
  auto file = ElfFile::from_memory(image.data(), image.size(), "[vdso]");
  if (!file) return vdso;
  vdso.table = std::make_shared<ElfSymbolTable>(ElfSymbolTable::build(*file));
  vdso.size = m->end - m->start;
  return vdso;
}

}  // namespace kscope
