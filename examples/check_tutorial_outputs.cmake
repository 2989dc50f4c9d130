# Runs the tutorial program with a short training loop and checks what it leaves in the output
# directory: every figure and graph drawing as a real PNG and a real SVG of more than a few KB.
#
#   cmake -DTUTORIAL=<path of the tutorial program> -DOUT_DIR=<scratch directory> -P <this file>
foreach(var TUTORIAL OUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_tutorial_outputs.cmake needs -D${var}=...")
  endif()
endforeach()

# A directory that does not exist yet (two levels deep): the program must create it.
file(REMOVE_RECURSE "${OUT_DIR}")
execute_process(
  COMMAND "${TUTORIAL}" --epochs 50 --out "${OUT_DIR}/figures"
  RESULT_VARIABLE status
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "tutorial exited with ${status}\n${output}\n${errors}")
endif()

# A few of the numbers the notebook prints, and the end of the training loop.
foreach(expected
    "for x=1 and y=7, prediction=0.0, and L2 Loss = 49.0"
    "WideNet(\n  (layers): Sequential("
    "Loss: 0.888942"
    "epoch 50  loss")
  string(FIND "${output}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the output lacks '${expected}':\n${output}")
  endif()
endforeach()

set(min_bytes 4096)
set(figures gradient_vectors gradient_descent computational_graph simple_graph dataset
            wide_net_training)
foreach(name ${figures})
  set(png "${OUT_DIR}/figures/${name}.png")
  set(svg "${OUT_DIR}/figures/${name}.svg")
  foreach(file "${png}" "${svg}")
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR "missing ${file}")
    endif()
    file(SIZE "${file}" bytes)
    if(bytes LESS min_bytes)
      message(FATAL_ERROR "${file} has only ${bytes} bytes")
    endif()
    string(FIND "${output}" "${file}" mentioned)
    if(mentioned EQUAL -1)
      message(FATAL_ERROR "the program does not say that it wrote ${file}")
    endif()
  endforeach()
  file(READ "${png}" signature LIMIT 8 HEX)
  if(NOT signature STREQUAL "89504e470d0a1a0a")
    message(FATAL_ERROR "${png} is not a PNG (it starts with ${signature})")
  endif()
  file(READ "${svg}" text)
  string(FIND "${text}" "<svg" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${svg} is not an SVG document")
  endif()
endforeach()
list(LENGTH figures count)
message(STATUS "${count} figures, each as PNG and SVG, in ${OUT_DIR}/figures")
