#include "export/short_lived_body.h"

namespace kscope {

std::shared_ptr<const std::string> ShortLivedBody::get(uint64_t key, const std::function<std::string()>& build,
                                                       Clock::time_point now) {
  {
    std::lock_guard lock(mu_);
    if (body_ && key_ == key && now >= built_at_ && now - built_at_ < max_age_) return body_;
  }
  // Built outside the lock: a slow build never holds the other requests.
  auto body = std::make_shared<const std::string>(build());
  std::lock_guard lock(mu_);
  body_ = body;
  key_ = key;
  built_at_ = now;
  return body;
}

void ShortLivedBody::invalidate() {
  std::lock_guard lock(mu_);
  body_.reset();
}

}  // namespace kscope
