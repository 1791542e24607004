// Must NOT link (CMakeLists.txt: target heap_canary): it uses malloc and
// operator new, which the firmware link wraps to undefined symbols.
#include <stdlib.h>

#include <new>

extern "C" int main() {
  void* p = malloc(64);
  int* q = new (std::nothrow) int[4];
  const int r = (p != nullptr) + (q != nullptr);
  delete[] q;
  free(p);
  return r;
}
