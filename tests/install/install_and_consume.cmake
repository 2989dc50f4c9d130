# Installs the build in BUILD_DIR into WORK_DIR/prefix, builds the consumer project against that
# prefix with find_package(tensorgrad), and runs its three programs (tensorgrad::tensorgrad,
# tensorgrad::viz and tensorgrad::torch). Starts from scratch every time.
set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${prefix} ${consumer_build} ${WORK_DIR}/consumer_viz.png)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
if(NOT EXISTS ${prefix}/include/tensorgrad/tensorgrad.h)
  message(FATAL_ERROR "the install did not put tensorgrad/tensorgrad.h under ${prefix}/include")
endif()

# The libtorch headers have an include root of their own, so tensorgrad's root holds no torch/.
if(NOT EXISTS ${prefix}/include/tensorgrad-torch/torch/torch.h)
  message(FATAL_ERROR "the install did not put torch/torch.h under ${prefix}/include/tensorgrad-torch")
endif()
if(EXISTS ${prefix}/include/torch)
  message(FATAL_ERROR "the install put libtorch's header names into tensorgrad's include root")
endif()

set(configure_args -S ${CONSUMER_DIR} -B ${consumer_build} -G ${GENERATOR}
                   -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
                   -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
if(MAKE_PROGRAM)
  list(APPEND configure_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
if(CXX_FLAGS)
  list(APPEND configure_args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
endif()
run_step("configuring the consumer" ${CMAKE_COMMAND} ${configure_args})
run_step("building the consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run_step("running the consumer" ${consumer_build}/consumer)
message(STATUS "consumer says: ${step_output}")
if(NOT step_output MATCHES "consumer: ok")
  message(FATAL_ERROR "unexpected consumer output:\n${step_output}")
endif()
run_step("running the viz consumer" ${consumer_build}/consumer_viz ${WORK_DIR}/consumer_viz.png)
message(STATUS "viz consumer says: ${step_output}")
if(NOT step_output MATCHES "consumer_viz: ok")
  message(FATAL_ERROR "unexpected viz consumer output:\n${step_output}")
endif()
run_step("running the libtorch consumer" ${consumer_build}/consumer_torch)
message(STATUS "libtorch consumer says: ${step_output}")
if(NOT step_output MATCHES "consumer_torch: ok")
  message(FATAL_ERROR "unexpected libtorch consumer output:\n${step_output}")
endif()
