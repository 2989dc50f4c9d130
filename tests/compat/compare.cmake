# Runs a compat program (NAME) built against tensorgrad and against libtorch, saves both outputs
# next to the build as compat_<NAME>_tg.txt and compat_<NAME>_torch.txt, and fails unless
# compat_compare finds them equal. ARGS, if given, are passed to both.
foreach(side tg torch)
  if(side STREQUAL "tg")
    set(exe ${TG_DEMO})
  else()
    set(exe ${TORCH_DEMO})
  endif()
  execute_process(COMMAND ${exe} ${ARGS} OUTPUT_FILE ${WORK_DIR}/compat_${NAME}_${side}.txt
                  ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${exe} failed (${rc}):\n${err}")
  endif()
endforeach()
execute_process(COMMAND ${COMPARE} ${WORK_DIR}/compat_${NAME}_tg.txt ${WORK_DIR}/compat_${NAME}_torch.txt
                        ${TOLERANCE} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tensorgrad and libtorch disagree (outputs: ${WORK_DIR}/compat_${NAME}_*.txt)")
endif()
