# Fails when the archive LIB has an undefined reference to the heap
# (malloc/calloc/realloc/free, operator new/delete) or to exception support.
execute_process(COMMAND ${NM} -u ${LIB} OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIB}")
endif()
string(REGEX MATCHALL
  "[ \t](malloc|calloc|realloc|free|_Znw[jm]|_Zna[jm]|_ZdlPv[jm]?|_ZdaPv[jm]?|_ZnwjRKSt9nothrow_t|__cxa_allocate_exception|__cxa_throw|__gxx_personality_v0)\n"
  bad "${undefined}\n")
if(bad)
  string(REPLACE "\n" "" bad "${bad}")
  message(FATAL_ERROR "earshot_runtime references the heap or exceptions:${bad}\n"
                      "The runtime must take all memory from the caller.")
endif()
file(WRITE ${STAMP} "ok\n")
message(STATUS "earshot_runtime: no heap or exception symbols")
