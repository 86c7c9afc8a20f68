#!/bin/sh
# flannel-diag-collect.sh: collects a flannel support bundle (format flannel-diag-bundle/1) on one node.
#
#   sh flannel-diag-collect.sh            (as root, on every flannel node; --help for the options)
#
# Writes ./flannel-diag-<hostname>-<YYYYmmddTHHMMSSZ>.tar.gz and prints a one-line summary.
# Read-only on the node: it creates only its own temporary directory (mode 0700, removed at exit) and
# the output tarball. Every command is time-bounded; the whole run ends within --max-time (default 240 s)
# plus 7 s (stopping the last command, redacting its output) plus the time to write the archive.
# Secrets are redacted before anything is written into the bundle.
# POSIX sh: runs under dash, busybox sh and bash. See docs/collector.md.

set -u
umask 077
LC_ALL=C
TZ=UTC
export LC_ALL TZ
unset LANG LANGUAGE 2>/dev/null || :

FD_NAME=flannel-diag-collect
FD_VERSION=1.0.0
FD_FORMAT=flannel-diag-bundle/1

# ---- options --------------------------------------------------------------------------------------
OPT_ETCD_ENDPOINTS=
OPT_ETCD_PREFIX=
OPT_ETCD_CACERT=
OPT_ETCD_CERT=
OPT_ETCD_KEY=
OPT_ETCD_USER=
OPT_KUBECONFIG=
OPT_NO_ETCD=0
OPT_NO_KUBE=0
OPT_SINCE=48h
OPT_TIMEOUT=20
OPT_MAX_TIME=240
OPT_OUTPUT=.
OPT_MAX_LEASES=2000
OPT_LEASE_TIME=60
OPT_PARALLEL=4
OPT_LOG_MAX_MB=20
OPT_QUIET=0

usage() {
	cat <<'EOF'
Usage: sh flannel-diag-collect.sh [OPTIONS]

Collects a flannel support bundle on this node (run it as root on every flannel node) and writes
flannel-diag-<hostname>-<UTC time>.tar.gz. With no options it finds what it needs itself: the running
flanneld's flags and FLANNELD_* environment give the etcd endpoints, prefix, TLS files, subnet file and
interface; --kube-subnet-mgr selects Kubernetes mode; k3s/rke2 nodes (embedded flannel) are recognised.

  --etcd-endpoints LIST   etcd client URLs, comma-separated (default: from flanneld)
  --etcd-prefix PREFIX    flannel's etcd prefix (default: from flanneld, else /coreos.com/network)
  --etcd-cacert FILE      CA file for etcd TLS       (handed to etcdctl/curl, never copied)
  --etcd-cert FILE        client certificate for etcd (handed to etcdctl/curl, never copied)
  --etcd-key FILE         client key for etcd         (handed to etcdctl/curl, never read or copied)
  --etcd-user USER        etcd user name; the password is read from the environment variable
                          FLANNEL_DIAG_ETCD_PASSWORD, never from the command line
  --kubeconfig FILE       kubeconfig for kubectl (default: flanneld's, $KUBECONFIG, or a well-known file)
  --no-etcd               do not contact etcd
  --no-kube               do not run kubectl
  --since DURATION        how far back to collect logs: N followed by s, m, h or d (default 48h)
  --timeout SECONDS       time limit for each command (default 20)
  --max-time SECONDS      time limit for the whole collection (default 240); commands not started by
                          then are recorded as skipped. The run ends within this plus 7 s plus the time
                          to write the archive (a few seconds).
  --max-leases N          look up at most N etcd lease TTLs (default 2000)
  --lease-time SECONDS    time budget for the lease TTL look-ups (default 60)
  --parallel N            parallel lease TTL look-ups (default 4)
  --log-max-mb N          size cap for each log, newest bytes kept (default 20)
  --output DIR            directory for the tarball (default: the current directory)
  --quiet                 no progress messages on stderr
  --help                  this text

Exit status: 0 when a bundle was written, 1 when none could be written, 2 for a usage error.
EOF
}

usage_error() {
	printf '%s: %s\n' "$FD_NAME" "$1" >&2
	printf "Try 'sh flannel-diag-collect.sh --help'.\n" >&2
	exit 2
}

is_uint() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	return 0
}

while [ $# -gt 0 ]; do
	case $1 in
	--*=*) o_name=${1%%=*} o_val=${1#*=} o_has=1 ;;
	*) o_name=$1 o_val='' o_has=0 ;;
	esac
	case $o_name in
	--help | -h)
		usage
		exit 0
		;;
	--no-etcd) OPT_NO_ETCD=1 ;;
	--no-kube) OPT_NO_KUBE=1 ;;
	--quiet | -q) OPT_QUIET=1 ;;
	--etcd-password* | --password*)
		usage_error "never put the etcd password on a command line: export FLANNEL_DIAG_ETCD_PASSWORD instead"
		;;
	--etcd-endpoints | --etcd-prefix | --etcd-cacert | --etcd-cert | --etcd-key | --etcd-user | --kubeconfig | \
		--since | --timeout | --max-time | --max-leases | --lease-time | --parallel | --log-max-mb | --output | -o)
		if [ "$o_has" = 0 ]; then
			[ $# -ge 2 ] || usage_error "$o_name needs a value"
			o_val=$2
			shift
		fi
		case $o_name in
		--etcd-endpoints) OPT_ETCD_ENDPOINTS=$o_val ;;
		--etcd-prefix) OPT_ETCD_PREFIX=$o_val ;;
		--etcd-cacert) OPT_ETCD_CACERT=$o_val ;;
		--etcd-cert) OPT_ETCD_CERT=$o_val ;;
		--etcd-key) OPT_ETCD_KEY=$o_val ;;
		--etcd-user) OPT_ETCD_USER=$o_val ;;
		--kubeconfig) OPT_KUBECONFIG=$o_val ;;
		--since) OPT_SINCE=$o_val ;;
		--timeout) OPT_TIMEOUT=$o_val ;;
		--max-time) OPT_MAX_TIME=$o_val ;;
		--max-leases) OPT_MAX_LEASES=$o_val ;;
		--lease-time) OPT_LEASE_TIME=$o_val ;;
		--parallel) OPT_PARALLEL=$o_val ;;
		--log-max-mb) OPT_LOG_MAX_MB=$o_val ;;
		--output | -o) OPT_OUTPUT=$o_val ;;
		esac
		;;
	*) usage_error "unknown option: $1" ;;
	esac
	shift
done

for o_chk in "timeout:$OPT_TIMEOUT" "max-time:$OPT_MAX_TIME" "max-leases:$OPT_MAX_LEASES" \
	"lease-time:$OPT_LEASE_TIME" "parallel:$OPT_PARALLEL" "log-max-mb:$OPT_LOG_MAX_MB"; do
	is_uint "${o_chk#*:}" || usage_error "--${o_chk%%:*} needs a whole number, got '${o_chk#*:}'"
done
[ "$OPT_TIMEOUT" -ge 1 ] || usage_error "--timeout must be at least 1"
[ "$OPT_MAX_TIME" -ge 1 ] || usage_error "--max-time must be at least 1"
[ "$OPT_PARALLEL" -ge 1 ] || OPT_PARALLEL=1
[ "$OPT_PARALLEL" -le 32 ] || OPT_PARALLEL=32
[ "$OPT_LOG_MAX_MB" -ge 1 ] || OPT_LOG_MAX_MB=1
case $OPT_SINCE in
*[!0-9smhd]* | '' | [!0-9]*) usage_error "--since wants N followed by s, m, h or d (for example 48h)" ;;
esac
since_n=${OPT_SINCE%[smhd]}
is_uint "$since_n" || usage_error "--since wants N followed by s, m, h or d (for example 48h)"
case $OPT_SINCE in
*d) SINCE_S=$((since_n * 86400)) ;;
*h) SINCE_S=$((since_n * 3600)) ;;
*m) SINCE_S=$((since_n * 60)) ;;
*s) SINCE_S=$since_n ;;
*) SINCE_S=$((since_n * 3600)) ;;
esac

# The etcd password only ever travels in the environment: read it, then drop it from our environment.
ETCD_PASSWORD=${FLANNEL_DIAG_ETCD_PASSWORD-}
unset FLANNEL_DIAG_ETCD_PASSWORD

# etcdctl refuses an ETCDCTL_* variable that shadows a flag we pass: start from a clean etcdctl environment.
for e_var in $(env | sed -n 's/^\(ETCDCTL_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$e_var"
done
ETCDCTL_API=3
export ETCDCTL_API

LOG_CAP=$((OPT_LOG_MAX_MB * 1048576))
OUT_CAP=67108864
ERR_CAP=1048576

note() {
	[ "$OPT_QUIET" = 1 ] || printf '%s: %s\n' "$FD_NAME" "$*" >&2
}

die() {
	printf '%s: error: %s\n' "$FD_NAME" "$1" >&2
	exit 1
}

# ---- workspace ------------------------------------------------------------------------------------
WORK=
OUT_FILE=
OUT_DONE=0
BG_PIDS=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	for c_pid in $BG_PIDS; do
		kill "$c_pid" 2>/dev/null
	done
	if [ -n "$OUT_FILE" ] && [ "$OUT_DONE" = 0 ]; then
		rm -f "$OUT_FILE"
	fi
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

TMP_BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$TMP_BASE/flannel-diag.XXXXXXXX" 2>/dev/null) || WORK=
if [ -z "$WORK" ]; then
	WORK="$TMP_BASE/flannel-diag.$$"
	mkdir "$WORK" 2>/dev/null || {
		WORK=
		die "cannot create a temporary directory under $TMP_BASE"
	}
fi
RAW="$WORK/raw"
mkdir "$RAW" "$WORK/home" || die "cannot write to $WORK"
ENTRIES="$WORK/entries"
: >"$ENTRIES"
SECRETS="$WORK/secrets"
: >"$SECRETS"
REAL_HOME=${HOME:-/root}
# Tools that keep caches or state in $HOME (kubectl, docker) get an empty one inside the workspace.
HOME="$WORK/home"
export HOME

read -r COLLECTED_AT STAMP START_S <<EOF
$(date -u '+%Y-%m-%dT%H:%M:%SZ %Y%m%dT%H%M%SZ %s')
EOF
DEADLINE=$((START_S + OPT_MAX_TIME))
CUR_DEADLINE=$DEADLINE
CUR_DEADLINE_REASON="collector deadline reached (--max-time $OPT_MAX_TIME s)"

HOSTNAME_V=
read -r HOSTNAME_V 2>/dev/null </proc/sys/kernel/hostname || HOSTNAME_V=$(hostname 2>/dev/null)
[ -n "$HOSTNAME_V" ] || HOSTNAME_V=unknown
HOST_SAFE=$(printf '%s' "$HOSTNAME_V" | tr -c 'A-Za-z0-9._-' '_')
MACHINE_ID=
read -r MACHINE_ID 2>/dev/null </etc/machine-id || read -r MACHINE_ID 2>/dev/null </var/lib/dbus/machine-id || MACHINE_ID=
KREL=
read -r KREL 2>/dev/null </proc/sys/kernel/osrelease || KREL=$(uname -r 2>/dev/null)
ARCH=$(uname -m 2>/dev/null)

NAME="flannel-diag-$HOST_SAFE-$STAMP"
B="$WORK/$NAME"
mkdir "$B" || die "cannot write to $WORK"

# ---- capabilities of this system ----------------------------------------------------------------
HAVE_NS=0
case $(date +%s%N 2>/dev/null) in *[!0-9]* | '') HAVE_NS=0 ;; *) HAVE_NS=1 ;; esac
ARITH64=0
[ "$((4294967296 * 3))" = 12884901888 ] 2>/dev/null && ARITH64=1
[ "$ARITH64" = 1 ] || HAVE_NS=0
HAVE_TIMEOUT=0
TIMEOUT_K=0
if command -v timeout >/dev/null 2>&1; then
	if timeout -k 1 5 sleep 0 </dev/null >/dev/null 2>&1; then
		HAVE_TIMEOUT=1
		TIMEOUT_K=1
	elif timeout 5 sleep 0 </dev/null >/dev/null 2>&1; then
		HAVE_TIMEOUT=1
	fi
fi
HAVE_READLINK=0
command -v readlink >/dev/null 2>&1 && HAVE_READLINK=1

have_tool() {
	case $1 in
	/*) [ -x "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

now_s() {
	NOW=$(date +%s)
}

now_ms() {
	if [ "$HAVE_NS" = 1 ]; then
		nm_v=$(date +%s%N)
		MS=${nm_v%??????}
	else
		MS=$(date +%s)
	fi
}

# stamp_now: one date(1) for NOW_ISO (UTC), NOW (epoch seconds) and MS (epoch ms, or seconds without %N)
stamp_now() {
	read -r NOW_ISO NOW sn_ns <<EOF
$(date -u '+%Y-%m-%dT%H:%M:%SZ %s %N')
EOF
	if [ "$HAVE_NS" = 1 ]; then
		sn_ns=${sn_ns%??????}
		MS=$NOW$sn_ns
	else
		MS=$NOW
	fi
}

# ---- JSON -----------------------------------------------------------------------------------------
JSON_SED="$WORK/json.sed"
cat >"$JSON_SED" <<'EOF'
s/\\/\\\\/g
s/"/\\"/g
EOF
for j_pair in 001:0001 002:0002 003:0003 004:0004 005:0005 006:0006 007:0007 010:b 011:t 013:000b \
	014:f 015:r 016:000e 017:000f 020:0010 021:0011 022:0012 023:0013 024:0014 025:0015 026:0016 \
	027:0017 030:0018 031:0019 032:001a 033:001b 034:001c 035:001d 036:001e 037:001f; do
	j_ch=$(printf '%b' "\\0${j_pair%%:*}")
	case ${j_pair#*:} in
	????) printf 's/%s/\\\\u%s/g\n' "$j_ch" "${j_pair#*:}" ;;
	*) printf 's/%s/\\\\%s/g\n' "$j_ch" "${j_pair#*:}" ;;
	esac
done >>"$JSON_SED"

# json_str STRING: sets J to the JSON string literal for STRING.
json_str() {
	case $1 in
	*[!A-Za-z0-9_./:=,@%+-]*)
		J=$(printf '%s\n' "$1" | sed -f "$JSON_SED" | awk 'NR > 1 { printf "%s", "\\n" } { printf "%s", $0 }')
		J="\"$J\""
		;;
	*) J="\"$1\"" ;;
	esac
}

# Manifest entries: one JSON object per line in $ENTRIES (workers write their own file).
entry_begin() {
	json_str "$1"
	EJ="{\"id\":$J"
	if [ -n "$2" ]; then
		json_str "$2"
		EJ="$EJ,\"subject\":$J"
	fi
}
entry_str() {
	json_str "$2"
	EJ="$EJ,\"$1\":$J"
}
entry_raw() {
	EJ="$EJ,\"$1\":$2"
}
entry_end() {
	printf '%s}\n' "$EJ" >>"$ENTRIES"
}

SKIP_TRUNC=0
# skip ID SUBJECT REASON: records a command that was not run.
skip() {
	entry_begin "$1" "$2"
	entry_str skipped "$3"
	[ "$SKIP_TRUNC" = 1 ] && entry_raw truncated true
	entry_end
	R_RC=
	R_TMO=0
	R_OUT=
	R_SKIPPED=1
}

# ---- redaction ------------------------------------------------------------------------------------
# One awk program for every text that enters the bundle. Modes: text (any output), cmdline (one argv
# element per line), environ (NAME=value per line). It replaces known secret values literally first,
# then values of flags, variables and keys whose names contain password/passwd/passphrase/token/secret,
# flanneld's "CLI flags config" etcdPassword, credentials in URLs, Bearer tokens and JSON/YAML
# name/value pairs that carry such a variable. Values it redacts are appended to the secrets list
# (when -v harvest=FILE) so that later files are scrubbed of them too.
REDACT_AWK="$WORK/redact.awk"
cat >"$REDACT_AWK" <<'EOF'
BEGIN {
	nsec = 0
	if (secfile != "") {
		while ((getline s < secfile) > 0) addsec(s)
		close(secfile)
	}
	KW = "(password|passwd|passphrase|token|secret)"
	NAMEKW = "[a-z0-9_.-]*" KW "[a-z0-9_.-]*"
	nkw = split("password passwd passphrase token secret", kw, " ")
	NAMECH = "abcdefghijklmnopqrstuvwxyz0123456789_.-"
	pending = 0
	jpending = 0
	SOH = sprintf("%c", 1)
	R = "<redacted>"
}
# the literal list: known secret values, replaced wherever they occur (at most 32, looked up in a set)
function addsec(v,   k) {
	if (length(v) < 4 || v == R || (v in secset) || nsec >= 32) return 0
	k = tolower(v)
	if (k == "true" || k == "false" || k == "null" || k == "none" || k == "<nil>") return 0
	secset[v] = 1
	sec[++nsec] = v
	return 1
}
# a value redacted by a rule: also scrubbed from the rest of this file and from the files after it
function found(v) {
	if (addsec(v) && harvest != "") print v >> harvest
}
function replace_all(s, from, to,   i, out, n) {
	n = length(from)
	if (n == 0) return s
	out = ""
	while ((i = index(s, from)) > 0) {
		out = out substr(s, 1, i - 1) to
		s = substr(s, i + n)
	}
	return out s
}
function scrub(s,   j) {
	for (j = 1; j <= nsec; j++) if (index(s, sec[j]) > 0) s = replace_all(s, sec[j], R)
	return s
}
# end (exclusive) of an unquoted value starting at p
function vend(s, p,   c, n) {
	n = length(s)
	while (p <= n) {
		c = substr(s, p, 1)
		if (index(" \t,;})]&\"'", c) > 0) break
		p++
	}
	return p
}
# position of the closing quote of a quoted value starting at p (s[p] is the quote); length+1 if none
function qclose(s, p,   q, c, n) {
	q = substr(s, p, 1)
	n = length(s)
	p++
	while (p <= n) {
		c = substr(s, p, 1)
		if (c == "\\" && q == "\"") { p += 2; continue }
		if (c == q) return p
		p++
	}
	return n + 1
}
# replace s[a..b) by the redaction marker; records the value; sets RPOS to the position after it
function cut(s, a, b,   v) {
	v = substr(s, a, b - a)
	if (v == "" || v == R) { RPOS = b; return s }
	found(v)
	RPOS = a + length(R)
	return substr(s, 1, a - 1) R substr(s, b)
}
# redact the value that starts at p: quoted, rest of line (yaml) or a single word
function cutvalue(s, p, restofline,   e) {
	if (p > length(s)) { RPOS = p; return s }
	if (substr(s, p, 1) == "\"" || substr(s, p, 1) == "'") return cut(s, p + 1, qclose(s, p))
	if (restofline) {
		e = length(s) + 1
		if (match(substr(s, p), /[ \t]+#/)) e = p + RSTART - 1
		return cut(s, p, e)
	}
	return cut(s, p, vend(s, p))
}
# kwfind(low, from): start of the first secret-like name at or after `from` in the lower-cased line (0 if
# none); KWEND is the position after it. Plain index() scans: a regex with a leading [..]* is far slower.
function kwfind(low, from,   k, p, best, n, st, en) {
	best = 0
	for (k = 1; k <= nkw; k++) {
		p = index(substr(low, from), kw[k])
		if (p > 0 && (best == 0 || p < best)) { best = p; n = length(kw[k]) }
	}
	if (best == 0) return 0
	st = from + best - 1
	en = st + n
	while (st > 1 && index(NAMECH, substr(low, st - 1, 1)) > 0) st--
	while (en <= length(low) && index(NAMECH, substr(low, en, 1)) > 0) en++
	KWEND = en
	return st
}
# namekey(low): for a `name: value` / `"name": "value"` key in the line, the position where its value
# starts (after any opening quote); 0 when the line has no such key
function namekey(low,   from, p, q, c) {
	from = 1
	while ((p = index(substr(low, from), "name")) > 0) {
		p = from + p - 1
		from = p + 4
		c = (p > 1) ? substr(low, p - 1, 1) : ""
		if (c != "" && index("abcdefghijklmnopqrstuvwxyz0123456789_", c) > 0) continue
		q = p + 4
		if (substr(low, q, 1) == "\"") q++
		while (substr(low, q, 1) == " " || substr(low, q, 1) == "\t") q++
		if (substr(low, q, 1) != ":") continue
		q++
		while (substr(low, q, 1) == " " || substr(low, q, 1) == "\t") q++
		if (substr(low, q, 1) == "\"" || substr(low, q, 1) == "'") q++
		return q
	}
	return 0
}
function text_line(s,   low, pos, rest, st, en, c, p, pre, q, m, e) {
	low = tolower(s)
	# most lines name no secret: leave them alone quickly
	if (!jpending && index(low, "pass") == 0 && index(low, "token") == 0 && index(low, "secret") == 0 && \
		index(s, "://") == 0 && index(s, "Bearer ") == 0) return s
	# flanneld: "CLI flags config: {... etcdPassword:VALUE version:false ...}"
	p = index(s, "etcdPassword:")
	if (p > 0) {
		p += 13
		q = index(substr(s, p), " version:")
		if (q > 0) s = cut(s, p, p + q - 1)
		else s = cut(s, p, vend(s, p))
		low = tolower(s)
	}
	# name=value, name: value, "name": "value", --name value
	pos = 1
	while (pos <= length(s)) {
		st = kwfind(low, pos)
		if (st == 0) break
		en = KWEND
		pos = en
		c = substr(s, en, 1)
		if (c == "=") {
			s = cutvalue(s, en + 1, 0)
			low = tolower(s)
			pos = RPOS
			continue
		}
		if (c == "\"" && match(substr(s, en + 1), /^[ \t]*:[ \t]*/)) {
			# JSON key; only string values are secrets (keep true/false/numbers: the JSON stays valid)
			p = en + 1 + RLENGTH
			if (substr(s, p, 1) == "\"") {
				s = cutvalue(s, p, 0)
				low = tolower(s)
				pos = RPOS
			}
			continue
		}
		if (c == ":" && substr(s, en + 1, 2) != "//") {
			match(substr(s, en + 1), /^[ \t]*/)
			p = en + 1 + RLENGTH
			if (p > length(s)) continue
			pre = substr(s, 1, st - 1)
			if (pre ~ /^[ \t]*(-[ \t]+)?["']?$/) {
				# YAML "token: value": the value is the rest of the line
				s = cutvalue(s, p, 1)
			} else if (substr(s, p, 1) == "{" || substr(s, p, 1) == "[") {
				continue
			} else if (RLENGTH > 0 && substr(s, p) ~ /^[A-Za-z0-9_]+:/) {
				# "etcdPassword: version:false": an empty value followed by the next field
				continue
			} else {
				s = cutvalue(s, p, 0)
			}
			low = tolower(s)
			pos = RPOS
			continue
		}
		if (c == " " && substr(s, st, 1) == "-" && st > 1 && substr(s, st - 1, 1) ~ /[ \t"']/) {
			# "--etcd-password VALUE" as ps prints it
			p = en + 1
			if (substr(s, p, 1) != "-" && p <= length(s)) {
				s = cut(s, p, vend(s, p))
				low = tolower(s)
				pos = RPOS
			}
			continue
		}
	}
	# Kubernetes env lists: {"name": "FLANNELD_ETCD_PASSWORD", "value": "..."} (JSON or YAML, one or more lines)
	low = tolower(s)
	m = 1
	if (index(low, "name") > 0) {
		p = namekey(low)
		if (p > 0) {
			# a new name: ... item; it carries a secret when its value is a secret-like name
			jpending = 0
			st = kwfind(low, p)
			if (st == p) { jpending = 1; m = KWEND }
		}
	}
	if (jpending) {
		rest = substr(low, m)
		if (match(rest, /(^|[^a-z0-9_])"?value"?[ \t]*:[ \t]*/)) {
			p = m + RSTART + RLENGTH - 1
			s = cutvalue(s, p, substr(s, p, 1) != "\"" && substr(s, p, 1) != "'")
			jpending = 0
		} else if (index(rest, "}") > 0) {
			jpending = 0
		}
	}
	# credentials in URLs: scheme://user:password@host
	pos = 1
	while ((q = index(substr(s, pos), "://")) > 0) {
		p = pos + q - 1 + 3
		e = p
		while (e <= length(s) && index("/ \t\"'@,;", substr(s, e, 1)) == 0) e++
		if (substr(s, e, 1) == "@" && index(substr(s, p, e - p), ":") > 0) {
			m = p + index(substr(s, p, e - p), ":")
			found(substr(s, m, e - m))
			s = substr(s, 1, p - 1) R substr(s, e)
			pos = p + length(R)
		} else {
			pos = p
		}
	}
	# HTTP bearer tokens
	pos = 1
	while ((q = index(substr(s, pos), "Bearer ")) > 0) {
		p = pos + q - 1 + 7
		s = cut(s, p, vend(s, p))
		pos = RPOS
	}
	return s
}
function cmdline_line(s,   low, i, v) {
	if (pending) {
		pending = 0
		if (substr(s, 1, 1) != "-" && s != "") { found(s); return R }
	}
	low = tolower(s)
	if (low ~ ("^--?" NAMEKW "=")) {
		i = index(s, "=")
		v = substr(s, i + 1)
		if (v != "") { found(v); return substr(s, 1, i) R }
		return s
	}
	if (low ~ ("^--?" NAMEKW "$")) { pending = 1; return s }
	return text_line(s)
}
function environ_line(s,   i, v) {
	i = index(s, "=")
	if (i > 1 && tolower(substr(s, 1, i - 1)) ~ KW) {
		v = substr(s, i + 1)
		if (v != "") found(v)
		return substr(s, 1, i) R
	}
	return text_line(s)
}
{
	line = scrub($0)
	if (mode == "cmdline") line = cmdline_line(line)
	else if (mode == "environ") line = environ_line(line)
	else line = text_line(line)
	if (mode == "cmdline" || mode == "environ") line = replace_all(line, SOH, "\\n")
	if (!quietout) print line
}
EOF

# redact_bounded MODE < in > out: redact with a time limit ($FO_RT). If the limit is hit, the output holds
# the (redacted) lines written so far; the status is then 124, 137 or 143.
redact_bounded() {
	TMO_MARK="$RAW/$RAW_TAG.rtmo"
	run_bounded "$FO_RT" awk -v mode="$1" -v secfile="$SECRETS" -v harvest="$SECRETS" -v quietout=0 -f "$REDACT_AWK"
}

# harvest MODE < in: only learns secret values (flags, variables, keys named like secrets)
harvest() {
	awk -v mode="$1" -v secfile="$SECRETS" -v harvest="$SECRETS" -v quietout=1 -f "$REDACT_AWK"
}

add_secret() {
	[ -n "$1" ] && printf '%s\n' "$1" >>"$SECRETS"
}
add_secret "$ETCD_PASSWORD"

# ---- running commands -----------------------------------------------------------------------------
RAW_TAG=m
RUN_TIMEOUT=
ENV_FILTER=
TMO_MARK=
FO_CUT=0

# run_bounded SECONDS CMD [ARGS]: runs CMD with a time limit (timeout(1) where present, else a watcher
# that sends TERM, then KILL after 2 s). The caller redirects stdin/stdout/stderr.
run_bounded() {
	rb_t=$1
	shift
	if [ "$HAVE_TIMEOUT" = 1 ]; then
		if [ "$TIMEOUT_K" = 1 ]; then
			timeout -k 2 "$rb_t" "$@"
		else
			timeout "$rb_t" "$@"
		fi
		return $?
	fi
	# an asynchronous command gets /dev/null as stdin: hand it the caller's stdin through fd 3
	{ "$@" <&3 3<&- & } 3<&0
	rb_pid=$!
	(
		rb_n=0
		while [ "$rb_n" -lt "$rb_t" ]; do
			sleep 1
			kill -0 "$rb_pid" 2>/dev/null || exit 0
			rb_n=$((rb_n + 1))
		done
		[ -n "$TMO_MARK" ] && : >"$TMO_MARK"
		kill -TERM "$rb_pid" 2>/dev/null
		sleep 2
		kill -KILL "$rb_pid" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	rb_w=$!
	wait "$rb_pid"
	rb_rc=$?
	# the watcher may be in "sleep 1": stop it without waiting for that
	kill -KILL "$rb_w" 2>/dev/null
	return "$rb_rc"
}

# probe SECONDS CMD [ARGS]: a bounded look-up that is not part of the bundle; stdout in $PROBE_OUT.
PROBE_OUT="$WORK/probe.out"
probe() {
	pr_t=$1
	shift
	: >"$PROBE_OUT"
	have_tool "$1" || return 127
	now_s
	[ "$NOW" -lt "$CUR_DEADLINE" ] || return 124
	[ $((CUR_DEADLINE - NOW)) -ge "$pr_t" ] || pr_t=$((CUR_DEADLINE - NOW))
	TMO_MARK=
	run_bounded "$pr_t" "$@" </dev/null >"$PROBE_OUT" 2>/dev/null
}

# run_cmd ID SUBJECT OUTPATH MODE SOURCE -- CMD [ARGS]
#   MODE: text (redacted), log (redacted, newest LOG_CAP bytes), merge (stderr into stdout, redacted),
#         none (stdout kept as is: etcd JSON with base64 keys and values), cmdline, environ.
# Records the command in the manifest. Results: R_RC, R_TMO (1 when timed out), R_OUT (file), R_SKIPPED.
run_cmd() {
	rc_id=$1 rc_sub=$2 rc_rel=$3 rc_mode=$4 rc_src=$5
	shift 5
	[ "${1-}" = "--" ] && shift
	R_SKIPPED=0
	R_OUT=
	R_TMO=0
	R_RC=
	rc_tool=$1
	if [ "$rc_tool" = env ]; then
		for rc_a in "$@"; do
			case $rc_a in env | *=*) ;; *)
				rc_tool=$rc_a
				break
				;;
			esac
		done
	fi
	if ! have_tool "$rc_tool"; then
		skip "$rc_id" "$rc_sub" "command not found: $rc_tool"
		return 1
	fi
	stamp_now
	if [ "$NOW" -ge "$CUR_DEADLINE" ]; then
		skip "$rc_id" "$rc_sub" "$CUR_DEADLINE_REASON"
		return 1
	fi
	rc_t=${RUN_TIMEOUT:-$OPT_TIMEOUT}
	rc_rem=$((CUR_DEADLINE - NOW))
	[ "$rc_rem" -lt "$rc_t" ] && rc_t=$rc_rem
	[ "$rc_t" -ge 1 ] || rc_t=1
	# scratch files are reused (each run overwrites them); output that needs no redaction goes straight
	# into the bundle
	rc_o="$RAW/$RAW_TAG.out"
	rc_e="$RAW/$RAW_TAG.err"
	TMO_MARK="$RAW/$RAW_TAG.tmo"
	if [ "$rc_mode" = none ]; then
		rc_o="$B/$rc_rel"
		rc_d=${rc_o%/*}
		[ -d "$rc_d" ] || mkdir -p "$rc_d"
	fi
	rc_started=$NOW_ISO
	rc_ms0=$MS
	if [ "$rc_mode" = merge ]; then
		run_bounded "$rc_t" "$@" </dev/null >"$rc_o" 2>&1
		rc_rc=$?
		: >"$rc_e"
	else
		run_bounded "$rc_t" "$@" </dev/null >"$rc_o" 2>"$rc_e"
		rc_rc=$?
	fi
	now_ms
	if [ "$HAVE_NS" = 1 ]; then
		rc_dur=$((MS - rc_ms0))
	else
		rc_dur=$(((MS - rc_ms0) * 1000))
	fi
	[ "$rc_dur" -ge 0 ] || rc_dur=0
	rc_tmo=0
	if [ -e "$TMO_MARK" ]; then
		rc_tmo=1
		rm -f "$TMO_MARK"
	elif [ "$HAVE_TIMEOUT" = 1 ]; then
		case $rc_rc in
		124) rc_tmo=1 ;;
		137 | 143) [ "$rc_dur" -ge $((rc_t * 1000 - 1000)) ] && rc_tmo=1 ;;
		esac
	fi
	finish_output "$rc_o" "$rc_e" "$rc_rel" "$rc_mode"
	entry_begin "$rc_id" "$rc_sub"
	argv_json "$@"
	entry_raw argv "$AJ"
	[ -n "$rc_src" ] && entry_str source "$rc_src"
	entry_str stdout "$rc_rel"
	[ -n "$FO_ERR" ] && entry_str stderr "$FO_ERR"
	entry_raw exitCode "$rc_rc"
	entry_str startedAt "$rc_started"
	entry_raw durationMs "$rc_dur"
	if [ "$rc_tmo" = 1 ]; then entry_raw timedOut true; else entry_raw timedOut false; fi
	if [ "$FO_TRUNC" = 1 ]; then entry_raw truncated true; else entry_raw truncated false; fi
	entry_raw bytes "$FO_BYTES"
	entry_end
	R_RC=$rc_rc
	R_TMO=$rc_tmo
	R_OUT="$B/$rc_rel"
	return 0
}

argv_json() {
	AJ=
	for aj_a in "$@"; do
		json_str "$aj_a"
		AJ="${AJ:+$AJ,}$J"
	done
	AJ="[$AJ]"
}

file_size() {
	fs_v=$(wc -c <"$1" 2>/dev/null) || fs_v=0
	fs_v=$((fs_v + 0))
}

# finish_output RAWOUT RAWERR OUTPATH MODE: caps, redacts and moves the outputs into the bundle.
# Sets FO_BYTES, FO_TRUNC, FO_ERR (stderr path in the bundle, empty when there was no stderr).
finish_output() {
	fo_out="$B/$3"
	fo_dir=${fo_out%/*}
	[ -d "$fo_dir" ] || mkdir -p "$fo_dir"
	FO_TRUNC=0
	file_size "$1"
	fo_size=$fs_v
	FO_BYTES=
	# redaction is bounded too: up to 60 s, and no more than 5 s past the deadline
	now_s
	FO_RT=$((DEADLINE + 5 - NOW))
	[ "$FO_RT" -le 60 ] || FO_RT=60
	[ "$FO_RT" -ge 5 ] || FO_RT=5
	fo_rrc=0
	case $4 in
	log)
		if [ "$fo_size" -gt "$LOG_CAP" ] || [ "$FO_CUT" = 1 ]; then
			FO_TRUNC=1
			# keep the newest bytes; drop the first (cut) line so no half line escapes redaction
			tail -c "$LOG_CAP" "$1" | sed '1d' | redact_bounded text >"$fo_out"
			fo_rrc=$?
		else
			redact_bounded text <"$1" >"$fo_out"
			fo_rrc=$?
		fi
		;;
	none)
		# written in place by run_cmd ($1 is $fo_out)
		if [ "$fo_size" -gt "$OUT_CAP" ]; then
			FO_TRUNC=1
			head -c "$OUT_CAP" "$1" >"$RAW/$RAW_TAG.cap" && mv "$RAW/$RAW_TAG.cap" "$fo_out"
		else
			FO_BYTES=$fo_size
		fi
		;;
	cmdline | environ)
		if [ -n "$ENV_FILTER" ] && [ "$4" = environ ]; then
			tr '\n\000' '\001\n' <"$1" | grep -E "$ENV_FILTER" | redact_bounded "$4" >"$fo_out"
		else
			tr '\n\000' '\001\n' <"$1" | redact_bounded "$4" >"$fo_out"
		fi
		fo_rrc=$?
		;;
	*)
		if [ "$fo_size" -gt "$OUT_CAP" ]; then
			FO_TRUNC=1
			head -c "$OUT_CAP" "$1" | redact_bounded text >"$fo_out"
		else
			redact_bounded text <"$1" >"$fo_out"
		fi
		fo_rrc=$?
		;;
	esac
	if [ -e "$RAW/$RAW_TAG.rtmo" ] || { [ "$HAVE_TIMEOUT" = 1 ] && [ "$fo_rrc" -ge 124 ]; }; then
		# redaction ran out of time: what was written is redacted, the rest is missing
		FO_TRUNC=1
		rm -f "$RAW/$RAW_TAG.rtmo"
	fi
	if [ -z "$FO_BYTES" ]; then
		file_size "$fo_out"
		FO_BYTES=$fs_v
	fi
	FO_ERR=
	if [ -s "$2" ]; then
		# node/ps.txt -> node/ps.stderr.txt; node/ip-link.json -> node/ip-link.json.stderr.txt (ip-link.txt has its own)
		case $3 in
		*.txt) FO_ERR="${3%.txt}.stderr.txt" ;;
		*) FO_ERR="$3.stderr.txt" ;;
		esac
		if [ -e "$B/$FO_ERR" ]; then
			fo_n=2
			while [ -e "$B/${FO_ERR%.stderr.txt}.$fo_n.stderr.txt" ]; do fo_n=$((fo_n + 1)); done
			FO_ERR="${FO_ERR%.stderr.txt}.$fo_n.stderr.txt"
		fi
		head -c "$ERR_CAP" "$2" | redact_bounded text >"$B/$FO_ERR"
	fi
}

# safe_path PATH: sets SP_REAL to PATH with its directory resolved, or SP_WHY to the reason not to read it.
# A file is read only when it is a regular file and PATH itself is not a symbolic link (no symlink is
# followed out of the path the collector means to copy).
safe_path() {
	SP_REAL=
	SP_WHY=
	if [ -L "$1" ]; then
		SP_WHY="not copied: $1 is a symbolic link"
		return 1
	fi
	if [ ! -e "$1" ]; then
		SP_WHY="not found: $1"
		return 1
	fi
	if [ ! -f "$1" ]; then
		SP_WHY="not copied: $1 is not a regular file"
		return 1
	fi
	if [ ! -r "$1" ]; then
		SP_WHY="not readable: $1"
		return 1
	fi
	sp_dir=$(cd -P -- "$(dirname -- "$1")" 2>/dev/null && pwd -P) || sp_dir=
	if [ -z "$sp_dir" ]; then
		SP_WHY="not readable: $1"
		return 1
	fi
	SP_REAL="${sp_dir%/}/${1##*/}"
	if [ "$HAVE_READLINK" = 1 ]; then
		sp_res=$(readlink -f -- "$SP_REAL" 2>/dev/null) || sp_res=
		if [ -n "$sp_res" ] && [ "$sp_res" != "$SP_REAL" ]; then
			SP_WHY="not copied: $1 resolves to $sp_res"
			SP_REAL=
			return 1
		fi
	fi
	return 0
}

# copy_file ID SUBJECT OUTPATH MODE PATH: copies a regular file (size-capped; logs keep the newest bytes).
copy_file() {
	cf_id=$1 cf_sub=$2 cf_rel=$3 cf_mode=$4 cf_path=$5
	if ! safe_path "$cf_path"; then
		skip "$cf_id" "$cf_sub" "$SP_WHY"
		return 1
	fi
	cf_real=$SP_REAL
	if [ "$cf_mode" = log ]; then
		file_size "$cf_real"
		if [ "$fs_v" -gt "$LOG_CAP" ]; then
			# tail cuts the file: the output is marked truncated and its first (partial) line dropped
			FO_CUT=1
			run_cmd "$cf_id" "$cf_sub" "$cf_rel" log "$cf_path" -- tail -c "$LOG_CAP" "$cf_real"
			FO_CUT=0
		else
			run_cmd "$cf_id" "$cf_sub" "$cf_rel" log "$cf_path" -- cat "$cf_real"
		fi
	else
		run_cmd "$cf_id" "$cf_sub" "$cf_rel" "$cf_mode" "$cf_path" -- cat "$cf_real"
	fi
	# the file must still be what we checked (not swapped for a symbolic link meanwhile)
	if [ "$R_SKIPPED" = 0 ] && [ -L "$cf_real" ]; then
		rm -f "$R_OUT"
		[ -n "$FO_ERR" ] && rm -f "$B/$FO_ERR"
		sed '$d' "$ENTRIES" >"$ENTRIES.tmp" && mv "$ENTRIES.tmp" "$ENTRIES"
		skip "$cf_id" "$cf_sub" "not copied: $cf_path became a symbolic link while it was read"
	fi
	return 0
}

# ---- process discovery ----------------------------------------------------------------------------
# args_lines PID FILE: /proc/PID/cmdline as one argument per line (newlines inside arguments as \001).
args_lines() {
	: >"$2"
	[ -r "/proc/$1/cmdline" ] || return 1
	TMO_MARK=
	run_bounded 5 tr '\n\000' '\001\n' <"/proc/$1/cmdline" >"$2" 2>/dev/null
}
environ_lines() {
	: >"$2"
	[ -r "/proc/$1/environ" ] || return 1
	TMO_MARK=
	run_bounded 5 tr '\n\000' '\001\n' <"/proc/$1/environ" >"$2" 2>/dev/null
}

FLANNELD_PIDS=
K3S_PIDS=
K3S_KIND=
for d_proc in /proc/[0-9]*; do
	d_pid=${d_proc#/proc/}
	d_comm=
	read -r d_comm 2>/dev/null <"$d_proc/comm" || continue
	case $d_comm in
	flanneld) FLANNELD_PIDS="$FLANNELD_PIDS $d_pid" ;;
	k3s | k3s-server | k3s-agent | rke2 | rke2-server | rke2-agent | k3s-init)
		args_lines "$d_pid" "$WORK/d.args" || continue
		d_a0=$(sed -n '1p' "$WORK/d.args")
		d_a1=$(sed -n '2p' "$WORK/d.args")
		case ${d_a0##*/}:$d_a1 in
		k3s:server | k3s:agent | rke2:server | rke2:agent | k3s-server:* | k3s-agent:* | rke2-server:* | rke2-agent:*)
			K3S_PIDS="$K3S_PIDS $d_pid"
			case ${d_a0##*/} in rke2*) K3S_KIND=${K3S_KIND:-rke2} ;; *) K3S_KIND=${K3S_KIND:-k3s} ;; esac
			;;
		esac
		;;
	esac
done
FLANNELD_PIDS=${FLANNELD_PIDS# }
K3S_PIDS=${K3S_PIDS# }

# Flags of the first flanneld (Go flag syntax: -name, --name, -name=value, --name value).
F_SET=" "
F_ENDPOINTS=
F_PREFIX=
F_CAFILE=
F_CERTFILE=
F_KEYFILE=
F_USER=
F_PASS=
F_KUBE=
F_KUBECONFIG=
F_SUBNET_FILE=
F_NETCONF=
F_IFACE=
F_PUBLIC_IP=
F_LOG_FILE=
F_LOG_DIR=
# shellcheck disable=SC2317  # called through parse_go_flags
set_flannel_flag() {
	F_SET="$F_SET$1 "
	case $1 in
	etcd-endpoints) F_ENDPOINTS=$2 ;;
	etcd-prefix) F_PREFIX=$2 ;;
	etcd-cafile) F_CAFILE=$2 ;;
	etcd-certfile) F_CERTFILE=$2 ;;
	etcd-keyfile) F_KEYFILE=$2 ;;
	etcd-username) F_USER=$2 ;;
	etcd-password) F_PASS=$2 ;;
	kube-subnet-mgr) F_KUBE=$2 ;;
	kubeconfig-file) F_KUBECONFIG=$2 ;;
	subnet-file) F_SUBNET_FILE=$2 ;;
	net-config-path) F_NETCONF=$2 ;;
	iface) F_IFACE="${F_IFACE:+$F_IFACE,}$2" ;;
	public-ip) F_PUBLIC_IP=$2 ;;
	log_file | log-file) F_LOG_FILE=$2 ;;
	log_dir | log-dir) F_LOG_DIR=$2 ;;
	esac
}
# shellcheck disable=SC2317  # called through parse_go_flags
flannel_value_flag() {
	case $1 in
	etcd-endpoints | etcd-prefix | etcd-cafile | etcd-certfile | etcd-keyfile | etcd-username | etcd-password | \
		iface | iface-regex | iface-can-reach | public-ip | public-ipv6 | kube-api-url | kubeconfig-file | \
		kube-annotation-prefix | net-config-path | subnet-file | subnet-lease-renew-margin | healthz-ip | \
		healthz-port | iptables-resync | v | vmodule | log_dir | log-dir | log_file | log-file | \
		log_backtrace_at | stderrthreshold | log_file_max_size) return 0 ;;
	esac
	return 1
}
# parse_go_flags FILE SETTER VALUEFLAGFN
parse_go_flags() {
	pg_first=1
	pg_expect=
	while IFS= read -r pg_a <&4; do
		if [ "$pg_first" = 1 ]; then
			pg_first=0
			continue
		fi
		if [ -n "$pg_expect" ]; then
			"$2" "$pg_expect" "$pg_a"
			pg_expect=
			continue
		fi
		case $pg_a in
		--) break ;;
		-*=*)
			pg_n=${pg_a%%=*}
			pg_n=${pg_n#-}
			pg_n=${pg_n#-}
			"$2" "$pg_n" "${pg_a#*=}"
			;;
		-?*)
			pg_n=${pg_a#-}
			pg_n=${pg_n#-}
			if "$3" "$pg_n"; then pg_expect=$pg_n; else "$2" "$pg_n" true; fi
			;;
		esac
	done 4<"$1"
}

DISC_FLANNEL_PID=
if [ -n "$FLANNELD_PIDS" ]; then
	for d_pid in $FLANNELD_PIDS; do
		args_lines "$d_pid" "$WORK/f.$d_pid.args"
		environ_lines "$d_pid" "$WORK/f.$d_pid.env"
		harvest cmdline <"$WORK/f.$d_pid.args"
		harvest environ <"$WORK/f.$d_pid.env"
		[ -n "$DISC_FLANNEL_PID" ] || DISC_FLANNEL_PID=$d_pid
	done
	parse_go_flags "$WORK/f.$DISC_FLANNEL_PID.args" set_flannel_flag flannel_value_flag
	# FLANNELD_* apply to the flags not given on the command line (flannel's flagutil.SetFlagsFromEnv)
	while IFS= read -r d_kv <&4; do
		case $d_kv in FLANNELD_*=*) ;; *) continue ;; esac
		d_k=${d_kv%%=*}
		d_k=$(printf '%s' "${d_k#FLANNELD_}" | tr 'A-Z_' 'a-z-')
		case $F_SET in *" $d_k "*) continue ;; esac
		set_flannel_flag "$d_k" "${d_kv#*=}"
	done 4<"$WORK/f.$DISC_FLANNEL_PID.env"
fi
add_secret "$F_PASS"

F_KUBE_MODE=0
case $F_KUBE in 1 | t | T | true | TRUE | True) F_KUBE_MODE=1 ;; esac

# k3s / rke2 (embedded flannel)
K_CONFIG=
K_DATA_DIR=
K_FLANNEL_CONF=
K_LOG=
K_PID=
# shellcheck disable=SC2317  # called through parse_go_flags
set_k3s_flag() {
	case $1 in
	config | c) K_CONFIG=$2 ;;
	data-dir | d) K_DATA_DIR=$2 ;;
	flannel-conf) K_FLANNEL_CONF=$2 ;;
	log | l) K_LOG=$2 ;;
	esac
}
# shellcheck disable=SC2317  # called through parse_go_flags
k3s_value_flag() {
	case $1 in
	config | c | data-dir | d | flannel-conf | flannel-backend | flannel-iface | token | t | agent-token | \
		server | s | node-name | cluster-cidr | service-cidr | log | l | datastore-endpoint | node-ip | \
		token-file | flannel-external-ip | flannel-ipv6-masq | kubelet-arg | kube-apiserver-arg | \
		write-kubeconfig | write-kubeconfig-mode | node-label | node-taint | tls-san) return 0 ;;
	esac
	return 1
}
if [ -n "$K3S_PIDS" ]; then
	for d_pid in $K3S_PIDS; do
		args_lines "$d_pid" "$WORK/k.$d_pid.args"
		environ_lines "$d_pid" "$WORK/k.$d_pid.env"
		harvest cmdline <"$WORK/k.$d_pid.args"
		harvest environ <"$WORK/k.$d_pid.env"
		[ -n "$K_PID" ] || K_PID=$d_pid
	done
	# the subcommand (server/agent) is argv[1]: skip it like argv[0]
	sed '1d' "$WORK/k.$K_PID.args" >"$WORK/k.args"
	parse_go_flags "$WORK/k.args" set_k3s_flag k3s_value_flag
	if [ -z "$K_CONFIG" ]; then
		K_CONFIG=$(sed -n 's/^K3S_CONFIG_FILE=//p; s/^RKE2_CONFIG_FILE=//p' "$WORK/k.$K_PID.env" | sed -n '1p')
	fi
	if [ "$K3S_KIND" = rke2 ]; then
		[ -n "$K_CONFIG" ] || K_CONFIG=/etc/rancher/rke2/config.yaml
		[ -n "$K_DATA_DIR" ] || K_DATA_DIR=/var/lib/rancher/rke2
	else
		[ -n "$K_CONFIG" ] || K_CONFIG=/etc/rancher/k3s/config.yaml
		[ -n "$K_DATA_DIR" ] || K_DATA_DIR=/var/lib/rancher/k3s
	fi
	[ -n "$K_FLANNEL_CONF" ] || K_FLANNEL_CONF="$K_DATA_DIR/agent/etc/flannel/net-conf.json"
	# learn the secrets of the k3s config (token, agent-token, ...) before anything is written
	if safe_path "$K_CONFIG"; then
		TMO_MARK=
		run_bounded 5 head -c "$OUT_CAP" "$SP_REAL" </dev/null 2>/dev/null | harvest text
	fi
fi

# What mode is flannel in on this node?
if [ -n "$K3S_PIDS" ] && [ -z "$FLANNELD_PIDS" ]; then
	FLANNEL_MODE="embedded-$K3S_KIND"
elif [ -n "$FLANNELD_PIDS" ] && [ "$F_KUBE_MODE" = 1 ]; then
	FLANNEL_MODE=kube
elif [ -n "$FLANNELD_PIDS" ]; then
	FLANNEL_MODE=etcd
else
	FLANNEL_MODE=unknown
fi

# etcd settings: options > flanneld's flags/environment > flannel's defaults
ETCD_SOURCE=
ETCD_ENDPOINTS=
if [ -n "$OPT_ETCD_ENDPOINTS" ]; then
	ETCD_ENDPOINTS=$OPT_ETCD_ENDPOINTS
	ETCD_SOURCE=option
elif [ -n "$F_ENDPOINTS" ]; then
	ETCD_ENDPOINTS=$F_ENDPOINTS
	ETCD_SOURCE=flanneld
elif [ "$FLANNEL_MODE" = etcd ]; then
	ETCD_ENDPOINTS=http://127.0.0.1:4001,http://127.0.0.1:2379
	ETCD_SOURCE=flanneld-default
fi
ETCD_PREFIX=${OPT_ETCD_PREFIX:-${F_PREFIX:-/coreos.com/network}}
while :; do
	case $ETCD_PREFIX in
	?*/) ETCD_PREFIX=${ETCD_PREFIX%/} ;;
	*) break ;;
	esac
done
ETCD_CACERT=${OPT_ETCD_CACERT:-$F_CAFILE}
ETCD_CERT=${OPT_ETCD_CERT:-$F_CERTFILE}
ETCD_KEY=${OPT_ETCD_KEY:-$F_KEYFILE}
if [ -n "$OPT_ETCD_USER" ]; then
	ETCD_USER=$OPT_ETCD_USER
else
	ETCD_USER=$F_USER
	[ -n "$ETCD_USER" ] && [ -z "$ETCD_PASSWORD" ] && ETCD_PASSWORD=$F_PASS
fi

ETCD_ON=0
ETCD_WHY=
if [ "$OPT_NO_ETCD" = 1 ]; then
	ETCD_WHY="disabled by --no-etcd"
elif [ -z "$ETCD_ENDPOINTS" ]; then
	case $FLANNEL_MODE in
	kube) ETCD_WHY="not applicable: flanneld runs with --kube-subnet-mgr (Kubernetes API, no etcd)" ;;
	embedded-*) ETCD_WHY="not applicable: flannel is embedded in $K3S_KIND and uses the Kubernetes API" ;;
	*) ETCD_WHY="not applicable: no etcd endpoints given (--etcd-endpoints) or found in flanneld's arguments" ;;
	esac
else
	ETCD_ON=1
fi

KUBE_ON=0
KUBE_WHY=
if [ "$OPT_NO_KUBE" = 1 ]; then
	KUBE_WHY="disabled by --no-kube"
elif [ -n "$OPT_KUBECONFIG" ] || [ "$FLANNEL_MODE" = kube ] || [ -n "$K3S_PIDS" ]; then
	KUBE_ON=1
else
	KUBE_WHY="not applicable: flanneld does not use the Kubernetes API (no --kube-subnet-mgr) and no --kubeconfig given"
fi

url_creds_out() {
	case $1 in
	*://*@*) printf '%s' "$1" | sed 's#://[^/@,]*@#://<redacted>@#g' ;;
	*) printf '%s' "$1" ;;
	esac
}

n_e=off
[ "$ETCD_ON" = 1 ] && n_e=on
n_k=off
[ "$KUBE_ON" = 1 ] && n_k=on
note "collecting into $NAME (flannel mode: $FLANNEL_MODE; etcd: $n_e; kube: $n_k)"

# ---- node ------------------------------------------------------------------------------------------
run_cmd date "" node/date.txt text "" -- date -u +%Y-%m-%dT%H:%M:%SZ
run_cmd uname "" node/uname.txt text "" -- uname -a

# ps: procps with start times; busybox ps lacks lstart/etimes -> ps -o pid,ppid,args + /proc/PID/stat
if have_tool ps && probe 5 ps -eo pid,ppid,lstart,etimes,args ww && grep -q STARTED "$PROBE_OUT"; then
	run_cmd ps "" node/ps.txt text "" -- ps -eo pid,ppid,lstart,etimes,args ww
elif have_tool ps; then
	run_cmd ps "" node/ps.txt text "ps -o pid,ppid,args; STARTED and ELAPSED from /proc/PID/stat and /proc/stat btime" -- ps -o pid,ppid,args
	if [ "$R_SKIPPED" = 0 ] && [ -s "$R_OUT" ]; then
		ps_btime=$(sed -n 's/^btime //p' /proc/stat 2>/dev/null)
		ps_hz=$(getconf CLK_TCK 2>/dev/null) || ps_hz=
		is_uint "$ps_hz" || ps_hz=100
		now_s
		awk -v btime="${ps_btime:-0}" -v hz="$ps_hz" -v now="$NOW" '
function lstart(t,   days, secs, z, era, doe, yoe, y, doy, mp, d, m, wd) {
	days = int(t / 86400); secs = t - days * 86400
	wd = (days + 4) % 7
	z = days + 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = (mp < 10) ? mp + 3 : mp - 9
	if (m <= 2) y++
	return sprintf("%s %s %2d %02d:%02d:%02d %d", substr("SunMonTueWedThuFriSat", wd * 3 + 1, 3), \
		substr("JanFebMarAprMayJunJulAugSepOctNovDec", (m - 1) * 3 + 1, 3), d, \
		int(secs / 3600), int((secs % 3600) / 60), secs % 60, y)
}
NR == 1 { printf "%7s %7s %24s %7s %s\n", "PID", "PPID", "STARTED", "ELAPSED", "COMMAND"; next }
{
	pid = $1; ppid = $2; args = $0
	sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]?/, "", args)
	st = "-"; el = "-"
	f = "/proc/" pid "/stat"
	if (pid ~ /^[0-9]+$/ && (getline s < f) > 0) {
		close(f)
		n = length(s); i = n
		while (i > 0 && substr(s, i, 1) != ")") i--
		split(substr(s, i + 2), a, " ")
		if (a[20] ~ /^[0-9]+$/ && btime > 0) {
			t = btime + int(a[20] / hz)
			st = lstart(t); el = now - t
			if (el < 0) el = 0
		}
	}
	printf "%7s %7s %24s %7s %s\n", pid, ppid, st, el, args
}' "$R_OUT" >"$R_OUT.tmp" && mv "$R_OUT.tmp" "$R_OUT"
		file_size "$R_OUT"
		sed '$s/"bytes":[0-9]*}$/"bytes":'"$fs_v"'}/' "$ENTRIES" >"$ENTRIES.tmp" && mv "$ENTRIES.tmp" "$ENTRIES"
	fi
else
	skip ps "" "command not found: ps"
fi

# collect_process KIND PID ENV_FILTER: the command line of PID, the environment variables that
# ENV_FILTER keeps, and its --version, as KIND-cmdline/-environ/-version under node/KIND/PID/
collect_process() {
	run_cmd "$1-cmdline" "$2" "node/$1/$2/cmdline.txt" cmdline "/proc/$2/cmdline" -- cat "/proc/$2/cmdline"
	ENV_FILTER=$3
	run_cmd "$1-environ" "$2" "node/$1/$2/environ.txt" environ "/proc/$2/environ" -- cat "/proc/$2/environ"
	ENV_FILTER=
	RUN_TIMEOUT=5
	run_cmd "$1-version" "$2" "node/$1/$2/version.txt" merge "" -- "/proc/$2/exe" --version
	RUN_TIMEOUT=
}

# flanneld processes
VERSION_MISSING=
if [ -n "$FLANNELD_PIDS" ]; then
	for p_pid in $FLANNELD_PIDS; do
		collect_process flanneld "$p_pid" '^(FLANNELD_[A-Za-z0-9_]*|NODE_NAME|POD_NAME|POD_NAMESPACE)='
		if [ "$R_SKIPPED" = 1 ] || [ "$R_RC" != 0 ] || [ ! -s "$R_OUT" ]; then
			VERSION_MISSING="$VERSION_MISSING $p_pid"
		fi
	done
else
	if [ -n "$K3S_PIDS" ]; then
		p_why="not applicable: no flanneld process; flannel is embedded in $K3S_KIND (PID $K_PID)"
	else
		p_why="no flanneld process found"
	fi
	skip flanneld-cmdline "" "$p_why"
	skip flanneld-environ "" "$p_why"
	skip flanneld-version "" "$p_why"
fi
for p_pid in $K3S_PIDS; do
	collect_process k3s "$p_pid" '^(K3S_[A-Za-z0-9_]*|RKE2_[A-Za-z0-9_]*|NODE_NAME|CONTAINERD_[A-Za-z0-9_]*|NO_PROXY|HTTP_PROXY|HTTPS_PROXY)='
done

# network state
if have_tool ip && probe 5 ip -d link show && [ -s "$PROBE_OUT" ]; then
	IP_D=1
else
	IP_D=0
fi
run_cmd ip-link "" node/ip-link.json text "" -- ip -j -d link show
if [ "$IP_D" = 1 ]; then
	run_cmd ip-link-text "" node/ip-link.txt text "" -- ip -d link show
else
	run_cmd ip-link-text "" node/ip-link.txt text "" -- ip link show
fi
run_cmd ip-addr "" node/ip-addr.json text "" -- ip -j addr show
run_cmd ip-addr-text "" node/ip-addr.txt text "" -- ip addr show
run_cmd ip-route "" node/ip-route.json text "" -- ip -j route show
run_cmd ip-route-text "" node/ip-route.txt text "" -- ip route show
run_cmd ip-neigh "" node/ip-neigh.json text "" -- ip -j neigh show
run_cmd ip-neigh-text "" node/ip-neigh.txt text "" -- ip neigh show
n_flannel=0
for n_dev in /sys/class/net/flannel*; do
	[ -e "$n_dev" ] || continue
	n_dev=${n_dev##*/}
	n_flannel=1
	run_cmd bridge-fdb "$n_dev" "node/bridge-fdb/$n_dev.json" text "" -- bridge -j fdb show dev "$n_dev"
	run_cmd bridge-fdb-text "$n_dev" "node/bridge-fdb/$n_dev.txt" text "" -- bridge fdb show dev "$n_dev"
done
[ "$n_flannel" = 1 ] || skip bridge-fdb "" "no flannel.* device on this node"

# time synchronisation
run_cmd timedatectl-status "" node/timedatectl-status.txt text "" -- timedatectl status
run_cmd timedatectl-show "" node/timedatectl-show.txt text "" -- timedatectl show
run_cmd chronyc-tracking "" node/chronyc-tracking.csv text "" -- chronyc -c tracking
run_cmd ntpq "" node/ntpq.txt text "" -- ntpq -pn

# kernel
kc_done=0
if [ -f /proc/config.gz ] && [ -r /proc/config.gz ]; then
	run_cmd kernel-config "" node/kernel-config.txt text /proc/config.gz -- gzip -dc /proc/config.gz
	[ "$R_SKIPPED" = 0 ] && kc_done=1
fi
if [ "$kc_done" = 0 ]; then
	for kc_f in "/boot/config-$KREL" "/lib/modules/$KREL/config" "/usr/lib/modules/$KREL/config"; do
		if safe_path "$kc_f"; then
			copy_file kernel-config "" node/kernel-config.txt text "$kc_f"
			kc_done=1
			break
		fi
	done
fi
[ "$kc_done" = 1 ] || skip kernel-config "" "no kernel config found: /proc/config.gz, /boot/config-$KREL, /lib/modules/$KREL/config, /usr/lib/modules/$KREL/config"
if [ -e /proc/modules ]; then
	copy_file modules "" node/proc-modules.txt text /proc/modules
else
	skip modules "" "not found: /proc/modules (a kernel without module support has none; see sys-module)"
fi
if [ -e "/lib/modules/$KREL/modules.builtin" ] || [ -L "/lib/modules/$KREL/modules.builtin" ]; then
	copy_file modules-builtin "" node/modules-builtin.txt text "/lib/modules/$KREL/modules.builtin"
elif [ -e "/usr/lib/modules/$KREL/modules.builtin" ] || [ -L "/usr/lib/modules/$KREL/modules.builtin" ]; then
	copy_file modules-builtin "" node/modules-builtin.txt text "/usr/lib/modules/$KREL/modules.builtin"
else
	skip modules-builtin "" "not found: /lib/modules/$KREL/modules.builtin, /usr/lib/modules/$KREL/modules.builtin"
fi
run_cmd sys-module "" node/sys-module.txt text "" -- ls /sys/module
run_cmd sysctl "" node/sysctl.txt text "" -- sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables

# flannel files
SUBNET_FILE_MAIN=
if [ -n "$FLANNELD_PIDS" ]; then
	sf_list=
	for p_pid in $FLANNELD_PIDS; do
		if [ "$p_pid" = "$DISC_FLANNEL_PID" ]; then
			sf_v=${F_SUBNET_FILE:-/run/flannel/subnet.env}
		else
			sf_v=$(sed -n 's/^--\{0,1\}-subnet-file=//p' "$WORK/f.$p_pid.args" | sed -n '1p')
			[ -n "$sf_v" ] || sf_v=$(sed -n 's/^FLANNELD_SUBNET_FILE=//p' "$WORK/f.$p_pid.env" | sed -n '1p')
			[ -n "$sf_v" ] || sf_v=/run/flannel/subnet.env
		fi
		sf_list="$sf_list$p_pid:$sf_v
"
	done
	sf_distinct=$(printf '%s' "$sf_list" | sed 's/^[0-9]*://' | sort -u | wc -l)
	sf_distinct=$((sf_distinct + 0))
	if [ "$sf_distinct" -le 1 ]; then
		SUBNET_FILE_MAIN=${F_SUBNET_FILE:-/run/flannel/subnet.env}
		copy_file subnet-env "" node/subnet.env text "$SUBNET_FILE_MAIN"
	else
		printf '%s' "$sf_list" >"$WORK/sf.list"
		while IFS= read -r sf_line <&4; do
			[ -n "$sf_line" ] || continue
			copy_file subnet-env "${sf_line%%:*}" "node/flanneld/${sf_line%%:*}/subnet.env" text "${sf_line#*:}"
		done 4<"$WORK/sf.list"
		SUBNET_FILE_MAIN=${F_SUBNET_FILE:-/run/flannel/subnet.env}
	fi
else
	SUBNET_FILE_MAIN=/run/flannel/subnet.env
	copy_file subnet-env "" node/subnet.env text "$SUBNET_FILE_MAIN"
fi

if [ -n "$K3S_PIDS" ] && [ -z "$FLANNELD_PIDS" ]; then
	copy_file net-conf "" node/net-conf.json text "$K_FLANNEL_CONF"
elif [ -n "$F_NETCONF" ] || [ "$FLANNEL_MODE" = kube ]; then
	nc_path=${F_NETCONF:-/etc/kube-flannel/net-conf.json}
	if [ -e "$nc_path" ] || [ -L "$nc_path" ]; then
		copy_file net-conf "" node/net-conf.json text "$nc_path"
	else
		skip net-conf "" "not on the host: $nc_path (kube-flannel keeps it in its ConfigMap, see kube-flannel-cfg)"
	fi
elif [ -n "$K3S_PIDS" ]; then
	copy_file net-conf "" node/net-conf.json text "$K_FLANNEL_CONF"
else
	skip net-conf "" "not applicable: flanneld in etcd mode reads its network config from etcd ($ETCD_PREFIX/config)"
fi
if [ -n "$K3S_PIDS" ]; then
	copy_file k3s-config "" node/k3s-config.yaml text "$K_CONFIG"
	if [ -d "$K_CONFIG.d" ] && [ ! -L "$K_CONFIG.d" ]; then
		for kd_f in "$K_CONFIG.d"/*.yaml; do
			[ -e "$kd_f" ] || [ -L "$kd_f" ] || continue
			kd_n=$(printf '%s' "${kd_f##*/}" | tr -c 'A-Za-z0-9._-' '_')
			copy_file k3s-config-d "${kd_f##*/}" "node/k3s-config.d/$kd_n" text "$kd_f"
		done
	fi
fi

# ---- logs ------------------------------------------------------------------------------------------
# unit_of PID: the systemd unit from /proc/PID/cgroup; container_of PID: a 64-hex container id.
unit_of() {
	sed -n 's#^.*/\([^/]*\.service\)$#\1#p' "/proc/$1/cgroup" 2>/dev/null | sed -n '1p'
}
container_of() {
	sed -n 's#^.*[/-]\([0-9a-f]\{64\}\)\(\.scope\)\{0,1\}$#\1#p' "/proc/$1/cgroup" 2>/dev/null | sed -n '1p'
}
journal_has() {
	have_tool journalctl || return 1
	probe 10 journalctl -u "$1" -n 1 -q --no-pager || return 1
	grep -q . "$PROBE_OUT"
}
LOG_DONE=0
log_journal() { # UNIT SOURCE
	run_cmd flanneld-log "" node/flanneld.log log "$2" -- journalctl -u "$1" "--since=-${SINCE_S}s" -n 250000 --no-pager
	LOG_DONE=1
}
log_container() { # ID RUNTIME SOURCE
	if [ "$2" = docker ]; then
		run_cmd flanneld-log "" node/flanneld.log log "$3" -- docker logs --since "${SINCE_S}s" --tail 250000 "$1"
	else
		run_cmd flanneld-log "" node/flanneld.log log "$3" -- crictl logs --since "${SINCE_S}s" --tail 250000 "$1"
	fi
	LOG_DONE=1
}
# log_fd_file PID: the regular file that PID's stdout/stderr goes to
log_fd_file() {
	LF=
	[ "$HAVE_READLINK" = 1 ] || return 1
	for lf_fd in 2 1; do
		lf_t=$(readlink "/proc/$1/fd/$lf_fd" 2>/dev/null) || continue
		case $lf_t in
		/dev/* | /proc/* | /sys/* | *" (deleted)") continue ;;
		/*) [ -f "$lf_t" ] && {
			LF=$lf_t
			return 0
		} ;;
		esac
	done
	return 1
}
log_tried=
# The log sources below are tried in order until one gives the log (LOG_DONE=1).
# log_try_journal UNIT SOURCE: that unit's journal, if it has lines
log_try_journal() {
	[ "$LOG_DONE" = 0 ] || return 0
	log_tried="$log_tried journal:$1"
	if journal_has "$1"; then log_journal "$1" "$2"; fi
	return 0
}
# log_try_file PATH: that file, if PATH is set
log_try_file() {
	[ "$LOG_DONE" = 0 ] && [ -n "$1" ] || return 0
	copy_file flanneld-log "" node/flanneld.log log "$1" && LOG_DONE=1
	return 0
}
# log_try_fd PID: the regular file that PID writes its output to
log_try_fd() {
	[ "$LOG_DONE" = 0 ] || return 0
	if log_fd_file "$1"; then log_try_file "$LF"; fi
	return 0
}
if [ -n "$K3S_PIDS" ] && [ -z "$FLANNELD_PIDS" ]; then
	# embedded flannel: its lines are in the k3s/rke2 unit's journal
	lg_unit=$(unit_of "$K_PID")
	for lg_u in $lg_unit "$K3S_KIND.service" "$K3S_KIND-agent.service" "$K3S_KIND-server.service"; do
		log_try_journal "$lg_u" "journalctl -u $lg_u ($K3S_KIND unit; flannel is embedded in $K3S_KIND)"
	done
	log_try_file "$K_LOG"
	log_try_fd "$K_PID"
fi
if [ "$LOG_DONE" = 0 ] && [ -n "$DISC_FLANNEL_PID" ]; then
	lg_cid=$(container_of "$DISC_FLANNEL_PID")
	lg_unit=$(unit_of "$DISC_FLANNEL_PID")
	if [ -n "$lg_cid" ]; then
		if grep -q docker "/proc/$DISC_FLANNEL_PID/cgroup" 2>/dev/null && have_tool docker; then
			log_container "$lg_cid" docker "docker logs (container of flanneld PID $DISC_FLANNEL_PID)"
		elif have_tool crictl; then
			log_container "$lg_cid" crictl "crictl logs (container of flanneld PID $DISC_FLANNEL_PID)"
		elif have_tool docker; then
			log_container "$lg_cid" docker "docker logs (container of flanneld PID $DISC_FLANNEL_PID)"
		fi
	fi
	if [ "$LOG_DONE" = 0 ] && [ -n "$lg_unit" ]; then
		case $lg_unit in
		containerd.service | docker.service | crio.service | kubelet.service) ;;
		*) log_try_journal "$lg_unit" "journalctl -u $lg_unit (unit of flanneld PID $DISC_FLANNEL_PID)" ;;
		esac
	fi
	log_try_file "$F_LOG_FILE"
	log_try_fd "$DISC_FLANNEL_PID"
	if [ "$LOG_DONE" = 0 ] && [ -n "$F_LOG_DIR" ] && safe_path "$F_LOG_DIR/flanneld.INFO"; then
		copy_file flanneld-log "" node/flanneld.log log "$F_LOG_DIR/flanneld.INFO" && LOG_DONE=1
	fi
fi
for lg_u in flanneld.service flannel.service; do
	log_try_journal "$lg_u" "journalctl -u $lg_u"
done
if [ "$LOG_DONE" = 0 ]; then
	log_tried="$log_tried kube-flannel-container"
	if probe 10 crictl ps -a --name kube-flannel -q && lg_cid=$(sed -n '1p' "$PROBE_OUT") && [ -n "$lg_cid" ]; then
		log_container "$lg_cid" crictl "crictl logs (newest kube-flannel container)"
	elif probe 10 docker ps -a --filter name=k8s_kube-flannel --format '{{.ID}}' && lg_cid=$(sed -n '1p' "$PROBE_OUT") && [ -n "$lg_cid" ]; then
		log_container "$lg_cid" docker "docker logs (newest kube-flannel container)"
	fi
fi
if [ "$LOG_DONE" = 0 ]; then
	for lg_f in /var/log/flanneld*.log /var/log/flannel/flanneld*.log; do
		[ -e "$lg_f" ] || [ -L "$lg_f" ] || continue
		log_tried="$log_tried file:$lg_f"
		copy_file flanneld-log "" node/flanneld.log log "$lg_f" && LOG_DONE=1
		break
	done
fi
if [ "$LOG_DONE" = 0 ]; then
	skip flanneld-log "" "no flanneld log found (tried:${log_tried:- nothing} ; /var/log/flanneld*.log)"
fi

# ---- etcd ------------------------------------------------------------------------------------------
ETCD_DOWN=
ETCD_TMO=0
etcd_ok_to_run() { # ID SUBJECT
	if [ -n "$ETCD_DOWN" ]; then
		skip "$1" "$2" "$ETCD_DOWN"
		return 1
	fi
	return 0
}
etcd_after() {
	if [ "$R_TMO" = 1 ]; then
		ETCD_TMO=$((ETCD_TMO + 1))
		[ "$ETCD_TMO" -ge 2 ] && ETCD_DOWN="etcd not answering: $ETCD_TMO etcd commands timed out"
	fi
}
# etcd3 ID SUBJECT OUTPATH MODE ARGS...
etcd3() {
	e3_id=$1 e3_sub=$2 e3_rel=$3 e3_mode=$4
	shift 4
	etcd_ok_to_run "$e3_id" "$e3_sub" || return 1
	e3_t=${RUN_TIMEOUT:-$OPT_TIMEOUT}
	e3_ct=$((e3_t - 2))
	[ "$e3_ct" -ge 1 ] || e3_ct=1
	e3_dt=5
	[ "$e3_dt" -le "$e3_ct" ] || e3_dt=$e3_ct
	[ -n "$ETCD_KEY" ] && set -- "--key=$ETCD_KEY" "$@"
	[ -n "$ETCD_CERT" ] && set -- "--cert=$ETCD_CERT" "$@"
	[ -n "$ETCD_CACERT" ] && set -- "--cacert=$ETCD_CACERT" "$@"
	set -- etcdctl "--endpoints=$ETCD_ENDPOINTS" "--dial-timeout=${e3_dt}s" "--command-timeout=${e3_ct}s" "$@"
	run_cmd "$e3_id" "$e3_sub" "$e3_rel" "$e3_mode" "" -- "$@"
	etcd_after
}
# etcd2 ID OUTPATH ARGS... (v2 API: the v2 store has its own auth, so no credentials are passed)
etcd2() {
	e2_id=$1 e2_rel=$2
	shift 2
	etcd_ok_to_run "$e2_id" "" || return 1
	e2_t=${RUN_TIMEOUT:-$OPT_TIMEOUT}
	e2_tt=$((e2_t - 1))
	[ "$e2_tt" -ge 1 ] || e2_tt=1
	[ -n "$ETCD_KEY" ] && set -- "--key-file=$ETCD_KEY" "$@"
	[ -n "$ETCD_CERT" ] && set -- "--cert-file=$ETCD_CERT" "$@"
	[ -n "$ETCD_CACERT" ] && set -- "--ca-file=$ETCD_CACERT" "$@"
	set -- env ETCDCTL_API=2 etcdctl "--endpoints=$ETCD_ENDPOINTS" --timeout=5s "--total-timeout=${e2_tt}s" "$@"
	run_cmd "$e2_id" "" "$e2_rel" text "" -- "$@"
	etcd_after
}

# dec2hex: decimal lease ids (int64, as strings) to etcdctl's %016x hex, by long division on the digit
# string: no number above 159 is ever formed, so nothing is rounded (awk numbers are doubles).
DEC2HEX_AWK='
function dec2hex(d,   hex, q, r, i, c) {
	hex = ""
	while (d != "0" && d != "") {
		q = ""; r = 0
		for (i = 1; i <= length(d); i++) {
			r = r * 10 + (substr(d, i, 1) + 0)
			c = int(r / 16); r = r - c * 16
			if (q != "" || c > 0) q = q c
		}
		hex = substr("0123456789abcdef", r + 1, 1) hex
		d = (q == "") ? "0" : q
	}
	if (hex == "") hex = "0"
	while (length(hex) < 16) hex = "0" hex
	return hex
}'

LEASE_DEADLINE_REASON=
# lease_worker K DEADLINE: runs in the background (a subshell): looks up the leases of lease-todo.K and
# writes its manifest entries to entries.lease.K
lease_worker() {
	ENTRIES="$WORK/entries.lease.$1"
	: >"$ENTRIES"
	RAW_TAG="w$1"
	CUR_DEADLINE=$2
	CUR_DEADLINE_REASON=$LEASE_DEADLINE_REASON
	SKIP_TRUNC=1
	while IFS= read -r lw_hex <&4; do
		etcd3 etcd-lease-ttl "$lw_hex" "etcd/leases/$lw_hex.json" none lease timetolive "$lw_hex" --keys -w json
	done 4<"$WORK/lease-todo.$1"
}
lease_phase() {
	lp_ids="$WORK/lease-ids"
	lp_n=$(wc -l <"$lp_ids")
	lp_n=$((lp_n + 0))
	if ! have_tool etcdctl; then
		skip etcd-lease-ttl "" "command not found: etcdctl"
		return 0
	fi
	if [ "$GET_PREFIX_OK" = 0 ]; then
		skip etcd-lease-ttl "" "no lease ids: etcd-get-prefix gave no data (see that entry)"
		return 0
	fi
	if [ "$lp_n" = 0 ]; then
		skip etcd-lease-ttl "" "no key under $ETCD_PREFIX has a lease"
		return 0
	fi
	head -n "$OPT_MAX_LEASES" "$lp_ids" >"$WORK/lease-todo"
	now_s
	lp_deadline=$((NOW + OPT_LEASE_TIME))
	[ "$lp_deadline" -le "$DEADLINE" ] || lp_deadline=$DEADLINE
	if [ "$lp_deadline" -lt "$DEADLINE" ]; then
		LEASE_DEADLINE_REASON="lease look-up time budget used up (--lease-time $OPT_LEASE_TIME s)"
	else
		LEASE_DEADLINE_REASON=$CUR_DEADLINE_REASON
	fi
	mkdir -p "$B/etcd/leases"
	awk -v p="$OPT_PARALLEL" -v dir="$WORK" '{ print > (dir "/lease-todo." ((NR - 1) % p)) }' "$WORK/lease-todo"
	lp_pids=
	lp_k=0
	while [ "$lp_k" -lt "$OPT_PARALLEL" ]; do
		if [ -s "$WORK/lease-todo.$lp_k" ]; then
			lease_worker "$lp_k" "$lp_deadline" &
			lp_pids="$lp_pids $!"
			BG_PIDS="$BG_PIDS $!"
		fi
		lp_k=$((lp_k + 1))
	done
	for lp_p in $lp_pids; do
		wait "$lp_p"
	done
	BG_PIDS=
	lp_k=0
	while [ "$lp_k" -lt "$OPT_PARALLEL" ]; do
		[ -f "$WORK/entries.lease.$lp_k" ] && cat "$WORK/entries.lease.$lp_k" >>"$ENTRIES"
		lp_k=$((lp_k + 1))
	done
	if [ "$lp_n" -gt "$OPT_MAX_LEASES" ]; then
		SKIP_TRUNC=1
		tail -n "+$((OPT_MAX_LEASES + 1))" "$lp_ids" >"$WORK/lease-cut"
		while IFS= read -r lw_hex <&4; do
			skip etcd-lease-ttl "$lw_hex" "lease look-up limit reached: $OPT_MAX_LEASES of $lp_n leases looked up (--max-leases)"
		done 4<"$WORK/lease-cut"
		SKIP_TRUNC=0
	fi
}

ETCD_IDS="etcd-version etcd-endpoint-status etcd-endpoint-health etcd-get-prefix etcd-lease-list etcd-lease-ttl etcd-v2-get-config etcd-v2-ls etcd-v2-tree"
if [ "$ETCD_ON" = 1 ]; then
	note "collecting etcd data from $(url_creds_out "$ETCD_ENDPOINTS") (prefix $ETCD_PREFIX)"
	if [ -n "$ETCD_USER" ]; then
		ETCDCTL_USER=$ETCD_USER
		export ETCDCTL_USER
		if [ -n "$ETCD_PASSWORD" ]; then
			ETCDCTL_PASSWORD=$ETCD_PASSWORD
			export ETCDCTL_PASSWORD
		fi
	fi
	run_cmd etcd-version "" etcd/version.txt text "" -- etcdctl version
	# status and health are cheap: a short limit (etcdctl --command-timeout=5s), so that an etcd that is
	# down or hung costs seconds, not minutes
	RUN_TIMEOUT=7
	[ "$OPT_TIMEOUT" -lt 7 ] && RUN_TIMEOUT=$OPT_TIMEOUT
	etcd3 etcd-endpoint-status "" etcd/endpoint-status.json text endpoint status -w json
	e_unreach=
	if [ "$R_SKIPPED" = 0 ]; then
		if [ "$R_TMO" = 1 ] || { [ "$R_RC" != 0 ] && ! grep -q '"Endpoint"' "$R_OUT"; }; then
			e_unreach="etcd unreachable: no endpoint answered etcdctl endpoint status (see etcd-endpoint-status)"
		fi
	fi
	etcd3 etcd-endpoint-health "" etcd/endpoint-health.json text endpoint health -w json
	RUN_TIMEOUT=
	[ -n "$e_unreach" ] && ETCD_DOWN=$e_unreach
	etcd3 etcd-get-prefix "" etcd/get-prefix.json none get --prefix "$ETCD_PREFIX" -w json
	: >"$WORK/lease-ids"
	GET_PREFIX_OK=0
	if [ "$R_SKIPPED" = 0 ] && [ "$R_RC" = 0 ] && [ -s "$R_OUT" ]; then
		GET_PREFIX_OK=1
		# "key":"<b64>" ... "lease":<decimal> of each kv; ids stay strings (never numbers)
		tr '{' '\n' <"$R_OUT" | sed -n 's/^"key":"\([^"]*\)".*"lease":\([0-9][0-9]*\).*$/\1 \2/p' >"$WORK/kv-leases"
		# this node's own subnet lease first
		own_b64=
		if [ -n "$SUBNET_FILE_MAIN" ] && safe_path "$SUBNET_FILE_MAIN"; then
			own_sn=$(sed -n 's/^FLANNEL_SUBNET=//p' "$SP_REAL" 2>/dev/null | sed -n '1p')
			own_key=$(printf '%s\n' "$own_sn" | awk -v pre="$ETCD_PREFIX" -F'[./]' 'NF == 5 && $5 >= 0 && $5 <= 32 {
				ip = (($1 * 256 + $2) * 256 + $3) * 256 + $4; sz = 1; for (i = $5; i < 32; i++) sz *= 2; ip = ip - (ip % sz)
				printf "%s/subnets/%d.%d.%d.%d-%d", pre, int(ip / 16777216), int(ip / 65536) % 256, int(ip / 256) % 256, ip % 256, $5 }')
			[ -n "$own_key" ] && have_tool base64 && own_b64=$(printf '%s' "$own_key" | base64 | tr -d '\n')
		fi
		awk -v own="$own_b64" "$DEC2HEX_AWK"'
			{ k = $1; d = $2 "" }
			k == own && own != "" { first[++nf] = d; next }
			{ rest[++nr] = d }
			END {
				for (i = 1; i <= nf; i++) if (!seen["x" first[i]]++) print dec2hex(first[i])
				for (i = 1; i <= nr; i++) if (!seen["x" rest[i]]++) print dec2hex(rest[i])
			}' "$WORK/kv-leases" >"$WORK/lease-ids"
	fi
	etcd3 etcd-lease-list "" etcd/lease-list.json none lease list -w json
	if [ -n "$ETCD_DOWN" ]; then
		skip etcd-lease-ttl "" "$ETCD_DOWN"
	else
		lease_phase
	fi
	etcd2 etcd-v2-get-config etcd/v2-get-config.json -o json get "$ETCD_PREFIX/config"
	v2_state=ok
	etcd2 etcd-v2-ls etcd/v2-ls.txt ls --recursive "$ETCD_PREFIX"
	if [ "$R_SKIPPED" = 1 ]; then
		v2_state=unknown
	elif [ "$R_TMO" = 1 ]; then
		v2_state="etcd v2 API did not answer (etcd-v2-ls timed out)"
	elif [ "$R_RC" != 0 ] && [ -n "$FO_ERR" ] && grep -q 'invalid json' "$B/$FO_ERR"; then
		v2_state="etcd v2 API not enabled (etcd-v2-ls: response is invalid json)"
	fi
	case $v2_state in
	ok | unknown)
		if etcd_ok_to_run etcd-v2-tree ""; then
			v2_ep=${ETCD_ENDPOINTS%%,*}
			v2_path=${ETCD_PREFIX#/}
			v2_t=$((OPT_TIMEOUT - 1))
			[ "$v2_t" -ge 1 ] || v2_t=1
			set -- curl -sS --connect-timeout 5 --max-time "$v2_t"
			[ -n "$ETCD_CACERT" ] && set -- "$@" --cacert "$ETCD_CACERT"
			[ -n "$ETCD_CERT" ] && set -- "$@" --cert "$ETCD_CERT"
			[ -n "$ETCD_KEY" ] && set -- "$@" --key "$ETCD_KEY"
			run_cmd etcd-v2-tree "" etcd/v2-tree.json text "" -- "$@" "${v2_ep%/}/v2/keys/$v2_path?recursive=true"
			etcd_after
		fi
		;;
	*) skip etcd-v2-tree "" "$v2_state" ;;
	esac
	unset ETCDCTL_USER ETCDCTL_PASSWORD
else
	for e_id in $ETCD_IDS; do
		skip "$e_id" "" "$ETCD_WHY"
	done
fi

# ---- Kubernetes -------------------------------------------------------------------------------------
KUBE_IDS="kube-nodes kube-flannel-pods kube-flannel-cfg kube-flannel-log"
KUBECTL=
KUBECONFIG_PATH=
if [ "$KUBE_ON" = 1 ]; then
	if have_tool kubectl; then
		KUBECTL=kubectl
	elif [ -n "$K3S_PIDS" ] && have_tool "$K3S_KIND"; then
		KUBECTL=$K3S_KIND
	elif [ -n "$K3S_PIDS" ] && [ -x "/proc/$K_PID/exe" ] && [ "$K3S_KIND" = k3s ]; then
		KUBECTL="/proc/$K_PID/exe"
	fi
	if [ -n "$OPT_KUBECONFIG" ]; then
		KUBECONFIG_PATH=$OPT_KUBECONFIG
	elif [ -n "$F_KUBECONFIG" ] && [ -f "$F_KUBECONFIG" ]; then
		KUBECONFIG_PATH=$F_KUBECONFIG
	elif [ -n "${KUBECONFIG-}" ]; then
		KUBECONFIG_PATH=$KUBECONFIG
	else
		for kc_c in "$REAL_HOME/.kube/config" /etc/rancher/k3s/k3s.yaml /etc/rancher/rke2/rke2.yaml \
			/etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf; do
			if [ -f "$kc_c" ]; then
				KUBECONFIG_PATH=$kc_c
				break
			fi
		done
	fi
fi
KUBE_DOWN=
# kube ID SUBJECT OUTPATH MODE ARGS...
kube() {
	k_id=$1 k_sub=$2 k_rel=$3 k_mode=$4
	shift 4
	if [ -n "$KUBE_DOWN" ]; then
		skip "$k_id" "$k_sub" "$KUBE_DOWN"
		return 1
	fi
	k_t=$((OPT_TIMEOUT - 2))
	[ "$k_t" -ge 1 ] || k_t=1
	set -- "--request-timeout=${k_t}s" "$@"
	[ -n "$KUBECONFIG_PATH" ] && set -- "--kubeconfig=$KUBECONFIG_PATH" "$@"
	case $KUBECTL in
	kubectl) set -- kubectl "$@" ;;
	*) set -- "$KUBECTL" kubectl "$@" ;;
	esac
	run_cmd "$k_id" "$k_sub" "$k_rel" "$k_mode" "" -- "$@"
	[ "$R_TMO" = 1 ] && KUBE_DOWN="Kubernetes API not answering: $k_id timed out"
	return 0
}
if [ "$KUBE_ON" = 1 ] && [ -z "$KUBECTL" ]; then
	KUBE_ON=0
	KUBE_WHY="command not found: kubectl"
fi
if [ "$KUBE_ON" = 1 ]; then
	note "collecting Kubernetes data"
	kube kube-nodes "" kube/nodes.json text get nodes -o json
	kube kube-flannel-pods "" kube/flannel-pods.json text get pods -A -l app=flannel -o json
	kube kube-flannel-cfg "" kube/flannel-configmaps.json text get configmaps -A -l app=flannel -o json
	kp_ns=
	kp_name=
	if [ -n "$DISC_FLANNEL_PID" ]; then
		kp_ns=$(sed -n 's/^POD_NAMESPACE=//p' "$WORK/f.$DISC_FLANNEL_PID.env" | sed -n '1p')
		kp_name=$(sed -n 's/^POD_NAME=//p' "$WORK/f.$DISC_FLANNEL_PID.env" | sed -n '1p')
	fi
	if [ -z "$kp_name" ] && [ -z "$K3S_PIDS" ]; then
		kp_node=
		[ -n "$DISC_FLANNEL_PID" ] && kp_node=$(sed -n 's/^NODE_NAME=//p' "$WORK/f.$DISC_FLANNEL_PID.env" | sed -n '1p')
		[ -n "$kp_node" ] || kp_node=$HOSTNAME_V
		kube kube-flannel-pod-name "" kube/flannel-pod-name.txt text get pods -A -l app=flannel \
			"--field-selector=spec.nodeName=$kp_node" -o 'jsonpath={range .items[*]}{.metadata.namespace}{" "}{.metadata.name}{"\n"}{end}'
		if [ "$R_SKIPPED" = 0 ] && [ "$R_RC" = 0 ]; then
			read -r kp_ns kp_name <"$R_OUT" || :
		fi
	fi
	# why a pod-specific command cannot run: the API is down, the deadline passed, or no pod is known
	now_s
	if [ -n "$KUBE_DOWN" ]; then
		kp_why=$KUBE_DOWN
	elif [ "$NOW" -ge "$CUR_DEADLINE" ]; then
		kp_why=$CUR_DEADLINE_REASON
	else
		kp_why="no flannel pod found on node ${kp_node:-$HOSTNAME_V}"
	fi
	if [ -n "$K3S_PIDS" ] && [ -z "$FLANNELD_PIDS" ]; then
		skip kube-flannel-log "" "not applicable: flannel is embedded in $K3S_KIND (no kube-flannel pod); see flanneld-log"
	elif [ -n "$kp_name" ] && [ -n "$kp_ns" ]; then
		kube kube-flannel-log "$kp_ns/$kp_name" kube/flannel-pod.log log logs -n "$kp_ns" "$kp_name" -c kube-flannel --tail=20000
	else
		skip kube-flannel-log "" "$kp_why"
	fi
	for v_pid in $VERSION_MISSING; do
		if [ -n "$kp_name" ] && [ -n "$kp_ns" ]; then
			kube flanneld-image "$v_pid" "node/flanneld/$v_pid/image.txt" text get pod -n "$kp_ns" "$kp_name" \
				-o 'jsonpath={range .spec.containers[*]}{.name}{" "}{.image}{"\n"}{end}'
		else
			skip flanneld-image "$v_pid" "flanneld --version gave nothing; no image tag either: $kp_why"
		fi
	done
else
	for k_id in $KUBE_IDS; do
		skip "$k_id" "" "$KUBE_WHY"
	done
fi

# ---- manifest and archive ---------------------------------------------------------------------------
now_s
END_S=$NOW
json_str "$FD_NAME"
m_name=$J
json_str "$FD_VERSION"
m_ver=$J
json_str "$HOSTNAME_V"
m_host=$J
json_str "$MACHINE_ID"
m_mid=$J
json_str "$KREL"
m_krel=$J
json_str "$ARCH"
m_arch=$J
json_str "$(url_creds_out "$ETCD_ENDPOINTS")"
m_ep=$J
json_str "$ETCD_PREFIX"
m_prefix=$J
json_str "$OPT_SINCE"
m_since=$J
json_str "$FLANNEL_MODE"
m_mode=$J
json_str "$ETCD_SOURCE"
m_esrc=$J
json_str "$F_IFACE"
m_iface=$J
json_str "$SUBNET_FILE_MAIN"
m_sfile=$J
json_str "$KUBECONFIG_PATH"
m_kcfg=$J
json_str "$F_PUBLIC_IP"
m_pubip=$J
m_pids=
for p_pid in $FLANNELD_PIDS; do m_pids="${m_pids:+$m_pids,}\"$p_pid\""; done
m_kpids=
for p_pid in $K3S_PIDS; do m_kpids="${m_kpids:+$m_kpids,}\"$p_pid\""; done
m_etcd=false
[ "$ETCD_ON" = 1 ] && m_etcd=true
m_kube=false
[ "$KUBE_ON" = 1 ] && m_kube=true
m_tmo=false
[ "$HAVE_TIMEOUT" = 1 ] && m_tmo=true
{
	printf '{\n  "format": "%s",\n' "$FD_FORMAT"
	printf '  "collector": {"name": %s, "version": %s},\n' "$m_name" "$m_ver"
	printf '  "host": {"hostname": %s, "machineId": %s, "kernelRelease": %s, "arch": %s},\n' "$m_host" "$m_mid" "$m_krel" "$m_arch"
	printf '  "collectedAt": "%s",\n  "collectedAtEpoch": %s,\n' "$COLLECTED_AT" "$START_S"
	printf '  "options": {"etcd": %s, "etcdEndpoints": %s, "etcdPrefix": %s, "kube": %s, "logSince": %s, "timeoutSeconds": %s,\n' \
		"$m_etcd" "$m_ep" "$m_prefix" "$m_kube" "$m_since" "$OPT_TIMEOUT"
	printf '    "maxTimeSeconds": %s, "leaseLookupLimit": %s, "leaseLookupSeconds": %s, "parallel": %s, "logMaxBytes": %s,\n' \
		"$OPT_MAX_TIME" "$OPT_MAX_LEASES" "$OPT_LEASE_TIME" "$OPT_PARALLEL" "$LOG_CAP"
	printf '    "flannelMode": %s, "etcdEndpointsSource": %s, "flanneldPids": [%s], "k3sPids": [%s], "iface": %s, "subnetFile": %s,\n' \
		"$m_mode" "$m_esrc" "$m_pids" "$m_kpids" "$m_iface" "$m_sfile"
	printf '    "publicIp": %s, "kubeconfig": %s, "timeoutCommand": %s, "durationSeconds": %s},\n' \
		"$m_pubip" "$m_kcfg" "$m_tmo" "$((END_S - START_S))"
	printf '  "commands": [\n'
	sed -e 's/^/    /' -e '$!s/$/,/' "$ENTRIES"
	printf '  ]\n}\n'
} >"$B/manifest.json"

rm -rf "$RAW"
n_all=$(wc -l <"$ENTRIES")
n_all=$((n_all + 0))
n_skip=$(grep -c '"skipped":' "$ENTRIES")
n_tmo=$(grep -c '"timedOut":true' "$ENTRIES")
n_ok=$(grep -c '"exitCode":0,' "$ENTRIES")
n_fail=$((n_all - n_skip - n_tmo - n_ok))
[ "$n_fail" -ge 0 ] || n_fail=0

write_tar() { # DIR
	OUT_FILE="${1%/}/$NAME.tar.gz"
	OUT_DONE=0
	if tar -czf "$OUT_FILE" -C "$WORK" "$NAME" 2>/dev/null && [ -s "$OUT_FILE" ]; then
		OUT_DONE=1
		return 0
	fi
	rm -f "$OUT_FILE"
	if (cd "$WORK" && tar -cf - "$NAME") 2>/dev/null | gzip -c >"$OUT_FILE" 2>/dev/null && [ -s "$OUT_FILE" ] &&
		gzip -t "$OUT_FILE" 2>/dev/null; then
		OUT_DONE=1
		return 0
	fi
	rm -f "$OUT_FILE"
	OUT_FILE=
	return 1
}
if ! write_tar "$OPT_OUTPUT"; then
	printf '%s: cannot write the bundle into %s; trying %s\n' "$FD_NAME" "$OPT_OUTPUT" "$TMP_BASE" >&2
	write_tar "$TMP_BASE" || die "no bundle could be written (tar/gzip failed in $OPT_OUTPUT and $TMP_BASE)"
fi
now_s
file_size "$OUT_FILE"
printf '%s: wrote %s (%s bytes; %s commands: %s ok, %s failed, %s timed out, %s skipped; %s s)\n' \
	"$FD_NAME" "$OUT_FILE" "$fs_v" "$n_all" "$n_ok" "$n_fail" "$n_tmo" "$n_skip" "$((NOW - START_S))"
exit 0
