// A Redis connection followed from its bytes: commands paired with replies
// in order (pipelining is FIFO), RESP2 and RESP3. Push messages (RESP3's
// '>' type: invalidations, pub/sub) answer nothing; after a subscription
// or MONITOR is answered the connection carries unprompted messages and
// is no longer parsed, nor after CLIENT REPLY (OFF and SKIP silence
// answers). Inside MULTI ... EXEC each command is counted once,
// when the server answers it +QUEUED (or an error); EXEC and MULTI count
// as themselves (docs/databases.md).
#pragma once

#include "requests/db_session.h"
#include "requests/resp_reader.h"

#include <vector>

namespace kscope::requests {

class RedisSession final : public DbSession {
 public:
  using DbSession::DbSession;

  void on_call(bool requests, std::string_view prefix, uint64_t total_bytes, uint64_t timestamp_ns,
               DbEvents& events) override;
  size_t carried_bytes() const override { return requests_.carried_bytes() + responses_.carried_bytes(); }
  uint64_t unanswered() const override { return waiting() + queued_.size(); }

 private:
  class RequestListener;
  class ResponseListener;

  RespReader requests_{RespReader::Side::kRequests};
  RespReader responses_{RespReader::Side::kResponses};
  bool subscribing_ = false;  // a subscription waits for its first answer
  // Commands answered +QUEUED, recorded when EXEC's answer tells each one's
  // status (at most kMaxRespElements).
  struct Queued {
    Pending request;
    uint64_t queued_ns = 0;
  };
  std::vector<Queued> queued_;
  // Queued commands whose EXEC answer will not be seen: counted as truncated.
  void drop_queued(DbEvents& events);
};

}  // namespace kscope::requests
