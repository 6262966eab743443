# Write the man page kmquant(1) with help2man: the program's --help and --version, then each
# command's --help as a section of its own, then packaging/kmquant.h2m (the rest of the page).
#   cmake -DKMQUANT=bin -DHELP2MAN=help2man -DINCLUDE=kmquant.h2m -DOUTPUT=kmquant.1 -P man_page.cmake
set(commands_include "${OUTPUT}.commands.h2m")
file(WRITE "${commands_include}" "[COMMANDS]\n")
foreach(command sweep compress)
  execute_process(COMMAND "${KMQUANT}" ${command} --help OUTPUT_VARIABLE help
    COMMAND_ERROR_IS_FATAL ANY)
  # roff: a backslash is written \e, and a line starting with . or ' would be a request.
  string(REPLACE "\\" "\\e" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
  file(APPEND "${commands_include}" ".SS \"kmquant ${command}\"\n.nf\n${help}.fi\n")
endforeach()
execute_process(
  COMMAND "${HELP2MAN}" --no-info --section 1
    --name "compress images by exact k-means colour quantization"
    --include "${commands_include}" --include "${INCLUDE}" --output "${OUTPUT}" "${KMQUANT}"
  COMMAND_ERROR_IS_FATAL ANY)
