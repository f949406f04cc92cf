# healthscore_add_dimension(<name> VERSION <x.y.z> SOURCES <src>...
#                           [LIBRARIES <lib>...] [OUTPUT_DIRECTORY <dir>])
#
# Builds a dimension plugin the way the server expects it:
# - <OUTPUT_DIRECTORY>/<name>/<version>/lib<name>.so (default OUTPUT_DIRECTORY:
#   ${CMAKE_BINARY_DIR}/plugins), a layout that lets versions sit side by side;
# - hidden visibility and a linker version script, so the library exports only
#   hs_plugin_abi_version and hs_plugin_entry;
# - -Wl,--no-undefined, so a missing symbol fails the link, not the load;
# - --require-defined for both entry points, so a library that forgets
#   HEALTHSCORE_DIMENSION(Class) fails the link with "required symbol
#   `hs_plugin_entry' not defined" instead of building a plugin that exports
#   nothing (ALLOW_MISSING_ENTRY_POINTS turns that off, for tests of the
#   loader's own check);
# - HEALTHSCORE_PLUGIN_NAME / HEALTHSCORE_PLUGIN_VERSION defined for the code.
function(healthscore_add_dimension name)
  cmake_parse_arguments(ARG "ALLOW_MISSING_ENTRY_POINTS" "VERSION;OUTPUT_DIRECTORY" "SOURCES;LIBRARIES"
                        ${ARGN})
  if(NOT ARG_VERSION)
    message(FATAL_ERROR "healthscore_add_dimension(${name}): VERSION is required")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "healthscore_add_dimension(${name}): SOURCES is required")
  endif()
  set(map "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/healthscore_plugin.map")
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/plugins")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE healthscore::sdk ${ARG_LIBRARIES})
  target_compile_definitions(${name} PRIVATE
    HEALTHSCORE_PLUGIN_NAME="${name}"
    HEALTHSCORE_PLUGIN_VERSION="${ARG_VERSION}")
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "${name}"
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}/${name}/${ARG_VERSION}"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${map}")
  target_link_options(${name} PRIVATE
    "LINKER:--version-script=${map}"
    "LINKER:--no-undefined")
  if(NOT ARG_ALLOW_MISSING_ENTRY_POINTS)
    target_link_options(${name} PRIVATE
      "LINKER:--require-defined=hs_plugin_abi_version"
      "LINKER:--require-defined=hs_plugin_entry")
  endif()
endfunction()
