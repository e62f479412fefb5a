# hebb_add_network(<target> <file.hebb>
#                  [NAME <name>] [NETWORK <network>]
#                  [KERNEL <model> (PRE <n> POST <m> | SIZE <n>)]
#                  [OPTIONS <hebbc options>...])
#
# Compiles a network (or, with KERNEL, one model alone) of <file.hebb> with
# `hebbc -c` at build time into <name>.o and <name>.h in the current binary
# directory (NAME defaults to <target>), adds the object to <target>, puts
# the header on its include path and links the Hebb runtime.
function(hebb_add_network target file)
  cmake_parse_arguments(ARG "" "NAME;NETWORK;KERNEL;PRE;POST;SIZE" "OPTIONS"
    ${ARGN})
  if(NOT ARG_NAME)
    set(ARG_NAME ${target})
  endif()
  get_filename_component(file ${file} ABSOLUTE)
  set(object ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.o)
  set(header ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}.h)
  set(options ${ARG_OPTIONS})
  if(ARG_NETWORK)
    list(APPEND options --network ${ARG_NETWORK})
  endif()
  if(ARG_KERNEL)
    list(APPEND options --kernel ${ARG_KERNEL})
    foreach(size PRE POST SIZE)
      if(ARG_${size})
        string(TOLOWER ${size} flag)
        list(APPEND options --${flag} ${ARG_${size}})
      endif()
    endforeach()
  endif()
  add_custom_command(OUTPUT ${object} ${header}
    COMMAND Hebb::hebbc ${file} -c -o ${object} --header ${header} ${options}
    DEPENDS ${file} Hebb::hebbc
    COMMENT "hebbc -c ${file}"
    VERBATIM)
  target_sources(${target} PRIVATE ${object} ${header})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${target} PRIVATE Hebb::hebb_runtime m)
  # The runtime is C++: link with the C++ driver even from C programs.
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX)
endfunction()
