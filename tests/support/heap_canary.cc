// Deliberately uses the heap: the no-heap check must reject this archive.
#include <cstdlib>

void* earshot_heap_canary(unsigned n) { return std::malloc(n); }
