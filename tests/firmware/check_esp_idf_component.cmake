# Reads the ESP-IDF component's CMakeLists.txt as ESP-IDF's early expansion
# does (script mode), with idf_component_register stubbed, and requires its
# sources to be the runtime sources the Cortex-M4 firmware builds
# (firmware/runtime_sources.cmake), plus nothing but an optional model.
#   cmake -DROOT=<repo> -P check_esp_idf_component.cmake
cmake_minimum_required(VERSION 3.20)
set(CMAKE_BUILD_EARLY_EXPANSION 1)
function(idf_component_register)
  cmake_parse_arguments(A "" "" "SRCS;INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES" ${ARGN})
  set(IDF_SRCS ${A_SRCS} PARENT_SCOPE)
  set(IDF_INCS ${A_INCLUDE_DIRS} PARENT_SCOPE)
endfunction()
include("${ROOT}/firmware/esp-idf/components/earshot/CMakeLists.txt")
set(EARSHOT_ROOT "${ROOT}")
include("${ROOT}/firmware/runtime_sources.cmake")
list(FILTER IDF_SRCS EXCLUDE REGEX "/model/earshot_model\\.cc$")
list(LENGTH EARSHOT_RT_SOURCES n)
if(n EQUAL 0 OR NOT IDF_SRCS STREQUAL EARSHOT_RT_SOURCES)
  message(FATAL_ERROR "ESP-IDF component sources differ from the firmware's:\n${IDF_SRCS}\nvs\n${EARSHOT_RT_SOURCES}")
endif()
if(NOT "${ROOT}/runtime/include" IN_LIST IDF_INCS)
  message(FATAL_ERROR "ESP-IDF component does not export runtime/include: ${IDF_INCS}")
endif()
message(STATUS "ESP-IDF component: the firmware's ${n} runtime sources and runtime/include")
