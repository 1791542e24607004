# The runtime sources every firmware build compiles: the same files as the
# cortex-m4 preset's earshot_runtime (runtime/CMakeLists.txt globs
# runtime/src/*.cc). Included by firmware/mps2-an386/CMakeLists.txt and by the
# ESP-IDF component (firmware/esp-idf/components/earshot/CMakeLists.txt), so
# the QEMU build checks exactly what ESP32 users compile.
#   EARSHOT_ROOT              the repository root (set by the includer, or derived)
#   -> EARSHOT_RT_SOURCES     absolute paths of runtime/src/**/*.cc (core/, detect/,
#                             features/, frontend/, ops/)
#   -> EARSHOT_RT_INCLUDE_DIR runtime/include
if(NOT EARSHOT_ROOT)
  get_filename_component(EARSHOT_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()
if(CMAKE_SCRIPT_MODE_FILE)  # ESP-IDF's early expansion runs component files with cmake -P
  file(GLOB_RECURSE EARSHOT_RT_SOURCES "${EARSHOT_ROOT}/runtime/src/*.cc")
else()
  file(GLOB_RECURSE EARSHOT_RT_SOURCES CONFIGURE_DEPENDS "${EARSHOT_ROOT}/runtime/src/*.cc")
endif()
list(SORT EARSHOT_RT_SOURCES)
set(EARSHOT_RT_INCLUDE_DIR "${EARSHOT_ROOT}/runtime/include")
