# cmake -DHYPERION=<binary> -DOUTPUT=<hyperion.1> -P HyperionManPage.cmake
# Writes hyperion(1) from the binary's own --help and each subcommand's, so
# the man page never disagrees with the program. Help text goes in verbatim
# (.nf) blocks, escaped for troff.
execute_process(COMMAND ${HYPERION} --help OUTPUT_VARIABLE main_help RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "${HYPERION} --help failed")
endif()
execute_process(COMMAND ${HYPERION} --version OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE)

function(verbatim text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

# The subcommands: the indented names under "Subcommands:".
string(REGEX REPLACE ".*\nSubcommands:\n" "" listing "${main_help}")
string(REGEX MATCHALL "(^|\n)  [a-z]+" names "${listing}")
set(commands "")
foreach(name IN LISTS names)
  string(STRIP "${name}" name)
  execute_process(COMMAND ${HYPERION} ${name} --help OUTPUT_VARIABLE help)
  verbatim("${help}" block)
  string(APPEND commands ".SS ${name}\n${block}")
endforeach()

verbatim("${main_help}" main_block)
file(WRITE "${OUTPUT}" ".TH HYPERION 1 \"\" \"${version}\" \"User Commands\"
.SH NAME
hyperion \\- a C++ application host with runtime-loaded plugins
.SH SYNOPSIS
.B hyperion
.RI [ OPTIONS ] \" \" SUBCOMMAND \" \" [ ARGS ]
.SH DESCRIPTION
A host process reads a YAML manifest, loads plugin libraries that implement one
stable C ABI, orders them by what they provide and require, and drives their
lifecycle: atomic configuration reload with rollback, hot swap of a plugin's
library, health aggregation, an admin API.
${main_block}.SH COMMANDS
${commands}.SH EXIT STATUS
0 success, 1 failure (the reason is on standard error, with the file, line and
field for manifest errors), 2 usage error.
.SH SIGNALS
SIGHUP reloads the manifest; SIGTERM and SIGINT drain and stop in reverse order.
.SH ENVIRONMENT
.TP
.B HYPERION_STATE_DIR
the state folder when the manifest does not name one (then
.BR $STATE_DIRECTORY /<app>,
.BR $XDG_STATE_HOME /hyperion/<app>,
.BR ~/.local/state/hyperion/ <app>).
.TP
.B HYPERION_ADMIN_TOKEN
the admin API's bearer token.
.TP
.B NOTIFY_SOCKET
set by systemd for Type=notify units: READY, RELOADING, STOPPING, STATUS and watchdog pings.
.SH FILES
.TP
.I /etc/hyperion/hyperion.yaml
the manifest the packaged service runs.
.TP
.I /usr/lib/hyperion/plugins
the plugins that ship with Hyperion.
.TP
.I /usr/share/doc/hyperion
the guides: manifest.md, operations.md, plugin-guide.md, abi.md and more.
.SH SEE ALSO
.BR systemctl (1),
.BR systemd.service (5)
")
