// The float kernels built with the library's flags (kernels.h).
#define EARSHOT_KERNELS_NS portable_impl
#define EARSHOT_KERNELS_NAME "portable"
#include "kernels_impl.inc"
