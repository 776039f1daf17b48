#!/bin/sh
# What ipmi_sim runs for chassis requests (lan.conf `chassis_control`): the chassis of the test
# peer is a file, so tests can read what the BMC was asked to do and what state it is in.
#   chassis-control.sh STATE get power [boot ...]       prints one "name:value" line per name
#   chassis-control.sh STATE set power 0|1 [reset 1] ... applies each name/value pair
#   chassis-control.sh STATE check ...                  accepts everything
# STATE/power holds 0 or 1; STATE/boot the last boot device asked for. Each call appends
# "<epoch seconds> <verb> <arguments>" to STATE/chassis.log (tests count the "set" lines).
state="$1"
verb="$2"
shift 2
echo "$(date +%s.%N) $verb $*" >>"$state/chassis.log"
power="$(cat "$state/power" 2>/dev/null || echo 0)"

case "$verb" in
get)
  for name in "$@"; do
    case "$name" in
    power) echo "power:$power" ;;
    boot) echo "boot:$(cat "$state/boot" 2>/dev/null || echo none)" ;;
    *) echo "$name:0" ;;
    esac
  done
  ;;
set)
  while [ "$#" -ge 2 ]; do
    case "$1" in
    power) echo "$2" >"$state/power" ;;
    shutdown) if [ "$2" = 1 ]; then echo 0 >"$state/power"; fi ;; # a soft-off that completes at once
    boot) echo "$2" >"$state/boot" ;;
    *) ;; # reset, identify...: nothing to keep, the log line is the record
    esac
    shift 2
  done
  ;;
esac
exit 0
