# Locates libtorch for the programs that are built twice, once against tensorgrad and once against
# libtorch (bench/, tests/compat/). Defines the INTERFACE target tg_libtorch in the including
# directory and sets TG_LIBTORCH_FOUND. Debian's libtorch-dev ships a TorchConfig.cmake; when that
# is missing or broken, the libraries and headers are looked up directly.
if(TARGET tg_libtorch)
  return()
endif()
set(TG_LIBTORCH_FOUND OFF)

find_package(Torch CONFIG QUIET)
if(Torch_FOUND AND TORCH_LIBRARIES)
  add_library(tg_libtorch INTERFACE IMPORTED)
  target_link_libraries(tg_libtorch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(tg_libtorch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  set(TG_LIBTORCH_FOUND ON)
else()
  find_library(TG_TORCH_LIBRARY torch)
  find_library(TG_TORCH_CPU_LIBRARY torch_cpu)
  find_library(TG_C10_LIBRARY c10)
  find_path(TG_TORCH_API_INCLUDE_DIR torch/torch.h PATH_SUFFIXES torch/csrc/api/include)
  find_path(TG_TORCH_INCLUDE_DIR ATen/ATen.h)
  if(TG_TORCH_LIBRARY AND TG_TORCH_CPU_LIBRARY AND TG_C10_LIBRARY AND TG_TORCH_API_INCLUDE_DIR
     AND TG_TORCH_INCLUDE_DIR)
    add_library(tg_libtorch INTERFACE IMPORTED)
    target_link_libraries(tg_libtorch INTERFACE
      ${TG_TORCH_LIBRARY} ${TG_TORCH_CPU_LIBRARY} ${TG_C10_LIBRARY})
    target_include_directories(tg_libtorch SYSTEM INTERFACE
      ${TG_TORCH_INCLUDE_DIR} ${TG_TORCH_API_INCLUDE_DIR})
    set(TG_LIBTORCH_FOUND ON)
  endif()
endif()
