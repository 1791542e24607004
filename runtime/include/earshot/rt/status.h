// Status codes returned by every runtime function. The runtime never aborts on
// bad input: it returns one of these.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace earshot::rt {

enum class [[nodiscard]] Status : uint8_t{
    kOk = 0,
    kInvalidArgument,  // null pointer, size <= 0, parameter out of its documented range
    kBufferTooSmall,   // memory given is smaller than the matching required_bytes()
    kUnsupported,      // a valid request this build does not implement
    kBadState,         // used before a successful init()
    kMalformed,        // input data (model, stream) fails validation
};

// Stable lower-case name, e.g. "buffer_too_small". Never null.
const char* status_name(Status s);

inline bool ok(Status s) { return s == Status::kOk; }

}  // namespace earshot::rt
