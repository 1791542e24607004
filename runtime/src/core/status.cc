#include "earshot/rt/status.h"

namespace earshot::rt {

// A switch over every enumerator: -Werror=switch catches a missing name.
const char* status_name(Status s) {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kInvalidArgument: return "invalid_argument";
    case Status::kBufferTooSmall: return "buffer_too_small";
    case Status::kUnsupported: return "unsupported";
    case Status::kBadState: return "bad_state";
    case Status::kMalformed: return "malformed";
  }
  return "unknown_status";
}

}  // namespace earshot::rt
