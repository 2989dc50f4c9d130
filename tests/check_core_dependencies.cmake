# Fails if the shared library LIBRARY loads, directly or through its dependencies, any of the
# drawing libraries (PLplot, Graphviz, cairo, pango), which belong to tensorgrad::viz.
#
#   cmake -DLIBRARY=<path of libtensorgrad.so> -P <this file>
if(NOT DEFINED LIBRARY)
  message(FATAL_ERROR "check_core_dependencies.cmake needs -DLIBRARY=...")
endif()
find_program(LDD ldd REQUIRED)
execute_process(COMMAND ${LDD} ${LIBRARY} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ldd ${LIBRARY} failed (${rc}):\n${out}${err}")
endif()
# ldd lists the library's own dependencies first; an empty list would mean it read nothing.
if(NOT out MATCHES "libc\\.so")
  message(FATAL_ERROR "ldd ${LIBRARY} shows no C library; is it a shared library?\n${out}")
endif()
string(REGEX MATCHALL "lib(plplot|gvc|cgraph|cdt|pathplan|cairo|pango)[^ \t\n]*" drawing "${out}")
if(drawing)
  list(REMOVE_DUPLICATES drawing)
  message(FATAL_ERROR "${LIBRARY} loads drawing libraries: ${drawing}\n${out}")
endif()
message(STATUS "${LIBRARY} loads no drawing library")
