#!/bin/sh
# What ipmi_sim runs for LAN configuration parameters (lan.conf `lan_config_program`): `lan print`
# reads them and `lan set` writes them, kept as one file per parameter so a test can look.
#   lan-config.sh STATE get ip_addr subnet_mask ...   prints one "name:value" line per name
#   lan-config.sh STATE set ip_addr 192.0.2.77 ...    stores each name/value pair
#   lan-config.sh STATE check ...                     accepts everything
# Values live in STATE/lan/<name>; calls are appended to STATE/lan.log. The addresses are in
# TEST-NET-1 (192.0.2.0/24) and a locally administered MAC: nothing is ever sent to them.
state="$1"
verb="$2"
shift 2
mkdir -p "$state/lan"
echo "$(date +%s.%N) $verb $*" >>"$state/lan.log"

factory() {
  case "$1" in
  ip_addr_src) echo static ;;
  ip_addr) echo 192.0.2.10 ;;
  subnet_mask) echo 255.255.255.0 ;;
  mac_addr) echo 02:00:00:00:06:23 ;;
  default_gw_ip_addr) echo 192.0.2.1 ;;
  default_gw_mac_addr) echo 02:00:00:00:00:01 ;;
  backup_gw_ip_addr) echo 0.0.0.0 ;;
  backup_gw_mac_addr) echo 00:00:00:00:00:00 ;;
  *) echo 0 ;;
  esac
}

case "$verb" in
get)
  for name in "$@"; do
    if [ -f "$state/lan/$name" ]; then echo "$name:$(cat "$state/lan/$name")"; else echo "$name:$(factory "$name")"; fi
  done
  ;;
set)
  while [ "$#" -ge 2 ]; do
    echo "$2" >"$state/lan/$1"
    shift 2
  done
  ;;
esac
exit 0
