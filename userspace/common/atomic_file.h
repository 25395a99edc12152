// A file that appears at its path complete or not at all.
//
// The bytes go to an unnamed file in the target's directory (O_TMPFILE),
// which commit() fsyncs and links into place, over an existing file if
// there is one. So:
//  - a reader never sees half a file;
//  - a crash, an exception or SIGKILL before commit() leaves the old file
//    (or none), never a partial one, and no temporary file: the kernel drops
//    an unnamed file when its descriptor closes;
//  - two writers of the same path each publish a complete file (the last
//    one wins), as neither has a name until it is complete.
// Replacing an existing file links under a unique hidden name
// (".NAME.tmp-...") and renames that over the target: a SIGKILL in the
// microseconds between the two can leave that name behind. Where the file
// system has no O_TMPFILE the same hidden name is created up front (mkstemp
// style) and holds the data while it is written; then only a SIGKILL during
// the write leaves it behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/result.h"

namespace kscope {

class AtomicFile {
 public:
  // Starts a file to be published at path; its directory must exist. mode
  // is filtered by the umask. unnamed=false takes the named fallback even
  // where O_TMPFILE works (tests).
  static Result<AtomicFile> create(const std::string& path, mode_t mode = 0644, bool unnamed = true);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();  // unless committed, nothing is left behind

  // Appends data (retries short writes and EINTR).
  Status write(std::string_view data);

  // Makes the data durable (fsync) and puts it at path, replacing what was
  // there. Afterwards, whatever the outcome, this object holds nothing.
  Status commit();

  const std::string& path() const { return path_; }

 private:
  AtomicFile(std::string path, int fd, std::string temp_name);
  void discard();

  std::string path_;
  int fd_ = -1;
  std::string temp_;  // the named stand-in without O_TMPFILE; empty with it
};

// The whole of data at path, through an AtomicFile.
Status write_file_atomically(const std::string& path, std::string_view data, mode_t mode = 0644);

}  // namespace kscope
