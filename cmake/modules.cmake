# kilter_module(NAME [DEPS ...] [PRIVATE ...] [EXTRA_SOURCES ...]): the one CMake
# library of a module folder, built from the folder's *.cpp. DEPS are the modules
# (and libraries) its headers expose; PRIVATE ones stay inside it. The allowed
# module dependencies are checked by tests/architecture (modules.txt).
function(kilter_module name)
  cmake_parse_arguments(M "" "" "DEPS;PRIVATE;EXTRA_SOURCES" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(kilter_${name} STATIC ${srcs} ${M_EXTRA_SOURCES})
  add_library(kilter::${name} ALIAS kilter_${name})
  target_include_directories(kilter_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(kilter_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE})
  kilter_warnings(kilter_${name})
endfunction()
